"""Pelican plugin: a writer that checks every page from the string it writes.

Reading the built site back to check it used to cost more than building it.
This writer hands each page it writes, as the rendered string, to a
``SiteChecker`` (``newsdigest.sitecheck``), which parses it once and keeps only
what the site-wide checks need. The publish plugin's ``check_build`` finds the
checker again by the output folder and resolves links, anchors and assets at
the end. Pages name the content file they show, so a curator knows which item
to fix. With ``DIGEST_PUBLISH["checks"]`` empty, Pelican's own writer is used.

Pelican offers no hook for the rendered string, so the writer wraps the file
object that ``Writer._open_w`` returns (Pelican is pinned to 4.12).
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from types import TracebackType
from typing import Any, TextIO

from pelican import signals
from pelican.writers import Writer

from newsdigest.problems import content_path
from newsdigest.settings import PUBLISH_DEFAULTS
from newsdigest.sitecheck import CHECKS, SiteChecker, record_build

logger = logging.getLogger(__name__)

_CHECKED_SUFFIXES = (".html", ".htm", ".xml")


class _CheckedFile:
    """A text file being written; what was written goes to ``on_close``."""

    def __init__(self, file: TextIO, on_close: Callable[[str], None]) -> None:
        self._file = file
        self._parts: list[str] = []
        self._on_close = on_close

    def write(self, text: str) -> int:
        self._parts.append(text)
        return self._file.write(text)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._file, name)

    def __enter__(self) -> _CheckedFile:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._file.close()
        if kind is None:
            self._on_close("".join(self._parts))


class CheckingWriter(Writer):
    """Pelican's writer, handing every page and feed it writes to the checker."""

    def __init__(self, output_path: str, settings: dict[str, Any] | None = None):
        super().__init__(output_path, settings=settings)
        checks = enabled_checks(self.settings)
        self.checker = SiteChecker(checks)
        self._root = os.path.join(os.path.abspath(output_path), "")
        self._source: str | None = None
        record_build(output_path, self.checker)

    def write_file(self, name: Any, template: Any, context: Any, *args, **kwargs):
        """Pelican's ``write_file``, remembering which content file is shown."""
        content = kwargs.get("article") or kwargs.get("page")
        self._source = shown_source(self.settings, content)
        try:
            return super().write_file(name, template, context, *args, **kwargs)
        finally:
            self._source = None

    def _open_w(self, filename: str, encoding: str, override: bool = False) -> Any:
        file = super()._open_w(filename, encoding, override)
        inside = filename.startswith(self._root)  # Pelican joins to output_path
        if not inside or not filename.lower().endswith(_CHECKED_SUFFIXES):
            return file  # e.g. os.devnull for a file Pelican skips
        path = filename[len(self._root) :].replace(os.sep, "/")
        source = self._source

        def check(text: str) -> None:
            if path.lower().endswith(".xml"):
                self.checker.add_xml(path, text.encode("utf-8"))
            else:
                self.checker.add_page(path, text, source)

        return _CheckedFile(file, check)


def enabled_checks(settings: dict[str, Any]) -> list[str]:
    """The checks named in DIGEST_PUBLISH (validated by the publish plugin)."""
    given = (settings.get("DIGEST_PUBLISH") or {}).get("checks")
    checks = PUBLISH_DEFAULTS["checks"] if given is None else given
    return [name for name in checks if name in CHECKS]


def shown_source(settings: dict[str, Any], content: Any) -> str | None:
    """``content/items/x.md`` for the item or page a file shows, else None."""
    source_path = getattr(content, "source_path", None)
    return content_path(settings, source_path) if source_path else None


def get_writer(pelican: Any) -> type[Writer] | None:
    """Check while writing, unless the site checks are switched off."""
    return CheckingWriter if enabled_checks(pelican.settings) else None


def register() -> None:
    signals.get_writer.connect(get_writer)
