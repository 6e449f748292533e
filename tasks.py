"""Conveniences for curators and site owners: `invoke --list` shows them all.

Every task runs the same Pelican build as `pelican content -s <settings>`; the
validation, staging, checks and atomic swap live in the plugins, not here.
"""

from __future__ import annotations

import shlex
import shutil
import sys
from pathlib import Path

from invoke import Exit, task

ROOT = Path(__file__).parent
DEV = "pelicanconf.py"
PROD = "publishconf.py"
HOST, PORT = "127.0.0.1", 8000


def _settings(settings_file: str) -> dict:
    from pelican.settings import read_settings

    return read_settings(str(ROOT / settings_file))


def _pelican(c, settings_file: str, *args: str, env: dict | None = None) -> None:
    command = [sys.executable, "-m", "pelican", "content", "-s", settings_file, *args]
    c.run(" ".join(command), env=env or {}, pty=False)


@task(help={"settings": "Settings file (default: pelicanconf.py)."})
def build(c, settings=DEV):
    """Build the digest into output/ (staged, checked, then swapped in)."""
    _pelican(c, settings)


@task
def clean(c):
    """Remove the built site and the kept earlier builds."""
    output = ROOT / _settings(DEV)["OUTPUT_PATH"]
    builds = output.parent / f".{output.name}.builds"
    if output.is_symlink() or output.is_file():
        output.unlink()
    elif output.is_dir():
        shutil.rmtree(output)
    shutil.rmtree(builds, ignore_errors=True)


@task(pre=[clean], post=[build])
def rebuild(c):
    """Clean, then build from scratch."""


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
    """Serve on http://127.0.0.1:8000 and rebuild + reload the browser on changes.

    A rebuild that fails is reported and the last good site stays served.
    """
    from invoke.exceptions import UnexpectedExit
    from livereload import Server

    settings = _settings(DEV)  # PATH, THEME and OUTPUT_PATH are absolute
    # The watcher counts files changed from now on: edits during the first
    # build trigger a rebuild too.
    server = Server()

    def rebuild_site() -> None:
        try:
            with c.cd(str(ROOT)):
                _pelican(c, DEV)
        except UnexpectedExit as failed:
            print(
                f"newsdigest: the rebuild failed (exit code {failed.result.exited}, "
                "see above); still serving the last good site.",
                file=sys.stderr,
                flush=True,
            )

    with c.cd(str(ROOT)):
        build(c)
    for pattern in (
        str(Path(settings["PATH"]) / "**" / "*"),
        str(Path(settings["THEME"]) / "**" / "*"),
        str(ROOT / DEV),
        str(ROOT / "src" / "newsdigest" / "**" / "*.py"),
    ):
        server.watch(pattern, rebuild_site)
    # The output symlink is resolved on every request (tornado follows it), so
    # the site swapped in by each rebuild is what gets served.
    server.serve(host=HOST, port=int(port), root=settings["OUTPUT_PATH"])


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
    from newsdigest.deploy import deploy as run_deploy
    from newsdigest.publish import published_record

    settings = _settings(PROD)
    output = ROOT / settings["OUTPUT_PATH"]
    record = published_record(output) if output.is_symlink() else None
    if not record or record["siteurl"] != settings["SITEURL"] or not record["checks"]:
        raise Exit(
            f"{output} is not a checked production build of {settings['SITEURL']}: "
            "run `invoke publish` first, then deploy.",
            code=1,
        )
    result = run_deploy(output.resolve(), settings, target, dry_run=dry_run)
    print(result.summary())


@task(help={"fmt": "text or json"})
def check(c, fmt="text"):
    """Validate content and the production build without publishing anything."""
    c.run(f"{sys.executable} -m newsdigest check --format {fmt}")


@task(
    help={
        "items": "Size of the synthetic digest (default 1000).",
        "repeat": "Repetitions, interleaved across generators (default 1).",
        "generators": "Comma-separated subset of newsdigest,pelican,hugo.",
    }
)
def bench(c, items=1000, repeat=1, generators="newsdigest,pelican,hugo"):
    """Time cold, warm and incremental builds against vanilla Pelican and Hugo.

    Writes benchmarks/results/bench-N.json and the Benchmark section of
    docs/performance.md (see benchmarks/bench.py).
    """
    with c.cd(str(ROOT)):
        c.run(
            f"{sys.executable} -m benchmarks.bench --items {int(items)} "
            f"--repeat {int(repeat)} --generators {shlex.quote(generators)}",
            pty=False,
        )


@task(help={"args": "Extra pytest arguments, e.g. '-k feeds'."})
def test(c, args=""):
    """Run the test suite."""
    c.run(f"{sys.executable} -m pytest {args}")
