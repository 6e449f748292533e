"""Fingerprints of what a page shows, so an unchanged page need not be rendered again.

The incremental writer (``newsdigest.plugins.writer``) keys each output file by the
template, a fingerprint of the whole site's settings and code, and the
fingerprints of the context values its template reads. Two builds that give a
file the same key render it to the same bytes, so the second build links the
first one's file instead of rendering, checking and writing it.

A value's fingerprint covers everything a template could print from it:
primitives by their ``repr``, containers item by item, objects by their
attributes. Objects nest (an item's related stories are items too), so an object
costs one unit of a *depth budget*: past it, a nested object counts only by its
identity (its own type, source file, address, slug, name, title and number
attributes, not properties) -- an item page shows its related stories'
titles, not their related stories. Objects that are
the same for every page (the settings, Pelican's global context) are left out of
objects and covered once by the site's key.

A value that cannot be fingerprinted deterministically (an object whose ``repr``
holds a memory address, a generator) gets a fresh random fingerprint: the page
is rendered every time, never shown stale.
"""

from __future__ import annotations

import datetime as dt
import decimal
import enum
import hashlib
import os
import pathlib
import pickle
from collections.abc import Callable, Iterable, Mapping
from typing import Any

#: Attributes of objects that are the same for every page, or caches.
SKIPPED_ATTRIBUTES = frozenset({"_context", "settings", "_cache", "__weakref__"})
#: What identifies an object past the depth budget.
IDENTITY_ATTRIBUTES = (
    "source_path",
    "save_as",
    "url",
    "slug",
    "name",
    "title",
    "number",
)
#: An item page shows the item (1), its related stories and edition (2), and
#: those only by what identifies them.
DEFAULT_BUDGET = 2

_PRIMITIVES = (
    str,
    bytes,
    int,
    float,
    bool,
    type(None),
    dt.date,
    dt.time,
    dt.timedelta,
    dt.tzinfo,
    decimal.Decimal,
    enum.Enum,
    pathlib.PurePath,
)

#: Values whose ``repr`` is their whole content (exact types, no subclasses).
_PLAIN = frozenset({str, int, float, bool, type(None)})

#: A handler turns an object of its type, at a depth budget, into the parts to
#: hash (or None for the generic walk: attributes, or past the budget
#: ``identity``).
Handler = Callable[[Any, "Fingerprinter", int], Iterable[Any] | None]


class Unfingerprintable(Exception):
    """A value with no deterministic fingerprint."""


class _Pickler(pickle.Pickler):
    """Pickles a value into a hash, with every nested object replaced by its
    (memoised) fingerprint at one less depth. Pickle does the walking in C;
    only objects other than plain data reach ``reducer_override``. Without
    pickle's memo (``fast``), the bytes do not depend on which equal strings
    happen to be one object."""

    def __init__(self, file: Any, owner: Fingerprinter, budget: int):
        super().__init__(file, protocol=5)
        self.fast = True
        self._owner = owner
        self._budget = budget

    def reducer_override(self, value: Any) -> Any:
        if isinstance(value, (_PRIMITIVES, type)):
            return NotImplemented
        if isinstance(value, (set, frozenset)):  # subclasses: sort for a stable order
            return (_set, (sorted(value, key=repr),))
        if isinstance(value, (dict, list, tuple)):  # subclasses: by their items
            kind = type(value)
            items = list(value.items()) if isinstance(value, dict) else list(value)
            return (_items, (f"{kind.__module__}.{kind.__qualname__}", items))
        if callable(value) and hasattr(value, "__qualname__"):
            if getattr(value, "__closure__", None) or "<" in value.__qualname__:
                raise Unfingerprintable(value.__qualname__)  # lambdas, closures
            return NotImplemented  # a function: by its name (code is in the site key)
        if hasattr(value, "__dict__") or type(value) in self._owner.handlers:
            return (bytes, (self._owner.digest(value, self._budget),))
        return NotImplemented


def _set(items: list[Any]) -> frozenset[Any]:
    return frozenset(items)


def _items(kind: str, items: list[Any]) -> tuple[str, list[Any]]:
    return kind, items


class _Hasher:
    """A file object that hashes what is written to it."""

    def __init__(self) -> None:
        self.hash = hashlib.blake2b(digest_size=16)

    def write(self, data: bytes) -> int:
        self.hash.update(data)
        return len(data)


class Fingerprinter:
    """Fingerprints of values within one build; objects are memoised by identity.

    ``handlers`` maps a type to a function giving the parts that stand for an
    object of it (e.g. a paginator: its size, not its whole list). The memo
    holds ids, so a Fingerprinter must not outlive the objects it has seen:
    make one per build.
    """

    def __init__(self, handlers: Mapping[type, Handler] | None = None):
        self.handlers = dict(handlers or {})
        self._memo: dict[tuple[int, int], bytes] = {}
        self._keep: list[Any] = []  # keeps memoised objects (and their ids) alive

    def key(self, *parts: Any, budget: int = DEFAULT_BUDGET) -> str:
        """A hex key for ``parts``; a random one if any part cannot be keyed."""
        try:
            return self._hash(sorted_sets(parts), budget + 1).hex()
        except Unfingerprintable:
            return os.urandom(16).hex()

    def stable(self, value: Any, budget: int = DEFAULT_BUDGET) -> bool:
        """Whether ``value`` has a fingerprint that is the same in every run."""
        try:
            self._hash(sorted_sets(value), budget + 1)
        except Unfingerprintable:
            return False
        return True

    def digest(self, value: Any, budget: int = DEFAULT_BUDGET) -> bytes:
        """The fingerprint of one object (raises Unfingerprintable)."""
        memo_key = (id(value), budget)
        found = self._memo.get(memo_key)
        if found is not None:
            return found
        kind = type(value)
        name = f"{kind.__module__}.{kind.__qualname__}"
        parts = self._handled(value, budget)
        if parts is None:
            parts = identity(value) if budget <= 0 else self.attributes(value)
        if all(_is_plain(part) for part in parts):
            # Tags, topics, identities: plain values, no pickler needed.
            text = repr((name, parts)).encode("utf-8", "surrogatepass")
            found = hashlib.blake2b(text, digest_size=16).digest()
        else:
            found = self._hash((name, parts), budget)
        self._memo[memo_key] = found
        self._keep.append(value)
        return found

    def _hash(self, value: Any, budget: int) -> bytes:
        """Nested objects are hashed at ``budget - 1``."""
        sink = _Hasher()
        try:
            _Pickler(sink, self, budget - 1).dump(value)
        except (
            pickle.PicklingError,
            TypeError,
            AttributeError,
            RecursionError,
        ) as error:
            raise Unfingerprintable(str(error)) from None
        return sink.hash.digest()

    def _handled(self, value: Any, budget: int) -> Iterable[Any] | None:
        for kind in type(value).__mro__:
            handler = self.handlers.get(kind)
            if handler is not None:
                parts = handler(value, self, budget)
                return None if parts is None else list(parts)
        return None

    @staticmethod
    def attributes(value: Any) -> list[Any]:
        try:
            attributes = vars(value)
        except TypeError:
            raise Unfingerprintable(type(value).__qualname__) from None
        return [
            (name, attributes[name])
            for name in sorted(attributes)
            if name not in SKIPPED_ATTRIBUTES
        ]


def _is_plain(part: Any) -> bool:
    if type(part) is tuple:
        return all(type(item) in _PLAIN for item in part)
    return type(part) in _PLAIN


def identity(value: Any) -> list[Any]:
    """What identifies an object past the depth budget: its own attributes
    (not properties, which may compute) among ``IDENTITY_ATTRIBUTES``."""
    own = getattr(value, "__dict__", {})
    return [
        (attribute, part)
        for attribute in IDENTITY_ATTRIBUTES
        if isinstance(part := own.get(attribute), _PRIMITIVES)
    ]


def sorted_sets(value: Any) -> Any:
    """Plain sets pickle in hash order, which changes from run to run: the
    values a page reads are sorted when they are sets (``live_tags_slugs``).
    A set deeper inside an object makes a key that changes from run to run:
    the page is rendered every time, never shown stale."""
    if isinstance(value, dict):
        return [(name, _sorted_set(item)) for name, item in value.items()]
    if isinstance(value, (list, tuple)):
        return [_sorted_set(item) for item in value]
    return _sorted_set(value)


def _sorted_set(value: Any) -> Any:
    if isinstance(value, (set, frozenset)):
        return ("set", sorted(value, key=repr))
    return value
