"""Pelican plugin: a writer that checks what it writes and skips what did not change.

**Check while writing.** Reading the built site back to check it used to cost
more than building it. This writer hands each page it writes, as the rendered
string, to a ``SiteChecker`` (``newsdigest.sitecheck``), which parses it once
and keeps only what the site-wide checks need. The publish plugin's
``check_build`` finds the checker again by the output folder and resolves
links, anchors and assets at the end. Pages name the content file they show, so
a curator knows which item to fix.

**Incremental output.** Each page gets a key: the site's key (settings, code,
theme, checks) and the fingerprints of the context values its template reads
(``newsdigest.engine.templatedeps``, ``newsdigest.engine.fingerprint``). When
the published build has a file with the same key
(``newsdigest.engine.outputcache``), the file is hard-linked from it and its
check record taken over: it is neither rendered, nor checked, nor written. Feeds
and other generated files use the same path through ``write_keyed``. Only staged
builds (``DIGEST_PUBLISH["staging"]``) reuse files, and only from the build that
is live.

**On every core.** The pages that must be rendered wait (in batches) until the
output is read; ``flush`` then renders, writes and checks them in processes
forked from the build (``newsdigest.engine.parallel``), which already hold the
site.

Pelican offers no hook for the rendered string, so the writer wraps the
template it is given and the file object that ``Writer._open_w`` returns
(Pelican is pinned to 4.12).
"""

from __future__ import annotations

import importlib.metadata
import logging
import os
import shutil
import weakref
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any, TextIO

from pelican import signals
from pelican.contents import Content
from pelican.paginator import Paginator
from pelican.urlwrappers import URLWrapper
from pelican.writers import Writer

from newsdigest.engine.fingerprint import (
    DEFAULT_BUDGET,
    Fingerprinter,
    identity,
    sorted_sets,
)
from newsdigest.engine.outputcache import (
    Entry,
    OutputIndex,
    file_state,
    link_from,
    load_index,
    replace_file,
    save_index,
)
from newsdigest.engine.parallel import run_all
from newsdigest.engine.readcache import code_version
from newsdigest.engine.templatedeps import TemplateReads, page_reads
from newsdigest.problems import DigestError, content_path
from newsdigest.publishing.staging import (
    indexes_dir,
    live_build,
    output_of_staging,
    published_name,
)
from newsdigest.settings import publish_config
from newsdigest.sitecheck import CHECKS, SiteChecker, attach_checker

logger = logging.getLogger(__name__)

_CHECKED_SUFFIXES = (".html", ".htm", ".xml")
#: Pages kept for rendering on every core at most: each holds Pelican's copy of
#: the context (a dict of every setting and list), about 10 KB.
FLUSH_BATCH = 1000
#: Libraries whose versions change rendered pages (beyond readcache's list).
TEMPLATE_PACKAGES = ("jinja2", "markupsafe")


class _CheckedFile:
    """A text file being written; what was written goes to ``on_close``."""

    def __init__(self, file: TextIO, on_close: Callable[[str], None]) -> None:
        self._file = file
        self._parts: list[str] = []
        self._on_close = on_close

    def write(self, text: str) -> int:
        self._parts.append(text)
        return self._file.write(text)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._file, name)

    def __enter__(self) -> _CheckedFile:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._file.close()
        if kind is None:
            self._on_close("".join(self._parts))


class _Discard:
    """Where Pelican writes the (empty) render of a page that was linked."""

    def write(self, text: str) -> int:
        return len(text)

    def __enter__(self) -> _Discard:
        return self

    def __exit__(self, *exc: object) -> None:
        return None


@dataclass
class _Job:
    """A page waiting to be rendered by ``CheckingWriter.flush``."""

    path: str  # site-relative
    filename: str  # where Pelican would have written it
    template: Any
    context: dict[str, Any]
    site_context: Any  # Pelican's context: items read ``localsiteurl`` from it
    source: str | None
    key: str | None


class _KeyedTemplate:
    """A template whose ``render`` first asks the writer whether the page's
    key is unchanged; then it renders nothing and the file is linked."""

    def __init__(self, template: Any, writer: CheckingWriter) -> None:
        self._template = template
        self._writer = writer

    def render(self, context: dict[str, Any]) -> str:
        template = self._template
        if hasattr(template, "environment"):
            keys = [(template, context)]
        else:
            # Made in Python (an edition's email): keyed by the Jinja templates
            # and context it says it renders from, else by the text it makes.
            made_from = getattr(template, "made_from", None)
            if made_from is None:
                text = template.render(context)
                return "" if self._writer.reusable(context, text=text) else text
            keys = made_from(context)
        if self._writer.reusable(context, keys=keys):
            return ""
        if hasattr(template, "environment") and self._writer.defer(template, context):
            return ""  # rendered later, with the others, on every core
        return template.render(context)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._template, name)


# --- Fingerprints of Pelican's objects ---------------------------------------------


@contextmanager
def _quiet(name: str) -> Iterator[None]:
    log = logging.getLogger(name)
    before, log.disabled = log.disabled, True
    try:
        yield
    finally:
        log.disabled = before


def content_parts(content: Any, _fp: Fingerprinter, budget: int) -> list[Any]:
    """An item or page: its attributes, and where it links other content
    (``{filename}``, ``{static}``) the addresses those resolve to now."""
    if budget <= 0:
        return identity(content)
    parts = Fingerprinter.attributes(content)
    if budget < DEFAULT_BUDGET:
        # Nested (in a listing, a feed, another item's related stories): pages
        # show an item's own fields there, never what it links to.
        parts = [part for part in parts if part[0] not in CROSS_REFERENCES]
    raw = getattr(content, "_content", None)
    if raw and content._get_intrasite_link_regex().search(raw):
        with _quiet("pelican.contents"):  # Pelican warns when it renders the page
            parts.append(("resolved", content._update_content(raw, "")))
    return parts


#: What an item links to (newsdigest.plugins.discovery and editions): shown
#: only on the item's own page.
CROSS_REFERENCES = frozenset({"related", "topic_previous", "topic_next", "edition"})


def paginator_parts(paginator: Any, _fp: Fingerprinter, _budget: int) -> list[Any]:
    """A paginator by its shape: its pages show their own ``object_list``."""
    return [paginator.name, paginator.url, paginator.count, paginator.per_page]


def wrapper_parts(wrapper: Any, _fp: Fingerprinter, _budget: int) -> list[Any]:
    """A tag, topic or source: Pelican computes ``slug`` when first read (and
    newsdigest may set it), so its attributes depend on who looked before."""
    own = [
        (name, value)
        for name, value in sorted(vars(wrapper).items())
        if name not in ("settings", "name", "slug", "_slug")
    ]
    return [*own, ("name", wrapper.name), ("slug", wrapper.slug)]


HANDLERS = {
    Content: content_parts,
    Paginator: paginator_parts,
    URLWrapper: wrapper_parts,
}


def site_key(settings: dict[str, Any], checks: Iterable[str], fp: Fingerprinter) -> str:
    """What every page depends on: settings, newsdigest's code and libraries,
    the theme's files, the checks run and the reproducible build date."""
    versions = []
    for name in TEMPLATE_PACKAGES:
        try:
            versions.append(importlib.metadata.version(name))
        except importlib.metadata.PackageNotFoundError:
            versions.append("-")
    theme = Path(settings.get("THEME") or "")
    theme_files = []
    if theme.is_dir():
        for path in sorted(theme.rglob("*")):
            if path.is_file():
                theme_files.append(
                    (path.relative_to(theme).as_posix(), path.read_bytes())
                )
    values = {}
    for name, value in settings.items():
        if not fp.stable(value):
            logger.warning(
                "newsdigest cannot tell whether %s changed between builds (it "
                "holds a lambda or another value without a stable fingerprint): "
                "every page is rendered again. Use a module-level function.",
                name,
            )
        values[name] = value
    return fp.key(
        code_version(),
        versions,
        theme_files,
        sorted(checks),
        os.environ.get("SOURCE_DATE_EPOCH", ""),
        values,
    )


# --- The writer ----------------------------------------------------------------------

#: The writer of the current run (one build at a time in a process).
_WRITERS: list[CheckingWriter] = []


class CheckingWriter(Writer):
    """Pelican's writer, checking what it writes and linking unchanged files."""

    def __init__(self, output_path: str, settings: dict[str, Any] | None = None):
        super().__init__(output_path, settings=settings)
        checks = enabled_checks(self.settings)
        # Sources are named from the project (content/items/x.md).
        project = Path(os.path.abspath(self.settings["PATH"])).parent
        self.checker = SiteChecker(checks, source_root=project) if checks else None
        self._checks = checks
        self._root = os.path.join(os.path.abspath(output_path), "")
        self._source: str | None = None
        self._what: str | None = None  # what the page being written shows
        staged = Path(self._root)
        self._live = live_build(staged) if incremental(self.settings) else None
        self._build = published_name(staged) if incremental(self.settings) else ""
        self._indexes = indexes_dir(output_of_staging(staged))
        self._fp = Fingerprinter(HANDLERS)
        self._reads: dict[int, TemplateReads] = {}
        self._index: OutputIndex | None = None
        self._previous: OutputIndex | None = None
        # The page being written: (path, key, reuse it?) set by render.
        self._pending: tuple[str, str, bool] | None = None
        self.linked = 0
        self.rendered = 0
        # Pages whose rendering waits for ``flush`` (on every core).
        self._jobs: list[_Job] = []
        self._deferred: tuple[Any, dict[str, Any]] | None = None
        self._site_context: Any = None
        self._late: bool | None = None  # render late? decided at the first page
        #: Every file this build wrote (site-relative) and what it shows: the
        #: one record of taken addresses (``newsdigest.plugins.aliases``).
        self.written: dict[str, str] = {}
        _WRITERS[:] = [self]  # the run's writer, for ``finalized``
        if self.checker is not None:
            attach_checker(output_path, self.checker, before_finish=self.flush)

    # -- keys -------------------------------------------------------------------

    def _start_index(self) -> OutputIndex | None:
        """The index of this build, made at the first keyed write (the context
        and settings are complete then)."""
        if self._index is None and self._build:
            key = site_key(self.settings, self._checks, self._fp)
            self._index = OutputIndex(self._build, key)
            live = self._live.name if self._live else None
            self._previous = load_index(self._indexes, live, key)
            if self._previous is None and live:
                logger.info("No usable output index of %s: every file is written", live)
        return self._index

    def page_key(self, template: Any, context: dict[str, Any], site: str) -> str | None:
        """The key of a page (``site``: the build's site key), or None when its
        template's reads are unknown."""
        env = template.environment
        reads = self._reads.get(id(env))
        if reads is None:
            reads = self._reads[id(env)] = TemplateReads(env)
        names = page_reads(reads, template.name, context)
        if names is None:
            return None
        values = {name: context.get(name, env.globals.get(name)) for name in names}
        return self._fp.key("page", template.name, site, sorted_sets(values))

    def reusable(
        self,
        context: dict[str, Any],
        *,
        keys: list[tuple[Any, dict[str, Any]]] | None = None,
        text: str | None = None,
    ) -> bool:
        """Called by the keyed template before rendering: key the page (by the
        Jinja templates and contexts in ``keys``, or by the ``text`` made
        without one), and say whether the live build's file can be linked."""
        self._pending = None
        index = self._start_index()
        path = context.get("output_file")
        if index is None or not path:
            return False
        if text is not None:
            key: str | None = self._fp.key("text", path, index.site_key, text)
        else:
            parts = [
                self.page_key(template, local, index.site_key)
                for template, local in keys or []
            ]
            key = None if None in parts else self._fp.key("pages", path, parts)
        if key is None:
            logger.debug("%s: its templates read what cannot be keyed", path)
            return False
        reuse = self._can_link(path, key)
        if not reuse and self._previous is not None:
            self._previous.entries.pop(path, None)  # outdated: free it now
        self._pending = (path, key, reuse)
        return reuse

    def _can_link(self, path: str, key: str) -> bool:
        previous = self._previous.entries.get(path) if self._previous else None
        return (
            previous is not None
            and previous.key == key
            and self._live is not None
            and previous.state is not None
            and file_state(self._live / path) == previous.state
        )

    def _take_over(self, path: str, key: str, target: str) -> None:
        """Link (or, failing that, copy) the live build's file; adopt its record."""
        old, live, index = self._previous, self._live, self._index
        # ``reusable`` says reuse only with both indexes and a live build.
        assert old is not None and live is not None and index is not None
        # Taken out of the old index: each entry is held once (memory).
        previous = old.entries.pop(path)
        source = live / path
        if not link_from(source, Path(target)):
            shutil.copyfile(source, target)
        if previous.record is not None and self.checker is not None:
            self.checker.adopt(path, previous.record)
        index.entries[path] = previous
        self.linked += 1

    # -- Pelican's writer -------------------------------------------------------------

    def write_file(self, name: Any, template: Any, context: Any, *args, **kwargs):
        """Pelican's ``write_file``, remembering which content file is shown."""
        content = kwargs.get("article") or kwargs.get("page")
        self._source = shown_source(self.settings, content)
        self._what = self._source or page_kind(template, kwargs)
        self._site_context = context
        jinja = hasattr(template, "environment")
        if self._build and (getattr(template, "name", None) if jinja else True):
            template = _KeyedTemplate(template, self)
        try:
            return super().write_file(name, template, context, *args, **kwargs)
        finally:
            self._source = self._what = None
            self._pending = None
            self._deferred = None

    def _open_w(self, filename: str, encoding: str, override: bool = False) -> Any:
        if filename in self._written_files and not override:
            self._refuse_second_write(filename)
        if filename not in self._overridden_files:  # else Pelican skips it
            _unshare(filename)  # never write through a link into the live build
        file = super()._open_w(filename, encoding, override)
        inside = filename.startswith(self._root)  # Pelican joins to output_path
        pending, self._pending = self._pending, None
        if not inside or getattr(file, "name", None) != filename:
            return file  # e.g. os.devnull for a file Pelican skips
        path = filename[len(self._root) :].replace(os.sep, "/")
        self.written[path] = self._what or "a page of the site"
        key = pending[1] if pending and pending[0] == path else None
        if pending and key and pending[2]:
            file.close()
            os.unlink(filename)
            self._take_over(path, key, filename)
            return _Discard()
        deferred, self._deferred = self._deferred, None
        if deferred is not None and deferred[1].get("output_file") == path:
            file.close()
            os.unlink(filename)  # written by ``flush``
            template, local = deferred
            self._jobs.append(
                _Job(
                    path,
                    filename,
                    template,
                    local,
                    self._site_context,
                    self._source,
                    key,
                )
            )
            if len(self._jobs) >= FLUSH_BATCH:
                self.flush()  # each job holds a copy of the site's context
            return _Discard()
        # A key is only made once the build's index is (``reusable``).
        index = self._index if key else None
        if not path.lower().endswith(_CHECKED_SUFFIXES):
            if key and index is not None:
                index.entries[path] = Entry(key)
            return file
        source = self._source

        def check(text: str) -> None:
            self._check(path, text, source)
            if key and index is not None:
                index.entries[path] = Entry(key, self._record(path))

        return _CheckedFile(file, check)

    def _refuse_second_write(self, filename: str) -> None:
        """Two pages at one address: say which (Pelican's own error names
        only the file), instead of letting one silently replace the other."""
        path = os.path.relpath(filename, self._root).replace(os.sep, "/")
        first = self.written.get(path, "a page of the site")
        second = self._what or "a page of the site"
        raise DigestError(
            f"Two pages of the site have the address /{path}: {first} and "
            f"{second}. Nothing was published. Fix: give one of them another "
            "address (its slug, or the *_SAVE_AS setting that places it)."
        )

    def _check(self, path: str, data: str | bytes, source: str | None = None) -> None:
        self.rendered += 1
        if self.checker is None:
            return
        lowered = path.lower()
        if lowered.endswith(".xml"):
            raw = data.encode("utf-8") if isinstance(data, str) else data
            self.checker.add_xml(path, raw)
        elif lowered.endswith(".json"):
            raw = data.encode("utf-8") if isinstance(data, str) else data
            self.checker.add_json(path, raw)
        elif lowered.endswith((".html", ".htm")):
            text = data if isinstance(data, str) else data.decode("utf-8")
            self.checker.add_page(path, text, source)

    def _record(self, path: str) -> Any:
        return self.checker.record(path) if self.checker is not None else None

    # -- rendering on every core ------------------------------------------------------

    def defer(self, template: Any, context: dict[str, Any]) -> bool:
        """Keep a page to render in ``flush``; staged builds only (their
        writer owns the output folder until the build ends)."""
        if not self._build or self._late is False:
            return False
        if self._late is None:
            self._late = not _others_read_written_files()
            if not self._late:
                return False
        self._deferred = (template, context)
        return True

    def flush(self) -> None:
        """Render, write and check the waiting pages, on every core.

        Called before anything reads the output: the search indexer, the
        site checks (``check_build``) and at the end of the run."""
        jobs, self._jobs = self._jobs, []
        if not jobs:
            return
        failed = []
        for index, (record, error) in run_all(jobs, self._render_job):
            job = jobs[index]
            if error is not None:
                failed.append(f"{job.path}: {error}")
                continue
            self.rendered += 1
            if record is not None and self.checker is not None:
                record = record.interned()
                self.checker.adopt(job.path, record)
            if job.key and self._index is not None:
                self._index.entries[job.path] = Entry(job.key, record)
        if failed:
            raise RuntimeError("Could not render " + "; ".join(failed))

    def _render_job(self, job: _Job) -> tuple[Any, str | None]:
        """Render one page (in a worker): write it, check it, return the
        check record, or the error (a worker must not raise)."""
        try:
            localsiteurl = job.context.get("localsiteurl")
            if localsiteurl and job.site_context is not None:
                job.site_context["localsiteurl"] = localsiteurl  # as Pelican does
            text = job.template.render(job.context)
            with open(job.filename, "w", encoding="utf-8") as file:
                file.write(text)
            if self.checker is None or not job.path.lower().endswith(_CHECKED_SUFFIXES):
                return None, None
            checker = SiteChecker(self._checks)
            if job.path.lower().endswith(".xml"):
                checker.add_xml(job.path, text.encode("utf-8"))
            else:
                checker.add_page(job.path, text, job.source)
            return checker.record(job.path), None
        except Exception as error:  # reported by ``flush`` with the page
            return None, f"{type(error).__name__}: {error}"

    # -- files that plugins generate without a template -------------------------------

    def write_keyed(
        self,
        path: str,
        parts: Iterable[Any],
        produce: Callable[[], bytes],
        budget: int = DEFAULT_BUDGET,
    ) -> None:
        """Write the site-relative file ``path``, made by ``produce``, unless the
        live build has it with the same key (``parts``: what its bytes depend
        on). Feeds, sitemaps and other files plugins make use this, so they are
        checked from the bytes written, and skipped when unchanged."""
        target = os.path.join(self._root, *path.split("/"))
        if not os.path.realpath(target).startswith(os.path.realpath(self._root)):
            raise ValueError(f"{path!r} is outside the output folder")
        self.written[path] = "a file of the site"
        index = self._start_index()
        key = (
            self._fp.key("file", path, index.site_key, list(parts), budget=budget)
            if index
            else None
        )
        if key and self._can_link(path, key):
            self._take_over(path, key, target)
            return
        data = produce()
        replace_file(Path(target), data)
        self._check(path, data)
        if key and index is not None:
            index.entries[path] = Entry(key, self._record(path))

    def save(self) -> None:
        """Keep this build's keys for the next build (once the output is written)."""
        self.flush()
        if self._index is None:
            return
        keep = {self._live.name} if self._live else set()
        root = Path(self._root)
        for path, entry in self._index.entries.items():
            entry.state = file_state(root / path)
        try:
            save_index(self._indexes, self._index, keep)
        except OSError as error:
            logger.warning("Could not keep the output index: %s", error)
        logger.info(
            "incremental output: %d files linked from the live build, %d written",
            self.linked,
            self.rendered,
        )


def _others_read_written_files() -> bool:
    """Whether a plugin other than newsdigest's listens to ``content_written``
    (it may read the file then, so pages must be written at once)."""
    for receiver in signals.content_written.receivers.values():
        function = receiver() if isinstance(receiver, weakref.ref) else receiver
        module = getattr(function, "__module__", "") or ""
        if function is not None and not module.startswith("newsdigest."):
            return True
    return False


def _unshare(filename: str) -> None:
    """Remove ``filename`` if it is a hard link, so writing it makes a new file."""
    try:
        if os.lstat(filename).st_nlink > 1:
            os.unlink(filename)
    except FileNotFoundError:
        pass


def enabled_checks(settings: dict[str, Any]) -> list[str]:
    """The checks named in DIGEST_PUBLISH (checked once, ``publish_config``)."""
    return [name for name in publish_config(settings)["checks"] if name in CHECKS]


def incremental(settings: dict[str, Any]) -> bool:
    """Files are reused only by staged builds (from the live build)."""
    return bool(publish_config(settings)["staging"])


def page_kind(template: Any, kwargs: dict[str, Any]) -> str:
    """What a page without a content file is, for messages: "the page of
    World" (a topic, tag or source), else its template's ("the archives page")."""
    for value in kwargs.values():
        if isinstance(value, URLWrapper):
            return f"the page of {value.name}"
    name = str(getattr(template, "name", None) or "").removesuffix(".html")
    return f"the {name} page" if name else "a page of the site"


def shown_source(settings: dict[str, Any], content: Any) -> str | None:
    """``content/items/x.md`` for the item or page a file shows, else None."""
    source_path = getattr(content, "source_path", None)
    return content_path(settings, source_path) if source_path else None


# --- Signal receivers ----------------------------------------------------------------


def get_writer(_pelican: Any) -> type[Writer]:
    return CheckingWriter


def save_output_index(_pelican: Any) -> None:
    """``finalized``: all output is written; keep its keys for the next build."""
    while _WRITERS:
        _WRITERS.pop().save()


def register() -> None:
    signals.get_writer.connect(get_writer)
    signals.finalized.connect(save_output_index)
