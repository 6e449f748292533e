"""Editions in a built site: pages, index, home, item links, feeds, email files."""

from __future__ import annotations

import email
import json
import re
from email import policy
from html.parser import HTMLParser

import pytest

from newsdigest.editions.model import EMAIL_MAX_BYTES
from newsdigest.sitecheck import check_site
from tests.helpers import item

pytestmark = pytest.mark.slow

W04 = "editions/2022-W04"


def test_sample_has_an_edition_per_week_with_items(sample_site) -> None:
    ids = sorted(
        p.name for p in (sample_site.output / "editions").iterdir() if p.is_dir()
    )
    assert ids == [
        "2021-W48",
        "2021-W49",
        "2021-W50",
        "2021-W51",
        "2021-W52",
        "2022-W01",
        "2022-W02",
        "2022-W03",
        "2022-W04",
    ]


def test_edition_page_shows_note_highlights_groups_and_neighbours(sample_site) -> None:
    page = sample_site.page(f"{W04}/index.html")
    assert "<h1>Local carbon budgets and what passkeys change</h1>" in page
    assert "Edition No. 9" in page
    assert "24 January 2022 \u2013 30 January 2022" in page
    assert "why climate targets need local carbon budgets" in page
    highlights = page.index('id="highlights"')
    assert page.index("national climate targets", highlights) < page.index(
        "what passkeys are", highlights
    )
    assert 'rel="prev" href="../../editions/2022-W03/"' in page
    # the draft item of that week is not in the edition
    assert "Hospital-at-home" not in page
    w02 = sample_site.page("editions/2022-W02/index.html")
    sections = re.findall(r'<h2 id="topic-([a-z-]+)">', w02)
    assert sections == ["geopolitics", "technology", "health"]  # topics.yml order


def test_index_lists_editions_newest_first_with_counts(sample_site) -> None:
    page = sample_site.page("editions/index.html")
    numbers = [int(n) for n in re.findall(r"<span>No\. (\d+)</span>", page)]
    assert numbers == [9, 8, 7, 6, 5, 4, 3, 2, 1]
    assert "2 stories on Climate, Technology" in page
    assert "1 story on Economy" in page


def test_home_shows_the_latest_edition_and_items_link_theirs(sample_site) -> None:
    home = sample_site.page("index.html")
    assert 'id="latest-edition"' in home
    assert 'href="./editions/2022-W04/">Read No. 9</a>' in home
    item_page = sample_site.page(
        "2022/01/explainer-what-passkeys-are-and-whether-they-will-replace-passwords/"
        "index.html"
    )
    assert (
        '<li>In <a href="../../../editions/2022-W04/">No. 9: '
        "Local carbon budgets and what passkeys change</a></li>" in item_page
    )
    # the topic page (extends the home template) does not show it
    assert 'id="latest-edition"' not in sample_site.page("topics/health/index.html")


def test_edition_pages_pass_the_html_checks(sample_site) -> None:
    report = check_site(sample_site.output, checks=["html"])
    edition_pages = [
        p
        for p in report.problems
        if p.path.startswith("editions/") or p.path == "index.html"
    ]
    assert edition_pages == []


def test_editions_feeds_validate_like_every_other_feed(sample_site) -> None:
    report = check_site(sample_site.output, checks=["feeds"])
    assert [p for p in report.problems if p.path.startswith("feeds/editions.")] == []
    assert {
        "feeds/editions.atom.xml",
        "feeds/editions.rss.xml",
        "feeds/editions.json",
    } <= {
        str(p.relative_to(sample_site.output))
        for p in sample_site.output.glob("feeds/*")
    }
    doc = json.loads(sample_site.page("feeds/editions.json"))
    assert doc["version"] == "https://jsonfeed.org/version/1.1"
    first = doc["items"][0]
    assert first["id"] == "tag:digest.example.org,2026:edition:2022-W04"
    assert first["url"] == "http://127.0.0.1:8000/editions/2022-W04/"
    assert first["title"].startswith("No. 9: ")
    assert "http://127.0.0.1:8000/2022/01/" in first["content_html"]
    head = sample_site.page("editions/index.html")
    assert 'type="application/feed+json" href="../feeds/editions.json"' in head


class _Elements(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[str, dict[str, str | None]]] = []
        self.style_text = ""
        self._in_style = False

    def handle_starttag(self, tag, attrs):
        self.found.append((tag, dict(attrs)))
        self._in_style = tag == "style"

    def handle_endtag(self, tag):
        self._in_style = False

    def handle_data(self, data):
        if self._in_style:
            self.style_text += data


def _email(sample_site) -> email.message.EmailMessage:
    raw = (sample_site.output / W04 / "email.eml").read_bytes()
    return email.message_from_bytes(raw, policy=policy.default)


def test_email_eml_is_multipart_alternative_with_both_parts(sample_site) -> None:
    message = _email(sample_site)
    assert message.get_content_type() == "multipart/alternative"
    assert message["Subject"] == (
        "The Sample Digest No. 9: Local carbon budgets and what passkeys change"
    )
    assert message["From"] == "The Sample Digest <editions@digest.example.org>"
    assert message["List-Unsubscribe"] == (
        "<mailto:editions@digest.example.org?subject=unsubscribe>"
    )
    parts = [part.get_content_type() for part in message.iter_parts()]
    assert parts == ["text/plain", "text/html"]
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    assert "View in your browser:\nhttp://127.0.0.1:8000/editions/2022-W04/\n" in text
    assert html.rstrip("\n") == (sample_site.output / W04 / "email.html").read_text()


def test_email_html_links_absolute_styles_inline_no_script_under_limit(
    sample_site,
) -> None:
    path = sample_site.output / W04 / "email.html"
    html = path.read_text()
    assert len(html.encode()) < EMAIL_MAX_BYTES
    parser = _Elements()
    parser.feed(html)
    tags = [tag for tag, _ in parser.found]
    assert "script" not in tags and "link" not in tags
    assert tags.count("style") == 1
    # the one <style> holds only media queries (dark mode, narrow screens)
    outside_media = re.sub(
        r"@media[^{]*\{(?:[^{}]*\{[^{}]*\})*[^{}]*\}", "", parser.style_text
    )
    assert outside_media.strip() == ""
    assert "@media (prefers-color-scheme: dark)" in parser.style_text
    for tag, attrs in parser.found:
        for name in ("href", "src"):
            if name in attrs:
                assert re.match(r"^(https?|mailto):", attrs[name] or ""), (tag, attrs)
        if tag == "img":
            assert attrs.get("alt"), attrs
        if tag in ("td", "h1", "h2", "p", "a", "table", "body") and attrs.get("class"):
            assert attrs.get("style"), (tag, attrs)  # every layout rule inlined
    assert "View this edition in your browser" in html
    assert "fonts.googleapis" not in html and "@font-face" not in html


def _build(project, *args, **overrides):
    result = project.build(**overrides)
    return result, result.stdout + result.stderr


def test_a_missing_highlight_stops_the_build_naming_file_line_and_slug(
    make_project,
) -> None:
    project = make_project()
    project.write(
        "content/items/a.md", item(title="Alpha", date="2022-01-04T10:00:00+00:00")
    )
    project.write(
        "content/editions/2022-W01.md",
        "---\ntitle: One\nhighlights:\n  - alpha\n  - gamma-ray\n---\n",
    )
    result, out = _build(project)
    assert result.returncode != 0
    assert "content/editions/2022-W01.md" in out
    assert "line 5 [highlights]: 'gamma-ray' is not an item of edition 2022-W01" in out
    assert "Traceback" not in out
    assert not (project.output / "editions").exists()


def test_notes_are_not_items_even_when_items_are_read_from_everywhere(
    make_project,
) -> None:
    project = make_project()
    project.write(
        "content/items/a.md", item(title="Alpha", date="2022-01-04T10:00:00+00:00")
    )
    project.write("content/editions/2022-W01.md", "---\ntitle: One\n---\n")
    result, out = _build(project, ARTICLE_PATHS=[""], STATIC_PATHS=[""])
    assert result.returncode == 0, out
    assert "newsdigest: 1 items" in out
    assert not (project.output / "editions" / "2022-W01.md").exists()
    assert "<h1>One</h1>" in project.page("editions/2022-W01/index.html")


def test_index_paginates_and_daily_editions_use_days(make_project) -> None:
    project = make_project()
    for day in (3, 4, 6):
        project.write(
            f"content/items/d{day}.md",
            item(
                title=f"Day {day}",
                date=f"2022-01-0{day}T23:30:00-05:00",  # the next day in UTC
                source_url=f"https://example.com/{day}",
            ),
        )
    # one settings file: pelican's -e keeps only its last occurrence
    project.write(
        "daily.py",
        "from pelicanconf import *\n"
        "DIGEST_EDITIONS = {'period': 'daily', 'email': False, 'home_latest': False}\n"
        "PAGINATED_TEMPLATES = {**PAGINATED_TEMPLATES, 'editions': 2}\n",
    )
    result = project.build("daily.py")
    out = result.stdout + result.stderr
    assert result.returncode == 0, out
    days = sorted(p.name for p in (project.output / "editions").iterdir() if p.is_dir())
    assert days == ["2022-01-04", "2022-01-05", "2022-01-07", "page"]
    assert "Page 2 of 2" in project.page("editions/page/2/index.html")
    assert not (project.output / "editions" / "2022-01-04" / "email.html").exists()
    assert 'id="latest-edition"' not in project.page("index.html")
    assert 'href="./editions/">Editions</a>' in project.page("index.html")


def test_editions_off_writes_nothing(make_project) -> None:
    project = make_project()
    project.write("content/items/a.md", item(title="Alpha"))
    project.write("content/editions/2022-W01.md", "---\ntitle: Kept for later\n---\n")
    project.write(
        "off.py",
        "from pelicanconf import *\n"
        "DIGEST_EDITIONS = {'period': 'off'}\n"
        "ARTICLE_PATHS = ['']\nSTATIC_PATHS = ['']\n",
    )
    result = project.build("off.py")
    out = result.stdout + result.stderr
    assert result.returncode == 0, out
    assert not (project.output / "editions").exists()
    assert 'href="editions/"' not in project.page("index.html")


def test_bad_settings_stop_the_build_in_one_message(make_project) -> None:
    project = make_project()
    project.write("content/items/a.md", item(title="Alpha"))
    result, out = _build(project, DIGEST_EDITIONS={"period": "fortnightly"})
    assert result.returncode != 0
    assert 'DIGEST_EDITIONS["period"]' in out and "'fortnightly'" in out
    assert "Traceback" not in out


def test_email_is_byte_identical_between_builds(make_project, sample_site) -> None:
    project = make_project(sample=True)
    result, out = _build(project)
    assert result.returncode == 0, out
    for name in ("email.eml", "email.html", "email.txt"):
        assert (project.output / W04 / name).read_bytes() == (
            sample_site.output / W04 / name
        ).read_bytes()


def test_a_busy_week_stays_under_the_email_limit(make_project) -> None:
    project = make_project()
    summary = "A sentence long enough to weigh something in the message. " * 5
    for n in range(120):
        project.write(
            f"content/items/s{n}.md",
            item(
                title=f"Story number {n}",
                date=f"2022-01-04T{n % 24:02d}:{n % 60:02d}:00+00:00",
                summary=summary.strip()[:390],
                source_url=f"https://example.com/{n}",
            ),
        )
    result = project.build()
    assert result.returncode == 0, result.stdout + result.stderr
    html = (project.output / "editions/2022-W01/email.html").read_bytes()
    assert len(html) < EMAIL_MAX_BYTES
    assert html.count(b'class="story"') == 40
    assert b"80 more stories in this edition on the web" in html
    text = project.page("editions/2022-W01/email.txt")
    assert (
        "80 more stories in this edition:\nhttp://127.0.0.1:8000/editions/2022-W01/"
        in text
    )


EMAIL_TEXT = """\
The Sample Digest · No. 1
Week 1, 2022
3 January 2022 \u2013 9 January 2022 · 2 stories

View in your browser:
http://127.0.0.1:8000/editions/2022-W01/

This week: tidal power from the WHO [1] and, for the weekend, a long
read.

- one
- two x [2]

> quoted words


WORLD

- Second [3]
  News · Example Wire · 5 January 2022
  Short.

- Tidal power comes to the Severn estuary after twenty years of plans
  [4]
  News · Example Wire · 4 January 2022
  The barrage will power a city, engineers say, and fishermen worry
  about the WHO report on estuaries.

Links
[1] https://who.int/report
[2] https://e.org/x
[3] http://127.0.0.1:8000/2022/01/second/
[4] http://127.0.0.1:8000/2022/01/tide/

--
All editions: http://127.0.0.1:8000/editions/
Unsubscribe: mailto:editions@digest.example.org?subject=unsubscribe
"""


def test_the_text_email_is_wrapped_plain_text_with_numbered_links(make_project):
    project = make_project()
    project.write(
        "content/items/tide.md",
        item(
            title="Tidal power comes to the Severn estuary after twenty years of plans",
            slug="tide",
            date="2022-01-04T10:00:00+00:00",
            summary="The barrage will power a city, engineers say, and fishermen "
            "worry about the WHO report on estuaries.",
            source_url="https://example.com/tide",
        ),
    )
    project.write(
        "content/items/b.md",
        item(
            title="Second",
            slug="second",
            date="2022-01-05T10:00:00+00:00",
            summary="Short.",
            source_url="https://example.com/b",
        ),
    )
    project.write(
        "content/editions/2022-W01.md",
        "---\nintro: |\n  This week: **tidal power** from the\n  "
        "[WHO](https://who.int/report) and, for the weekend, a *long* read.\n\n"
        "  - one\n  - two [x](https://e.org/x)\n\n  > quoted words\n---\n",
    )
    result = project.build()
    assert result.returncode == 0, result.stdout + result.stderr
    text = project.page("editions/2022-W01/email.txt")
    assert text == EMAIL_TEXT
    assert max(len(line) for line in text.splitlines()) <= 72
