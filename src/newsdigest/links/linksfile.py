"""``content/links.yml``: what the last link check found, committed with the content.

The build reads this file and never the network, so two builds of one commit
give one site. ``linkcheck`` writes it sorted by item, keys in a fixed order
and one value per line, so a check that finds nothing new changes nothing and
one that does changes only the lines of the items concerned.

An entry::

    items/2022-01-05-story.md:
      url: https://example.org/story      # the source_url that was checked
      status: gone                        # ok | moved | gone | unreachable
      checked: 2022-01-12
      gone_since: 2022-01-08              # first check that found it gone
      final_url: https://example.org/new  # for moved
      reason: HTTP 404 Not Found          # for gone and unreachable
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from newsdigest.links.frontedit import write_atomic
from newsdigest.model.frontmatter import FrontMatterError, parse_yaml
from newsdigest.problems import Problem
from newsdigest.urls import is_absolute_http_url, normalise_url

STATUSES = ("ok", "moved", "gone", "unreachable")
FIELDS = ("url", "status", "checked", "gone_since", "final_url", "reason")
HEADER = (
    "# Written by `newsdigest linkcheck`: what became of each item's original.\n"
    "# The build reads it (and never the network); commit it with the content.\n"
)
MAX_REASON = 200
#: About 200 bytes an entry: room for 50,000 items.
MAX_FILE_BYTES = 10_000_000


@dataclass(frozen=True)
class LinkRecord:
    url: str
    status: str
    checked: dt.date
    gone_since: dt.date | None = None
    final_url: str | None = None
    reason: str | None = None

    def describes(self, source_url: str) -> bool:
        """Whether this record is about ``source_url`` (not an earlier one)."""
        return normalise_url(self.url) == normalise_url(source_url)

    def as_yaml(self) -> dict[str, Any]:
        return {
            key: getattr(self, key) for key in FIELDS if getattr(self, key) is not None
        }


def _read_text(path: Path, shown: str) -> str:
    """The file as text; larger than an item may be (an entry per item)."""
    fix = "Run `newsdigest linkcheck` to write the file again."
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise FrontMatterError(
            [Problem(shown, message=f"cannot be read ({error.strerror}).", fix=fix)]
        ) from None
    if len(raw) > MAX_FILE_BYTES:
        raise FrontMatterError(
            [
                Problem(
                    shown,
                    message=f"is {len(raw):,} bytes; the limit is {MAX_FILE_BYTES:,}.",
                    fix=fix,
                )
            ]
        )
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        raise FrontMatterError(
            [Problem(shown, message="is not valid UTF-8.", fix=fix)]
        ) from None


def read_links(path: Path, shown: str) -> tuple[dict[str, LinkRecord], list[Problem]]:
    """The records of ``path`` (absent: none), and every problem in it."""
    if not path.is_file():
        return {}, []
    try:
        data, lines = parse_yaml(_read_text(path, shown), shown)
    except FrontMatterError as error:
        return {}, error.problems
    records: dict[str, LinkRecord] = {}
    problems: list[Problem] = []
    fix = "Run `newsdigest linkcheck` to write the file again."
    for key, entry in data.items():
        line = lines.get(key)
        before = len(problems)

        def problem(field: str, message: str, line: int | None = line) -> None:
            problems.append(Problem(shown, line, field, message, fix))

        if not isinstance(entry, dict) or not key.isprintable():
            problem(key, "must be an item's path mapped to url, status, checked...")
            continue
        unknown = sorted(str(k) for k in entry if k not in FIELDS)
        for name in unknown:
            problem(
                f"{key}.{name}", f"is not a known key (known: {', '.join(FIELDS)})."
            )
        status = entry.get("status")
        if status not in STATUSES:
            problem(
                f"{key}.status",
                f"{str(status)[:40]!r} is not one of {', '.join(STATUSES)}.",
            )
        urls = {}
        for name in ("url", "final_url"):
            value = entry.get(name)
            if value is None and name == "final_url":
                continue
            if not isinstance(value, str) or not is_absolute_http_url(value):
                problem(
                    f"{key}.{name}",
                    f"{str(value)[:120]!r} is not an absolute http(s) URL.",
                )
            else:
                urls[name] = value
        dates = {}
        for name in ("checked", "gone_since"):
            value = entry.get(name)
            if value is None and name == "gone_since":
                continue
            if type(value) is not dt.date:
                problem(
                    f"{key}.{name}", f"{str(value)[:40]!r} is not a date (2022-01-31)."
                )
            else:
                dates[name] = value
        reason = entry.get("reason")
        if reason is not None and (
            not isinstance(reason, str)
            or not reason.isprintable()
            or len(reason) > MAX_REASON
        ):
            problem(f"{key}.reason", "must be one line of printable text.")
            reason = None
        if status == "gone" and "gone_since" not in dates:
            problem(f"{key}.gone_since", "is required when the status is gone.")
        if status == "moved" and "final_url" not in urls:
            problem(f"{key}.final_url", "is required when the status is moved.")
        if len(problems) == before:
            records[key] = LinkRecord(
                urls["url"],
                str(status),
                dates["checked"],
                dates.get("gone_since"),
                urls.get("final_url"),
                reason,
            )
    return records, problems


class _Dumper(yaml.SafeDumper):
    """Every value written out: PyYAML would make two equal dates an anchor
    and an alias, which the reader (rightly) refuses."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def dump_links(records: dict[str, LinkRecord]) -> str:
    """The file's text: sorted, stable, one value per line."""
    body = {key: records[key].as_yaml() for key in sorted(records)}
    if not body:
        return HEADER
    return HEADER + yaml.dump(
        body,
        Dumper=_Dumper,
        sort_keys=False,
        allow_unicode=False,
        default_flow_style=False,
        width=10_000,
    )


def write_links(path: Path, records: dict[str, LinkRecord]) -> bool:
    """Write the file atomically if its text changes; whether it did."""
    text = dump_links(records)
    if path.is_file() and path.read_bytes() == text.encode("utf-8"):
        return False
    write_atomic(path, text.encode("utf-8"))
    return True
