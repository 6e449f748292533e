"""Pelican plugin: an item's address never changes silently.

Every build records each published item's address (kept beside the build by
``newsdigest.plugins.publish``). The next build compares: an item whose address moved
(a new slug, title or date) is an error unless the old address is listed in
its ``aliases:``; every alias is published as a small redirect page (canonical
link to the new address, meta refresh, ``noindex``). Items that vanished are
named in a warning. The rules are in ``newsdigest.model.addresses``.
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

from newsdigest.engine.runstate import STATE, start_run
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
from newsdigest.problems import DigestError, Problem, content_path

logger = logging.getLogger(__name__)
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


def taken_paths(context: dict[str, Any], settings: dict[str, Any]) -> dict[str, str]:
    """Output paths of the site's real pages, each with what writes it."""
    taken: dict[str, str] = {}
    for key in ("articles", "hidden_articles", "drafts", "pages", "hidden_pages"):
        for content in context.get(key, []):
            taken[os.path.normpath(content.save_as)] = content_path(
                settings, content.source_path
            )
    for key in ("tags", "categories", "sources"):
        for wrapper, _items in context.get(key, []):
            taken[os.path.normpath(wrapper.save_as)] = f"the page of {wrapper.name}"
    for key in ("YEAR_ARCHIVE_SAVE_AS", "MONTH_ARCHIVE_SAVE_AS", "DAY_ARCHIVE_SAVE_AS"):
        pattern = settings.get(key)
        for article in context.get("articles", []) if pattern else []:
            taken[os.path.normpath(pattern.format(date=article.date))] = (
                "an archive page of the site"
            )
    for name in settings.get("DIRECT_TEMPLATES", []):
        path = settings.get(f"{name.upper()}_SAVE_AS", f"{name}.html")
        if path:
            taken[os.path.normpath(path)] = f"the site's {name} page"
    for key in ("TAGS_SAVE_AS", "CATEGORIES_SAVE_AS", "SOURCES_SAVE_AS"):
        if settings.get(key):
            taken[os.path.normpath(settings[key])] = "an index page of the site"
    return taken


def reserved_prefix_problems(
    items: list[Addressed], settings: dict[str, Any]
) -> list[Problem]:
    """Aliases inside folders the site fills with files of its own (static
    files, the theme's assets, feeds, pagination): a redirect page there would
    collide with a file written later in the build."""
    prefixes = {
        *(p.strip("/") for p in settings.get("STATIC_PATHS", [])),
        settings.get("THEME_STATIC_DIR", "theme").strip("/"),
        "feeds",
        "page",
    }
    problems = []
    for item in items:
        for alias in item.aliases:
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
            *alias_collision_problems(items, taken_paths(self.context, settings)),
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
        self.redirects = [
            (alias, by_id[entry.item_id]) for entry in items for alias in entry.aliases
        ]

    def generate_output(self, writer: Any) -> None:
        write = partial(writer.write_file, relative_urls=self.settings["RELATIVE_URLS"])
        template = self.get_template("redirect")
        for alias, item in self.redirects:
            save_as = alias_save_as(alias)
            target = Path(self.output_path, save_as)
            if target.exists() or any(p.is_file() for p in target.parents):
                raise DigestError(
                    f"{content_path(self.settings, item.source_path)}: the alias "
                    f"/{alias_url(alias)} would overwrite a page of the site. "
                    "Nothing was published. Fix: remove the alias."
                )
            write(
                save_as,
                template,
                self.context,
                article=item,
                url=alias_url(alias),
                template_name="redirect",
                page_name=save_as.removesuffix(".html"),
            )


def get_generators(_pelican: Any) -> type[Generator]:
    return AliasesGenerator


def register() -> None:
    signals.get_generators.connect(start_run)
    signals.get_generators.connect(get_generators)
