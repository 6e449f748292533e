"""Pelican plugin: read curated items and pages, validate them, stop on any problem.

Why a reader of our own rather than Pelican's MarkdownReader with the yaml-metadata
plugin: Pelican logs a file that fails to parse and builds on without it, exiting
0; its metadata is untyped strings; raw HTML in Markdown reaches the page. This
reader validates the front matter contract (``newsdigest.model.schema``), sanitises the
body (``newsdigest.model.sanitize``) and hands Pelican ready objects. Invalid files
become Pelican "skip" stubs and their problems are collected; once every
generator has read its content, the build stops with all problems at once.
"""

from __future__ import annotations

import logging
import os
import posixpath
import re
from collections import defaultdict
from collections.abc import Callable
from fnmatch import fnmatch
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pelican import signals
from pelican.contents import Category, Tag
from pelican.readers import BaseReader

from newsdigest.engine.readcache import FOLDER, ItemCache, dependencies, entry_key
from newsdigest.engine.runstate import STATE, start_run
from newsdigest.labels import label_name
from newsdigest.model.body import (
    body_address_problems,
    body_character_problems,
    body_image_problems,
    render_body,
    site_link_problems,
)
from newsdigest.model.frontmatter import (
    UNSAFE_CHARS,
    FrontMatterError,
    read_source,
    split,
)
from newsdigest.model.ordering import order_key
from newsdigest.model.sanitize import SiteLink
from newsdigest.model.scheduling import is_production
from newsdigest.model.schema import (
    BODY_UNSAFE_CHARS,
    MAX_SLUG_BYTES,
    WINDOWS_RESERVED,
    slug_bytes,
    tag_key,
    truncate_slug,
    validate_item,
    validate_page,
)
from newsdigest.model.spellings import canonical_spellings, title_slug, url_slug
from newsdigest.model.staticfiles import (
    content_relative,
    link_problem,
    link_target,
    static_file_problem,
    symlink_in_path,
)
from newsdigest.model.topics import Topic
from newsdigest.placeholders import placeholder_problems
from newsdigest.problems import Problem, Report, content_path
from newsdigest.settings import content_config, raise_if_errors, setting_problem
from newsdigest.urls import normalise_url

logger = logging.getLogger(__name__)

PROBLEMS_KEY = "digest_problems"
LINES_KEY = "digest_lines"  # front matter key -> line, for whole-site problems
_IMG_WITHOUT_ALT = re.compile(r"<img(?![^>]*\balt=)[^>]*>", re.IGNORECASE)
# Pelican settings a read item depends on (with the content settings, the topics
# and the item's path): part of its cache key.
KEY_SETTINGS = (
    "PATH",
    "TIMEZONE",
    "STATIC_PATHS",
    "ARTICLE_PATHS",
    "PAGE_PATHS",
    "INTRASITE_LINK_REGEX",
    "SLUG_REGEX_SUBSTITUTIONS",
    "TAG_REGEX_SUBSTITUTIONS",
    "SOURCE_REGEX_SUBSTITUTIONS",
    "SLUGIFY_PRESERVE_CASE",
    "SLUGIFY_USE_UNICODE",
)
_CACHES: dict[str, ItemCache] = {}


def content_root(settings: dict[str, Any]) -> Path:
    return Path(settings["PATH"]).resolve()


def content_base(settings: dict[str, Any]) -> Path:
    """The content folder as Pelican spells it (maybe through a symbolic link)."""
    return Path(os.path.abspath(settings["PATH"]))


def is_page(settings: dict[str, Any], source_path: str) -> bool:
    rel = Path(content_relative(content_base(settings), source_path) or "")
    return any(
        rel.parts[: len(Path(p).parts)] == Path(p).parts for p in settings["PAGE_PATHS"]
    )


def item_cache(settings: dict[str, Any]) -> ItemCache | None:
    """The run's cache of read items under CACHE_PATH, or None when it is off."""
    if not content_config(settings)["cache"]:
        return None
    folder = str(Path(settings.get("CACHE_PATH") or "cache").resolve() / FOLDER)
    if folder not in _CACHES:
        _CACHES[folder] = ItemCache(Path(folder))
    return _CACHES[folder]


def _is_result(result: Any) -> bool:
    """Whether a cached value has the shape ``_read_checked`` gives."""
    if not isinstance(result, tuple) or not result:
        return False
    if result[0] == "skip" and len(result) == 2:
        problems = result[1]
    elif result[0] == "ok" and len(result) == 5:
        _, body, values, problems, lines = result
        if not (
            isinstance(body, str)
            and isinstance(values, dict)
            and isinstance(lines, dict)
        ):
            return False
    else:
        return False
    return isinstance(problems, list) and all(isinstance(p, Problem) for p in problems)


def _skip(problems: list[Problem]) -> tuple[str, dict[str, Any]]:
    return "", {"status": "skip", PROBLEMS_KEY: problems}


class DigestReader(BaseReader):
    """Reads ``.md`` files with YAML front matter into validated Pelican metadata."""

    enabled = True
    file_extensions = ("md", "markdown")

    def read(self, source_path: str) -> tuple[str, dict[str, Any]]:
        shown = content_path(self.settings, source_path)
        root = content_root(self.settings)
        relative = content_relative(content_base(self.settings), source_path)
        if _NAME_UNSAFE.search(source_path) or (
            relative is not None
            and symlink_in_path(content_base(self.settings), relative)
        ):
            # Reported once by file_name_problems or symlink_problems, not once
            # per file read through a link (a link to a parent folder is read
            # again and again), nor with a name that would forge report lines.
            return _skip([])
        if relative is None or not Path(source_path).resolve().is_relative_to(root):
            return _skip(
                [
                    Problem(
                        shown,
                        message="is a link to a file outside content/.",
                        fix="Copy the file into content/ instead of linking to it.",
                    )
                ]
            )
        cache = item_cache(self.settings)
        if cache is None:
            return self._rebuild(self._read_checked(source_path, shown, relative)[0])
        try:
            data = Path(source_path).read_bytes()
        except OSError:  # reported by the uncached read, with its file name
            return self._rebuild(self._read_checked(source_path, shown, relative)[0])
        base = content_base(self.settings)
        key = entry_key(data, self._key_parts(source_path, shown, relative))
        result = cache.load(key, base)
        if not _is_result(result):  # absent, or damaged into another shape
            result, used = self._read_checked(source_path, shown, relative)
            if used is not None:
                cache.store(key, result, dependencies(base, used))
        return self._rebuild(result)

    def _key_parts(self, source_path: str, shown: str, relative: str) -> list[Any]:
        """Everything besides the file's bytes that shapes what it reads as."""
        topics, _ = STATE.topics(self.settings)
        return [
            relative,
            shown,
            is_page(self.settings, source_path),
            sorted(topics.items()),
            content_config(self.settings),
            is_production(self.settings),  # placeholders: error or warning
            *(self.settings.get(name) for name in KEY_SETTINGS),
        ]

    def _read_checked(
        self, source_path: str, shown: str, relative: str
    ) -> tuple[tuple[Any, ...], list[str] | None]:
        """The plain outcome of reading a file, and the content-relative paths
        its checks looked at (None: not to be cached, e.g. a render that ran
        out of time on a busy machine)."""
        used: list[str] = []

        def asset_problem(src: str) -> str | None:
            used.append(src)
            return link_problem(
                content_base(self.settings),
                "",
                "static",
                "/" + src,
                static_paths=list(self.settings["STATIC_PATHS"]),
                content_paths=[],
            )

        try:
            doc = split(read_source(Path(source_path), shown), shown)
        except FrontMatterError as exc:
            return ("skip", exc.problems), used
        timezone = self.settings["TIMEZONE"]
        if is_page(self.settings, source_path):
            checked = validate_page(doc, timezone=timezone)
        else:
            topics, _ = STATE.topics(self.settings)
            checked = validate_item(
                doc,
                topics,
                timezone=timezone,
                authority=content_config(self.settings)["id_authority"],
                labels=content_config(self.settings)["labels"],
                asset_problem=asset_problem,
            )
            checked.problems.extend(
                placeholder_problems(doc, production=is_production(self.settings))
            )
        checked.problems.extend(body_character_problems(doc))
        links: list[SiteLink] = []
        body, unrenderable = render_body(
            BODY_UNSAFE_CHARS.sub("", doc.body),
            links,
            link_regex=self.settings["INTRASITE_LINK_REGEX"],
        )
        if body is None:
            checked.problems.append(
                Problem(
                    shown,
                    doc.body_line,
                    "body",
                    f"{unrenderable}.",
                    "Remove the pasted markup; keep the curator's summary and "
                    "key quotes as plain paragraphs.",
                )
            )
            return ("skip", checked.problems), None
        body = BODY_UNSAFE_CHARS.sub("", body)
        for link in links:
            target = link_target(posixpath.dirname(relative), link.target)
            if link.kept and target is not None:
                used.append(target)
        checked.problems.extend(
            site_link_problems(
                doc,
                links,
                content_base=content_base(self.settings),
                item_dir=posixpath.dirname(relative),
                static_paths=list(self.settings["STATIC_PATHS"]),
                content_paths=[
                    *self.settings["ARTICLE_PATHS"],
                    *self.settings["PAGE_PATHS"],
                ],
            )
        )
        checked.problems.extend(body_image_problems(doc, body))
        checked.problems.extend(body_address_problems(doc, body))
        if _IMG_WITHOUT_ALT.search(body):
            checked.problems.append(
                Problem(
                    shown,
                    doc.body_line,
                    "body",
                    "has an image without alt text.",
                    "Write images as ![what the image shows]({static}/images/<file>).",
                )
            )
        checked.problems.extend(self._address_problems(doc, checked.values))
        if not checked.ok:
            return ("skip", checked.problems), used
        return ("ok", body, checked.values, checked.problems, doc.lines), used

    def _rebuild(self, result: tuple[Any, ...]) -> tuple[str, dict[str, Any]]:
        """Pelican's objects (Tag, Category) are made here, from the current
        settings and topics, for a fresh and a cached result alike."""
        if result[0] == "skip":
            return _skip(list(result[1]))
        _, body, values, problems, lines = result
        topic = values.get("topic")
        if isinstance(topic, Topic):
            topics, _ = STATE.topics(self.settings)
            values = {**values, "topic": topics.get(topic.slug, topic)}
        return body, self._metadata(values, list(problems), lines)

    def _address_problems(self, doc: Any, values: dict[str, Any]) -> list[Problem]:
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
            slug = truncate_slug(title_slug(values["title"], self.settings))
            check(slug, "title", "title", "Add 'slug: a-few-words' for the address.")
        for index, tag in enumerate(values.get("tags") or []):
            check(
                url_slug(tag, "TAG", self.settings),
                "tags",
                f"tags[{index}]",
                "Use a tag with letters or digits.",
            )
        source = values.get("source")
        if source:
            check(
                url_slug(source, "SOURCE", self.settings),
                "source",
                "source",
                "Write the outlet's name in letters or digits.",
            )
        return problems

    def _metadata(
        self, values: dict[str, Any], problems: list[Problem], lines: dict[str, int]
    ) -> dict[str, Any]:
        """Turn checked values into what Pelican's Content expects."""
        meta: dict[str, Any] = {PROBLEMS_KEY: problems}  # warnings only, at this point
        meta[LINES_KEY] = dict(lines)
        for key, value in values.items():
            if value is None:
                continue
            if key == "topic":
                meta["category"] = topic_category(value, self.settings)
                meta["topic"] = value
            elif key == "tags":
                meta["tags"] = [Tag(tag, self.settings) for tag in value]
            elif key == "authors":
                # Pelican's own "authors" are the site's writers; these are the
                # original's, so they live under another name.
                meta["source_authors"] = value
            elif key == "label":
                meta["label"] = value
                # Its display name from the site's labels table, for the feeds
                # and structured data, which do not see the settings.
                meta["label_name"] = label_name(
                    value, content_config(self.settings)["labels"]
                )
            elif key == "updated":
                meta["updated"] = meta["modified"] = value
            else:
                meta[key] = value
        if "slug" not in meta and "title" in meta:
            meta["slug"] = truncate_slug(title_slug(meta["title"], self.settings))
        return meta


def topic_category(topic: Topic, settings: dict[str, Any]) -> Category:
    """A Pelican category whose slug is the topic's key, so URLs follow topics.yml."""
    category = Category(topic.name, settings)
    category.slug = topic.slug
    category.description = topic.description
    category.order = topic.order
    return category


# --- Checks that need every item ---------------------------------------------


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
        files = sorted(content_path(settings, c.source_path) for c in group)
        for shown in files:
            others = ", ".join(f for f in files if f != shown)
            problems.append(
                Problem(shown, None, field, message.format(key=key, others=others), fix)
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


_NAME_UNSAFE = re.compile(f"{UNSAFE_CHARS.pattern}|[\t\n\r]")


def file_name_problems(root: Path, shown_root: str) -> list[Problem]:
    """Names under content/ with control characters or bytes that are not UTF-8
    (read as lone surrogates): they would reach reports, where a newline forges
    a line, and URLs and file systems that cannot hold them."""
    problems = []
    for dirpath, dirnames, filenames in os.walk(root):
        for name in sorted(dirnames + filenames):
            if not _NAME_UNSAFE.search(name):
                continue
            shown = str(Path(shown_root) / (Path(dirpath) / name).relative_to(root))
            problems.append(
                Problem(
                    _NAME_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", shown),
                    message="has a name with control characters or bytes that are "
                    "not UTF-8.",
                    fix="Rename it with letters, digits, hyphens and dots.",
                )
            )
        dirnames[:] = [d for d in dirnames if not (Path(dirpath) / d).is_symlink()]
    return problems


def static_problems(generators: list[Any], settings: dict[str, Any]) -> list[Problem]:
    """Every file Pelican is about to copy: inside content/, not through a link,
    and an image a digest needs (see ``newsdigest.model.staticfiles``)."""
    base, root = content_base(settings), content_root(settings)
    problems = []
    for generator in generators:
        for static in getattr(generator, "staticfiles", None) or []:
            relative = content_relative(base, static.source_path)
            inside = Path(static.source_path).resolve().is_relative_to(root)
            if _NAME_UNSAFE.search(static.source_path) or (
                relative is not None and symlink_in_path(base, relative)
            ):
                continue  # reported once by file_name_problems or symlink_problems
            if relative is None or not inside:
                reason = "is outside content/ and cannot be published"
            else:
                reason = static_file_problem(base / relative)
            if reason:
                problems.append(
                    Problem(
                        content_path(settings, static.source_path),
                        message=f"{reason}.",
                        fix="Keep only the images the digest shows in "
                        + ", ".join(f"content/{p}/" for p in settings["STATIC_PATHS"])
                        + "; export an SVG without scripts, links or embedded "
                        "documents.",
                    )
                )
    return problems


# --- Signal receivers ----------------------------------------------------------


def initialized(pelican: Any) -> None:
    _CACHES.clear()  # counts per run
    config = content_config(pelican.settings)  # checked once, read per file
    # Pelican rewrites link prefixes in FORMATTED_FIELDS (the summary); ours are
    # plain text, escaped by the theme, and must not be rewritten.
    pelican.settings["FORMATTED_FIELDS"] = []
    # Newest first, ties stable: the one order of every listing and feed.
    pelican.settings["ARTICLE_ORDER_BY"] = order_key
    # The topics file is configuration: never a static file, a page or an item,
    # whatever STATIC_PATHS and ARTICLE_PATHS say.
    ignored = list(pelican.settings.get("IGNORE_FILES") or [])
    topics_name = Path(config["topics_file"]).name
    if topics_name not in ignored:
        pelican.settings["IGNORE_FILES"] = [*ignored, topics_name]


def next_run(_pelican: Any) -> None:
    """Start of every run: the read caches keep in memory only what the last
    run read (a process that builds many times, e.g. ``invoke livereload``)."""
    for cache in _CACHES.values():
        cache.next_run()


def pelican_setting_problems(settings: dict[str, Any]) -> list[Problem]:
    """Pelican settings the reader relies on, checked before any file is read."""
    timezone = settings.get("TIMEZONE")
    try:
        ZoneInfo(str(timezone))
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return [
            setting_problem(
                "TIMEZONE",
                "",
                f"{timezone!r} is not a known time zone.",
                "Use an IANA name such as 'UTC', 'Europe/Lisbon' or "
                "'America/New_York'.",
            )
        ]
    return []


def add_reader(readers: Any) -> None:
    """Markdown items only: Pelican's HTML and reST readers would publish raw
    markup unvalidated, so they are switched off (static files keep theirs).

    Pelican's own settings are checked here, before any file is read and after
    every plugin's ``initialized`` (so the refusal is printed as a report)."""
    report = Report(pelican_setting_problems(readers.settings))
    raise_if_errors(report, "Pelican settings are invalid")
    readers.reader_classes = {
        ext: cls for ext, cls in readers.reader_classes.items() if ext == "static"
    } | dict.fromkeys(DigestReader.file_extensions, DigestReader)


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
                and path.suffix.lstrip(".") not in DigestReader.file_extensions
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


def collect_problems(_generator: Any, metadata: dict[str, Any]) -> None:
    STATE.report.extend(metadata.pop(PROBLEMS_KEY, []))


def unify_tags(generator: Any) -> None:
    """One spelling per tag across the site, so "NATO", "nato " and "Nato" meet."""
    everything = generator.articles + generator.drafts + generator.hidden_articles
    spelling = canonical_spellings([t.name for a in everything for t in a.tags])
    for article in everything:
        article.tags = [
            Tag(spelling[tag_key(t.name)], generator.settings) for t in article.tags
        ]


def stop_on_problems(generators: list[Any]) -> None:
    """After all content is read: report every problem at once, or go on."""
    settings = generators[0].settings
    contents: list[Any] = []
    for generator in generators:
        for attr in (
            "articles",
            "drafts",
            "hidden_articles",
            "pages",
            "hidden_pages",
            "draft_pages",
        ):
            contents.extend(getattr(generator, attr, []))
    report: Report = STATE.report
    report.extend(duplicate_problems(contents, settings))
    base = content_base(settings)
    report.extend(symlink_problems(base, base.name))
    report.extend(file_name_problems(base, base.name))
    report.extend(static_problems(generators, settings))
    report.extend(foreign_files(settings))
    _, topic_problems = STATE.topics(settings)
    report.extend(topic_problems)
    STATE.counts["items"] = sum(
        len(getattr(g, "articles", [])) for g in generators if hasattr(g, "articles")
    )
    STATE.counts["pages"] = sum(len(getattr(g, "pages", [])) for g in generators)
    raise_if_errors(
        report, f"{len(report.errors)} problem(s) in content; nothing was published"
    )


def register() -> None:
    signals.get_generators.connect(start_run)
    signals.initialized.connect(initialized)
    signals.get_generators.connect(next_run)
    signals.readers_init.connect(add_reader)
    signals.article_generator_context.connect(collect_problems)
    signals.page_generator_context.connect(collect_problems)
    signals.article_generator_pretaxonomy.connect(unify_tags)
    signals.all_generators_finalized.connect(stop_on_problems)
