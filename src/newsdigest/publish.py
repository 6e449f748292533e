"""Pelican plugin: build into staging, check, then swap the site into place atomically.

Pelican writes straight into OUTPUT_PATH (after optionally wiping it), so a build
that fails half-way leaves a half-written site. Here every build writes into a new
folder beside the output; only when the build finished, logged no error and
passed the site checks does ``OUTPUT_PATH`` (a symlink) get pointed at it with
one ``rename`` -- atomic on POSIX. A failed check, an exception, Ctrl-C or a
kill at any moment leaves the previous site as it was. A guard refuses a site
that lost more than ``max_page_loss`` of its pages unless forced.

Layout, for ``OUTPUT_PATH = "output"``::

    output -> .output.builds/build-20260101T120000-ab12cd   (symlink)
    .output.builds/build-...                                  (kept builds)
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from pelican import signals

from newsdigest.build_state import STATE
from newsdigest.problems import DigestError, Report
from newsdigest.reader import order_key
from newsdigest.settings import (
    PUBLISH_DEFAULTS,
    merge,
    raise_if_errors,
    setting_problem,
)

logger = logging.getLogger(__name__)
FORCE_ENV = "NEWSDIGEST_FORCE"


def publish_settings(settings: dict[str, Any]) -> dict[str, Any]:
    report = Report()
    config = merge("DIGEST_PUBLISH", PUBLISH_DEFAULTS, settings, report)
    if not 0 <= float(config["max_page_loss"]) <= 1:
        report.add(
            setting_problem(
                "DIGEST_PUBLISH",
                "max_page_loss",
                "must be a share between 0 and 1.",
                "0.5 refuses a site that lost over half of its pages.",
            )
        )
    if config["keep_builds"] < 1:
        report.add(
            setting_problem("DIGEST_PUBLISH", "keep_builds", "must be >= 1.", "Use 2.")
        )
    for fmt in config["precompress"]:
        if fmt not in ("gzip", "br"):
            report.add(
                setting_problem(
                    "DIGEST_PUBLISH",
                    "precompress",
                    f"{fmt!r} is unknown.",
                    "Use 'gzip', 'br'.",
                )
            )
    if config["build_date"] is not None:
        try:
            parse_build_date(config["build_date"])
        except (TypeError, ValueError):
            report.add(
                setting_problem(
                    "DIGEST_PUBLISH",
                    "build_date",
                    f"{config['build_date']!r} is not an ISO 8601 datetime "
                    "with offset.",
                    "Use e.g. '2026-01-01T00:00:00+00:00', or None.",
                )
            )
    raise_if_errors(report, "DIGEST_PUBLISH is invalid")
    config["force"] = config["force"] or os.environ.get(FORCE_ENV, "") not in ("", "0")
    return config


def parse_build_date(value: str) -> dt.datetime:
    if not isinstance(value, str):
        raise TypeError("build_date must be a string")
    when = dt.datetime.fromisoformat(value)
    if when.tzinfo is None:
        raise ValueError("no offset")
    return when


def configured_build_date(settings: dict[str, Any], articles: list[Any]) -> dt.datetime:
    """A date that does not depend on the wall clock: settings, SOURCE_DATE_EPOCH,
    else the newest item's change, else the Unix epoch."""
    configured = (settings.get("DIGEST_PUBLISH") or {}).get("build_date")
    if configured:
        return parse_build_date(configured)
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.isdigit():
        return dt.datetime.fromtimestamp(int(epoch), dt.UTC)
    dates = [getattr(a, "updated", None) or a.date for a in articles]
    return max(dates) if dates else dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


# --- The published tree ---------------------------------------------------------


def builds_dir(output: Path) -> Path:
    return output.parent / f".{output.name}.builds"


def count_pages(site: Path) -> int:
    return sum(1 for _ in site.rglob("*.html")) if site.is_dir() else 0


def page_loss_problem(old: int, new: int, max_loss: float) -> str | None:
    """Why a site that shrank too much must not replace the published one."""
    if old == 0 or new >= old or (old - new) / old <= max_loss:
        return None
    return (
        f"the new build has {new} pages, the published site {old}: it lost "
        f"{(old - new) / old:.0%} of its pages, more than the allowed "
        f"{max_loss:.0%}. Nothing was replaced. If this is intended, build again "
        f"with {FORCE_ENV}=1 (or `invoke publish --force`)."
    )


def new_staging(output: Path) -> Path:
    builds = builds_dir(output)
    builds.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y%m%dT%H%M%S", time.gmtime())
    return Path(tempfile.mkdtemp(prefix=f"staging-{stamp}-", dir=builds))


def record_path(site: Path) -> Path:
    return site.with_name(site.name + ".json")


def published_record(output: Path) -> dict[str, Any] | None:
    """What the build now live at ``output`` was: settings URL, checks, pages.

    Deploys read it to refuse a site that was not built and checked by a
    production build (``invoke publish``)."""
    path = record_path(output.resolve())
    return json.loads(path.read_text()) if path.is_file() else None


def swap_into_place(staging: Path, output: Path, record: dict[str, Any]) -> None:
    """Point ``output`` at ``staging`` with one atomic rename of a symlink."""
    site = staging.with_name(staging.name.replace("staging-", "site-", 1))
    staging.rename(site)
    record_path(site).write_text(json.dumps(record, indent=2, sort_keys=True))
    if output.exists() and not output.is_symlink():
        # First build with staging over a plain folder: keep it as a build.
        legacy = builds_dir(output) / f"previous-{time.strftime('%Y%m%dT%H%M%S')}"
        output.rename(legacy)
        logger.warning("Moved the old %s folder to %s", output, legacy)
    link = output.parent / f".{output.name}.swap-{os.getpid()}"
    if link.is_symlink() or link.exists():
        link.unlink()
    os.symlink(os.path.relpath(site, output.parent), link)
    os.replace(link, output)


def prune_builds(output: Path, keep: int) -> None:
    """Keep the live site and the ``keep - 1`` newest earlier ones (for a quick
    rollback); drop staging folders that failed builds left behind."""
    builds = builds_dir(output)
    live = output.resolve() if output.is_symlink() else None
    for stale in builds.glob("staging-*"):
        shutil.rmtree(stale, ignore_errors=True)
    others = sorted(
        (p for p in builds.iterdir() if p.is_dir() and p.resolve() != live),
        key=lambda p: p.stat().st_mtime,
        reverse=True,
    )
    for old in others[max(keep - 1, 0) :]:
        shutil.rmtree(old, ignore_errors=True)
        record_path(old).unlink(missing_ok=True)


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
        return True


COUNTER = _ErrorCounter()
_QUIET = _QuietDigestErrors()


# --- Signal receivers ------------------------------------------------------------


def initialized(pelican: Any) -> None:
    publish_settings(pelican.settings)
    pelican.settings["ARTICLE_ORDER_BY"] = order_key
    pelican_logger = logging.getLogger("pelican")
    if _QUIET not in pelican_logger.filters:
        pelican_logger.addFilter(_QUIET)
    for name in ("pelican", "newsdigest"):
        if COUNTER not in logging.getLogger(name).handlers:
            logging.getLogger(name).addHandler(COUNTER)
    pelican._digest_output = Path(pelican.output_path).absolute()


def begin_build(pelican: Any) -> None:
    """Start of every run (also under autoreload): fresh state, fresh staging."""
    STATE.reset()
    COUNTER.errors.clear()
    COUNTER.warnings = 0
    config = publish_settings(pelican.settings)
    output: Path = getattr(
        pelican, "_digest_output", Path(pelican.output_path).absolute()
    )
    pelican._digest_output = output
    if config["staging"]:
        pelican.output_path = str(new_staging(output))
    else:
        pelican.output_path = str(output)


def finish_build(pelican: Any) -> None:
    """All output written: check it, guard it, swap it in, say what happened."""
    config = publish_settings(pelican.settings)
    output: Path = pelican._digest_output
    staged = Path(pelican.output_path)
    try:
        if COUNTER.errors:
            raise DigestError(
                "The build logged errors, so the site was not published:\n  "
                + "\n  ".join(COUNTER.errors)
            )
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
                raise DigestError(f"Refusing to publish: {problem}")
        if config["precompress"]:
            from newsdigest.deploy.compress import precompress

            precompress(staged, config["precompress"])
        if config["staging"]:
            record = {
                "siteurl": pelican.settings.get("SITEURL", ""),
                "checks": config["checks"],
                "pages": count_pages(staged),
            }
            swap_into_place(staged, output, record)
            prune_builds(output, config["keep_builds"])
    except BaseException:
        if config["staging"]:
            shutil.rmtree(staged, ignore_errors=True)
        raise
    finally:
        pelican.output_path = str(output)
    print_summary(output)


def print_summary(output: Path) -> None:
    counts = STATE.counts
    warnings = STATE.report.warnings
    # Plain print: problem texts are untrusted and must not be read as Rich markup.
    for problem in warnings:
        print(f"warning: {problem}")
    print(
        f"newsdigest: {counts.get('items', 0)} items, {count_pages(output)} pages, "
        f"{counts.get('feeds', 0)} feeds, {len(warnings) + COUNTER.warnings} warnings, "
        f"{time.monotonic() - STATE.started:.2f} s -> {output}",
        flush=True,
    )
    STATE.reset()


def register() -> None:
    signals.initialized.connect(initialized)
    signals.get_generators.connect(begin_build)
    signals.finalized.connect(finish_build)
