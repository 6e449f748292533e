"""Snapshots of originals from a Save Page Now-compatible service.

The Internet Archive by default (``DIGEST_ARCHIVE``): the availability API is
asked first, and a capture is requested only for an original with no snapshot.
Captures are rate-limited per minute (the service's own limits: 4 anonymous,
12 with SPN2 keys); a 429 or a 5xx is retried after ``Retry-After`` (or an
exponential back-off), capped, a bounded number of times. The queue is the
items without ``archive_url``: each snapshot is written to its item as soon
as it is known, so a run that is stopped resumes where it was.

Every answer of the service is hostile until checked (``snapshot``): a
snapshot must be an http(s) address of printable ASCII on the service's own
host, with a 14-digit Wayback timestamp, or it is refused.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import json
import re
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote, urljoin, urlsplit

from newsdigest.curate.fetch import FetchError, HTTPStatusError, fetch
from newsdigest.curate.netguard import AddressPolicy, private_network, public_only
from newsdigest.links.config import credentials, per_minute
from newsdigest.links.frontedit import EditError, set_front_matter
from newsdigest.links.items import LinkedItem
from newsdigest.model.frontmatter import FrontMatterError, read_source, split
from newsdigest.problems import printable
from newsdigest.urls import is_absolute_http_url

#: A snapshot address: printable ASCII, no quotes, brackets or backslashes.
SAFE_URL = re.compile(r"[A-Za-z0-9\-._~:/?#\[\]@!$&()*+,;=%]{1,2000}")
WAYBACK_TIMESTAMP = re.compile(r"/web/(\d{14})(?:[a-z_]{0,4})?/")
MAX_ANSWER = 1_000_000
RETRYABLE = frozenset({429, 500, 502, 503, 504, 520, 521, 522, 523, 524})
OPT_IN = 'set DIGEST_ARCHIVE["allow_private_network"] = True'


class ArchiveError(Exception):
    """No snapshot could be had; ``str()`` is one printable line."""

    def __init__(self, reason: str) -> None:
        super().__init__(printable(reason))


@dataclass(frozen=True)
class Snapshot:
    url: str
    date: dt.date


def snapshot(url: Any, timestamp: Any, service_hosts: frozenset[str]) -> Snapshot:
    """A checked snapshot from what a service said, or ``ArchiveError``."""
    if not isinstance(url, str) or not SAFE_URL.fullmatch(url):
        raise ArchiveError(
            f"the service answered an unusable address {str(url)[:120]!r}"
        )
    if not is_absolute_http_url(url):
        raise ArchiveError(f"the service answered a non-http(s) address {url[:120]!r}")
    host = (urlsplit(url).hostname or "").lower()
    if host not in service_hosts or urlsplit(url).username is not None:
        raise ArchiveError(f"the service answered an address on another host ({host})")
    stamp = str(timestamp) if timestamp is not None else ""
    found = WAYBACK_TIMESTAMP.search(url)
    if not re.fullmatch(r"\d{14}", stamp):
        stamp = found.group(1) if found else ""
    try:
        day = dt.datetime.strptime(stamp[:8], "%Y%m%d").date()
    except ValueError:
        raise ArchiveError(f"the snapshot {url[:120]} has no date") from None
    return Snapshot(url, day)


class RateLimit:
    """At most ``per_minute`` calls a minute, evenly spaced; thread-safe."""

    def __init__(self, per_minute: int, clock: Callable[[], float] = time.monotonic):
        self.interval = 60.0 / per_minute
        self.clock = clock
        self.next = 0.0
        self.lock = threading.Lock()

    def wait(self) -> None:
        with self.lock:
            now = self.clock()
            delay = max(0.0, self.next - now)
            self.next = max(now, self.next) + self.interval
        if delay:
            time.sleep(delay)


def retry_after(headers: dict[str, str], attempt: int, cap: float) -> float:
    """Seconds to wait before try ``attempt`` (1-based): the server's
    ``Retry-After`` (seconds or an HTTP date), else 2, 4, 8... ; at most ``cap``."""
    value = headers.get("retry-after", "").strip()
    wait: float | None = None
    if value.isdigit():
        wait = float(value)
    elif value:
        try:
            when = email.utils.parsedate_to_datetime(value)
            wait = (when - dt.datetime.now(dt.UTC)).total_seconds()
        except (TypeError, ValueError):
            wait = None
    if wait is None:
        wait = 2.0**attempt
    return max(0.0, min(wait, cap))


class ArchiveService:
    """One Save Page Now-compatible service, as ``DIGEST_ARCHIVE`` describes it."""

    def __init__(
        self,
        config: dict[str, Any],
        *,
        timeout: float | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.config = config
        self.timeout = float(timeout if timeout is not None else config["timeout"])
        self.policy: AddressPolicy = (
            private_network if config["allow_private_network"] else public_only
        )
        self.hosts = frozenset(
            (urlsplit(config[key]).hostname or "").lower()
            for key in ("save_url", "availability_url")
        )
        self.https = str(config["save_url"]).startswith("https://")
        self.keys = credentials(config)
        self.limit = RateLimit(per_minute(config))
        self.sleep = sleep

    def _get(self, url: str, headers: dict[str, str] | None = None) -> Any:
        """One request, retried on 429 and 5xx; the final ``Fetched``."""
        attempt = 0
        while True:
            try:
                return fetch(
                    url,
                    timeout=self.timeout,
                    max_bytes=MAX_ANSWER,
                    policy=self.policy,
                    opt_in=OPT_IN,
                    headers=headers,
                )
            except HTTPStatusError as error:
                attempt += 1
                if error.status not in RETRYABLE or attempt > self.config["retries"]:
                    raise ArchiveError(error.reason + _tries(attempt)) from None
                self.sleep(
                    retry_after(error.headers, attempt, self.config["max_backoff"])
                )
            except FetchError as error:
                raise ArchiveError(error.reason) from None

    def lookup(self, original: str) -> Snapshot | None:
        """The closest existing snapshot of ``original``, or None."""
        base = self.config["availability_url"]
        joiner = "&" if "?" in base else "?"
        fetched = self._get(f"{base}{joiner}url={quote(original, safe='')}")
        try:
            answer = json.loads(fetched.body)
        except (ValueError, UnicodeDecodeError):
            raise ArchiveError(
                "the availability API answered something not JSON"
            ) from None
        closest = (
            answer.get("archived_snapshots", {}).get("closest")
            if isinstance(answer, dict)
            and isinstance(answer.get("archived_snapshots"), dict)
            else None
        )
        if not isinstance(closest, dict) or closest.get("available") is not True:
            return None
        if str(closest.get("status", "200")) != "200":
            return None  # a snapshot of an error page is no copy of the story
        url = closest.get("url")
        if isinstance(url, str) and url.startswith("http://") and self.https:
            url = "https://" + url[len("http://") :]  # the Wayback API says http://
        return snapshot(url, closest.get("timestamp"), self.hosts)

    def capture(self, original: str) -> Snapshot:
        """Ask for a new snapshot (rate-limited); the snapshot the service made."""
        headers = {"Accept": "application/json"}
        # Keys travel only over TLS (or to a self-hosted archive one opted in to).
        if self.keys and (self.https or self.config["allow_private_network"]):
            headers["Authorization"] = f"LOW {self.keys[0]}:{self.keys[1]}"
        self.limit.wait()
        fetched = self._get(self.config["save_url"] + original, headers)
        location = fetched.headers.get("content-location", "")
        if location:
            return snapshot(urljoin(fetched.url, location), None, self.hosts)
        if WAYBACK_TIMESTAMP.search(fetched.url):
            return snapshot(fetched.url, None, self.hosts)
        # SPN2 answers a job, not a snapshot: the capture shows up in the
        # availability API once done.
        found = self.lookup(original)
        if found is None:
            raise ArchiveError(
                "the capture was accepted but no snapshot is available yet; "
                "run `newsdigest archive` again later"
            )
        return found

    def snapshot_of(self, original: str) -> tuple[Snapshot, bool]:
        """An existing snapshot, or a new one; and whether it is new."""
        found = self.lookup(original)
        if found is not None:
            return found, False
        return self.capture(original), True


def _tries(attempt: int) -> str:
    return f" (after {attempt} tries)" if attempt > 1 else ""


@dataclass(frozen=True)
class Outcome:
    """What happened to one item of an archive run."""

    key: str
    url: str  # the original
    snapshot: Snapshot | None = None
    new: bool = False
    error: str | None = None


def archive_items(
    service: ArchiveService, queue: list[LinkedItem], *, dry_run: bool = False
) -> Iterator[Outcome]:
    """Snapshot each item of ``queue`` in turn and write it to the item at once."""
    for item in queue:
        if dry_run:
            yield Outcome(item.key, item.source_url)
            continue
        try:
            found, new = service.snapshot_of(item.source_url)
            set_front_matter(
                item.path, {"archive_url": found.url, "archive_date": found.date}
            )
        except ArchiveError as error:
            yield Outcome(item.key, item.source_url, error=str(error))
        except (EditError, OSError) as error:
            yield Outcome(
                item.key, item.source_url, error=printable(f"not edited: {error}")
            )
        else:
            yield Outcome(item.key, item.source_url, found, new)


def snapshot_on_import(config: dict[str, Any], path: Path) -> str:
    """Look up an existing snapshot of a draft's original, within
    ``import_timeout`` and without retries or a capture, so an import is never
    slowed by a busy archive; a note line saying what happened."""
    service = ArchiveService(
        {**config, "retries": 0}, timeout=float(config["import_timeout"])
    )
    try:
        original = split(read_source(path, path.name), path.name).metadata.get(
            "source_url"
        )
        if not isinstance(original, str):
            return "no snapshot looked up: the draft has no source_url"
        found = service.lookup(original)
        if found is not None:
            set_front_matter(
                path, {"archive_url": found.url, "archive_date": found.date}
            )
    except (ArchiveError, EditError, FrontMatterError, OSError) as error:
        return printable(
            f"no snapshot looked up ({error}); `newsdigest archive` will ask for one"
        )
    if found is None:
        return "no snapshot yet; `newsdigest archive` will ask for one"
    return f"snapshot of {found.date.isoformat()} recorded as archive_url"
