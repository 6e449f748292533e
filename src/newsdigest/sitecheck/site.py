"""Which files a built site has, and where each URL found in it leads.

Links, anchors, assets and feeds must agree on what "internal", "external" and
"unsafe" mean for the production site, so the URL rules live here, with the
set of files a server would send. The set comes from one walk of the folder,
or from the build that wrote it. URLs are classified once per (URL, folder).
"""

from __future__ import annotations

import logging
import os
import posixpath
import re
from collections.abc import Iterable
from dataclasses import dataclass, replace
from enum import Enum
from functools import cached_property
from pathlib import Path
from urllib.parse import unquote, urlsplit

from newsdigest.sitecheck.page import HTML_SUFFIXES
from newsdigest.urls import DANGEROUS_SCHEMES, EXTERNAL_SCHEMES, scheme_of

log = logging.getLogger(__name__)

#: Hosts that only exist on the machine that built the site.
LOCAL_HOSTS = frozenset({"localhost", "127.0.0.1", "0.0.0.0", "[::1]", "::1"})

_NOT_RELATIVE = re.compile(r"\s*(?:/|[a-zA-Z][a-zA-Z0-9+.-]*:)")
_C0_AND_SPACE = "".join(chr(c) for c in range(0x21))
_TAB_NEWLINE = re.compile(r"[\t\n\r]")


def clean_url(url: str) -> str:
    """The URL a browser actually follows: outer controls/spaces gone, no tabs."""
    return _TAB_NEWLINE.sub("", url.strip(_C0_AND_SPACE))


def url_scheme(url: str) -> str:
    """Lower-cased scheme of ``url`` as a browser sees it, "" when relative
    (the one policy: ``newsdigest.urls.scheme_of``)."""
    return scheme_of(url) or ""


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


def walk(root: Path) -> tuple[set[str], set[str]]:
    """(files, folders) under ``root`` as site-relative POSIX paths, in one walk."""
    files: set[str] = set()
    dirs: set[str] = {""}
    for dirpath, dirnames, filenames in os.walk(root):
        rel = Path(dirpath).relative_to(root).as_posix()
        prefix = "" if rel == "." else rel + "/"
        dirs.update(prefix + d for d in dirnames)
        files.update(prefix + f for f in filenames)
    return files, dirs


def parent_dirs(files: Iterable[str]) -> set[str]:
    """Every folder that holds one of ``files`` (what a walk would have found)."""
    dirs = {""}
    for path in files:
        parent = posixpath.dirname(path)
        while parent not in dirs:
            dirs.add(parent)
            parent = posixpath.dirname(parent)
    return dirs


class Site:
    """The files of a built site and the URL rules of its production host.

    ``files`` (site-relative paths) can come from the build that wrote them;
    without them the folder ``root`` is walked once.
    """

    def __init__(
        self, root: Path, site_url: str = "", files: Iterable[str] | None = None
    ) -> None:
        self.root = Path(root)
        self.site_url = site_url.rstrip("/")
        parts = urlsplit(self.site_url)
        self._host = parts.netloc.lower()
        self._base_path = parts.path.rstrip("/") + "/"
        if files is None:
            self.files, self.dirs = walk(self.root)
        else:
            self.files = set(files)
            self.dirs = parent_dirs(self.files)
        self._resolved: dict[tuple[str, str], Target] = {}
        self._targets: dict[Target, Target] = {}
        self._heads: dict[str, Target | tuple[str, str | None]] = {}
        log.debug("indexed %d files under %s", len(self.files), self.root)

    @cached_property
    def html_paths(self) -> list[str]:
        return sorted(f for f in self.files if f.lower().endswith(HTML_SUFFIXES))

    @cached_property
    def xml_paths(self) -> list[str]:
        return sorted(f for f in self.files if f.lower().endswith(".xml"))

    @cached_property
    def json_paths(self) -> list[str]:
        return sorted(f for f in self.files if f.lower().endswith(".json"))

    @cached_property
    def css_paths(self) -> list[str]:
        return sorted(f for f in self.files if f.lower().endswith(".css"))

    def read_bytes(self, path: str) -> bytes:
        return (self.root / path).read_bytes()

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

    def resolve(self, url: str, source: str, base_dir: str | None = None) -> Target:
        """Classify ``url`` found in the file ``source`` and locate its file.

        Equal results are one object, so callers can cache by identity;
        ``base_dir`` is ``source``'s folder, if the caller knows it already.
        """
        if _NOT_RELATIVE.match(url):
            base_dir = ""
        elif base_dir is None:
            base_dir = posixpath.dirname(source)
        key = (url, base_dir)
        target = self._resolved.get(key)
        if target is None:
            target = self._classify(url, base_dir)
            target = self._resolved[key] = self._targets.setdefault(target, target)
        if target.same_page:
            target = replace(target, path=source)
            return self._targets.setdefault(target, target)
        return target

    def _classify(self, url: str, base_dir: str) -> Target:
        """``resolve`` for a URL found in a file of the folder ``base_dir``."""
        head = self._heads.get(url)
        if head is None:
            head = self._heads[url] = self._classify_alone(url)
        if isinstance(head, Target):
            return head
        path, fragment = head
        joined = posixpath.join(base_dir, path)
        return self._internal(url, self._base_path + joined, fragment)

    def _classify_alone(self, url: str) -> Target | tuple[str, str | None]:
        """What ``url`` is wherever it is found, or the (path, fragment) of a
        relative URL, which depend on the folder it is found in."""
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
        return parts.path, fragment

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


#: What a reference is checked for (see ``Ref``).
UNSAFE = "unsafe"  # any URL attribute: never dangerous, local or out of the site
LINK = "link"  # a hyperlink: its page exists, and so does its #fragment
ASSET = "asset"  # a loaded resource: its file exists
CSS = "css"  # a CSS url() or @import: its file exists (data: URLs are fine)
FEED_LINK = "feed-link"  # a feed's link: safe, and its page exists
SCRIPT = "script"  # a script or stylesheet: an asset, and this site's own


@dataclass(frozen=True, slots=True)
class Ref:
    """One URL found in a page, stylesheet or feed, to be resolved at the end.

    Pages are parsed once, as they are written; what is needed to check their
    links later, when every file exists, is just this.
    """

    line: int | None
    field: str
    url: str
    role: str
