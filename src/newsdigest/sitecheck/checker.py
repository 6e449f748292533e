"""Check a site page by page as it is written, and resolve its links at the end.

Reading a built site back from disk to check it cost more than building it:
every page was parsed twice (html.parser, then html5lib in spawned workers),
every feed twice (expat, then feedparser), and the tree walked once per check.
A ``SiteChecker`` takes each page as a string while the build writes it, parses
it once, runs the per-page rules at once and keeps only what the site-wide
rules need (ids, and the URLs with their lines). ``finish`` then walks the
output once, for the files the build did not hand over (static files, feeds,
stylesheets), and resolves every URL in memory.

``check_site`` (``newsdigest check --site``) is the same checker fed from disk;
it also runs the full HTML5 parser (html5lib), on every core for large sites.
"""

from __future__ import annotations

import logging
import os
import posixpath
import sys
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TypeVar

from newsdigest.engine.parallel import PARALLEL_MIN_JOBS, can_fork, run_all, usable_cpus
from newsdigest.problems import Problem, Report
from newsdigest.sitecheck.anchors import anchor_problem
from newsdigest.sitecheck.assets import asset_problem, asset_refs, stylesheet_refs
from newsdigest.sitecheck.feeds import (
    HTMLFindings,
    feed_problems,
    json_feed_problems,
)
from newsdigest.sitecheck.html import page_problems
from newsdigest.sitecheck.links import feed_refs, link_problem, link_refs
from newsdigest.sitecheck.page import (
    GAVE_UP,
    Page,
    decode,
    html5lib_errors,
    scan_page,
)
from newsdigest.sitecheck.site import (
    ASSET,
    CSS,
    FEED_LINK,
    LINK,
    SCRIPT,
    UNSAFE,
    Ref,
    Site,
    Target,
)
from newsdigest.sitecheck.sitemaps import check_sitemaps
from newsdigest.sitecheck.xmltree import XMLError, XNode, parse_xml

log = logging.getLogger(__name__)

#: The checks, in the order they are documented.
CHECKS = ("links", "anchors", "assets", "feeds", "html", "sitemaps")


def checks_to_run(checks: Iterable[str] | None) -> tuple[str, ...]:
    """The named checks (default: all); an unknown name is a ValueError."""
    names = CHECKS if checks is None else tuple(checks)
    unknown = [name for name in names if name not in CHECKS]
    if unknown:
        raise ValueError(
            f"unknown site check(s) {', '.join(unknown)}; known: {', '.join(CHECKS)}"
        )
    return names


_Value = TypeVar("_Value")


def _put(store: dict[str, _Value], path: str, value: _Value | None) -> None:
    """Record ``value`` for ``path``, or forget what was recorded if it is None."""
    if value is None:
        store.pop(path, None)
    else:
        store[path] = value


@dataclass(frozen=True)
class FileRecord:
    """What the checks keep of one file (see ``SiteChecker``'s attributes)."""

    problems: tuple[Problem, ...]
    refs: dict[str, list[tuple[int | None, str, str]]] | None
    ids: frozenset[str] | None
    source: str | None
    size: int | None

    def interned(self) -> FileRecord:
        """The record with one string object per URL and field name across
        the site, as ``add_page`` keeps them: a record that came through a
        pipe from a worker has copies of its own (23 MB at 1,000 items)."""
        if not self.refs:
            return self
        intern = sys.intern
        refs = {
            intern(url): [
                (line, intern(field), intern(role)) for line, field, role in uses
            ]
            for url, uses in self.refs.items()
        }
        return replace(self, refs=refs)


class SiteChecker:
    """What the site checks learned from the files handed to it so far.

    ``html5`` runs html5lib over each page for its parse errors instead of
    reporting libxml2's (slower; for ``newsdigest check`` and the tests).
    """

    def __init__(
        self,
        checks: Iterable[str] | None = None,
        *,
        html5: bool = False,
        source_root: Path | None = None,
    ):
        self.checks = checks_to_run(checks)
        self.html5 = html5
        #: the folder the pages' sources are named from (``content/items/x.md``
        #: is ``source_root / "content/items/x.md"``): a URL of a page is then
        #: reported at the line of its source that holds it.
        self.source_root = source_root
        self._source_texts: dict[str, list[str] | None] = {}
        #: file -> problems found in it alone (a file written again replaces them)
        self.problems: dict[str, list[Problem]] = {}
        #: file -> URL -> (line, field, role) of each use of the URL in the file
        self.refs: dict[str, dict[str, list[tuple[int | None, str, str]]]] = {}
        self.ids: dict[str, frozenset[str]] = {}
        self.sources: dict[str, str] = {}
        self.seen: set[str] = set()
        #: size of each page handed over as a string, to notice later rewrites
        self.written: dict[str, int] = {}
        self.seconds = 0.0
        self._html_findings: HTMLFindings = {}

    def add_page(
        self,
        path: str,
        data: str | bytes,
        source: str | None = None,
        *,
        html5_errors: list[tuple[int, str, str]] | None = None,
    ) -> None:
        """Check the HTML page ``path`` (site-relative) now; keep its ids and URLs.

        ``source`` is the content file the page shows, named in its problems.
        """
        started = time.perf_counter()
        page = scan_page(path, data, html5=self.html5, html5_errors=html5_errors)
        self.seen.add(path)
        if isinstance(data, str):
            self.written[path] = page.size
        else:
            self.written.pop(path, None)
        if source:
            self.sources[path] = source
        elif isinstance(data, str):  # a page written again, showing nothing
            self.sources.pop(path, None)
        if "html" in self.checks:
            self.problems[path] = page_problems(page)
        elif not page.complete and self.checks:
            self.problems[path] = [_incomplete(page, self.checks[0])]
        else:
            self.problems.pop(path, None)
        self.refs[path] = _grouped(
            ref
            for element in page.elements
            for refs in (link_refs(element), asset_refs(element))
            for ref in refs
        )
        self.ids[path] = frozenset(page.ids)
        self.seconds += time.perf_counter() - started

    def add_xml(self, path: str, data: bytes) -> None:
        """Check the XML file ``path``: one strict parse, then the feed rules."""
        started = time.perf_counter()
        self.seen.add(path)
        try:
            root: XNode | XMLError = parse_xml(data)
        except XMLError as error:
            root = error
        if "feeds" in self.checks:
            self.problems[path] = feed_problems(path, data, root, self._html_findings)
        if isinstance(root, XNode):
            self.refs[path] = _grouped(feed_refs(root))
        self.seconds += time.perf_counter() - started

    def add_json(self, path: str, data: bytes) -> None:
        """Check a ``.json`` file that is a JSON Feed (others are left alone)."""
        self.seen.add(path)
        if "feeds" in self.checks:
            self.problems[path] = json_feed_problems(path, data)

    def record(self, path: str) -> FileRecord:
        """What the checks learned from ``path``, to take over in a later build
        that links the same bytes instead of writing them (``adopt``)."""
        return FileRecord(
            tuple(self.problems.get(path, ())),
            self.refs.get(path),
            self.ids.get(path),
            self.sources.get(path),
            self.written.get(path),
        )

    def adopt(self, path: str, record: FileRecord) -> None:
        """Take over the record of a file whose bytes were checked before."""
        self.seen.add(path)
        self.problems[path] = list(record.problems)
        _put(self.refs, path, record.refs)
        _put(self.ids, path, record.ids)
        _put(self.sources, path, record.source)
        _put(self.written, path, record.size)

    def add_stylesheet(self, path: str, css: str) -> None:
        self.seen.add(path)
        self.refs[path] = _grouped(stylesheet_refs(css))

    def finish(
        self,
        root: Path,
        *,
        site_url: str = "",
        files: Iterable[str] | None = None,
        workers: int | None = None,
    ) -> Report:
        """Check the files of ``root`` not handed over yet, then every URL.

        ``site_url`` is the production base URL (SITEURL); absolute links
        starting with it are internal. Use "" for a development build with
        relative URLs. ``files`` lists the site's files if known (else one walk).
        """
        started = time.perf_counter()
        site = Site(root, site_url, files)
        self._read_unseen(site, workers)
        report = Report()
        report.extend(self._file_problems())
        report.extend(self._reference_problems(site))
        if "sitemaps" in self.checks:
            report.extend(check_sitemaps(site))
        self.seconds += time.perf_counter() - started
        log.info(
            "site checks: %d files, %d problems, %.2fs",
            len(self.seen),
            len(report.problems),
            self.seconds,
        )
        return report

    def _read_unseen(self, site: Site, workers: int | None) -> None:
        self._forget_rewritten(site)
        pages = [path for path in site.html_paths if path not in self.seen]
        errors = (
            html5_errors_in_workers(site.root, pages, workers)
            if self.html5 and "html" in self.checks
            else {}
        )
        for path in pages:
            self.add_page(path, site.read_bytes(path), html5_errors=errors.get(path))
        if {"feeds", "links"} & set(self.checks):
            for path in site.xml_paths:
                if path not in self.seen:
                    self.add_xml(path, site.read_bytes(path))
        if "feeds" in self.checks:
            for path in site.json_paths:
                if path not in self.seen:
                    self.add_json(path, site.read_bytes(path))
        if "assets" in self.checks:
            for path in site.css_paths:
                if path not in self.seen:
                    text, _ = decode(site.read_bytes(path))
                    self.add_stylesheet(path, text)

    def _forget_rewritten(self, site: Site) -> None:
        """Pages changed on disk since they were written (a minifying plugin, say)
        are checked again from disk: the site checked is the site published."""
        for path, size in list(self.written.items()):
            try:
                changed = (site.root / path).stat().st_size != size
            except OSError:
                changed = True  # removed: the walk decides what is left
            if changed:
                log.debug("%s changed after it was written; reading it again", path)
                self.seen.discard(path)
                self.written.pop(path)
                self.problems.pop(path, None)
                self.refs.pop(path, None)
                self.ids.pop(path, None)

    def _file_problems(self) -> list[Problem]:
        return [
            self._named(problem)
            for problems in self.problems.values()
            for problem in problems
            if problem.check in self.checks
        ]

    def _reference_problems(self, site: Site) -> list[Problem]:
        """Every use of every URL, each distinct (target, role) judged once."""
        verdicts: dict[tuple[int, str, bool], tuple[Problem, ...]] = {}
        problems: list[Problem] = []
        for path, urls in self.refs.items():
            base_dir = posixpath.dirname(path)
            for url, uses in urls.items():
                target = site.resolve(url, path, base_dir)
                for line, field, role in uses:
                    key = (id(target), role, target.path == path)
                    found = verdicts.get(key)
                    if found is None:
                        found = verdicts[key] = self._verdict(site, path, target, role)
                    for problem in found:
                        problems.append(
                            self._named(
                                replace(problem, path=path, line=line, field=field),
                                url,
                            )
                        )
        return problems

    def _verdict(
        self, site: Site, path: str, target: Target, role: str
    ) -> tuple[Problem, ...]:
        """The problems of one use of ``target`` (their line and field aside)."""
        ref = Ref(None, "", target.url, role)
        checks = self.checks
        found: list[Problem | None] = []
        if role in (UNSAFE, FEED_LINK, LINK) and "links" in checks:
            found.append(link_problem(site, path, ref, target))
        if role == LINK and "anchors" in checks:
            found.append(anchor_problem(site, path, ref, target, self._ids_of))
        if role in (ASSET, CSS, SCRIPT) and "assets" in checks:
            found.append(asset_problem(site, path, ref, target))
        return tuple(p for p in found if p is not None)

    def _ids_of(self, path: str) -> frozenset[str]:
        return self.ids.get(path, frozenset())

    def _named(self, problem: Problem, url: str | None = None) -> Problem:
        """The problem, naming the content file its page shows when known.

        A problem with a URL the source file holds is the source's: it is
        reported at that file, line and field (``source_url``, ``body``), the
        built page's line only in the message."""
        source = self.sources.get(problem.path)
        if not source:
            return problem
        found = self._source_line(source, url) if url else None
        if found is None:
            return replace(problem, source=source)
        line, field = found
        where = f"{problem.path}" + (f" line {problem.line}" if problem.line else "")
        return replace(
            problem,
            path=source,
            line=line,
            field=field,
            message=f"{problem.message} (on the built page {where})",
            source=None,
        )

    def _source_line(self, source: str, url: str) -> tuple[int, str] | None:
        if self.source_root is None:
            return None
        if source not in self._source_texts:
            try:
                text = (self.source_root / source).read_text(encoding="utf-8")
                self._source_texts[source] = text.splitlines()
            except (OSError, UnicodeDecodeError):
                self._source_texts[source] = None
        lines = self._source_texts[source]
        return locate_in_source(lines, url) if lines else None


def locate_in_source(lines: list[str], url: str) -> tuple[int, str] | None:
    """The line (1-based) and field of the first line of a content file that
    holds ``url`` (as written, or with ``&`` as ``&amp;``): the front matter
    key it is the value of, else ``body``. None when no line holds it."""
    wanted = [url, url.replace("&", "&amp;")]
    in_front = bool(lines) and lines[0].strip() == "---"
    key = None
    for number, text in enumerate(lines, start=1):
        if in_front and number > 1 and text.strip() in ("---", "..."):
            in_front, key = False, None
            continue
        if in_front and text[:1].isalpha() and ":" in text:
            key = text.split(":", 1)[0].strip()
        if any(w in text for w in wanted):
            return number, (key or "front matter") if in_front else "body"
    return None


def _incomplete(page: Page, check: str) -> Problem:
    """Part of ``page`` was not checked: that must not pass unnoticed."""
    line = next((line for line, code, _ in page.parse_errors if code == GAVE_UP), None)
    return Problem(
        page.path,
        line,
        "parse",
        "the page is nested too deeply to be checked completely",
        "Fix the markup in the template or content (unclosed elements?).",
        check=check,
    )


def _grouped(refs: Iterable[Ref]) -> dict[str, list[tuple[int | None, str, str]]]:
    """The uses of each URL: a page links the same few URLs many times."""
    groups: dict[str, list[tuple[int | None, str, str]]] = {}
    intern = sys.intern  # one string per field name and URL across the site
    for ref in refs:
        use = (ref.line, intern(ref.field), ref.role)
        uses = groups.get(ref.url)
        if uses is None:
            groups[intern(ref.url)] = [use]
        else:
            uses.append(use)
    return groups


def _html5_errors_of(job: tuple[Path, str]) -> tuple[str, list[tuple[int, str, str]]]:
    root, path = job
    text, _ = decode((root / path).read_bytes())
    return path, html5lib_errors(text)


def html5_errors_in_workers(
    root: Path, pages: list[str], workers: int | None
) -> dict[str, list[tuple[int, str, str]]]:
    """html5lib's errors for many pages, on every core (``newsdigest.engine.parallel``:
    forked workers start with everything imported and send back error tuples;
    a small site, ``workers=1`` or a caller that cannot fork gets {} and the
    pages are parsed in this process instead, as they are checked)."""
    if workers is None:
        workers = usable_cpus() if len(pages) >= PARALLEL_MIN_JOBS else 1
    if workers < 2 or not can_fork():
        return {}
    jobs = [(root, path) for path in pages]
    log.debug("html5lib over %d pages in %d processes", len(jobs), workers)
    return dict(result for _, result in run_all(jobs, _html5_errors_of, workers))


# --- A checker attached to a build, found again when the build is finished -----

_ATTACHED: dict[str, tuple[SiteChecker, Callable[[], None] | None]] = {}


def attach_checker(
    output_path: str | os.PathLike[str],
    checker: SiteChecker,
    before_finish: Callable[[], None] | None = None,
) -> None:
    """Remember ``checker`` as the one checking what is written to ``output_path``.

    ``before_finish`` is called before the checks resolve anything (a writer
    that renders pages late writes them then). One build runs at a time in a
    process; a checker left by a build that failed before its end is dropped.
    """
    _ATTACHED.clear()
    _ATTACHED[os.path.realpath(output_path)] = (checker, before_finish)


def attached_checker(output_path: str | os.PathLike[str]) -> SiteChecker | None:
    """The checker attached to the build in ``output_path`` (once), or None;
    what the build still had to write is written first."""
    found = _ATTACHED.pop(os.path.realpath(output_path), None)
    if found is None:
        return None
    checker, before_finish = found
    if before_finish is not None:
        before_finish()
    return checker


def check_build(
    output_path: Path, *, site_url: str = "", checks: Iterable[str] | None = None
) -> Report:
    """The site checks of the build just written to ``output_path``.

    Pages the build's writer checked as it wrote them are not read again;
    without a checker attached by the writer the whole folder is read (still
    without html5lib).
    """
    checker = attached_checker(output_path)
    if checker is None:
        checker = SiteChecker(checks)
    else:
        checker.checks = checks_to_run(checks)
    return checker.finish(Path(output_path), site_url=site_url)


def check_site(
    site_dir: Path,
    *,
    site_url: str = "",
    checks: Iterable[str] | None = None,
    html5: bool = True,
    workers: int | None = None,
) -> Report:
    """Run the named checks (default: all) over the built site in ``site_dir``.

    ``site_url`` is the production base URL (SITEURL); absolute links starting
    with it are internal. Use "" for a development build with relative URLs.
    ``html5`` reports html5lib's parse errors (the full HTML5 parsing rules)
    instead of libxml2's.
    """
    site_dir = Path(site_dir)
    names = checks_to_run(checks)
    if not site_dir.is_dir():
        raise NotADirectoryError(f"no built site at {site_dir}")
    checker = SiteChecker(names, html5=html5)
    return checker.finish(site_dir, site_url=site_url, workers=workers)
