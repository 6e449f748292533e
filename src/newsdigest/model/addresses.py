"""Stable addresses: an item's old addresses (``aliases``) and changed addresses.

Readers bookmark items, other sites link to them and search engines index them,
so an item's address must not move silently. Each build records which address
every item had (item id -> URL, kept beside the build by the publish plugin);
the next build compares. An item whose address changed must keep the old one in
``aliases:``, which is then published as a redirect page to the new address.

Pure functions: the ``newsdigest.plugins.aliases`` plugin applies them to a build.
"""

from __future__ import annotations

import json
import posixpath
import re
import unicodedata
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from newsdigest.problems import WARNING, Problem
from newsdigest.urls import CONTROL_CHARS, scheme_of

# A site path: segments of URL-safe characters, no query or fragment.
_PATH_CHARS = re.compile(r"^[A-Za-z0-9._~!$&'()*+,;=:@%/-]+$")
RECORD_KEY = "addresses"
# item id -> the item's file as messages name it, kept beside the addresses so
# the next build can say why an item it lacks is gone.
SOURCES_KEY = "sources"
# Setting naming the published output when a build writes elsewhere
# (``newsdigest check`` builds into a temporary folder).
PUBLISHED_OUTPUT = "_DIGEST_PUBLISHED_OUTPUT"


def alias_path_problem(value: Any) -> str | None:
    """Why ``value`` cannot be an old address of an item on this site, if it can't.

    An alias is a path inside the site, like ``2022/01/old-slug/`` or
    ``old/page.html``; it is written to disk, so it must never climb out of the
    output folder or point at another site."""
    if not isinstance(value, str) or not value.strip():
        return "must be a path inside the site, as text."
    if CONTROL_CHARS.search(value) or re.search(r"\s", value):
        return "contains spaces or control characters."
    if scheme_of(value) is not None or value.startswith("//") or "\\" in value:
        return "is an address on another site; aliases are paths inside this site."
    if "%" in value:
        return "has percent-encoding; write the path's characters as they are."
    if "?" in value or "#" in value:
        return "has a query or fragment; an alias is a path only."
    if not _PATH_CHARS.match(value):
        return "contains characters that are not allowed in a path."
    segments = value.strip("/").split("/")
    if any(s in ("", ".", "..") for s in segments) or not value.strip("/"):
        return "must be a plain path: no '..', '.', empty or '//' segments."
    return None


def alias_url(value: str) -> str:
    """The site-relative URL of an alias, like Pelican's ``url``: no leading /."""
    return value.lstrip("/")


def alias_save_as(value: str) -> str:
    """Where the redirect page is written: ``a/b/`` -> ``a/b/index.html``;
    ``a/b.html`` stays; a bare ``a/b`` is a folder too."""
    url = alias_url(value)
    if url.endswith("/"):
        return url + "index.html"
    if posixpath.splitext(url)[1] in (".html", ".htm"):
        return url
    return url + "/index.html"


def same_address(a: str, b: str) -> bool:
    return alias_save_as(a) == alias_save_as(b)


@dataclass(frozen=True)
class Addressed:
    """What the address rules need to know of one built item."""

    item_id: str
    url: str
    source: str  # the item's file, as shown in messages
    aliases: tuple[str, ...] = ()
    line: int | None = None  # of 'aliases' (or 'slug'), when known


def address_record(items: Iterable[Addressed]) -> dict[str, str]:
    """item id -> site-relative URL, as kept with a build."""
    return {item.item_id: item.url for item in sorted(items, key=lambda i: i.item_id)}


def changed_address_problems(
    items: Iterable[Addressed], previous: Mapping[str, str] | None
) -> list[Problem]:
    """Items whose published address moved without keeping the old one."""
    if not previous:
        return []
    problems = []
    for item in items:
        old = previous.get(item.item_id)
        if old is None or same_address(old, item.url):
            continue
        if any(same_address(old, alias) for alias in item.aliases):
            continue
        problems.append(
            Problem(
                item.source,
                item.line,
                "slug",
                f"the item's address changed from /{old} to /{item.url}: every "
                "link and bookmark to the old address would break.",
                f"Keep the old address with 'aliases: [\"/{old}\"]' (it then "
                "redirects to the new one), or restore the slug or date.",
            )
        )
    return problems


def source_record(items: Iterable[Addressed]) -> dict[str, str]:
    """item id -> the item's file, as kept with a build (``SOURCES_KEY``)."""
    return {item.item_id: item.source for item in items}


def vanished_problems(
    current_ids: Iterable[str],
    previous: Mapping[str, str] | None,
    sources: Mapping[str, str] | None = None,
    failed: Collection[str] = (),
    exists: Callable[[str], bool] = lambda _source: True,
) -> list[Problem]:
    """Items published by the previous build that this build lacks, and why.

    ``sources`` (item id -> file, kept with the previous build) says which file
    each was; ``failed`` are the files this build reported errors for. An item
    whose file failed validation has not vanished: it is named by its file, as
    left out for its errors. Otherwise the file's existence tells a removed item
    from one that became a draft or is dated in the future. Builds recorded
    before files were kept are named by address only."""
    if not previous:
        return []
    sources = sources or {}
    gone = sorted(set(previous) - set(current_ids), key=lambda i: previous[i])
    problems = []
    for item_id in gone:
        address, source = f"/{previous[item_id]}", sources.get(item_id)
        if source is not None and source in failed:
            problems.append(
                Problem(
                    source,
                    message=f"is not in this build because it has errors (above); "
                    f"the previous build published it at {address}.",
                    fix="Fix those errors and build again.",
                    severity=WARNING,
                )
            )
            continue
        if source is None:
            why = "its file was removed, or it became a draft or is dated in the future"
        elif exists(source):
            why = f"{source} became a draft or is dated in the future"
        else:
            why = f"its file {source} was removed"
        problems.append(
            Problem(
                address,
                message=f"was published by the previous build and is not in this one "
                f"({why}).",
                fix="If that is intended, nothing to do; otherwise restore the item.",
                severity=WARNING,
            )
        )
    return problems


def output_key(path: str) -> str:
    """One spelling per output file, as the hosts that serve it see it.

    ``a//b/./c``, ``A/B``, a decomposed ``é`` and a leading ``/`` name the
    same file on a case-insensitive file system (macOS, Windows, S3 behind
    some CDNs) or after a server normalises the path, so two writes that only
    differ that way collide."""
    path = unicodedata.normalize("NFC", unquote(path)).replace("\\", "/")
    return posixpath.normpath("/" + path).lstrip("/").casefold()


def alias_collision_problems(
    items: Iterable[Addressed], written: Mapping[str, str]
) -> list[Problem]:
    """Aliases that would overwrite a file of the build, another alias, or
    their own page, or need a folder where the build wrote a file (or a file
    where it made a folder): every one, in one list.

    ``written`` maps every file this build writes (site-relative, as the
    writer recorded it, plus the files copied into the output) to what wrote
    it, e.g. ``{"robots.txt": "the site's robots.txt"}``."""
    files: dict[str, tuple[str, str]] = {}
    folders: dict[str, tuple[str, str]] = {}
    for path, owner in written.items():
        key = output_key(path)
        files[key] = (path, owner)
        parts = key.split("/")
        for depth in range(1, len(parts)):
            folders.setdefault("/".join(parts[:depth]), (path, owner))
    problems = []
    claimed: dict[str, str] = {}
    for item in items:
        own = output_key(alias_save_as(item.url))
        for alias in item.aliases:
            key = output_key(alias_save_as(alias))
            parts = key.split("/")
            above = ("/".join(parts[:d]) for d in range(1, len(parts)))
            blocking = next((files[f] for f in above if f in files), None)
            shown = f"/{alias_url(alias)}"
            fix = "Remove the alias, or give the other page a different address."
            if key == own:
                message = f"{shown} is the item's own address."
                fix = "Remove it: an item needs no redirect to itself."
            elif key in claimed:
                message = f"{shown} is already an alias of {claimed[key]}."
            elif key in files:
                path, owner = files[key]
                message = f"{shown} is already the address of {owner} (/{path})."
            elif blocking is not None:
                path, owner = blocking
                message = (
                    f"{shown} would need a folder /{path}/, but /{path} is {owner}."
                )
            elif key in folders:
                path, owner = folders[key]
                message = (
                    f"{shown} would be a file where the site has a folder "
                    f"(holding /{path}, {owner})."
                )
            else:
                claimed[key] = item.source
                continue
            problems.append(Problem(item.source, item.line, "aliases", message, fix))
    return problems


def _read_kept(record_file: Path, key: str) -> dict[str, str] | None:
    try:
        record = json.loads(record_file.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    kept = record.get(key) if isinstance(record, dict) else None
    if not isinstance(kept, dict):
        return None
    return {str(k): str(v) for k, v in kept.items()}


def read_record(record_file: Path) -> dict[str, str] | None:
    """The addresses kept with a published build, if it has any (older builds
    and non-staged builds have none: then nothing can be compared)."""
    return _read_kept(record_file, RECORD_KEY)


def read_sources(record_file: Path) -> dict[str, str]:
    """The item files kept with a published build (none for older builds)."""
    return _read_kept(record_file, SOURCES_KEY) or {}


# --- Names that only a case-sensitive, non-normalising file system tells apart ---


def path_key(path: str) -> str:
    """The form in which two paths are the same file on some system.

    macOS (APFS, HFS+) and Windows ignore letter case, and macOS and many sync
    tools ignore Unicode normalisation (``café`` NFC and NFD); a CDN or web
    host in front of a bucket may fold both too. Unicode's canonical caseless
    match, NFD(casefold(NFD(x))), is the widest of these rules (``Straße`` is
    ``STRASSE``), so two paths with one key must never both be written."""
    return unicodedata.normalize(
        "NFD", unicodedata.normalize("NFD", posixpath.normpath(path)).casefold()
    )


def folded_collisions(
    paths: Iterable[tuple[str, Any]],
) -> list[list[tuple[str, Any]]]:
    """Groups of (path, owner) whose paths differ but share one ``path_key``.

    Paths that are exactly equal are another problem (two files writing one
    path) and are not reported here unless spelled differently too."""
    groups: dict[str, list[tuple[str, Any]]] = {}
    for path, owner in paths:
        groups.setdefault(path_key(path), []).append((path, owner))
    return [
        sorted(group, key=lambda entry: entry[0])
        for _, group in sorted(groups.items())
        if len({path for path, _ in group}) > 1
    ]


def spelled(path: str, group: Iterable[str]) -> str:
    """``path`` as a curator can tell it from the others of its ``group``: two
    names that differ only by Unicode form print alike, so say which is which."""
    if all(unicodedata.is_normalized("NFC", p) for p in group):
        return path
    form = "NFC" if unicodedata.is_normalized("NFC", path) else "NFD, decomposed"
    return f"{path} (Unicode {form})"
