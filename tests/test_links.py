"""Links that last: snapshots written into items in place, dead links found
politely, and the build sending readers to the snapshot of a gone original."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import re
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

import pytest
from click.testing import CliRunner

from newsdigest.cli import cli
from newsdigest.links.archive import ArchiveError, ArchiveService, retry_after
from newsdigest.links.config import ARCHIVE_DEFAULTS
from newsdigest.links.frontedit import EditError, set_front_matter
from newsdigest.links.items import LinkedItem
from newsdigest.links.linkcheck import Observation, check_links, judge
from newsdigest.links.linksfile import LinkRecord, dump_links, read_links
from newsdigest.model.frontmatter import split
from tests.helpers import item, parse_html, serve_routes

# --- In-place front matter edits --------------------------------------------------

CURATED = (
    b"---\r\n"
    b"# curator's comment, kept\r\n"
    b"title: 'It''s \"quoted\"'   # trailing comment\r\n"
    b"date: 2022-01-05\r\n"
    b"tags: [ Russia,  NATO ]\r\n"
    b"summary: >-\r\n"
    b"  Folded text\r\n"
    b"  over two lines.\r\n"
    b"---\r\n"
    b"Body with --- inside\r\n"
)
ARCHIVED = {
    "archive_url": "https://web.archive.org/web/20220106000000/https://example.com/a",
    "archive_date": dt.date(2022, 1, 6),
}


def test_adding_archive_keys_keeps_every_other_byte(tmp_path):
    path = tmp_path / "a.md"
    path.write_bytes(CURATED)
    path.chmod(0o640)

    assert set_front_matter(path, ARCHIVED) is True

    after = path.read_bytes()
    added = (
        b'archive_url: "https://web.archive.org/web/20220106000000/'
        b'https://example.com/a"\r\narchive_date: 2022-01-06\r\n'
    )
    assert after.replace(added, b"") == CURATED
    assert after.index(added) == CURATED.index(b"---\r\nBody")
    assert path.stat().st_mode & 0o777 == 0o640
    assert set_front_matter(path, ARCHIVED) is False  # already there: no write


def test_replacing_archive_keys_changes_only_their_lines(tmp_path):
    path = tmp_path / "a.md"
    text = (
        "---\ntitle: A\narchive_url: 'https://old.example/x'  # old\nlang: en\n---\nB\n"
    )
    path.write_text(text)
    set_front_matter(path, ARCHIVED)
    assert path.read_text() == text.replace(
        "archive_url: 'https://old.example/x'  # old\n",
        f'archive_url: "{ARCHIVED["archive_url"]}"\n',
    ).replace("---\nB", "archive_date: 2022-01-06\n---\nB")


def test_a_block_scalar_at_the_end_keeps_its_value(tmp_path):
    path = tmp_path / "a.md"
    path.write_text("---\ntitle: A\nsummary: |\n  two\n  lines\n---\nB")
    set_front_matter(path, ARCHIVED)
    from newsdigest.model.frontmatter import split

    meta = split(path.read_text(), "a.md").metadata
    assert meta["summary"] == "two\nlines"
    assert meta["archive_url"] == ARCHIVED["archive_url"]


@pytest.mark.parametrize(
    "hostile",
    [
        "https://a.example/x\narchive_date: 1999-01-01",
        'https://a.example/"x',
        "https://a.example/x\x1b[2J",
        "https://a.example/\u2028x",
        "",
    ],
)
def test_values_that_cannot_be_quoted_safely_are_refused(tmp_path, hostile):
    path = tmp_path / "a.md"
    path.write_bytes(CURATED)
    if '"' in hostile:
        # A quote is quoted, and reads back as itself: never breaks the YAML.
        set_front_matter(path, {"archive_url": hostile})
        from newsdigest.model.frontmatter import split

        text = path.read_bytes().decode().replace("\r\n", "\n")
        assert split(text, "a.md").metadata["archive_url"] == hostile
        return
    with pytest.raises(EditError):
        set_front_matter(path, {"archive_url": hostile})
    assert path.read_bytes() == CURATED


# --- A fake Save Page Now service -------------------------------------------------


class FakeArchive:
    """Availability API at /wayback/available, Save Page Now at /save/<url>,
    with scripted failures per original."""

    def __init__(self) -> None:
        self.base = ""
        self.snapshots: dict[str, str] = {}  # original -> timestamp
        self.script: dict[str, list[tuple[int, dict[str, str]]]] = {}
        self.hostile: dict[str, object] = {}  # original -> "closest" answer
        self.slow: set[str] = set()
        self.locations: dict[str, str] = {}  # original -> Content-Location
        self.saves: list[tuple[str, float, dict[str, str]]] = []

    def handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:
                pass

            def answer(self, status, body=b"", headers=None) -> None:
                self.send_response(status)
                for key, value in (headers or {}).items():
                    self.send_header(key, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_GET(self) -> None:
                parts = urlsplit(self.path)
                if parts.path == "/wayback/available":
                    url = parse_qs(parts.query)["url"][0]
                    if url in fake.slow:
                        time.sleep(2)
                    if url in fake.hostile:
                        closest = fake.hostile[url]
                    elif url in fake.snapshots:
                        stamp = fake.snapshots[url]
                        closest = {
                            "url": f"{fake.base}/web/{stamp}/{url}",
                            "timestamp": stamp,
                            "available": True,
                            "status": "200",
                        }
                    else:
                        closest = None
                    snaps = {"closest": closest} if closest else {}
                    body = json.dumps({"archived_snapshots": snaps}).encode()
                    return self.answer(200, body, {"Content-Type": "application/json"})
                if parts.path.startswith("/save/"):
                    url = unquote(self.path[len("/save/") :])
                    headers = {k.lower(): v for k, v in self.headers.items()}
                    fake.saves.append((url, time.monotonic(), headers))
                    script = fake.script.get(url)
                    if script:
                        status, extra = script.pop(0)
                        return self.answer(status, b"busy", extra)
                    stamp = "20220107123000"
                    fake.snapshots[url] = stamp
                    location = fake.locations.get(url, f"/web/{stamp}/{url}")
                    return self.answer(200, b"saved", {"Content-Location": location})
                self.answer(404)

        return Handler


@contextlib.contextmanager
def fake_archive() -> Iterator[FakeArchive]:
    fake = FakeArchive()
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), fake.handler())
    httpd.daemon_threads = True
    fake.base = f"http://127.0.0.1:{httpd.server_address[1]}"
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield fake
    finally:
        httpd.shutdown()
        httpd.server_close()


def service_settings(fake: FakeArchive, **extra) -> dict:
    return {
        "save_url": f"{fake.base}/save/",
        "availability_url": f"{fake.base}/wayback/available",
        "allow_private_network": True,
        "per_minute": 600,
        "max_backoff": 5.0,
        "timeout": 5.0,
        **extra,
    }


def service(fake: FakeArchive, **extra) -> ArchiveService:
    return ArchiveService({**ARCHIVE_DEFAULTS, **service_settings(fake, **extra)})


def write_settings(project: Path, fake: FakeArchive, **extra) -> None:
    settings = project / "pelicanconf.py"
    settings.write_text(
        settings.read_text()
        + f"\nDIGEST_ARCHIVE = {service_settings(fake, **extra)!r}\n"
    )


@pytest.mark.slow
def test_an_existing_snapshot_is_used_without_asking_for_a_capture():
    with fake_archive() as fake:
        fake.snapshots["https://example.com/a"] = "20210304050607"
        found, new = service(fake).snapshot_of("https://example.com/a")
    assert (found.url, found.date, new) == (
        f"{fake.base}/web/20210304050607/https://example.com/a",
        dt.date(2021, 3, 4),
        False,
    )
    assert fake.saves == []


@pytest.mark.slow
def test_429_is_retried_after_retry_after_then_succeeds():
    with fake_archive() as fake:
        fake.script["https://example.com/a"] = [
            (429, {"Retry-After": "1"}),
            (503, {}),
        ]
        waits: list[float] = []
        archive = service(fake)
        archive.sleep = waits.append
        found, new = archive.snapshot_of("https://example.com/a")
    assert new is True and found.date == dt.date(2022, 1, 7)
    assert waits == [1.0, 4.0]  # Retry-After, then the back-off of try 2
    assert len(fake.saves) == 3


@pytest.mark.slow
def test_retries_are_bounded_and_the_failure_is_one_line():
    with fake_archive() as fake:
        fake.script["https://example.com/a"] = [(500, {})] * 10
        archive = service(fake, retries=2)
        archive.sleep = lambda _s: None
        with pytest.raises(ArchiveError) as error:
            archive.snapshot_of("https://example.com/a")
    assert len(fake.saves) == 3
    assert "\n" not in str(error.value) and "HTTP 500" in str(error.value)


def test_retry_after_is_capped_and_understands_dates():
    assert retry_after({"retry-after": "9999"}, 1, 300.0) == 300.0
    assert retry_after({}, 3, 300.0) == 8.0
    assert retry_after({"retry-after": "Wed, 21 Oct 2015 07:28:00 GMT"}, 1, 60) == 0
    assert retry_after({}, 20, 30.0) == 30.0


@pytest.mark.slow
@pytest.mark.parametrize(
    "closest",
    [
        {"url": "https://evil.example/web/20220101000000/x", "available": True},
        {"url": "javascript:alert(1)//20220101000000", "available": True},
        {"url": "{base}/web/20220101000000/x\narchive_date: 1", "available": True},
        {"url": '{base}/web/20220101000000/x"><script>', "available": True},
        {"url": "{base}/web/nodate/x", "available": True},
    ],
)
def test_hostile_answers_are_refused_and_nothing_is_written(make_project, closest):
    with fake_archive() as fake:
        project = make_project()
        path = project.write(
            "content/items/a.md", item(source_url="https://example.com/a")
        )
        before = path.read_bytes()
        fake.hostile["https://example.com/a"] = {
            k: v.replace("{base}", fake.base) if isinstance(v, str) else v
            for k, v in closest.items()
        }
        write_settings(project.root, fake)
        result = CliRunner().invoke(cli, ["archive", "--project", str(project.root)])
    assert result.exit_code == 1
    assert path.read_bytes() == before
    failures = [line for line in result.output.splitlines() if "failed" in line]
    assert failures and "content/items/a.md" in failures[0]
    assert "Traceback" not in result.output


@pytest.mark.slow
@pytest.mark.parametrize(
    "location",
    [
        "//evil.example/web/20220107123000/https://example.com/a",
        "javascript:alert(1)//web/20220107123000/",
        "/web/20220107123000/https://example.com/a'onmouseover='x",
        "/web/latest/https://example.com/a",
    ],
)
def test_a_hostile_capture_answer_is_refused(location):
    with fake_archive() as fake:
        fake.locations["https://example.com/a"] = location
        with pytest.raises(ArchiveError):
            service(fake).capture("https://example.com/a")


@pytest.mark.slow
def test_a_slow_service_times_out_as_one_failure(make_project):
    with fake_archive() as fake:
        project = make_project()
        project.write("content/items/a.md", item(source_url="https://example.com/a"))
        fake.slow.add("https://example.com/a")
        write_settings(project.root, fake, timeout=0.5)
        result = CliRunner().invoke(cli, ["archive", "--project", str(project.root)])
    assert result.exit_code == 1
    assert "failed content/items/a.md" in result.output and "timed out" in result.output


@pytest.mark.slow
def test_archive_resumes_where_a_stopped_run_left_off(make_project):
    with fake_archive() as fake:
        project = make_project()
        for name in "abc":
            project.write(
                f"content/items/{name}.md",
                item(source_url=f"https://example.com/{name}"),
            )
        write_settings(project.root, fake)
        run = ["archive", "--project", str(project.root)]
        dry = CliRunner().invoke(cli, [*run, "--dry-run"])
        assert (
            dry.exit_code == 0
            and "[3/3] would ask for content/items/c.md" in dry.output
        )
        assert (
            fake.saves == []
            and "archive_url" not in (project.content / "items/a.md").read_text()
        )
        first = CliRunner().invoke(cli, [*run, "--limit", "2"])  # a run cut short
        assert first.exit_code == 0, first.output
        assert "[1/2] archived content/items/a.md" in first.output
        second = CliRunner().invoke(cli, run)
    assert second.exit_code == 0, second.output
    assert "[1/1] archived content/items/c.md" in second.output
    assert [url for url, _, _ in fake.saves] == [
        "https://example.com/a",
        "https://example.com/b",
        "https://example.com/c",
    ]
    text = (project.content / "items/c.md").read_text()
    assert (
        f'archive_url: "{fake.base}/web/20220107123000/https://example.com/c"' in text
    )
    assert "archive_date: 2022-01-07" in text


@pytest.mark.slow
def test_credentials_go_to_the_service_only(monkeypatch):
    monkeypatch.setenv("NEWSDIGEST_ARCHIVE_ACCESS_KEY", "key")
    monkeypatch.setenv("NEWSDIGEST_ARCHIVE_SECRET_KEY", "secret")
    with fake_archive() as fake:
        service(fake).capture("https://example.com/a")
    assert fake.saves[0][2]["authorization"] == "LOW key:secret"


@pytest.mark.slow
def test_captures_are_spaced_by_the_rate_limit():
    with fake_archive() as fake:
        archive = service(fake, per_minute=120)  # one every 0.5 s
        for name in "abc":
            archive.capture(f"https://example.com/{name}")
    times = [when for _, when, _ in fake.saves]
    assert times[1] - times[0] >= 0.45 and times[2] - times[1] >= 0.45


# --- Link check -------------------------------------------------------------------

CONFIG = {**ARCHIVE_DEFAULTS, "host_delay": 0.0, "check_timeout": 1.0}


def linked(key: str, url: str) -> LinkedItem:
    return LinkedItem(Path(key), key, url)


@contextlib.contextmanager
def counting_server(delay: float) -> Iterator[tuple[str, list[int]]]:
    """An origin answering 200 to HEAD after ``delay`` seconds; the list holds
    the most requests it ever had at once."""
    active = 0
    most = [0]
    lock = threading.Lock()

    class Slow(BaseHTTPRequestHandler):
        def log_message(self, *args) -> None:
            pass

        def do_HEAD(self) -> None:
            nonlocal active
            with lock:
                active += 1
                most[0] = max(most[0], active)
            time.sleep(delay)
            with lock:
                active -= 1
            with contextlib.suppress(OSError):
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

        do_GET = do_HEAD

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Slow)
    httpd.daemon_threads = True
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}", most
    finally:
        httpd.shutdown()
        httpd.server_close()


@pytest.mark.slow
def test_linkcheck_tells_ok_moved_gone_and_unreachable():
    with serve_routes() as origin, counting_server(3.0) as (slow, _):
        origin.add("/ok", body=b"fine")
        origin.add("/old", status=301, headers={"Location": "/new"})
        origin.add("/new", body=b"here now")
        origin.add("/removed", status=410)
        origin.add("/broken", status=503)
        items = [
            linked("items/ok.md", origin.url("/ok")),
            linked("items/moved.md", origin.url("/old")),
            linked("items/missing.md", origin.url("/missing")),
            linked("items/removed.md", origin.url("/removed")),
            linked("items/broken.md", origin.url("/broken")),
            linked("items/slow.md", f"{slow}/story"),
            linked("items/nodns.md", "http://no-such-host.invalid/story"),
        ]
        day1 = dt.date(2022, 1, 1)
        first = check_links(items, {}, CONFIG, today=day1, allow_private_network=True)
        later = check_links(
            items,
            first,
            CONFIG,
            today=day1 + dt.timedelta(3),
            allow_private_network=True,
        )
    status = {key: record.status for key, record in first.items()}
    assert status == {
        "items/ok.md": "ok",
        "items/moved.md": "moved",
        "items/missing.md": "unreachable",  # gone once: not yet gone
        "items/removed.md": "unreachable",
        "items/broken.md": "unreachable",
        "items/slow.md": "unreachable",
        "items/nodns.md": "unreachable",
    }
    assert first["items/moved.md"].final_url == origin.url("/new")
    assert first["items/missing.md"].gone_since == day1
    assert {k for k, r in later.items() if r.status == "gone"} == {
        "items/missing.md",
        "items/removed.md",
        "items/nodns.md",
    }
    assert later["items/removed.md"].gone_since == day1
    assert later["items/broken.md"].gone_since is None


def test_gone_needs_two_sightings_far_enough_apart():
    seen = Observation("gone", reason="HTTP 404")
    day = dt.date(2022, 1, 10)
    once = judge(seen, "https://e.org/a", None, day, 3)
    assert (once.status, once.gone_since) == ("unreachable", day)
    soon = judge(seen, "https://e.org/a", once, day + dt.timedelta(2), 3)
    assert soon.status == "unreachable"
    assert (
        judge(seen, "https://e.org/a", soon, day + dt.timedelta(3), 3).status == "gone"
    )
    # A new source_url starts again; an ok answer forgets the sighting.
    assert (
        judge(seen, "https://e.org/b", soon, day + dt.timedelta(9), 3).status != "gone"
    )
    assert judge(Observation("ok"), "https://e.org/a", soon, day, 3).gone_since is None


@pytest.mark.slow
def test_linkcheck_is_polite_to_one_host():
    with counting_server(0.1) as (base, most):
        items = [linked(f"items/{n}.md", f"{base}/{n}") for n in range(6)]
        check_links(
            items, {}, CONFIG, today=dt.date(2022, 1, 1), allow_private_network=True
        )
    assert most == [1]


def test_links_file_is_sorted_and_stable_and_reads_back():
    records = {
        "items/b.md": LinkRecord("https://e.org/b", "ok", dt.date(2022, 1, 2)),
        "items/a.md": LinkRecord(
            "https://e.org/a",
            "gone",
            dt.date(2022, 1, 5),
            dt.date(2022, 1, 1),
            reason="HTTP 404 Not Found",
        ),
    }
    text = dump_links(records)
    assert text.index("items/a.md") < text.index("items/b.md")
    assert dump_links(dict(reversed(records.items()))) == text


def test_links_file_problems_name_line_and_field(tmp_path):
    path = tmp_path / "links.yml"
    path.write_text(
        "items/a.md:\n  url: https://e.org/a\n  status: ok\n  checked: 2022-01-01\n"
        "items/b.md:\n  url: javascript:alert(1)\n  status: dead\n  checked: soon\n"
    )
    records, problems = read_links(path, "content/links.yml")
    assert list(records) == ["items/a.md"]
    assert {(p.line, p.field) for p in problems} == {
        (5, "items/b.md.url"),
        (5, "items/b.md.status"),
        (5, "items/b.md.checked"),
    }


@pytest.mark.slow
def test_linkcheck_command_writes_links_file_and_fails_on_gone(make_project):
    with serve_routes() as origin:
        project = make_project()
        project.write("content/items/a.md", item(source_url=origin.url("/missing")))
        project.write(
            "content/items/b.md", item(title="B", source_url=origin.url("/missing2"))
        )
        project.write(
            "content/links.yml",
            "items/a.md:\n"
            f"  url: {origin.url('/missing')}\n"
            "  status: unreachable\n  checked: 2020-01-01\n  gone_since: 2020-01-01\n",
        )
        run = ["linkcheck", "--project", str(project.root), "--allow-private-network"]
        result = CliRunner().invoke(
            cli, [*run, "--format", "json", "--fail-on", "gone"]
        )
    assert result.exit_code == 1, result.output
    report = json.loads(result.output[result.output.index("{") :])
    assert [(p["path"], p["field"]) for p in report["errors"]] == [
        ("content/items/a.md", "source_url")
    ]
    records, problems = read_links(project.content / "links.yml", "links.yml")
    assert problems == []
    assert records["items/a.md"].status == "gone"
    assert records["items/b.md"].status == "unreachable"


# --- The build ----------------------------------------------------------------------


@pytest.mark.slow
def test_build_sends_readers_to_the_snapshot_of_a_gone_original(make_project):
    project = make_project()
    snapshot = "https://web.archive.org/web/20220106000000/https://example.com/gone"
    project.write(
        "content/items/gone.md",
        item(
            title="Gone story",
            slug="gone-story",
            source_url="https://example.com/gone",
            archive_url=snapshot,
            archive_date="2022-01-06",
        ),
    )
    project.write(
        "content/items/kept.md",
        item(
            title="Kept story",
            slug="kept-story",
            source_url="https://example.com/kept",
            archive_url="https://web.archive.org/web/20220106000000/https://example.com/kept",
            archive_date="2022-01-06",
        ),
    )
    project.write(
        "content/items/lost.md",
        item(
            title="Lost story", slug="lost-story", source_url="https://example.com/lost"
        ),
    )
    entries = {
        "gone": "gone",
        "kept": "ok",
        "lost": "gone",
    }
    project.write(
        "content/links.yml",
        "".join(
            f"items/{name}.md:\n  url: https://example.com/{name}\n  status: {status}\n"
            "  checked: 2022-01-10\n  gone_since: 2022-01-04\n"
            for name, status in entries.items()
        ),
    )
    result = project.build()
    assert result.returncode == 0, result.stdout + result.stderr
    output = result.stdout + result.stderr
    assert "content/items/lost.md" in output and "no snapshot" in output
    gone = next(project.output.rglob("gone-story/index.html")).read_text()
    tree = parse_html(gone)
    links = {a.get("class"): a.get("href") for a in tree.iter("a")}
    assert links["original__link"] == snapshot
    assert "The original is no longer available; this is an archived copy from" in gone
    kept = next(project.output.rglob("kept-story/index.html")).read_text()
    assert 'class="original__link" href="https://example.com/kept"' in kept
    assert ">Archived copy</a>" in kept
    ld = re.search(r'<script type="application/ld\+json">(.*?)</script>', kept, re.S)
    graph = json.loads(ld.group(1))
    parts = graph if isinstance(graph, list) else graph.get("@graph", [graph])
    article = next(p for p in parts if p.get("@type") == "NewsArticle")
    assert article["isBasedOn"]["archivedAt"] == (
        "https://web.archive.org/web/20220106000000/https://example.com/kept"
    )
    feed = (project.output / "feeds" / "all.atom.xml").read_text()
    assert "no longer available" in feed and "archived copy" in feed
    kept_snapshot = (
        "https://web.archive.org/web/20220106000000/https://example.com/kept"
    )
    email = "".join(p.read_text() for p in project.output.rglob("email.txt"))
    # Plain text lists links as numbered references (newsdigest.editions.plaintext).
    listed = re.search(rf"^\[(\d+)\] +{re.escape(kept_snapshot)}$", email, re.M)
    assert listed and f"  Archived copy: [{listed[1]}]" in email
    email_html = "".join(p.read_text() for p in project.output.rglob("email.html"))
    assert f'<a href="{kept_snapshot}">Archived copy</a>' in email_html


@pytest.mark.slow
def test_a_broken_links_file_stops_the_build_naming_line_and_field(make_project):
    project = make_project()
    project.write("content/items/a.md", item())
    project.write(
        "content/links.yml",
        "items/a.md:\n  url: https://example.com/story\n  status: dead\n"
        "  checked: 2022-01-01\n",
    )
    result = project.build()
    assert result.returncode != 0
    output = result.stdout + result.stderr
    assert "links.yml" in output and "status" in output and "Traceback" not in output


# --- Snapshots while importing -------------------------------------------------------

JSONLD_PAGE = Path(__file__).parent / "fixtures" / "curate" / "jsonld.html"
JSONLD_URL = "https://lequotidien.example/sante/plan-hopitaux"


@pytest.mark.slow
@pytest.mark.parametrize("slow", [False, True])
def test_add_records_an_existing_snapshot_or_leaves_it_for_later(
    make_project, tmp_path, slow
):
    saved = tmp_path / "saved.html"
    saved.write_bytes(JSONLD_PAGE.read_bytes())
    with fake_archive() as fake:
        project = make_project()
        fake.snapshots[JSONLD_URL] = "20220102030405"
        if slow:
            fake.slow.add(JSONLD_URL)
        write_settings(project.root, fake, on_import=True, import_timeout=0.5)
        started = time.monotonic()
        result = CliRunner().invoke(
            cli, ["add", str(saved), "--topic", "world", "--project", str(project.root)]
        )
        took = time.monotonic() - started
    assert result.exit_code == 0, result.output
    path = project.root / result.stdout.strip().splitlines()[-1]
    text = path.read_text()
    assert fake.saves == []  # an import never asks for a capture
    if slow:
        assert "archive_url" not in text and took < 2
        assert "`newsdigest archive` will ask for one" in result.output
    else:
        assert f'archive_url: "{fake.base}/web/20220102030405/{JSONLD_URL}"' in text
        assert "archive_date: 2022-01-02" in text


@pytest.mark.slow
def test_no_snapshot_on_import_unless_asked(make_project, tmp_path):
    saved = tmp_path / "saved.html"
    saved.write_bytes(JSONLD_PAGE.read_bytes())
    with fake_archive() as fake:
        project = make_project()
        fake.snapshots[JSONLD_URL] = "20220102030405"
        write_settings(project.root, fake)  # on_import is off by default
        run = ["add", str(saved), "--topic", "world", "--project", str(project.root)]
        result = CliRunner().invoke(cli, run)
    path = project.root / result.stdout.strip().splitlines()[-1]
    assert result.exit_code == 0 and "archive_url" not in path.read_text()


@pytest.mark.slow
def test_credentials_never_follow_a_redirect_to_another_host(monkeypatch):
    monkeypatch.setenv("NEWSDIGEST_ARCHIVE_ACCESS_KEY", "key")
    monkeypatch.setenv("NEWSDIGEST_ARCHIVE_SECRET_KEY", "secret")
    with serve_routes("127.0.0.2") as elsewhere, fake_archive() as fake:
        elsewhere.add("/catch", body=b"")
        fake.script["https://example.com/a"] = [
            (302, {"Location": elsewhere.url("/catch")})
        ]
        with pytest.raises(ArchiveError):  # the answer held no snapshot
            service(fake).capture("https://example.com/a")
    assert fake.saves[0][2]["authorization"] == "LOW key:secret"
    assert "authorization" not in elsewhere.headers_for("/catch")[0]


# --- The front matter contract ------------------------------------------------------


def test_archive_keys_are_checked_like_any_address_and_date():
    from tests.helpers import checked

    good = checked(archive_url=ARCHIVED["archive_url"], archive_date="2022-01-06")
    assert good.ok, good.problems
    assert good.values["archive_url"] == ARCHIVED["archive_url"]
    assert good.values["archive_date"].date() == dt.date(2022, 1, 6)
    bad = checked(archive_url="javascript:alert(1)", archive_date="soon")
    assert {(p.field, p.line) for p in bad.problems} == {
        ("archive_url", 8),
        ("archive_date", 9),
    }
    orphan = checked(archive_date="2022-01-06")
    assert [p.field for p in orphan.problems] == ["archive_date"]


@pytest.mark.slow
def test_a_changed_links_file_alone_renders_the_item_again(make_project, tmp_path):
    """The build's incremental output keys an item page by what linkcheck found:
    a links.yml edit (and nothing else) gives the page a cold build gives."""
    import shutil

    from tests.helpers import Project, tree

    project = make_project(sample=True)
    relative = "items/2022-01-05-city-heat-pump-grants.md"
    path = project.content / relative
    set_front_matter(path, ARCHIVED)
    meta = split(path.read_text(), relative).metadata
    source_url, slug = meta["source_url"], meta["slug"]
    assert project.build().returncode == 0
    project.write(
        "content/links.yml",
        f"{relative}:\n  url: {source_url}\n  status: gone\n"
        "  checked: 2022-01-10\n  gone_since: 2022-01-04\n",
    )
    result = project.build()
    assert result.returncode == 0, result.stdout + result.stderr
    page = (project.output / "2022/01" / slug / "index.html").read_text()
    assert f'class="original__link" href="{ARCHIVED["archive_url"]}"' in page
    cold = Project(tmp_path / "cold")
    shutil.copytree(
        project.root,
        cold.root,
        ignore=shutil.ignore_patterns("output", ".output.*", "cache", "__pycache__"),
    )
    assert cold.build().returncode == 0
    assert tree(project.output.resolve(), reproducible=True) == tree(
        cold.output, reproducible=True
    )


def test_a_links_file_larger_than_an_item_is_read(tmp_path):
    records = {
        f"items/{n:05d}.md": LinkRecord(
            f"https://e.org/{n}", "ok", dt.date(2022, 1, 1) + dt.timedelta(n % 9)
        )
        for n in range(3000)
    }
    path = tmp_path / "links.yml"
    path.write_text(dump_links(records))
    assert path.stat().st_size > 200_000
    assert read_links(path, "content/links.yml") == (records, [])


def test_archive_never_edits_through_a_symbolic_link(make_project, tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "a.md").write_text(item(source_url="https://example.com/a"))
    project = make_project()
    (project.content / "items").rmdir()
    (project.content / "items").symlink_to(outside)  # the folder is a link
    from newsdigest.links.items import published_items

    assert list(published_items(project.content)) == []


@pytest.mark.slow
def test_ingest_archive_records_snapshots_of_the_new_drafts(make_project):
    wire = Path(__file__).parent / "fixtures" / "curate" / "wire.rss.xml"
    fisheries = "https://wire.example/2022/01/fisheries-monitoring"
    with serve_routes() as feeds, fake_archive() as fake:
        feeds.add(
            "/wire.xml", body=wire.read_bytes(), content_type="application/rss+xml"
        )
        project = make_project()
        project.write(
            "content/sources.yml",
            f"Example Wire:\n  feed: {feeds.url('/wire.xml')}\n  topic: world\n"
            "  allow_private_network: true\n",
        )
        fake.snapshots[fisheries] = "20220114000000"
        write_settings(project.root, fake)
        result = CliRunner().invoke(
            cli, ["ingest", "--archive", "--project", str(project.root)]
        )
    assert result.exit_code == 0, result.output
    drafts = {
        split(p.read_text(), p.name).metadata["source_url"]: p.read_text()
        for p in (project.content / "items").glob("*.md")
    }
    assert len(drafts) == 3
    assert (
        f'archive_url: "{fake.base}/web/20220114000000/{fisheries}"'
        in (drafts[fisheries])
    )
    assert sum("archive_url" in text for text in drafts.values()) == 1
    assert result.output.count("`newsdigest archive` will ask for one") == 2
    assert fake.saves == []


def test_a_record_of_an_earlier_source_url_is_not_applied(tmp_path):
    from types import SimpleNamespace

    from newsdigest.plugins.links import link_statuses

    content = tmp_path / "content"
    (content / "items").mkdir(parents=True)
    (content / "links.yml").write_text(
        "items/a.md:\n  url: https://example.com/old\n  status: gone\n"
        "  checked: 2022-01-10\n  gone_since: 2022-01-01\n"
        "items/b.md:\n  url: https://example.com/b\n  status: gone\n"
        "  checked: 2022-01-10\n  gone_since: 2022-01-01\n"
    )
    a, b = (
        SimpleNamespace(
            source_path=str(content / "items" / f"{name}.md"),
            source_url=f"https://example.com/{name}",
            archive_url=None,
        )
        for name in "ab"
    )
    problems = link_statuses([a, b], {"PATH": str(content)})
    assert (a.link_gone, b.link_gone) == (False, True)
    assert [(p.path, p.field, p.severity) for p in problems] == [
        ("content/items/b.md", "source_url", "warning")
    ]
