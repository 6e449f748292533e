"""Pelican plugin: drafts and items dated in the future stay out of production.

Development builds (an empty or relative ``SITEURL``) write drafts, and items
whose date has not come yet, under ``drafts/`` -- not listed, not in feeds --
and the build summary prints their preview addresses. Production builds write
neither; the summary names the items that are waiting for their date. The rules
themselves are in the library, ``newsdigest.model.scheduling`` (plain data, no
Pelican); this module is only its receivers and ``register()``.
"""

from __future__ import annotations

import logging
from typing import Any

from pelican import signals

from newsdigest.engine.runstate import STATE, start_run
from newsdigest.model.scheduling import (
    is_production,
    preview_base,
    preview_line,
    schedule_config,
    split_waiting,
    waiting_line,
)
from newsdigest.problems import content_path
from newsdigest.publishing.builddate import schedule_date

logger = logging.getLogger(__name__)


def initialized(pelican: Any) -> None:
    """Check DIGEST_SCHEDULE once, at start-up; receivers read the result."""
    schedule_config(pelican.settings)


def _previews(settings: dict[str, Any]) -> bool:
    return not is_production(settings)


def hold_back(generator: Any) -> None:
    """Before tags, topics and archives are built: take out what must wait."""
    settings = generator.settings
    preview = _previews(settings)
    when = schedule_date(settings)
    generator.articles, waiting = split_waiting(generator.articles, when)
    generator.hidden_articles, waiting_hidden = split_waiting(
        generator.hidden_articles, when
    )
    waiting += waiting_hidden
    for item in sorted(waiting, key=lambda i: (i.date, i.source_path)):
        STATE.notes.append(waiting_line(item, content_path(settings, item.source_path)))
        item.status = "draft"  # its address becomes DRAFT_URL
        item.scheduled = True
    if preview:
        generator.drafts = [*generator.drafts, *waiting]
        base = preview_base(settings)
        STATE.notes.extend(preview_line(d, base) for d in generator.drafts)
    else:
        if generator.drafts:
            STATE.notes.append(
                f"{len(generator.drafts)} draft(s) left out of this production build."
            )
        generator.drafts, generator.drafts_translations = [], []


def hold_back_pages(generator: Any) -> None:
    if not _previews(generator.settings):
        generator.draft_pages, generator.draft_translations = [], []
        generator.context["draft_pages"] = []


def register() -> None:
    signals.get_generators.connect(start_run)
    signals.initialized.connect(initialized)
    signals.article_generator_pretaxonomy.connect(hold_back)
    signals.page_generator_finalized.connect(hold_back_pages)
