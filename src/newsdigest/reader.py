"""Pelican plugin: read curated items and pages, validate them, stop on any problem.

Why a reader of our own rather than Pelican's MarkdownReader with the yaml-metadata
plugin: Pelican logs a file that fails to parse and builds on without it, exiting
0; its metadata is untyped strings; raw HTML in Markdown reaches the page. This
reader validates the front matter contract (``newsdigest.schema``), sanitises the
body (``newsdigest.sanitize``) and hands Pelican ready objects. Invalid files
become Pelican "skip" stubs and their problems are collected; once every
generator has read its content, the build stops with all problems at once.
"""

from __future__ import annotations

import logging
import os
import re
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

from pelican import signals
from pelican.contents import Category, Tag
from pelican.readers import BaseReader
from pelican.utils import slugify

from newsdigest.build_state import STATE
from newsdigest.frontmatter import FrontMatterError, read_source, split
from newsdigest.problems import Problem, Report
from newsdigest.sanitize import render_markdown
from newsdigest.schema import tag_key, validate_item, validate_page
from newsdigest.settings import content_settings, raise_if_errors
from newsdigest.topics import Topic, load_topics
from newsdigest.urls import normalise_url

logger = logging.getLogger(__name__)

PROBLEMS_KEY = "digest_problems"
_IMG_WITHOUT_ALT = re.compile(r"<img(?![^>]*\balt=)[^>]*>", re.IGNORECASE)
# Not allowed in XML 1.0, so not in a feed.
_BODY_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def content_root(settings: dict[str, Any]) -> Path:
    return Path(settings["PATH"]).resolve()


def display_path(settings: dict[str, Any], source_path: str) -> str:
    """Paths in messages are relative to the project, e.g. content/items/x.md."""
    root = content_root(settings)
    try:
        rel = Path(os.path.abspath(source_path)).relative_to(root)
    except ValueError:
        return str(source_path)
    return str(Path(root.name) / rel)


def load_site_topics(
    settings: dict[str, Any],
) -> tuple[dict[str, Topic], list[Problem]]:
    config, _ = content_settings(settings)
    path = content_root(settings) / config["topics_file"]
    shown = display_path(settings, str(path))
    if not path.is_file():
        return {}, [
            Problem(
                shown,
                message="does not exist.",
                fix="Create it with one entry per topic: slug, name, description, "
                "order.",
            )
        ]
    return load_topics(path, shown)


def is_page(settings: dict[str, Any], source_path: str) -> bool:
    rel = Path(os.path.abspath(source_path)).relative_to(content_root(settings))
    return any(
        rel.parts[: len(Path(p).parts)] == Path(p).parts for p in settings["PAGE_PATHS"]
    )


def _skip(problems: list[Problem]) -> tuple[str, dict[str, Any]]:
    return "", {"status": "skip", PROBLEMS_KEY: problems}


class DigestReader(BaseReader):
    """Reads ``.md`` files with YAML front matter into validated Pelican metadata."""

    enabled = True
    file_extensions = ("md", "markdown")

    def read(self, source_path: str) -> tuple[str, dict[str, Any]]:
        shown = display_path(self.settings, source_path)
        root = content_root(self.settings)
        if not Path(source_path).resolve().is_relative_to(root):
            return _skip(
                [
                    Problem(
                        shown,
                        message="is a link to a file outside content/.",
                        fix="Copy the file into content/ instead of linking to it.",
                    )
                ]
            )
        try:
            doc = split(read_source(Path(source_path), shown), shown)
        except FrontMatterError as exc:
            return _skip(exc.problems)
        timezone = self.settings["TIMEZONE"]
        if is_page(self.settings, source_path):
            checked = validate_page(doc, timezone=timezone)
        else:
            topics, _ = STATE.topics(self.settings)
            checked = validate_item(
                doc,
                topics,
                timezone=timezone,
                authority=self.settings["_DIGEST_CONTENT_CONFIG"]["id_authority"],
                asset_exists=lambda src: (
                    (root / src).resolve().is_relative_to(root)
                    and (root / src).is_file()
                ),
            )
        control = _BODY_CONTROL.search(doc.body)
        if control:
            checked.problems.append(
                Problem(
                    shown,
                    doc.body_line + doc.body.count("\n", 0, control.start()),
                    "body",
                    f"contains the control character U+{ord(control.group()):04X}, "
                    "which feeds cannot carry.",
                    "Retype the line; remove invisible characters.",
                )
            )
        body = render_markdown(_BODY_CONTROL.sub("", doc.body))
        if _IMG_WITHOUT_ALT.search(body):
            checked.problems.append(
                Problem(
                    shown,
                    doc.body_line,
                    "body",
                    "has an image without alt text.",
                    "Write images as ![what the image shows](path).",
                )
            )
        checked.problems.extend(self._address_problems(doc, checked.values))
        if not checked.ok:
            return _skip(checked.problems)
        return body, self._metadata(checked.values, checked.problems)

    def _address_problems(self, doc: Any, values: dict[str, Any]) -> list[Problem]:
        """Names that slugify to nothing would write tags//index.html and the like,
        overwriting the site's own pages (or crashing Pelican's writer)."""
        problems = []

        def refuse(key: str, field: str, fix: str) -> None:
            problems.append(
                Problem(
                    doc.path,
                    doc.lines.get(key),
                    field,
                    "has no letters or digits to make an address from.",
                    fix,
                )
            )

        if (
            values.get("title")
            and "slug" not in doc.metadata
            and not slugify(
                values["title"], regex_subs=self.settings["SLUG_REGEX_SUBSTITUTIONS"]
            )
        ):
            refuse("title", "title", "Add 'slug: a-few-words' for the address.")
        for index, tag in enumerate(values.get("tags") or []):
            if not url_slug(tag, "TAG", self.settings):
                refuse("tags", f"tags[{index}]", "Use a tag with letters or digits.")
        source = values.get("source")
        if source and not url_slug(source, "SOURCE", self.settings):
            refuse("source", "source", "Write the outlet's name in letters or digits.")
        return problems

    def _metadata(
        self, values: dict[str, Any], problems: list[Problem]
    ) -> dict[str, Any]:
        """Turn checked values into what Pelican's Content expects."""
        meta: dict[str, Any] = {PROBLEMS_KEY: problems}  # warnings only, at this point
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
            elif key == "updated":
                meta["updated"] = meta["modified"] = value
            else:
                meta[key] = value
        if "slug" not in meta and "title" in meta:
            meta["slug"] = slugify(
                meta["title"], regex_subs=self.settings["SLUG_REGEX_SUBSTITUTIONS"]
            )
        return meta


def url_slug(name: str, kind: str, settings: dict[str, Any]) -> str:
    """The slug Pelican's URLWrapper (Tag, Source, ...) gives ``name``."""
    return slugify(
        name,
        regex_subs=settings.get(
            f"{kind}_REGEX_SUBSTITUTIONS", settings.get("SLUG_REGEX_SUBSTITUTIONS", [])
        ),
        preserve_case=settings.get("SLUGIFY_PRESERVE_CASE", False),
        use_unicode=settings.get("SLUGIFY_USE_UNICODE", False),
    )


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
        files = sorted(display_path(settings, c.source_path) for c in group)
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
            for shown in sorted(display_path(settings, c.source_path) for c in group):
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


def source_slug_problems(
    contents: list[Any], settings: dict[str, Any]
) -> list[Problem]:
    """Two spellings of an outlet ("A.P.", "AP") that share one sources/ page."""
    names: dict[str, dict[str, list[Any]]] = defaultdict(lambda: defaultdict(list))
    for content in contents:
        if getattr(content, "source", None):
            slug = url_slug(content.source, "SOURCE", settings)
            names[slug][content.source].append(content)
    problems = []
    for slug, spellings in sorted(names.items()):
        if len({tag_key(name) for name in spellings}) < 2:
            continue
        quoted = ", ".join(f"'{name}'" for name in sorted(spellings))
        for group in spellings.values():
            for content in group:
                problems.append(
                    Problem(
                        display_path(settings, content.source_path),
                        None,
                        "source",
                        f"the outlet names {quoted} all make the address "
                        f"sources/{slug}/.",
                        "Spell the outlet's name the same way in every item.",
                    )
                )
    return problems


def outside_links(root: Path, shown_root: str) -> list[Problem]:
    """Symlinks under content/ that lead out of it (Pelican follows them)."""
    problems = []
    for dirpath, dirnames, filenames in os.walk(root):
        for name in sorted(dirnames + filenames):
            path = Path(dirpath) / name
            if path.is_symlink() and not path.resolve().is_relative_to(root):
                problems.append(
                    Problem(
                        str(Path(shown_root) / path.relative_to(root)),
                        message="is a symbolic link to outside content/.",
                        fix="Replace the link with a copy of the file, or remove it.",
                    )
                )
        dirnames[:] = [d for d in dirnames if not (Path(dirpath) / d).is_symlink()]
    return problems


def canonical_spellings(names: list[str]) -> dict[str, str]:
    """For each case-folded name, the most used spelling (ties: sorted first)."""
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    for name in names:
        counts[tag_key(name)][name] += 1
    return {
        key: sorted(counter.items(), key=lambda kv: (-kv[1], kv[0]))[0][0]
        for key, counter in counts.items()
    }


def order_key(content: Any) -> tuple[float, str]:
    """Newest first; items published at the same moment keep a stable order."""
    return (-content.date.timestamp(), getattr(content, "item_id", content.source_path))


# --- Signal receivers ----------------------------------------------------------


def initialized(pelican: Any) -> None:
    STATE.reset()
    config, report = content_settings(pelican.settings)
    raise_if_errors(report, "newsdigest settings are invalid")
    pelican.settings["_DIGEST_CONTENT_CONFIG"] = config  # checked once, read per file


def add_reader(readers: Any) -> None:
    """Markdown items only: Pelican's HTML and reST readers would publish raw
    markup unvalidated, so they are switched off (static files keep theirs)."""
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
                and path.suffix.lstrip(".") not in DigestReader.file_extensions
                and not any(path.is_relative_to(s) for s in static)
            ):
                problems.append(
                    Problem(
                        display_path(settings, str(path)),
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
    root = content_root(settings)
    report.extend(outside_links(root, root.name))
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
    signals.initialized.connect(initialized)
    signals.readers_init.connect(add_reader)
    signals.article_generator_context.connect(collect_problems)
    signals.page_generator_context.connect(collect_problems)
    signals.article_generator_pretaxonomy.connect(unify_tags)
    signals.all_generators_finalized.connect(stop_on_problems)
