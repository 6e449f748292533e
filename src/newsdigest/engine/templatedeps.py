"""Which context variables a Jinja2 template reads, so a page is keyed by them alone.

Pelican hands every template the whole site context (all items, tags, topics),
but an item page reads only ``article`` and a few settings. The incremental
writer keys a page by the values its template reads; reading them from the
template's source (``jinja2.meta``), with every template it extends, includes or
imports, is what keeps an edit to one item from invalidating every page.

Some template globals read the page's context themselves (``@pass_context``):
they say what they read in a ``context_reads`` attribute, a tuple of names or a
function of the page's context giving them. A context function that does not
say, or a template included by a computed name, makes the template's reads
unknown (``None``): its pages are rendered every time.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any, TypeVar

import jinja2
from jinja2 import meta, nodes

#: Context names every page's key includes: they change what Pelican renders
#: (relative links) whether or not a template names them.
ALWAYS_READ = ("output_file", "localsiteurl", "SITEURL")
#: Jinja2's own filters that take the context only to look up the filters and
#: tests they apply (by name, a string argument): they read no page value.
#: (``random`` is not here: a page that uses it is never reused.)
JINJA_FILTERS_READING_NOTHING = frozenset(
    {"map", "select", "reject", "selectattr", "rejectattr"}
)


#: template source -> (undeclared names, filters, referenced templates)
_PARSED: dict[str, tuple[frozenset[str], frozenset[str], tuple[str | None, ...]]] = {}


class TemplateReads:
    """The names each template of one Jinja2 environment reads, found once."""

    def __init__(self, env: jinja2.Environment):
        self.env = env
        # jinja2.meta leaves out names the environment has as globals, but a
        # page's key must cover the globals it reads too (``site_url``, a
        # context function): parse with an overlay that has none.
        self._bare = env.overlay()
        self._bare.globals = {}
        self._names: dict[str, frozenset[str] | None] = {}
        self._filters: dict[str, frozenset[str]] = {}

    def names(self, template: str) -> frozenset[str] | None:
        """The undeclared names of ``template`` and everything it pulls in."""
        if template not in self._names:
            self._names[template] = None  # a cycle of includes reads "unknown"
            self._names[template] = self._find(template)
        return self._names[template]

    def filters(self, template: str) -> frozenset[str]:
        self.names(template)
        return self._filters.get(template, frozenset())

    def _find(self, template: str) -> frozenset[str] | None:
        loader = self.env.loader
        if loader is None:
            return None
        try:
            source, _, _ = loader.get_source(self.env, template)
        except (jinja2.TemplateNotFound, AttributeError):
            return None
        # Pelican makes an environment per generator: parse each source once.
        parsed = _PARSED.get(source)
        if parsed is None:
            tree = self._bare.parse(source)
            parsed = _PARSED[source] = (
                frozenset(meta.find_undeclared_variables(tree)),
                frozenset(node.name for node in tree.find_all(nodes.Filter)),
                tuple(meta.find_referenced_templates(tree)),
            )
        names, filters, referenced_templates = set(parsed[0]), set(parsed[1]), parsed[2]
        for referenced in referenced_templates:
            if referenced is None:
                return None
            found = self.names(referenced)
            if found is None:
                return None
            names |= found
            filters |= self._filters.get(referenced, frozenset())
        self._filters[template] = frozenset(filters)
        return frozenset(names)


#: What a context callable reads: names, or a function of the context giving them
#: (None: unknown).
Reads = Iterable[str] | Callable[[Mapping[str, Any]], Iterable[str] | None]
_Function = TypeVar("_Function", bound=Callable[..., Any])


def declare_reads(function: _Function, reads: Reads) -> _Function:
    """Give a ``@pass_context`` callable its ``context_reads``, so pages that
    call it can still be keyed (see ``context_reads``)."""
    vars(function)["context_reads"] = reads
    return function


def context_reads(function: Any, context: Mapping[str, Any]) -> Iterable[str] | None:
    """What a ``@pass_context`` callable reads from ``context``; None if unknown."""
    reads = getattr(function, "context_reads", None)
    if reads is None:
        return None
    if callable(reads):
        return reads(context)
    return reads


def reads_context(function: Any) -> bool:
    """Whether Jinja2 passes the template context to ``function``."""
    marker = getattr(function, "jinja_pass_arg", None)
    return getattr(marker, "name", "") == "context"


def page_reads(
    reads: TemplateReads, template: str, context: Mapping[str, Any]
) -> list[str] | None:
    """The sorted context names a page of ``template`` reads, with those its
    context functions and filters read; None if any of them is unknown."""
    names = reads.names(template)
    if names is None:
        return None
    found = set(names) | set(ALWAYS_READ)
    functions: list[Callable[..., Any]] = []
    for name in names:
        value = context.get(name, reads.env.globals.get(name))
        if callable(value) and reads_context(value):
            functions.append(value)
    for name in reads.filters(template) - JINJA_FILTERS_READING_NOTHING:
        value = reads.env.filters.get(name)
        if callable(value) and reads_context(value):
            functions.append(value)
    for function in functions:
        extra = context_reads(function, context)
        if extra is None:
            return None
        found.update(extra)
    return sorted(found)
