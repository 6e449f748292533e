"""Pelican plugin: how readers and machines find stories.

Related and neighbouring stories (computed once per build by
``newsdigest.discovery.related``), the head of every page (canonical URL, OpenGraph and
Twitter cards, JSON-LD from ``newsdigest.discovery.structured``), ``sitemap.xml``, a
Google News sitemap, ``robots.txt`` and an OPML list of every feed.

The sitemaps list what Pelican actually wrote: ``content_written`` tells this
plugin every page with the context it was rendered from, so a page kind added
later (editions, sources) is listed without a change here, and its ``lastmod``
is the newest change among the items it shows. Drafts, hidden items and the
404 page are left out. The files are written by a generator that runs after
the page generators, into the build Pelican is writing (the staged one).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Hashable
from dataclasses import dataclass
from email.utils import format_datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote
from xml.etree import ElementTree as ET

import jinja2
from markupsafe import Markup, escape
from pelican import signals
from pelican.generators import Generator
from pelican.utils import sanitised_join

from newsdigest.discovery.related import Story, related_stories, topic_neighbours
from newsdigest.discovery.structured import (
    absolute,
    collection_jsonld,
    image_address,
    item_jsonld,
    item_modified,
    jsonld_script,
    social_meta,
)
from newsdigest.engine.runstate import STATE, run_late, start_run
from newsdigest.engine.templatedeps import declare_reads
from newsdigest.feeds.plan import feed_specs, feeds_config
from newsdigest.problems import Report
from newsdigest.publishing.builddate import configured_build_date
from newsdigest.settings import (
    DISCOVERY_DEFAULTS,
    Config,
    config_key,
    feature_config,
    merge,
    raise_if_errors,
    setting_problem,
)
from newsdigest.urls import is_absolute_http_url

logger = logging.getLogger(__name__)

SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
NEWS_NS = "http://www.google.com/schemas/sitemap-news/0.9"
OPML_PATH = "feeds.opml"


# --- Settings ---------------------------------------------------------------------


def discovery_settings(settings: dict[str, Any]) -> dict[str, Any]:
    """``DIGEST_DISCOVERY`` merged over its defaults and checked, with the
    absolute base URL every card and sitemap needs resolved once."""
    report = Report()
    config = merge("DIGEST_DISCOVERY", DISCOVERY_DEFAULTS, settings, report)
    if config["related"] < 0:
        report.add(
            setting_problem(
                "DIGEST_DISCOVERY",
                "related",
                f"must be 0 or more, not {config['related']}.",
                "Use 0 to list no related stories, or up to 5.",
            )
        )
    if config["news_days"] < 1:
        report.add(
            setting_problem(
                "DIGEST_DISCOVERY",
                "news_days",
                f"must be 1 or more, not {config['news_days']}.",
                "Google News wants the last 2 days: use 2.",
            )
        )
    siteurl = settings.get("SITEURL") or ""
    feeds = settings.get("DIGEST_FEEDS") or {}
    base = (
        config["base_url"]
        or (siteurl if is_absolute_http_url(siteurl) else "")
        or (feeds.get("base_url") if isinstance(feeds, dict) else "")
        or ""
    )
    if not is_absolute_http_url(base):
        report.add(
            setting_problem(
                "DIGEST_DISCOVERY",
                "base_url",
                f"canonical URLs and sitemaps need an absolute base URL, but "
                f"SITEURL is {siteurl!r}.",
                "Set SITEURL = 'https://...' (publishconf.py), or "
                "DIGEST_DISCOVERY['base_url'] for development builds.",
            )
        )
    raise_if_errors(report, "DIGEST_DISCOVERY is invalid")
    config["base_url"] = base.rstrip("/") + "/"
    return config


def config_of(settings: dict[str, Any]) -> Config:
    """``DIGEST_DISCOVERY``, checked once per run (the page context holds it)."""
    return feature_config(settings, "DIGEST_DISCOVERY", discovery_settings)


# --- Related and neighbouring stories ---------------------------------------------


def story_of(article: Any) -> Story:
    return Story(
        key=id(article),
        date=article.date,
        topic=article.category.slug,
        source=getattr(getattr(article, "outlet", None), "slug", None)
        or article.source.casefold(),
        tags=tuple(tag.slug for tag in article.tags),
        name=getattr(article, "item_id", None) or str(article.source_path),
    )


def relate(articles: list[Any], limit: int) -> None:
    """Give every published item ``related`` (up to ``limit`` items) and
    ``topic_previous`` / ``topic_next`` (older / newer in its topic)."""
    by_key: dict[Hashable, Any] = {id(a): a for a in articles}
    stories = [story_of(a) for a in articles]
    related = related_stories(stories, limit=limit) if limit else {}
    neighbours = topic_neighbours(stories)
    for article in articles:
        key = id(article)
        article.related = [by_key[k] for k in related.get(key, [])]
        older, newer = neighbours[key]
        article.topic_previous = by_key[older] if older is not None else None
        article.topic_next = by_key[newer] if newer is not None else None


def add_related(generator: Any) -> None:
    """``article_generator_finalized``: once per build, over published items."""
    config = config_of(generator.settings)
    relate(list(generator.articles), config["related"])
    for article in getattr(generator, "hidden_articles", []) + getattr(
        generator, "drafts", []
    ):
        article.related, article.topic_previous, article.topic_next = [], None, None


# --- The head of every page -------------------------------------------------------


def page_path(output_file: str) -> str:
    """The public address of a written file: ``a/index.html`` is ``a/``."""
    if output_file == "index.html":
        return ""
    if output_file.endswith("/index.html"):
        return output_file[: -len("index.html")]
    return output_file


def listing_name(context: dict[str, Any]) -> str:
    if context.get("category"):
        return context["category"].name
    if context.get("tag"):
        return f"Stories tagged “{context['tag'].name}”"
    if context.get("source"):
        return f"Stories from {context['source'].name}"
    if context.get("period"):
        return "Archive: " + " ".join(str(p) for p in context["period"])
    return "Latest stories"


@jinja2.pass_context
def discovery_meta(context: jinja2.runtime.Context, description: str = "") -> Markup:
    """Canonical link, cards and JSON-LD for the page being rendered.

    A template global (module level, so settings stay picklable) that reads the
    page's own context: the item, the static page or the listing."""
    values = context.get_all()
    config = config_of(values)
    base = config["base_url"]
    output_file = values.get("output_file") or ""
    if output_file in ("", "404.html"):
        return Markup("")
    site = values.get("SITENAME", "")
    url = absolute(base, page_path(output_file))
    article = values.get("article")
    page = values.get("page")
    default_image = (
        absolute(base, config["default_image"]) if config["default_image"] else None
    )
    default_alt = config["default_image_alt"] or site
    scripts: list[Any] = []
    if article is not None and output_file.endswith(article.save_as):
        title = article.title
        image = image_address(getattr(article, "image", None), base)
        alt = article.image["alt"] if image else default_alt
        scripts = item_jsonld(article, base, site, image or default_image)
    else:
        article = None
        if page is not None and getattr(page, "save_as", None) == output_file:
            title = page.title
        elif values.get("articles_page") is not None or values.get("period"):
            title = listing_name(values)
            items = (
                values["articles_page"].object_list
                if values.get("articles_page") is not None
                else values.get("dates", [])
            )
            scripts = [collection_jsonld(title, url, items, base, description)]
        else:
            title = values.get("page_name", "") or site
            scripts = [collection_jsonld(title, url, [], base, description)]
        image, alt = None, default_alt
    tags = social_meta(
        title=title,
        description=description,
        url=url,
        site_name=site,
        image=image or default_image,
        image_alt=alt,
        item=article,
        twitter_site=config["twitter_site"],
        locale=values.get("DEFAULT_LANG", "en"),
    )
    lines = [f'<link rel="canonical" href="{escape(url)}">']
    lines += [f'<meta {a}="{escape(n)}" content="{escape(c)}">' for a, n, c in tags]
    lines += [jsonld_script(data) for data in scripts]
    return Markup("\n".join(str(line) for line in lines))


def _meta_reads(context: Any) -> list[str]:
    """What ``discovery_meta`` reads of a page's context (for the incremental
    writer's page keys): the listing's items are ``dates`` only on a period
    archive; elsewhere ``dates`` is every item and is not read."""
    names = [
        config_key("DIGEST_DISCOVERY"),
        "output_file",
        "SITENAME",
        "DEFAULT_LANG",
        "page_name",
    ]
    names += ["article", "page", "articles_page", "period"]
    names += ["category", "tag", "source"]
    if context.get("articles_page") is None and context.get("period"):
        names.append("dates")
    return names


declare_reads(discovery_meta, _meta_reads)


def configure(pelican: Any) -> None:
    config = config_of(pelican.settings)
    pelican.settings["JINJA_GLOBALS"] = {
        **(pelican.settings.get("JINJA_GLOBALS") or {}),
        "discovery_meta": discovery_meta,
        "opml_path": OPML_PATH if config["opml"] else None,
    }


# --- Sitemaps, robots.txt, OPML ---------------------------------------------------


@dataclass(frozen=True)
class SitemapEntry:
    path: str  # site-relative address, "" for the home page
    lastmod: dt.datetime | None


def is_public(output_file: str, context: dict[str, Any]) -> bool:
    if output_file == "404.html" or output_file.startswith("drafts/"):
        return False
    for key in ("article", "page"):
        content = context.get(key)
        if content is not None and getattr(content, "save_as", None) == output_file:
            return getattr(content, "status", "published") == "published"
    return True


def page_lastmod(output_file: str, context: dict[str, Any]) -> dt.datetime | None:
    """When what the page shows last changed: the item's own modified date, or
    the newest change among the items a listing shows; None when unknown."""
    article = context.get("article")
    if article is not None and getattr(article, "save_as", None) == output_file:
        return item_modified(article)
    page = context.get("page")
    if page is not None and getattr(page, "save_as", None) == output_file:
        return getattr(page, "updated", None) or getattr(page, "date", None)
    if context.get("articles_page") is not None:
        shown = context["articles_page"].object_list
    elif context.get("dates") and context.get("period"):
        shown = context["dates"]
    else:
        shown = context.get("articles") or []
    dates = [item_modified(a) for a in shown]
    return max(dates) if dates else None


def remember_written(path: str, context: dict[str, Any]) -> None:
    """``content_written``: note every public HTML page for the sitemap."""
    output_file = context.get("output_file") or ""
    if not output_file.endswith(".html") or not is_public(output_file, context):
        return
    STATE.written[output_file] = SitemapEntry(
        page_path(output_file), page_lastmod(output_file, context)
    )


def w3c_datetime(value: dt.datetime) -> str:
    """W3C Datetime with seconds and an offset, as sitemaps require."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return value.replace(microsecond=0).isoformat()


def _xml(root: ET.Element) -> bytes:
    ET.indent(root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True) + b"\n"


def sitemap_xml(entries: list[SitemapEntry], base: str) -> bytes:
    ET.register_namespace("", SITEMAP_NS)
    root = ET.Element(f"{{{SITEMAP_NS}}}urlset")
    for entry in sorted(entries, key=lambda e: e.path):
        url = ET.SubElement(root, f"{{{SITEMAP_NS}}}url")
        ET.SubElement(url, f"{{{SITEMAP_NS}}}loc").text = absolute(base, entry.path)
        if entry.lastmod:
            ET.SubElement(url, f"{{{SITEMAP_NS}}}lastmod").text = w3c_datetime(
                entry.lastmod
            )
    return _xml(root)


#: sitemaps.org: at most 50,000 URLs (and 50 MB) in one sitemap; a site with
#: more gets a sitemap index (``sitemap.xml``) over numbered sitemaps.
SITEMAP_MAX_URLS = 50_000


def sitemap_files(entries: list[SitemapEntry], base: str) -> list[tuple[str, bytes]]:
    """``sitemap.xml``, or for a larger site a sitemap index of that name over
    ``sitemap-1.xml``, ``sitemap-2.xml``... of at most ``SITEMAP_MAX_URLS`` each."""
    ordered = sorted(entries, key=lambda e: e.path)
    if len(ordered) <= SITEMAP_MAX_URLS:
        return [("sitemap.xml", sitemap_xml(ordered, base))]
    files: list[tuple[str, bytes]] = []
    ET.register_namespace("", SITEMAP_NS)
    index = ET.Element(f"{{{SITEMAP_NS}}}sitemapindex")
    for start in range(0, len(ordered), SITEMAP_MAX_URLS):
        part = ordered[start : start + SITEMAP_MAX_URLS]
        name = f"sitemap-{start // SITEMAP_MAX_URLS + 1}.xml"
        files.append((name, sitemap_xml(part, base)))
        sitemap = ET.SubElement(index, f"{{{SITEMAP_NS}}}sitemap")
        ET.SubElement(sitemap, f"{{{SITEMAP_NS}}}loc").text = absolute(base, name)
        changed = [entry.lastmod for entry in part if entry.lastmod]
        if changed:
            ET.SubElement(sitemap, f"{{{SITEMAP_NS}}}lastmod").text = w3c_datetime(
                max(changed)
            )
    return [("sitemap.xml", _xml(index)), *files]


def news_items(articles: list[Any], build_date: dt.datetime, days: int) -> list[Any]:
    """Items published in the ``days`` before the build date (Google News)."""
    start = build_date - dt.timedelta(days=days)
    return [a for a in articles if start <= a.date <= build_date]


def news_sitemap_xml(
    articles: list[Any], base: str, publication: str, default_lang: str
) -> bytes:
    ET.register_namespace("", SITEMAP_NS)
    ET.register_namespace("news", NEWS_NS)
    root = ET.Element(f"{{{SITEMAP_NS}}}urlset")
    for article in articles:
        url = ET.SubElement(root, f"{{{SITEMAP_NS}}}url")
        ET.SubElement(url, f"{{{SITEMAP_NS}}}loc").text = absolute(base, article.url)
        news = ET.SubElement(url, f"{{{NEWS_NS}}}news")
        pub = ET.SubElement(news, f"{{{NEWS_NS}}}publication")
        ET.SubElement(pub, f"{{{NEWS_NS}}}name").text = publication
        lang = (getattr(article, "lang", None) or default_lang).lower()
        ET.SubElement(pub, f"{{{NEWS_NS}}}language").text = lang
        ET.SubElement(news, f"{{{NEWS_NS}}}publication_date").text = w3c_datetime(
            article.date
        )
        ET.SubElement(news, f"{{{NEWS_NS}}}title").text = article.title
    return _xml(root)


#: What a URL may hold unencoded (RFC 3986 reserved and unreserved, and '%').
URL_CHARS = ":/?#[]@!$&'()*+,;=%~"


def robots_txt(base: str, sitemaps: list[str]) -> str:
    """robots.txt is one directive per line: every URL is percent-encoded, so
    no value (a base URL from the settings) can start a line of its own."""
    lines = ["User-agent: *", "Disallow: /drafts/", ""]
    lines += [
        f"Sitemap: {quote(absolute(base, name), safe=URL_CHARS)}" for name in sitemaps
    ]
    return "\n".join(lines) + "\n"


def opml_xml(
    groups: list[tuple[str, list[tuple[str, str, str]]]],
    title: str,
    created: dt.datetime,
) -> bytes:
    """OPML 2.0: one outline per group, one ``rss`` outline per feed
    (title, feed URL, page URL)."""
    root = ET.Element("opml", version="2.0")
    head = ET.SubElement(root, "head")
    ET.SubElement(head, "title").text = title
    ET.SubElement(head, "dateCreated").text = format_datetime(created)
    body = ET.SubElement(root, "body")
    for name, feeds in groups:
        if not feeds:
            continue
        group = ET.SubElement(body, "outline", text=name, title=name)
        for feed_title, xml_url, html_url in feeds:
            ET.SubElement(
                group,
                "outline",
                type="rss",
                text=feed_title,
                title=feed_title,
                xmlUrl=xml_url,
                htmlUrl=html_url,
            )
    return _xml(root)


def opml_groups(
    context: dict[str, Any], settings: dict[str, Any]
) -> list[tuple[str, list[tuple[str, str, str]]]]:
    """Every topic and tag feed, named and placed as the ``feeds`` plugin does."""
    feeds = feeds_config(settings)
    if not feeds["formats"]:
        return []
    fmt = "atom" if "atom" in feeds["formats"] else feeds["formats"][0]
    base = feeds["base_url"]
    groups: dict[str, list[tuple[str, str, str]]] = {"topics": [], "tags": []}
    for spec, _items in feed_specs(context, settings, feeds):
        kind = spec.key.split("/")[0]
        if kind in groups:
            groups[kind].append(
                (
                    spec.title,
                    absolute(base, spec.path(fmt)),
                    absolute(base, spec.page_url),
                )
            )
    return [("Topics", groups["topics"]), ("Tags", groups["tags"])]


class DiscoveryGenerator(Generator):
    """Writes the sitemaps, robots.txt and the OPML file once every page
    generator listed before it has written its pages."""

    run_late = 1  # see newsdigest.engine.runstate.run_late

    def generate_context(self) -> None:
        self.config = config_of(self.settings)

    def _write(self, writer: Any, name: str, data: bytes) -> None:
        write_keyed = getattr(writer, "write_keyed", None)
        if write_keyed is not None:  # newsdigest's writer: checked, or linked
            write_keyed(name, [data], lambda: data)
            return
        path = Path(sanitised_join(writer.output_path, name))
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)

    def generate_output(self, writer: Any) -> None:
        config, base = self.config, self.config["base_url"]
        articles = self.context.get("articles", [])
        build_date = configured_build_date(self.settings, articles)
        sitemaps = []
        if config["sitemap"]:
            for name, data in sitemap_files(list(STATE.written.values()), base):
                self._write(writer, name, data)
            sitemaps.append("sitemap.xml")  # the sitemap index on a large site
        if config["news_sitemap"]:
            recent = news_items(articles, build_date, config["news_days"])
            publication = config["publication_name"] or self.settings["SITENAME"]
            data = news_sitemap_xml(
                recent, base, publication, self.settings.get("DEFAULT_LANG", "en")
            )
            self._write(writer, "news-sitemap.xml", data)
            sitemaps.append("news-sitemap.xml")
        if config["robots"]:
            self._write(writer, "robots.txt", robots_txt(base, sitemaps).encode())
        if config["opml"]:
            groups = opml_groups(self.context, self.settings)
            title = f"{self.settings['SITENAME']}: every topic and tag feed"
            self._write(writer, OPML_PATH, opml_xml(groups, title, build_date))


def get_generators(_pelican: Any) -> type[Generator]:
    return DiscoveryGenerator


def register() -> None:
    signals.get_generators.connect(start_run)
    signals.initialized.connect(configure)
    signals.get_generators.connect(get_generators)
    signals.article_generator_finalized.connect(add_related)
    signals.content_written.connect(remember_written)
    signals.all_generators_finalized.connect(run_late)
