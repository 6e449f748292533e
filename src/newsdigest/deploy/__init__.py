"""Deploy a built and checked site folder to GitHub Pages, an rsync host or S3.

All deploy configuration lives in one namespaced setting of ``publishconf.py``::

    DIGEST_DEPLOY = {
        "targets": {"pages": {"kind": "github-pages", ...}, ...},
    }

Precompressed ``.gz``/``.br`` siblings are written at publish time, in staging
(``DIGEST_PUBLISH["precompress"]``), never into the live folder here. The host a
build was made for (``DIGEST_PUBLISH["host"]``) is in its manifest: a deploy is
refused before any upload when the site is over that host's limits or the
target's (``newsdigest.publishing.hosts``), or was built for a host whose
config files the target does not read.

Each target only names what differs from its kind's defaults. The settings are
validated as a whole before anything is touched, so a typo in a key reports every
mistake with the exact key path instead of failing halfway through a deploy. The
kind modules are imported on demand so an rsync deploy does not pay for boto3.

``deploy()`` itself is the gate, whoever calls it (``newsdigest deploy``,
``invoke deploy``, a script): the folder must match the manifest its checked
production build wrote (``newsdigest.publishing.manifest``), and the kind
modules get only the verified files.
"""

from __future__ import annotations

import copy
import importlib
import json
import logging
from pathlib import Path
from typing import Any

from newsdigest.deploy.result import DeployResult, Site
from newsdigest.deploy.rsync import unsafe_destination_reason
from newsdigest.problems import DigestError, Problem, Report
from newsdigest.publishing.compress import ENCODERS
from newsdigest.publishing.hosts import (
    CACHE_CONTROL,
    HOSTS,
    TARGET_HOSTS,
    host_limits,
    limit_problems,
    site_size,
)
from newsdigest.publishing.manifest import Manifest, verify_site
from newsdigest.settings import Config, feature_config, publish_config

__all__ = [
    "DEFAULTS",
    "DeployResult",
    "Site",
    "deploy",
    "deploy_config",
    "target_options",
    "validate_deploy_settings",
]

log = logging.getLogger(__name__)

SETTING = "DIGEST_DEPLOY"
SETTINGS_FILE = "publishconf.py"
REQUIRED = object()  # default of the keys a target must set itself

CACHE_CLASSES = tuple(CACHE_CONTROL)
DEFAULTS: dict[str, dict[str, Any]] = {
    "github-pages": {
        "repo": ".",
        "branch": "gh-pages",
        "remote": "origin",
        "push": True,
        "message": "Publish digest",
        "cname": None,
        "nojekyll": True,
    },
    "rsync": {"destination": REQUIRED, "delete": False, "options": []},
    "s3": {
        "bucket": REQUIRED,
        "prefix": "",
        "endpoint_url": None,
        "region": None,
        "delete": False,
        "cache_control": dict(CACHE_CONTROL),
        "precompressed": None,
    },
}
MODULES = {"github-pages": "github", "rsync": "rsync", "s3": "s3"}
# Keys whose value may be None; every other key must have its default's type.
OPTIONAL = {"cname", "endpoint_url", "region", "precompressed"}
TYPE_NAMES = {str: "a string", bool: "True or False", list: "a list", dict: "a dict"}


def prefix_problem(prefix: str) -> str | None:
    """Why a key prefix is unsafe: ``..`` and ``.`` segments are resolved by CDNs
    and browsers, so ``../x`` would publish outside the site's own folder."""
    segments = prefix.strip("/").split("/")
    if prefix.strip("/") and any(s in ("", ".", "..") for s in segments):
        return "has an empty, '.' or '..' segment"
    if any(ord(c) < 32 or ord(c) == 127 or c == "\\" for c in prefix):
        return "has a control character or a backslash"
    return None


def key_path(*keys: str) -> str:
    """``DIGEST_DEPLOY["targets"]["s3"]`` for the keys ("targets", "s3")."""
    return SETTING + "".join(f"[{json.dumps(key)}]" for key in keys)


def _problem(keys: tuple[str, ...], message: str, fix: str) -> Problem:
    return Problem(
        path=SETTINGS_FILE,
        field=key_path(*keys),
        message=message,
        fix=fix,
        check="deploy",
    )


def validate_deploy_settings(settings: dict[str, Any]) -> list[Problem]:
    """Every problem with ``settings[DIGEST_DEPLOY]``; no setting at all is fine."""
    config = settings.get(SETTING)
    if config is None:
        return []
    if not isinstance(config, dict):
        return [
            _problem((), "must be a dict.", 'Write DIGEST_DEPLOY = {"targets": {...}}.')
        ]
    problems = [
        _problem(
            (key,),
            f"unknown key {key!r}.",
            'Use only "targets". (Precompression is DIGEST_PUBLISH["precompress"].)',
        )
        for key in config
        if key != "targets"
    ]
    targets = config.get("targets", {})
    if not isinstance(targets, dict):
        return [
            *problems,
            _problem(
                ("targets",),
                "must be a dict.",
                'Map names to targets: {"pages": {...}}.',
            ),
        ]
    for name, target in targets.items():
        problems += _validate_target(str(name), target)
    return problems


def _validate_target(name: str, target: Any) -> list[Problem]:
    keys = ("targets", name)
    if not isinstance(target, dict):
        return [_problem(keys, "must be a dict.", 'Write {"kind": "rsync", ...}.')]
    kind = target.get("kind")
    if kind not in DEFAULTS:
        kinds = ", ".join(DEFAULTS)
        return [
            _problem(
                (*keys, "kind"), f"unknown kind {kind!r}.", f"Use one of: {kinds}."
            )
        ]
    problems = []
    for key, default in DEFAULTS[kind].items():
        if key not in target and default is REQUIRED:
            problems.append(
                _problem(
                    (*keys, key), f"missing; {kind} targets need it.", f"Add {key!r}."
                )
            )
    for key, value in target.items():
        if key != "kind":
            problems += _validate_value(kind, (*keys, key), value)
    return problems


def _validate_value(kind: str, keys: tuple[str, ...], value: Any) -> list[Problem]:
    key = keys[-1]
    if key not in DEFAULTS[kind]:
        known = ", ".join(DEFAULTS[kind])
        return [
            _problem(keys, f"unknown key for a {kind} target.", f"Use one of: {known}.")
        ]
    if value is None and key in OPTIONAL:
        return []
    default = DEFAULTS[kind][key]
    expected = str if default is None or default is REQUIRED else type(default)
    if not isinstance(value, expected):
        wanted = TYPE_NAMES[expected] + (" or None" if key in OPTIONAL else "")
        return [
            _problem(keys, f"must be {wanted}, got {value!r}.", f"Set it to {wanted}.")
        ]
    return _check_value(keys, value)


def _check_value(keys: tuple[str, ...], value: Any) -> list[Problem]:
    """Checks beyond the type, for the keys that need them."""
    key = keys[-1]
    if key in ("destination", "bucket", "branch", "remote") and not value.strip():
        return [_problem(keys, "is empty.", f"Set {key!r} to a non-empty string.")]
    if key == "destination":
        reason = unsafe_destination_reason(value)
        if reason:
            return [
                _problem(
                    keys,
                    f"{reason}; rsync would mirror onto it.",
                    "Use a folder that holds only the site.",
                )
            ]
    if key == "prefix" and prefix_problem(value):
        return [
            _problem(
                keys,
                f"{value!r} {prefix_problem(value)}.",
                "Use plain folder names, e.g. 'digest/'.",
            )
        ]
    if key == "precompressed" and value not in ENCODERS:
        return [
            _problem(keys, f"unknown encoding {value!r}.", 'Use None, "gzip" or "br".')
        ]
    if key == "options" and not all(isinstance(item, str) for item in value):
        return [_problem(keys, "must be a list of strings.", 'Write ["--checksum"].')]
    if key == "cache_control":
        return [
            _problem(
                (*keys, name),
                "must be a string of a known class.",
                f"Use string values for: {', '.join(CACHE_CLASSES)}.",
            )
            for name, header in value.items()
            if name not in CACHE_CLASSES or not isinstance(header, str)
        ]
    return []


def target_options(settings: dict[str, Any], target: str) -> dict[str, Any]:
    """The target's settings over its kind's defaults (without validating them)."""
    configured = settings.get(SETTING) or {}
    targets = configured.get("targets") or {}
    if target not in targets:
        names = ", ".join(sorted(targets)) or "none"
        raise DigestError(
            f"Unknown deploy target {target!r}. Configured targets: {names}. "
            f"Add it to {SETTING}['targets'] in {SETTINGS_FILE}."
        )
    options = copy.deepcopy(DEFAULTS[targets[target]["kind"]])
    for key, value in targets[target].items():
        if isinstance(value, dict):
            options[key] = {**options.get(key, {}), **value}
        else:
            options[key] = value
    return options


def deploy_settings(settings: dict[str, Any]) -> dict[str, Any]:
    """``DIGEST_DEPLOY`` checked as a whole (every problem at once, with its key
    path), then every target over its kind's defaults."""
    problems = validate_deploy_settings(settings)
    if problems:
        report = Report(problems)
        raise DigestError(report.format_text(), report)
    targets = (settings.get(SETTING) or {}).get("targets") or {}
    return {"targets": {name: target_options(settings, name) for name in targets}}


def deploy_config(settings: dict[str, Any]) -> Config:
    """``DIGEST_DEPLOY``, checked once: ``deploy()`` and the kind modules read it."""
    return feature_config(settings, SETTING, deploy_settings)


def deploy(
    site_dir: Path,
    settings: dict[str, Any],
    target: str,
    *,
    dry_run: bool = False,
    settings_file: str | Path | None = None,
) -> DeployResult:
    """Deploy ``site_dir`` to the configured ``target``; dry runs change nothing.

    ``settings`` is the Pelican settings mapping holding ``DIGEST_DEPLOY``. The
    folder must match its manifest (every file, every check, the same
    ``SITEURL`` and, when given, the same ``settings_file``), dry run or not.
    """
    targets = deploy_config(settings)["targets"]
    if target not in targets:
        target_options(settings, target)  # refuses, naming the configured targets
    options = targets[target]
    site_dir = Path(site_dir).resolve()  # `output` is a symlink to the build
    _check_site(site_dir)
    manifest = verify_site(
        site_dir,
        siteurl=settings.get("SITEURL") if "SITEURL" in settings else None,
        settings_file=settings_file,
    )
    check_host(site_dir, manifest, settings, target, options["kind"])
    site = Site(
        folder=site_dir,
        files=manifest.files,
        protected=_protected_folders(settings),
    )
    module = importlib.import_module(f"{__name__}.{MODULES[options['kind']]}")
    result: DeployResult = module.deploy(site, target, options, dry_run=dry_run)
    log.info("%s", result.summary())
    return result


def check_host(
    site_dir: Path, manifest: Manifest, settings: dict[str, Any], target: str, kind: str
) -> None:
    """Refuse, before anything is shipped, a build the target's host would
    refuse or serve wrongly: one over the host's limits (and those of the host it
    was built for), or one built for a host that reads ``_redirects`` and
    ``_headers`` shipped to one that reads neither (its aliases would be 404s,
    its pages without a policy)."""
    built_for, ships_to = manifest.host, TARGET_HOSTS[kind]
    rebuild = (
        f'Set DIGEST_PUBLISH["host"] = "{ships_to}", run `invoke publish`, then deploy.'
    )
    if HOSTS[built_for].config_files and built_for != ships_to:
        raise DigestError(
            f"Refusing to deploy to {target!r}: the site was built for "
            f"{HOSTS[built_for].title}, whose _redirects and _headers "
            f"{HOSTS[ships_to].title} does not read. {rebuild}"
        )
    overrides = publish_config(settings)["host_limits"]
    configured = publish_config(settings)["host"]
    size = site_size(site_dir, manifest.files)
    problems = []
    for host in dict.fromkeys((built_for, ships_to)):
        limits = host_limits(host, overrides if host == configured else None)
        problems += limit_problems(size, host, limits)
    if problems:
        raise DigestError(
            f"Refusing to deploy to {target!r} ({HOSTS[ships_to].title}): "
            + " ".join(problems)
        )


def _protected_folders(settings: dict[str, Any]) -> tuple[Path, ...]:
    """The content and output folders: a destination never is, holds or is
    inside one (so never the project folder or any folder above it)."""
    return tuple(
        Path(settings[key]) for key in ("PATH", "OUTPUT_PATH") if settings.get(key)
    )


def _check_site(site_dir: Path) -> None:
    if not (site_dir / "index.html").is_file():
        raise DigestError(
            f"Refusing to deploy {site_dir}: it has no index.html, so it is missing, "
            "empty or not a built site. Run `invoke publish` first."
        )
