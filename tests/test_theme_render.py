"""Templates render the same whether or not the per-build lookups are given."""

from __future__ import annotations

import re
from pathlib import Path
from types import SimpleNamespace

import jinja2

import newsdigest
from newsdigest.theme import add_live_slugs, live_slugs, site_url

TEMPLATES = Path(newsdigest.__file__).parent / "themes" / "digest" / "templates"


def wrapper(name: str) -> SimpleNamespace:
    slug = name.lower().replace(" ", "-")
    return SimpleNamespace(name=name, slug=slug, url=f"tags/{slug}/")


def render_tags(linked: list[str]) -> str:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=True, auto_reload=False
    )
    env.globals["site_url"] = site_url
    live, draft_only = wrapper("Energy"), wrapper("Draft only")
    article = SimpleNamespace(tags=[live, draft_only], linked={"tags": linked})
    return env.get_template("partials/tag_list.html").render(
        article=article, SITEURL=".."
    )


def test_live_slugs_are_the_slugs_with_a_page():
    pairs = [(wrapper("Energy"), []), (wrapper("Climate Risk"), [])]
    assert live_slugs(pairs) == {"energy", "climate-risk"}
    assert live_slugs(None) == frozenset()


def test_the_tag_list_links_only_the_tags_the_item_has_linked():
    html = render_tags(["energy"])
    # (each pill also carries its search filter attributes)
    assert re.search(
        r'<a class="pill" href="../tags/energy/" rel="tag"[^>]*>Energy</a>', html
    )
    assert re.search(r'<span class="pill"[^>]*>Draft only</span>', html)
    assert "<a " not in render_tags([])


def test_each_item_learns_which_of_its_tags_topic_and_source_have_a_page():
    energy, draft_only = wrapper("Energy"), wrapper("Draft only")
    world, elsewhere = wrapper("World"), wrapper("Elsewhere")
    wire = wrapper("Wire")
    published = SimpleNamespace(tags=[energy], category=world, outlet=wire)
    draft = SimpleNamespace(tags=[energy, draft_only], category=elsewhere)
    context = {
        "tags": [(energy, [published])],
        "categories": [(world, [published])],
        "sources": [(wire, [published])],
    }
    generator = SimpleNamespace(context=context, articles=[published], drafts=[draft])
    add_live_slugs([generator])
    assert published.linked == {"tags": ["energy"], "topic": True, "source": True}
    assert draft.linked == {"tags": ["energy"], "topic": False, "source": False}
