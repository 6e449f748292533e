"""The placeholder values ``newsdigest new`` writes, and the build's check for them.

``new`` writes a draft that validates at once, so a development build keeps
working while the curator writes: keys the curator did not give hold text that
says what to write. That text is valid front matter, so the schema alone would
let a curator who deletes ``status: draft`` publish "Read the original at Outlet
name". The list below is the one both sides use: ``new`` writes these values,
and the reader reports any of them still in an item that is to be published --
an error in a production build, a warning in a development build.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from newsdigest.model.frontmatter import Document
from newsdigest.problems import ERROR, WARNING, Problem

#: A reserved domain that never resolves (RFC 2606): ``new`` gives each draft
#: without ``--url`` a unique address under it, so unfinished drafts never
#: collide as duplicates.
HOST = "example.invalid"
#: Front matter field -> the placeholder ``new`` writes there.
FIELDS: dict[str, str] = {
    "summary": "One or two sentences in our words.",
    "source": "Outlet name",
}
#: The lines of the placeholder body, each a placeholder on its own (``add``
#: writes the first one above the imported quotes).
BODY_LINES = (
    "Our summary and context, in our own words.",
    "> \u201cThe key quote, exactly as published.\u201d",
    "\u2014 Who said it, where",
)
BODY = f"{BODY_LINES[0]}\n\n{BODY_LINES[1]}\n\n{BODY_LINES[2]}\n"
_FIXES = {
    "summary": "Write one or two sentences of our own about the story.",
    "source": "Write the outlet's name, e.g. source: teleSUR English.",
    "source_url": "Give the original's address: source_url: https://...",
    "body": "Replace it with our summary and the key quotes, or delete the line.",
}


def placeholder_url(name: str) -> str:
    """The unique placeholder address of a draft named ``name``."""
    return f"https://{HOST}/{name}"


def _fold(text: str) -> str:
    return " ".join(text.split()).casefold()


def _core(line: str) -> str:
    """A placeholder body line without its Markdown and quotation marks, so that
    "The key quote, exactly as published." is found however it is quoted."""
    return _fold(line).strip('>\u201c\u201d\u2014"-*_ .')


def _is_placeholder_url(value: Any) -> bool:
    if not isinstance(value, str):
        return False
    try:
        host = urlsplit(value.strip()).hostname or ""
    except ValueError:
        return False
    return host == HOST or host.endswith("." + HOST)


def placeholder_problems(doc: Document, *, production: bool) -> list[Problem]:
    """Every placeholder still in ``doc``, at its line and field.

    Drafts are never published by a production build, so they are left to the
    curator; any other item gets an error in production (the build stops) and a
    warning in development (the preview shows what readers would see).
    """
    meta = doc.metadata
    if meta.get("status") == "draft":
        return []
    severity = ERROR if production else WARNING
    where = "a production build publishes no placeholders" if production else ""
    problems = []

    def found(field: str, line: int | None, what: str) -> None:
        problems.append(
            Problem(
                doc.path,
                line,
                field,
                f"still holds the placeholder {what} written by 'newsdigest new'"
                + (f"; {where}." if where else "."),
                _FIXES[field],
                severity,
            )
        )

    for field, placeholder in FIELDS.items():
        value = meta.get(field)
        if isinstance(value, str) and _fold(value) == _fold(placeholder):
            found(field, doc.lines.get(field), repr(placeholder))
    if _is_placeholder_url(meta.get("source_url")):
        found("source_url", doc.lines.get("source_url"), f"address under {HOST}")
    cores = [_core(line) for line in BODY_LINES]
    for number, line in enumerate(doc.body.split("\n")):
        text = _fold(line)
        for core, original in zip(cores, BODY_LINES, strict=True):
            if core in text:
                found("body", doc.body_line + number, repr(original))
    return problems
