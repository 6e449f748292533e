"""Pelican plugin: what ``newsdigest linkcheck`` found, applied to the items.

Reads ``content/links.yml`` (``DIGEST_ARCHIVE["links_file"]``), never the
network, so a build is the same whenever it runs. Its problems (file, line,
field) stop the build like any content problem; an item whose original is gone
gets ``link_gone`` (the theme, feeds and email then send readers to its
snapshot), and one gone without a snapshot is a warning naming the item.
The logic is in ``newsdigest.links``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pelican import signals

from newsdigest.engine.runstate import STATE, start_run
from newsdigest.links.config import archive_config
from newsdigest.links.linksfile import read_links
from newsdigest.model.staticfiles import content_relative
from newsdigest.problems import WARNING, Problem, content_path


def configure(pelican: Any) -> None:
    """Check ``DIGEST_ARCHIVE`` once; the links file is data, never content."""
    config = archive_config(pelican.settings)
    ignored = list(pelican.settings.get("IGNORE_FILES") or [])
    name = Path(config["links_file"]).name
    if name not in ignored:
        pelican.settings["IGNORE_FILES"] = [*ignored, name]


def link_statuses(articles: list[Any], settings: dict[str, Any]) -> list[Problem]:
    """Mark each item whose original is gone; the problems of the links file."""
    config = archive_config(settings)
    base = Path(settings["PATH"])
    path = base / config["links_file"]
    records, problems = read_links(path, content_path(settings, str(path)))
    for article in articles:
        key = content_relative(base, article.source_path)
        record = records.get(key or "")
        article.link_gone = False
        if record is None or record.status != "gone":
            continue
        if not record.describes(article.source_url):
            continue  # checked before source_url was changed: not about this one
        article.link_gone = True
        if not getattr(article, "archive_url", None):
            problems.append(
                Problem(
                    content_path(settings, article.source_path),
                    (getattr(article, "digest_lines", None) or {}).get("source_url"),
                    "source_url",
                    f"the original is gone (since {record.gone_since}, "
                    f"{content_path(settings, str(path))}) and there is no snapshot.",
                    "Run `newsdigest archive` (an older snapshot may exist), set "
                    "archive_url by hand, or hide the item with `status: hidden`.",
                    WARNING,
                    check="links",
                )
            )
    return problems


def apply_links(generator: Any) -> None:
    STATE.report.extend(link_statuses(generator.articles, generator.settings))


def register() -> None:
    signals.get_generators.connect(start_run)
    signals.initialized.connect(configure)
    signals.article_generator_finalized.connect(apply_links)
