"""Pelican plugin: an item's address never changes silently.

Every build records each published item's address (kept beside the build by
``newsdigest.plugins.publish``). The next build compares: an item whose address moved
(a new slug, title or date) is an error unless the old address is listed in
its ``aliases:``; every alias is published as a small redirect page (canonical
link to the new address, meta refresh, ``noindex``) or, for a host that reads
``_redirects`` (``DIGEST_PUBLISH["host"]``: Netlify, Cloudflare Pages), as a
real 301 there and no page (a page at the old address would be served instead
of the rule). Items that vanished are named in a warning. The rules are in
``newsdigest.model.addresses``; the file's syntax in ``newsdigest.publishing.hosts``.
"""

from __future__ import annotations

import dataclasses
import logging
import os
import re
from functools import partial
from pathlib import Path
from typing import Any

from pelican import signals
from pelican.generators import Generator

from newsdigest.engine.runstate import STATE, run_late, start_run
from newsdigest.model.addresses import (
    PUBLISHED_OUTPUT,
    Addressed,
    address_record,
    alias_collision_problems,
    alias_save_as,
    alias_url,
    changed_address_problems,
    read_record,
    read_sources,
    source_record,
    vanished_problems,
)
from newsdigest.model.frontmatter import FrontMatterError, read_source, split
from newsdigest.problems import DigestError, Problem, Report, content_path
from newsdigest.publishing.hosts import HOSTS, redirects_file
from newsdigest.settings import publish_config

logger = logging.getLogger(__name__)
#: Written after every check, beside each text file (DIGEST_PUBLISH["precompress"]).
COMPRESSED = re.compile(r"\.(gz|br)(/|$)", re.IGNORECASE)
REDIRECTS = "_redirects"
PAGINATED = re.compile(r"(^|/)page/\d+(/|/index\.html)?$")


def addressed(items: list[Any], settings: dict[str, Any]) -> list[Addressed]:
    return [
        Addressed(
            item_id=item.item_id,
            url=item.url,
            source=content_path(settings, item.source_path),
            aliases=tuple(getattr(item, "aliases", None) or ()),
        )
        for item in items
        if getattr(item, "item_id", None)
    ]


def _live_record(settings: dict[str, Any]) -> Path | None:
    """The record kept with the live build (``<build>.json``, see
    ``newsdigest.publishing.staging.record_path``), if the output is a staged build."""
    output = Path(settings.get(PUBLISHED_OUTPUT) or settings["OUTPUT_PATH"])
    if not output.is_symlink():
        return None
    site = output.resolve()
    return site.with_name(site.name + ".json")


def previous_addresses(settings: dict[str, Any]) -> dict[str, str] | None:
    """The addresses kept with the live build, if the output is a staged build."""
    record = _live_record(settings)
    return read_record(record) if record else None


def previous_sources(settings: dict[str, Any]) -> dict[str, str]:
    """The item files kept with the live build (item id -> file)."""
    record = _live_record(settings)
    return read_sources(record) if record else {}


def source_exists(settings: dict[str, Any], source: str) -> bool:
    """Whether a file named as messages name it (``content/items/x.md``) is there."""
    return (Path(os.path.abspath(settings["PATH"])).parent / source).is_file()


def output_files(root: Path) -> dict[str, tuple[int, int]]:
    """Every file under ``root``, site-relative, with what changes when a file
    is written or replaced (inode, ctime: a copy that keeps the mtime still
    changes these)."""
    files = {}
    for folder, _dirs, names in os.walk(root):
        for name in names:
            path = Path(folder, name)
            try:
                stat = path.lstat()
            except OSError:
                continue
            files[path.relative_to(root).as_posix()] = (stat.st_ino, stat.st_ctime_ns)
    return files


def written_files(writer: Any, before: dict[str, tuple[int, int]]) -> dict[str, str]:
    """Every file of this build and what wrote it: the writer's record (pages,
    feeds, sitemaps, robots.txt... also those still waiting to be rendered),
    and the files others copied into the output (static files, the theme's
    assets, the search index). Files ``before`` the build wrote anything that
    are still as they were (an unstaged build's leftovers) are not its own."""
    root = Path(writer.output_path)
    written = dict(getattr(writer, "written", None) or {})
    for name in getattr(writer, "_written_files", ()):  # any Pelican writer
        relative = os.path.relpath(name, root.absolute())
        if not relative.startswith(".."):
            written.setdefault(Path(relative).as_posix(), "")
    for path, state in output_files(root).items():
        if before.get(path) != state:
            written.setdefault(path, "a file copied into the site")
    return {path: owner or "a page of the site" for path, owner in written.items()}


def reserved_prefix_problems(
    items: list[Addressed], settings: dict[str, Any]
) -> list[Problem]:
    """Aliases inside folders the site fills with files of its own (static
    files, the theme's assets, feeds, pagination) or named like the compressed
    copies written after the checks: a redirect page there would collide with
    a file of a later build, or of this one after the aliases were written."""
    prefixes = {
        *(p.strip("/") for p in settings.get("STATIC_PATHS", [])),
        settings.get("THEME_STATIC_DIR", "theme").strip("/"),
        "feeds",
        "page",
    }
    problems = []
    for item in items:
        for alias in item.aliases:
            if COMPRESSED.search(alias_url(alias).rstrip("/")):
                problems.append(
                    Problem(
                        item.source,
                        item.line,
                        "aliases",
                        f"/{alias_url(alias)} ends in .gz or .br, where the build "
                        "writes compressed copies of its files (precompress).",
                        "Remove the alias; only former addresses of the item belong "
                        "in 'aliases'.",
                    )
                )
                continue
            first = alias_url(alias).split("/", 1)[0]
            if PAGINATED.search(alias_url(alias)):
                first = "page"  # any listing's later pages: .../page/2/
            if first in prefixes:
                problems.append(
                    Problem(
                        item.source,
                        item.line,
                        "aliases",
                        f"/{alias_url(alias)} is inside /{first}/, which the site "
                        "uses for its own files.",
                        "Remove the alias; only former addresses of the item belong "
                        "in 'aliases'.",
                    )
                )
    return problems


def with_lines(problems: list[Problem], sources: dict[str, Any]) -> list[Problem]:
    """Point each problem at its key's line: the item is read again, only
    when it has a problem (Pelican's metadata keeps no line numbers)."""
    lines: dict[str, dict[str, int]] = {}
    located = []
    for problem in problems:
        item = sources.get(problem.path)
        if item is not None and problem.path not in lines:
            try:
                doc = split(read_source(Path(item.source_path), problem.path), "")
                lines[problem.path] = doc.lines
            except FrontMatterError:
                lines[problem.path] = {}
        keys = lines.get(problem.path, {})
        # A moved address without a 'slug' came from the title.
        line = problem.line or keys.get(problem.field or "") or keys.get("title")
        located.append(dataclasses.replace(problem, line=line))
    return located


class AliasesGenerator(Generator):
    """Writes a redirect page for every alias of every published item."""

    run_late = 3  # after every other writer: see newsdigest.engine.runstate.run_late

    def generate_context(self) -> None:
        settings = self.settings
        published = [
            *self.context.get("articles", []),
            *self.context.get("hidden_articles", []),
        ]
        items = addressed(published, settings)
        STATE.addresses.update(address_record(items))
        STATE.sources.update(source_record(items))
        previous = previous_addresses(settings)
        problems = [
            *changed_address_problems(items, previous),
            *reserved_prefix_problems(items, settings),
        ]
        sources = {content_path(settings, i.source_path): i for i in published}
        STATE.report.extend(with_lines(problems, sources))
        STATE.report.extend(
            vanished_problems(
                [i.item_id for i in items],
                previous,
                previous_sources(settings),
                failed={p.path for p in STATE.report.errors},
                exists=partial(source_exists, settings),
            )
        )
        by_id = {
            item.item_id: item for item in published if getattr(item, "item_id", None)
        }
        self.items = items
        self.redirects = [
            (alias, by_id[entry.item_id]) for entry in items for alias in entry.aliases
        ]
        self.sources = sources
        # Nothing is written yet: what is there now is not this build's.
        self.before = output_files(Path(self.output_path)) if self.redirects else {}

    def generate_output(self, writer: Any) -> None:
        """Write the redirects, last (``run_late``): each is checked against
        every file the build wrote, so none overwrites a page, a feed, a static
        file or robots.txt, or needs a folder where one of them is a file (on a
        host that reads ``_redirects``, a rule under a real file would never
        apply). Such a host gets the rules file, others a page per alias."""
        if self.redirects:
            problems = alias_collision_problems(
                self.items, written_files(writer, self.before)
            )
            if problems:
                report = Report(with_lines(problems, self.sources))
                raise DigestError(
                    f"{len(problems)} alias(es) would overwrite files of the site; "
                    f"nothing was published:\n{report.format_text()}",
                    report,
                )
        if HOSTS[publish_config(self.settings)["host"]].config_files:
            self._write_redirects_file(writer)
            return
        if not self.redirects:
            return
        write = partial(writer.write_file, relative_urls=self.settings["RELATIVE_URLS"])
        template = self.get_template("redirect")
        for alias, item in self.redirects:
            save_as = alias_save_as(alias)
            write(
                save_as,
                template,
                self.context,
                article=item,
                url=alias_url(alias),
                template_name="redirect",
                page_name=save_as.removesuffix(".html"),
            )

    def _write_redirects_file(self, writer: Any) -> None:
        """``_redirects``, through newsdigest's writer when it is there (which
        keys it like any file); written with no rule when no item has aliases."""
        text = redirects_file(
            ((alias_url(alias), item.url) for alias, item in self.redirects),
            self.settings.get("SITEURL", ""),
        )
        data = text.encode("utf-8")
        write_keyed = getattr(writer, "write_keyed", None)
        if write_keyed is not None:
            write_keyed(REDIRECTS, [data], lambda: data)
            return
        Path(self.output_path, REDIRECTS).write_bytes(data)


def get_generators(_pelican: Any) -> type[Generator]:
    return AliasesGenerator


def register() -> None:
    signals.get_generators.connect(start_run)
    signals.get_generators.connect(get_generators)
    signals.all_generators_finalized.connect(run_late)
