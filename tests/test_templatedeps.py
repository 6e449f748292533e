"""What a template reads: its own names and those of what it pulls in."""

from __future__ import annotations

import jinja2

from newsdigest.engine.templatedeps import ALWAYS_READ, TemplateReads, page_reads

TEMPLATES = {
    "base.html": "<title>{{ SITENAME }}</title>{% block content %}{% endblock %}"
    "{% include 'footer.html' %}",
    "footer.html": "{{ footer_text }}",
    "article.html": "{% extends 'base.html' %}{% block content %}"
    "{% set x = 1 %}{{ article.title|upper }}{{ x }}{% endblock %}",
    "dynamic.html": "{% include name ~ '.html' %}",
    "helper.html": "{{ meta() }}",
    "mapped.html": "{{ tags|map(attribute='name')|join(', ') }}",
}


def env() -> jinja2.Environment:
    return jinja2.Environment(loader=jinja2.DictLoader(TEMPLATES))


def test_names_come_from_the_template_and_what_it_extends_and_includes() -> None:
    reads = TemplateReads(env())
    assert reads.names("article.html") == {"SITENAME", "footer_text", "article"}


def test_a_computed_include_makes_the_reads_unknown() -> None:
    assert TemplateReads(env()).names("dynamic.html") is None


def test_context_functions_say_what_they_read() -> None:
    @jinja2.pass_context
    def meta(context: object) -> str:
        return ""

    environment = env()
    environment.globals["meta"] = meta
    reads = TemplateReads(environment)
    assert page_reads(reads, "helper.html", {}) is None  # it does not say

    meta.context_reads = lambda context: ["article"] if context.get("article") else []
    assert page_reads(reads, "helper.html", {"article": 1}) == sorted(
        {"meta", "article", *ALWAYS_READ}
    )
    assert "article" not in page_reads(reads, "helper.html", {})


def test_jinjas_own_context_filters_read_nothing() -> None:
    reads = TemplateReads(env())
    assert page_reads(reads, "mapped.html", {}) == sorted({"tags", *ALWAYS_READ})


def test_template_globals_are_read_too() -> None:
    environment = env()
    environment.globals["footer_text"] = "set once for the site"
    assert "footer_text" in TemplateReads(environment).names("article.html")
