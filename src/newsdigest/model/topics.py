"""The topics a digest covers, declared once in ``content/topics.yml``.

Topics are a closed list on purpose: a typo in an item's ``topic`` must be an
error, not a new page. The file is a mapping keyed by slug::

    geopolitics:
      name: Geopolitics
      description: Diplomacy, security and relations between states.
      order: 1

``description`` is optional: a topic's page shows it when there is one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from newsdigest.model.frontmatter import (
    FrontMatterError,
    parse_yaml,
    read_source,
)
from newsdigest.problems import Problem, content_path
from newsdigest.settings import content_config, text_problem

SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
MAX_SLUG_BYTES = 150  # one part of an address (file systems allow 255)
# Names Windows cannot create as files or folders, whatever the extension.
WINDOWS_RESERVED = frozenset(
    {"con", "prn", "aux", "nul"}
    | {f"com{i}" for i in range(10)}
    | {f"lpt{i}" for i in range(10)}
)

TOPIC_KEYS = {"name", "description", "order"}
MAX_TOPIC_TEXT = 1_000  # bytes of a name or description


@dataclass(frozen=True)
class Topic:
    slug: str
    name: str
    description: str
    order: int


def find_topic(topics: dict[str, Topic], given: str) -> Topic | None:
    """The topic ``given`` on a command line names: its slug or its name, in any
    case and spacing (``--topic Science`` and ``--topic "science & health"``
    as well as ``--topic science-health``). A slug match wins over a name."""
    wanted = " ".join(given.split()).casefold()
    for attribute in ("slug", "name"):
        for topic in topics.values():
            if " ".join(getattr(topic, attribute).split()).casefold() == wanted:
                return topic
    return None


def topic_choices(topics: dict[str, Topic]) -> str:
    """``world (World), science (Science)``: what a command line may give."""
    return ", ".join(
        slug if topic.name == slug else f"{slug} ({topic.name})"
        for slug, topic in topics.items()
    )


def load_topics(
    path: Path, display_path: str
) -> tuple[dict[str, Topic], list[Problem]]:
    """Read and check the topics file; return the topics in display order."""
    try:
        data, lines = parse_yaml(read_source(path, display_path), display_path)
    except FrontMatterError as exc:
        return {}, exc.problems
    problems: list[Problem] = []
    topics: list[Topic] = []
    if not data:
        problems.append(
            Problem(
                display_path,
                message="declares no topics.",
                fix="Add at least one topic: 'slug: {name: ..., description: ..., "
                "order: 1}'.",
            )
        )
    for slug, spec in data.items():
        line = lines.get(slug)

        def problem(message: str, fix: str, key: str = slug, line: int | None = line):
            problems.append(Problem(display_path, line, key, message, fix))

        if not SLUG.match(slug):
            problem(
                "is not a valid topic slug.",
                "Use lowercase letters, digits and hyphens, e.g. 'world-news'.",
            )
        elif len(slug) > MAX_SLUG_BYTES or slug in WINDOWS_RESERVED:
            problem(
                f"is too long for an address (over {MAX_SLUG_BYTES} characters)."
                if len(slug) > MAX_SLUG_BYTES
                else "is a name Windows cannot use for a folder.",
                "Use one or two words, e.g. 'world-news'.",
            )
        if not isinstance(spec, dict):
            problem(
                "must be a mapping with name, description and order.",
                "Indent 'name:', 'description:' and 'order:' under the slug.",
            )
            continue
        for key in sorted(set(spec) - TOPIC_KEYS):
            problem(
                f"has an unknown key '{key}'.",
                "Topics take only name, description and order.",
                f"{slug}.{key}",
            )
        name, description, order = (
            spec.get("name"),
            spec.get("description"),
            spec.get("order"),
        )
        if not isinstance(name, str) or not name.strip():
            problem("needs a name.", "Add 'name: Display name'.", f"{slug}.name")
        # Optional: a topic page without one says nothing rather than a
        # made-up "Stories about World." (the theme then shows none).
        if description is None:
            description = ""
        if not isinstance(description, str):
            problem(
                "must be one line of text.",
                "Write 'description: What this topic covers.', or remove it.",
                f"{slug}.description",
            )
        if isinstance(order, bool) or not isinstance(order, int):
            problem(
                "needs a whole-number display order.",
                "Add 'order: 1' (lower comes first).",
                f"{slug}.order",
            )
            order = 0
        for key, text in (("name", name), ("description", description)):
            if not isinstance(text, str):
                continue
            # Names and descriptions reach feed titles, RSS descriptions (HTML
            # to feed readers), OPML, email subjects: one line, no markup.
            wrong = text_problem(text.strip(), MAX_TOPIC_TEXT, plain=True)
            if wrong is None and len(text.encode("utf-8")) > MAX_TOPIC_TEXT:
                wrong = f"is longer than {MAX_TOPIC_TEXT:,} bytes."
            if wrong:
                problem(
                    wrong,
                    "Retype it as one short line of visible, plain text.",
                    f"{slug}.{key}",
                    line=lines.get(f"{slug}.{key}", line),
                )
                name = None
        if isinstance(name, str) and isinstance(description, str):
            topics.append(Topic(slug, name.strip(), description.strip(), order))
    ordered = sorted(topics, key=lambda t: (t.order, t.slug))
    return {t.slug: t for t in ordered}, problems


def load_site_topics(
    settings: dict[str, Any],
) -> tuple[dict[str, Topic], list[Problem]]:
    """The site's topics file (``DIGEST_CONTENT["topics_file"]`` under PATH),
    read and checked; a missing file is one problem, not an exception."""
    config = content_config(settings)
    path = Path(settings["PATH"]).resolve() / config["topics_file"]
    shown = content_path(settings, str(path))
    if not path.is_file():
        return {}, [
            Problem(
                shown,
                message="does not exist.",
                fix="Create it with one entry per topic: slug, name, description, "
                "order.",
            )
        ]
    return load_topics(path, shown)
