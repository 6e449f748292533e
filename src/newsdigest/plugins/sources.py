"""Pelican plugin: a page per source (outlet) and an index of sources.

Pelican knows categories, tags and authors; an outlet is none of those (an
item's ``authors`` are the original's writers), so sources get a generator of
their own. ``Source`` is a Pelican ``URLWrapper``, so its address comes from the
``SOURCE_URL`` / ``SOURCE_SAVE_AS`` settings and paginates like a tag page.

What readers should know about an outlet (its homepage, language, paywall) comes
from ``content/sources.yml``, read by ``newsdigest.model.sources`` (the loader
``ingest`` uses too). Each item gets its outlet's ``paywall`` and
``source_language`` as plain values (the item page's key then changes with
them); an item whose source is not listed gets ``"none"`` and ``None`` and is
built as before.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from functools import partial
from typing import Any

from pelican import signals
from pelican.generators import Generator
from pelican.urlwrappers import URLWrapper

from newsdigest.engine.runstate import STATE, start_run
from newsdigest.model.schema import tag_key
from newsdigest.model.sources import Source as Outlet
from newsdigest.model.sources import load_site_sources
from newsdigest.model.spellings import canonical_spellings

logger = logging.getLogger(__name__)

DEFAULTS = {
    "SOURCE_URL": "sources/{slug}/",
    "SOURCE_SAVE_AS": "sources/{slug}/index.html",
    "SOURCES_URL": "sources/",
    "SOURCES_SAVE_AS": "sources/index.html",
}


class Source(URLWrapper):
    """An outlet whose stories the digest has kept, with what ``sources.yml``
    says of it (``paywall`` "none" and no homepage when it is not listed)."""

    paywall = "none"
    homepage = ""
    language: str | None = None


def group_by_source(
    articles: list[Any],
    settings: dict[str, Any],
    outlets: dict[str, Outlet] | None = None,
) -> list[tuple[Source, list[Any]]]:
    """Items per outlet, outlets by name; one outlet however its name is cased.
    ``outlets`` (by ``tag_key`` of the name) describe the listed ones."""
    outlets = outlets or {}
    spelling = canonical_spellings([a.source for a in articles])
    groups: dict[str, list[Any]] = defaultdict(list)
    for article in articles:
        groups[tag_key(article.source)].append(article)
    sources = []
    for key in sorted(groups, key=lambda k: (spelling[k].casefold(), spelling[k])):
        source = Source(spelling[key], settings)
        listed = outlets.get(key)
        if listed is not None:
            source.paywall = listed.paywall
            source.homepage = listed.homepage
            source.language = listed.language
        for article in groups[key]:
            article.outlet = source
            article.paywall = source.paywall
            article.source_language = source.language
        sources.append((source, groups[key]))
    return sources


class SourcesGenerator(Generator):
    """Writes ``source.html`` per outlet and ``sources.html`` for the index."""

    def generate_context(self) -> None:
        articles = self.context.get("articles", [])
        topics, _ = STATE.topics(self.settings)  # their problems are the reader's
        outlets, problems = load_site_sources(self.settings, topics)
        STATE.report.extend(problems)  # stops the build before anything is written
        self.sources = group_by_source(articles, self.settings, outlets)
        hidden = self.context.get("hidden_articles", []) + self.context.get(
            "drafts", []
        )
        # Their pages link to the outlet and show its paywall too.
        group_by_source(hidden, self.settings, outlets)
        self._update_context(("sources",))

    def generate_output(self, writer: Any) -> None:
        write = partial(writer.write_file, relative_urls=self.settings["RELATIVE_URLS"])
        template = self.get_template("source")
        dates = self.context.get("dates", [])
        for source, articles in self.sources:
            members = set(map(id, articles))
            write(
                source.save_as,
                template,
                self.context,
                source=source,
                url=source.url,
                articles=articles,
                dates=[a for a in dates if id(a) in members],
                template_name="source",
                page_name=source.page_name,
            )
        write(
            self.settings["SOURCES_SAVE_AS"],
            self.get_template("sources"),
            self.context,
            url=self.settings["SOURCES_URL"],
            template_name="sources",
            page_name="sources",
        )


def set_defaults(pelican: Any) -> None:
    for key, value in DEFAULTS.items():
        pelican.settings.setdefault(key, value)


def get_generators(_pelican: Any) -> type[Generator]:
    return SourcesGenerator


def register() -> None:
    signals.get_generators.connect(start_run)
    signals.initialized.connect(set_defaults)
    signals.get_generators.connect(get_generators)
