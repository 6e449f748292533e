"""An index of a built site folder, shared by every site check.

Checking a 2,000-page site must take seconds, so the folder is walked once, each
HTML page is parsed once (with the fast stdlib ``html.parser``, which also gives
line numbers; html5lib only for its parse errors, in parallel processes on large
sites) and each feed is parsed once; the checks only look things up.
The URL rules live here too, because links, anchors, assets and feeds must agree
on what "internal", "external" and "unsafe" mean for the production site.
"""

from __future__ import annotations

import logging
import os
import posixpath
import re
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field, replace
from enum import Enum
from functools import cached_property
from html.parser import HTMLParser
from multiprocessing import get_context
from pathlib import Path
from urllib.parse import unquote, urlsplit

import html5lib
from html5lib.constants import E as HTML5LIB_MESSAGES

from newsdigest.sitecheck.xmltree import XMLError, XNode, parse_xml

log = logging.getLogger(__name__)

#: Schemes that run code or smuggle content; never acceptable in a URL attribute.
DANGEROUS_SCHEMES = frozenset({"javascript", "vbscript", "data"})
#: Schemes that leave the site and are never fetched by the checks.
EXTERNAL_SCHEMES = frozenset({"http", "https", "mailto", "tel"})
#: Hosts that only exist on the machine that built the site.
LOCAL_HOSTS = frozenset({"localhost", "127.0.0.1", "0.0.0.0", "[::1]", "::1"})

HTML_SUFFIXES = (".html", ".htm")
_SCHEME = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.-]*):")
_NOT_RELATIVE = re.compile(r"\s*(?:/|[a-zA-Z][a-zA-Z0-9+.-]*:)")
_C0_AND_SPACE = "".join(chr(c) for c in range(0x21))
_TAB_NEWLINE = re.compile(r"[\t\n\r]")
_FOREIGN = frozenset({"svg", "math"})
_RAW_TEXT = frozenset({"title", "script", "style"})
#: Below this many pages, starting worker processes costs more than it saves.
PARALLEL_MIN_PAGES = 200


def clean_url(url: str) -> str:
    """The URL a browser actually follows: outer controls/spaces gone, no tabs."""
    return _TAB_NEWLINE.sub("", url.strip(_C0_AND_SPACE))


def url_scheme(url: str) -> str:
    """Lower-cased scheme of ``url`` as a browser sees it, "" when relative."""
    match = _SCHEME.match(clean_url(url))
    return match.group(1).lower() if match else ""


def srcset_urls(value: str) -> list[str]:
    """The URLs of a ``srcset`` attribute (HTML's candidate-list syntax)."""
    urls: list[str] = []
    pos, end = 0, len(value)
    while True:
        while pos < end and (value[pos].isspace() or value[pos] == ","):
            pos += 1
        if pos >= end:
            return urls
        start = pos
        while pos < end and not value[pos].isspace():
            pos += 1
        url = value[start:pos]
        if url.endswith(","):
            url = url.rstrip(",")
        else:
            while pos < end and value[pos] != ",":
                pos += 1
        if url:
            urls.append(url)


@dataclass
class Element:
    """One start tag: attributes (first occurrence wins, as in browsers)."""

    tag: str
    attrs: dict[str, str]
    line: int
    foreign: bool = False
    text: str = ""

    def get(self, name: str, default: str | None = None) -> str | None:
        return self.attrs.get(name, default)

    def tokens(self, name: str) -> set[str]:
        """Space-separated, case-insensitive attribute tokens such as ``rel``."""
        return set((self.attrs.get(name) or "").lower().split())


@dataclass
class Page:
    """What the checks need to know about one HTML file."""

    path: str
    elements: list[Element] = field(default_factory=list)
    doctype: str | None = None
    utf8: bool = True
    #: id (and ``a[name]``) -> lines where it is defined
    ids: dict[str, list[int]] = field(default_factory=dict)
    #: html5lib's (line, error code, readable message), once computed
    parse_errors: list[tuple[int, str, str]] | None = None

    def find_all(self, tag: str) -> list[Element]:
        return [e for e in self.elements if e.tag == tag and not e.foreign]


class _PageBuilder(HTMLParser):
    def __init__(self, page: Page) -> None:
        super().__init__(convert_charrefs=True)
        self.page = page
        self._foreign_depth = 0
        self._capture: Element | None = None

    def handle_decl(self, decl: str) -> None:
        if self.page.doctype is None and not self.page.elements:
            self.page.doctype = decl

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values: dict[str, str] = {}
        for name, value in attrs:
            values.setdefault(name, value or "")
        element = Element(tag, values, self.getpos()[0], self._foreign_depth > 0)
        self.page.elements.append(element)
        for name in ("id", "name") if tag == "a" else ("id",):
            if name in values:
                self.page.ids.setdefault(values[name], []).append(element.line)
        if tag in _FOREIGN:
            self._foreign_depth += 1
        if tag in _RAW_TEXT:
            self._capture = element

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag in _FOREIGN:
            self._foreign_depth -= 1
        self._capture = None

    def handle_endtag(self, tag: str) -> None:
        if tag in _FOREIGN and self._foreign_depth:
            self._foreign_depth -= 1
        if self._capture is not None and self._capture.tag == tag:
            self._capture = None

    def handle_data(self, data: str) -> None:
        if self._capture is not None:
            self._capture.text += data


def html5lib_errors(text: str) -> list[tuple[int, str, str]]:
    """(line, code, readable message) for each error html5lib reports."""
    parser = html5lib.HTMLParser(strict=False)
    parser.parse(text)
    errors = []
    for (line, _column), code, datavars in parser.errors:
        template = HTML5LIB_MESSAGES.get(code, code.replace("-", " "))
        try:
            message = template % (datavars or {})
        except (KeyError, TypeError, ValueError):
            message = template
        errors.append((line, code, message))
    return errors


def parse_page(path: str, data: bytes, *, with_errors: bool = False) -> Page:
    """Index the HTML ``data`` of ``path``; html5lib errors too if asked."""
    page = Page(path)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        page.utf8 = False
        text = data.decode("utf-8", errors="replace")
    builder = _PageBuilder(page)
    builder.feed(text)
    builder.close()
    if with_errors:
        page.parse_errors = html5lib_errors(text)
    return page


def _load_page(job: tuple[Path, str, bool]) -> Page:
    """Worker-process entry point for ``Site.preload``."""
    root, path, with_errors = job
    return parse_page(path, (root / path).read_bytes(), with_errors=with_errors)


def _usable_cpus() -> int:
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


class Kind(Enum):
    """How a URL found in the site relates to the site."""

    INTERNAL = "internal"  # a file of this site (it may be missing)
    EXTERNAL = "external"  # another site, or mailto:/tel:; not checked
    DANGEROUS = "dangerous"  # javascript:, data:, vbscript:
    LOCAL = "local"  # localhost / 127.0.0.1: broken in production
    BAD_SCHEME = "bad-scheme"  # ftp:, file:, ... not allowed in the digest
    OUTSIDE = "outside"  # climbs above the site root or its base path


@dataclass(frozen=True)
class Target:
    """Where a URL leads; ``path`` and ``fragment`` are set for INTERNAL URLs."""

    kind: Kind
    url: str
    path: str = ""
    fragment: str | None = None
    reason: str = ""
    same_page: bool = False


class Site:
    """A built site folder, indexed once; pages and feeds parsed on first use."""

    def __init__(self, root: Path, site_url: str = "") -> None:
        self.root = Path(root)
        self.site_url = site_url.rstrip("/")
        parts = urlsplit(self.site_url)
        self._host = parts.netloc.lower()
        self._base_path = parts.path.rstrip("/") + "/"
        self.files: set[str] = set()
        self.dirs: set[str] = {""}
        for dirpath, dirnames, filenames in os.walk(self.root):
            rel = Path(dirpath).relative_to(self.root).as_posix()
            prefix = "" if rel == "." else rel + "/"
            self.dirs.update(prefix + d for d in dirnames)
            self.files.update(prefix + f for f in filenames)
        self._pages: dict[str, Page] = {}
        self._resolved: dict[tuple[str, str], Target] = {}
        self._xml: dict[str, XNode | XMLError] = {}
        log.debug("indexed %d files under %s", len(self.files), self.root)

    @cached_property
    def html_paths(self) -> list[str]:
        return sorted(f for f in self.files if f.lower().endswith(HTML_SUFFIXES))

    @cached_property
    def xml_paths(self) -> list[str]:
        return sorted(f for f in self.files if f.lower().endswith(".xml"))

    @cached_property
    def css_paths(self) -> list[str]:
        return sorted(f for f in self.files if f.lower().endswith(".css"))

    def read_bytes(self, path: str) -> bytes:
        return (self.root / path).read_bytes()

    def read_text(self, path: str) -> str:
        return self.read_bytes(path).decode("utf-8", errors="replace")

    def page(self, path: str) -> Page:
        """The parsed HTML page at ``path`` (relative to the site root)."""
        if path not in self._pages:
            self._pages[path] = parse_page(path, self.read_bytes(path))
        return self._pages[path]

    def parse_errors(self, path: str) -> list[tuple[int, str, str]]:
        """html5lib's (line, code, message) errors for the page at ``path``."""
        page = self.page(path)
        if page.parse_errors is None:
            page.parse_errors = html5lib_errors(self.read_text(path))
        return page.parse_errors

    def preload(self, *, parse_errors: bool, workers: int | None = None) -> None:
        """Parse every HTML page now, in worker processes when the site is large.

        ``workers`` defaults to the usable CPUs for sites of at least
        ``PARALLEL_MIN_PAGES`` pages and to 1 (this process) below that.
        """
        todo = [
            path
            for path in self.html_paths
            if path not in self._pages
            or (parse_errors and self._pages[path].parse_errors is None)
        ]
        if workers is None:
            workers = _usable_cpus() if len(todo) >= PARALLEL_MIN_PAGES else 1
        if workers > 1:
            jobs = [(self.root, path, parse_errors) for path in todo]
            chunksize = max(1, len(jobs) // (workers * 4))
            log.debug("parsing %d pages in %d processes", len(jobs), workers)
            # spawn, not fork: forking a process that may run threads can deadlock
            context = get_context("spawn")
            try:
                with ProcessPoolExecutor(workers, mp_context=context) as pool:
                    for page in pool.map(_load_page, jobs, chunksize=chunksize):
                        self._pages[page.path] = page
            except BrokenProcessPool:
                # e.g. a __main__ read from stdin, which spawned workers cannot import
                log.warning("worker processes failed; parsing pages in this one")
        for path in todo:
            page = self._pages.get(path)
            if page is None or (parse_errors and page.parse_errors is None):
                self._pages[path] = parse_page(
                    path, self.read_bytes(path), with_errors=parse_errors
                )

    def xml(self, path: str) -> XNode | XMLError:
        """The parsed XML file at ``path``, or why it is not well-formed."""
        if path not in self._xml:
            try:
                self._xml[path] = parse_xml(self.read_bytes(path))
            except XMLError as error:
                self._xml[path] = error
        return self._xml[path]

    def lookup(self, path: str) -> str | None:
        """The file a server sends for ``path`` (``dir/`` → ``dir/index.html``)."""
        if path in self.files:
            return path
        directory = path.rstrip("/")
        if directory in self.dirs:
            index = (
                posixpath.join(directory, "index.html") if directory else "index.html"
            )
            return index if index in self.files else None
        return None

    def resolve(self, url: str, source: str) -> Target:
        """Classify ``url`` found in the file ``source`` and locate its file."""
        base_dir = "" if _NOT_RELATIVE.match(url) else posixpath.dirname(source)
        key = (url, base_dir)
        target = self._resolved.get(key)
        if target is None:
            target = self._resolved[key] = self._classify(url, key[1])
        return replace(target, path=source) if target.same_page else target

    def _classify(self, url: str, base_dir: str) -> Target:
        """``resolve`` for a URL found in a file of the folder ``base_dir``."""
        cleaned = clean_url(url)
        scheme = url_scheme(cleaned)
        if scheme in DANGEROUS_SCHEMES:
            return Target(Kind.DANGEROUS, url, reason=f"{scheme}: URL")
        if scheme and scheme not in EXTERNAL_SCHEMES:
            return Target(Kind.BAD_SCHEME, url, reason=f"{scheme}: URL")
        parts = urlsplit(cleaned)
        fragment = unquote(parts.fragment) if "#" in cleaned else None
        if parts.netloc or scheme:
            host = (parts.hostname or "").lower()
            own = self._host and parts.netloc.lower() == self._host
            local = host in LOCAL_HOSTS or parts.netloc.lower() in LOCAL_HOSTS
            if local and not own:  # a development build's own URL is local
                return Target(Kind.LOCAL, url, reason=f"points to {host}")
            if scheme in ("mailto", "tel") or not own:
                return Target(Kind.EXTERNAL, url)
            if not (parts.path + "/").startswith(self._base_path):
                return Target(Kind.EXTERNAL, url)
            return self._internal(url, parts.path, fragment)
        if parts.path.startswith("/"):
            if not (parts.path + "/").startswith(self._base_path):
                return Target(
                    Kind.OUTSIDE,
                    url,
                    reason=f"is outside the site's base path {self._base_path}",
                )
            return self._internal(url, parts.path, fragment)
        if not parts.path:
            return Target(Kind.INTERNAL, url, fragment=fragment, same_page=True)
        joined = posixpath.join(base_dir, parts.path)
        return self._internal(url, self._base_path + joined, fragment)

    def _internal(self, url: str, path: str, fragment: str | None) -> Target:
        """``path`` is root-relative on the production host."""
        relative = unquote(path)[len(self._base_path) :]
        normalized = posixpath.normpath("/" + relative)
        if _climbs_out(relative):
            return Target(Kind.OUTSIDE, url, reason="climbs above the site root")
        target = normalized.lstrip("/")
        if relative.endswith("/") and target:
            target += "/"
        return Target(Kind.INTERNAL, url, target, fragment)


def _climbs_out(relative: str) -> bool:
    depth = 0
    for segment in relative.split("/"):
        if segment == "..":
            depth -= 1
            if depth < 0:
                return True
        elif segment not in ("", "."):
            depth += 1
    return False
