"""Templates render the same whether or not the per-build lookups are given."""

from __future__ import annotations

import re
from pathlib import Path
from types import SimpleNamespace

import jinja2

import newsdigest
from newsdigest.theme import live_slugs, site_url
from tests.helpers import tree

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
    # (each pill also carries its search filter attributes)
    assert re.search(
        r'<a class="pill" href="../tags/energy/" rel="tag"[^>]*>Energy</a>', html
    )
    assert re.search(r'<span class="pill"[^>]*>Draft only</span>', html)


def test_precomputed_live_tags_render_byte_identical():
    tags = [(wrapper("Energy"), [])]
    assert render_tags(live_tags_slugs=live_slugs(tags)) == render_tags()
    # and the precomputed set is what decides, when given
    assert "<a " not in render_tags(live_tags_slugs=frozenset())


PLAIN_LOOKUPS = '''\
"""Test plugin: the theme as it was, per-page lookups and templates re-stat'ed."""
from pelican import signals

from newsdigest import theme


def plain(pelican):
    pelican.settings["JINJA_ENVIRONMENT"]["auto_reload"] = True


def register():
    signals.all_generators_finalized.disconnect(theme.add_live_slugs)
    signals.initialized.connect(plain)
'''


def test_the_sample_site_is_byte_identical_with_the_per_page_lookups(make_project):
    project = make_project(sample=True)
    result = project.build()
    assert result.returncode == 0, result.stdout + result.stderr
    fast = tree(project.output, reproducible=True)
    project.write("plain_lookups.py", PLAIN_LOOKUPS)
    with (project.root / "pelicanconf.py").open("a") as conf:
        conf.write('\nPLUGIN_PATHS = ["."]\nPLUGINS = [*PLUGINS, "plain_lookups"]\n')
    result = project.build()
    assert result.returncode == 0, result.stdout + result.stderr
    assert tree(project.output, reproducible=True) == fast
