"""What the host that serves the site reads, allows and does by itself.

One build serves one host, named once in ``DIGEST_PUBLISH["host"]``: the build
has to know it (it decides which files to write: ``_redirects`` and
``_headers`` or meta-refresh pages and a ``<meta>`` policy, and whether
``.gz``/``.br`` siblings are worth their files), and ``newsdigest deploy``
reads it back from the build's record rather than from a second setting that
could disagree. Here, without Pelican:

- ``content_security_policy``: the ONE policy string, sent as a header in
  ``_headers`` and written as ``<meta http-equiv>`` where a host reads no
  header file;
- ``redirects_file`` and ``headers_file``: Netlify's and Cloudflare Pages'
  config files, with every path percent-encoded so that no address can add a
  rule, a splat or a placeholder;
- ``cache_class``: which files never change (content-hashed names), for the
  headers here and the S3 target's ``Cache-Control``;
- ``site_size`` and ``limit_problems``: the file count, the largest file and
  the total against the host's documented limits, checked by the build and
  again by ``newsdigest deploy``, so a site over them is refused before it is
  shipped rather than failing on the host.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from urllib.parse import quote, urlsplit

from newsdigest.urls import EMAIL_HTML

MIB = 1024 * 1024


@dataclass(frozen=True)
class Limits:
    """A host's documented limits (``None``: none documented)."""

    files: int | None = None
    file_bytes: int | None = None
    site_bytes: int | None = None
    redirects: int | None = None
    header_rules: int | None = None


@dataclass(frozen=True)
class Host:
    name: str
    title: str
    #: Reads ``_redirects`` and ``_headers`` from the site's root.
    config_files: bool
    #: Compresses responses itself: ``.gz``/``.br`` siblings would only add files.
    compresses: bool
    limits: Limits
    #: Writes the policy as ``<meta http-equiv>`` (it sends no header of ours).
    meta_policy: bool


HOSTS: dict[str, Host] = {
    # https://developers.cloudflare.com/pages/platform/limits/ (free plan):
    # 20,000 files, 25 MiB per file; _redirects: 2,000 static + 100 dynamic
    # rules; _headers: 100 rules.
    "cloudflare-pages": Host(
        "cloudflare-pages",
        "Cloudflare Pages",
        config_files=True,
        compresses=True,
        limits=Limits(
            files=20_000, file_bytes=25 * MIB, redirects=2_100, header_rules=100
        ),
        meta_policy=False,
    ),
    # https://docs.netlify.com/manage/routing/redirects/overview/ and
    # .../headers/: Netlify documents no file-count or file-size limit for
    # static deploys; set DIGEST_PUBLISH["host_limits"] if your plan has one.
    "netlify": Host(
        "netlify",
        "Netlify",
        config_files=True,
        compresses=True,
        limits=Limits(),
        meta_policy=False,
    ),
    # https://docs.github.com/en/pages/getting-started-with-github-pages/
    # github-pages-limits: a published site may be no larger than 1 GB;
    # https://docs.github.com/en/repositories/working-with-files/
    # managing-large-files/about-large-files-on-github: 100 MiB per file.
    "github-pages": Host(
        "github-pages",
        "GitHub Pages",
        config_files=False,
        compresses=True,
        limits=Limits(file_bytes=100 * MIB, site_bytes=1_000_000_000),
        meta_policy=True,
    ),
    # https://docs.aws.amazon.com/AmazonS3/latest/userguide/upload-objects.html:
    # one PUT uploads at most 5 GB (the S3 target uses single PUTs).
    "s3": Host(
        "s3",
        "S3",
        config_files=False,
        compresses=False,
        limits=Limits(file_bytes=5_000_000_000),
        meta_policy=True,
    ),
    "rsync": Host(
        "rsync",
        "an rsync server",
        config_files=False,
        compresses=False,
        limits=Limits(),
        meta_policy=True,
    ),
    # Unknown: nothing host-specific is written (no policy either: the
    # development server injects its own reload script).
    "generic": Host(
        "generic",
        "a generic host",
        config_files=False,
        compresses=False,
        limits=Limits(),
        meta_policy=False,
    ),
}
#: The host a deploy target's kind ships to.
TARGET_HOSTS = {"github-pages": "github-pages", "s3": "s3", "rsync": "rsync"}
LIMIT_KEYS = ("files", "file_bytes", "site_bytes", "redirects", "header_rules")

# --- The policy -------------------------------------------------------------------

#: What the theme loads, and from where. Its styles and scripts are its own files
#: (no inline script or style attribute: ``application/ld+json`` is data, not
#: run, and needs no allowance); Pagefind's search compiles its WebAssembly
#: (``'wasm-unsafe-eval'``), fetches its index (``connect-src 'self'``) and runs
#: a worker from the site (``worker-src``, defaulting to ``script-src``). Item
#: images may be on the outlet's server (``https:``); Pagefind's stylesheet
#: draws its icons as ``data:`` SVG.
POLICY: tuple[tuple[str, str], ...] = (
    ("default-src", "'self'"),
    ("script-src", "'self' 'wasm-unsafe-eval'"),
    ("style-src", "'self'"),
    ("img-src", "'self' https: data:"),
    ("font-src", "'self'"),
    ("connect-src", "'self'"),
    ("object-src", "'none'"),
    ("base-uri", "'self'"),
    ("form-action", "'self'"),
    ("frame-ancestors", "'none'"),
)
#: Directives a ``<meta>`` policy cannot carry (browsers ignore them there).
HEADER_ONLY = frozenset({"frame-ancestors", "report-uri", "sandbox"})
REFERRER_POLICY = "strict-origin-when-cross-origin"


def content_security_policy(*, meta: bool = False, inline_styles: bool = False) -> str:
    """The site's Content-Security-Policy; ``meta`` leaves out what a
    ``<meta http-equiv>`` policy cannot say; ``inline_styles`` is the policy
    of the web copies of edition emails (``EMAIL_HTML``), whose styles are
    inline because mail clients drop stylesheets (they run no script)."""
    return "; ".join(
        f"{name} {value}"
        + (" 'unsafe-inline'" if inline_styles and name == "style-src" else "")
        for name, value in POLICY
        if not (meta and name in HEADER_ONLY)
    )


def meta_policy(host: str) -> str:
    """The policy for the ``<meta>`` of every page, or "" where the host sends
    it as a header (or is unknown)."""
    return content_security_policy(meta=True) if HOSTS[host].meta_policy else ""


# --- Cache classes ----------------------------------------------------------------

#: A content hash in a file name: ``app-9f86d08.js``, ``en_1f47f99.pf_index``.
FINGERPRINT = re.compile(r"[._-]([0-9a-f]{7,})\.[^/]+$")
#: ... unless it is a date (``photo.20240115.jpg``, ``log-202401151230.txt``):
#: a hash may be all digits too (Pagefind's ``en_7279791``), a date has 8 or more.
DATE = re.compile(r"^(19|20)\d{6}(\d{4}(\d{2})?)?$")
CACHE_CONTROL = {
    "html": "public, max-age=300",
    "feeds": "public, max-age=300",
    "assets": "public, max-age=31536000, immutable",
    "default": "public, max-age=3600",
}


def cache_class(path: str) -> str:
    """ "html", "feeds", "assets" (fingerprinted, never change) or "default"."""
    suffix = PurePosixPath(path).suffix.lower()
    if suffix in (".html", ".htm"):
        return "html"
    if suffix in (".xml", ".json"):
        return "feeds"
    match = FINGERPRINT.search(PurePosixPath(path).name.lower())
    if match and not DATE.match(match.group(1)):
        return "assets"
    return "default"


# --- Config files -----------------------------------------------------------------


def base_path(siteurl: str) -> str:
    """The path the site lives under (``/digest`` for ``https://x.org/digest``)."""
    return urlsplit(siteurl or "").path.rstrip("/")


def rule_path(base: str, path: str) -> str:
    """``path`` (site-relative) as a path the host's rules match, encoded so that
    it is one token: whitespace would split the rule, ``*`` is a splat, ``:``
    a placeholder, ``!`` forces, ``#`` starts a comment; existing ``%XX``
    escapes are kept."""
    return quote(f"{base}/{path.lstrip('/')}", safe="/-._~%")


def redirects_file(redirects: Iterable[tuple[str, str]], siteurl: str) -> str:
    """``_redirects``: each former address (site-relative) to its item's
    address, a permanent (301) redirect."""
    base = base_path(siteurl)
    lines = ["# Former addresses of items (their `aliases`): newsdigest writes this."]
    for old, new in redirects:
        lines.append(f"{rule_path(base, old)} {rule_path(base, new)} 301")
    return "\n".join(lines) + "\n"


def asset_rules(files: Iterable[str]) -> list[str]:
    """Site-relative patterns that match only never-changing files: a folder of
    nothing but fingerprinted files (and no folders) as ``folder/*``, any other
    such file by name."""
    by_folder: dict[str, list[str]] = {}
    for path in files:
        by_folder.setdefault(str(PurePosixPath(path).parent), []).append(path)
    # Every folder that has a folder inside: a splat there would cover it too.
    parents = {".", *(str(p) for f in by_folder for p in PurePosixPath(f).parents)}
    rules = []
    for folder in sorted(by_folder):
        names = by_folder[folder]
        assets = [p for p in names if cache_class(p) == "assets"]
        if assets and len(assets) == len(names) and folder not in parents:
            rules.append(f"{folder}/*")
        else:
            rules += sorted(assets)
    return rules


def email_folders(files: Iterable[str]) -> list[str]:
    """The folders that hold one folder per edition with its web email copy
    (``editions`` for ``editions/2022-W01/email.html``): one rule each, with a
    placeholder for the edition, covers them all however many there are."""
    folders = set()
    for path in files:
        parts = PurePosixPath(path).parts
        if len(parts) >= 2 and parts[-1] == EMAIL_HTML:
            folders.add("/".join(parts[:-2]))
    return sorted(folders)


def headers_file(host: str, files: Iterable[str], siteurl: str) -> str:
    """``_headers``: the policy and safe defaults on every response, a short
    cache for pages and feeds, a year for fingerprinted files.

    Both hosts apply every rule that matches; for one header Netlify keeps the
    most specific rule's value, Cloudflare joins the values unless the rule
    first detaches it with ``! Name`` (which Netlify refuses as invalid)."""
    files = list(files)
    base = base_path(siteurl)
    short = CACHE_CONTROL["html"]
    lines = [
        "# Response headers: newsdigest writes this (newsdigest.publishing.hosts).",
        f"{rule_path(base, '')}*",
        f"  Content-Security-Policy: {content_security_policy()}",
        "  X-Content-Type-Options: nosniff",
        f"  Referrer-Policy: {REFERRER_POLICY}",
        f"  Cache-Control: {short}",
    ]
    for folder in email_folders(files):
        inside = rule_path(base, f"{folder}/" if folder else "")
        lines.append(f"{inside.rstrip('/')}/:edition/{EMAIL_HTML}")
        if host == "cloudflare-pages":
            lines.append("  ! Content-Security-Policy")
        policy = content_security_policy(inline_styles=True)
        lines.append(f"  Content-Security-Policy: {policy}")
    for pattern in asset_rules(files):
        splat = pattern.endswith("/*")
        path = rule_path(base, pattern.removesuffix("*")) + ("*" if splat else "")
        lines.append(path)
        if host == "cloudflare-pages":
            lines.append("  ! Cache-Control")
        lines.append(f"  Cache-Control: {CACHE_CONTROL['assets']}")
    return "\n".join(lines) + "\n"


def rule_count(text: str) -> int:
    """Rules in a ``_headers`` or ``_redirects`` text: its lines that are not
    indented, blank or comments."""
    return sum(
        1
        for line in text.splitlines()
        if line and not line[0].isspace() and line[0] != "#"
    )


# --- Limits -----------------------------------------------------------------------


@dataclass(frozen=True)
class SiteSize:
    files: int
    total_bytes: int
    largest: tuple[str, int]
    redirects: int = 0
    header_rules: int = 0


def site_size(site_dir: Path, files: Iterable[str] | None = None) -> SiteSize:
    """How many files ``site_dir`` holds (``files``, if given: a manifest's),
    their total and the largest; counts the rules of its config files."""
    paths = (
        list(files)
        if files is not None
        else [
            str(PurePosixPath(*p.relative_to(site_dir).parts))
            for p in site_dir.rglob("*")
            if p.is_file() and not p.is_symlink()
        ]
    )
    total, largest = 0, ("", 0)
    for path in paths:
        size = os.stat(site_dir / path, follow_symlinks=False).st_size
        total += size
        if size > largest[1]:
            largest = (path, size)
    redirects = site_dir / "_redirects"
    headers = site_dir / "_headers"
    return SiteSize(
        files=len(paths),
        total_bytes=total,
        largest=largest,
        redirects=(
            rule_count(redirects.read_text(encoding="utf-8"))
            if "_redirects" in paths
            else 0
        ),
        header_rules=(
            rule_count(headers.read_text(encoding="utf-8"))
            if "_headers" in paths
            else 0
        ),
    )


def host_limits(host: str, overrides: Mapping[str, int] | None = None) -> Limits:
    """The host's limits with the site's own (``DIGEST_PUBLISH["host_limits"]``,
    for a paid plan) over them."""
    limits = HOSTS[host].limits
    given = dict(overrides or {})
    return Limits(**{key: given.get(key, getattr(limits, key)) for key in LIMIT_KEYS})


def _mib(size: int) -> str:
    """A size as people read it: ``3,000 bytes``, ``2.0 KiB``, ``25.0 MiB``."""
    if size >= MIB:
        return f"{size / MIB:,.1f} MiB"
    return f"{size / 1024:,.1f} KiB" if size >= 1024 else f"{size:,} bytes"


def limit_problems(size: SiteSize, host: str, limits: Limits) -> list[str]:
    """One line per limit the site is over: the numbers and the fix."""
    title = HOSTS[host].title
    siblings = (
        " Precompressed siblings add two files per text file: set "
        'DIGEST_PUBLISH["precompress"] = [].'
        if HOSTS[host].compresses
        else ""
    )
    more = ' If your plan allows more, set DIGEST_PUBLISH["host_limits"].'
    checks = [
        (
            limits.files,
            size.files,
            f"{size.files:,} files",
            f"{limits.files or 0:,}",
            "raise DEFAULT_PAGINATION or turn off per-tag feeds to write fewer "
            f"pages.{siblings}",
        ),
        (
            limits.file_bytes,
            size.largest[1],
            f"{size.largest[0]} is {_mib(size.largest[1])}",
            f"{_mib(limits.file_bytes or 0)} per file",
            "make it smaller or host it elsewhere.",
        ),
        (
            limits.site_bytes,
            size.total_bytes,
            f"the site is {_mib(size.total_bytes)}",
            _mib(limits.site_bytes or 0),
            f"move large images elsewhere.{siblings}",
        ),
        (
            limits.redirects,
            size.redirects,
            f"_redirects has {size.redirects:,} rules",
            f"{limits.redirects or 0:,}",
            "drop the oldest aliases.",
        ),
        (
            limits.header_rules,
            size.header_rules,
            f"_headers has {size.header_rules:,} rules",
            f"{limits.header_rules or 0:,}",
            "keep fingerprinted files in folders of their own.",
        ),
    ]
    return [
        f"{what}, over the limit of {limit_text} on {title}. Fix: {fix}{more}"
        for limit, value, what, limit_text, fix in checks
        if limit is not None and value > limit
    ]


def size_line(size: SiteSize, host: str, limits: Limits) -> str:
    """The build summary's line: the count and the largest file against the limits."""
    of = f" of {limits.files:,}" if limits.files is not None else ""
    per = f" (limit {_mib(limits.file_bytes)})" if limits.file_bytes is not None else ""
    return (
        f"{size.files:,} files{of} for {HOSTS[host].title}, {_mib(size.total_bytes)} "
        f"in all; largest {size.largest[0]}, {_mib(size.largest[1])}{per}"
    )
