"""What one build run has learned so far, shared by newsdigest's signal receivers.

Pelican signals carry no build object, so problems found while reading, the
topics, the pages written and the counts for the closing summary live here,
in one ``BuildState``. This module owns that state and imports no Pelican:
every plugin that reads or writes it connects ``start_run`` to Pelican's
``get_generators`` signal (the first signal of every run) in its
``register()``. Blinker connects one receiver once, so whichever plugins a
site lists, with or without the publish plugin, each run starts from a fresh
state, also under ``pelican -r``, where one Pelican object runs many times
and ``initialized`` is sent only once. The state of a run is kept after it
ends, for callers that build in-process.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from newsdigest.model.topics import Topic, load_site_topics
from newsdigest.problems import Problem, Report


@dataclass
class BuildState:
    report: Report = field(default_factory=Report)
    counts: dict[str, int] = field(default_factory=dict)
    # Lines for the closing summary: draft previews, items waiting for their date.
    notes: list[str] = field(default_factory=list)
    # item id -> site-relative URL of every published item, kept with the build.
    addresses: dict[str, str] = field(default_factory=dict)
    # item id -> its file (``content/items/x.md``), kept with the build too.
    sources: dict[str, str] = field(default_factory=dict)
    # output file -> what the sitemap says of it, for every public page written.
    written: dict[str, Any] = field(default_factory=dict)
    started: float = field(default_factory=time.monotonic)
    runs: int = 0
    _topics: tuple[dict[str, Topic], list[Problem]] | None = None

    @property
    def last_report(self) -> Report:
        """The report of the latest run (kept until the next run starts)."""
        return self.report

    def reset(self) -> None:
        """Forget the previous run; count this one."""
        self.report = Report()
        self.counts = {}
        self.notes = []
        self.addresses = {}
        self.sources = {}
        self.written = {}
        self.started = time.monotonic()
        self.runs += 1
        self._topics = None

    def topics(
        self, settings: dict[str, Any]
    ) -> tuple[dict[str, Topic], list[Problem]]:
        """Topics are read once per run, on first use (an edit to topics.yml
        under ``pelican -r`` is seen by the next run)."""
        if self._topics is None:
            self._topics = load_site_topics(settings)
        return self._topics


STATE = BuildState()


def start_run(_sender: Any = None) -> None:
    """Receiver for Pelican's ``get_generators``, sent at the start of every run.

    Connect it in every plugin's ``register()`` that uses ``STATE``:
    ``signals.get_generators.connect(start_run)``."""
    STATE.reset()


def run_late(generators: list[Any]) -> None:
    """``all_generators_finalized``: put the generators that read what others
    wrote at the end of Pelican's list, in the order of their ``run_late``
    rank (sitemaps 1, search index 2, alias redirects 3: written last, so
    they are checked against every file of the build).

    Receivers of one signal run in no fixed order, and each plugin connects
    this same function: a stable sort by rank gives one order whichever runs,
    and however often. Pelican's StaticGenerator (no rank) stays before them."""
    generators.sort(key=lambda generator: getattr(generator, "run_late", 0))
