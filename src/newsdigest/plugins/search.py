"""Pelican plugin: full-text search with Pagefind, built with the site.

Pagefind indexes the built HTML and ships the index with a small WebAssembly
search engine, so search works on any static host and sends nothing to a third
party. Only item bodies are indexed (the item template marks them with
``data-pagefind-body``; hidden items and drafts are not marked), with filters
for topic, tag, source and label and the item's date as the sort key.

Indexing costs seconds, so it is skipped when nothing it reads changed: the key
is a hash of every indexed page plus the settings that shape the index, and the
index of that key is kept under ``CACHE_PATH``. An unchanged build copies the
kept index into the build it is writing (the staged one, so the published site
always has it) instead of starting Pagefind.

Why a generator and not a ``finalized`` receiver: blinker does not order the
receivers of one signal, and ``newsdigest.plugins.publish`` checks and swaps the build
in ``finalized``; an index written after that would miss the checks or land in
the live site. A generator moved to the end of Pelican's list (in
``all_generators_finalized``) runs after every page is written and before
``finalized``, whatever the order of ``PLUGINS``.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import os
import shutil
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from pelican import signals
from pelican.generators import Generator

from newsdigest.engine.readcache import PREFIX
from newsdigest.engine.runstate import STATE, run_late, start_run
from newsdigest.filemodes import (
    PRIVATE_DIR,
    PRIVATE_FILE,
    PUBLIC_DIR,
    PUBLIC_FILE,
    fix_tree,
    make_dirs,
    private_cache,
)
from newsdigest.problems import DigestError, Report
from newsdigest.publishing.staging import os_problem
from newsdigest.settings import (
    SEARCH_DEFAULTS,
    Config,
    feature_config,
    merge,
    raise_if_errors,
)

logger = logging.getLogger(__name__)

BUNDLE = "pagefind"  # the folder of the index in the site
MARKER = b"data-pagefind-body"
INDEX_ATTEMPTS = 3  # see is_complete
CACHE_FOLDER = PREFIX + "search"  # under CACHE_PATH; `invoke clean` removes it
#: Bump when the way pages are handed to Pagefind changes.
INDEX_FORMAT = 1


def search_settings(settings: dict[str, Any]) -> dict[str, Any]:
    """``DIGEST_SEARCH`` merged over its defaults, checked once."""
    report = Report()
    config = merge("DIGEST_SEARCH", SEARCH_DEFAULTS, settings, report)
    raise_if_errors(report, "DIGEST_SEARCH is invalid")
    return config


def search_config(settings: dict[str, Any]) -> Config:
    """``DIGEST_SEARCH``, checked once per run."""
    return feature_config(settings, "DIGEST_SEARCH", search_settings)


def pagefind_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("pagefind-bin")
    except PackageNotFoundError:
        return "unknown"


def indexed_pages(site: Path) -> list[tuple[str, bytes]]:
    """(site-relative path, HTML) of every page Pagefind will index, sorted."""
    pages = []
    for path in sorted(site.rglob("*.html")):
        relative = path.relative_to(site).as_posix()
        if relative.startswith(f"{BUNDLE}/"):
            continue
        data = path.read_bytes()
        if MARKER in data:
            pages.append((relative, data))
    return pages


def index_key(pages: Iterable[tuple[str, bytes]], options: dict[str, Any]) -> str:
    """What the index depends on: the pages, the options, Pagefind's version."""
    digest = hashlib.sha256()
    header = {"format": INDEX_FORMAT, "pagefind": pagefind_version(), **options}
    digest.update(json.dumps(header, sort_keys=True).encode())
    for relative, data in pages:
        digest.update(relative.encode() + b"\0")
        digest.update(hashlib.sha256(data).digest())
    return digest.hexdigest()[:32]


async def _write_index(
    pages: list[tuple[str, bytes]], options: dict[str, Any], target: Path
) -> int:
    """Index ``pages`` with Pagefind's Python API in one request.

    Why not ``add_html_file`` per page: pagefind 1.5's service reads one reply
    every 0.1 s, so a page costs 0.1 s (1,000 items took 102 s). The pages are
    laid out in a temporary folder under the site's base path instead, so the
    result URLs are the pages' own, and ``add_directory`` indexes them at once.
    """
    from pagefind.index import IndexConfig, PagefindIndex

    config = IndexConfig(force_language=options["language"], output_path=str(target))
    with tempfile.TemporaryDirectory(prefix="newsdigest-search-") as tmp:
        root = Path(tmp, *options["base_path"].strip("/").split("/"))
        for relative, data in pages:
            path = root / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
        async with PagefindIndex(config=config) as index:
            result = await index.add_directory(tmp)
    return int(result.get("page_count", len(pages)))


def is_complete(bundle: Path) -> bool:
    """A kept index someone emptied or a crash cut short is built again.

    Also a fresh one: Pagefind 1.5 writes its files from async tasks it does
    not flush, and the Python API stops the service as soon as the write is
    acknowledged, so on a loaded machine a file can be left empty (seen:
    ``pagefind-entry.json``). Every file must be non-empty and the entry file
    valid JSON."""
    entry = bundle / "pagefind-entry.json"
    if not entry.is_file() or not (bundle / "pagefind-ui.js").is_file():
        return False
    try:
        json.loads(entry.read_bytes())
    except (OSError, ValueError):
        return False
    return all(path.stat().st_size > 0 for path in bundle.rglob("*") if path.is_file())


def build_index(
    site: Path, cache_root: Path, options: dict[str, Any], force: bool = False
) -> tuple[str, bool, int]:
    """Put the search index for ``site`` into ``site/pagefind``.

    Returns (key, reused, pages). Pagefind runs only when no index of the same
    key is kept in ``cache_root``; the newest index replaces older ones there.
    """
    pages = indexed_pages(site)
    key = index_key(pages, options)
    kept = cache_root / key
    reused = is_complete(kept / BUNDLE) and not force
    private_cache(cache_root.parent, cache_root.name)
    if reused:  # kept by an older version, maybe with the umask's modes
        fix_tree(kept, PRIVATE_DIR, PRIVATE_FILE)
    else:
        work = Path(tempfile.mkdtemp(prefix="tmp-", dir=cache_root))
        try:
            for attempt in range(1, INDEX_ATTEMPTS + 1):
                asyncio.run(_write_index(pages, options, work / BUNDLE))
                if is_complete(work / BUNDLE):
                    # Pagefind writes with the umask: the kept index is private.
                    fix_tree(work, PRIVATE_DIR, PRIVATE_FILE)
                    break
                logger.warning("Pagefind left an incomplete index (try %d)", attempt)
                shutil.rmtree(work / BUNDLE, ignore_errors=True)
            else:
                raise DigestError(
                    "Pagefind wrote no complete search index. Reinstall it "
                    "(pip install 'pagefind[bin]'), or set "
                    "DIGEST_SEARCH = {'enabled': False}."
                )
            shutil.rmtree(kept, ignore_errors=True)
            work.rename(kept)
        finally:
            shutil.rmtree(work, ignore_errors=True)
        # Builds of one project take turns (newsdigest.plugins.publish's lock), so
        # anything else here is an older index or a crashed build's leftovers.
        for other in cache_root.iterdir():
            if other.name != key:
                shutil.rmtree(other, ignore_errors=True)
    copy_bundle(kept / BUNDLE, site / BUNDLE)
    return key, reused, len(pages)


def copy_bundle(source: Path, target: Path) -> None:
    """Copy file by file: ``shutil.copytree`` folds errors into one
    ``shutil.Error`` and loses the errno a full disk should be reported by.
    The copies are published output: 0644 in 0755 folders."""
    shutil.rmtree(target, ignore_errors=True)
    make_dirs(target, PUBLIC_DIR)
    for path in sorted(source.rglob("*")):
        destination = target / path.relative_to(source)
        if path.is_dir():
            make_dirs(destination, PUBLIC_DIR)
        else:
            make_dirs(destination.parent, PUBLIC_DIR)
            shutil.copyfile(path, destination)
            os.chmod(destination, PUBLIC_FILE)


def index_options(settings: dict[str, Any]) -> dict[str, Any]:
    siteurl = settings.get("SITEURL") or ""
    base_path = urlsplit(siteurl).path.rstrip("/") + "/"
    return {
        "language": (settings.get("DEFAULT_LANG") or "en").split("-")[0],
        "base_path": base_path,
    }


class SearchGenerator(Generator):
    """Indexes the pages written by every other generator (it runs last)."""

    run_late = 2  # see newsdigest.engine.runstate.run_late

    def generate_context(self) -> None:
        self.config = search_config(self.settings)

    def generate_output(self, writer: Any) -> None:
        if not self.config["enabled"]:
            return
        flush = getattr(writer, "flush", None)
        if flush is not None:  # newsdigest's writer renders pages late
            flush()
        site = Path(writer.output_path)
        cache_root = Path(self.settings.get("CACHE_PATH") or "cache") / CACHE_FOLDER
        try:
            key, reused, count = build_index(
                site, cache_root, index_options(self.settings), self.config["force"]
            )
        except OSError as error:
            raise DigestError(
                f"Search indexing failed: {os_problem(error)}. Set DIGEST_SEARCH = "
                "{'enabled': False} to build without search."
            ) from None
        STATE.counts["search_pages"] = count
        logger.info(
            "Search index %s for %d pages (%s).",
            key,
            count,
            "unchanged, reused" if reused else "rebuilt",
        )


def configure(pelican: Any) -> None:
    """Check the settings once; add the search page and tell the theme."""
    settings = pelican.settings
    config = search_config(settings)
    settings["JINJA_GLOBALS"] = {
        **(settings.get("JINJA_GLOBALS") or {}),
        "search_enabled": config["enabled"],
    }
    if config["enabled"]:
        templates = list(settings.get("DIRECT_TEMPLATES") or [])
        if "search" not in templates:
            settings["DIRECT_TEMPLATES"] = [*templates, "search"]
        settings.setdefault("SEARCH_URL", "search/")
        settings.setdefault("SEARCH_SAVE_AS", "search/index.html")


def get_generators(_pelican: Any) -> type[Generator]:
    return SearchGenerator


def register() -> None:
    signals.get_generators.connect(start_run)
    signals.initialized.connect(configure)
    signals.get_generators.connect(get_generators)
    signals.all_generators_finalized.connect(run_late)
