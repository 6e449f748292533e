"""`newsdigest new`, `add` and `ingest`, invoked as a curator runs them.

Drafts are checked field by field, and every draft these commands write must
pass the schema's validation once its status is set to published.
"""

from __future__ import annotations

import datetime as dt
import html
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import CURATE_FIXTURES as FIXTURES
from tests.helpers import (
    PINNED_ENV,
    body,
    drafts,
    front,
    item,
    published_problems,
    run,
    written,
)

TOPICS = """\
geopolitics:
  name: Geopolitics
  description: Diplomacy and security.
  order: 1
climate:
  name: Climate
  description: Climate and environment.
  order: 2
health:
  name: Health
  description: Public health.
  order: 3
"""
#: The test servers listen on 127.0.0.1, which is refused without the opt-in.
LOCAL = "--allow-private-network"
SEED_URL = (
    "https://www.telesurenglish.net/news/FM-Lavrov-Said-Russia-Would-Eliminate-"
    "Threats-to-Its-Security-20211231-0009.html"
)
SEED_CHROME = [
    "Live",
    "Audio Only",
    "google plus",
    "facebook",
    "twitter",
    "RELATED",
    "China and Russia To Cooperate Against US Domination",
    "Comment",
    "Post with no comments",
]


@pytest.fixture
def project(make_project):
    """A digest with three topics and two earlier items (tags, a known outlet)."""
    project = make_project()
    project.write("content/topics.yml", TOPICS)
    project.write(
        "content/items/2022-01-02-earlier.md",
        item(
            title="Earlier story on security talks",
            topic="geopolitics",
            source="teleSUR English",
            source_url="https://www.telesurenglish.net/news/earlier-20211230.html",
            tags=["Russia", "Security guarantees", "NATO"],
        ),
    )
    project.write(
        "content/items/2022-01-03-marshes.md",
        item(
            title="Salt marsh restoration expands",
            topic="climate",
            source="Example Wire",
            source_url="https://www.example.com/story",
            tags=["wetlands", "Carbon"],
        ),
    )
    return project


# run, front, body, published_problems and written: tests/helpers.py


# --- new -------------------------------------------------------------------


def test_new_writes_a_draft_with_every_key(project):
    result = run(
        project,
        "new",
        "Talks open in Geneva",
        "--topic",
        "geopolitics",
        "--source",
        "Example Wire",
        "--url",
        "HTTPS://Example.org:443/geneva?utm_source=x#top",
        "--tags",
        "nato, Diplomacy",
    )
    path = written(project, result)
    today = dt.datetime.now().astimezone().date()
    assert path.name == f"{today:%Y-%m-%d}-talks-open-in-geneva.md"
    meta = front(path)
    assert list(meta) == [
        "title",
        "slug",
        "date",
        "status",
        "topic",
        "summary",
        "source",
        "source_url",
        "source_date",
        "authors",
        "label",
        "tags",
        "image",
        "lang",
    ]
    assert meta["title"] == "Talks open in Geneva"
    assert meta["slug"] == "talks-open-in-geneva"
    assert meta["status"] == "draft" and meta["topic"] == "geopolitics"
    assert dt.datetime.fromisoformat(meta["date"]).date() == today
    assert meta["source"] == "Example Wire"
    assert meta["source_url"] == "https://example.org/geneva"
    assert meta["tags"] == ["NATO", "Diplomacy"]  # the digest's own spelling of nato
    assert meta["label"] == "news"
    assert published_problems(project, path) == []


def test_new_without_source_still_validates_and_says_what_to_fill_in(project):
    first = written(project, run(project, "new", "A story", "--topic", "health"))
    second = written(project, run(project, "new", "Another story", "--topic", "health"))
    assert front(first)["source_url"] != front(second)["source_url"]
    assert ".invalid/" in front(first)["source_url"]
    result = run(project, "new", "Third story", "--topic", "health")
    assert "fill in: summary, body, source, source_url" in result.stderr
    for path in (first, second):
        assert published_problems(project, path) == []


def test_new_fixes_the_slug_and_never_overwrites(project):
    first = written(project, run(project, "new", "Same title", "--topic", "health"))
    before = first.read_text()
    second = written(project, run(project, "new", "Same title", "--topic", "health"))
    assert first.read_text() == before
    assert front(second)["slug"] == "same-title-2"
    # A file the catalogue cannot read (half written) still blocks its path.
    today = dt.datetime.now().astimezone().date()
    blocker = project.write(f"content/items/{today:%Y-%m-%d}-other-title.md", "oops")
    result = run(project, "new", "Other title", "--topic", "health")
    assert result.exit_code == 1
    assert "already exists" in result.stderr and blocker.read_text() == "oops"
    assert not list(project.content.glob("items/.draft-*"))


@pytest.mark.parametrize("given", ["Health", "HEALTH", " health "])
def test_new_and_add_take_a_topic_by_slug_or_name(project, tmp_path, given):
    made = written(project, run(project, "new", f"Story {given}", "--topic", given))
    assert front(made)["topic"] == "health"
    saved = tmp_path / "saved.html"
    saved.write_bytes((FIXTURES / "jsonld.html").read_bytes())
    added = written(project, run(project, "add", str(saved), "--topic", given))
    assert front(added)["topic"] == "health"


def test_an_unknown_topic_lists_slugs_and_names(project):
    result = run(project, "new", "A title", "--topic", "Sport")
    assert result.exit_code == 1
    assert "use one of: geopolitics (Geopolitics), climate (Climate)" in result.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--topic", "sport"], "topic 'sport' is not declared"),
        (["--topic", "health", "--url", "javascript:alert(1)"], "must be an absolute"),
        (
            ["--topic", "health", "--url", "https://example.com/story?fbclid=1"],
            "already in the digest as content/items/2022-01-03-marshes.md",
        ),
    ],
)
def test_new_refuses_bad_input_in_one_line(project, args, message):
    result = run(project, "new", "A title", *args)
    assert result.exit_code == 1
    assert message in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert len(drafts(project)) == 2


# --- add -------------------------------------------------------------------


@pytest.mark.slow
def test_add_url_opengraph_page(project, http_server):
    url = http_server.page("/climate/wetlands", "opengraph.html")
    path = written(project, run(project, "add", LOCAL, url))
    meta = front(path)
    assert meta["title"] == "Wetlands store more carbon than thought, study finds"
    assert meta["status"] == "draft"
    assert meta["topic"] == "climate"  # from the page's section
    assert meta["source"] == "The Coastal Times"
    assert meta["source_url"] == (
        "https://www.coastal-times.example/climate/2022/01/wetlands-carbon"
    )  # canonical, tracking removed
    assert meta["source_date"] == "2022-01-09T07:30:00+01:00"
    assert meta["authors"] == ["Maria Costa"]
    assert meta["summary"] == (
        "Restored salt marshes locked away carbon twice as fast as models assumed, "
        "researchers say."
    )
    assert meta["image"] == {
        "src": "https://img.coastal-times.example/marsh.jpg",
        "alt": "A restored salt marsh at low tide",
    }
    assert meta["lang"] == "en-GB"
    assert meta["tags"] == ["wetlands", "Carbon"]  # the digest's own tags
    assert meta["label"] == "news"
    text = body(path)
    assert "\u2014 Dr Lena Hart, via The Coastal Times" in text
    assert "\u2014 Tom Okafor, via The Coastal Times" in text
    assert text.count("\n> ") == 2
    assert "The findings matter for councils" not in text  # never the full text
    assert published_problems(project, path) == []


@pytest.mark.slow
def test_add_twice_says_where_the_first_is(project, http_server):
    url = http_server.page("/climate/wetlands", "opengraph.html")
    first = written(project, run(project, "add", LOCAL, url))
    result = run(project, "add", LOCAL, url + "?fbclid=abc")
    assert result.exit_code == 1
    assert (
        f"already in the digest as {first.relative_to(project.root)}" in result.stderr
    )


@pytest.mark.slow
def test_similar_title_is_a_warning(project, http_server):
    page = (
        (FIXTURES / "plain.html")
        .read_text()
        .replace(
            "Small business survey shows cautious optimism",
            "Salt marsh restoration expands!",
        )
    )
    url = http_server.add("/marsh", body=page.encode())
    result = run(project, "add", LOCAL, url, "--topic", "climate")
    written(project, result)
    assert (
        "warning: a similar title is already in the digest: "
        "content/items/2022-01-03-marshes.md"
    ) in result.stderr


def test_add_saved_json_ld_page(project, tmp_path):
    saved = tmp_path / "saved.html"
    saved.write_bytes((FIXTURES / "jsonld.html").read_bytes())
    path = written(project, run(project, "add", str(saved), "--topic", "health"))
    meta = front(path)
    assert meta["source_url"] == "https://lequotidien.example/sante/plan-hopitaux"
    assert meta["source"] == "Le Quotidien"
    assert meta["authors"] == ["Claire Martin", "Paul Durand"]
    assert meta["lang"] == "fr"
    assert meta["slug"] == "le-gouvernement-presente-son-plan-pour-les-hopitaux"
    assert meta["image"]["credit"] == "AFP"
    # "a déclaré le ministre": the text never names him, so no quote.
    assert "Nous devons redonner du temps aux soignants" not in body(path)
    assert published_problems(project, path) == []


def test_add_saved_microdata_page_with_url(project, tmp_path):
    saved = tmp_path / "clinics.html"
    saved.write_bytes((FIXTURES / "microdata.html").read_bytes())
    path = written(
        project,
        run(project, "add", str(saved), "--url", "https://news.example/clinics?ref=x"),
    )
    meta = front(path)
    assert meta["source_url"] == "https://news.example/clinics"
    assert meta["topic"] == "health" and meta["source_date"] == "2022-01-20"
    assert "\u2014 Priya Shah, via" in body(path)
    assert published_problems(project, path) == []


def test_add_seed_text_capture(project):
    path = written(
        project,
        run(project, "add", str(FIXTURES / "telesur-capture.txt"), "--url", SEED_URL),
    )
    meta = front(path)
    assert (
        meta["title"] == "FM Lavrov Said Russia Would Eliminate Threats to Its Security"
    )
    assert meta["slug"] == "fm-lavrov-said-russia-would-eliminate-threats-to-its"
    assert meta["status"] == "draft"
    assert meta["topic"] == "geopolitics"  # Russia is a geopolitics tag here
    assert meta["tags"] == ["Russia", "Security guarantees"]
    assert meta["source"] == "teleSUR English"  # as the earlier item from this site
    assert meta["source_url"] == SEED_URL
    assert meta["source_date"] == "2021-12-31"
    assert meta["label"] == "opinion"
    assert meta["summary"] == (
        "The continuous request by Russia for security guarantees is intended on "
        "creating a system of agreements in respect to security, stated Sergei "
        "Lavrov, Russian Foreign Minister."
    )
    assert meta["authors"] == [] and meta["image"] is None
    notes = meta["curator_notes"]  # for the curator, never in the body
    assert "Section in the original: News > Russia" in notes
    assert (
        "Photo in the original: Foreign Minister Sergei Lavrov announced that Russia "
        "would take measures to eliminate any imminent threat to its security. "
        "Dec. 31, 2021. (credit: Twitter/@khminawi)"
    ) in notes
    text = body(path)
    assert "in the original" not in text
    assert text.count("\n> \u201c") == 3
    assert "\u2014 Sergei Lavrov, via teleSUR English" in text
    assert "\u2014 Yuri Ushakov, via teleSUR English" in text
    assert "legally binding guarantees since" not in text  # quotes are cut short
    assert "During the talks, Biden refers" not in text  # never the full text
    whole = path.read_text(encoding="utf-8")
    for chrome in SEED_CHROME:
        assert chrome not in whole, chrome
    assert published_problems(project, path) == []


def test_seed_capture_against_the_sample_digest_is_a_duplicate(make_project):
    sample = make_project(sample=True)
    result = run(
        sample,
        "add",
        str(FIXTURES / "telesur-capture.txt"),
        "--url",
        SEED_URL.replace("https://www.", "http://") + "?utm_source=twitter",
    )
    assert result.exit_code == 1
    assert (
        "already in the digest as "
        "content/items/2022-01-02-lavrov-security-guarantees-warning.md"
    ) in result.stderr


def test_second_capture_gets_its_label_and_quotes(project):
    path = written(
        project,
        run(
            project,
            "add",
            str(FIXTURES / "harbour-capture.txt"),
            "--url",
            "https://ports.example/strike",
            "--topic",
            "climate",
        ),
    )
    meta = front(path)
    assert meta["label"] == "analysis" and meta["source"] == "Ports"
    assert meta["source_date"] == "2022-03-03"
    assert "\u2014 Anna Bakker, via Ports" in body(path)
    assert "\u2014 Pieter Jansen, via Ports" in body(path)
    assert published_problems(project, path) == []


def _bad_inputs(server, tmp_path):
    server.add("/pdf", body=b"%PDF" * 10, content_type="application/pdf")
    server.add("/huge", body=b"<p>x</p>" * 800_000)
    server.add("/slow", body=b"<html><title>x</title></html>" * 5, drip=0.05)
    server.page("/notitle", "notitle.html")
    capture = tmp_path / "capture.txt"
    capture.write_text((FIXTURES / "harbour-capture.txt").read_text())
    binary = tmp_path / "bad.txt"
    binary.write_bytes(b"\xff\xfe\x00bad")
    return {
        "http error": ([server.url("/gone")], "HTTP 404 Not Found"),
        "not html": ([server.url("/pdf")], "is application/pdf, not a web page"),
        "huge": ([server.url("/huge")], "the limit is 5,000,000"),
        "timeout": ([server.url("/slow"), "--timeout", "0.5"], "timed out after 0.5 s"),
        "no title": ([server.url("/notitle")], "has no title"),
        "network": (["http://127.0.0.1:9/x"], "network error"),
        "scheme": (["ftp://example.com/a"], "only http(s) addresses"),
        "no file": ([str(tmp_path / "nope.html")], "no such file"),
        "capture without url": ([str(capture)], "pass --url URL"),
        "not utf-8": ([str(binary), "--url", "https://a.example/"], "is not UTF-8"),
        "bad topic": ([str(capture), "--topic", "sport"], "topic 'sport' is not"),
    }


@pytest.mark.slow
def test_add_bad_input_one_line_and_exit_1(project, http_server, tmp_path):
    for name, (args, reason) in _bad_inputs(http_server, tmp_path).items():
        result = run(project, "add", *args, LOCAL)
        assert result.exit_code == 1, name
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and reason in lines[0], (name, result.stderr)
        assert args[0] in lines[0], name  # names the URL or file
    assert len(drafts(project)) == 2


# --- ingest ----------------------------------------------------------------


def sources(server) -> str:
    server.page(
        "/wire.xml", "wire.rss.xml", etag='"w1"', content_type="application/rss+xml"
    )
    server.page(
        "/science.xml",
        "science.atom.xml",
        last_modified="Wed, 12 Jan 2022 09:00:00 GMT",
        content_type="application/atom+xml",
    )
    server.page("/broken.xml", "broken.xml", content_type="application/xml")
    return f"""\
Example Wire:
  homepage: https://wire.example/
  feed: {server.url("/wire.xml")}
  topic: climate
  tags: [Wire copy]
  allow_private_network: true
Science Weekly:
  feed: {server.url("/science.xml")}
  topic: climate
  allow_private_network: true
Broken Feed:
  feed: {server.url("/broken.xml")}
  allow_private_network: true
Gone Feed:
  feed: {server.url("/gone.xml")}
  allow_private_network: true
"""


@pytest.mark.slow
def test_ingest_writes_new_entries_and_reports_per_source(project, http_server):
    project.write("content/sources.yml", sources(http_server))
    result = run(project, "ingest")
    assert result.exit_code == 1  # two sources failed, the others went on
    lines = result.stdout.splitlines()
    assert "Example Wire: 2 new, 1 skipped as duplicates" in lines
    assert "Science Weekly: 1 new, 0 skipped as duplicates" in lines
    broken = next(line for line in lines if line.startswith("Broken Feed: failed: "))
    assert http_server.url("/broken.xml") in broken and "not a feed" in broken
    assert (
        f"Gone Feed: failed: {http_server.url('/gone.xml')}: HTTP 404" in result.stdout
    )
    assert (
        "  skipped https://www.example.com/story (already "
        "content/items/2022-01-03-marshes.md)"
    ) in lines
    new = [
        p
        for p in drafts(project)
        if "earlier" not in p.name and "marshes" not in p.name
    ]
    assert len(new) == 3
    by_title = {front(p)["title"]: front(p) for p in new}
    fisheries = by_title["Ministers agree on fisheries monitoring"]
    assert fisheries["source"] == "Example Wire"
    assert (
        fisheries["source_url"] == "https://wire.example/2022/01/fisheries-monitoring"
    )
    assert fisheries["source_date"] == "2022-01-13T10:00:00+00:00"
    assert fisheries["authors"] == ["Ana Silva"]
    assert fisheries["topic"] == "climate" and fisheries["tags"] == ["Wire copy"]
    assert fisheries["summary"] == (
        "Coastal states agreed to share satellite data on fishing fleets."
    )
    heat = by_title["Heat pump grants extended for another year"]
    assert heat["source_url"] == "https://wire.example/2022/01/heat-pump-grants"
    science = by_title["Data centres use more power than expected"]
    assert science["authors"] == ["Li Wei"] and science["source"] == "Science Weekly"
    fisheries_path = next(p for p in new if "fisheries" in p.name)
    assert "\u2014 Marta Ruiz, via Example Wire" in body(fisheries_path)
    for path in new:
        assert published_problems(project, path) == [], path
    state = json.loads((project.root / ".newsdigest/ingest-state.json").read_text())
    assert state[http_server.url("/wire.xml")] == {"etag": '"w1"'}
    assert state[http_server.url("/science.xml")] == {
        "last_modified": "Wed, 12 Jan 2022 09:00:00 GMT"
    }

    again = run(project, "ingest")
    assert "Example Wire: not modified since the last run" in again.stdout
    assert "Science Weekly: not modified since the last run" in again.stdout
    assert http_server.headers_for("/wire.xml")[-1]["if-none-match"] == '"w1"'
    assert (
        http_server.headers_for("/science.xml")[-1]["if-modified-since"]
        == "Wed, 12 Jan 2022 09:00:00 GMT"
    )
    assert len(drafts(project)) == 5


@pytest.mark.slow
def test_ingest_skips_entries_already_drafted_when_the_feed_changes(
    project, http_server
):
    project.write("content/sources.yml", sources(http_server))
    run(project, "ingest")
    http_server.routes["/wire.xml"].etag = '"w2"'  # the feed changed
    again = run(project, "ingest")
    assert "Example Wire: 0 new, 3 skipped as duplicates" in again.stdout
    assert len(drafts(project)) == 5


@pytest.mark.slow
def test_ingest_dry_run_writes_nothing(project, http_server):
    project.write("content/sources.yml", sources(http_server))
    result = run(project, "ingest", "--dry-run")
    assert "Example Wire: 2 new, 1 skipped as duplicates" in result.stdout
    assert "  would write content/items/" in result.stdout
    assert len(drafts(project)) == 2
    assert not (project.root / ".newsdigest").exists()


def test_ingest_checks_the_sources_file(project):
    project.write(
        "content/sources.yml",
        "Wire:\n  feed: ftp://x\nOther:\n  feed: https://x.example/f\n  topic: sport\n"
        "  colour: red\n",
    )
    result = run(project, "ingest")
    assert result.exit_code == 1
    assert "[Wire.feed]: 'ftp://x' is not an absolute http(s) URL." in result.stderr
    assert "[Other.topic]: 'sport' is not declared in topics.yml." in result.stderr
    assert "[Other.colour]: is not a known key." in result.stderr


def test_allow_private_network_in_sources_is_true_or_false(project):
    project.write(
        "content/sources.yml",
        "Wire:\n  feed: https://x.example/f\n  allow_private_network: 'true'\n"
        "Other:\n  feed: https://y.example/f\n  allow_private_network: 1\n",
    )
    result = run(project, "ingest")
    assert result.exit_code == 1
    assert "[Wire.allow_private_network]: must be true or false, not 'true'." in (
        result.stderr
    )
    assert "[Other.allow_private_network]: must be true or false" in result.stderr


# --- the address guard: intranet and loopback only when asked for ------------


@pytest.mark.slow
def test_add_refuses_a_private_address_in_one_line(project, http_server):
    url = http_server.page("/climate/wetlands", "opengraph.html")
    for target in (url, url.replace("127.0.0.1", "2130706433")):
        result = run(project, "add", target)
        assert result.exit_code == 1
        assert result.stderr.strip().splitlines() == [
            f"Error: {target}: refused to connect to 127.0.0.1"
            + ("" if target == url else " ('2130706433')")
            + ": a loopback address, not on the public internet; to fetch it "
            "anyway, pass --allow-private-network"
        ]
    assert http_server.requests == [] and len(drafts(project)) == 2


@pytest.mark.slow
def test_a_redirect_into_the_network_is_refused(project, http_server):
    """A public-looking page that redirects to 169.254.169.254: even the opt-in
    never connects to the metadata service."""
    start = http_server.add(
        "/story",
        status=302,
        headers={"Location": "http://169.254.169.254/latest/meta-data/"},
    )
    result = run(project, "add", LOCAL, start)
    assert result.exit_code == 1
    assert (
        f"{start}: redirected to http://169.254.169.254/latest/meta-data/, refused "
        "to connect to 169.254.169.254: a link-local address"
    ) in result.stderr
    assert "never fetched" in result.stderr


@pytest.mark.slow
def test_ingest_fetches_a_private_feed_only_if_its_source_allows_it(
    project, http_server
):
    wire = http_server.page("/wire.xml", "wire.rss.xml")
    science = http_server.page("/science.xml", "science.atom.xml")
    project.write(
        "content/sources.yml",
        f"Wire:\n  feed: {wire}\n  allow_private_network: true\n"
        f"Science:\n  feed: {science}\n  allow_private_network: false\n",
    )
    result = run(project, "ingest")
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert "Wire: 2 new, 1 skipped as duplicates" in lines
    assert (
        f"Science: failed: {science}: refused to connect to 127.0.0.1: a loopback "
        "address, not on the public internet; to fetch it anyway, write "
        "'allow_private_network: true' under 'Science' in sources.yml, or pass "
        "--allow-private-network"
    ) in lines
    assert http_server.headers_for("/science.xml") == []
    again = run(project, "ingest", LOCAL)  # the flag allows every source
    assert "Science: 1 new, 0 skipped as duplicates" in again.stdout


@pytest.mark.slow
def test_a_feed_that_names_a_local_file_is_not_opened(project, http_server, tmp_path):
    """feedparser reads bytes it is given as a file name if it can: a feed whose
    body is a path must not turn that file into drafts (or read /dev/zero)."""
    local = tmp_path / "local.atom.xml"
    local.write_bytes((FIXTURES / "science.atom.xml").read_bytes())
    url = http_server.add(
        "/f.xml", body=str(local).encode(), content_type="application/xml"
    )
    project.write("content/sources.yml", f"Science:\n  feed: {url}\n")
    result = run(project, "ingest", LOCAL)
    assert result.exit_code == 1 and "Science: failed: " in result.stdout
    assert len(drafts(project)) == 2


@pytest.mark.slow
def test_ingest_output_escapes_control_characters(project, http_server):
    gone = http_server.url("/gone.xml")
    project.write("content/sources.yml", f'"Evil\\e]0;pwned\\a":\n  feed: {gone}\n')
    result = run(project, "ingest", LOCAL)
    # A name with control characters is refused (it is shown on pages too),
    # and the refusal prints it escaped.
    assert result.exit_code == 1
    assert "Evil\\u001b]0;pwned\\u0007" in result.stderr
    assert "is not an outlet's name" in result.stderr
    output = result.stdout + result.stderr
    assert "\x1b" not in output and "\x07" not in output


def test_ingest_without_sources_file(project):
    result = run(project, "ingest")
    assert result.exit_code == 1
    assert "content/sources.yml does not exist" in result.stderr


# --- the commands as installed --------------------------------------------


@pytest.mark.parametrize("command", ["new", "add", "ingest"])
def test_every_command_explains_itself(command):
    result = subprocess.run(
        [sys.executable, "-m", "newsdigest", command, "--help"],
        capture_output=True,
        text=True,
        env={**os.environ, **PINNED_ENV},
        check=False,
    )
    assert result.returncode == 0
    assert "--project" in result.stdout
    assert len(result.stdout.split("Options:")[0].split()) > 25  # a real description


@pytest.mark.slow
def test_drafts_published_build_and_pass_the_site_checks(project, http_server):
    """new + add + ingest, then status flipped: the real build accepts them all."""
    project.write("content/sources.yml", sources(http_server))
    run(project, "ingest")
    url = http_server.page("/climate/wetlands", "opengraph.html")
    written(project, run(project, "add", LOCAL, url))
    written(
        project,
        run(project, "add", str(FIXTURES / "telesur-capture.txt"), "--url", SEED_URL),
    )
    written(project, run(project, "new", "Talks open", "--topic", "geopolitics"))
    french = written(
        project, run(project, "add", str(FIXTURES / "jsonld.html"), "--topic", "health")
    )
    assert front(french)["lang"] == "fr"
    for path in drafts(project):
        path.write_text(
            path.read_text().replace("\nstatus: draft\n", "\nstatus: published\n")
        )
    # Imports are dated today; the fixture site pins its build date in 2022, when
    # they would still be waiting to be published.
    result = project.build(DIGEST_PUBLISH={"build_date": "2099-01-01T00:00:00Z"})
    assert result.returncode == 0, result.stdout + result.stderr
    html = next(project.output.glob("20*/*/wetlands-store-*/index.html")).read_text()
    assert "Dr Lena Hart" in html and "Imported draft" not in html
    # An item in another language than the site's keeps the usual address.
    assert list(project.output.glob("20*/*/le-gouvernement-presente-*/index.html"))
    assert not list(project.output.glob("*-fr.html"))


@pytest.mark.slow
def test_ingest_survives_a_damaged_state_file_and_resolves_relative_links(
    project, http_server
):
    feed = (FIXTURES / "science.atom.xml").read_text()
    feed = feed.replace(
        '<link href="https://science.example/2022/01/data-centres"/>',
        '<link href="/2022/01/data-centres"/>',
    )
    url = http_server.add(
        "/science.xml", body=feed.encode(), content_type="application/atom+xml"
    )
    project.write("content/sources.yml", f"Science Weekly:\n  feed: {url}\n")
    project.write(".newsdigest/ingest-state.json", json.dumps({url: ["not", "a", 1]}))
    result = run(project, "ingest", LOCAL)
    assert "Science Weekly: 1 new, 0 skipped as duplicates" in result.stdout
    (path,) = [p for p in drafts(project) if "data-centres" in p.name]
    assert front(path)["source_url"] == http_server.url("/2022/01/data-centres")


@pytest.mark.slow
def test_ingest_warns_about_similar_titles(project, http_server):
    feed = (
        (FIXTURES / "science.atom.xml")
        .read_text()
        .replace(
            "Data centres use more power than expected",
            "Salt marsh restoration expands",
        )
    )
    url = http_server.add("/s.xml", body=feed.encode(), content_type="application/xml")
    project.write("content/sources.yml", f"Science Weekly:\n  feed: {url}\n")
    result = run(project, "ingest", LOCAL)
    assert (
        "  warning: similar title: 'Salt marsh restoration expands' is like "
        "content/items/2022-01-03-marshes.md"
    ) in result.stdout


AUTHORS_FEED = """<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/"><channel>
<title>Wire</title><link>https://wire.example/</link><description>d</description>
<item><title>Port workers strike over pay</title>
<link>https://wire.example/2022/03/strike</link>
<pubDate>Thu, 03 Mar 2022 07:30:00 -0000</pubDate>
<author>editor@wire.example (Ana Costa)</author>
<description>Dock workers stopped work at dawn.</description></item>
<item><title>Fishing quotas agreed after talks</title>
<link>https://wire.example/2022/03/quotas</link>
<pubDate>Fri, 04 Mar 2022 09:00:00 +0100</pubDate>
<author>Rui Silva &lt;rui@newsroom.example&gt;</author>
<author>desk@wire.example</author>
<dc:creator>ple (Ana Costa</dc:creator>
<description>Ministers agreed on new quotas.</description></item>
</channel></rss>
"""


@pytest.mark.parametrize(
    ("raw", "names"),
    [
        ("editor@wire.example (Ana Costa)", ["Ana Costa"]),
        ("Ana Costa <ana@wire.example>", ["Ana Costa"]),
        ('"Costa, Ana" <ana@wire.example>', ["Costa, Ana"]),
        ("desk@wire.example", []),
        ("ple (Ana Costa", []),
        ("Ana Costa)", []),
        ("A", []),
        ("https://wire.example/staff/ana", []),
        ("Ana Costa and Rui Silva", ["Ana Costa", "Rui Silva"]),
        ("Ana Costa; Rui Silva", ["Ana Costa", "Rui Silva"]),
    ],
)
def test_feed_author_strings_are_read_as_rfc_822(raw, names):
    from newsdigest.curate.ingest import person_names

    assert person_names(raw) == names


@pytest.mark.slow
def test_ingest_authors_and_the_declared_timezone(project, http_server):
    url = http_server.add(
        "/a.xml", body=AUTHORS_FEED.encode(), content_type="application/xml"
    )
    project.write(
        "content/sources.yml",
        f"Wire:\n  feed: {url}\n  homepage: https://wire.example/\n"
        "  timezone: Europe/Lisbon\n",
    )
    assert run(project, "ingest", LOCAL).exit_code == 0
    by_title = {front(p)["title"]: front(p) for p in drafts(project)}
    strike = by_title["Port workers strike over pay"]
    assert strike["authors"] == ["Ana Costa"]  # not "ple (Ana Costa"
    # "-0000" is an unknown offset: the source's declared zone applies
    assert strike["source_date"] == "2022-03-03T07:30:00+00:00"
    quotas = by_title["Fishing quotas agreed after talks"]
    assert quotas["authors"] == ["Rui Silva"]
    assert quotas["source_date"] == "2022-03-04T09:00:00+01:00"


def test_ingest_refuses_an_unknown_timezone(project):
    project.write(
        "content/sources.yml",
        "Wire:\n  feed: https://wire.example/f.xml\n  timezone: Mars/Olympus\n"
        "Other:\n  feed: https://o.example/f.xml\n  timezone: ../../etc/passwd\n",
    )
    result = run(project, "ingest", LOCAL)
    assert result.exit_code == 1
    assert "[Wire.timezone]: 'Mars/Olympus' is not a timezone name." in result.stderr
    assert "[Other.timezone]: '../../etc/passwd' is not a timezone" in result.stderr


def test_ingest_empty_sources_file(project):
    project.write("content/sources.yml", "")
    result = run(project, "ingest", LOCAL)
    assert result.exit_code == 1 and "lists no sources" in result.stderr


@pytest.mark.slow
def test_invoke_tasks_are_thin_fronts_over_the_commands(project):
    def invoke(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "invoke", *args],
            cwd=project.root,
            env={**os.environ, **PINNED_ENV},
            capture_output=True,
            text=True,
            check=False,
        )

    made = invoke("new", "Made by invoke", "--topic", "health", "--tags", "NATO")
    assert made.returncode == 0, made.stderr
    path = project.root / made.stdout.strip()
    assert front(path)["tags"] == ["NATO"] and front(path)["topic"] == "health"
    capture = str(FIXTURES / "harbour-capture.txt")
    added = invoke(
        "add", capture, "--url", "https://ports.example/s", "--topic", "climate"
    )
    assert added.returncode == 0, added.stderr
    assert front(project.root / added.stdout.strip())["label"] == "analysis"
    again = invoke("add", capture, "--url", "https://ports.example/s")
    assert again.returncode == 1 and "already in the digest" in again.stderr


@pytest.mark.slow
def test_invoke_tasks_pass_the_private_network_opt_in_through(project, http_server):
    def invoke(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "invoke", *args],
            cwd=project.root,
            env={**os.environ, **PINNED_ENV},
            capture_output=True,
            text=True,
            check=False,
        )

    url = http_server.page("/climate/wetlands", "opengraph.html")
    refused = invoke("add", url)
    assert refused.returncode == 1 and "--allow-private-network" in refused.stderr
    assert http_server.requests == []
    added = invoke("add", url, "--allow-private-network")
    assert added.returncode == 0, added.stderr
    feed = http_server.page("/science.xml", "science.atom.xml")
    project.write("content/sources.yml", f"Science:\n  feed: {feed}\n")
    assert "Science: failed: " in invoke("ingest", "--dry-run").stdout
    ingested = invoke("ingest", "--dry-run", "--allow-private-network")
    assert "Science: 1 new, 0 skipped" in ingested.stdout, ingested.stderr


@pytest.mark.slow
def test_url_option_overrides_the_canonical_address(project, http_server):
    url = http_server.page("/climate/wetlands", "opengraph.html")
    path = written(
        project,
        run(project, "add", LOCAL, url, "--url", "https://mirror.example/w?utm_x=1"),
    )
    assert front(path)["source_url"] == "https://mirror.example/w"


@pytest.mark.slow
def test_unwritable_items_folder_is_one_line(make_project, http_server):
    project = make_project()
    (project.content / "items").rmdir()
    project.write("content/items", "not a folder")
    capture = str(FIXTURES / "harbour-capture.txt")
    for args in (
        ["add", capture, "--url", "https://ports.example/s"],
        ["new", "A title", "--topic", "world"],
    ):
        result = run(project, *args)
        assert result.exit_code == 1
        assert "cannot write content/items/" in result.stderr
        assert len(result.stderr.strip().splitlines()) == 1
    feed = http_server.page("/f.xml", "science.atom.xml")
    project.write("content/sources.yml", f"Science:\n  feed: {feed}\n")
    result = run(project, "ingest", LOCAL)
    assert result.exit_code == 1
    assert "Science: failed: cannot write content/items/" in result.stdout


# --- hostile pages ------------------------------------------------------------

# Sequences that close, or open, an HTML comment in some parser, each followed by
# a link: a note made of page text once closed the draft's "not published" comment.
COMMENT_BREAKERS = ("--->", "-->", "--!>", "<!--", "--", "->", "*/", "]]>")
NOTE_TOKEN = "NOTETOKEN"  # only ever in curator notes: must reach no output file
HOSTILE_SECTION = " ".join(
    f"{NOTE_TOKEN}{i} {breaker} <a href='https://note.evil.example/{i}'>x</a>"
    f" [n{i}](https://note.evil.example/md{i})"
    for i, breaker in enumerate(COMMENT_BREAKERS)
)
# Quote text is copied into the body on purpose: it must stay text.
HOSTILE_QUOTE = (
    "[Read more](https://quote.evil.example/md) then ![p](https://quote.evil.example/i."
    "png) and <a href='https://quote.evil.example/html'>this</a> or "
    "<https://quote.evil.example/auto> and {filename}/items/x.md {static}/x.png "
    "&#x1b; *stars* `code`"
)
HOSTILE_TITLE = 'Talks: "---" status: published &a *a !!python/object:os.system ---'
HOSTILE_PAGE = f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>x</title>
<link rel="canonical" href="https://outlet.example/talks">
<meta property="og:title" content="{html.escape(HOSTILE_TITLE)}">
<meta property="og:site_name"
 content="Outlet [x](https://quote.evil.example/site) \x1b[2J">
<meta property="og:description"
 content="A summary: with colons. &amp; a &#x202e;reversed line.">
<meta property="article:section" content="{html.escape(HOSTILE_SECTION)}">
<meta property="article:tag" content="--> [t](https://quote.evil.example/tag)">
</head><body><article><h1>x</h1>
<p>"{html.escape(HOSTILE_QUOTE)} and much more text here," said Ana Ortega.</p>
<p>[ref]: https://quote.evil.example/refdef</p>
<p>The talks went on for a long time, with no sign of an agreement being near.</p>
</article></body></html>
""".encode()
LIVE_LINK = re.compile(
    r"""<a\s[^>]*(?:href|src)=\\?["']?[a-z]+://[^"'\s>]*evil\.example"""
)


def live_links(output: Path) -> list[str]:
    """Links to the hostile hosts in every built file, as markup rather than text
    (Atom and RSS carry HTML escaped once, so they are unescaped once)."""
    found = []
    for path in output.rglob("*"):
        if not path.is_file() or path.suffix not in (".html", ".xml", ".json"):
            continue
        text = path.read_text(encoding="utf-8")
        if path.suffix == ".xml":
            text = html.unescape(text)
        found += [f"{path.name}: {m}" for m in LIVE_LINK.findall(text)]
        found += [f"{path.name}: <img" for _ in re.finditer(r"<img[^>]*evil", text)]
    return found


@pytest.mark.slow
def test_hostile_page_notes_and_links_never_reach_pages_or_feeds(project, http_server):
    """A page whose text closes comments, injects YAML and Markdown: its draft
    reads back exactly, and once published (status line deleted) the build has
    no note text and no link to the page's hosts in pages or any feed."""
    url = http_server.add("/talks", body=HOSTILE_PAGE)
    result = run(project, "add", LOCAL, url, "--topic", "geopolitics")
    path = written(project, result)
    assert "\x1b" not in result.output and "\u202e" not in result.output
    meta = front(path)
    assert meta["title"] == HOSTILE_TITLE  # YAML round trip: the same string
    assert meta["status"] == "draft" and meta["topic"] == "geopolitics"
    assert any(NOTE_TOKEN in note for note in meta["curator_notes"])
    assert NOTE_TOKEN not in body(path)
    text = path.read_text(encoding="utf-8")
    assert "\u202e" not in text and "\x1b" not in text
    path.write_text(text.replace("\nstatus: draft\n", "\n"), encoding="utf-8")
    built = project.build(DIGEST_PUBLISH={"build_date": "2099-01-01T00:00:00Z"})
    assert built.returncode == 0, built.stdout + built.stderr
    page = next(project.output.glob("20*/*/talks-*/index.html")).read_text()
    assert "Read more" in page and "{filename}/items/x.md" in page  # as text
    feeds = [p for p in project.output.rglob("*") if p.suffix in (".xml", ".json")]
    assert {p.suffix for p in feeds} == {".xml", ".json"}
    assert any("Read more" in p.read_text(encoding="utf-8") for p in feeds)
    for output in project.output.rglob("*"):
        if output.is_file() and output.suffix in (".html", ".xml", ".json", ".txt"):
            shown = output.read_text(encoding="utf-8", errors="replace")
            assert NOTE_TOKEN not in shown, output
            assert "note.evil.example" not in shown, output
            assert "Imported draft" not in shown, output
    assert live_links(project.output) == []


def test_page_text_printed_by_add_cannot_drive_the_terminal(project, tmp_path):
    """Notes echo page text: C1 controls (CSI), bidi overrides and zero-width
    marks are never written to the terminal as themselves."""
    saved = tmp_path / "page.html"
    section = "News \x9b2J\x9b31m \u202eesrever\u202c \u2066x\u2069 \u200bz"
    saved.write_bytes(
        (FIXTURES / "opengraph.html")
        .read_bytes()
        .replace(b'content="Climate"', f'content="{section}"'.encode())
    )
    result = run(project, "add", str(saved), "--topic", "climate")
    written(project, result)
    assert "note: Section in the original: News" in result.stderr
    for char in "\x9b\u202e\u202c\u2066\u2069\u200b":
        assert char not in result.output, repr(char)


@pytest.mark.slow
def test_server_text_in_errors_cannot_drive_the_terminal(project, http_server):
    """A content type or a redirect target is the server's text, and refusals
    print it: escape sequences come out as \\u001b, not as themselves."""
    typed = http_server.add("/typed", body=b"x", content_type="text/x\x1b[2J\x9b1m")
    result = run(project, "add", LOCAL, typed)
    assert result.exit_code == 1 and "not a web page" in result.output
    assert "\x1b" not in result.output and "\x9b" not in result.output
    assert "\\u001b[2j" in result.output  # lower-cased as a media type
    moved = http_server.add(
        "/moved", status=302, headers={"Location": "gopher://x\x1b]0;owned\x07/"}
    )
    project.write("content/sources.yml", f"Moved:\n  feed: {moved}\n  topic: climate\n")
    result = run(project, "ingest", LOCAL)
    assert result.exit_code == 1 and "Moved: failed" in result.output
    assert "\x1b" not in result.output and "\x07" not in result.output


def test_a_declared_timezone_applies_only_to_its_own_host():
    from newsdigest.model.sources import Source, source_timezone

    sources = [
        Source(
            "No homepage",
            "https://feeds.example/a.xml",
            "",
            None,
            [],
            timezone="Asia/Tokyo",
        ),
        Source(
            "Corriere",
            "https://xml2.corriereobjects.it/rss/x.xml",
            "https://www.corriere.it/",
            None,
            [],
            timezone="Europe/Rome",
        ),
    ]
    assert source_timezone(sources, "https://www.corriere.it/economia/a.shtml") == (
        "Europe/Rome"
    )
    assert source_timezone(sources, "https://other.example/a") is None
    assert source_timezone(sources, "") is None
