"""The sample digest in a real browser: headless Debian Chromium driven by Playwright.

Pages are served by a real http.server on 127.0.0.1. Every page is checked at
phone and desktop width, in light and dark mode: no horizontal scrolling, no
request leaving the machine, no console error, AA text contrast, 24 px targets,
a working skip link, and a usable page without JavaScript. Set
NEWSDIGEST_SCREENSHOTS=<folder> to keep a screenshot of each combination.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from tests.helpers import skip_without_chromium

WIDTHS = {"phone": (320, 740), "desktop": (1280, 900)}
PAGES = [
    "",
    "topics/",
    "tags/nato/",
    "sources/",
    "archive/2022/01/",
    "about/",
    "404.html",
]

pytestmark = pytest.mark.browser

skip_without_chromium()


def seed_path(sample_site) -> str:
    (page,) = [
        p
        for p in sample_site.output.glob("2022/01/*/index.html")
        if "telesurenglish.net" in p.read_text()
    ]
    return str(page.parent.relative_to(sample_site.output)) + "/"


def _luminance(rgb: tuple[float, ...]) -> float:
    def channel(c: float) -> float:
        c = c / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(c) for c in rgb[:3])
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(fg: str, bg: str) -> float:
    a, b = (
        _luminance(tuple(float(x) for x in re.findall(r"[\d.]+", color)[:3]))
        for color in (fg, bg)
    )
    return (max(a, b) + 0.05) / (min(a, b) + 0.05)


COLOURS_JS = """
() => {
  const bgOf = (el) => {
    for (; el; el = el.parentElement) {
      const bg = getComputedStyle(el).backgroundColor;
      if (bg && !bg.endsWith(', 0)') && bg !== 'transparent') return bg;
    }
    return 'rgb(255, 255, 255)';
  };
  const out = [];
  for (const el of document.querySelectorAll('body *')) {
    if (!el.offsetParent && el.tagName !== 'BODY') continue;
    const own = [...el.childNodes].some(n => n.nodeType === 3 && n.textContent.trim());
    if (!own) continue;
    out.push({tag: el.tagName, text: el.textContent.trim().slice(0, 40),
              fg: getComputedStyle(el).color, bg: bgOf(el)});
  }
  return out;
}
"""
TARGETS_JS = """
() => [...document.querySelectorAll('nav a, .pagination a, .tags a, a.tag')]
  .filter(a => a.offsetParent)
  .map(a => { const r = a.getBoundingClientRect();
              return {text: a.textContent.trim(), w: r.width, h: r.height}; })
"""


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("width", sorted(WIDTHS))
def test_pages_fit_contrast_and_stay_local(browser, server, sample_site, width, scheme):
    size = WIDTHS[width]
    context = browser.new_context(
        viewport={"width": size[0], "height": size[1]}, color_scheme=scheme
    )
    page = context.new_page()
    requests: list[str] = []
    errors: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    shots = os.environ.get("NEWSDIGEST_SCREENSHOTS")
    for path in [*PAGES, seed_path(sample_site)]:
        response = page.goto(server + path)
        assert response is not None and response.status == 200, path
        overflow = page.evaluate(
            "() => document.documentElement.scrollWidth - window.innerWidth"
        )
        assert overflow <= 0, f"{path} scrolls sideways by {overflow}px at {width}"
        low = [
            (c["tag"], c["text"], round(contrast(c["fg"], c["bg"]), 2))
            for c in page.evaluate(COLOURS_JS)
            if contrast(c["fg"], c["bg"]) < 4.5
        ]
        assert not low, f"{path} ({scheme}): text below 4.5:1 contrast: {low[:5]}"
        small = [t for t in page.evaluate(TARGETS_JS) if t["h"] < 24 or t["w"] < 24]
        assert not small, f"{path}: targets smaller than 24px: {small[:5]}"
        if shots:
            Path(shots).mkdir(parents=True, exist_ok=True)
            name = (
                path.strip("/").replace("/", "_") or "home"
            ) + f"-{width}-{scheme}.png"
            page.screenshot(path=str(Path(shots) / name), full_page=True)
    context.close()
    assert all(url.startswith(server) for url in requests), [
        u for u in requests if not u.startswith(server)
    ]
    assert errors == []


def test_skip_link_is_first_and_visible_on_focus(browser, server):
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    page.goto(server)
    page.keyboard.press("Tab")
    focused = page.evaluate(
        "() => ({href: document.activeElement.getAttribute('href'),"
        " visible: document.activeElement.getBoundingClientRect().height > 0,"
        " outline: getComputedStyle(document.activeElement).outlineStyle})"
    )
    context.close()
    assert focused["href"] == "#main"
    assert focused["visible"]
    assert focused["outline"] != "none"


def test_site_works_without_javascript(browser, server, sample_site):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(server)
    page.get_by_role("link", name=re.compile("^Topics$")).first.click()
    page.get_by_role("link", name="Geopolitics").first.click()
    assert "Geopolitics" in page.title()
    page.goto(server + seed_path(sample_site))
    original = page.get_by_role("link", name=re.compile("Read the original at")).first
    assert "telesurenglish.net" in original.get_attribute("href")
    context.close()


def test_landmarks_are_present(browser, server):
    context = browser.new_context()
    page = context.new_page()
    page.goto(server)
    for role in ("banner", "navigation", "main", "contentinfo"):
        assert page.get_by_role(role).count() >= 1, role
    context.close()
