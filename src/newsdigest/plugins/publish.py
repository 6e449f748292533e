"""Pelican plugin: build into staging, check, then swap the site into place atomically.

Pelican writes straight into OUTPUT_PATH (after optionally wiping it), so a build
that fails half-way leaves a half-written site. Here every build writes into a new
folder beside the output; only when the build finished, logged no error and
passed the site checks does ``OUTPUT_PATH`` (a symlink) get pointed at it with
one ``rename`` -- atomic on POSIX. A failed check, an exception, Ctrl-C or a
kill at any moment leaves the previous site as it was. A guard refuses a site
that lost more than ``max_page_loss`` of its pages unless forced.

Builds of one output take turns: a lock beside the output is held over build,
swap and pruning, so a second build waits (or refuses after
``lock_timeout``). The folders and the swap are in ``newsdigest.publishing.staging``.
"""

from __future__ import annotations

import atexit
import logging
import os
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pelican import signals

from newsdigest.engine.runstate import STATE, start_run
from newsdigest.problems import DigestError, Report
from newsdigest.publishing.hosts import (
    HOSTS,
    headers_file,
    host_limits,
    limit_problems,
    site_size,
    size_line,
)
from newsdigest.publishing.manifest import write_manifest
from newsdigest.publishing.staging import (
    BuildLock,
    count_pages,
    keep_unchanged_times,
    live_build,
    lock_path,
    lost_pages,
    new_staging,
    normalise_modes,
    os_problem,
    output_path_problem,
    page_loss_problem,
    plain_folder_problem,
    prune_builds,
    remove_build,
    remove_stale_staging,
    swap_into_place,
)
from newsdigest.settings import (
    publish_config,
    raise_if_errors,
    setting_problem,
    settings_file_from_argv,
)

logger = logging.getLogger(__name__)
HEADERS = "_headers"


# --- The published tree ---------------------------------------------------------


def output_problems(output: Path, settings: dict[str, Any], staging: bool) -> Report:
    """Refusals about where the build would write, before anything is written."""
    report = Report()
    content = Path(settings.get("PATH") or "content")
    problem = output_path_problem(output, content, Path.cwd())
    if problem:
        report.add(
            setting_problem(
                "OUTPUT_PATH",
                "",
                f"{str(output)!r} {problem}; newsdigest moves and deletes "
                "folders there.",
                "Use a folder of its own in the project, e.g. OUTPUT_PATH = 'output'.",
            )
        )
    elif output.is_dir() and not output.is_symlink():
        problem = plain_folder_problem(output, staging)
        if problem:
            does = (
                "a staged build would replace it"
                if staging
                else "a build would write into it (and with DELETE_OUTPUT_DIRECTORY "
                "empty it)"
            )
            report.add(
                setting_problem(
                    "OUTPUT_PATH",
                    "",
                    f"{str(output)!r} {problem}; {does}.",
                    "Move that folder away, or set OUTPUT_PATH to a new folder.",
                )
            )
    elif not staging and output.is_symlink():
        report.add(
            setting_problem(
                'DIGEST_PUBLISH["staging"]',
                "",
                f"is False, but {output} is a link to a published build "
                f"({os.readlink(output)}): the build would write into the live "
                "site.",
                "Keep staging on, or remove the link first (`invoke clean`), "
                "or build into another OUTPUT_PATH.",
            )
        )
    elif output.exists() and not output.is_dir():
        report.add(
            setting_problem(
                "OUTPUT_PATH",
                "",
                f"{str(output)!r} is a file, not a folder.",
                "Move the file away, or set OUTPUT_PATH to a folder.",
            )
        )
    return report


# --- The run: one lock and one staging folder per build -----------------------


@dataclass
class _Run:
    """What this process's current build holds, so a crash cleans up after it."""

    lock: BuildLock | None = None
    staging: Path | None = None
    output: Path | None = None


RUN = _Run()


def _release_run() -> None:
    """End of a build, or exit of the process (also after an exception that
    Pelican reports): drop our unpublished staging folder, release the lock."""
    if RUN.staging is not None:
        try:
            remove_build(RUN.staging)
        except OSError as error:
            logger.warning("Could not remove %s: %s", RUN.staging, os_problem(error))
        RUN.staging = None
    if RUN.lock is not None:
        RUN.lock.release()
        RUN.lock = None


atexit.register(_release_run)


# --- Logging: count errors, hide tracebacks of our own refusals -----------------


class _ErrorCounter(logging.Handler):
    """Any ERROR Pelican logs (a template error, a file it could not process)
    means the staged site is incomplete, so it must not be published."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.errors: list[str] = []
        self.warnings = 0

    def emit(self, record: logging.LogRecord) -> None:
        if record.levelno >= logging.ERROR:
            self.errors.append(record.getMessage())
        else:
            self.warnings += 1


class _QuietDigestErrors(logging.Filter):
    """Our refusals carry a full report: print it whole, not a traceback.

    The report goes to stdout (where Pelican's console writes) as plain text, so
    Rich's line wrapping does not mangle its file:line columns; the log line
    after it says why the build stopped."""

    def filter(self, record: logging.LogRecord) -> bool:
        exc = record.exc_info[1] if record.exc_info else None
        if isinstance(exc, DigestError):
            record.exc_info = None
            message = str(exc)
            sys.stdout.write(message.rstrip() + "\n")
            sys.stdout.flush()
            record.msg, record.args = "Build stopped: %s", (message.splitlines()[0],)
        elif isinstance(exc, OSError):
            # A full disk, a read-only or forbidden folder while Pelican wrote.
            record.exc_info = None
            writing = f" while writing into {RUN.staging}" if RUN.staging else ""
            if exc.filename:
                writing = ""
            record.msg, record.args = (
                "Build stopped: %s%s.%s",
                (os_problem(exc), writing, _untouched()),
            )
        elif (
            exc is not None
            and record.levelno >= logging.CRITICAL
            and not logging.getLogger("pelican").isEnabledFor(logging.DEBUG)
        ):
            # Anything else that ends the build: one line; --debug shows where.
            record.exc_info = None
            record.msg, record.args = (
                "Build stopped: %s: %s.%s (`pelican --debug` shows where.)",
                (type(exc).__name__, exc, _untouched()),
            )
        return True


def _untouched() -> str:
    if RUN.staging is None or RUN.output is None:
        return ""
    return f" Nothing was published; {RUN.output} was left as it was."


COUNTER = _ErrorCounter()
_QUIET = _QuietDigestErrors()


# --- Signal receivers ------------------------------------------------------------


def install_log_filters() -> None:
    """At plugin registration, before any plugin's ``initialized`` can refuse."""
    pelican_logger = logging.getLogger("pelican")
    if _QUIET not in pelican_logger.filters:
        pelican_logger.addFilter(_QUIET)


def initialized(pelican: Any) -> None:
    install_log_filters()
    publish_config(pelican.settings)  # checked once, at start-up
    for name in ("pelican", "newsdigest"):
        if COUNTER not in logging.getLogger(name).handlers:
            logging.getLogger(name).addHandler(COUNTER)
    pelican._digest_output = Path(pelican.output_path).absolute()


def begin_build(pelican: Any) -> None:
    """Start of every run (also under autoreload): the lock, then fresh staging.

    Everything that can refuse the build is decided here, before Pelican
    writes (or, with ``DELETE_OUTPUT_DIRECTORY``, deletes) anything."""
    COUNTER.errors.clear()
    COUNTER.warnings = 0
    config = publish_config(pelican.settings)
    output: Path = getattr(
        pelican, "_digest_output", Path(pelican.output_path).absolute()
    )
    pelican._digest_output = output
    RUN.output = output
    _release_run()  # an earlier run in this process that failed half-way
    raise_if_errors(
        output_problems(output, pelican.settings, config["staging"]),
        "Refusing to build",
    )
    lock = BuildLock(lock_path(output))
    lock.acquire(float(config["lock_timeout"]))
    RUN.lock = lock
    if config["staging"]:
        for stale in remove_stale_staging(output):
            logger.info("Removed %s, left by a build that did not finish.", stale)
        RUN.staging = new_staging(output)
        pelican.output_path = str(RUN.staging)
    else:
        pelican.output_path = str(output)


def finish_build(pelican: Any) -> None:
    """All output written: check it, guard it, swap it in, say what happened."""
    config = publish_config(pelican.settings)
    output: Path = pelican._digest_output
    staged = Path(pelican.output_path)
    # The build now live: unchanged files are shared with it (the writer plugin).
    previous = live_build(staged) if config["staging"] else None
    try:
        if COUNTER.errors:
            raise DigestError(
                "The build logged errors, so the site was not published:\n  "
                + "\n  ".join(COUNTER.errors)
            )
        host = config["host"]
        if HOSTS[host].config_files:
            # Last: its rules are derived from every file the build wrote.
            write_headers_file(staged, host, pelican.settings.get("SITEURL", ""))
        # Development feeds link to the local server: that is the site's own URL.
        site_url = pelican.settings.get("SITEURL", "") or (
            pelican.settings.get("_DIGEST_FEEDS_CONFIG") or {}
        ).get("base_url", "")
        if config["checks"]:
            from newsdigest.sitecheck import check_build

            report = check_build(staged, site_url=site_url, checks=config["checks"])
            STATE.report.extend(report.warnings)
            if report.errors:
                raise DigestError(
                    f"The built site failed its checks; {output} was left as it "
                    f"was.\n{report.format_text()}",
                    report,
                )
        if config["staging"]:
            problem = page_loss_problem(
                count_pages(output), count_pages(staged), config["max_page_loss"]
            )
            if problem and not config["force"]:
                raise DigestError(
                    f"Refusing to publish: {problem}" + lost_pages(output, staged)
                )
        step = "precompress the site (.gz/.br files)"
        try:
            if config["precompress"]:
                from newsdigest.publishing.compress import precompress

                precompress(staged, config["precompress"], previous)
            step = "keep the times of files that did not change"
            keep_unchanged_times(staged, previous)  # what rsync sees as unchanged
            step = "set the modes of the built files"
            normalise_modes(staged)
        except OSError as error:
            raise DigestError(
                f"Could not {step}: {os_problem(error)}.{_untouched()}"
            ) from None
        check_host_limits(staged, host, config["host_limits"])
        record = {
            "siteurl": pelican.settings.get("SITEURL", ""),
            "checks": config["checks"],
            "pages": count_pages(staged),
            "addresses": STATE.addresses,  # read by newsdigest.plugins.aliases
            "sources": STATE.sources,  # which file each item was, for the same
        }
        if config["staging"]:
            swap_into_place(staged, output, record)
            write_manifest(  # what `newsdigest deploy` verifies before any upload
                output.resolve(),
                checks=config["checks"],
                settings_file=settings_file_from_argv(sys.argv, Path.cwd()),
                siteurl=pelican.settings.get("SITEURL", ""),
                previous=previous,
                host=host,
            )
            RUN.staging = None  # published: no longer ours to clean up
            prune_builds(output, config["keep_builds"])
    finally:
        pelican.output_path = str(output)
        _release_run()
    print_summary(output)


def write_headers_file(staged: Path, host: str, siteurl: str) -> None:
    """``_headers`` for the host: the policy, safe defaults and cache lifetimes."""
    files = [p.relative_to(staged).as_posix() for p in staged.rglob("*") if p.is_file()]
    (staged / HEADERS).write_text(headers_file(host, files, siteurl), encoding="utf-8")


def check_host_limits(staged: Path, host: str, overrides: dict[str, int]) -> None:
    """Refuse a site the host would refuse; say how close to its limits it is."""
    limits = host_limits(host, overrides)
    size = site_size(staged)
    if host != "generic":  # a host without limits, e.g. a development build
        STATE.notes.append(size_line(size, host, limits))
    problems = limit_problems(size, host, limits)
    if problems:
        raise DigestError(
            f"Refusing to publish for {HOSTS[host].title}: the host would refuse "
            "this site.\n  " + "\n  ".join(problems) + _untouched()
        )


def print_summary(output: Path) -> None:
    counts = STATE.counts
    warnings = STATE.report.warnings
    # Plain print: problem texts are untrusted and must not be read as Rich markup.
    for problem in warnings:
        print(f"warning: {problem}")
    for note in STATE.notes:
        print(f"newsdigest: {note}")
    print(
        f"newsdigest: {counts.get('items', 0)} items, {count_pages(output)} pages, "
        f"{counts.get('feeds', 0)} feeds, {len(warnings) + COUNTER.warnings} warnings, "
        f"{time.monotonic() - STATE.started:.2f} s -> {output}",
        flush=True,
    )


def register() -> None:
    signals.get_generators.connect(start_run)
    install_log_filters()
    signals.initialized.connect(initialized)
    signals.get_generators.connect(begin_build)
    signals.finalized.connect(finish_build)
