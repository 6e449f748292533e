"""Discovery in a real browser: search, keyboard, dark mode, narrow screens, axe.

The sample digest is built once and served by a real http.server on 127.0.0.1;
headless Debian Chromium is driven by Playwright. axe-core comes with the
``axe-playwright-python`` package (its ``axe.min.js`` is injected into the
page), so nothing is downloaded while testing. Screenshots of every page kind
at 390 and 1280 px are written to ``test-artifacts/discovery/`` (or
``$NEWSDIGEST_ARTIFACTS``) for people to look at.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.helpers import REPO, copy_project, item, serve_folder, skip_without_chromium

pytestmark = pytest.mark.browser

skip_without_chromium()

ARTIFACTS = Path(
    os.environ.get("NEWSDIGEST_ARTIFACTS") or REPO / "test-artifacts" / "discovery"
)
WETLAND = "explainer-how-restored-coastal-wetlands-store-carbon"


@pytest.fixture(scope="module")
def kinds(sample_site) -> dict[str, str]:
    """One address per page kind of the sample digest."""
    (item,) = [
        p.parent.relative_to(sample_site.output).as_posix() + "/"
        for p in sample_site.output.glob("2021/12/*/index.html")
        if WETLAND in str(p)
    ]
    return {
        "home": "",
        "item": item,
        "topic": "topics/climate/",
        "tag": "tags/nato/",
        "source": "sources/example-wire/",
        "archive": "archive/2022/01/",
        "search": "search/?q=carbon",
    }


def open_page(browser, url: str, width: int = 1280, **options):
    context = browser.new_context(viewport={"width": width, "height": 900}, **options)
    page = context.new_page()
    page.goto(url)
    if "search/?q=" in url:
        page.wait_for_selector(".pagefind-ui__result, .pagefind-ui__message")
    return context, page


def result_count(page) -> int:
    """The count Pagefind announces ("15 results for the"), once it has one."""
    page.wait_for_function(
        "() => /^\\d+ results? for/.test("
        "document.querySelector('.pagefind-ui__message')?.textContent || '')"
    )
    return int(page.locator(".pagefind-ui__message").inner_text().split()[0])


def result_titles(page) -> list[str]:
    """Titles of the results shown (Pagefind shows the first five at once)."""
    expected = min(result_count(page), 5)
    page.wait_for_function(
        "n => document.querySelectorAll('.pagefind-ui__result-link').length >= n",
        arg=expected,
    )
    return page.locator(".pagefind-ui__result-link").all_inner_texts()


def test_search_finds_the_item_and_filters_narrow_the_results(browser, server):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    requests: list[str] = []
    errors: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(server + "search/?q=wetlands")
    titles = result_titles(page)
    assert titles and "coastal wetlands store carbon" in titles[0]

    page.goto(server + "search/?q=the")
    everything = result_count(page)
    page.locator("summary", has_text="Topic").click()
    page.locator("label[for='topic-Climate']").click()
    page.wait_for_function(
        "n => !document.querySelector('.pagefind-ui__message')"
        ".textContent.startsWith(n + ' ')",
        arg=everything,
    )
    climate_count = result_count(page)
    climate = result_titles(page)
    context.close()
    assert errors == []
    assert [u for u in requests if not u.startswith(server)] == []  # self-hosted
    assert any("/pagefind/wasm." in u for u in requests)  # the search engine
    assert 0 < climate_count < everything
    assert any("wetlands" in title for title in climate)
    assert not any("central bank" in title.lower() for title in climate)


def test_header_search_form_opens_the_search_page(browser, server):
    context, page = open_page(browser, server)
    page.get_by_label("Search stories").fill("passkeys")
    page.get_by_role("button", name="Search").click()
    titles = result_titles(page)
    context.close()
    assert any("passkeys" in title.lower() for title in titles)


def test_without_javascript_the_header_offers_topics_and_tags(browser, server):
    context, page = open_page(browser, server, java_script_enabled=False)
    form_visible = page.locator("form.site-search").is_visible()
    fallback = page.locator(".site-search-fallback")
    links = fallback.get_by_role("link").all_inner_texts()
    context.close()
    assert not form_visible
    assert links == ["topic", "tag"]


JS_FOCUS = """() => {
  const el = document.activeElement;
  const style = getComputedStyle(el);
  return {href: el.getAttribute('href'), tag: el.tagName,
          outline: style.outlineStyle, width: parseFloat(style.outlineWidth),
          shadow: style.boxShadow};
}"""
JS_LINKS = """() => [...document.querySelectorAll('a[href]')]
  .filter(a => a.offsetParent !== null || a.classList.contains('skip-link'))
  .map(a => a.getAttribute('href'))"""


@pytest.mark.parametrize("kind", ["home", "item", "topic", "tag", "source", "archive"])
def test_keyboard_reaches_every_link_with_a_visible_focus(browser, server, kinds, kind):
    context, page = open_page(browser, server + kinds[kind])
    links = page.evaluate(JS_LINKS)
    reached: list[str] = []
    unmarked: list[str] = []
    for _ in range(len(links) + 10):
        page.keyboard.press("Tab")
        focus = page.evaluate(JS_FOCUS)
        if focus["tag"] == "BODY":
            break
        if focus["tag"] == "A":
            reached.append(focus["href"])
        if focus["outline"] == "none" or focus["width"] < 2:
            unmarked.append(f"{focus['tag']} {focus['href']}")
    context.close()
    assert set(links) <= set(reached), set(links) - set(reached)
    assert not unmarked, unmarked


def test_dark_mode_applies_to_pages_and_search(browser, server, kinds):
    for kind in ("home", "item", "search"):
        context, page = open_page(browser, server + kinds[kind], color_scheme="dark")
        background = page.evaluate("getComputedStyle(document.body).backgroundColor")
        selector = (
            ".pagefind-ui__search-input" if kind == "search" else "#site-search-q"
        )
        field = page.evaluate(
            "s => getComputedStyle(document.querySelector(s)).color", selector
        )
        context.close()
        assert background == "rgb(19, 21, 25)", (kind, background)
        assert field == "rgb(233, 231, 227)", (kind, field)


@pytest.mark.parametrize(
    "kind", sorted(["home", "item", "topic", "tag", "source", "archive", "search"])
)
def test_no_horizontal_scroll_at_320_px(browser, server, kinds, kind):
    context, page = open_page(browser, server + kinds[kind], width=320)
    overflow = page.evaluate(
        "() => document.documentElement.scrollWidth - window.innerWidth"
    )
    context.close()
    assert overflow <= 0, f"{kind} scrolls sideways by {overflow}px at 320px"


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize(
    "kind", ["home", "item", "topic", "tag", "source", "archive", "search"]
)
def test_axe_finds_no_violations(browser, server, kinds, kind, scheme):
    from axe_playwright_python.sync_playwright import Axe

    context, page = open_page(browser, server + kinds[kind], color_scheme=scheme)
    results = Axe().run(page)
    context.close()
    violations = [
        (v["id"], [n["target"] for n in v["nodes"]][:3])
        for v in results.response["violations"]
    ]
    assert violations == [], violations


@pytest.mark.parametrize("width", [390, 1280])
def test_screenshots_of_every_page_kind(browser, server, kinds, width):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for kind, path in kinds.items():
        context, page = open_page(browser, server + path, width=width)
        target = ARTIFACTS / f"{kind}-{width}.png"
        page.screenshot(path=str(target), full_page=True)
        context.close()
        assert target.stat().st_size > 1000, target


PAYLOADS = [
    '<img src=x onerror="window.__pwned=1">',
    "<script>window.__pwned=1</script>",
    '"><svg onload="window.__pwned=1">',
]
WORDS = ["one", "two", "three"]


@pytest.fixture(scope="module")
def hostile_server(tmp_path_factory):
    """A digest whose titles, summaries and bodies try to run code in search."""
    project = copy_project(tmp_path_factory.mktemp("hostile-search"), False)
    for n, payload in enumerate(PAYLOADS):
        project.write(
            f"content/items/h{n}.md",
            item(
                title=f"Zebra {payload}",
                slug=f"h{n}",
                summary=f"Zebra summary {payload}",
                # Tags whose addresses would clash are refused: a word each.
                tags=[f"Zebra {WORDS[n]} {payload}"],
                source=f"Zebra outlet {n}",
                source_url=f"https://example.com/h{n}",
                body=f"Zebra body `{payload}`\n",
            ),
        )
    result = project.build()
    assert result.returncode == 0, result.stdout + result.stderr
    with serve_folder(project.output.resolve()) as url:
        yield url


def test_search_results_show_payloads_as_text(browser, hostile_server):
    context, page = open_page(browser, hostile_server + "search/?q=zebra")
    titles = result_titles(page)
    page.locator("summary", has_text="Tag").click()
    # The labels are filled in as Pagefind loads the filters: wait for them
    # rather than for a fixed time (a loaded machine is slower).
    page.wait_for_function(
        "[...document.querySelectorAll('.pagefind-ui__filter-label')]"
        ".some(e => e.textContent.includes('Zebra one'))",
        timeout=15_000,
    )
    tags = page.locator(".pagefind-ui__filter-label").all_text_contents()
    pwned = page.evaluate("window.__pwned")
    injected = page.evaluate(
        "document.querySelectorAll('#search img, #search svg[onload], "
        "#search [onerror], #search script').length"
    )
    context.close()
    assert len(titles) == len(PAYLOADS)
    assert any("<img src=x" in title for title in titles)
    assert pwned is None
    assert injected == 0
    # < and > are shown as single angle quotation marks
    assert 'Zebra one \u2039img src=x onerror="window.__pwned=1"\u203a (1)' in tags


def test_index_has_the_four_filters_and_sorts_by_date(browser, server):
    context, page = open_page(browser, server + "search/")
    found = page.evaluate(
        """async () => {
          const pagefind = await import('../pagefind/pagefind.js');
          const filters = await pagefind.filters();
          const search = await pagefind.search(null, {sort: {date: 'desc'}});
          const first = await search.results[0].data();
          const last = await search.results[search.results.length - 1].data();
          return {filters: Object.keys(filters).sort(), first: first.url,
                  last: last.url, count: search.results.length};
        }"""
    )
    context.close()
    assert found["filters"] == ["label", "source", "tag", "topic"]
    assert found["count"] == 15  # every published item, nothing else
    assert "passkeys" in found["first"]  # the newest published item
    assert "harbour" in found["last"]  # the oldest
