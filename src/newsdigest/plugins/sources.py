"""Pelican plugin: a page per source (outlet) and an index of sources.

Pelican knows categories, tags and authors; an outlet is none of those (an
item's ``authors`` are the original's writers), so sources get a generator of
their own. ``Source`` is a Pelican ``URLWrapper``, so its address comes from the
``SOURCE_URL`` / ``SOURCE_SAVE_AS`` settings and paginates like a tag page.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from functools import partial
from typing import Any

from pelican import signals
from pelican.generators import Generator
from pelican.urlwrappers import URLWrapper

from newsdigest.model.schema import tag_key
from newsdigest.model.spellings import canonical_spellings

logger = logging.getLogger(__name__)

DEFAULTS = {
    "SOURCE_URL": "sources/{slug}/",
    "SOURCE_SAVE_AS": "sources/{slug}/index.html",
    "SOURCES_URL": "sources/",
    "SOURCES_SAVE_AS": "sources/index.html",
}


class Source(URLWrapper):
    """An outlet whose stories the digest has kept."""


def group_by_source(
    articles: list[Any], settings: dict[str, Any]
) -> list[tuple[Source, list[Any]]]:
    """Items per outlet, outlets by name; one outlet however its name is cased."""
    spelling = canonical_spellings([a.source for a in articles])
    groups: dict[str, list[Any]] = defaultdict(list)
    for article in articles:
        groups[tag_key(article.source)].append(article)
    sources = []
    for key in sorted(groups, key=lambda k: (spelling[k].casefold(), spelling[k])):
        source = Source(spelling[key], settings)
        for article in groups[key]:
            article.outlet = source
        sources.append((source, groups[key]))
    return sources


class SourcesGenerator(Generator):
    """Writes ``source.html`` per outlet and ``sources.html`` for the index."""

    def generate_context(self) -> None:
        articles = self.context.get("articles", [])
        self.sources = group_by_source(articles, self.settings)
        hidden = self.context.get("hidden_articles", []) + self.context.get(
            "drafts", []
        )
        group_by_source(hidden, self.settings)  # their pages link to the outlet too
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
    signals.initialized.connect(set_defaults)
    signals.get_generators.connect(get_generators)
