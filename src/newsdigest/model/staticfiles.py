"""Which files under ``content/`` may be published, and what a body may link to.

Pelican copies every file under ``STATIC_PATHS`` and every file a ``{static}``
link names, byte for byte, onto the digest's own domain. A file there runs with
the site's origin: an ``.html`` page or an SVG with a script is stored XSS, a
link climbing out of ``content/`` publishes the build machine's secrets. So a
digest publishes only the image types it needs, SVGs only without anything
active in them, and links only reach real files inside ``content/``, never
through a symbolic link.
"""

from __future__ import annotations

import os
import posixpath
import re
import xml.parsers.expat
from collections.abc import Callable
from pathlib import Path

# The file types a digest needs; the README lists them.
STATIC_TYPES = ("jpg", "jpeg", "png", "gif", "webp", "avif", "svg")
# The first bytes of each raster type, so an .png that is really HTML is refused.
_SIGNATURES: dict[str, tuple[re.Pattern[bytes], str]] = {
    "jpg": (re.compile(rb"\A\xff\xd8\xff"), "JPEG"),
    "jpeg": (re.compile(rb"\A\xff\xd8\xff"), "JPEG"),
    "png": (re.compile(rb"\A\x89PNG\r\n\x1a\n"), "PNG"),
    "gif": (re.compile(rb"\AGIF8[79]a"), "GIF"),
    "webp": (re.compile(rb"\ARIFF....WEBP", re.DOTALL), "WebP"),
    "avif": (re.compile(rb"\A....ftypavi[fs]", re.DOTALL), "AVIF"),
}
MAX_STATIC_BYTES = 10_000_000

# Elements that run code, load documents or change attributes over time.
_ACTIVE_SVG = frozenset(
    {
        "script",
        "foreignobject",
        "iframe",
        "embed",
        "object",
        "handler",
        "listener",
        "set",
        "animate",
        "animatemotion",
        "animatetransform",
        "discard",
        "audio",
        "video",
        "include",
    }
)
_FOREIGN_NS = ("http://www.w3.org/1999/xhtml", "http://www.w3.org/2001/XInclude")
# CSS that loads or runs something; a backslash could spell any of it (u\72l).
_CSS_DANGER = re.compile(
    r"url\s*\(\s*['\"]?\s*(?!#)|image-set\s*\(|\bsrc\s*\(|@import|"
    r"expression\s*\(|javascript:|behavior\s*:|-moz-binding|\\",
    re.IGNORECASE,
)


def svg_problem(data: bytes) -> str | None:
    """Why an SVG cannot be published (script, handler, outside reference, entity
    declaration...), or None. A strict refusal, not a repair: an image a digest
    needs has none of these."""
    if re.search(rb"<!\s*(?:DOCTYPE|ENTITY)", data, re.IGNORECASE):
        return "contains a DOCTYPE (entity declarations)"  # before any expansion
    found: list[str] = []
    parser = xml.parsers.expat.ParserCreate(namespace_separator=" ")

    def start(name: str, attributes: dict[str, str]) -> None:
        namespace, _, local = name.rpartition(" ")
        if local.lower() in _ACTIVE_SVG or namespace in _FOREIGN_NS:
            found.append(f"a <{local}> element")
        if local.lower() == "style":
            parser.CharacterDataHandler = style_text
        for attribute, value in attributes.items():
            attr = attribute.rpartition(" ")[2].lower()
            if attr.startswith("on"):
                found.append(f"an event handler ({attr})")
            elif attr == "href" and not value.strip().startswith("#"):
                found.append(f"a reference to {value.strip()[:60]!r}")
            elif attr == "style" and _CSS_DANGER.search(value):
                found.append("a style that loads or runs something")
            elif _CSS_DANGER.search(value) and attr not in ("d", "points"):
                found.append(f"an outside reference in {attr}")

    def style_text(text: str) -> None:
        if _CSS_DANGER.search(text):
            found.append("a style sheet that loads or runs something")

    def end(_name: str) -> None:
        parser.CharacterDataHandler = None

    def refuse(what: str) -> Callable[..., None]:
        def handler(*_args: object) -> None:
            found.append(what)

        return handler

    def refuse_external(*_args: object) -> int:
        # Expat asks this handler for a number: false stops the parse with an
        # ExpatError (None would be a TypeError).
        found.append("an external entity")
        return 0

    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.StartDoctypeDeclHandler = refuse("a DOCTYPE (entity declarations)")
    parser.EntityDeclHandler = refuse("an entity declaration")
    parser.ProcessingInstructionHandler = refuse("a processing instruction")
    parser.ExternalEntityRefHandler = refuse_external
    try:
        parser.Parse(data, True)
    except xml.parsers.expat.ExpatError as exc:
        return f"is not well-formed SVG ({exc})"
    root_seen = re.search(rb"<(?:[A-Za-z_][\w.-]*:)?svg\b", data)
    if not root_seen:
        return "is not an SVG image"
    if found:
        return "contains " + found[0]
    return None


def static_file_problem(path: Path) -> str | None:
    """Why a file under a static folder cannot be published, or None."""
    suffix = path.suffix.lower().lstrip(".")
    if suffix not in STATIC_TYPES:
        return (
            f"is a .{suffix or '(no extension)'} file; only images are published "
            f"({', '.join(STATIC_TYPES)})"
        )
    try:
        size = path.stat().st_size
        if size > MAX_STATIC_BYTES:
            return f"is {size:,} bytes; images are limited to {MAX_STATIC_BYTES:,}"
        data = path.read_bytes()
    except OSError as exc:
        return f"cannot be read ({exc.strerror})"
    if suffix == "svg":
        return svg_problem(data)
    pattern, kind = _SIGNATURES[suffix]
    if not pattern.match(data):
        return f"is not a {kind} image, whatever its name says"
    return None


def symlink_in_path(root: Path, relative: str) -> Path | None:
    """The first symbolic link met walking from ``root`` down to ``relative``."""
    current = root
    for part in Path(relative).parts:
        current = current / part
        if current.is_symlink():
            return current
    return None


def content_relative(root: Path, source_path: str) -> str | None:
    """``source_path`` relative to the content folder, however either was spelled
    (a project reached through a symbolic link has two spellings)."""
    absolute = os.path.abspath(source_path)
    found = _relative(absolute, os.path.abspath(root))
    if found is None:  # resolving costs a system call per part: only if needed
        real_root = os.path.realpath(root)
        found = _relative(absolute, real_root)
        if found is None:
            found = _relative(os.path.realpath(absolute), real_root)
    return found


def _relative(path: str, base: str) -> str | None:
    """``path`` below ``base`` (both absolute and normalised), posix-style."""
    if path == base:
        return "."
    prefix = base.rstrip(os.sep) + os.sep
    if not path.startswith(prefix):
        return None
    return path[len(prefix) :].replace(os.sep, "/")


def link_target(item_dir: str, target: str) -> str | None:
    """The content-relative path Pelican resolves ``{static}target`` to, from an
    item in ``item_dir``; None when it climbs out of ``content/``."""
    path = target.split("#", 1)[0]
    joined = path[1:] if path.startswith("/") else posixpath.join(item_dir, path)
    normal = posixpath.normpath(joined)
    if normal in (".", "..") or normal.startswith(("../", "/")) or "\\" in normal:
        return None
    return normal


def link_problem(
    root: Path,
    item_dir: str,
    what: str,
    target: str,
    *,
    static_paths: list[str],
    content_paths: list[str],
) -> str | None:
    """Why ``{what}target`` in an item under ``item_dir`` cannot be published.

    ``{static}`` reaches an image under a static folder (``STATIC_PATHS``), so
    Pelican copies nothing it would not copy anyway; ``{filename}`` reaches an
    item or page (``.md``) under the content folders."""
    relative = link_target(item_dir, target)
    if relative is None:
        return "leads out of content/"
    folders = static_paths if what == "static" else content_paths
    if not any(
        relative == folder or relative.startswith(folder.rstrip("/") + "/")
        for folder in (posixpath.normpath(f) for f in folders)
    ):
        kind = "a static folder" if what == "static" else "the items or pages"
        return f"is not in {kind} ({', '.join(folders)})"
    link = symlink_in_path(root, relative)
    if link is not None:
        return "goes through a symbolic link"
    path = root / relative
    if not path.is_file():
        return f"does not exist (looked for content/{relative})"
    if what == "filename" and path.suffix != ".md":
        return "is not an item or page (.md)"
    if what == "static":
        problem = static_file_problem(path)
        if problem:
            return problem
    return None
