"""What search engines, social cards and feeds are told about an item.

One place decides an item's modified date (an ``updated:`` or a correction,
whichever is later), who wrote what (our digest wrote the summary, the
original's authors and outlet wrote the story) and how a label reads, so the
page's JSON-LD, its OpenGraph tags, the sitemaps and every feed format agree.
Structured data is built as plain dicts and serialised by ``jsonld_script``
alone, which escapes ``<``, ``>`` and ``&`` so no value (a headline with
``</script>`` in it) can end the script element. No Pelican imports: tests
call these with simple objects.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Sequence
from html import escape
from typing import Any

from markupsafe import Markup

from newsdigest.dates import iso
from newsdigest.labels import DEFAULT_LABEL, label_name
from newsdigest.links.original import archive_url
from newsdigest.urls import SAFE_SCHEMES, scheme_of


def item_label_name(item: Any) -> str:
    """The display name of the item's label, as the reader looked it up in the
    site's labels table (the default table for items made elsewhere)."""
    return getattr(item, "label_name", None) or label_name(
        getattr(item, "label", None) or DEFAULT_LABEL
    )


def absolute(base: str, path: str) -> str:
    """``base`` (absolute, ending in /) joined with a site-relative path."""
    if scheme_of(path) in SAFE_SCHEMES:
        return path
    return base.rstrip("/") + "/" + path.lstrip("/")


def item_modified(item: Any) -> dt.datetime:
    """The latest of the item's date, ``updated:`` and its corrections' dates.

    A correction is a change readers must be told about even when the curator
    forgot to set ``updated:``.
    """
    dates = [item.date]
    if getattr(item, "updated", None):
        dates.append(item.updated)
    dates += [c["date"] for c in getattr(item, "corrections", None) or []]
    return max(dates)


def source_authors(item: Any) -> list[str]:
    authors = getattr(item, "source_authors", None) or []
    return [authors] if isinstance(authors, str) else list(authors)


def image_address(image: dict[str, Any] | None, base: str) -> str | None:
    if not image:
        return None
    return image["src"] if image.get("external") else absolute(base, image["src"])


def jsonld_script(data: Any) -> Markup:
    """A ``<script type="application/ld+json">`` element that nothing can break.

    ``json.dumps`` leaves ``<``, ``>``, ``&`` as they are, so they are written as
    ``\\u003c`` etc., which JSON parsers read back unchanged.
    """
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return Markup(f'<script type="application/ld+json">{text}</script>')


def organisation(name: str, url: str | None = None) -> dict[str, Any]:
    data: dict[str, Any] = {"@type": "Organization", "name": name}
    if url:
        data["url"] = url
    return data


def item_jsonld(
    item: Any,
    base: str,
    site_name: str,
    default_image: str | None = None,
) -> list[dict[str, Any]]:
    """``NewsArticle`` (or a more precise subtype) and its ``BreadcrumbList``."""
    url = absolute(base, item.url)
    article: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "url": url,
        "headline": item.title,
        "description": item.summary,
        "datePublished": iso(item.date),
        "dateModified": iso(item_modified(item)),
        "articleSection": item.category.name,
        "genre": item_label_name(item),
        "keywords": [tag.name for tag in item.tags],
        "inLanguage": getattr(item, "lang", None) or "en",
        "author": [{"@type": "Person", "name": name} for name in source_authors(item)]
        or [organisation(item.source)],
        "publisher": organisation(site_name, base),
        "isBasedOn": {
            "@type": "NewsArticle",
            "url": item.source_url,
            "publisher": organisation(item.source),
        },
    }
    if getattr(item, "source_date", None):
        article["isBasedOn"]["datePublished"] = iso(item.source_date)
    if archive_url(item):
        article["isBasedOn"]["archivedAt"] = archive_url(item)
    # The outlet's paywall (content/sources.yml, newsdigest.model.sources): the
    # original is not free to read, our summary is.
    if getattr(item, "paywall", "none") != "none":
        article["isBasedOn"]["isAccessibleForFree"] = False
    if getattr(item, "source_language", None):
        article["isBasedOn"]["inLanguage"] = item.source_language
    if source_authors(item):
        article["isBasedOn"]["author"] = article["author"]
    image = image_address(getattr(item, "image", None), base) or default_image
    if image:
        article["image"] = [image]
    corrections = getattr(item, "corrections", None) or []
    if corrections:
        article["correction"] = [
            {
                "@type": "CorrectionComment",
                "datePublished": iso(c["date"]),
                "text": c["text"],
            }
            for c in corrections
        ]
    crumbs = [
        ("Home", base),
        (item.category.name, absolute(base, item.category.url)),
        (item.title, url),
    ]
    return [article, breadcrumbs(crumbs)]


def breadcrumbs(crumbs: Sequence[tuple[str, str]]) -> dict[str, Any]:
    return {
        "@context": "https://schema.org",
        "@type": "BreadcrumbList",
        "itemListElement": [
            {"@type": "ListItem", "position": n, "name": name, "item": url}
            for n, (name, url) in enumerate(crumbs, start=1)
        ],
    }


def collection_jsonld(
    name: str, page_url: str, items: Iterable[Any], base: str, description: str = ""
) -> dict[str, Any]:
    """A listing page: ``CollectionPage`` whose main entity lists its items."""
    elements = [
        {
            "@type": "ListItem",
            "position": n,
            "url": absolute(base, item.url),
            "name": item.title,
        }
        for n, item in enumerate(items, start=1)
    ]
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "CollectionPage",
        "name": name,
        "url": page_url,
        "mainEntity": {
            "@type": "ItemList",
            "numberOfItems": len(elements),
            "itemListElement": elements,
        },
    }
    if description:
        data["description"] = description
    return data


def social_meta(
    *,
    title: str,
    description: str,
    url: str,
    site_name: str,
    image: str | None,
    image_alt: str = "",
    item: Any = None,
    twitter_site: str = "",
    locale: str = "en",
) -> list[tuple[str, str, str]]:
    """(attribute, name, content) of every OpenGraph and Twitter card tag.

    OpenGraph uses ``property=``, Twitter ``name=``; templates write them as
    they come, so the list is the whole card.
    """
    tags = [
        ("property", "og:site_name", site_name),
        ("property", "og:title", title),
        ("property", "og:description", description),
        ("property", "og:url", url),
        ("property", "og:type", "article" if item is not None else "website"),
        ("property", "og:locale", locale.replace("-", "_")),
    ]
    if image:
        tags.append(("property", "og:image", image))
        if image_alt:
            tags.append(("property", "og:image:alt", image_alt))
    if item is not None:
        tags += [
            ("property", "article:published_time", iso(item.date)),
            ("property", "article:modified_time", iso(item_modified(item))),
            ("property", "article:section", item.category.name),
        ]
        tags += [("property", "article:tag", tag.name) for tag in item.tags]
    # Twitter reads og:title, og:description and og:image when its own are
    # missing, so only the card type is repeated.
    tags.append(("name", "twitter:card", "summary_large_image" if image else "summary"))
    if twitter_site:
        tags.append(("name", "twitter:site", twitter_site))
    return tags


def entry_extras_html(item: Any) -> tuple[str, str]:
    """HTML a feed entry shows before and after our text: the label, then the
    corrections and who wrote the original. Escaped here, from plain text."""
    label = getattr(item, "label", "news") or "news"
    before = (
        f"<p><strong>{escape(item_label_name(item))}</strong></p>"
        if label != "news"
        else ""
    )
    after = ""
    corrections = getattr(item, "corrections", None) or []
    if corrections:
        heading = "Correction" if len(corrections) == 1 else "Corrections"
        entries = "".join(
            f"<li>{escape(c['date'].date().isoformat())}: {escape(c['text'])}</li>"
            for c in corrections
        )
        after += f"<h2>{heading}</h2><ul>{entries}</ul>"
    authors = source_authors(item)
    if authors:
        after += (
            f"<p>Original by {escape(', '.join(authors))}, {escape(item.source)}.</p>"
        )
    return before, after
