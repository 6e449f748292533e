"""Problems found in content or in a built site, and how they are reported.

Every check in newsdigest (front matter, links, feeds, HTML, deploy guards) yields
``Problem`` objects instead of raising on the first one, so a curator sees every
mistake in one run. A problem names the file, the line where it is known, the
field, what is wrong and how to fix it.
"""

from __future__ import annotations

import json
import os
import posixpath
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from newsdigest.model.staticfiles import content_relative

ERROR = "error"
WARNING = "warning"


def printable(text: str) -> str:
    """``text`` safe to print on a terminal: every character Python does not call
    printable (ESC and other C0/C1 controls, line breaks, bidi overrides,
    zero-width marks) written as its ``\\uXXXX`` escape. Page and feed text
    reaches reports and command output; an ANSI sequence in it could rewrite
    the screen, a newline forge a report line, a bidi override reverse one."""
    if text.isprintable():
        return text
    return "".join(ch if ch.isprintable() else f"\\u{ord(ch):04x}" for ch in text)


@dataclass(frozen=True)
class Problem:
    """One thing wrong with one file."""

    path: str
    line: int | None = None
    field: str | None = None
    message: str = ""
    fix: str = ""
    severity: str = ERROR
    check: str = "content"
    #: the content file a built page came from, when the problem is in a page
    source: str | None = None

    def __str__(self) -> str:
        where = self.path if self.line is None else f"{self.path}:{self.line}"
        if self.source:
            where += f" (from {self.source})"
        subject = f" [{self.field}]" if self.field else ""
        text = f"{where}:{subject} {self.message}"
        if self.fix:
            text += f" Fix: {self.fix}"
        return printable(text)

    @property
    def is_error(self) -> bool:
        return self.severity == ERROR

    def sort_key(self) -> tuple[str, int, str, str]:
        return (self.path, self.line or 0, self.field or "", self.message)


@dataclass
class Report:
    """An ordered collection of problems, grouped by file when printed."""

    problems: list[Problem] = field(default_factory=list)

    def add(self, problem: Problem) -> None:
        self.problems.append(problem)

    def extend(self, problems: Iterable[Problem]) -> None:
        self.problems.extend(problems)

    @property
    def errors(self) -> list[Problem]:
        return sorted((p for p in self.problems if p.is_error), key=Problem.sort_key)

    @property
    def warnings(self) -> list[Problem]:
        return sorted(
            (p for p in self.problems if not p.is_error), key=Problem.sort_key
        )

    def __bool__(self) -> bool:
        return bool(self.problems)

    def format_text(self) -> str:
        """Human-readable report: errors first, grouped by file, then warnings."""
        lines: list[str] = []
        for title, group in (("Errors", self.errors), ("Warnings", self.warnings)):
            if not group:
                continue
            lines.append(f"{title} ({len(group)}):")
            current = None
            for problem in group:
                if problem.path != current:
                    current = problem.path
                    source = f" (from {problem.source})" if problem.source else ""
                    lines.append(f"  {current}{source}")
                where = f"line {problem.line}" if problem.line else "file"
                subject = f" [{problem.field}]" if problem.field else ""
                lines.append(f"    {where}{subject}: {problem.message}")
                if problem.fix:
                    lines.append(f"      fix: {problem.fix}")
        if not lines:
            lines.append("No problems found.")
        return "\n".join(map(printable, lines))

    def format_json(self) -> str:
        """Machine-readable report for CI."""
        return json.dumps(
            {
                "errors": [_as_dict(p) for p in self.errors],
                "warnings": [_as_dict(p) for p in self.warnings],
                "summary": {
                    "errors": len(self.errors),
                    "warnings": len(self.warnings),
                },
            },
            indent=2,
            ensure_ascii=False,
        )


def _as_dict(problem: Problem) -> dict[str, object]:
    """A problem for JSON; ``source`` only when a built page names one."""
    data = asdict(problem)
    if data["source"] is None:
        del data["source"]
    return data


class DigestError(Exception):
    """A build or publish step refused to go on; the message is the whole report.

    Pelican prints the exception message; newsdigest's plugins hide the traceback
    for this class (see ``newsdigest.plugins.publish``) because the report already says
    everything a curator needs.
    """

    exitcode = 1

    def __init__(self, message: str, report: Report | None = None) -> None:
        super().__init__(message)
        self.report = report or Report()


@dataclass(frozen=True)
class SourceFile:
    """One content file, named once at the door in every form the build needs.

    Pelican hands the reader a path; the checks want it relative to the content
    folder (to resolve links and match PAGE_PATHS), reports want it as the
    project shows it (``content/items/x.md``). Made once per file by ``at`` and
    passed down, so no layer spells it again, and differently."""

    #: the path as Pelican gave it
    path: str
    #: the content folder as the settings spell it (maybe through a link)
    base: Path
    #: as messages name it: ``content/items/x.md``, or ``path`` outside content/
    shown: str
    #: posix-style, relative to ``base``; None when the file is outside it
    relative: str | None
    #: under one of PAGE_PATHS: a page, checked as one, not an item
    page: bool

    @property
    def folder(self) -> str:
        """The content-relative folder its ``{static}`` and ``{filename}``
        links resolve from ("" at the top, or outside content/)."""
        return posixpath.dirname(self.relative or "")

    @classmethod
    def at(cls, settings: dict[str, Any], source_path: str) -> SourceFile:
        base, relative, shown = _named(settings, source_path)
        parts = Path(relative or "").parts
        return cls(
            path=source_path,
            base=base,
            shown=shown,
            relative=relative,
            page=any(
                parts[: len(Path(p).parts)] == Path(p).parts
                for p in settings.get("PAGE_PATHS", ())
            ),
        )


def content_path(settings: dict[str, Any], source_path: str) -> str:
    """A content file as messages name it, relative to the project:
    ``content/items/x.md``, with the content folder named as the settings spell
    it (maybe through a symbolic link); the path itself when it is outside
    content/. The one helper for this: reports, the reader and the writer agree."""
    return _named(settings, source_path)[2]


def _named(settings: dict[str, Any], source_path: str) -> tuple[Path, str | None, str]:
    """The content folder, ``source_path`` relative to it, and as shown."""
    base = Path(os.path.abspath(settings["PATH"]))
    relative = content_relative(base, source_path)
    if relative is None:
        return base, None, str(source_path)
    return base, relative, str(Path(base.name) / relative)
