"""Set top-level keys of an item's front matter without touching anything else.

Why not load and dump the YAML: a dump rewrites what the curator wrote (their
comments, quoting, key order, line endings). Here the keys' lines are found
with the YAML loader (its node marks), an existing key's lines are replaced and
a new key is inserted just before the closing ``---``, in the file's own line
ending; every other byte stays. The result is parsed again and must hold the
same values as before plus the new ones, or nothing is written. The write is
atomic (a temporary file in the same folder, renamed over the item) and keeps
the file's permissions.

Values are written by ``yaml_scalar``, which accepts only what it can quote
safely: a date, or text of printable characters on one line.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import stat
import tempfile
from pathlib import Path
from typing import Any

import yaml

from newsdigest.model.frontmatter import FENCE, MAX_BYTES, SafeLoader, parse_yaml


class EditError(Exception):
    """The front matter cannot be edited safely; ``str()`` says why."""


def yaml_scalar(value: str | dt.date) -> str:
    """``value`` as a YAML scalar that reads back as exactly ``value``."""
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value.isoformat()
    if not isinstance(value, str) or not value.isprintable() or not value.strip():
        raise EditError(f"refused to write the value {str(value)[:80]!r}")
    # JSON's double-quoted string is a YAML double-quoted string; ensure_ascii
    # leaves nothing a terminal or an editor could take for a line break.
    return json.dumps(value, ensure_ascii=True)


def _fence_lines(lines: list[str]) -> int:
    """The index of the closing fence (lines without their endings)."""
    if not lines or lines[0].strip() != FENCE:
        raise EditError("does not start with front matter ('---')")
    for index in range(1, len(lines)):
        if lines[index].strip() == FENCE:
            return index
    raise EditError("front matter is never closed")


def _key_spans(yaml_text: str) -> dict[str, tuple[int, int]]:
    """Each top-level key -> its first and past-last line (0-based, in the YAML)."""
    loader = SafeLoader(yaml_text)
    try:
        node = loader.get_single_node()
    finally:
        loader.dispose()
    if node is None:
        return {}
    if not isinstance(node, yaml.MappingNode):
        raise EditError("front matter is not a mapping of keys to values")
    spans = {}
    for key_node, value_node in node.value:
        end = value_node.end_mark
        last = end.line if end.column > 0 else end.line - 1
        first = key_node.start_mark.line
        spans[str(key_node.value)] = (first, max(last, first) + 1)
    return spans


def _lines(text: str) -> list[str]:
    """``text`` split after each \n only, endings kept (``str.splitlines``
    would also split at \x0b, \x1c or U+2028 inside a value)."""
    parts = text.split("\n")
    lines = [part + "\n" for part in parts[:-1]]
    return [*lines, parts[-1]] if parts[-1] else lines


def _yaml_of(lines: list[str]) -> tuple[str, int]:
    """The YAML between the fences, and the closing fence's index."""
    bare = [line.rstrip("\r\n") for line in lines]
    close = _fence_lines(bare)
    return "\n".join(bare[1:close]), close


def set_front_matter(path: Path, values: dict[str, str | dt.date]) -> bool:
    """Set ``values`` (top-level keys) in ``path``'s front matter, in place.

    Returns False when every key already holds its value (nothing written).
    Raises ``EditError`` when the file cannot be edited safely."""
    if path.is_symlink() or not path.is_file():
        raise EditError("is not a regular file")
    raw = path.read_bytes()
    if len(raw) > MAX_BYTES:
        raise EditError(f"is larger than {MAX_BYTES:,} bytes")
    bom = b"\xef\xbb\xbf" if raw.startswith(b"\xef\xbb\xbf") else b""
    try:
        text = raw[len(bom) :].decode("utf-8")
    except UnicodeDecodeError:
        raise EditError("is not valid UTF-8") from None
    if "\r" in text.replace("\r\n", ""):
        raise EditError("has a carriage return (\\r) outside a \\r\\n line ending")
    lines = _lines(text)
    yaml_text, _ = _yaml_of(lines)
    newline = "\r\n" if lines[0].endswith("\r\n") else "\n"
    before = _parse(yaml_text)
    if all(before.get(key) == value for key, value in values.items()):
        return False
    spans = _key_spans(yaml_text)  # read by _parse already: valid YAML
    written = {
        key: f"{key}: {yaml_scalar(value)}{newline}" for key, value in values.items()
    }
    # Replace from the bottom up so that earlier spans keep their lines.
    for key in sorted((k for k in values if k in spans), key=lambda k: -spans[k][0]):
        first, past = spans[key]
        lines[1 + first : 1 + past] = [written[key]]
    _, close = _yaml_of(lines)
    added = [written[key] for key in values if key not in spans]
    # Before the closing fence; unless that changes a value (a block scalar
    # ending the front matter without a newline gains one), then at the top.
    for at in (close, 1):
        edited = lines[:at] + added + lines[at:]
        if _parse(_yaml_of(edited)[0]) == {**before, **values}:
            break
    else:
        raise EditError("the edited front matter would not read back as intended")
    write_atomic(path, bom + "".join(edited).encode("utf-8"))
    return True


def _parse(yaml_text: str) -> dict[str, Any]:
    try:
        return parse_yaml(yaml_text, "item")[0]
    except ValueError as error:  # FrontMatterError
        raise EditError(f"front matter cannot be read: {error}") from None


def write_atomic(path: Path, data: bytes) -> None:
    """Replace ``path`` with ``data`` at once (a reader never sees half a file),
    keeping its permissions (a new file: 0644)."""
    mode = stat.S_IMODE(path.stat().st_mode) if path.exists() else 0o644
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(temporary, mode)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
