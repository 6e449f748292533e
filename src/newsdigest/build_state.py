"""What one build run has learned so far, shared by newsdigest's signal receivers.

Pelican signals carry no build object, so problems found while reading, the
topics and the counts for the closing summary live here. This module owns that
state: every plugin that uses it calls ``connect_run_state()`` in its
``register()``, so whichever plugins a site lists, each run (also under
``pelican -r``, where one Pelican object runs many times) starts from a fresh
state. The state of a run is kept after it ends, for callers that build
in-process.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from pelican import signals

from newsdigest.problems import Problem, Report
from newsdigest.topics import Topic, load_site_topics


@dataclass
class BuildState:
    report: Report = field(default_factory=Report)
    counts: dict[str, int] = field(default_factory=dict)
    # Lines for the closing summary: draft previews, items waiting for their date.
    notes: list[str] = field(default_factory=list)
    # item id -> site-relative URL of every published item, kept with the build.
    addresses: dict[str, str] = field(default_factory=dict)
    started: float = field(default_factory=time.monotonic)
    _topics: tuple[dict[str, Topic], list[Problem]] | None = None

    @property
    def last_report(self) -> Report:
        """The report of the latest run (kept until the next run starts)."""
        return self.report

    def reset(self) -> None:
        self.report = Report()
        self.counts = {}
        self.notes = []
        self.addresses = {}
        self.started = time.monotonic()
        self._topics = None

    def topics(
        self, settings: dict[str, Any]
    ) -> tuple[dict[str, Topic], list[Problem]]:
        """Topics are read once per build, on first use."""
        if self._topics is None:
            self._topics = load_site_topics(settings)
        return self._topics


STATE = BuildState()


def start_run(_sender: Any) -> None:
    """Receiver for ``get_generators``, sent at the start of every run."""
    STATE.reset()


def connect_run_state() -> None:
    """Reset the state at the start of every run. Idempotent: blinker connects
    a receiver once, however many plugins call this."""
    signals.get_generators.connect(start_run)
