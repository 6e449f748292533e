"""The Pagefind search index (newsdigest.plugins.search): when it is rebuilt,
and where results link.
"""

from __future__ import annotations

import json

from newsdigest.plugins.search import index_key, indexed_pages


# --- Search index key ---------------------------------------------------------------
def test_index_key_changes_with_indexed_pages_only(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "a/index.html").write_bytes(b"<article data-pagefind-body>A</article>")
    (tmp_path / "b.html").write_bytes(b"<p>not indexed</p>")
    options = {"language": "en", "base_path": "/"}
    key = index_key(indexed_pages(tmp_path), options)
    (tmp_path / "b.html").write_bytes(b"<p>changed, still not indexed</p>")
    assert index_key(indexed_pages(tmp_path), options) == key
    assert index_key(indexed_pages(tmp_path), {**options, "base_path": "/x/"}) != key
    (tmp_path / "a/index.html").write_bytes(b"<article data-pagefind-body>B</article>")
    assert index_key(indexed_pages(tmp_path), options) != key


def test_a_damaged_kept_index_is_built_again(tmp_path):
    from newsdigest.plugins.search import build_index

    site = tmp_path / "site"
    (site / "a").mkdir(parents=True)
    (site / "a/index.html").write_text(
        '<!DOCTYPE html><html lang="en"><title>A</title>'
        "<article data-pagefind-body><h1>Alpha</h1><p>Zebra words.</p></article>"
    )
    cache = tmp_path / "cache"
    options = {"language": "en", "base_path": "/"}
    key, reused, count = build_index(site, cache, options)
    assert (reused, count) == (False, 1)
    (cache / "leftover-of-a-crash").mkdir()
    assert build_index(site, cache, options)[1] is True
    (cache / key / "pagefind" / "pagefind-ui.js").unlink()
    assert build_index(site, cache, options) == (key, False, 1)
    assert (site / "pagefind" / "pagefind-ui.js").is_file()
    assert sorted(p.name for p in cache.iterdir()) == [key]


def test_results_link_to_the_pages_under_the_sites_base_path(tmp_path):
    """A digest published under https://host/digest/ links its results there."""
    import gzip

    from newsdigest.plugins.search import build_index

    site = tmp_path / "site"
    for name in ("alpha", "beta"):
        (site / "2022/01" / name).mkdir(parents=True)
        (site / "2022/01" / name / "index.html").write_text(
            f'<!DOCTYPE html><html lang="en"><title>{name}</title>'
            f"<article data-pagefind-body><h1>{name}</h1><p>Zebra.</p></article>"
        )
    (site / "about.html").write_text("<!DOCTYPE html><title>x</title><p>No body</p>")
    options = {"language": "en", "base_path": "/digest/"}
    _, _, count = build_index(site, tmp_path / "cache", options)
    assert count == 2
    urls = sorted(
        json.loads(gzip.decompress(path.read_bytes())[12:])["url"]
        for path in (site / "pagefind" / "fragment").glob("*.pf_fragment")
    )
    assert urls == ["/digest/2022/01/alpha/", "/digest/2022/01/beta/"]


def test_an_index_left_with_an_empty_file_is_incomplete(tmp_path):
    from newsdigest.plugins.search import is_complete

    bundle = tmp_path / "pagefind"
    (bundle / "fragment").mkdir(parents=True)
    (bundle / "pagefind-ui.js").write_text("ui")
    (bundle / "pagefind-entry.json").write_text('{"version": "1.5.2"}')
    (bundle / "fragment" / "en_1.pf_fragment").write_bytes(b"\x1f\x8b data")
    assert is_complete(bundle)
    (bundle / "fragment" / "en_1.pf_fragment").write_bytes(b"")
    assert not is_complete(bundle)
    (bundle / "fragment" / "en_1.pf_fragment").write_bytes(b"\x1f\x8b data")
    (bundle / "pagefind-entry.json").write_text("")  # seen under load
    assert not is_complete(bundle)


def test_pagefind_is_run_again_when_it_leaves_an_incomplete_index(
    tmp_path, monkeypatch
):
    import newsdigest.plugins.search as search

    site = tmp_path / "site"
    (site / "a").mkdir(parents=True)
    (site / "a/index.html").write_text(
        '<!DOCTYPE html><html lang="en"><title>A</title>'
        "<article data-pagefind-body><h1>Alpha</h1><p>Zebra words.</p></article>"
    )
    real, runs = search._write_index, []

    async def flaky(pages, options, target):
        result = await real(pages, options, target)
        runs.append(target)
        if len(runs) == 1:
            (target / "pagefind-entry.json").write_text("")
        return result

    monkeypatch.setattr(search, "_write_index", flaky)
    _key, reused, count = search.build_index(
        site, tmp_path / "cache", {"language": "en", "base_path": "/"}
    )
    assert (reused, count) == (False, 1)
    assert len(runs) >= 2, "the emptied index was built again"
    assert json.loads((site / "pagefind" / "pagefind-entry.json").read_text())
