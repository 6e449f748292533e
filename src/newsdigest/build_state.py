"""What one build run has learned so far, shared by newsdigest's signal receivers.

Pelican signals carry no build object, so problems found while reading, the
topics and the counts for the closing summary live here. ``reset()`` runs when
a build starts and after it ends, so autoreload never carries one run's
problems into the next.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from newsdigest.problems import Problem, Report
from newsdigest.topics import Topic


@dataclass
class BuildState:
    report: Report = field(default_factory=Report)
    # The previous run's report, kept for callers that build in-process.
    last_report: Report = field(default_factory=Report)
    counts: dict[str, int] = field(default_factory=dict)
    # Lines for the closing summary: draft previews, items waiting for their date.
    notes: list[str] = field(default_factory=list)
    # item id -> site-relative URL of every published item, kept with the build.
    addresses: dict[str, str] = field(default_factory=dict)
    started: float = field(default_factory=time.monotonic)
    _topics: tuple[dict[str, Topic], list[Problem]] | None = None

    def reset(self) -> None:
        if self.report:
            self.last_report = self.report
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
            from newsdigest.reader import load_site_topics

            self._topics = load_site_topics(settings)
        return self._topics


STATE = BuildState()
