"""newsdigest's settings: one namespaced dict per feature, merged over defaults.

Each feature owns one dict (``DIGEST_CONTENT``, ``DIGEST_FEEDS``, ``DIGEST_PUBLISH``
...). One function per feature merges it over its defaults and reports every
problem with the key and the fix, so a typo in ``pelicanconf.py`` stops the
build instead of being ignored. ``feature_config`` runs that function once per
settings object (once per run, also under ``pelican -r``) and keeps the result,
frozen, under a private key of the settings (``_DIGEST_FEEDS_CONFIG``): every
plugin and tool reads that one copy.
The Pelican settings newsdigest depends on for safety (autoescape, no reader
cache, deterministic order) are enforced here too, so a plain
``pelican content -s pelicanconf.py`` is as safe as the invoke tasks.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from typing import Any

from newsdigest.dates import parse_build_date
from newsdigest.labels import DEFAULT_LABELS, label_problems
from newsdigest.problems import DigestError, Problem, Report

CONTENT_DEFAULTS: dict[str, Any] = {
    # tag: URI authority (RFC 4151) for item ids; never change it once published.
    "id_authority": None,
    "topics_file": "topics.yml",
    "site_description": "",
    # One line at the foot of every page; the sample sets its own.
    "footer": "Built with newsdigest.",
    # What kind of piece an item is: key -> name and description (see labels.py).
    "labels": DEFAULT_LABELS,
    # Keep read items under CACHE_PATH, keyed by content (see readcache.py).
    "cache": True,
}
FEEDS_DEFAULTS: dict[str, Any] = {
    "formats": ["atom", "rss"],
    "limit": 30,
    "per_topic": True,
    "per_tag": True,
    "per_source": False,
    "content": "full",  # "full" body, or "summary" only
    "base_url": None,  # absolute URL for feed links; defaults to FEED_DOMAIN/SITEURL
}
DISCOVERY_DEFAULTS: dict[str, Any] = {
    "related": 5,  # related stories per item page; 0 lists none
    # Card image of pages without their own, site-relative or absolute.
    "default_image": "theme/card.png",
    "default_image_alt": "",  # default: SITENAME
    "twitter_site": "",  # the digest's @account, if it has one
    "sitemap": True,
    "news_sitemap": True,
    "news_days": 2,  # Google News lists items of the last two days
    "publication_name": "",  # default: SITENAME
    "robots": True,
    "opml": True,
    "base_url": None,  # absolute URL of the site; defaults to SITEURL, then feeds'
}
SEARCH_DEFAULTS: dict[str, Any] = {
    "enabled": True,
    "force": False,  # rebuild the index even when no indexed page changed
}
PUBLISH_DEFAULTS: dict[str, Any] = {
    "staging": True,
    "keep_builds": 3,
    # Seconds a build waits for another build of the same output to finish.
    "lock_timeout": 600.0,
    "checks": ["links", "anchors", "assets", "feeds", "html", "sitemaps"],
    "max_page_loss": 0.5,
    "force": False,
    "build_date": None,
    "precompress": [],
    # Who serves the site (newsdigest.publishing.hosts): what the build writes
    # for it, and the limits checked before it is published or deployed.
    "host": "generic",
    # The host's limits for your plan, over the documented ones: files,
    # file_bytes, site_bytes, redirects, header_rules.
    "host_limits": {},
}

#: Set (to anything but "" or "0") to publish past the page-loss guard.
FORCE_ENV = "NEWSDIGEST_FORCE"

AUTHORITY = re.compile(r"^[a-z0-9]([a-z0-9.-]*[a-z0-9])?(,\d{4}(-\d{2}(-\d{2})?)?)$")


class Config(dict[str, Any]):
    """A feature's merged and checked settings: read-only once made.

    Why a read-only ``dict`` and not ``types.MappingProxyType``: Pelican pickles
    its settings (content caches, worker processes) and a mapping proxy cannot
    be pickled; a frozen dataclass could, but templates and callers read these
    by key (``digest_content.footer``, ``config["formats"]``) and the item cache
    keys them by ``repr``, which is the plain dict's. Lists become tuples and
    nested dicts Configs, so nothing inside can change either.
    """

    def _read_only(self, *_args: Any, **_kwargs: Any) -> None:
        raise TypeError(
            "newsdigest settings are checked once and read-only; "
            "change the DIGEST_* dict in the settings file instead."
        )

    __setitem__ = __delitem__ = __ior__ = _read_only  # type: ignore[assignment]
    clear = pop = popitem = setdefault = update = _read_only  # type: ignore[assignment]

    def __reduce__(self) -> tuple[Any, ...]:
        # Pickle (and copy) rebuild from the items, not by setting them one by one.
        return (type(self), (dict(self),))


def freeze(value: Any) -> Any:
    """``value`` with every dict a ``Config`` and every list a tuple."""
    if isinstance(value, dict):
        return Config({key: freeze(item) for key, item in value.items()})
    if isinstance(value, list | tuple):
        return tuple(freeze(item) for item in value)
    return value


def config_key(name: str) -> str:
    """The private settings key a feature's checked config is kept under."""
    return f"_{name}_CONFIG"


def feature_config(
    settings: dict[str, Any], name: str, check: Callable[[dict[str, Any]], Any]
) -> Config:
    """The checked config of feature ``name`` (e.g. ``DIGEST_FEEDS``).

    The first call merges and checks it with ``check`` (which raises a
    ``DigestError`` listing every problem) and stores it frozen in the
    settings; later calls, from any plugin or tool, read that copy. Pelican
    reads its settings again whenever the settings file changes (also under
    ``pelican -r``), so a kept config never outlives the settings it came from.
    """
    key = config_key(name)
    kept = settings.get(key)
    if isinstance(kept, Config):
        return kept
    config = freeze(check(settings))
    settings[key] = config
    return config


def merge(
    name: str, defaults: dict[str, Any], settings: dict[str, Any], report: Report
) -> dict[str, Any]:
    """Merge ``settings[name]`` over ``defaults``; report unknown or mistyped keys."""
    given = settings.get(name) or {}
    if not isinstance(given, dict):
        report.add(
            Problem(
                "settings",
                field=name,
                message=f"must be a dict, not {type(given).__name__}.",
                fix=f"Write {name} = {{...}} in your settings file.",
                check="settings",
            )
        )
        return dict(defaults)
    merged = dict(defaults)
    for key, value in given.items():
        if key not in defaults:
            report.add(
                Problem(
                    "settings",
                    field=f'{name}["{key}"]',
                    message="is not a known setting.",
                    fix="Known keys: " + ", ".join(sorted(defaults)) + ".",
                    check="settings",
                )
            )
            continue
        default = defaults[key]
        if value is None and default is not None:
            report.add(
                Problem(
                    "settings",
                    field=f'{name}["{key}"]',
                    message="cannot be None.",
                    fix=f"Remove the key to use the default, {default!r}.",
                    check="settings",
                )
            )
            continue
        if default is not None:
            expected = (int, float) if isinstance(default, float) else type(default)
            if not isinstance(value, expected) or isinstance(value, bool) != isinstance(
                default, bool
            ):
                report.add(
                    Problem(
                        "settings",
                        field=f'{name}["{key}"]',
                        message=f"must be {type(default).__name__}, "
                        f"not {type(value).__name__}.",
                        fix=f"Default: {default!r}.",
                        check="settings",
                    )
                )
                continue
        merged[key] = value
    return merged


def setting_problem(name: str, key: str, message: str, fix: str) -> Problem:
    return Problem(
        "settings",
        field=f'{name}["{key}"]' if key else name,
        message=message,
        fix=fix,
        check="settings",
    )


def content_settings(settings: dict[str, Any]) -> tuple[dict[str, Any], Report]:
    report = Report()
    merged = merge("DIGEST_CONTENT", CONTENT_DEFAULTS, settings, report)
    authority = merged["id_authority"]
    if not isinstance(authority, str) or not AUTHORITY.match(authority):
        report.add(
            setting_problem(
                "DIGEST_CONTENT",
                "id_authority",
                f"{authority!r} is not a tag: URI authority.",
                "Set a domain you own and the year you started, e.g. "
                "'digest.example.org,2026'. Never change it after publishing: "
                "every feed entry's id depends on it.",
            )
        )
    if isinstance(merged["labels"], dict):
        report.extend(label_problems(merged["labels"]))
    return merged, report


def raise_if_errors(report: Report, what: str) -> None:
    if report.errors:
        raise DigestError(f"{what}:\n{report.format_text()}", report)


def publish_settings(settings: dict[str, Any]) -> dict[str, Any]:
    """``DIGEST_PUBLISH`` merged and checked, every problem at once. In the
    library, not the publish plugin: feeds and the schedule read its
    ``build_date``, and ``newsdigest deploy`` its ``lock_timeout``."""
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
    if not 0 <= float(config["lock_timeout"]) <= 86400:
        report.add(
            setting_problem(
                "DIGEST_PUBLISH",
                "lock_timeout",
                "must be between 0 and 86400 seconds.",
                "Use 600 to wait up to ten minutes for another build, 0 to "
                "refuse at once.",
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
    report.extend(host_problems(config))
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
    if settings.get("CACHE_CONTENT"):
        report.add(
            setting_problem(
                "CACHE_CONTENT",
                "",
                "is True, but Pelican's content cache would skip newsdigest's "
                "validation and sanitising of unchanged files.",
                "Set CACHE_CONTENT = False (the default).",
            )
        )
    raise_if_errors(report, "DIGEST_PUBLISH is invalid")
    config["force"] = config["force"] or os.environ.get(FORCE_ENV, "") not in ("", "0")
    return config


def host_problems(config: dict[str, Any]) -> list[Problem]:
    """``host``, ``host_limits`` and whether ``precompress`` suits the host."""
    # Here, not at the top: the hosts module reads the editions model, which
    # reads these settings.
    from newsdigest.publishing.hosts import HOSTS, LIMIT_KEYS

    host = config["host"]
    if host not in HOSTS:
        return [
            setting_problem(
                "DIGEST_PUBLISH",
                "host",
                f"{host!r} is not a known host.",
                "Use one of: " + ", ".join(HOSTS) + ".",
            )
        ]
    problems = [
        setting_problem(
            "DIGEST_PUBLISH",
            "host_limits",
            f"{key!r}: {value!r} is not a known limit and a whole number above 0.",
            "Known limits: " + ", ".join(LIMIT_KEYS) + ", e.g. {'files': 100000}.",
        )
        for key, value in config["host_limits"].items()
        if key not in LIMIT_KEYS
        or not isinstance(value, int)
        or isinstance(value, bool)
        or value < 1
    ]
    if config["precompress"] and HOSTS[host].compresses:
        problems.append(
            setting_problem(
                "DIGEST_PUBLISH",
                "precompress",
                f"is {list(config['precompress'])!r}, but {HOSTS[host].title} "
                "compresses by itself and never serves .gz/.br siblings: they "
                "would only add two files per text file against its limits.",
                'Set "precompress": [] (siblings are for S3 and for nginx '
                "gzip_static behind rsync).",
            )
        )
    return problems


def checked_content_settings(settings: dict[str, Any]) -> dict[str, Any]:
    """``content_settings`` for ``feature_config``: refuse instead of report."""
    config, report = content_settings(settings)
    raise_if_errors(report, "newsdigest settings are invalid")
    return config


def content_config(settings: dict[str, Any]) -> Config:
    """``DIGEST_CONTENT``, checked once per run."""
    return feature_config(settings, "DIGEST_CONTENT", checked_content_settings)


def publish_config(settings: dict[str, Any]) -> Config:
    """``DIGEST_PUBLISH``, checked once per run (with or without the publish
    plugin: the build date and the checks are read by others too)."""
    return feature_config(settings, "DIGEST_PUBLISH", publish_settings)
