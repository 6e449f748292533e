"""Editors' notes for editions: ``content/editions/<id>.md``, read and checked.

A note is optional; it gives an edition a title, an intro (Markdown, sanitised
like item bodies), highlights (item slugs shown first) and, once written by
``newsdigest edition next``, the edition's number. The number is pinned in the
file so it never changes after the edition went out, whatever is added or
removed later. Every problem names the file, the line and the fix; a highlight
naming an item that is not in the edition names the slug and its own line.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from newsdigest.editions.periods import Period, id_example, parse_period_id
from newsdigest.model.frontmatter import (
    FrontMatterError,
    SafeLoader,
    read_source,
    split,
)
from newsdigest.model.sanitize import render_markdown
from newsdigest.problems import WARNING, Problem

logger = logging.getLogger(__name__)

NOTE_KEYS = ("number", "title", "intro", "highlights")


@dataclass
class Note:
    """What one note file says about its edition."""

    id: str
    path: str  # as shown in messages, e.g. content/editions/2021-W52.md
    period: Period
    title: str | None = None
    intro_html: str = ""
    intro_text: str = ""  # the Markdown as written, for the plain-text email
    number: int | None = None
    number_line: int | None = None
    # (slug, line) in the curator's order
    highlights: list[tuple[str, int]] = field(default_factory=list)


def _sequence_lines(front: str, key: str, first_line: int) -> list[int]:
    """The 1-based line of each entry of the top-level list ``key``."""
    try:
        node = yaml.compose(front, Loader=SafeLoader)
    except yaml.YAMLError:
        return []
    if not isinstance(node, yaml.MappingNode):
        return []
    for key_node, value_node in node.value:
        if key_node.value == key and isinstance(value_node, yaml.SequenceNode):
            return [first_line + item.start_mark.line for item in value_node.value]
    return []


def read_note(path: Path, shown: str, kind: str) -> tuple[Note | None, list[Problem]]:
    """Read one note; ``None`` with problems when it cannot be used."""
    period = parse_period_id(path.stem, kind)
    if period is None:
        return None, [
            Problem(
                shown,
                message=f"'{path.stem}' does not name a {kind} edition.",
                fix=f"Name the file after its edition, e.g. {id_example(kind)}.md "
                "(weeks are ISO weeks; DIGEST_EDITIONS['period'] sets the kind).",
            )
        ]
    try:
        text = read_source(path, shown)
        doc = split(text, shown)
    except FrontMatterError as exc:
        return None, exc.problems
    problems: list[Problem] = []
    meta, lines = doc.metadata, doc.lines
    note = Note(path.stem, shown, period)

    def problem(key: str, message: str, fix: str, line: int | None = None) -> None:
        problems.append(Problem(shown, line or lines.get(key), key, message, fix))

    for key in sorted(set(meta) - set(NOTE_KEYS)):
        problem(key, "is not a note key.", "Notes take: " + ", ".join(NOTE_KEYS) + ".")
    title = meta.get("title")
    if title is not None:
        if not isinstance(title, str) or not title.strip():
            problem(
                "title", "must be a line of text.", "Write 'title: ...' or drop it."
            )
        else:
            note.title = " ".join(title.split())
    intro = meta.get("intro")
    if intro is not None:
        if not isinstance(intro, str):
            problem("intro", "must be text.", "Write 'intro: |' and the note below it.")
        else:
            note.intro_html = render_markdown(intro)
            note.intro_text = intro.strip()
    number = meta.get("number")
    if number is not None:
        if isinstance(number, bool) or not isinstance(number, int) or number < 1:
            problem("number", "must be a whole number from 1.", "Write 'number: 42'.")
        else:
            note.number, note.number_line = number, lines.get("number")
    highlights = meta.get("highlights")
    if highlights is not None:
        front = "\n".join(text.split("\n")[1 : doc.body_line - 2])
        entry_lines = _sequence_lines(front, "highlights", 2)
        if not isinstance(highlights, list):
            problem(
                "highlights",
                "must be a list of item slugs.",
                "Write one '- slug' per line under 'highlights:'.",
            )
        else:
            for index, slug in enumerate(highlights):
                line = (
                    entry_lines[index]
                    if index < len(entry_lines)
                    else lines.get("highlights")
                )
                if not isinstance(slug, str) or not slug.strip():
                    problem(
                        "highlights",
                        f"entry {index + 1} is not an item slug.",
                        "Write the slug of an item in this edition.",
                        line,
                    )
                else:
                    note.highlights.append((slug.strip(), line or 0))
    if doc.body.strip():
        problems.append(
            Problem(
                shown,
                doc.body_line,
                "body",
                "is ignored: notes are front matter only.",
                "Move the text into 'intro: |'.",
                WARNING,
            )
        )
    return (None if any(p.is_error for p in problems) else note), problems


def read_notes(
    folder: Path, shown_folder: str, kind: str
) -> tuple[dict[str, Note], list[Problem]]:
    """Every note in ``folder`` (missing folder: no notes), keyed by edition id."""
    notes: dict[str, Note] = {}
    problems: list[Problem] = []
    if not folder.is_dir():
        return notes, problems
    for path in sorted(folder.iterdir()):
        if path.name.startswith(".") or not path.is_file():
            continue
        shown = f"{shown_folder}/{path.name}"
        if path.suffix != ".md":
            problems.append(
                Problem(
                    shown,
                    message="is not an edition note (.md), so it would be ignored.",
                    fix="Name notes <edition id>.md, e.g. "
                    f"{id_example(kind)}.md, or move the file out of the folder.",
                )
            )
            continue
        note, found = read_note(path, shown, kind)
        problems.extend(found)
        if note is not None:
            notes[note.id] = note
    return notes, problems


def left_for_next(count: int) -> str:
    """``3 items dated after this edition are left for the next one.``"""
    if count == 1:
        return "1 item dated after this edition is left for the next one."
    return f"{count} items dated after this edition are left for the next one."


def next_note_text(
    number: int,
    period: Period,
    items: list[Any],
    tz: dt.tzinfo,
    *,
    later: int = 0,
) -> str:
    """The note ``newsdigest edition next`` writes: number and period pinned, and
    the edition's items (published since the previous edition, up to the end of
    its period) as comments to pick from. Items dated after the period are not
    listed, they are the next edition's; one line counts them."""
    lines = [
        "---",
        f"# Edition No. {number}: {period.words()}",
        f"number: {number}",
        f"title: {yaml.safe_dump(period.short_words(), default_style=chr(34)).strip()}",
        "# intro: |",
        "#   A few words from the editor (Markdown).",
        "highlights: []",
        "# This edition's items (date, slug, title).",
        "# Move the slugs worth putting first into 'highlights', e.g.",
        "# highlights:",
        "#   - a-slug",
    ]
    for item in items:
        local = item.date.astimezone(tz)
        title = " ".join(str(item.title).split())
        lines.append(f"#   {local:%Y-%m-%d %H:%M} {item.slug}: {title}")
    if not items:
        lines.append("#   (none yet)")
    if later:
        lines.append(f"# {left_for_next(later)}")
    lines.append("---")
    return "\n".join(lines) + "\n"
