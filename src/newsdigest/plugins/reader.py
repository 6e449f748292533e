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
from pathlib import Path
from typing import Any, TypeGuard

from pelican import signals
from pelican.contents import Category, Tag
from pelican.readers import BaseReader

from newsdigest.engine.readcache import FOLDER, ItemCache, dependencies, entry_key
from newsdigest.engine.runstate import STATE, start_run
from newsdigest.labels import label_name
from newsdigest.model.body import (
    body_address_problems,
    body_character_problems,
    body_problems,
    render_body,
)
from newsdigest.model.frontmatter import (
    Document,
    FrontMatterError,
    read_source,
    split,
)
from newsdigest.model.ordering import order_key
from newsdigest.model.placeholders import placeholder_problems
from newsdigest.model.sanitize import SiteLink, sanitise_html
from newsdigest.model.scheduling import is_production
from newsdigest.model.schema import (
    BODY_UNSAFE_CHARS,
    Checked,
    tag_key,
    truncate_slug,
    validate_item,
    validate_page,
)
from newsdigest.model.site import (
    LINES_KEY,
    MARKDOWN_EXTENSIONS,
    NAME_UNSAFE,
    address_problems,
    content_root,
    site_problems,
)
from newsdigest.model.spellings import canonical_spellings, title_slug
from newsdigest.model.staticfiles import (
    link_problem,
    link_target,
    symlink_in_path,
)
from newsdigest.model.topics import Topic
from newsdigest.problems import ERROR, WARNING, Problem, Report, SourceFile
from newsdigest.settings import (
    PluginFailures,
    content_config,
    raise_if_errors,
    site_settings_problems,
)

logger = logging.getLogger(__name__)
#: Plugins listed after this one that Pelican fails to load stop the build.
PLUGIN_FAILURES = PluginFailures().install()

PROBLEMS_KEY = "digest_problems"
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


def item_cache(settings: dict[str, Any]) -> ItemCache | None:
    """The run's cache of read items under CACHE_PATH, or None when it is off."""
    if not content_config(settings)["cache"]:
        return None
    folder = str(Path(settings.get("CACHE_PATH") or "cache").resolve() / FOLDER)
    if folder not in _CACHES:
        _CACHES[folder] = ItemCache(Path(folder))
    return _CACHES[folder]


def _is_result(result: Any) -> TypeGuard[tuple[Any, ...]]:
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


_PROBLEM_FIELDS = {
    "path": (str,),
    "line": (int, type(None)),
    "field": (str, type(None)),
    "message": (str,),
    "fix": (str,),
    "severity": (str,),
    "check": (str,),
    "source": (str, type(None)),
}


def _plain_problem(problem: Problem) -> bool:
    """A cached Problem holds plain values of its fields' types, nothing else."""
    fields = vars(problem)
    return (
        type(problem) is Problem
        and fields.keys() == _PROBLEM_FIELDS.keys()
        and all(type(fields[k]) in kinds for k, kinds in _PROBLEM_FIELDS.items())
        and problem.severity in (ERROR, WARNING)
    )


def _front_matter(values: dict[str, Any]) -> dict[str, Any] | None:
    """Checked values as the front matter that checks into them again: the
    topic by its slug, the image without what the check adds, no item id
    (derived from source_url). None if they are not of the checked shapes."""
    meta = dict(values)
    meta.pop("item_id", None)
    if "topic" in meta:
        if type(meta["topic"]) is not Topic:
            return None
        meta["topic"] = meta["topic"].slug
    if "image" in meta:
        image = meta["image"]
        if type(image) is not dict:
            return None
        meta["image"] = {k: image[k] for k in ("src", "alt", "credit") if k in image}
    return meta


def _same(a: Any, b: Any) -> bool:
    """Equal and of the same types all the way down (``1 == True == 1.0``)."""
    if type(a) is not type(b):
        return False
    if type(a) is dict:
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if type(a) in (list, tuple):
        return len(a) == len(b) and all(map(_same, a, b))
    return bool(a == b)


def _skip(problems: list[Problem]) -> tuple[str, dict[str, Any]]:
    return "", {"status": "skip", PROBLEMS_KEY: problems}


class DigestReader(BaseReader):
    """Reads ``.md`` files with YAML front matter into validated Pelican metadata."""

    enabled = True
    file_extensions = MARKDOWN_EXTENSIONS

    def read(self, source_path: str) -> tuple[str, dict[str, Any]]:
        source = SourceFile.at(self.settings, source_path)
        root = content_root(self.settings)
        if NAME_UNSAFE.search(source_path) or (
            source.relative is not None
            and symlink_in_path(source.base, source.relative)
        ):
            # Reported once by file_name_problems or symlink_problems, not once
            # per file read through a link (a link to a parent folder is read
            # again and again), nor with a name that would forge report lines.
            return _skip([])
        if source.relative is None or not (
            Path(source_path).resolve().is_relative_to(root)
        ):
            return _skip(
                [
                    Problem(
                        source.shown,
                        message="is a link to a file outside content/.",
                        fix="Copy the file into content/ instead of linking to it.",
                    )
                ]
            )
        cache = item_cache(self.settings)
        if cache is None:
            return self._rebuild(self._read_checked(source)[0])
        try:
            data = Path(source_path).read_bytes()
        except OSError:  # reported by the uncached read, with its file name
            return self._rebuild(self._read_checked(source)[0])
        key = entry_key(data, self._key_parts(source))
        result = cache.load(key, source.base)
        # Absent, damaged into another shape, or not what a read would give.
        if not self._trusted(result, source):
            result, used = self._read_checked(source)
            if used is not None:
                cache.store(key, result, dependencies(source.base, used))
        return self._rebuild(result)

    def _key_parts(self, source: SourceFile) -> list[Any]:
        """Everything besides the file's bytes that shapes what it reads as."""
        topics, _ = STATE.topics(self.settings)
        return [
            source.relative,
            source.shown,
            source.page,
            sorted(topics.items()),
            content_config(self.settings),
            is_production(self.settings),  # placeholders: error or warning
            *(self.settings.get(name) for name in KEY_SETTINGS),
        ]

    def _read_checked(
        self, source: SourceFile
    ) -> tuple[tuple[Any, ...], list[str] | None]:
        """The plain outcome of reading a file, and the content-relative paths
        its checks looked at (None: not to be cached, e.g. a render that ran
        out of time on a busy machine)."""
        used: list[str] = []
        try:
            doc = split(read_source(Path(source.path), source.shown), source.shown)
        except FrontMatterError as exc:
            return ("skip", exc.problems), used
        checked = self._validate(doc, source, used)
        if not source.page:
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
                    source.shown,
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
            target = link_target(source.folder, link.target)
            if link.kept and target is not None:
                used.append(target)
        checked.problems.extend(body_problems(doc, body, links, source, self.settings))
        checked.problems.extend(body_address_problems(doc, body))
        checked.problems.extend(address_problems(doc, checked.values, self.settings))
        if not checked.ok:
            return ("skip", checked.problems), used
        return ("ok", body, checked.values, checked.problems, doc.lines), used

    def _validate(
        self, doc: Document, source: SourceFile, used: list[str] | None = None
    ) -> Checked:
        """The front matter checked as a page's or an item's; ``used`` collects
        the content paths the image check looked at."""
        timezone = self.settings["TIMEZONE"]
        if source.page:
            return validate_page(doc, timezone=timezone)

        def asset_problem(src: str) -> str | None:
            if used is not None:
                used.append(src)
            return link_problem(
                source.base,
                "",
                "static",
                "/" + src,
                static_paths=list(self.settings["STATIC_PATHS"]),
                content_paths=[],
            )

        topics, _ = STATE.topics(self.settings)
        return validate_item(
            doc,
            topics,
            timezone=timezone,
            authority=content_config(self.settings)["id_authority"],
            labels=content_config(self.settings)["labels"],
            asset_problem=asset_problem,
        )

    def _trusted(self, result: Any, source: SourceFile) -> TypeGuard[tuple[Any, ...]]:
        """Whether a cached result is one a read of this file could give.

        CACHE_PATH may come from anywhere (a CI cache restore, a shared folder),
        and the unpickler only limits which classes an entry is built from: a
        planted entry of plain strings can still carry any markup or metadata.
        So a cached body must be a fixed point of the sanitiser (re-sanitising
        it changes nothing), its site links must pass the read's checks, and
        its metadata must be what validating it again gives, value for value
        and type for type. This costs a sanitiser pass per item, a fraction of
        the Markdown and YAML the cache saves (see docs/security.md)."""
        if not _is_result(result):
            return False
        if result[0] == "skip":  # a read skips a file only for an error in it
            problems = result[1]
            return all(map(_plain_problem, problems)) and any(
                p.is_error for p in problems
            )
        _, body, values, problems, lines = result
        if not (
            all(_plain_problem(p) and not p.is_error for p in problems)
            and all(type(k) is str and type(v) is int for k, v in lines.items())
        ):
            return False
        links: list[SiteLink] = []
        clean = sanitise_html(
            body, links=links, link_regex=self.settings["INTRASITE_LINK_REGEX"]
        )
        if BODY_UNSAFE_CHARS.sub("", clean) != body:
            return False
        meta = _front_matter(values)
        if meta is None:
            return False
        doc = Document(source.shown, meta, dict(lines))
        checked = self._validate(doc, source)
        checked.problems.extend(body_problems(doc, body, links, source, self.settings))
        checked.problems.extend(address_problems(doc, checked.values, self.settings))
        return checked.ok and _same(checked.values, values)

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


def add_reader(readers: Any) -> None:
    """Markdown items only: Pelican's HTML and reST readers would publish raw
    markup unvalidated, so they are switched off (static files keep theirs).

    The settings are checked here, once, before any file is read and after
    every plugin's ``initialized`` (so the refusal is printed as a report)."""
    report = Report(site_settings_problems(readers.settings))
    report.extend(PLUGIN_FAILURES.problems())
    raise_if_errors(report, "The settings are invalid; nothing was built")
    readers.reader_classes = {
        ext: cls for ext, cls in readers.reader_classes.items() if ext == "static"
    } | dict.fromkeys(DigestReader.file_extensions, DigestReader)


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
    statics = [s for g in generators for s in getattr(g, "staticfiles", None) or []]
    report: Report = STATE.report
    report.extend(site_problems(contents, statics, settings))
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
