"""The Content-Security-Policy blocks nothing the theme needs, in a real browser.

The sample digest is built for Netlify (the policy in ``_headers``) and for
GitHub Pages (the policy in every page's ``<meta>``). A real http.server on
127.0.0.1 serves each, the first sending the headers its ``_headers`` file
gives each path, as the host would. Headless Debian Chromium visits the home
page, an item, an edition's email copy and the search page, runs a query (so
Pagefind loads its script, WebAssembly, worker and index) and records every
``securitypolicyviolation`` event and every console message about the policy:
there must be none, and the search must find stories.
"""

from __future__ import annotations

import contextlib
import functools
import re
import threading
from collections.abc import Iterator
from http.server import ThreadingHTTPServer
from pathlib import Path

import pytest

from newsdigest.publishing.hosts import content_security_policy
from tests.helpers import QuietHandler, copy_project, skip_without_chromium
from tests.test_hosts import parse_headers

pytestmark = [pytest.mark.browser, pytest.mark.slow]

skip_without_chromium()

BUILD_DATE = "2022-02-01T00:00:00+00:00"
RECORD_VIOLATIONS = """
window.__violations = [];
document.addEventListener('securitypolicyviolation', (e) => {
  window.__violations.push(e.violatedDirective + ' ' + e.blockedURI);
});
"""


def pattern_regex(pattern: str) -> re.Pattern[str]:
    """A ``_headers`` path as the hosts match it: ``*`` anything, ``:name`` one
    segment."""
    parts = re.split(r"(\*|:[A-Za-z]+)", pattern)
    return re.compile(
        "".join(
            ".*" if p == "*" else "[^/]+" if p.startswith(":") else re.escape(p)
            for p in parts
        )
        + "$"
    )


def headers_for(rules, path: str) -> dict[str, str]:
    """Netlify's way: every matching rule, a later (more specific) value wins."""
    headers: dict[str, str] = {}
    for pattern, pairs in rules:
        if pattern_regex(pattern).match(path):
            headers.update((name, value) for name, value in pairs)
    return headers


@contextlib.contextmanager
def serve_with_headers(folder: Path) -> Iterator[str]:
    """``folder`` over HTTP on 127.0.0.1, each response with the headers its
    ``_headers`` file gives the path (if it has one)."""
    file = folder / "_headers"
    rules = parse_headers(file.read_text()) if file.is_file() else []

    class Handler(QuietHandler):
        def end_headers(self) -> None:
            for name, value in headers_for(rules, self.path.split("?")[0]).items():
                self.send_header(name, value)
            super().end_headers()

    handler = functools.partial(Handler, directory=str(folder))
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}/"
    finally:
        httpd.shutdown()
        httpd.server_close()


@pytest.fixture(scope="module", params=["netlify", "github-pages"])
def host_site(request, tmp_path_factory) -> Iterator[tuple[str, Path]]:
    project = copy_project(tmp_path_factory.mktemp(request.param), True)
    project.write("content/sources.yml", "Example Wire:\n  paywall: metered\n")
    result = project.build(
        DIGEST_PUBLISH={"host": request.param, "build_date": BUILD_DATE}
    )
    assert result.returncode == 0, result.stdout + result.stderr
    site = project.output.resolve()
    with serve_with_headers(site) as url:
        yield url, site


def visit(browser, url: str) -> tuple[list[str], list[str], object]:
    context = browser.new_context()
    page = context.new_page()
    console: list[str] = []
    page.on(
        "console",
        lambda m: (
            console.append(m.text) if "Content Security Policy" in m.text else None
        ),
    )
    page.add_init_script(RECORD_VIOLATIONS)
    response = page.goto(url)
    assert response is not None and response.status == 200, url
    return console, context, page


def test_the_policy_blocks_nothing_the_theme_needs(browser, host_site):
    url, site = host_site
    (item,) = [
        p.parent.relative_to(site).as_posix() + "/"
        for p in site.glob("2021/12/*/index.html")
        if "wetlands-store-carbon" in str(p)
    ]
    (email,) = sorted(site.glob("editions/*/email.html"))[-1:]
    for path in ("", item, email.relative_to(site).as_posix(), "search/?q=carbon"):
        console, context, page = visit(browser, url + path)
        if path.startswith("search/"):
            page.wait_for_function(
                "() => document.querySelectorAll('.pagefind-ui__result-link').length"
            )
            assert page.locator(".pagefind-ui__result-link").count() >= 1
            # Pagefind's stylesheet (search.js adds it) was applied.
            assert page.evaluate(
                "() => [...document.styleSheets].some(s => (s.href || '')"
                ".endsWith('pagefind-ui.css'))"
            )
        else:
            page.wait_for_load_state("networkidle")
        # An email copy's inline styles would be violations too (it has a
        # rule of its own that allows them, and only them).
        violations = page.evaluate("() => window.__violations")
        context.close()
        assert violations == [], (path, violations)
        assert console == [], (path, console)


def test_the_paywall_mark_is_read_out_and_passes_axe(browser, host_site):
    from axe_playwright_python.sync_playwright import Axe

    url, site = host_site
    marked = [
        p.parent.relative_to(site).as_posix() + "/"
        for p in sorted(site.glob("20*/*/*/index.html"))
        if "metered paywall" in p.read_text()
    ]
    assert marked
    _console, context, page = visit(browser, url + marked[0])
    original = page.locator("p.original").first
    # Words, in the text a screen reader reads with the link: not colour alone.
    assert "(metered paywall: a few free articles, then a subscription)" in (
        original.inner_text()
    )
    assert original.locator(".paywall").is_visible()
    results = Axe().run(page)
    violations = page.evaluate("() => window.__violations")
    context.close()
    assert [v["id"] for v in results.response["violations"]] == []
    assert violations == []


def test_the_policy_is_really_enforced(browser, host_site):
    """The test above could pass with no policy at all: a script the theme
    does not have must be blocked, by the header or the meta."""
    url, site = host_site
    page_path = site / "csp-probe.html"
    text = (site / "index.html").read_text()
    probe = text.replace("</body>", "<script>window.__ran = true</script></body>")
    page_path.write_text(probe)
    try:
        _console, context, page = visit(browser, url + "csp-probe.html")
        ran = page.evaluate("() => window.__ran === true")
        violations = page.evaluate("() => window.__violations")
        context.close()
    finally:
        page_path.unlink()
    assert not ran
    assert any(v.startswith("script-src") for v in violations), violations
    assert "frame-ancestors 'none'" in content_security_policy()
