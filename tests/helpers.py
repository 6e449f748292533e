"""Plain helpers shared by the test modules; the fixtures are in conftest.py.

Test modules import from here and never from one another: a project copied from
this repository and built with the real Pelican, servers on 127.0.0.1 (a static
folder, scripted routes for the curator's fetches), items and pages as the plugins
see them, small built trees for the site-check and deploy tests, and the scanners
that the hostile-content tests share.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import hashlib
import html
import json
import os
import re
import shutil
import socket
import ssl
import subprocess
import sys
import textwrap
import threading
import time
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from http.server import (
    BaseHTTPRequestHandler,
    SimpleHTTPRequestHandler,
    ThreadingHTTPServer,
)
from pathlib import Path
from types import SimpleNamespace

import html5lib
import pytest

from newsdigest.engine.run import run_pelican
from newsdigest.model.frontmatter import split
from newsdigest.model.schema import validate_item
from newsdigest.model.topics import Topic
from newsdigest.problems import Problem, Report
from newsdigest.publishing.manifest import ALL_CHECKS, write_manifest

# --- Projects built with the real Pelican ---------------------------------------

REPO = Path(__file__).resolve().parents[1]

PINNED_ENV = {
    "TZ": "UTC",
    "LC_ALL": "C.UTF-8",
    "SOURCE_DATE_EPOCH": "1643673600",  # 2022-02-01T00:00:00Z
    "PYTHONHASHSEED": "0",
}


TOPICS = """\
world:
  name: World
  description: Stories from everywhere.
  order: 1
science:
  name: Science
  description: Research and discovery.
  order: 2
"""


def item(**fields: object) -> str:
    """An item file from front matter fields (YAML-dumped) and an optional body."""
    import yaml

    body = fields.pop("body", 'Our summary of the story.\n\n> "A key quote."\n')
    front = {
        "title": "A story",
        "date": "2022-01-05T10:00:00+00:00",
        "topic": "world",
        "summary": "One sentence in our words.",
        "source": "Example Wire",
        "source_url": "https://example.com/story",
    }
    front.update(fields)
    front = {k: v for k, v in front.items() if v is not None}
    return (
        "---\n"
        + yaml.safe_dump(front, sort_keys=False, allow_unicode=True)
        + "---\n"
        + str(body)
    )


# Where each settings file of this repository builds (OUTPUT_PATH).
OUTPUTS = {"pelicanconf.py": "output-dev", "publishconf.py": "output"}


class Project:
    """A site project in a temporary folder."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.settings = "pelicanconf.py"  # of the last build
        self.output_override: str | None = None  # its OUTPUT_PATH override

    @property
    def content(self) -> Path:
        return self.root / "content"

    @property
    def output(self) -> Path:
        """The output of the settings last built with: development builds
        (pelicanconf.py) have their own, production builds write output/."""
        if self.output_override:
            return self.root / self.output_override
        known = OUTPUTS.get(self.settings)
        if known is None:  # a test's own settings file, importing one of ours
            path = self.root / self.settings
            text = path.read_text() if path.is_file() else ""
            known = OUTPUTS[
                "publishconf.py" if "publishconf" in text else "pelicanconf.py"
            ]
        return self.root / known

    def write(self, relative: str, text: str | bytes) -> Path:
        path = self.root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(textwrap.dedent(text) if text.startswith("\n") else text)
        return path

    def build(
        self,
        settings: str = "pelicanconf.py",
        env: dict[str, str] | None = None,
        **overrides,
    ) -> subprocess.CompletedProcess[str]:
        self.settings = settings
        self.output_override = overrides.get("OUTPUT_PATH")
        return run_pelican(
            self.root, settings, overrides=overrides, env={**PINNED_ENV, **(env or {})}
        )

    def page(self, relative: str) -> str:
        return (self.output / relative).read_text(encoding="utf-8")


def copy_project(root: Path, with_sample_content: bool) -> Project:
    """A project at ``root`` with this repository's settings and tasks, and either
    the committed sample content or two topics and no items."""
    root.mkdir(parents=True, exist_ok=True)
    for name in ("pelicanconf.py", "publishconf.py", "tasks.py"):
        shutil.copy(REPO / name, root / name)
    if with_sample_content:
        shutil.copytree(REPO / "content", root / "content")
    else:
        (root / "content" / "items").mkdir(parents=True)
        (root / "content" / "pages").mkdir()
        (root / "content" / "topics.yml").write_text(TOPICS)
    return Project(root)


def run_module(
    module: str, *args: str, cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    """``python -m MODULE ARGS`` (``newsdigest``, ``invoke``...) as a curator's shell
    runs it, in ``cwd``, with the clock, timezone and locale pinned; never raises."""
    return subprocess.run(
        [sys.executable, "-m", module, *args],
        cwd=cwd,
        env={**os.environ, **PINNED_ENV},
        capture_output=True,
        text=True,
        check=False,
    )


def output_of(result: subprocess.CompletedProcess[str]) -> str:
    """A build's whole console output: its report may go to either stream."""
    return result.stdout + result.stderr


def varies_per_run(name: str) -> bool:
    """Whether a built file (by its path in the output) may differ between two
    builds of the same content: Pagefind names its filter files anew on every
    indexing run, so ``pagefind/`` differs there, and only there (newsdigest
    reuses an index while nothing changed)."""
    return name.startswith("pagefind/")


def tree(root: Path, *, reproducible: bool = False) -> dict[str, str]:
    """Every file under ``root`` by its sha256, to compare two builds.

    ``reproducible`` leaves out the files that vary per run (``varies_per_run``)."""
    root = root.resolve()
    files = {}
    for path in sorted(root.rglob("*")):
        name = path.relative_to(root).as_posix()
        if path.is_file() and not (reproducible and varies_per_run(name)):
            files[name] = hashlib.sha256(path.read_bytes()).hexdigest()
    return files


# --- Servers on 127.0.0.1 --------------------------------------------------------


def free_port() -> int:
    """A port of 127.0.0.1 that nothing listens on (for a server to take, or for
    a client to find closed)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class QuietHandler(SimpleHTTPRequestHandler):
    """Serves a folder without logging each request into the test output."""

    def log_message(self, *args) -> None:
        pass


@contextlib.contextmanager
def serve_folder(folder: Path) -> Iterator[str]:
    """Serve ``folder`` over HTTP on 127.0.0.1; yields its base URL (with ``/``)."""
    handler = functools.partial(QuietHandler, directory=str(folder))
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}/"
    finally:
        httpd.shutdown()
        httpd.server_close()


#: Debian's Chromium, which Playwright drives in the browser tests.
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def skip_without_chromium() -> None:
    """Skip the calling test module where Chromium is missing; CI must have it."""
    if not CHROMIUM.exists():
        if os.environ.get("CI"):
            raise RuntimeError(
                "CI must install Debian's chromium for the browser tests"
            )
        pytest.skip(
            "needs Debian's chromium at /usr/bin/chromium", allow_module_level=True
        )


# The curator's fetches: routes map a path to a response (status, headers, body,
# an optional delay per byte for a slow server, and a conditional-request rule: 304
# when the client sends the ETag or Last-Modified it was given). Every request's
# headers are recorded so tests can check the User-Agent and conditional headers.

#: Saved pages and text captures in the shapes news sites use.
CURATE_FIXTURES = Path(__file__).parent / "fixtures" / "curate"


@dataclass
class Route:
    """One scripted response."""

    body: bytes = b""
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    content_type: str = "text/html; charset=utf-8"
    drip: float = 0.0  # seconds between one-byte writes: a slow server
    etag: str | None = None
    last_modified: str | None = None
    send_length: bool = True


@dataclass
class RouteServer:
    """A running route server: its base URL, routes and the requests it got."""

    base: str
    routes: dict[str, Route]
    requests: list[tuple[str, dict[str, str]]]

    def url(self, path: str) -> str:
        return self.base + path

    def add(self, path: str, **kwargs) -> str:
        self.routes[path] = Route(**kwargs)
        return self.url(path)

    def page(self, path: str, fixture: str, **kwargs) -> str:
        return self.add(path, body=(CURATE_FIXTURES / fixture).read_bytes(), **kwargs)

    def headers_for(self, path: str) -> list[dict[str, str]]:
        return [h for p, h in self.requests if p == path]


def route_handler(server: RouteServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args) -> None:  # keep test output clean
            pass

        def do_GET(self) -> None:
            path = self.path
            headers = {k.lower(): v for k, v in self.headers.items()}
            server.requests.append((path.split("?")[0], headers))
            route = server.routes.get(path.split("?")[0])
            if route is None:
                self.send_response(404, "Not Found")
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            if (route.etag and headers.get("if-none-match") == route.etag) or (
                route.last_modified
                and headers.get("if-modified-since") == route.last_modified
            ):
                self.send_response(304)
                self.end_headers()
                return
            self.send_response(route.status)
            self.send_header("Content-Type", route.content_type)
            if route.etag:
                self.send_header("ETag", route.etag)
            if route.last_modified:
                self.send_header("Last-Modified", route.last_modified)
            for key, value in route.headers.items():
                self.send_header(key, value)
            if route.send_length:
                self.send_header("Content-Length", str(len(route.body)))
            else:
                self.send_header("Connection", "close")
            self.end_headers()
            try:
                if route.drip:
                    for byte in route.body:
                        self.wfile.write(bytes([byte]))
                        self.wfile.flush()
                        time.sleep(route.drip)
                else:
                    self.wfile.write(route.body)
            except (BrokenPipeError, ConnectionResetError):
                pass

    return Handler


@contextlib.contextmanager
def serve_routes(
    host: str = "127.0.0.1", port: int = 0, tls: ssl.SSLContext | None = None
) -> Iterator[RouteServer]:
    """A fresh route server on ``host`` (any of 127.0.0.0/8 on Linux), on a free
    port unless one is given; over HTTPS with the ``tls`` server context."""
    state = RouteServer("", {}, [])
    httpd = ThreadingHTTPServer((host, port), route_handler(state))
    httpd.daemon_threads = True
    if tls is not None:
        httpd.socket = tls.wrap_socket(httpd.socket, server_side=True)
    scheme = "https" if tls else "http"
    state.base = f"{scheme}://{host}:{httpd.server_address[1]}"
    thread = threading.Thread(
        target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    )
    thread.start()
    try:
        yield state
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join()


# --- Items and pages as the plugins see them ------------------------------------------


#: The production address of every test digest (publishconf.py's SITEURL, with /).
BASE = "https://digest.example.org/"


def day(n: int, hour: int = 12) -> dt.datetime:
    """The nth of January 2022 (the sample digest's month) at ``hour`` UTC."""
    return dt.datetime(2022, 1, n, hour, tzinfo=dt.UTC)


def fake_item(**overrides):
    """An item as the discovery plugins see it (all of structured data's fields)."""
    fields = {
        "title": "Talks resume",
        "url": "2022/01/talks-resume/",
        "summary": "Both sides met.",
        "source": "Example Wire",
        "source_url": "https://example.com/story",
        "source_date": day(4),
        "source_authors": ["Ana Ruiz", "Ben Ode"],
        "date": day(5),
        "updated": None,
        "corrections": [],
        "label": "analysis",
        "lang": "en",
        "item_id": "tag:digest.example.org,2026:item:abc",
        "category": SimpleNamespace(name="World", slug="world", url="topics/world/"),
        "tags": [SimpleNamespace(name="NATO", slug="nato", url="tags/nato/")],
        "image": None,
    }
    fields.update(overrides)
    thing = SimpleNamespace(**fields)
    thing.get_content = lambda siteurl: "<p>Body.</p>"
    return thing


class ScriptTexts(HTMLParser):
    """The text of every <script> of a page, in order."""

    def __init__(self) -> None:
        super().__init__()
        self.scripts: list[str] = []
        self._in = False

    def handle_starttag(self, tag, attrs):
        self._in = tag == "script"
        if self._in:
            self.scripts.append("")

    def handle_endtag(self, tag):
        self._in = False

    def handle_data(self, data):
        if self._in:
            self.scripts[-1] += data


_WORLD = {"world": Topic("world", "World", "", 1)}


def checked(labels=None, **fields):
    """An item made by ``item(**fields)``, validated as the reader validates it
    (topic "world", Lisbon time, optionally another labels table)."""
    doc = split(item(**fields), "content/items/x.md")
    return validate_item(
        doc,
        _WORLD,
        timezone="Europe/Lisbon",
        authority="digest.example.org,2026",
        **({"labels": labels} if labels else {}),
    )


def write_note(folder: Path, name: str, text: str) -> Path:
    """Write an editor's note ``name`` into ``folder``; its path."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(text)
    return path


# --- Built trees: small sites for the site checks and the deploy tests -------------

_SITE_PAGE = (
    "<!doctype html><title>Digest</title>" + "<p>Today's news, in short.</p>" * 20
)


SITE = {
    "index.html": _SITE_PAGE,
    "archives.html": _SITE_PAGE.replace("Digest", "Archives"),
    "feeds/all.atom.xml": "<?xml version='1.0'?><feed>" + "<entry/>" * 60 + "</feed>",
    "feeds/all.rss.xml": "<?xml version='1.0'?><rss>" + "<item/>" * 60 + "</rss>",
    "theme/css/style.3f2a9c1b.css": "body { margin: 0 auto; max-width: 40em; }\n" * 10,
    "theme/js/menu.js": "document.querySelector('nav').hidden = false;\n" * 10,
    "images/logo.png": b"\x89PNG\r\n\x1a\n" + bytes(range(256)),
    "robots.txt": "User-agent: *\n",
}


def write_tree(root: Path, files: dict[str, str | bytes]) -> Path:
    """Write ``files`` (path -> text, as UTF-8, or bytes) under ``root``; ``root``."""
    for name, content in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content.encode() if isinstance(content, str) else content)
    return root


def only_problem(report: Report) -> Problem:
    """The one problem a site check found (failing with the report otherwise)."""
    assert len(report.problems) == 1, report.format_text()
    return report.problems[0]


def make_site(root: Path, files: dict[str, str | bytes] | None = None) -> Path:
    """Write ``files`` (default: ``SITE``) under ``root``, record it as a checked
    build (its manifest, as `invoke publish` writes it) and return ``root``."""
    return republish(write_tree(root, SITE if files is None else files))


def republish(root: Path, **manifest) -> Path:
    """Record ``root`` as it is now as a checked build, as a new publish would."""
    fields = {"checks": ALL_CHECKS, "settings_file": None, "siteurl": "", **manifest}
    write_manifest(root, **fields)
    return root


def read_tree(root: Path) -> dict[str, bytes]:
    """Relative path → content of every file under ``root``."""
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


# --- Hostile content: scanning built files and reading reports -----------------------

TRACEBACK = "Traceback (most recent call last)"

DANGEROUS_SCHEMES = {"javascript", "data", "vbscript", "livescript", "mocha"}


URL_ATTRIBUTES = {
    "href",
    "src",
    "action",
    "formaction",
    "xlink:href",
    "data",
    "poster",
    "background",
    "cite",
    "srcset",
    "ping",
    "lowsrc",
    "dynsrc",
    "codebase",
    "manifest",
}


ACTIVE_ELEMENTS = {
    "iframe",
    "frame",
    "frameset",
    "object",
    "embed",
    "applet",
    "form",
    "style",
    "base",
    "svg",
    "math",
    "textarea",
    "button",
    "input",
    "noscript",
    "template",
}


def localname(tag: str) -> str:
    """An element's or attribute's name without its namespace, lower-cased."""
    return tag.rpartition("}")[2].lower()


def url_scheme(value: str) -> str | None:
    """The scheme a browser sees: after entities, whitespace and controls."""
    decoded = html.unescape(html.unescape(value))
    decoded = re.sub(r"[\x00-\x20\x7f]+", "", decoded)
    match = re.match(r"([a-zA-Z][a-zA-Z0-9+.\-]*):", decoded)
    return match.group(1).lower() if match else None


#: The only scripts the site may run: the search page's own, from the site.
SEARCH_SCRIPTS = ("pagefind/pagefind-ui.js", "theme/js/search.js")


def _is_search_script(element: ET.Element, where: str) -> bool:
    src = element.get("src") or ""
    return (
        where == "search/index.html"
        and not (element.text or "").strip()
        and src.startswith("../")
        and src.removeprefix("../") in SEARCH_SCRIPTS
    )


def _search_form_parts(tree: ET.Element) -> set[int]:
    """The header's search form (a GET to the site's own search page) and its
    field and button: the theme's, not content's (nh3 removes forms)."""
    allowed: set[int] = set()
    for form in tree.iter():
        if (
            isinstance(form.tag, str)
            and localname(form.tag) == "form"
            and form.get("class") == "site-search"
            and form.get("method") == "get"
            and (form.get("action") or "").endswith("search/")
        ):
            allowed.update(id(part) for part in form.iter())
    return allowed


def html_dangers(tree: ET.Element, where: str) -> list[str]:
    """Executable things in an html5lib etree: scripts, handlers, bad URLs..."""
    found = []
    search_form = _search_form_parts(tree)
    for element in tree.iter():
        if not isinstance(element.tag, str):
            continue  # comment
        name = localname(element.tag)
        if name == "script":
            kind = (element.get("type") or "").strip().lower()
            if kind == "application/ld+json":
                try:
                    json.loads(element.text or "")
                except ValueError:
                    found.append(f"{where}: ld+json script is not JSON")
            elif not _is_search_script(element, where):
                found.append(f"{where}: <script> {element.attrib} {element.text!r}")
        if (
            name in ACTIVE_ELEMENTS
            and id(element) not in search_form
            and not _email_media_style(element, where)
        ):
            found.append(f"{where}: <{name}> element")
        if name == "meta" and (element.get("http-equiv") or "").lower() == "refresh":
            found.append(f"{where}: <meta http-equiv=refresh>")
        for attribute, value in element.attrib.items():
            attr = localname(attribute)
            if attr.startswith("on"):
                found.append(f"{where}: <{name} {attr}={value!r}>")
            if attr == "style" and re.search(
                r"javascript|expression\(|url\(", value, re.IGNORECASE
            ):
                found.append(f"{where}: <{name} style={value!r}>")
            if attr in URL_ATTRIBUTES or attribute.endswith("}href"):
                values = value.split(",") if attr == "srcset" else [value]
                for url in values:
                    if url_scheme(url.strip()) in DANGEROUS_SCHEMES:
                        found.append(f"{where}: <{name} {attr}={value!r}>")
    return found


def _email_media_style(element: ET.Element, where: str) -> bool:
    """The edition email keeps one theme <style> of @media rules (dark mode,
    narrow screens) that mail clients cannot get inline; nothing in it loads or
    runs anything."""
    text = element.text or ""
    return (
        where.endswith("/email.html")
        and localname(element.tag) == "style"
        and text.lstrip().startswith("@media")
        and not re.search(r"url\(|@import|expression|javascript|behavior", text, re.I)
    )


def parse_html(text: str) -> ET.Element:
    return html5lib.parse(text, treebuilder="etree", namespaceHTMLElements=False)


@dataclass
class ReportedProblem:
    path: str
    line: int | None
    field: str | None
    message: str
    fix: str


_SECTION = re.compile(r"(content/\S+) (?=(?:line \d+|file)(?: \[\S+\])?: )")

_ENTRY = re.compile(r" ?(?=(?:line \d+|file)(?: \[\S+\])?: )")


_HEAD = re.compile(r"^(?:line (\d+)|file)(?: \[(\S+)\])?: (.*)$")


def parse_report(output: str) -> list[ReportedProblem]:
    """The problems of a content report, whatever the console wrapped."""
    text = " ".join(output.split())
    parts = _SECTION.split(text)
    problems = []
    for path, body in zip(parts[1::2], parts[2::2], strict=True):
        for chunk in _ENTRY.split(body):
            head = _HEAD.match(chunk.strip())
            if not head:
                continue
            message, _, fix = head.group(3).partition(" fix: ")
            problems.append(
                ReportedProblem(
                    path,
                    int(head.group(1)) if head.group(1) else None,
                    head.group(2),
                    message,
                    fix,
                )
            )
    return problems


SAFE_SVG = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 4 4"><rect/></svg>'

SVG = '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink">{}</svg>'


HOSTILE_SVGS: dict[str, str | bytes] = {
    "script": SVG.format("<script>alert(1)</script>"),
    "cdata-script": SVG.format("<script><![CDATA[alert(1)]]></script>"),
    "onload": '<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>',
    "onclick-upper": SVG.format('<rect ONCLICK="alert(1)"/>'),
    "javascript-href": SVG.format('<a href="javascript:alert(1)"><text>x</text></a>'),
    "xlink-href": SVG.format('<a xlink:href="javascript:alert(1)"><text>x</text></a>'),
    "foreign-object": SVG.format(
        '<foreignObject><body xmlns="http://www.w3.org/1999/xhtml">'
        "<iframe src='https://evil.example'/></body></foreignObject>"
    ),
    "external-image": SVG.format('<image href="https://evil.example/track.png"/>'),
    "external-use": SVG.format('<use href="https://evil.example/x.svg#a"/>'),
    "data-image": SVG.format('<image href="data:image/svg+xml;base64,PHN2Zz4="/>'),
    "entity": '<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY x "y">]>'
    '<svg xmlns="http://www.w3.org/2000/svg">&x;</svg>',
    "stylesheet-pi": '<?xml-stylesheet href="https://evil.example/x.xsl"?>' + SAFE_SVG,
    "animate-href": SVG.format(
        '<a><animate attributeName="href" to="javascript:alert(1)"/><text>x</text></a>'
    ),
    "set-href": SVG.format('<set attributeName="href" to="javascript:alert(1)"/>'),
    "style-import": SVG.format(
        "<style>@import url(https://evil.example/x.css);</style>"
    ),
    "style-attr-url": SVG.format('<rect style="fill:url(https://evil.example/x)"/>'),
    "xhtml-script": SVG.format(
        '<h:script xmlns:h="http://www.w3.org/1999/xhtml">alert(1)</h:script>'
    ),
    "not-xml": "<html><script>alert(1)</script>",
    "css-escape": SVG.format(
        "<style>rect{fill:u\\72l(https://evil.example/x)}</style>"
    ),
    "css-image-set": SVG.format(
        '<style>rect{fill:image-set("https://evil.example/x" 1x)}</style>'
    ),
    "font-face": SVG.format(
        "<style>@font-face{src:url(https://evil.example/f)}</style>"
    ),
    "utf16-script": (
        '<?xml version="1.0" encoding="UTF-16"?>'
        + SVG.format("<script>alert(1)</script>")
    ).encode("utf-16"),
}


LINK_PAYLOADS = {
    # File disclosure through Pelican's link prefixes.
    "attach-environ": ("[n]({attach}../../../../proc/self/environ)", "attach"),
    "static-dotdot": ("[n]({static}../../../../etc/hostname)", "out of content"),
    "static-slash-dotdot": ("[n]({static}/../pelicanconf.py)", "out of content"),
    "static-absolute": ("[n]({static}//etc/passwd)", ""),
    "static-settings": ("[n]({static}../../publishconf.py)", "out of content"),
    "static-content-root": ("[n]({static}/topics.yml)", "static folder"),
    "static-item-source": ("[n]({static}bad.md)", "static folder"),
    "static-percent": ("[n]({static}%2e%2e/%2e%2e/pelicanconf.py)", "plain path"),
    "static-backslash": ("[n]({static}..\\..\\pelicanconf.py)", "plain path"),
    "static-pipes": ("[n](|static|../../pelicanconf.py)", "out of content"),
    "static-mixed": ("[n]({static|../../pelicanconf.py)", "out of content"),
    "static-missing": ("![m]({static}/images/missing.png)", "does not exist"),
    "filename-settings": ("[n]({filename}../../pelicanconf.py)", "out of content"),
    "filename-image": ("[n]({filename}/topics.yml)", "items or pages"),
    "index": ("[n]({index})", "{index}"),
    "tag": ("[n]({tag}x)", "{tag}"),
    "category": ("[n]({category}x)", "{category}"),
    "author": ("[n]({author}x)", "{author}"),
    "raw-html-href": ('<a href="{attach}../../../x">n</a>', "attach"),
    "raw-html-img": ("<img alt=x src='|attach|../../x'>", "attach"),
    "title-attribute": ("[t](https://e.com/ \"src='{static}../../x'\")", ""),
    "entity-prefix": ("[n](&#123;static}../../pelicanconf.py)", "out of content"),
    # javascript: smuggled through the rewriting.
    "empty-prefix-js": ("[x]({}javascript:alert(1))", "{}"),
    "pipe-window-js": ("[y](|window|javascript:alert(1))", "{window}"),
    "static-js": ("[z]({static}javascript:alert(1))", "plain path"),
    "filename-js": ("[z]({filename}javascript:alert(1))", "plain path"),
    "img-js": ("![i]({}javascript:alert(1))", "{}"),
    "data-img": ("![i]({static}data:image/svg+xml,<svg onload=alert(1)>)", ""),
    # Body images with a bare path (resolved against the page, not content/).
    "bare-image": ("![harbour](images/harbour.svg)", "bare path"),
    "root-image": ("![harbour](/images/harbour.svg)", "bare path"),
}


# --- Curator commands (newsdigest new, add, ingest) ---------------------------


def run(project, *args: str):
    """``newsdigest ARGS --project`` in-process (click's runner), never a traceback."""
    from click.testing import CliRunner

    from newsdigest.cli import cli

    result = CliRunner().invoke(cli, [*args, "--project", str(project.root)])
    assert "Traceback" not in result.output, result.output
    return result


def front(path: Path) -> dict:
    import yaml

    text = path.read_text(encoding="utf-8")
    return yaml.safe_load(text.split("---\n")[1])


def body(path: Path) -> str:
    return path.read_text(encoding="utf-8").split("---\n", 2)[2]


def published_problems(project, path: Path) -> list[str]:
    """The schema's verdict on a draft once its status is set to published."""
    from newsdigest.model.frontmatter import split
    from newsdigest.model.schema import validate_item
    from newsdigest.model.topics import load_topics

    text = path.read_text(encoding="utf-8")
    assert "\nstatus: draft\n" in text
    doc = split(text.replace("\nstatus: draft\n", "\nstatus: published\n"), path.name)
    topics, problems = load_topics(project.content / "topics.yml", "topics.yml")
    assert not problems
    checked = validate_item(
        doc, topics, timezone="UTC", authority="digest.example.org,2026"
    )
    return [str(p) for p in checked.problems]


def drafts(project) -> list[Path]:
    return sorted(project.content.glob("items/20??-??-??-*.md"))


def written(project, result) -> Path:
    assert result.exit_code == 0, result.output
    path = project.root / result.stdout.strip().splitlines()[-1]
    assert path.is_file()
    return path
