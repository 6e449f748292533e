"""What became of each original: ok, moved, gone or unreachable.

Each ``source_url`` is asked with HEAD, then GET when HEAD is not answered
with a success (many servers refuse HEAD), through the guarded fetcher (every
redirect hop judged like the first); bodies are never read. Requests run on a
few threads, at most ``per_host`` at a time to one host and ``host_delay``
seconds apart there, so a digest that links one outlet 300 times does not
hammer it.

One bad answer proves little (a deploy, a DNS hiccup): an original is ``gone``
only when 404/410 or a name that no longer resolves was seen on two checks at
least ``gone_after_days`` apart; until then, and for timeouts, 5xx and refused
connections, it is ``unreachable``. ``moved`` is reported, never applied: the
item's id comes from its ``source_url``.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections import defaultdict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from newsdigest.curate.fetch import (
    FetchError,
    HTTPStatusError,
    UnknownHost,
    fetch,
)
from newsdigest.curate.netguard import AddressPolicy, private_network, public_only
from newsdigest.links.items import LinkedItem
from newsdigest.links.linksfile import MAX_REASON, LinkRecord
from newsdigest.problems import WARNING, Problem, printable
from newsdigest.urls import normalise_url

GONE_STATUSES = frozenset({404, 410})
MAX_URL = 2_000


@dataclass(frozen=True)
class Observation:
    """One check of one address."""

    status: str  # ok | moved | gone (seen once) | unreachable
    final_url: str | None = None
    reason: str | None = None


def observe(url: str, *, timeout: float, policy: AddressPolicy) -> Observation:
    """HEAD ``url``, then GET if the server answered HEAD with an error (many
    refuse HEAD); a timeout or a refused connection is not asked twice."""
    try:
        try:
            fetched = _status(url, "HEAD", timeout, policy)
        except HTTPStatusError:
            fetched = _status(url, "GET", timeout, policy)
    except UnknownHost:
        return Observation("gone", reason="the domain no longer resolves")
    except HTTPStatusError as error:
        status = "gone" if error.status in GONE_STATUSES else "unreachable"
        return Observation(status, reason=_short(error.reason))
    except FetchError as error:
        return Observation("unreachable", reason=_short(error.reason))
    if normalise_url(fetched.url) == normalise_url(url):
        return Observation("ok")
    if len(fetched.url) > MAX_URL:
        return Observation("unreachable", reason="redirects to an over-long address")
    return Observation("moved", final_url=fetched.url)


def _status(url: str, method: str, timeout: float, policy: AddressPolicy) -> Any:
    return fetch(url, method=method, timeout=timeout, policy=policy, read_body=False)


def _short(text: str) -> str:
    return printable(text)[:MAX_REASON]


def judge(
    observation: Observation,
    url: str,
    previous: LinkRecord | None,
    today: dt.date,
    gone_after_days: int,
) -> LinkRecord:
    """The record a check leaves: ``gone`` needs an earlier "gone" sighting."""
    if previous is not None and not previous.describes(url):
        previous = None  # the curator changed source_url: start again
    if observation.status != "gone":
        return LinkRecord(
            url,
            observation.status,
            today,
            None,
            observation.final_url,
            observation.reason,
        )
    since = previous.gone_since if previous and previous.gone_since else today
    confirmed = (today - since).days >= gone_after_days and since < today
    return LinkRecord(
        url,
        "gone" if confirmed else "unreachable",
        today,
        since,
        None,
        observation.reason,
    )


class HostGate:
    """At most ``per_host`` requests at a time to one host, ``delay`` apart."""

    def __init__(self, per_host: int, delay: float) -> None:
        self.per_host = per_host
        self.delay = delay
        self.lock = threading.Lock()
        self.gates: dict[str, threading.Semaphore] = defaultdict(
            lambda: threading.Semaphore(self.per_host)
        )
        self.last: dict[str, float] = {}

    def run(self, url: str, work: Callable[[], Observation]) -> Observation:
        host = (urlsplit(url).hostname or "").lower()
        with self.lock:
            gate = self.gates[host]
        with gate:
            with self.lock:
                wait = self.last.get(host, 0.0) + self.delay - time.monotonic()
            if wait > 0:
                time.sleep(wait)
            try:
                return work()
            finally:
                with self.lock:
                    self.last[host] = time.monotonic()


def check_links(
    items: list[LinkedItem],
    previous: dict[str, LinkRecord],
    config: dict[str, Any],
    *,
    today: dt.date,
    allow_private_network: bool = False,
    progress: Callable[[int, int, LinkedItem, LinkRecord], None] | None = None,
) -> dict[str, LinkRecord]:
    """Check every item's original; the new records, by item key."""
    policy = private_network if allow_private_network else public_only
    gate = HostGate(int(config["per_host"]), float(config["host_delay"]))
    timeout = float(config["check_timeout"])
    records: dict[str, LinkRecord] = {}
    done = 0
    lock = threading.Lock()

    def one(item: LinkedItem) -> None:
        nonlocal done
        seen = gate.run(
            item.source_url,
            lambda: observe(item.source_url, timeout=timeout, policy=policy),
        )
        record = judge(
            seen,
            item.source_url,
            previous.get(item.key),
            today,
            int(config["gone_after_days"]),
        )
        with lock:
            records[item.key] = record
            done += 1
            if progress:
                progress(done, len(items), item, record)

    with ThreadPoolExecutor(max_workers=int(config["workers"])) as pool:
        for future in [pool.submit(one, item) for item in items]:
            future.result()
    return records


def link_problems(
    items: list[LinkedItem], records: dict[str, LinkRecord], shown_content: str
) -> list[Problem]:
    """What the check found, one problem per item file that is not ok."""
    problems = []
    for item in items:
        record = records.get(item.key)
        if record is None or record.status == "ok":
            continue
        shown = f"{shown_content}/{item.key}"
        if record.status == "moved":
            problems.append(
                Problem(
                    shown,
                    field="source_url",
                    message=f"the original moved to {record.final_url}.",
                    fix="Update source_url only if the new address is the same "
                    "story (not a home page, a search or a paywall notice): the "
                    "item's feed id comes from source_url, so changing it shows "
                    "the item to feed readers again.",
                    severity=WARNING,
                    check="links",
                )
            )
        elif record.status == "gone":
            archived = item.archive_url is not None
            problems.append(
                Problem(
                    shown,
                    field="source_url",
                    message=f"the original is gone ({record.reason}) since "
                    f"{record.gone_since}."
                    + (" Its page links the archived copy." if archived else ""),
                    fix="Nothing to do: readers are sent to the snapshot."
                    if archived
                    else "Find a copy (run `newsdigest archive` in case one exists) "
                    "or hide the item with `status: hidden`.",
                    severity=WARNING if archived else "error",
                    check="links",
                )
            )
        else:
            pending = (
                f" (seen gone since {record.gone_since}; gone if it still is on a "
                "later check)"
                if record.gone_since
                else ""
            )
            problems.append(
                Problem(
                    shown,
                    field="source_url",
                    message="the original could not be reached: "
                    f"{record.reason}{pending}.",
                    fix="Nothing yet; the next check tries again.",
                    severity=WARNING,
                    check="links",
                )
            )
    return problems
