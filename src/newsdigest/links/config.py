"""``DIGEST_ARCHIVE``: the snapshot service, the link check and the links file.

One dict for the whole feature, merged over ``ARCHIVE_DEFAULTS`` and checked
once (``archive_config``), read by ``newsdigest archive``, ``linkcheck``,
``add``/``ingest --archive`` and the build (which reads only ``links_file`` and
``gone_after_days``: it never touches the network).
"""

from __future__ import annotations

import os
from typing import Any

from newsdigest.problems import Report
from newsdigest.settings import (
    Config,
    feature_config,
    merge,
    raise_if_errors,
    setting_problem,
)
from newsdigest.urls import is_absolute_http_url

NAME = "DIGEST_ARCHIVE"
ARCHIVE_DEFAULTS: dict[str, Any] = {
    # Save Page Now: the original's URL is appended to this.
    "save_url": "https://web.archive.org/save/",
    # Availability API: asked first, so an existing snapshot is reused.
    "availability_url": "https://archive.org/wayback/available",
    # Captures asked per minute: 0 means the default for the credentials
    # (4 anonymous, 12 with SPN2 keys), as the Internet Archive allows.
    "per_minute": 0,
    # Names of environment variables holding SPN2 keys (never the keys).
    "access_key_env": "NEWSDIGEST_ARCHIVE_ACCESS_KEY",
    "secret_key_env": "NEWSDIGEST_ARCHIVE_SECRET_KEY",
    "timeout": 60.0,  # seconds per request to the service (captures are slow)
    "retries": 4,  # tries after the first, on 429 and 5xx
    "max_backoff": 300.0,  # longest wait between tries, Retry-After included
    "allow_private_network": False,  # a self-hosted archive, tests
    # add/ingest: look up a snapshot while importing (short timeout, no capture)
    "on_import": False,
    "import_timeout": 3.0,
    # linkcheck
    "links_file": "links.yml",  # under the content folder, committed
    "gone_after_days": 3,  # two "gone" checks this far apart make it gone
    "workers": 8,
    "per_host": 1,  # requests at a time to one host
    "host_delay": 1.0,  # seconds between two requests to one host
    "check_timeout": 15.0,
}
ANONYMOUS_PER_MINUTE = 4
AUTHENTICATED_PER_MINUTE = 12


def archive_settings(settings: dict[str, Any]) -> dict[str, Any]:
    """``DIGEST_ARCHIVE`` merged over the defaults; every problem at once."""
    report = Report()
    config = merge(NAME, ARCHIVE_DEFAULTS, settings, report)
    for key in ("save_url", "availability_url"):
        if not is_absolute_http_url(str(config[key])):
            report.add(
                setting_problem(
                    NAME,
                    key,
                    f"{str(config[key])[:200]!r} is not an absolute http(s) URL.",
                    f"Default: {ARCHIVE_DEFAULTS[key]!r}.",
                )
            )
    bounds = {
        "per_minute": (0, 600),
        "timeout": (0.1, 600),
        "retries": (0, 20),
        "max_backoff": (0, 3600),
        "import_timeout": (0.1, 60),
        "gone_after_days": (0, 365),
        "workers": (1, 64),
        "per_host": (1, 8),
        "host_delay": (0, 60),
        "check_timeout": (0.1, 300),
    }
    for key, (low, high) in bounds.items():
        if isinstance(config[key], int | float) and not low <= config[key] <= high:
            report.add(
                setting_problem(
                    NAME,
                    key,
                    f"must be between {low} and {high}.",
                    f"Default: {ARCHIVE_DEFAULTS[key]!r}.",
                )
            )
    links = str(config["links_file"])
    if not links or links.startswith("/") or ".." in links.split("/"):
        report.add(
            setting_problem(
                NAME,
                "links_file",
                f"{links!r} is not a path inside the content folder.",
                "Default: 'links.yml'.",
            )
        )
    raise_if_errors(report, f"{NAME} is invalid")
    return config


def archive_config(settings: dict[str, Any]) -> Config:
    """``DIGEST_ARCHIVE``, checked once per run."""
    return feature_config(settings, NAME, archive_settings)


def credentials(config: dict[str, Any]) -> tuple[str, str] | None:
    """The SPN2 keys from the environment variables the settings name."""
    access = os.environ.get(str(config["access_key_env"]), "").strip()
    secret = os.environ.get(str(config["secret_key_env"]), "").strip()
    return (access, secret) if access and secret else None


def per_minute(config: dict[str, Any]) -> int:
    """Captures per minute: the setting, or the service's limit for the keys."""
    if config["per_minute"]:
        return int(config["per_minute"])
    return AUTHENTICATED_PER_MINUTE if credentials(config) else ANONYMOUS_PER_MINUTE
