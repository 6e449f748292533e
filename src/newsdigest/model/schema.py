"""The front matter contract of curated items and pages, checked field by field.

Validation collects every problem of a file instead of stopping at the first, and
each problem carries the key's line and a fix. The checked values come back in
the shapes the theme and feeds rely on: aware datetimes, normalised tags, one
``image`` mapping, a stable item id.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import unicodedata
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from newsdigest.dates import DayDate, precedes
from newsdigest.labels import DEFAULT_LABEL, DEFAULT_LABELS
from newsdigest.model.addresses import alias_path_problem, same_address
from newsdigest.model.frontmatter import BODY_UNSAFE_CHARS, UNSAFE_CHARS, Document
from newsdigest.model.topics import MAX_SLUG_BYTES, SLUG, WINDOWS_RESERVED, Topic
from newsdigest.problems import WARNING, Problem
from newsdigest.urls import (
    is_absolute_http_url,
    is_safe_url,
    normalise_url,
    unreachable_host,
)

LABELS = tuple(DEFAULT_LABELS)  # the default table; sites may declare their own
STATUSES = ("published", "draft", "hidden")
REQUIRED = ("title", "date", "topic", "summary", "source", "source_url")
OPTIONAL = (
    "tags",
    "source_date",
    "authors",
    "label",
    "image",
    "lang",
    "status",
    "updated",
    "corrections",
    "slug",
    "aliases",
    # A snapshot of the original (``newsdigest archive`` writes both).
    "archive_url",
    "archive_date",
)
# For the curator's eyes only (``newsdigest add`` writes its guesses there):
# accepted in front matter and never read, so no value of theirs reaches
# ``Checked.values``, Pelican's metadata, a page or a feed, whatever it holds.
CURATOR_ONLY = ("curator_notes",)
ITEM_KEYS = frozenset(REQUIRED + OPTIONAL + CURATOR_ONLY)
PAGE_KEYS = frozenset({"title", "slug", "summary", "status", "lang"})
IMAGE_KEYS = frozenset({"src", "alt", "credit"})
CORRECTION_KEYS = frozenset({"date", "text"})

# Pelican reads these from metadata to choose where and how a page is written.
# Front matter must never decide output paths or templates.
PELICAN_KEYS = frozenset(
    {
        "save_as",
        "url",
        "template",
        "category",
        "author",
        "modified",
        "path",
        "filename",
        "override_url",
        "translation",
        "translation_id",
        "summary_max_length",
        "date_format",
        "headline",
        "output_path",
    }
)
_CHAR_REFERENCE = re.compile(r"&#(?:[xX]([0-9a-fA-F]+)|([0-9]+));?")

# Limits: what an item needs, far below what slows a build or breaks a writer.
MAX_FIELD_BYTES = 1_000  # one-line fields: title, summary, alt text...
MAX_TEXT_BYTES = 5_000  # multi-line fields: a correction's text
MAX_NAME_BYTES = 100  # a tag, an outlet, an author
MAX_LIST = {"tags": 20, "authors": 20, "corrections": 20}
LANG = re.compile(r"^[a-zA-Z]{2,3}(-[a-zA-Z0-9]{2,8})*$")
# A sentence ends at . ! or ? (maybe closed by a quote or bracket), then a capital.
SUMMARY_SENTENCES = re.compile(r"[.!?][\"'\u201d\u2019)]*\s+(?=[A-Z\"\u201c\u2018(])")


@dataclass
class Checked:
    """Validated values of one file, plus every problem found in it."""

    values: dict[str, Any] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not any(p.is_error for p in self.problems)


def item_id(authority: str, source_url: str) -> str:
    """An item's permanent identity: a tag: URI (RFC 4151) from its original's URL.

    The original's URL is what the item is about, so it does not change when the
    curator edits the title, slug or date; the authority comes from settings, not
    from SITEURL, so moving the site keeps every feed entry's id.
    """
    digest = hashlib.sha256(normalise_url(source_url).encode()).hexdigest()[:20]
    return f"tag:{authority}:item:{digest}"


def normalise_tag(tag: str) -> str:
    """Trim and collapse whitespace, compose accents (NFC, so a pasted "Café" is
    the typed one); the tag's identity is this, case-folded."""
    return unicodedata.normalize("NFC", " ".join(tag.split()))


def unsafe_char(text: str, pattern: re.Pattern[str] = UNSAFE_CHARS) -> str | None:
    """The first character feeds cannot carry, written as U+XXXX, or None."""
    match = pattern.search(text)
    return f"U+{ord(match.group()):04X}" if match else None


def unsafe_reference(text: str) -> re.Match[str] | None:
    """The first character reference (``&#1;``, ``&#xFFFE;``, ``&#xD800;``) that
    decodes to a character feeds cannot carry, or to nothing (``&#0;``)."""
    for match in _CHAR_REFERENCE.finditer(text):
        hexa, decimal = match.groups()
        digits = hexa or decimal
        if len(digits.lstrip("0")) > 7:
            return match
        code = int(digits, 16 if hexa else 10)
        if code == 0 or code > 0x10FFFF:
            return match
        if 0x80 <= code <= 0x9F:
            continue  # HTML reads these as Windows-1252 (&#x93; is a quote)
        if BODY_UNSAFE_CHARS.match(chr(code)):
            return match
    return None


def slug_bytes(slug: str) -> int:
    return len(slug.encode("utf-8"))


def truncate_slug(slug: str, limit: int = MAX_SLUG_BYTES) -> str:
    """Cut a slug made from a long title at the last hyphen that fits."""
    if slug_bytes(slug) <= limit:
        return slug
    cut = slug.encode("utf-8")[: limit + 1].decode("utf-8", "ignore")
    head = cut.rsplit("-", 1)[0] if "-" in cut else cut[:limit]
    while slug_bytes(head) > limit:
        head = head[:-1]
    return head.strip("-")


def tag_key(tag: str) -> str:
    return normalise_tag(tag).casefold()


class _Validator:
    """Checks one document; each ``check_<key>`` stores a value or a problem."""

    def __init__(self, doc: Document, tz: ZoneInfo) -> None:
        self.doc = doc
        self.tz = tz
        self.result = Checked()

    def problem(
        self, key: str, message: str, fix: str, *, severity: str = "error"
    ) -> None:
        self.result.problems.append(
            Problem(
                self.doc.path,
                self.doc.lines.get(key.split(".")[0].split("[")[0]),
                key,
                message,
                fix,
                severity,
            )
        )

    def check_keys(self, allowed: frozenset[str], required: tuple[str, ...]) -> None:
        for key in self.doc.metadata:
            if key in allowed:
                continue
            if key in PELICAN_KEYS:
                self.problem(
                    key,
                    "is not allowed: output paths, templates and categories are "
                    "set by the site's settings, not by an item.",
                    f"Remove '{key}'. Use 'slug' to change the address, 'topic' to "
                    "file the item.",
                )
            else:
                close = [k for k in sorted(allowed) if _similar(key, k)]
                hint = f" Did you mean '{close[0]}'?" if close else ""
                self.problem(
                    key,
                    "is not a known key.",
                    f"Remove it or rename it.{hint} Known keys: "
                    + ", ".join(sorted(allowed))
                    + ".",
                )
        for key in required:
            value = self.doc.metadata.get(key)
            if value is None or (isinstance(value, str) and not value.strip()):
                self.result.problems.append(
                    Problem(
                        self.doc.path,
                        self.doc.lines.get(key, 2 if key == "title" else None),
                        key,
                        "is required but missing or empty.",
                        _REQUIRED_FIX.get(key, f"Add '{key}: ...'."),
                    )
                )

    def text(self, key: str, value: Any, *, multiline: bool = False) -> str | None:
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            self.problem(
                key,
                f"must be text, not {_kind(value)}.",
                f'Write it as a quoted string: {key}: "..."',
            )
            return None
        if isinstance(value, int) and abs(value) > 10**30:
            self.problem(
                key,
                "is a number far too long to be a value.",
                f'Quote it if it is text: {key}: "..."',
            )
            return None
        text = str(value)
        unsafe = unsafe_char(text)
        if unsafe or (not multiline and "\n" in text.strip()):
            what = f"control characters ({unsafe})" if unsafe else "line breaks"
            self.problem(
                key,
                f"contains {what}, which pages and feeds cannot carry.",
                "Retype the value on one line; remove invisible characters "
                "(and YAML escapes such as \\u0001 or \\uFFFE).",
            )
            return None
        text = " ".join(text.split()) if not multiline else text.strip()
        # One spelling per character: a pasted "e" + combining accent is "é".
        text = unicodedata.normalize("NFC", text)
        if not text:
            self.problem(key, "is empty.", f"Give '{key}' a value or remove it.")
            return None
        limit = MAX_TEXT_BYTES if multiline else MAX_FIELD_BYTES
        if len(text.encode("utf-8")) > limit:
            self.problem(
                key,
                f"is {len(text.encode('utf-8')):,} bytes long; the limit is {limit:,}.",
                "Shorten it; put the details in the body.",
            )
            return None
        return text

    def name(self, key: str, value: Any) -> str | None:
        """A tag, outlet or author: short, since each may become an address."""
        text = self.text(key, value)
        if text and len(text.encode("utf-8")) > MAX_NAME_BYTES:
            self.problem(
                key,
                f"is {len(text.encode('utf-8'))} bytes long; names are limited to "
                f"{MAX_NAME_BYTES}.",
                "Use a short name (it becomes part of an address).",
            )
            return None
        return text

    def date(self, key: str, value: Any) -> dt.datetime | None:
        if isinstance(value, dt.datetime):
            when = value
        elif isinstance(value, dt.date):
            return DayDate.start_of(value, self.tz)  # a day: no invented time
        elif isinstance(value, str):
            raw = value.strip()
            if re.fullmatch(r"\d{4}(-\d{2})?", raw):
                self.problem(
                    key,
                    f"'{raw}' is a partial date.",
                    "Give a full date, e.g. 2021-12-31 or 2021-12-31T18:30:00+01:00.",
                )
                return None
            if re.fullmatch(r"\d{4}-\d{2}-\d{2}", raw):
                try:
                    return DayDate.start_of(dt.date.fromisoformat(raw), self.tz)
                except ValueError:
                    pass  # reported below, like any other impossible date
            try:
                when = dt.datetime.fromisoformat(raw.replace(" ", "T", 1))
            except ValueError:
                self.problem(
                    key,
                    f"'{raw[:60]}' is not an ISO 8601 date.",
                    "Write it as 2021-12-31, 2021-12-31 18:30 or "
                    "2021-12-31T18:30:00+01:00.",
                )
                return None
        else:
            self.problem(
                key,
                f"must be a date, not {_kind(value)}.",
                "Write it as 2021-12-31 or 2021-12-31T18:30:00+01:00.",
            )
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=self.tz)
        return when

    def url(self, key: str, value: Any, what: str = "the original") -> str | None:
        text = self.text(key, value)
        if text is None:
            return None
        if not is_absolute_http_url(text):
            self.problem(
                key,
                f"'{text[:200]}' is not an absolute http(s) URL.",
                f"Use the full address of {what}, starting with https://.",
            )
            return None
        reason = unreachable_host(text)
        if reason:
            self.problem(
                key,
                f"'{text[:200]}' {reason}.",
                "Use the address where readers find the original on the web.",
            )
            return None
        return text

    def string_list(self, key: str, value: Any, *, allow_single: bool) -> list[str]:
        if isinstance(value, str) and allow_single:
            value = [value]
        if not isinstance(value, list):
            self.problem(
                key,
                f"must be a list, not {_kind(value)}.",
                f"Write it as a YAML list: {key}: [First, Second]",
            )
            return []
        limit = MAX_LIST.get(key)
        if limit is not None and len(value) > limit:
            self.problem(
                key,
                f"has {len(value):,} entries; the limit is {limit}.",
                f"Keep the {limit} that matter most.",
            )
            return []
        items: list[str] = []
        for index, entry in enumerate(value):
            if not isinstance(entry, str):
                self.problem(
                    f"{key}[{index}]",
                    f"must be text, not {_kind(entry)}.",
                    f'Quote it: "{entry}"',
                )
                continue
            text = self.name(f"{key}[{index}]", entry)
            if text:
                items.append(text)
        return items


_REQUIRED_FIX = {
    "title": "Add 'title: \"Headline in our words\"'.",
    "date": "Add 'date: 2021-12-31' (or with a time and offset).",
    "topic": "Add 'topic: <slug>' with a slug from content/topics.yml.",
    "summary": "Add 'summary: \"One or two sentences in our words.\"'.",
    "source": "Add 'source: Outlet Name'.",
    "source_url": "Add 'source_url: https://...' with the original's address.",
}


def _kind(value: Any) -> str:
    return {
        bool: "true/false",
        int: "a number",
        float: "a number",
        list: "a list",
        dict: "a mapping",
        type(None): "empty",
        dt.date: "a date",
        dt.datetime: "a date and time",
    }.get(type(value), type(value).__name__)


def _similar(a: str, b: str) -> bool:
    a, b = a.lower().replace("-", "_"), b.lower()
    return a == b or a.rstrip("s") == b.rstrip("s") or (len(a) > 3 and a in b)


def _check_slug(v: _Validator, value: Any) -> str | None:
    text = v.text("slug", value)
    if text is None:
        return None
    if not SLUG.match(text):
        v.problem(
            "slug",
            f"'{text[:100]}' is not a valid slug.",
            "Use lowercase letters, digits and single hyphens only "
            "(no '/', '..', spaces or dots), e.g. 'lavrov-security-guarantees'.",
        )
        return None
    if slug_bytes(text) > MAX_SLUG_BYTES:
        v.problem(
            "slug",
            f"is {slug_bytes(text)} characters long; addresses are limited to "
            f"{MAX_SLUG_BYTES}.",
            "Use a few words, e.g. 'lavrov-security-guarantees'.",
        )
        return None
    if text in WINDOWS_RESERVED:
        v.problem(
            "slug",
            f"'{text}' is a name Windows cannot use for a folder.",
            "Add a word, e.g. 'con-talks'.",
        )
        return None
    return text


def _check_choice(
    v: _Validator, key: str, value: Any, choices: tuple[str, ...]
) -> bool:
    """True if ``value`` is one of ``choices``; else a problem that lists them."""
    if isinstance(value, str) and value in choices:
        return True
    empty = value is None or (isinstance(value, str) and not value.strip())
    v.problem(
        key,
        "is empty." if empty else f"'{str(value)[:60]}' is not a {key}.",
        ("Remove it or use one of: " if empty else "Use one of: ")
        + ", ".join(choices)
        + ("; or declare it in DIGEST_CONTENT['labels']." if key == "label" else "."),
    )
    return False


def _check_status(v: _Validator, value: Any) -> str:
    if not _check_choice(v, "status", value, STATUSES):
        return "published"
    return value


def _check_lang(v: _Validator, value: Any) -> str | None:
    text = v.text("lang", value)
    if text and not LANG.match(text):
        v.problem(
            "lang", f"'{text[:60]}' is not a language tag.", "Use e.g. en, fr, pt-BR."
        )
        return None
    return text


def _check_image(
    v: _Validator,
    value: Any,
    asset_exists: Callable[[str], bool],
    asset_problem: Callable[[str], str | None] | None = None,
) -> dict[str, str | bool] | None:
    if not isinstance(value, dict):
        v.problem(
            "image",
            f"must be a mapping with src, alt and credit, not {_kind(value)}.",
            "Indent 'src:', 'alt:' and 'credit:' under 'image:'.",
        )
        return None
    for key in sorted(set(value) - IMAGE_KEYS):
        v.problem(
            f"image.{key}", "is not a known image key.", "Use only src, alt, credit."
        )
    src = v.text("image.src", value.get("src")) if "src" in value else None
    if src is None:
        if "src" not in value:
            v.problem("image.src", "is missing.", "Add 'src:' under 'image:'.")
        return None
    if not is_safe_url(src) or src.startswith("//"):
        v.problem(
            "image.src",
            f"'{src[:200]}' is not an allowed image address.",
            "Use an https:// URL or a path under content/, e.g. images/photo.jpg.",
        )
        return None
    external = is_absolute_http_url(src)
    if not external:
        src = src.lstrip("/")
        reason = (
            "leads out of content/"
            if ".." in src.split("/")
            else asset_problem(src)
            if asset_problem
            else None
            if asset_exists(src)
            else "does not exist under content/"
        )
        if reason:
            v.problem(
                "image.src",
                f"'{src[:200]}' {reason}.",
                "Put the image in content/images/ and write 'src: images/<file>'.",
            )
            return None
    alt = value.get("alt")
    alt = v.text("image.alt", alt) if alt is not None else None
    if not alt:
        v.problem(
            "image.alt",
            "is required with an image.",
            "Describe what the image shows for readers who cannot see it.",
        )
        return None
    image: dict[str, str | bool] = {"src": src, "alt": alt, "external": external}
    if value.get("credit") is not None:
        credit = v.text("image.credit", value["credit"])
        if credit:
            image["credit"] = credit
    return image


def _check_corrections(v: _Validator, value: Any) -> list[dict[str, Any]]:
    if not isinstance(value, list):
        v.problem(
            "corrections",
            f"must be a list, not {_kind(value)}.",
            "Write '- date: 2022-01-03' and '  text: What was corrected.' "
            "under 'corrections:'.",
        )
        return []
    if len(value) > MAX_LIST["corrections"]:
        v.problem(
            "corrections",
            f"has {len(value):,} entries; the limit is {MAX_LIST['corrections']}.",
            "Merge corrections of the same day into one.",
        )
        return []
    corrections = []
    for index, entry in enumerate(value):
        key = f"corrections[{index}]"
        if not isinstance(entry, dict) or set(entry) - CORRECTION_KEYS:
            v.problem(
                key,
                "must have exactly 'date' and 'text'.",
                "Write '- date: 2022-01-03' and '  text: What was corrected.'",
            )
            continue
        when = v.date(f"{key}.date", entry.get("date"))
        text = v.text(f"{key}.text", entry.get("text"), multiline=True)
        if when and text:
            corrections.append({"date": when, "text": text})
    return sorted(corrections, key=lambda c: c["date"])


def _check_aliases(v: _Validator, value: Any) -> list[str]:
    """Old addresses of the item (see ``newsdigest.model.addresses``)."""
    aliases: list[str] = []
    for index, entry in enumerate(v.string_list("aliases", value, allow_single=True)):
        if any(same_address(entry, kept) for kept in aliases):
            continue  # the same old address written twice
        problem = alias_path_problem(entry)
        if problem:
            v.problem(
                f"aliases[{index}]",
                f"'{entry}' {problem}",
                "Write the item's old address as a path, e.g. '/2022/01/old-slug/'.",
            )
        else:
            aliases.append(entry)
    return aliases


def validate_item(
    doc: Document,
    topics: dict[str, Topic],
    *,
    timezone: str,
    authority: str,
    asset_exists: Callable[[str], bool] = lambda _src: True,
    labels: Collection[str] = LABELS,
    asset_problem: Callable[[str], str | None] | None = None,
) -> Checked:
    """Check an item's front matter; return clean values and every problem.

    ``labels`` are the keys of the site's labels table
    (``DIGEST_CONTENT["labels"]``). ``asset_problem`` says why a local image
    path cannot be published (missing, not an image, through a link...); without
    it, ``asset_exists`` decides."""
    v = _Validator(doc, ZoneInfo(timezone))
    meta = doc.metadata
    v.check_keys(ITEM_KEYS, REQUIRED)
    values = v.result.values

    for key in ("title", "summary"):
        if meta.get(key) is not None:
            values[key] = v.text(key, meta[key])
    if meta.get("source") is not None:
        values["source"] = v.name("source", meta["source"])
    if values.get("summary"):
        sentences = len(SUMMARY_SENTENCES.split(values["summary"]))
        if sentences > 2 or len(values["summary"]) > 400:
            v.problem(
                "summary",
                f"has {sentences} sentences and {len(values['summary'])} characters.",
                "Keep the summary to one or two sentences; put the rest in the body.",
                severity=WARNING,
            )
    if meta.get("date") is not None:
        values["date"] = v.date("date", meta["date"])
    for key in ("source_date", "updated"):
        if meta.get(key) is not None:
            values[key] = v.date(key, meta[key])
    if (
        values.get("updated")
        and values.get("date")
        and precedes(values["updated"], values["date"])
    ):
        v.problem(
            "updated",
            "is earlier than 'date'.",
            "'updated' is when the item was last changed; it cannot precede 'date'.",
        )
    if meta.get("topic") is not None:
        topic = meta["topic"]
        if not isinstance(topic, str):
            v.problem(
                "topic",
                f"must be one topic slug, not {_kind(topic)}.",
                "Write 'topic: <slug>' with one slug from content/topics.yml.",
            )
        elif topic not in topics:
            choices = ", ".join(topics) or "(none declared)"
            v.problem(
                "topic",
                f"'{topic[:60]}' is not declared in topics.yml.",
                f"Use one of: {choices}; or add it to content/topics.yml.",
            )
        else:
            values["topic"] = topics[topic]
    if meta.get("source_url") is not None:
        values["source_url"] = v.url("source_url", meta["source_url"])
        if values["source_url"]:
            values["item_id"] = item_id(authority, values["source_url"])

    tags: list[str] = []
    seen: set[str] = set()
    if "tags" in meta and meta["tags"] is not None:
        for tag in v.string_list("tags", meta["tags"], allow_single=False):
            normal = normalise_tag(tag)
            if tag_key(normal) not in seen:
                seen.add(tag_key(normal))
                tags.append(normal)
    values["tags"] = tags
    values["authors"] = (
        v.string_list("authors", meta["authors"], allow_single=True)
        if meta.get("authors") is not None
        else []
    )
    label = meta.get("label", DEFAULT_LABEL)
    if not _check_choice(v, "label", label, tuple(labels)):
        label = DEFAULT_LABEL
    values["label"] = label
    if meta.get("image") is not None:
        values["image"] = _check_image(v, meta["image"], asset_exists, asset_problem)
    if meta.get("lang") is not None:
        values["lang"] = _check_lang(v, meta["lang"])
    values["status"] = _check_status(v, meta.get("status", "published"))
    values["corrections"] = (
        _check_corrections(v, meta["corrections"])
        if meta.get("corrections") is not None
        else []
    )
    if meta.get("slug") is not None:
        values["slug"] = _check_slug(v, meta["slug"])
    if meta.get("aliases") is not None:
        values["aliases"] = _check_aliases(v, meta["aliases"])
    _check_archive(v, meta)
    return v.result


def _check_archive(v: _Validator, meta: dict[str, Any]) -> None:
    """``archive_url`` (a snapshot of the original) and ``archive_date`` (its day)."""
    values = v.result.values
    if meta.get("archive_url") is not None:
        values["archive_url"] = v.url(
            "archive_url", meta["archive_url"], "the snapshot"
        )
    if meta.get("archive_date") is not None:
        values["archive_date"] = v.date("archive_date", meta["archive_date"])
        if meta.get("archive_url") is None:
            v.problem(
                "archive_date",
                "is set without 'archive_url'.",
                "Add the snapshot's address as 'archive_url', or remove the date "
                "(`newsdigest archive` writes both).",
            )


def validate_page(doc: Document, *, timezone: str) -> Checked:
    """Check a standalone page's front matter (about, colophon, ...)."""
    v = _Validator(doc, ZoneInfo(timezone))
    meta = doc.metadata
    v.check_keys(PAGE_KEYS, ("title",))
    values = v.result.values
    for key in ("title", "summary"):
        if meta.get(key) is not None:
            values[key] = v.text(key, meta[key])
    values["status"] = _check_status(v, meta.get("status", "published"))
    if meta.get("slug") is not None:
        values["slug"] = _check_slug(v, meta["slug"])
    if meta.get("lang") is not None:
        values["lang"] = _check_lang(v, meta["lang"])
    return v.result
