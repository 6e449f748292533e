"""The outlets a digest follows, declared in ``content/sources.yml``.

One file says what readers should know about a source and where ``ingest``
finds its feed, keyed by the outlet's name (the ``source`` of its items)::

    teleSUR English:
      homepage: https://www.telesurenglish.net/
      language: en
      paywall: none          # none | metered | hard
      feed: https://www.telesurenglish.net/rss/RssFeed.xml
      topic: geopolitics
      tags: [Latin America]

Every key is optional: an outlet listed without a ``feed`` describes itself
(its paywall, its language) and ``ingest`` skips it. An item whose ``source``
names no listed outlet is built as before. The one loader here is used by
``newsdigest ingest`` and by the build (``newsdigest.plugins.sources``), so the
two can never read the file differently. No Pelican import.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml

from newsdigest.model.frontmatter import (
    UNSAFE_CHARS,
    FrontMatterError,
    parse_yaml,
    read_source,
)
from newsdigest.model.schema import tag_key
from newsdigest.problems import Problem, content_path
from newsdigest.urls import host_of, is_absolute_http_url

SOURCES_FILE = "sources.yml"
SOURCE_KEYS = frozenset(
    {
        "homepage",
        "feed",
        "topic",
        "tags",
        "allow_private_network",
        "language",
        "paywall",
        "timezone",
    }
)
#: An IANA zone name's shape, checked before the zone database is asked.
TIMEZONE_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_+-]*(?:/[A-Za-z0-9_+-]+){0,2}$")
#: How much of an outlet a reader can read without paying.
PAYWALLS = ("none", "metered", "hard")
#: What a reader is told beside a link to a paywalled original, in words (not
#: a colour or an icon alone): the item page and the feeds say the same.
PAYWALL_WORDS = {
    "metered": "metered paywall: a few free articles, then a subscription",
    "hard": "paywall: subscription required",
}
#: A BCP 47 language tag, as ``lang`` attributes take it (en, pt-BR, zh-Hant).
LANGUAGE = re.compile(r"^[A-Za-z]{2,3}(?:-[A-Za-z0-9]{1,8})*$")
MAX_NAME = 200  # characters of an outlet's name


@dataclass
class Source:
    """An outlet: what readers are told about it, and its feed if it has one."""

    name: str
    feed: str | None = None
    homepage: str = ""
    topic: str | None = None
    tags: list[str] = field(default_factory=list)
    allow_private_network: bool = False
    language: str | None = None
    paywall: str = "none"
    # The IANA zone the outlet's times are in when it writes them without an
    # offset ("Europe/Berlin"); None: such times are cut to the date.
    timezone: str | None = None

    @property
    def paywalled(self) -> bool:
        return self.paywall != "none"


def nested_lines(text: str) -> dict[str, dict[str, int]]:
    """The 1-based line of each outlet's keys (``parse_yaml`` gives the top
    level only), so a problem points at ``paywall:``, not at the outlet. Only
    called on text ``parse_yaml`` accepted (no aliases, one mapping)."""
    node = yaml.compose(text, Loader=yaml.SafeLoader)
    lines: dict[str, dict[str, int]] = {}
    for key, value in node.value if isinstance(node, yaml.MappingNode) else []:
        if isinstance(value, yaml.MappingNode):
            lines[str(key.value)] = {
                str(k.value): k.start_mark.line + 1 for k, _ in value.value
            }
    return lines


def load_sources(
    path: Path, shown: str, topics: dict[str, Any]
) -> tuple[list[Source], list[Problem]]:
    """Read and check ``sources.yml``; every problem names the line, key and fix."""
    try:
        text = read_source(path, shown)
        data, lines = parse_yaml(text, shown)
    except FrontMatterError as error:
        return [], error.problems
    keys = nested_lines(text)
    sources: list[Source] = []
    problems: list[Problem] = []
    seen: dict[str, str] = {}
    if not data:
        problems.append(
            Problem(
                shown,
                message="lists no sources.",
                fix="Add one: 'Outlet name: {feed: https://..., topic: <slug>}'.",
            )
        )
    for name, spec in data.items():
        line = lines.get(name)
        before = len(problems)

        own_lines = keys.get(str(name), {})

        def problem(
            key: str,
            message: str,
            fix: str,
            line: int | None = line,
            own: dict[str, int] = own_lines,
        ) -> None:
            """A problem on the key's own line, else on the outlet's."""
            here = own.get(key.rpartition(".")[2]) if "." in key else None
            problems.append(Problem(shown, here or line, key, message, fix))

        if (
            not isinstance(name, str)
            or not name.strip()
            or len(name) > MAX_NAME
            or UNSAFE_CHARS.search(name)
        ):
            problem(
                str(name)[:MAX_NAME],
                "is not an outlet's name (text of up to 200 characters, without "
                "control or bidi characters).",
                "Write the outlet's name as its items' 'source' gives it.",
            )
            continue
        if tag_key(name) in seen:
            problem(
                name,
                f"is the outlet '{seen[tag_key(name)]}' again (names are matched "
                "whatever their case).",
                "List each outlet once.",
            )
            continue
        seen[tag_key(name)] = name
        if spec is None:
            spec = {}
        if not isinstance(spec, dict):
            problem(
                name,
                "must be a mapping with homepage, language, paywall, feed, topic, "
                "tags.",
                "Indent 'feed: https://...' under the source's name.",
            )
            continue
        for key in sorted(set(map(str, spec)) - SOURCE_KEYS):
            problem(
                f"{name}.{key}",
                "is not a known key.",
                "Sources take "
                + ", ".join(sorted(SOURCE_KEYS - {"allow_private_network"}))
                + " and allow_private_network.",
            )
        for key in ("feed", "homepage"):
            value = spec.get(key)
            if value is not None and not is_absolute_http_url(value):
                problem(
                    f"{name}.{key}",
                    f"{value!r} is not an absolute http(s) URL.",
                    f"Give the {key}'s address, starting with https://, or leave "
                    f"'{key}' out.",
                )
        topic = spec.get("topic")
        if topic is not None and (not isinstance(topic, str) or topic not in topics):
            problem(
                f"{name}.topic",
                f"{topic!r} is not declared in topics.yml.",
                "Use one of: " + ", ".join(topics) + ".",
            )
        tags = spec.get("tags") or []
        if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
            problem(
                f"{name}.tags",
                "must be a list of words.",
                "Write tags: [First, Second].",
            )
        private = spec.get("allow_private_network", False)
        if not isinstance(private, bool):
            problem(
                f"{name}.allow_private_network",
                f"must be true or false, not {private!r}.",
                "Write allow_private_network: true only for a feed on a network "
                "you trust (an intranet, a test server); leave it out otherwise.",
            )
        language = spec.get("language")
        if language is not None and (
            not isinstance(language, str) or not LANGUAGE.fullmatch(language)
        ):
            problem(
                f"{name}.language",
                f"{language!r} is not a language tag.",
                "Write a BCP 47 tag such as en, es or pt-BR.",
            )
        paywall = spec.get("paywall", "none")
        if paywall not in PAYWALLS:
            problem(
                f"{name}.paywall",
                f"{paywall!r} is not a kind of paywall.",
                "Write paywall: none, metered (a few free articles) or hard "
                "(subscribers only).",
            )
        timezone = spec.get("timezone")
        if timezone is not None and not _is_timezone(timezone):
            problem(
                f"{name}.timezone",
                f"{timezone!r} is not a timezone name.",
                "Use an IANA name such as Europe/Berlin or America/Sao_Paulo.",
            )
        if len(problems) > before:
            continue
        sources.append(
            Source(
                name=name,
                feed=spec.get("feed"),
                homepage=spec.get("homepage") or "",
                topic=topic,
                tags=tags,
                allow_private_network=private,
                language=language,
                paywall=paywall,
                timezone=timezone or None,
            )
        )
    return sources, problems


def _is_timezone(value: Any) -> bool:
    if not isinstance(value, str) or not TIMEZONE_NAME.match(value):
        return False
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return False
    return True


def source_timezone(sources: list[Source], url: str) -> str | None:
    """The declared timezone of the source whose homepage or feed is on
    ``url``'s host (for ``newsdigest add`` of one of its articles)."""
    host = host_of(url)
    if not host:
        return None
    for source in sources:
        hosts = {host_of(source.homepage), host_of(source.feed or "")}
        if source.timezone and host in hosts:
            return source.timezone
    return None


def load_site_sources(
    settings: dict[str, Any], topics: dict[str, Any]
) -> tuple[dict[str, Source], list[Problem]]:
    """The build's outlets (``PATH/sources.yml``), keyed by ``tag_key`` of the
    name so an item's ``source`` finds its outlet whatever its case. No file
    is no outlets: a digest need not describe its sources."""
    path = Path(settings["PATH"]).resolve() / SOURCES_FILE
    if not path.is_file():
        return {}, []
    sources, problems = load_sources(path, content_path(settings, str(path)), topics)
    return {tag_key(source.name): source for source in sources}, problems
