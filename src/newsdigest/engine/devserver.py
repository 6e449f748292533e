"""The development server behind ``invoke livereload``: one Pelican kept in memory.

Why not a ``pelican`` subprocess per change, as before: each one paid for the
imports, reading the settings, registering the plugins and unpickling every
read item from the disk cache again before the first page was rendered. Here a
builder process keeps one ``Pelican`` object for its life and each change runs
its ``run()`` again, as Pelican's own ``--autoreload`` does; the read cache keeps
the items of the last run in memory (``newsdigest.engine.readcache``), so a rebuild
reads again only the files an edit changed. Every run is still the whole build
``pelican content -s pelicanconf.py`` makes: the same plugins, validation,
staging, checks and atomic swap.

Two processes, as Django's and Werkzeug's reloaders have: this one serves the
site (tornado, with livereload.js injected) and watches the files (watchfiles,
inotify: no polling); the builder is a child that only builds, single-threaded
like the command line (forking workers and the Markdown time limit's alarm
signal need that), and takes a ``build`` line on its stdin per change. A change
to the settings file or to newsdigest's Python code replaces the builder (they
are read once per process) while the last good site stays served and the
browsers stay connected. A rebuild that fails prints its problem, as the
command line does, and nothing is swapped. Ctrl-C stops both cleanly.
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import queue
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

import newsdigest

# Pelican's command-line logger: Pelican's main reports a failed build on it,
# and newsdigest's publish plugin turns those records into one-line messages.
PELICAN_LOGGER = "pelican"
# Seconds a builder gets to finish and clean up when it is replaced or stopped.
STOP_TIMEOUT = 15


@dataclass(frozen=True)
class WatchedPaths:
    """What the server watches, and which of it needs a new process."""

    content: Path
    theme: Path
    settings_file: Path
    code: Path = field(
        default_factory=lambda: Path(newsdigest.__file__).resolve().parent
    )

    def roots(self) -> list[Path]:
        return [self.content, self.theme, self.settings_file, self.code]

    def needs_restart(self, path: Path) -> bool:
        """Settings and Python code are imported once: a new process reads them."""
        if path == self.settings_file:
            return True
        in_code = path.is_relative_to(self.code)
        in_theme = path.is_relative_to(self.theme)
        return in_code and not in_theme and path.suffix == ".py"

    def builds_from(self, path: Path) -> bool:
        """Content and theme files change the site; anything else is noise."""
        return path.is_relative_to(self.content) or path.is_relative_to(self.theme)


def plan(changed: Iterable[str | Path], watched: WatchedPaths) -> str:
    """``restart``, ``rebuild`` or ``ignore`` for a batch of changed paths."""
    paths = [Path(os.path.abspath(p)) for p in changed]
    if any(watched.needs_restart(p) for p in paths):
        return "restart"
    if any(watched.builds_from(p) for p in paths):
        return "rebuild"
    return "ignore"


def shown(path: Path, project: Path) -> str:
    """A changed file as the log names it: relative to the project if inside."""
    try:
        return str(path.relative_to(project))
    except ValueError:
        return str(path)


class SiteBuilder:
    """One Pelican object for the builder process: settings read and plugins
    registered once, ``run()`` once per change."""

    def __init__(self, project: Path, settings_file: str) -> None:
        from pelican import LOG_HANDLERS, get_instance, parse_arguments
        from pelican.log import init as init_logging

        from newsdigest.engine.readcache import keep_in_memory

        self.project = project
        self.settings_file = settings_file
        self.command = ["pelican", "content", "-s", settings_file]
        # The publish plugin records the settings file of a build from the
        # command line, as it does for `pelican content -s pelicanconf.py`.
        sys.argv = list(self.command)
        # Read items stay in memory between runs: a rebuild reads only the
        # files an edit changed (keyed as the disk cache is).
        keep_in_memory()
        self.args = parse_arguments(self.command[1:])
        init_logging(
            level=self.args.verbosity,
            fatal=self.args.fatal,
            name=PELICAN_LOGGER,
            handler=LOG_HANDLERS[self.args.log_handler],
            logs_dedup_min_level=getattr(logging, self.args.logs_dedup_min_level),
        )
        self.pelican, self.settings = get_instance(self.args)

    def build(self) -> bool:
        """One whole build; False (its problem printed) if it failed."""
        from pelican.log import LimitFilter

        # Pelican drops a warning it has logged before in this process; each
        # build must report its own warnings as a fresh `pelican` run would.
        LimitFilter._raised_messages.clear()
        LimitFilter._group_count.clear()
        try:
            self.pelican.run()
        except Exception as error:
            # What Pelican's main does with a failed build: the publish plugin
            # turns this record into the report and one line, no traceback.
            logging.getLogger(PELICAN_LOGGER).critical(
                "%s: %s", type(error).__name__, error, exc_info=True
            )
            return False
        return True


def settings_problem(settings_file: Path) -> str | None:
    """Why the settings file cannot be read, in one line (None if it can): a
    restart with a broken settings file would leave nothing served."""
    from pelican.settings import read_settings

    try:
        read_settings(str(settings_file))
    except Exception as error:  # anything the file itself may raise
        return f"{settings_file.name} cannot be read: {type(error).__name__}: {error}"
    return None


def builder_main(argv: list[str] | None = None) -> int:
    """The builder process: build once, then once per ``build`` line on stdin,
    answering ``ok`` or ``failed`` on the reply file descriptor."""
    parser = argparse.ArgumentParser(prog="python -m newsdigest.engine.devserver")
    parser.add_argument("--settings", required=True)
    parser.add_argument("--reply-fd", type=int, required=True)
    args = parser.parse_args(argv)
    reply = os.fdopen(args.reply_fd, "w", buffering=1, encoding="utf-8")
    try:
        try:
            builder = SiteBuilder(Path.cwd(), args.settings)
        except Exception as error:  # settings or plugins that do not load
            print(
                f"newsdigest: cannot start a build with {args.settings}: "
                f"{type(error).__name__}: {error}",
                file=sys.stderr,
                flush=True,
            )
            return 2
        reply.write("ok\n" if builder.build() else "failed\n")
        for line in sys.stdin:
            if line.strip() == "build":
                reply.write("ok\n" if builder.build() else "failed\n")
    except KeyboardInterrupt:  # Ctrl-C reaches the whole process group
        return 130
    except BrokenPipeError:  # the server is gone
        return 1
    return 0


class BuilderProcess:
    """The parent's handle on a builder child."""

    def __init__(self, project: Path, settings_file: str) -> None:
        self.project = project
        self.settings_file = settings_file
        self.process: subprocess.Popen[str] | None = None
        self._replies: TextIO | None = None

    def start(self) -> bool | None:
        """Start a builder; the outcome of its first build (None: it did not
        start, its problem printed)."""
        read, write = os.pipe()
        try:
            self.process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "newsdigest.engine.devserver",
                    "--settings",
                    self.settings_file,
                    "--reply-fd",
                    str(write),
                ],
                cwd=self.project,
                stdin=subprocess.PIPE,
                text=True,
                pass_fds=(write,),
            )
        finally:
            os.close(write)
        self._replies = os.fdopen(read, encoding="utf-8")
        return self._reply()

    def build(self) -> bool | None:
        """One rebuild in the builder; None if the builder is gone."""
        if self.process is None or self.process.poll() is not None:
            return None
        assert self.process.stdin is not None
        try:
            self.process.stdin.write("build\n")
            self.process.stdin.flush()
        except BrokenPipeError:
            return None
        return self._reply()

    def _reply(self) -> bool | None:
        assert self._replies is not None
        line = self._replies.readline().strip()
        return {"ok": True, "failed": False}.get(line)

    def stop(self) -> None:
        """Close its stdin (it ends cleanly between builds), then wait."""
        process, self.process = self.process, None
        if process is None:
            return
        with contextlib.suppress(OSError):
            if process.stdin:
                process.stdin.close()
        try:
            process.wait(STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        if self._replies is not None:
            self._replies.close()
            self._replies = None


@dataclass(frozen=True)
class SiteLayout:
    """The settings the server itself needs: what to watch and what to serve."""

    content: Path
    theme: Path
    output: Path

    @classmethod
    def read(cls, settings_file: Path) -> SiteLayout:
        from pelican.settings import read_settings

        settings = read_settings(str(settings_file))
        return cls(
            content=Path(settings["PATH"]).resolve(),
            theme=Path(settings["THEME"]).resolve(),
            output=Path(settings["OUTPUT_PATH"]).absolute(),
        )


class DevServer:
    """Serves OUTPUT_PATH with livereload.js injected; a builder child rebuilds
    on changes. The web server's loop and the watcher run in daemon threads of
    this process; its main thread hands each batch of changes to the builder."""

    def __init__(self, project: Path, settings_file: str, host: str, port: int):
        self.project = project
        self.settings_file = settings_file
        self.settings_path = (project / settings_file).resolve()
        self.host, self.port = host, port
        self.builder = BuilderProcess(project, settings_file)
        self._stop = threading.Event()
        self._changes: queue.Queue[set[Path]] = queue.Queue()
        self._loop: Any = None
        self._serving = threading.Event()
        self._serve_error: str | None = None

    # --- Watching -----------------------------------------------------------------

    def _watch(self, roots: list[Path]) -> None:
        from watchfiles import DefaultFilter, watch

        for changes in watch(
            *roots,
            watch_filter=DefaultFilter(),
            stop_event=self._stop,
            raise_interrupt=False,
            debounce=400,  # ms: changes of one save land in one rebuild
        ):
            self._changes.put({Path(path) for _, path in changes})

    def _next_batch(self) -> set[Path]:
        """The next changed paths, with any others that came meanwhile."""
        changed = self._changes.get()
        with contextlib.suppress(queue.Empty):
            while True:
                changed |= self._changes.get_nowait()
        return changed

    # --- Building -------------------------------------------------------------------

    def _on_changes(self, layout: SiteLayout, watched: WatchedPaths) -> None:
        changed = self._next_batch()
        action = plan(changed, watched)
        if action == "ignore":
            return
        names = ", ".join(sorted(shown(p, self.project) for p in changed))
        started = time.perf_counter()
        if action == "restart":
            problem = settings_problem(self.settings_path)
            if problem:
                print(
                    f"newsdigest: {problem}; still serving the last good site.",
                    file=sys.stderr,
                    flush=True,
                )
                return
            if SiteLayout.read(self.settings_path) != layout:
                print(
                    "newsdigest: PATH, THEME or OUTPUT_PATH changed; "
                    "restarting the server.",
                    flush=True,
                )
                self.close()
                restart_server()
            print(f"newsdigest: {names} changed; starting a new builder.", flush=True)
            self.builder.stop()
            outcome = self.builder.start()
        else:
            print(f"newsdigest: {names} changed; rebuilding.", flush=True)
            outcome = self.builder.build()
            if outcome is None:  # it died (killed, out of memory): a new one
                print(
                    "newsdigest: the builder stopped; starting a new one.", flush=True
                )
                self.builder.stop()
                outcome = self.builder.start()
        self._report(outcome, time.perf_counter() - started, min(changed))

    def _report(self, outcome: bool | None, seconds: float, path: Path) -> None:
        if outcome:
            from livereload.handlers import LiveReloadHandler

            browsers = len(LiveReloadHandler.waiters)
            self._loop.add_callback(LiveReloadHandler.reload_waiters, path.as_posix())
            print(
                f"newsdigest: rebuilt in {seconds:.2f} s; "
                f"reloading {browsers} browser(s).",
                flush=True,
            )
        elif outcome is None:
            print(
                "newsdigest: the builder stopped (see above); still serving the "
                "last good site. Save a fix to the settings or code to start it.",
                file=sys.stderr,
                flush=True,
            )
        else:
            print(
                "newsdigest: the rebuild failed (see above); "
                "still serving the last good site.",
                file=sys.stderr,
                flush=True,
            )

    # --- Serving (in a daemon thread) -------------------------------------------------

    def _serve(self, output: Path) -> None:
        import asyncio

        from livereload import Server
        from tornado.ioloop import IOLoop

        asyncio.set_event_loop(asyncio.new_event_loop())
        server = Server()
        server.root = str(output)  # the symlink: each swapped-in build is served
        server.default_filename = "index.html"
        try:
            server.application(self.port, self.host, live_css=False)
        except OSError as error:
            self._serve_error = f"Could not serve on {self.host}:{self.port}: {error}"
            self._serving.set()
            return
        self._loop = IOLoop.current()
        self._serving.set()
        self._loop.start()

    def run(self) -> None:
        """Build, serve and rebuild until Ctrl-C."""
        problem = settings_problem(self.settings_path)
        if problem:
            raise SystemExit(f"newsdigest: {problem}")
        layout = SiteLayout.read(self.settings_path)
        watched = WatchedPaths(
            content=layout.content, theme=layout.theme, settings_file=self.settings_path
        )
        # The port first (a busy one ends it before anything is built); the
        # last build, if any, is served during the first one.
        threading.Thread(target=self._serve, args=(layout.output,), daemon=True).start()
        self._serving.wait()
        if self._serve_error:
            raise SystemExit(self._serve_error)
        # Watch before the first build: an edit made during it rebuilds too.
        roots = [p for p in watched.roots() if p.exists()]
        threading.Thread(target=self._watch, args=(roots,), daemon=True).start()
        if not self.builder.start():
            print(
                "newsdigest: the first build failed (see above); fix it and save: "
                "the server rebuilds.",
                file=sys.stderr,
                flush=True,
            )
        print(
            f"Serving {layout.output} on http://{self.host}:{self.port}/ with live "
            "reload (Ctrl-C stops)",
            flush=True,
        )
        while True:
            self._on_changes(layout, watched)

    def close(self) -> None:
        self._stop.set()
        self.builder.stop()
        if self._loop is not None:
            self._loop.add_callback(self._loop.stop)


def restart_server() -> None:
    """Replace this process by a fresh one with the same command line."""
    sys.stdout.flush()
    sys.stderr.flush()
    os.execv(sys.executable, [sys.executable, *sys.orig_argv[1:]])


def _stop_as_ctrl_c(_signal: int, _frame: Any) -> None:
    """``kill`` (SIGTERM, as a process manager stops things) stops as Ctrl-C
    does: the builder is told to finish and nothing is left running."""
    raise KeyboardInterrupt


def serve_and_rebuild(project: Path, settings_file: str, host: str, port: int) -> None:
    """``invoke livereload``: serve on host:port and rebuild on changes until
    Ctrl-C (which ends it with exit status 0)."""
    server = DevServer(project, settings_file, host, port)
    signal.signal(signal.SIGTERM, _stop_as_ctrl_c)
    try:
        server.run()
    except KeyboardInterrupt:
        server.close()
        print("Stopped.", flush=True)


if __name__ == "__main__":
    sys.exit(builder_main())
