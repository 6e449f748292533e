"""The development servers, started as a curator starts them: `invoke serve` and
`invoke livereload` in a copy of the sample project, talked to over 127.0.0.1.

Each server runs in its own process group and is stopped as Ctrl-C stops it
(SIGINT to the whole group); a test fails if anything is left running.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from email.message import Message
from pathlib import Path

import pytest

from tests.helpers import PINNED_ENV

pytestmark = pytest.mark.slow

SITE_NAME = "The Sample Digest"
SEED_ITEM = "content/items/2022-01-02-lavrov-security-guarantees-warning.md"
SEED_TITLE_END = "does not answer its security proposals"
START_TIMEOUT = 30
REBUILD_TIMEOUT = 40


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def get(port: int, path: str, timeout: float = 15) -> tuple[int, str, Message]:
    """GET http://127.0.0.1:PORT/PATH: status, body and headers, also for 4xx."""
    url = f"http://127.0.0.1:{port}{path}"
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            body = response.read().decode("utf-8", "replace")
            return response.status, body, response.headers
    except urllib.error.HTTPError as error:
        with error:
            body = error.read().decode("utf-8", "replace")
            return error.code, body, error.headers


def _default_sigint() -> None:
    # A child inherits an ignored SIGINT (e.g. from a non-interactive shell);
    # Ctrl-C must reach the server as it does in a terminal.
    signal.signal(signal.SIGINT, signal.SIG_DFL)


class Server:
    """`python -m invoke TASK --port PORT` running in the project folder."""

    def __init__(self, root: Path, task: str, log: Path) -> None:
        self.port = free_port()
        self.log = log
        self._log_file = log.open("wb")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "invoke", task, "--port", str(self.port)],
            cwd=root,
            env={**os.environ, **PINNED_ENV, "PYTHONUNBUFFERED": "1"},
            stdin=subprocess.DEVNULL,
            stdout=self._log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            preexec_fn=_default_sigint,
        )

    def output(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")

    def alive(self) -> bool:
        return self.process.poll() is None

    def wait_until_serving(self, timeout: float = START_TIMEOUT) -> str:
        """Poll the home page until it answers; its body."""
        deadline = time.monotonic() + timeout
        while True:
            assert self.alive(), f"the server exited early:\n{self.output()}"
            try:
                status, body, _ = get(self.port, "/", timeout=5)
            except OSError:
                status, body = None, ""
            if status == 200:
                return body
            assert time.monotonic() < deadline, (
                f"nothing served on port {self.port} after {timeout} s "
                f"(last status {status}):\n{self.output()}"
            )
            time.sleep(0.2)

    def interrupt(self, timeout: float = 15) -> int:
        """Ctrl-C: SIGINT to the whole group; SIGKILL if it does not stop."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGINT)
        try:
            return self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            pytest.fail(f"the server ignored Ctrl-C for {timeout} s:\n{self.output()}")

    def kill(self) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(10)

    def group_is_gone(self, timeout: float = 5) -> bool:
        """No process of the server's group is left (children included)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                os.killpg(self.process.pid, 0)
            except ProcessLookupError:
                return True
            time.sleep(0.1)
        return False

    def close(self) -> None:
        if self.alive():
            self.kill()
        if not self.group_is_gone(timeout=1):
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
        self._log_file.close()


@pytest.fixture
def start_server(tmp_path: Path) -> Iterator:
    """Factory: start a server task; whatever happens, the group is killed."""
    servers: list[Server] = []

    def start(project, task: str) -> Server:
        server = Server(project.root, task, tmp_path / f"{task}-{len(servers)}.log")
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.close()


def assert_stops_cleanly(server: Server) -> None:
    code = server.interrupt()
    log = server.output()
    assert server.group_is_gone(), f"processes left behind after Ctrl-C:\n{log}"
    assert code == 0, f"exit code {code} after Ctrl-C:\n{log}"
    assert "Traceback" not in log, log
    # The port is free again.
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", server.port))


def set_front_matter(path: Path, key: str, value: str) -> None:
    """Replace one `key: value` line of an item's front matter, nothing else."""
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    index = next(i for i, line in enumerate(lines) if line.startswith(f"{key}:"))
    lines[index] = f"{key}: {value}\n"
    path.write_text("".join(lines), encoding="utf-8")


def front_matter_title(path: Path) -> str:
    import yaml

    front = path.read_text(encoding="utf-8").split("---\n")[1]
    return yaml.safe_load(front)["title"]


def wait_for(condition, timeout: float, what: str, server: Server):
    deadline = time.monotonic() + timeout
    while True:
        result = condition()
        if result:
            return result
        assert server.alive(), f"the server died while waiting for {what}:\n" + (
            server.output()
        )
        assert time.monotonic() < deadline, (
            f"no {what} after {timeout} s:\n{server.output()}"
        )
        time.sleep(0.3)


def test_serve_builds_then_serves_the_site(make_project, start_server):
    project = make_project(sample=True)
    server = start_server(project, "serve")

    home = server.wait_until_serving()
    assert SITE_NAME in home
    assert SEED_TITLE_END in home
    assert "livereload.js" not in home  # the plain server injects nothing
    assert project.output.is_symlink()  # what it serves is the swapped-in build

    status, topics, headers = get(server.port, "/topics/")
    assert status == 200, topics
    assert SITE_NAME in topics and "Geopolitics" in topics
    assert headers["Content-Type"].startswith("text/html")
    status, feed, _ = get(server.port, "/feeds/all.atom.xml")
    assert status == 200 and "<feed" in feed

    status, missing, _ = get(server.port, "/no-such-page/")
    assert status == 404
    assert "Page not found" in missing  # the site's own 404 page
    status, _, _ = get(server.port, "/no-such-file.css")
    assert status == 404
    status, _, _ = get(server.port, "/.output-dev.builds/")
    assert status == 404  # only the site is served, not the project

    assert_stops_cleanly(server)


def test_livereload_rebuilds_on_change_and_keeps_the_last_good_site(
    make_project, start_server
):
    project = make_project(sample=True)
    item = project.root / SEED_ITEM
    title = front_matter_title(item)
    assert title.endswith(SEED_TITLE_END)
    server = start_server(project, "livereload")

    home = server.wait_until_serving()
    assert SITE_NAME in home and SEED_TITLE_END in home
    first_build = os.readlink(project.output)

    # livereload injects, before </head>, a script that loads /livereload.js
    # from the same server; that script opens the websocket that reloads pages.
    head = home.split("</head>", 1)[0]
    assert "/livereload.js?port=" in head, head[-600:]
    status, script, headers = get(server.port, "/livereload.js")
    assert status == 200 and "javascript" in headers["Content-Type"]
    assert "LiveReload" in script

    # An edit is rebuilt, swapped in and served without restarting the server.
    set_front_matter(item, "title", json.dumps(title + " EDITED"))
    edited = f"{SEED_TITLE_END} EDITED"

    def edited_home() -> str | None:
        page = get(server.port, "/")[1]
        return page if edited in page else None

    home = wait_for(
        edited_home,
        REBUILD_TIMEOUT,
        "edited title on the home page",
        server,
    )
    assert "/livereload.js?port=" in home
    second_build = os.readlink(project.output)
    assert second_build != first_build
    assert edited in (project.output / "index.html").read_text(encoding="utf-8")

    # Invalid content: the rebuild fails, is reported, and nothing is swapped.
    set_front_matter(item, "topic", "nonexistent")
    wait_for(
        lambda: "still serving the last good site" in server.output(),
        REBUILD_TIMEOUT,
        "report of the failed rebuild",
        server,
    )
    log = server.output()
    assert "nonexistent" in log, log  # the problem itself is shown
    assert "Traceback" not in log, log
    assert server.alive()
    assert os.readlink(project.output) == second_build
    status, home, _ = get(server.port, "/")
    assert status == 200 and edited in home
    status, topics, _ = get(server.port, "/topics/")
    assert status == 200 and "Geopolitics" in topics

    assert_stops_cleanly(server)


def test_livereload_restarts_on_a_settings_change_and_survives_a_broken_one(
    make_project, start_server
):
    project = make_project(sample=True)
    settings = project.root / "pelicanconf.py"
    good = settings.read_text(encoding="utf-8")
    server = start_server(project, "livereload")
    assert SITE_NAME in server.wait_until_serving()

    # Settings are read once per builder process: a change starts a new one.
    renamed = good.replace(SITE_NAME, "The Renamed Digest")
    assert renamed != good
    settings.write_text(renamed, encoding="utf-8")

    def home_with(text: str):
        def check():
            try:
                page = get(server.port, "/", timeout=5)[1]
            except OSError:  # between the two processes
                return None
            return page if text in page else None

        return check

    wait_for(home_with("The Renamed Digest"), REBUILD_TIMEOUT, "new name", server)
    assert "pelicanconf.py changed; starting a new builder" in server.output()

    # A settings file that cannot be read does not take the site down.
    settings.write_text(renamed + "\nSITENAME = (\n", encoding="utf-8")
    wait_for(
        lambda: "pelicanconf.py cannot be read: SyntaxError" in server.output(),
        REBUILD_TIMEOUT,
        "report of the unreadable settings",
        server,
    )
    assert "still serving the last good site" in server.output()
    status, home, _ = get(server.port, "/")
    assert status == 200 and "The Renamed Digest" in home

    settings.write_text(good, encoding="utf-8")
    wait_for(home_with(SITE_NAME), REBUILD_TIMEOUT, "the name back", server)
    assert "Traceback" not in server.output(), server.output()
    assert_stops_cleanly(server)


CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_FLAGS = [  # as tests/test_browser.py launches it
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SEED_PAGE = (
    "/2022/01/lavrov-says-russia-will-take-necessary-measures-if-the-west-does-"
    "not-answer-its-security-proposals/"
)


@pytest.mark.browser
def test_livereload_reloads_the_open_page_with_the_edit(make_project, start_server):
    if not CHROMIUM.exists():
        if os.environ.get("CI"):
            raise RuntimeError("CI must install Debian's chromium for browser tests")
        pytest.skip("needs Debian's chromium at /usr/bin/chromium")
    from playwright.sync_api import sync_playwright

    project = make_project(sample=True)
    item = project.root / SEED_ITEM
    server = start_server(project, "livereload")
    server.wait_until_serving()
    added = "A sentence the curator added while the page was open."

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_FLAGS
        )
        try:
            page = browser.new_page()
            url = f"http://127.0.0.1:{server.port}{SEED_PAGE}"
            page.goto(url)
            assert added not in page.inner_text("body")
            # livereload.js has shaken hands with the server over its websocket.
            page.wait_for_function(
                "() => window.LiveReload && window.LiveReload.connector.protocol > 0"
            )
            page.wait_for_timeout(500)  # its "info" message registers the page
            page.evaluate("() => { window.digestBeforeEdit = true; }")

            started = time.monotonic()
            text = item.read_text(encoding="utf-8")
            item.write_text(text.rstrip("\n") + f"\n\n{added}\n", encoding="utf-8")
            page.wait_for_function(
                "added => document.body.innerText.includes(added)",
                arg=added,
                timeout=REBUILD_TIMEOUT * 1000,
            )
            seconds = time.monotonic() - started
            print(f"edit saved -> page reloaded with it: {seconds:.2f} s")

            assert page.url == url
            # A reload, not a change made in place: the old page's state is gone.
            assert page.evaluate("() => window.digestBeforeEdit") is None
        finally:
            browser.close()
    assert "Traceback" not in server.output(), server.output()
    assert_stops_cleanly(server)


def children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        with contextlib.suppress(OSError):
            found += [int(c) for c in (task / "children").read_text().split()]
    return found


def test_livereload_replaces_a_builder_that_died(make_project, start_server):
    project = make_project(sample=True)
    item = project.root / SEED_ITEM
    server = start_server(project, "livereload")
    server.wait_until_serving()
    wait_for(
        lambda: "with live reload" in server.output(), START_TIMEOUT, "start", server
    )
    (builder,) = children(server.process.pid)
    os.kill(builder, signal.SIGKILL)  # e.g. the kernel's out-of-memory killer

    set_front_matter(item, "title", json.dumps(front_matter_title(item) + " AGAIN"))
    wait_for(
        lambda: f"{SEED_TITLE_END} AGAIN" in get(server.port, "/")[1],
        REBUILD_TIMEOUT,
        "edited title on the home page",
        server,
    )
    assert "the builder stopped; starting a new one" in server.output()
    assert builder not in children(server.process.pid)
    assert_stops_cleanly(server)


def test_livereload_stops_on_sigterm_with_its_builder(make_project, start_server):
    project = make_project(sample=True)
    server = start_server(project, "livereload")
    server.wait_until_serving()
    wait_for(
        lambda: "with live reload" in server.output(), START_TIMEOUT, "start", server
    )
    os.kill(server.process.pid, signal.SIGTERM)  # the server only, as `kill` does
    assert server.process.wait(30) == 0, server.output()
    assert server.group_is_gone(timeout=20), "the builder was left running"
    assert "Stopped." in server.output()
    assert "Traceback" not in server.output(), server.output()
