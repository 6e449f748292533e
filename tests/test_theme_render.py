"""Templates render the same whether or not the per-build lookups are given."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import jinja2

import newsdigest
from newsdigest.theme import live_slugs, site_url

TEMPLATES = Path(newsdigest.__file__).parent / "themes" / "digest" / "templates"


def wrapper(name: str) -> SimpleNamespace:
    slug = name.lower().replace(" ", "-")
    return SimpleNamespace(name=name, slug=slug, url=f"tags/{slug}/")


def render_tags(**extra: object) -> str:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=True, auto_reload=False
    )
    env.globals["site_url"] = site_url
    live, draft_only = wrapper("Energy"), wrapper("Draft only")
    article = SimpleNamespace(tags=[live, draft_only])
    return env.get_template("partials/tag_list.html").render(
        article=article, tags=[(live, [article])], SITEURL="..", **extra
    )


def test_live_slugs_are_the_slugs_with_a_page():
    pairs = [(wrapper("Energy"), []), (wrapper("Climate Risk"), [])]
    assert live_slugs(pairs) == {"energy", "climate-risk"}
    assert live_slugs(None) == frozenset()


def test_the_tag_list_links_only_tags_with_a_page():
    html = render_tags()
    assert '<a class="pill" href="../tags/energy/" rel="tag">Energy</a>' in html
    assert '<span class="pill">Draft only</span>' in html


def test_precomputed_live_tags_render_byte_identical():
    tags = [(wrapper("Energy"), [])]
    assert render_tags(live_tags_slugs=live_slugs(tags)) == render_tags()
    # and the precomputed set is what decides, when given
    assert "<a " not in render_tags(live_tags_slugs=frozenset())
