"""Conveniences for curators and site owners: `invoke --list` shows them all.

Every task runs the same Pelican build as `pelican content -s <settings>`; the
validation, staging, checks and atomic swap live in the plugins, not here.
"""

from __future__ import annotations

import shlex
import sys
from pathlib import Path

from invoke import Exit, task

ROOT = Path(__file__).parent
DEV = "pelicanconf.py"
PROD = "publishconf.py"
PRIVATE_NETWORK_HELP = "Also fetch from loopback and intranet addresses."
HOST, PORT = "127.0.0.1", 8000


def _settings(settings_file: str) -> dict:
    from pelican.settings import read_settings

    return read_settings(str(ROOT / settings_file))


def _pelican(c, settings_file: str, *args: str, env: dict | None = None) -> None:
    command = [sys.executable, "-m", "pelican", "content", "-s", settings_file, *args]
    # Quoted: the Python path or a settings file may contain spaces.
    c.run(shlex.join(command), env=env or {}, pty=False)


@task(help={"settings": "Settings file (default: pelicanconf.py)."})
def build(c, settings=DEV):
    """Build the digest for preview into output-dev/ (staged, checked, swapped in)."""
    _pelican(c, settings)


@task(
    help={
        "production": "Also remove the production build in output/ (the one "
        "`invoke deploy` sends)."
    }
)
def clean(c, production=False):
    """Remove the development build, its kept earlier builds and the cache of
    read items (only what newsdigest made)."""
    from newsdigest.engine.readcache import remove_cache
    from newsdigest.problems import DigestError
    from newsdigest.publishing.staging import clean_output

    builds = [DEV, PROD] if production else [DEV]
    settings = _settings(DEV)
    remove_cache(ROOT / settings["CACHE_PATH"])  # relative: to the project
    outputs = {Path(_settings(name)["OUTPUT_PATH"]) for name in builds}
    try:
        for output in sorted(outputs):
            for kept in clean_output(output, Path(settings["PATH"]), ROOT):
                print(f"Kept {kept}: newsdigest did not create it.")
    except DigestError as error:
        raise Exit(str(error), code=1) from None


@task(pre=[clean], post=[build])
def rebuild(c):
    """Clean the development build, then build it from scratch."""


def _serve_output(output: Path, host: str, port: int) -> None:
    """Serve the built site as a static host would, until Ctrl-C.

    Files are looked up under the ``output`` symlink on every request, so each
    build swapped in is served at once. A missing page answers 404 with the
    site's own 404.html; folders without an index.html are not listed.
    """
    import functools
    from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

    class Handler(SimpleHTTPRequestHandler):
        def list_directory(self, path):
            self.send_error(404)

        def send_error(self, code, message=None, explain=None):
            page = output / "404.html"
            if code != 404 or not page.is_file():
                super().send_error(code, message, explain)
                return
            body = page.read_bytes()
            self.log_error("code %d, message %s", code, message or "Not Found")
            self.send_response(code, message)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Connection", "close")
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)

    handler = functools.partial(Handler, directory=str(output))
    try:
        httpd = ThreadingHTTPServer((host, int(port)), handler)
    except OSError as error:
        raise Exit(f"Could not serve on {host}:{port}: {error}", code=1) from None
    print(f"Serving {output} on http://{host}:{port}/ (Ctrl-C stops)", flush=True)
    with httpd:
        try:
            httpd.serve_forever()
        except KeyboardInterrupt:
            print("Stopped.", flush=True)


@task(help={"port": f"Port to serve on (default {PORT})."})
def serve(c, port=PORT):
    """Build, then serve the digest on http://127.0.0.1:8000 (Ctrl-C stops)."""
    with c.cd(str(ROOT)):
        build(c)
    _serve_output(Path(_settings(DEV)["OUTPUT_PATH"]), HOST, int(port))


@task(help={"port": f"Port to serve on (default {PORT})."})
def livereload(c, port=PORT):
    """Serve on http://127.0.0.1:8000, rebuild in memory and reload the browser
    on changes.

    A rebuild that fails is reported and the last good site stays served; a
    change to the settings file or to newsdigest's code restarts the server.
    """
    from newsdigest.engine.devserver import serve_and_rebuild

    serve_and_rebuild(ROOT, DEV, HOST, int(port))


@task(help={"force": "Publish even if the site lost many pages (page-loss guard)."})
def publish(c, force=False):
    """Production build with publishconf.py: checks, page-loss guard, atomic swap."""
    _pelican(c, PROD, env={"NEWSDIGEST_FORCE": "1"} if force else None)


@task(
    positional=["target"],
    help={
        "target": "A target name from DIGEST_DEPLOY['targets'] in publishconf.py.",
        "dry_run": "Show what would change; change nothing.",
    },
)
def deploy(c, target, dry_run=False):
    """Deploy the published site (run `invoke publish` first) to TARGET."""
    from newsdigest.cli import deploy_published
    from newsdigest.problems import DigestError

    try:
        result = deploy_published(ROOT, PROD, target, dry_run=dry_run)
    except DigestError as error:
        raise Exit(f"newsdigest deploy: {error}", code=1) from None
    print(result.summary())


@task(help={"fmt": "text or json"})
def check(c, fmt="text"):
    """Validate content and the production build without publishing anything."""
    c.run(shlex.join([sys.executable, "-m", "newsdigest", "check", "--format", fmt]))


@task(
    positional=["title"],
    help={
        "title": "The headline.",
        "topic": "A topic of content/topics.yml, by slug or name.",
        "source": "The outlet's name.",
        "url": "The original's address.",
        "tags": "Comma-separated tags.",
    },
)
def new(c, title, topic, source=None, url=None, tags=None):
    """Write a draft item (newsdigest new) and print its path."""
    args = ["new", title, "--topic", topic, "--project", str(ROOT)]
    for flag, value in (("--source", source), ("--url", url), ("--tags", tags)):
        if value:
            args += [flag, value]
    _newsdigest(c, *args)


@task(
    positional=["target"],
    help={
        "target": "A URL, a saved .html page or a .txt text capture.",
        "topic": "A topic, by slug or name (default: suggested from the page).",
        "url": "Where a saved file was published.",
        "source": "The outlet's name (default: from the page).",
        "tags": "Comma-separated tags to add.",
        "allow_private_network": PRIVATE_NETWORK_HELP,
    },
)
def add(
    c,
    target,
    topic=None,
    url=None,
    source=None,
    tags=None,
    allow_private_network=False,
):
    """Import an article as a draft (newsdigest add) and print its path."""
    args = ["add", target, "--project", str(ROOT)]
    options = {"--topic": topic, "--url": url, "--source": source, "--tags": tags}
    for flag, value in options.items():
        if value:
            args += [flag, value]
    _newsdigest(c, *args, *_private_network(allow_private_network))


@task(
    help={
        "dry_run": "Report what would be written; write nothing.",
        "allow_private_network": PRIVATE_NETWORK_HELP,
    }
)
def ingest(c, dry_run=False, allow_private_network=False):
    """Drafts from the source feeds in content/sources.yml (newsdigest ingest)."""
    args = ["ingest", "--project", str(ROOT), *(["--dry-run"] if dry_run else [])]
    _newsdigest(c, *args, *_private_network(allow_private_network))


def _private_network(allowed: bool) -> list[str]:
    return ["--allow-private-network"] if allowed else []


def _newsdigest(c, *args: str) -> None:
    c.run(shlex.join([sys.executable, "-m", "newsdigest", *args]), pty=False)


# This repository's own development tasks (tests, benchmarks, the lock): only
# where its checkout is, never in a site made by `newsdigest init`.
if (ROOT / "devtasks.py").is_file() and (ROOT / "tests").is_dir():
    sys.path.insert(0, str(ROOT))
    from devtasks import bench, drift, lock, test  # noqa: F401
