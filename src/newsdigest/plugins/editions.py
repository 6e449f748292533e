"""Pelican plugin: digest editions (daily or weekly), their feed and their email.

Thin on purpose: the rules live in ``newsdigest.editions.periods``, ``edition_notes``,
``edition_model`` and ``newsletter``. Editions are a page kind added with
``get_generators``; every file (edition pages, the paginated index, the email
HTML, text and ``.eml``) goes through Pelican's ``writer.write_file``, so the
writer's checks, ``content_written`` receivers and later the engine's cache
see them like any other page. Nothing post-processes the output folder.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Callable
from functools import partial
from html import escape
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

from pelican import signals
from pelican.generators import Generator
from pelican.utils import sanitised_join

from newsdigest.editions.model import (
    EMAIL_MAX_BYTES,
    Edition,
    build_editions,
    editions_config,
)
from newsdigest.editions.newsletter import (
    build_message,
    edition_list_html,
    email_sections,
    inline_css,
    message_text,
    sender,
)
from newsdigest.editions.notes import read_notes
from newsdigest.editions.periods import zone
from newsdigest.editions.plaintext import PlainText
from newsdigest.engine.runstate import STATE, start_run
from newsdigest.feeds.formats import EXTRA_FEEDS_KEY, FORMATS, FeedSpec
from newsdigest.feeds.plan import feed_title
from newsdigest.problems import DigestError
from newsdigest.settings import content_config
from newsdigest.urls import EMAIL_HTML

logger = logging.getLogger(__name__)

FEED_KEY = "editions"
DEFAULTS = {
    "EDITION_URL": "editions/{id}/",
    "EDITION_SAVE_AS": "editions/{id}/index.html",
    "EDITIONS_URL": "editions/",
    "EDITIONS_SAVE_AS": "editions/index.html",
}


class RenderedTemplate:
    """Looks like a Jinja template to Pelican's writer, renders through ``render``.

    The email files are not plain template output (CSS inlined, a MIME message),
    yet they must go through ``writer.write_file`` like every page."""

    def __init__(
        self,
        render: Callable[[dict[str, Any]], str],
        made_from: Callable[[dict[str, Any]], list[tuple[Any, dict[str, Any]]]]
        | None = None,
    ) -> None:
        self._render = render
        # The Jinja templates and contexts the text is made from: newsdigest's
        # writer keys the file by what they read, and skips an unchanged one
        # before anything is rendered.
        self.made_from = made_from

    def render(self, context: dict[str, Any]) -> str:
        return self._render(context)


def base_url(settings: dict[str, Any]) -> str:
    """Absolute base for the email and the feed: the feeds' base, else SITEURL."""
    feeds = settings.get("_DIGEST_FEEDS_CONFIG") or {}
    base = (
        feeds.get("base_url")
        or (settings.get("DIGEST_FEEDS") or {}).get("base_url")
        or settings.get("FEED_DOMAIN")
        or settings.get("SITEURL")
        or ""
    )
    return base.rstrip("/") + "/"


class EditionsGenerator(Generator):
    """Groups published items into editions and writes their pages and email."""

    def generate_context(self) -> None:
        config = editions_config(self.settings)
        self.config = config
        self.editions: list[Edition] = []
        self.context["editions"] = []
        # What the navigation of every page reads (not the list: a page's key
        # in the incremental writer covers what its template reads).
        self.context["has_editions"] = False
        self.context["latest_edition"] = None
        self.context["editions_period"] = config["period"]
        self.context["editions_email"] = config["email"]
        if config["period"] == "off":
            return
        root = Path(self.settings["PATH"]).resolve()
        notes, problems = read_notes(
            root / config["notes_dir"],
            f"{root.name}/{config['notes_dir']}",
            config["period"],
        )
        topics = STATE.topics(self.settings)[0]
        editions, more = build_editions(
            self.context.get("articles", []),
            config["period"],
            zone(self.settings["TIMEZONE"]),
            list(topics),
            notes,
        )
        STATE.report.extend(problems + more)
        for edition in editions:
            edition.url = self.settings["EDITION_URL"].format(id=edition.id)
            edition.save_as = self.settings["EDITION_SAVE_AS"].format(id=edition.id)
            for item in edition.items:
                item.edition = edition
        self.editions = editions
        self.context["editions"] = list(reversed(editions))  # newest first
        self.context["has_editions"] = bool(editions)
        if config["home_latest"] and editions:
            self.context["latest_edition"] = editions[-1]
        self.context["editions_feed"] = {
            "key": FEED_KEY,
            "title": feed_title(FEED_KEY, self.settings["SITENAME"]),
        }
        STATE.counts["editions"] = len(editions)

    def generate_output(self, writer: Any) -> None:
        if not self.editions:
            return
        relative = self.settings["RELATIVE_URLS"]
        write = partial(writer.write_file, relative_urls=relative)
        template = self.get_template("edition")
        for edition in self.editions:
            write(
                edition.save_as,
                template,
                self.context,
                edition=edition,
                url=edition.url,
                template_name="edition",
                page_name=edition.url.rstrip("/"),
            )
        write(
            self.settings["EDITIONS_SAVE_AS"],
            self.get_template("editions"),
            self.context,
            paginated={"editions": self.context["editions"]},
            template_name="editions",
            url=self.settings["EDITIONS_URL"],
            page_name=self.settings["EDITIONS_URL"].rstrip("/"),
        )
        if self.config["email"]:
            for edition in self.editions:
                self.write_email(writer, edition)
        self.write_feed(writer)

    def write_email(self, writer: Any, edition: Edition) -> None:
        """email.html (CSS inlined), email.txt and email.eml beside the page."""
        base = base_url(self.settings)
        folder = edition.save_as.rpartition("/")[0]
        html_template = self.env.get_template("email/edition.html")
        text_template = self.env.get_template("email/edition.txt")
        view_url = urljoin(base, edition.url)

        sections, more = email_sections(edition, self.config["email_max_items"])

        def local(context: dict[str, Any]) -> dict[str, Any]:
            return {
                **context,
                "edition": edition,
                "email_sections": sections,
                "email_more": more,
                "absolute": partial(urljoin, base),
                "view_url": view_url,
                "unsubscribe_url": self.config["unsubscribe_url"],
                # The text part's wrapping and [n] link references (a fresh
                # list of links for each rendering).
                "plain": PlainText(),
            }

        done: dict[str, str] = {}  # the .eml reuses what html() and text() made

        def html(context: dict[str, Any]) -> str:
            if "html" in done:
                return done["html"]
            rendered = inline_css(html_template.render(local(context)))
            size = len(rendered.encode("utf-8"))
            if size > EMAIL_MAX_BYTES:
                raise DigestError(
                    f"{folder}/email.html is {size:,} bytes; mail clients clip "
                    f"messages over {EMAIL_MAX_BYTES:,}. Fix: make the edition "
                    "shorter: lower DIGEST_EDITIONS['email_max_items'] or use "
                    "a daily period."
                )
            done["html"] = rendered
            return rendered

        def text(context: dict[str, Any]) -> str:
            done.setdefault("text", text_template.render(local(context)))
            return done["text"]

        def eml(context: dict[str, Any]) -> str:
            message = build_message(
                subject=f"{self.settings['SITENAME']} No. {edition.number}: "
                f"{edition.title}",
                html=html(context),
                text=text(context),
                from_addr=sender(self.config, self.settings["SITENAME"], base),
                reply_to=self.config["reply_to"],
                unsubscribe_url=self.config["unsubscribe_url"],
                view_url=view_url,
            )
            return message_text(message)

        def from_html(context: dict[str, Any]) -> list[tuple[Any, dict[str, Any]]]:
            return [(html_template, local(context))]

        def from_text(context: dict[str, Any]) -> list[tuple[Any, dict[str, Any]]]:
            return [(text_template, local(context))]

        def from_both(context: dict[str, Any]) -> list[tuple[Any, dict[str, Any]]]:
            return from_html(context) + from_text(context)

        for name, render, made_from in (
            (EMAIL_HTML, html, from_html),
            ("email.txt", text, from_text),
            ("email.eml", eml, from_both),
        ):
            writer.write_file(
                f"{folder}/{name}", RenderedTemplate(render, made_from), self.context
            )

    def write_feed(self, writer: Any) -> None:
        """One entry per edition, newest first; content: the edition's list."""
        base = base_url(self.settings)
        site = self.settings["SITENAME"]
        authority = content_config(self.settings)["id_authority"]
        spec = FeedSpec(
            FEED_KEY,
            feed_title(FEED_KEY, site),
            f"Every edition of {site}.",
            self.settings["EDITIONS_URL"],
        )
        newest = list(reversed(self.editions))
        for fmt in self.config["feed_formats"]:
            feed_class = FORMATS[fmt][0]
            feed = feed_class(
                title=spec.title,
                link=urljoin(base, spec.page_url),
                # RSS descriptions are HTML to feed readers; Atom's is text.
                description=escape(spec.description)
                if fmt == "rss"
                else spec.description,
                language=self.settings.get("DEFAULT_LANG", "en"),
                feed_url=urljoin(base, spec.path(fmt)),
                feed_guid=f"tag:{authority}:feed:{spec.key}",
                author_name=site,
                author_link=base,
            )
            for edition in newest:
                html = edition_list_html(edition, base)
                extra = {"summary": edition.words} if fmt == "json" else {}
                feed.add_item(
                    title=f"No. {edition.number}: {edition.title}",
                    link=urljoin(base, edition.url),
                    description=html if fmt == "rss" else edition.words,
                    content=html if fmt in ("atom", "json") else None,
                    unique_id=f"tag:{authority}:edition:{edition.id}",
                    unique_id_is_permalink=False,
                    pubdate=edition.date,
                    updateddate=max(
                        getattr(i, "updated", None) or i.date for i in edition.items
                    ),
                    author_name=site,
                    **extra,
                )
            path = Path(sanitised_join(writer.output_path, spec.path(fmt)))
            text = io.StringIO()
            feed.write(text, "utf-8")
            data = text.getvalue().encode("utf-8")
            write_keyed = getattr(writer, "write_keyed", None)
            if write_keyed is not None:  # newsdigest's writer: checked, or linked
                write_keyed(spec.path(fmt), [data], lambda data=data: data)
            else:
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_bytes(data)
            STATE.counts["feeds"] = STATE.counts.get("feeds", 0) + 1
            signals.feed_written.send(str(path), context=self.context, feed=feed)


def configure(pelican: Any) -> None:
    """Check DIGEST_EDITIONS once; keep edition notes away from other readers."""
    settings = pelican.settings
    try:
        config = editions_config(settings)
    except DigestError:
        # Raised again when the run starts, where newsdigest prints reports whole.
        return
    for key, value in DEFAULTS.items():
        settings.setdefault(key, value)
    # Notes are not items, pages or static files, whatever ARTICLE_PATHS says,
    # and whether editions are on or off.
    for key in ("ARTICLE_EXCLUDES", "PAGE_EXCLUDES", "STATIC_EXCLUDES"):
        excludes = list(settings.get(key) or [])
        if config["notes_dir"] not in excludes:
            excludes.append(config["notes_dir"])
        settings[key] = excludes
    if config["period"] == "off":
        return
    paginated = dict(settings.get("PAGINATED_TEMPLATES") or {})
    paginated.setdefault("editions", None)
    settings["PAGINATED_TEMPLATES"] = paginated
    extra = dict(settings.get(EXTRA_FEEDS_KEY) or {})
    extra[FEED_KEY] = list(config["feed_formats"])
    settings[EXTRA_FEEDS_KEY] = extra


def get_generators(pelican: Any) -> type[Generator]:
    editions_config(pelican.settings)  # kept since start-up, or the refusal
    return EditionsGenerator


def register() -> None:
    signals.get_generators.connect(start_run)
    signals.initialized.connect(configure)
    signals.get_generators.connect(get_generators)
