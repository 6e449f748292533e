"""precompress: deterministic .gz/.br siblings next to the site's text files."""

from __future__ import annotations

import gzip

import brotli

from newsdigest.publishing.compress import precompress
from tests.helpers import SITE, make_site, read_tree


def test_writes_gzip_and_brotli_siblings_that_round_trip(tmp_path):
    site = make_site(tmp_path / "output")

    written = precompress(site, ["gzip", "br"])

    tree = read_tree(site)
    assert gzip.decompress(tree["index.html.gz"]) == tree["index.html"]
    assert brotli.decompress(tree["index.html.br"]) == tree["index.html"]
    assert (
        brotli.decompress(tree["feeds/all.atom.xml.br"]) == tree["feeds/all.atom.xml"]
    )
    assert "images/logo.png.gz" not in tree  # not a text type
    assert "robots.txt.gz" not in tree  # too small to be worth it
    assert written == 2 * 6  # html x2, feeds x2, css, js; in two formats


def test_output_is_byte_identical_and_rerun_writes_nothing(tmp_path):
    first = make_site(tmp_path / "a")
    second = make_site(tmp_path / "b")
    precompress(first, ["gzip", "br"])
    precompress(second, ["gzip", "br"])

    again = precompress(first, ["gzip", "br"])

    assert read_tree(first) == read_tree(second)
    assert again == 0
    assert not any(
        name.endswith((".gz.gz", ".br.br", ".gz.br", ".br.gz"))
        for name in read_tree(first)
    )


def test_gzip_header_has_no_timestamp(tmp_path):
    site = make_site(tmp_path, {"index.html": SITE["index.html"]})

    precompress(site, ["gzip"])

    header = (site / "index.html.gz").read_bytes()[:10]
    assert header[4:8] == b"\0\0\0\0"  # MTIME field


def test_stale_sibling_is_removed_when_file_becomes_too_small(tmp_path):
    site = make_site(tmp_path, {"index.html": SITE["index.html"]})
    precompress(site, ["gzip"])
    (site / "index.html").write_text("<p>short</p>")

    precompress(site, ["gzip"])

    assert not (site / "index.html.gz").exists()
