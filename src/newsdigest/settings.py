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

import argparse
import dataclasses
import logging
import os
import re
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from newsdigest.dates import parse_build_date
from newsdigest.labels import DEFAULT_LABELS, label_problems
from newsdigest.model.frontmatter import LINE_UNSAFE_CHARS, MARKUP
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
            setting_problem(
                name,
                "",
                f"must be a dict, not {type(given).__name__}.",
                f"Write {name} = {{...}} in your settings file.",
            )
        )
        return dict(defaults)
    merged = dict(defaults)
    for key, value in given.items():
        if key not in defaults:
            report.add(
                setting_problem(
                    name,
                    key,
                    "is not a known setting.",
                    "Known keys: " + ", ".join(sorted(defaults)) + ".",
                )
            )
            continue
        default = defaults[key]
        if value is None and default is not None:
            report.add(
                setting_problem(
                    name,
                    key,
                    "cannot be None.",
                    f"Remove the key to use the default, {default!r}.",
                )
            )
            continue
        if default is not None:
            expected = (int, float) if isinstance(default, float) else type(default)
            if not isinstance(value, expected) or isinstance(value, bool) != isinstance(
                default, bool
            ):
                report.add(
                    setting_problem(
                        name,
                        key,
                        f"must be {type(default).__name__}, "
                        f"not {type(value).__name__}.",
                        f"Default: {default!r}.",
                    )
                )
                continue
        merged[key] = value
    return merged


def setting_problem(name: str, key: str, message: str, fix: str) -> Problem:
    """A problem with setting ``name`` (``name["key"]``), named by the
    settings file and the line that assigns it, as every settings check names it."""
    shown = settings_file()
    return Problem(
        shown,
        setting_line(shown, name),
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
        shown = settings_file()
        line = setting_line(shown, "DIGEST_CONTENT")
        report.extend(
            dataclasses.replace(problem, path=shown, line=line)
            for problem in label_problems(merged["labels"])
        )
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
    # The host table (its names and limits) is the hosts module's: one owner.
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


# --- Pelican's own settings: what reaches a header, a file name, a URL or markup --

#: One-line text that pages, feeds and email headers show.
TEXT_SETTINGS = ("SITENAME", "SITESUBTITLE", "AUTHOR", "DEFAULT_CATEGORY")
#: Absolute http(s) URLs, or "" (a development build's SITEURL).
URL_SETTINGS = ("SITEURL", "FEED_DOMAIN")
#: Lists of (name, URL) pairs a theme may render as links.
LINK_SETTINGS = ("LINKS", "SOCIAL", "MENUITEMS")
#: Paths inside the site Pelican writes to (``*_SAVE_AS``) or links (``*_URL``).
PATH_SETTING = re.compile(r"(_SAVE_AS|_URL|^FEED(_ALL)?_(ATOM|RSS)|_FEED_(ATOM|RSS))$")
MAX_SETTING_TEXT = 1_000  # characters of one text value
MAX_SETTING_URL = 2_000
#: Plain-text values of the DIGEST_* dicts that pages and feeds show as text.
PLAIN_TEXT_KEYS = frozenset(
    {
        ("DIGEST_CONTENT", "site_description"),
        ("DIGEST_CONTENT", "footer"),
        ("DIGEST_DISCOVERY", "publication_name"),
        ("DIGEST_DISCOVERY", "default_image_alt"),
    }
)
PLAIN_FIX = (
    "Write it as one line of plain text ('<' only before a space, e.g. 'a < b')."
)
LANG_TAG = re.compile(r"^[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8})*$")
_PATH_UNSAFE = re.compile(r"[\s\"'<>\\`]")


def text_problem(
    value: Any, limit: int = MAX_SETTING_TEXT, *, plain: bool = False
) -> str | None:
    """What is wrong with ``value`` as one line of text, if anything; with
    ``plain``, markup is wrong too (the shared rule of topics and settings)."""
    if not isinstance(value, str):
        return f"must be text, not {type(value).__name__}."
    match = LINE_UNSAFE_CHARS.search(value)
    if match:
        char = match.group()
        kind = "a line break or tab" if char in "\t\n\r" else "an invisible character"
        return f"contains {kind} (U+{ord(char):04X})."
    markup = MARKUP.search(value) if plain else None
    if markup:
        return (
            f"contains markup ('{markup.group()}...'), which feeds and pages show "
            "as text."
        )
    if len(value) > limit:
        return f"is {len(value):,} characters long (at most {limit:,})."
    return None


def url_problem(value: Any, *, relative: bool = False) -> str | None:
    """What is wrong with ``value`` as a URL of the site (or, with
    ``relative``, a link that may also be a path inside it or ``mailto:``)."""
    from newsdigest.urls import is_absolute_http_url, is_mailto, is_safe_url

    problem = text_problem(value, MAX_SETTING_URL)
    if problem:
        return problem
    if relative:
        if is_safe_url(value) or is_mailto(value):
            return None
        return "is not an http(s) or mailto: link, nor a path of the site."
    if value == "":
        return None
    if not is_absolute_http_url(value) or _PATH_UNSAFE.search(value):
        return "is not an absolute http(s) URL."
    if "?" in value or "#" in value:
        return "has a query or fragment; it is the base of every address."
    return None


def path_problem(value: Any) -> str | None:
    """What is wrong with ``value`` as a path inside the site (a ``{slug}``
    pattern, or "" to write nothing)."""
    from newsdigest.urls import scheme_of

    if value is None or value == "":
        return None
    problem = text_problem(value)
    if problem:
        return problem
    if _PATH_UNSAFE.search(value):
        return "contains spaces, quotes, '<', '>' or backslashes."
    if scheme_of(value) is not None or value.startswith("/"):
        return "is not a path inside the site (it starts with '/' or a scheme)."
    if any(part in (".", "..") for part in value.split("/")):
        return "has a '.' or '..' part: it could leave the output folder."
    return None


def settings_file() -> str:
    """The settings file of this ``pelican`` run as messages name it."""
    found = settings_file_from_argv(sys.argv, Path.cwd())
    if found is None:
        return "settings"
    path = Path(found)
    return (
        str(path.relative_to(Path.cwd())) if path.is_relative_to(Path.cwd()) else found
    )


def setting_line(shown: str, name: str) -> int | None:
    """The line that last assigns ``name`` in the settings file, if found."""
    try:
        lines = Path(shown).read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return None
    assigns = re.compile(rf"^{re.escape(name)}\s*(:[^=]*)?=")
    found = [number for number, line in enumerate(lines, 1) if assigns.match(line)]
    return found[-1] if found else None


def _nested_text_problems(name: str, value: Any, field: str) -> list[tuple[str, str]]:
    """(field, problem) for every string inside a ``DIGEST_*`` value."""
    if isinstance(value, str):
        plain = (name, field[len(name) + 2 : -2]) in PLAIN_TEXT_KEYS
        problem = text_problem(value, MAX_SETTING_URL, plain=plain)
        return [(field, problem)] if problem else []
    found = []
    if isinstance(value, dict):
        for key, item in value.items():
            found += _nested_text_problems(name, item, f'{field}["{key}"]')
    elif isinstance(value, list | tuple):
        for index, item in enumerate(value):
            found += _nested_text_problems(name, item, f"{field}[{index}]")
    return found


def site_settings_problems(
    settings: dict[str, Any], shown: str | None = None
) -> list[Problem]:
    """Every Pelican and ``DIGEST_*`` setting that reaches an email header, a
    file name, a URL or markup, checked once before anything is read: each
    problem names the setting, its line in the settings file and the fix.

    Escaping protects markup; these checks protect the places escaping does not
    reach: header lines, robots.txt lines, file names, URL schemes. ``shown``
    is the settings file (default: the one this ``pelican`` run reads)."""
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    shown = shown or settings_file()
    found: list[tuple[str, str, str]] = []  # (field, problem, fix)
    for name in TEXT_SETTINGS:
        if settings.get(name) is not None:
            problem = text_problem(settings[name], plain=True)
            if problem:
                found.append((name, problem, PLAIN_FIX))
    for name in URL_SETTINGS:
        if settings.get(name) is not None:
            problem = url_problem(settings[name])
            if problem:
                found.append(
                    (
                        name,
                        problem,
                        f"Write e.g. {name} = 'https://digest.example.org'.",
                    )
                )
    for name in LINK_SETTINGS:
        value = settings.get(name) or ()
        if not isinstance(value, list | tuple):
            found.append(
                (name, "must be a list of (name, URL) pairs.", "See Pelican's docs.")
            )
            continue
        for index, pair in enumerate(value):
            field = f"{name}[{index}]"
            if not isinstance(pair, list | tuple) or len(pair) != 2:
                found.append(
                    (
                        field,
                        "must be a (name, URL) pair.",
                        "Write ('Name', 'https://...').",
                    )
                )
                continue
            name_problem = text_problem(pair[0], plain=True)
            for problem in (name_problem, url_problem(pair[1], relative=True)):
                if problem:
                    found.append(
                        (
                            field,
                            problem,
                            "Use a plain name and an http(s) or mailto: link.",
                        )
                    )
    lang = settings.get("DEFAULT_LANG")
    if not isinstance(lang, str) or not LANG_TAG.match(lang):
        found.append(
            (
                "DEFAULT_LANG",
                f"{str(lang)[:40]!r} is not a language tag.",
                "Use e.g. 'en' or 'pt-BR'.",
            )
        )
    timezone = settings.get("TIMEZONE")
    try:
        if not isinstance(timezone, str) or text_problem(timezone):
            raise ValueError(timezone)
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        found.append(
            (
                "TIMEZONE",
                f"{str(timezone)[:60]!r} is not a known time zone.",
                "Use an IANA name such as 'UTC', 'Europe/Lisbon' or "
                "'America/New_York'.",
            )
        )
    for index, pattern in enumerate(settings.get("PAGINATION_PATTERNS") or ()):
        parts = pattern[1:] if isinstance(pattern, list | tuple) else [pattern]
        for part in parts:
            problem = path_problem(part)
            if problem:
                found.append(
                    (
                        f"PAGINATION_PATTERNS[{index}]",
                        problem,
                        "Write e.g. (2, '{base_name}/page/{number}/', "
                        "'{base_name}/page/{number}/index.html').",
                    )
                )
    for name in sorted(settings):
        if (
            PATH_SETTING.search(name) or name == "THEME_STATIC_DIR"
        ) and name not in URL_SETTINGS:
            problem = path_problem(settings[name])
            if problem:
                found.append(
                    (
                        name,
                        problem,
                        "Write a path inside the site, e.g. 'topics/{slug}/'.",
                    )
                )
        elif name.startswith("DIGEST_") and not name.startswith("_"):
            for field, problem in _nested_text_problems(name, settings[name], name):
                found.append((field, problem, PLAIN_FIX))
    return [
        Problem(
            shown,
            setting_line(shown, field.split("[")[0]),
            field,
            problem,
            fix,
            check="settings",
        )
        for field, problem, fix in found
    ]


def settings_file_from_argv(argv: Sequence[str], cwd: Path) -> str | None:
    """The settings file a ``pelican`` command line builds with, as an absolute path.

    Pelican does not keep the path in its settings, so the publish plugin reads
    it from the command line (``-s FILE``, ``--settings FILE``; none means
    ``pelicanconf.py`` when it exists). None when this is not a pelican run.
    """
    program = Path(argv[0]).as_posix() if argv else ""
    if (
        not program.endswith(("/pelican", "pelican/__main__.py"))
        and program != "pelican"
    ):
        return None  # an in-process build (tests, benchmarks): -s means other things
    parser = argparse.ArgumentParser(add_help=False)
    parser.add_argument("-s", "--settings")
    known, _ = parser.parse_known_args(list(argv[1:]))
    if known.settings:
        return str((cwd / known.settings).resolve())
    default = cwd / "pelicanconf.py"
    return str(default.resolve()) if default.is_file() else None


class PluginFailures(logging.Handler):
    """The plugins Pelican could not load or register in this process.

    Pelican logs such a failure and builds on without the plugin: a site
    without its editions, feeds or checks would then replace a good one. Pelican
    offers no hook for it, so its own log records are watched (``Cannot load
    plugin`` from ``pelican.plugins._utils``, ``Cannot register plugin`` from
    ``pelican``) and the build is refused with the plugin named."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.failed: dict[str, str] = {}

    def emit(self, record: logging.LogRecord) -> None:
        message = str(record.msg)
        if not message.startswith(("Cannot load plugin", "Cannot register plugin")):
            return
        args = record.args if isinstance(record.args, tuple) else ()
        name = str(args[0]) if args else "?"
        reason = str(args[1]) if len(args) > 1 else ""
        self.failed[name] = " ".join(reason.split())

    def filter(self, record: logging.LogRecord) -> bool:
        """On Pelican's own logger: a plugin's exception is said in one line,
        never as a traceback (the handler above still records it)."""
        if str(record.msg).startswith("Cannot register plugin") and record.exc_info:
            error = record.exc_info[1]
            record.msg = f"{record.msg}: %s"
            record.args = (*(record.args or ()), f"{type(error).__name__}: {error}")
            record.exc_info, record.exc_text = None, None
        return True

    def install(self) -> PluginFailures:
        for logger_name in ("pelican.plugins._utils", "pelican"):
            found = logging.getLogger(logger_name)
            if self not in found.handlers:
                found.addHandler(self)
            if self not in found.filters:
                found.addFilter(self)
        return self

    def problems(self) -> list[Problem]:
        return [
            setting_problem(
                "PLUGINS",
                "",
                f"lists {name}, which Pelican could not load "
                f"({reason or 'see above'}).",
                "Fix the plugin or the package it needs (the error is above), or "
                "remove it from PLUGINS; nothing is built without a listed plugin.",
            )
            for name, reason in sorted(self.failed.items())
        ]
