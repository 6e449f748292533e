"""Split a curated item into YAML front matter and Markdown body, keeping line numbers.

Pelican's own Markdown reader takes ``Key: value`` metadata and silently turns
anything it does not understand into strings. Items are YAML so that lists, nested
image and correction records and real dates survive, and every error can point
at a line. PyYAML's C safe loader builds the node tree once; the line of each
top-level key comes from the nodes, the values from constructing the same tree.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from newsdigest.problems import Problem

try:
    SafeLoader: type = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - PyYAML built without libyaml
    SafeLoader = yaml.SafeLoader

FENCE = "---"
MAX_BYTES = 200_000  # a summary and key quotes; also bounds nh3 (quadratic in nesting)

# Characters XML 1.0 (so every feed) cannot carry, or that are invisible and
# useless in text: C0 and C1 controls, DEL, lone surrogates, the noncharacters
# (U+FDD0..U+FDEF and the last two of every plane). Fields also refuse the line
# and paragraph separators, which break one-line values.
_UNSAFE = "\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufdd0-\ufdef" + "".join(
    f"{chr(p * 0x10000 + 0xFFFE)}{chr(p * 0x10000 + 0xFFFF)}" for p in range(17)
)
BODY_UNSAFE_CHARS = re.compile(f"[{_UNSAFE}]")
UNSAFE_CHARS = re.compile(f"[{_UNSAFE}\u2028\u2029]")
# Bidirectional embeddings, overrides and isolates reorder what a reader sees
# (a sender, a link text) without changing what it is.
_BIDI = "\u202a-\u202e\u2066-\u2069"
#: Never in one line of text that reaches a header, a robots.txt or feed line
#: (settings, topic names): also line breaks, tabs and bidi controls.
LINE_UNSAFE_CHARS = re.compile(f"[\t\n\r{_BIDI}{_UNSAFE}\u2028\u2029]")
#: Text that reads as a tag, a comment or a declaration to an HTML parser: an
#: RSS description or a feed reader's title would show (or run) it.
MARKUP = re.compile(r"<[a-zA-Z/!?]")


@dataclass
class Document:
    """The parts of one source file, before validation."""

    path: str
    metadata: dict[str, Any] = field(default_factory=dict)
    lines: dict[str, int] = field(default_factory=dict)
    body: str = ""
    body_line: int = 1


class FrontMatterError(ValueError):
    """The file cannot be split or parsed; carries the problems found."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("; ".join(str(p) for p in problems))
        self.problems = problems


def read_source(path: Path, display_path: str) -> str:
    """Read a source file as UTF-8 text, refusing what would crash or mislead later."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise FrontMatterError(
            [Problem(display_path, message=f"cannot be read ({exc.strerror}).")]
        ) from exc
    if len(raw) > MAX_BYTES:
        raise FrontMatterError(
            [
                Problem(
                    display_path,
                    message=f"is {len(raw):,} bytes; items are limited to "
                    f"{MAX_BYTES:,} bytes.",
                    fix="Keep the body to the curator's summary and key quotes.",
                )
            ]
        )
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise FrontMatterError(
            [
                Problem(
                    display_path,
                    line,
                    message=f"is not valid UTF-8 (byte 0x{raw[exc.start]:02x}).",
                    fix="Save the file as UTF-8.",
                )
            ]
        ) from exc
    return text.replace("\r\n", "\n").replace("\r", "\n")


def split(text: str, display_path: str) -> Document:
    """Parse ``---``-fenced YAML front matter followed by a Markdown body."""
    if not text.strip():
        raise FrontMatterError(
            [
                Problem(
                    display_path,
                    message="is empty.",
                    fix="Start the file with YAML front matter between '---' lines.",
                )
            ]
        )
    lines = text.split("\n")
    if lines[0].strip() != FENCE:
        raise FrontMatterError(
            [
                Problem(
                    display_path,
                    1,
                    message="does not start with front matter.",
                    fix="Put '---' on the first line, the YAML keys, then '---'.",
                )
            ]
        )
    try:
        end = next(i for i in range(1, len(lines)) if lines[i].strip() == FENCE)
    except StopIteration:
        raise FrontMatterError(
            [
                Problem(
                    display_path,
                    1,
                    message="front matter is never closed.",
                    fix="Add a line with '---' after the last YAML key.",
                )
            ]
        ) from None
    yaml_text = "\n".join(lines[1:end])
    metadata, key_lines = parse_yaml(yaml_text, display_path, first_line=2)
    return Document(
        path=display_path,
        metadata=metadata,
        lines=key_lines,
        body="\n".join(lines[end + 1 :]),
        body_line=end + 2,
    )


def _first_alias_line(root: yaml.Node) -> int | None:
    """The 0-based line of the first node reached twice (an alias), if any."""
    seen: set[int] = set()
    stack = [root]
    while stack:
        node = stack.pop()
        if id(node) in seen:
            return node.start_mark.line
        seen.add(id(node))
        if isinstance(node, yaml.MappingNode):
            pairs = reversed(node.value)
            stack.extend(part for pair in pairs for part in reversed(pair))
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(reversed(node.value))
    return None


MAX_NUMBER_CHARS = 40
_NUMBER_TAGS = ("tag:yaml.org,2002:int", "tag:yaml.org,2002:float")


def _long_number(root: yaml.Node) -> yaml.Node | None:
    """The first number too long to be a value: Python refuses to turn an integer
    of over 4,300 digits into text, so it would crash whatever prints it."""
    stack = [root]
    while stack:
        node = stack.pop()
        if isinstance(node, yaml.ScalarNode):
            if node.tag in _NUMBER_TAGS and len(str(node.value)) > MAX_NUMBER_CHARS:
                return node
        elif isinstance(node, yaml.MappingNode):
            stack.extend(part for pair in node.value for part in pair)
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(node.value)
    return None


def parse_yaml(
    text: str, display_path: str, first_line: int = 1
) -> tuple[dict[str, Any], dict[str, int]]:
    """Load a YAML mapping; return it with the 1-based line of each top-level key."""
    loader = SafeLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return {}, {}
        alias_line = _first_alias_line(node)
        if alias_line is not None:
            # A few lines of anchors and aliases expand to billions of values.
            raise FrontMatterError(
                [
                    Problem(
                        display_path,
                        first_line + alias_line,
                        message="uses a YAML alias ('*name'); front matter may not.",
                        fix="Write each value out in full, without '&' anchors "
                        "and '*' aliases.",
                    )
                ]
            )
        if not isinstance(node, yaml.MappingNode):
            raise FrontMatterError(
                [
                    Problem(
                        display_path,
                        first_line + node.start_mark.line,
                        message="is not a mapping of keys to values.",
                        fix="Write one 'key: value' per line.",
                    )
                ]
            )
        data: dict[str, Any] = {}
        key_lines: dict[str, int] = {}
        problems: list[Problem] = []
        for key_node, value_node in node.value:
            key = str(key_node.value)
            line = first_line + key_node.start_mark.line
            if key in key_lines:
                problems.append(
                    Problem(
                        display_path,
                        line,
                        key,
                        f"is set twice (first on line {key_lines[key]}).",
                        "Keep one of the two.",
                    )
                )
                continue
            key_lines[key] = line
            number = _long_number(value_node)
            if number is not None:
                problems.append(
                    Problem(
                        display_path,
                        first_line + number.start_mark.line,
                        key,
                        f"has a number of {len(str(number.value)):,} characters, "
                        "far too long to be a value.",
                        f'Quote it if it is text: {key}: "..."',
                    )
                )
                continue
            try:
                data[key] = loader.construct_object(value_node, deep=True)
            except (ValueError, TypeError, OverflowError) as exc:
                # PyYAML matches "2021-02-30" as a timestamp, then datetime refuses
                # it; Python refuses to convert an integer of over 4,300 digits.
                too_long = "digits" in str(exc)
                problems.append(
                    Problem(
                        display_path,
                        first_line + value_node.start_mark.line,
                        key,
                        "is a number far too long to be a value."
                        if too_long
                        else f"cannot be read: {exc}.",
                        f'Quote it if it is text: {key}: "..."'
                        if too_long
                        else "Use a real calendar date like 2021-12-31.",
                    )
                )
        if problems:
            raise FrontMatterError(problems)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        line = first_line + mark.line if mark is not None else None
        reason = getattr(exc, "problem", None) or str(exc)
        if isinstance(exc, yaml.reader.ReaderError):  # has a position, not a mark
            char = exc.character
            code = ord(char) if isinstance(char, str) else char
            line = first_line + text[: exc.position].count("\n")
            reason = f"it contains the control character U+{code:04X}"
        raise FrontMatterError(
            [
                Problem(
                    display_path,
                    line,
                    message=f"front matter is not valid YAML: {reason}.",
                    fix="Check indentation and quote values that contain ': ' "
                    "or start with a special character.",
                )
            ]
        ) from exc
    finally:
        loader.dispose()
    return data, key_lines
