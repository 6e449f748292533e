"""Rules over the whole site, on plain data: what no single file can say alone.

Two files that write one page, two spellings that make one address, names that
one file system folds together, files Pelican would copy or skip: each needs
every item, page and static file at once, or the content folder itself. They
live here, not in the reader plugin, so tests call them with plain values
(``SimpleNamespace`` stand-ins for Pelican's contents, a settings dict, a
folder) and the plugin only hands them what Pelican read. Nothing here imports
Pelican.
"""

from __future__ import annotations

import os
import re
from collections import defaultdict
from collections.abc import Callable
from fnmatch import fnmatch
from pathlib import Path
from typing import Any

from newsdigest.model.addresses import folded_collisions, path_key, spelled
from newsdigest.model.frontmatter import UNSAFE_CHARS, Document
from newsdigest.model.schema import (
    MAX_SLUG_BYTES,
    WINDOWS_RESERVED,
    slug_bytes,
    tag_key,
    truncate_slug,
)
from newsdigest.model.spellings import title_slug, url_slug
from newsdigest.model.staticfiles import static_file_problem, symlink_in_path
from newsdigest.problems import Problem, SourceFile, content_path
from newsdigest.urls import normalise_url

LINES_KEY = "digest_lines"  # front matter key -> line, for whole-site problems
#: the files read as items and pages; every other file among them is refused
MARKDOWN_EXTENSIONS = ("md", "markdown")


def content_root(settings: dict[str, Any]) -> Path:
    """The content folder, every link resolved: what a file must be inside."""
    return Path(settings["PATH"]).resolve()


def content_base(settings: dict[str, Any]) -> Path:
    """The content folder as Pelican spells it (maybe through a symbolic link)."""
    return Path(os.path.abspath(settings["PATH"]))


def _clashes(
    groups: dict[str, list[Any]],
    settings: dict[str, Any],
    field: str,
    message: str,
    fix: str,
) -> list[Problem]:
    """One problem per file in every group of two or more files that clash."""
    problems = []
    for key, group in sorted(groups.items()):
        if len(group) < 2 or not key:
            continue
        files = sorted(
            ((content_path(settings, c.source_path), c) for c in group),
            key=lambda entry: entry[0],
        )
        for shown, content in files:
            others = ", ".join(f for f, _ in files if f != shown)
            lines = getattr(content, LINES_KEY, None) or {}
            line = lines.get(field) or (lines.get("title") if field == "slug" else None)
            problems.append(
                Problem(shown, line, field, message.format(key=key, others=others), fix)
            )
    return problems


def duplicate_problems(contents: list[Any], settings: dict[str, Any]) -> list[Problem]:
    """Two files writing one output path, or two items about one original."""
    by_path: dict[str, list[Any]] = defaultdict(list)
    by_source: dict[str, list[Any]] = defaultdict(list)
    for content in contents:
        by_path[content.save_as].append(content)
        if getattr(content, "source_url", None):
            by_source[normalise_url(content.source_url)].append(content)
    problems = _clashes(
        by_path,
        settings,
        "slug",
        "writes to {key}, as does {others}.",
        "Give one of them a different 'slug'.",
    )
    reserved = reserved_paths(settings)
    for save_as, group in sorted(by_path.items()):
        if save_as and os.path.normpath(save_as) in reserved:
            for shown in sorted(content_path(settings, c.source_path) for c in group):
                problems.append(
                    Problem(
                        shown,
                        None,
                        "slug",
                        f"writes to {save_as}, which the site uses for its own page.",
                        "Give it a different 'slug'.",
                    )
                )
    problems.extend(source_slug_problems(contents, settings))
    problems.extend(tag_slug_problems(contents, settings))
    problems.extend(
        _clashes(
            by_source,
            settings,
            "source_url",
            "points to the same original as {others}.",
            "Keep one item per original: merge the two files.",
        )
    )
    return problems


FOLDED = (
    "differ only in letter case or Unicode form (NFC/NFD), so on macOS, Windows "
    "and web hosts that fold names they are one file and one overwrites the other"
)


def folded_output_problems(
    contents: list[Any], statics: list[Any], settings: dict[str, Any]
) -> list[Problem]:
    """Items, pages and static files whose output paths differ only by case or
    Unicode normalisation (``images/Paris.jpg``, ``images/paris.jpg``)."""
    owners = [(c.save_as, c) for c in contents if c.save_as]
    owners += [(s.save_as, s) for s in statics if getattr(s, "save_as", None)]
    problems = []
    for group in folded_collisions(owners):
        if len({path_key(o.source_path) for _, o in group}) == 1:
            continue  # the source names collide: folded_name_problems says so
        for save_as, owner in group:
            paths = [path for path, _ in group]
            others = "; ".join(
                f"{content_path(settings, o.source_path)} writes to "
                f"{spelled(path, paths)}"
                for path, o in group
                if o is not owner
            )
            is_static = any(owner is s for s in statics)
            lines = getattr(owner, LINES_KEY, None) or {}
            field = None if is_static else "slug"
            line = None if is_static else lines.get("slug") or lines.get("title")
            problems.append(
                Problem(
                    content_path(settings, owner.source_path),
                    line,
                    field,
                    f"writes to {spelled(save_as, paths)}; {others}: the paths "
                    f"{FOLDED}.",
                    "Rename one of the files."
                    if is_static
                    else "Give one of them a different 'slug' (or title).",
                )
            )
    return problems


def folded_name_problems(root: Path, shown_root: str) -> list[Problem]:
    """Files or folders under content/ whose names differ only by case or
    Unicode normalisation: a checkout on macOS or Windows keeps one of them."""
    problems = []
    for dirpath, dirnames, filenames in os.walk(root):
        folder = Path(shown_root) / Path(dirpath).relative_to(root)
        names = [(name, name) for name in dirnames + filenames]
        for group in folded_collisions(names):
            spellings = [n for n, _ in group]
            for name in spellings:
                others = ", ".join(
                    spelled(str(folder / n), spellings) for n in spellings if n != name
                )
                this = spelled(name, spellings)
                problems.append(
                    Problem(
                        str(folder / name),
                        message=f"{this} and {others}: the names {FOLDED}.",
                        fix="Rename or merge one of them.",
                    )
                )
        dirnames[:] = [d for d in dirnames if not (Path(dirpath) / d).is_symlink()]
    return problems


def reserved_paths(settings: dict[str, Any]) -> set[str]:
    """Output paths of the site's own pages (index, tags, topics, archive...)."""
    paths = {
        settings.get(f"{name.upper()}_SAVE_AS", f"{name}.html")
        for name in settings.get("DIRECT_TEMPLATES", [])
    }
    paths |= {
        settings.get(key)
        for key in (
            "TAGS_SAVE_AS",
            "CATEGORIES_SAVE_AS",
            "AUTHORS_SAVE_AS",
            "SOURCES_SAVE_AS",
            "EDITIONS_SAVE_AS",
        )
    }
    return {os.path.normpath(p) for p in paths if p}


def address_clash_problems(
    contents: list[Any],
    settings: dict[str, Any],
    *,
    kind: str,
    field: str,
    names_of: Callable[[Any], list[str]],
    what: str,
    fix: str,
) -> list[Problem]:
    """Different names that make one address ("A.P." and "AP", "C" and "C++",
    "Café" and "Cafe") would silently share one page: refuse them all."""
    names: dict[str, dict[str, list[Any]]] = defaultdict(lambda: defaultdict(list))
    for content in contents:
        for name in dict.fromkeys(names_of(content)):
            names[url_slug(name, kind, settings)][name].append(content)
    folder = settings.get(f"{kind}_URL", "{slug}/")
    problems = []
    for slug, spellings in sorted(names.items()):
        if not slug or len({tag_key(name) for name in spellings}) < 2:
            continue
        quoted = ", ".join(f"'{name}'" for name in sorted(spellings))
        address = folder.format(slug=slug)
        clashing = {id(c): c for group in spellings.values() for c in group}
        for content in clashing.values():
            lines = getattr(content, LINES_KEY, None) or {}
            problems.append(
                Problem(
                    content_path(settings, content.source_path),
                    lines.get(field),
                    field,
                    f"the {what} {quoted} all make the address {address}.",
                    fix,
                )
            )
    return problems


def source_slug_problems(
    contents: list[Any], settings: dict[str, Any]
) -> list[Problem]:
    """Two spellings of an outlet ("A.P.", "AP") that share one sources/ page."""
    return address_clash_problems(
        contents,
        {"SOURCE_URL": "sources/{slug}/", **settings},
        kind="SOURCE",
        field="source",
        names_of=lambda c: [c.source] if getattr(c, "source", None) else [],
        what="outlet names",
        fix="Spell the outlet's name the same way in every item.",
    )


def tag_slug_problems(contents: list[Any], settings: dict[str, Any]) -> list[Problem]:
    """Tags that share one tags/ page ("C", "C++", "C#")."""
    return address_clash_problems(
        contents,
        settings,
        kind="TAG",
        field="tags",
        names_of=lambda c: [t.name for t in getattr(c, "tags", None) or []],
        what="tags",
        fix="Write the tag so it keeps its own letters (e.g. 'C plus plus', "
        "'C sharp'), or use one spelling everywhere.",
    )


def symlink_problems(root: Path, shown_root: str) -> list[Problem]:
    """Every symbolic link under content/, once. Pelican follows links: one out
    of content/ publishes what it points at, one to a parent folder is read over
    and over (hundreds of duplicates). Links are not followed here."""
    problems = []
    for dirpath, dirnames, filenames in os.walk(root):
        for name in sorted(dirnames + filenames):
            path = Path(dirpath) / name
            if not path.is_symlink():
                continue
            try:
                outside = not path.resolve().is_relative_to(root.resolve())
            except (OSError, RuntimeError):
                outside = False  # a loop
            problems.append(
                Problem(
                    str(Path(shown_root) / path.relative_to(root)),
                    message="is a symbolic link to outside content/."
                    if outside
                    else "is a symbolic link; content/ may not contain links.",
                    fix="Replace the link with a copy of the file, or remove it.",
                )
            )
        dirnames[:] = [d for d in dirnames if not (Path(dirpath) / d).is_symlink()]
    return problems


NAME_UNSAFE = re.compile(f"{UNSAFE_CHARS.pattern}|[\t\n\r]")


def file_name_problems(root: Path, shown_root: str) -> list[Problem]:
    """Names under content/ with control characters or bytes that are not UTF-8
    (read as lone surrogates): they would reach reports, where a newline forges
    a line, and URLs and file systems that cannot hold them."""
    problems = []
    for dirpath, dirnames, filenames in os.walk(root):
        for name in sorted(dirnames + filenames):
            if not NAME_UNSAFE.search(name):
                continue
            shown = str(Path(shown_root) / (Path(dirpath) / name).relative_to(root))
            problems.append(
                Problem(
                    NAME_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", shown),
                    message="has a name with control characters or bytes that are "
                    "not UTF-8.",
                    fix="Rename it with letters, digits, hyphens and dots.",
                )
            )
        dirnames[:] = [d for d in dirnames if not (Path(dirpath) / d).is_symlink()]
    return problems


def static_problems(statics: list[Any], settings: dict[str, Any]) -> list[Problem]:
    """Every file Pelican is about to copy: inside content/, not through a link,
    and an image a digest needs (see ``newsdigest.model.staticfiles``)."""
    root = content_root(settings)
    problems = []
    for static in statics:
        source = SourceFile.at(settings, static.source_path)
        base, relative = source.base, source.relative
        inside = Path(static.source_path).resolve().is_relative_to(root)
        if NAME_UNSAFE.search(static.source_path) or (
            relative is not None and symlink_in_path(base, relative)
        ):
            continue  # reported once by file_name_problems or symlink_problems
        reason: str | None
        if relative is None or not inside:
            reason = "is outside content/ and cannot be published"
        else:
            reason = static_file_problem(base / relative)
        if reason:
            problems.append(
                Problem(
                    source.shown,
                    message=f"{reason}.",
                    fix="Keep only the images the digest shows in "
                    + ", ".join(f"content/{p}/" for p in settings["STATIC_PATHS"])
                    + "; export an SVG without scripts, links or embedded "
                    "documents.",
                )
            )
    return problems


def foreign_files(settings: dict[str, Any]) -> list[Problem]:
    """Files among items and pages that no reader will read: say so, don't skip."""
    root = content_root(settings)
    static = [root / p for p in settings.get("STATIC_PATHS", [])]
    problems = []
    for folder in [*settings["ARTICLE_PATHS"], *settings["PAGE_PATHS"]]:
        for path in sorted((root / folder).rglob("*")):
            if (
                path.is_file()
                and not path.name.startswith(".")
                and not any(fnmatch(path.name, p) for p in settings["IGNORE_FILES"])
                and path.suffix.lstrip(".") not in MARKDOWN_EXTENSIONS
                and not any(path.is_relative_to(s) for s in static)
            ):
                problems.append(
                    Problem(
                        content_path(settings, str(path)),
                        message="is not a Markdown item (.md), so it would be "
                        "silently left out.",
                        fix="Write items and pages as .md files with YAML front "
                        "matter; put images in content/images/.",
                    )
                )
    return problems


def address_problems(
    doc: Document, values: dict[str, Any], settings: dict[str, Any]
) -> list[Problem]:
    """Names that slugify to nothing would write tags//index.html and the like,
    overwriting the site's own pages (or crashing Pelican's writer); names
    too long for a file name crash it too; Windows cannot check out some."""
    problems = []

    def refuse(key: str, field: str, fix: str, message: str = "") -> None:
        problems.append(
            Problem(
                doc.path,
                doc.lines.get(key),
                field,
                message or "has no letters or digits to make an address from.",
                fix,
            )
        )

    def check(slug: str, key: str, field: str, fix: str) -> None:
        if not slug:
            refuse(key, field, fix)
        elif slug_bytes(slug) > MAX_SLUG_BYTES:
            refuse(
                key,
                field,
                "Use a shorter name.",
                f"makes an address of {slug_bytes(slug)} bytes; the limit is "
                f"{MAX_SLUG_BYTES}.",
            )
        elif slug in WINDOWS_RESERVED:
            refuse(
                key,
                field,
                "Add a word to it.",
                f"makes the address '{slug}', a name Windows cannot use.",
            )

    if values.get("title") and "slug" not in doc.metadata:
        slug = truncate_slug(title_slug(values["title"], settings))
        check(slug, "title", "title", "Add 'slug: a-few-words' for the address.")
    for index, tag in enumerate(values.get("tags") or []):
        check(
            url_slug(tag, "TAG", settings),
            "tags",
            f"tags[{index}]",
            "Use a tag with letters or digits.",
        )
    source = values.get("source")
    if source:
        check(
            url_slug(source, "SOURCE", settings),
            "source",
            "source",
            "Write the outlet's name in letters or digits.",
        )
    return problems


def site_problems(
    contents: list[Any], statics: list[Any], settings: dict[str, Any]
) -> list[Problem]:
    """Everything wrong across the site once every file is read: clashing
    outputs and addresses, links, bad names, folded names, files Pelican would
    copy or leave out."""
    base = content_base(settings)
    return [
        *duplicate_problems(contents, settings),
        *symlink_problems(base, base.name),
        *file_name_problems(base, base.name),
        *folded_name_problems(base, base.name),
        *static_problems(statics, settings),
        *folded_output_problems(contents, statics, settings),
        *foreign_files(settings),
    ]
