"""The development server behind ``invoke livereload``: one Pelican kept in memory.

Why not a ``pelican`` subprocess per change, as before: each one paid for the
imports, reading the settings, registering the plugins and unpickling every
read item from the disk cache again, seconds before the first page was rendered.
Here one ``Pelican`` object lives as long as the server and each change runs its
``run()`` again, as Pelican's own ``--autoreload`` does; the read cache keeps
the items of the last run in memory (``newsdigest.readcache``), so a rebuild
reads again only what an edit touched. Every run is still the whole build
``pelican content -s pelicanconf.py`` makes: the same plugins, validation,
staging, checks and atomic swap.

Changes are seen by watchfiles (inotify) rather than by polling the content
tree. A change to the settings file or to newsdigest's own code starts a new
process instead (``os.execv``), since settings and imported code cannot be
reloaded reliably in place; browsers open on the site reload once their
livereload.js reconnects. A rebuild that fails prints its problem, as the
command line does, and the last good site stays served. Ctrl-C stops cleanly.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import queue
import sys
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import newsdigest

# Pelican's command-line logger: Pelican's main reports a failed build on it,
# and newsdigest's publish plugin turns those records into one-line messages.
PELICAN_LOGGER = "pelican"
# A browser whose page was open before a restart is reloaded once when its
# livereload.js reconnects, if it does within this many seconds.
RECONNECT_RELOAD_WINDOW = 120.0
RESTARTED_ENV = "NEWSDIGEST_LIVERELOAD_RESTARTED"


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
    """One Pelican object for the server's life: settings read and plugins
    registered once, ``run()`` once per change."""

    def __init__(self, project: Path, settings_file: str) -> None:
        from pelican import LOG_HANDLERS, get_instance, parse_arguments
        from pelican.log import init as init_logging

        from newsdigest.readcache import keep_in_memory

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


STARTED_IN = os.getcwd()


def restart() -> None:
    """Replace this process by a fresh one with the same command line, started
    from the same folder (its arguments may be relative to it)."""
    sys.stdout.flush()
    sys.stderr.flush()
    os.environ[RESTARTED_ENV] = str(time.time())
    os.chdir(STARTED_IN)
    os.execv(sys.executable, [sys.executable, *sys.orig_argv[1:]])


class DevServer:
    """Serves OUTPUT_PATH with livereload.js injected; rebuilds on changes.

    Builds run in the main thread, as on the command line (the Markdown time
    limit needs the main thread's alarm signal; the search plugin starts its
    own asyncio loop), so the web server runs its loop in a daemon thread and
    a watcher thread hands batches of changed paths over a queue."""

    def __init__(self, project: Path, settings_file: str, host: str, port: int):
        self.project = project
        self.settings_file = settings_file
        self.host, self.port = host, port
        self._stop = threading.Event()
        self._changes: queue.Queue[set[Path]] = queue.Queue()
        self._loop: Any = None
        self._serving = threading.Event()
        self._serve_error: str | None = None

    # --- Watching ---------------------------------------------------------------

    def _watch(self, roots: list[Path]) -> None:
        from watchfiles import DefaultFilter, watch

        for changes in watch(
            *roots,
            watch_filter=DefaultFilter(),
            stop_event=self._stop,
            raise_interrupt=False,
            debounce=400,
            step=30,
        ):
            self._changes.put({Path(path) for _, path in changes})

    def _next_batch(self) -> set[Path]:
        """The next changed paths, with any others that came meanwhile."""
        changed = self._changes.get()
        with contextlib.suppress(queue.Empty):
            while True:
                changed |= self._changes.get_nowait()
        return changed

    def _rebuild(self, builder: SiteBuilder, watched: WatchedPaths) -> None:
        changed = self._next_batch()
        action = plan(changed, watched)
        if action == "ignore":
            return
        names = ", ".join(sorted(shown(p, self.project) for p in changed))
        if action == "restart":
            problem = settings_problem(watched.settings_file)
            if problem:
                print(
                    f"newsdigest: {problem}; still serving the last good site.",
                    file=sys.stderr,
                    flush=True,
                )
                return
            print(f"newsdigest: {names} changed; restarting.", flush=True)
            self.close()
            restart()
        print(f"newsdigest: {names} changed; rebuilding.", flush=True)
        started = time.perf_counter()
        if builder.build():
            from livereload.handlers import LiveReloadHandler

            browsers = len(LiveReloadHandler.waiters)
            path = min(changed).as_posix()
            self._loop.add_callback(LiveReloadHandler.reload_waiters, path)
            print(
                f"newsdigest: rebuilt in {time.perf_counter() - started:.2f} s; "
                f"reloading {browsers} browser(s).",
                flush=True,
            )
        else:
            print(
                "newsdigest: the rebuild failed (see above); "
                "still serving the last good site.",
                file=sys.stderr,
                flush=True,
            )

    # --- Serving (in a daemon thread) -------------------------------------------

    def _serve(self, output: Path, restarted: str | None) -> None:
        import asyncio

        from livereload import Server
        from livereload.handlers import LiveReloadHandler
        from tornado.ioloop import IOLoop

        asyncio.set_event_loop(asyncio.new_event_loop())
        server = Server()
        server.root = str(output)  # the symlink: each swapped-in build is served
        server.default_filename = "index.html"
        if restarted:
            reload_reconnecting(LiveReloadHandler, float(restarted))
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
        os.chdir(self.project)
        settings_path = (self.project / self.settings_file).resolve()
        try:
            builder = SiteBuilder(self.project, self.settings_file)
        except Exception as error:  # a settings file that does not load
            print(
                f"newsdigest: cannot read {self.settings_file}: "
                f"{type(error).__name__}: {error}. Waiting for it to change.",
                file=sys.stderr,
                flush=True,
            )
            self._wait_for_restart(settings_path)
            return
        settings = builder.settings
        watched = WatchedPaths(
            content=Path(settings["PATH"]).resolve(),
            theme=Path(settings["THEME"]).resolve(),
            settings_file=settings_path,
        )
        # Watch before the first build: an edit made during it rebuilds too.
        roots = [p for p in watched.roots() if p.exists()]
        threading.Thread(target=self._watch, args=(roots,), daemon=True).start()
        if not builder.build():
            print(
                "newsdigest: the first build failed (see above); fix it and save: "
                "the server rebuilds.",
                file=sys.stderr,
                flush=True,
            )
        output = Path(settings["OUTPUT_PATH"]).absolute()
        restarted = os.environ.pop(RESTARTED_ENV, None)
        threading.Thread(
            target=self._serve, args=(output, restarted), daemon=True
        ).start()
        self._serving.wait()
        if self._serve_error:
            raise SystemExit(self._serve_error)
        print(
            f"Serving {output} on http://{self.host}:{self.port}/ with live "
            "reload (Ctrl-C stops)",
            flush=True,
        )
        while True:
            self._rebuild(builder, watched)

    def _wait_for_restart(self, settings_path: Path) -> None:
        from watchfiles import watch

        code = Path(newsdigest.__file__).resolve().parent
        for _ in watch(settings_path, code, stop_event=self._stop):
            restart()

    def close(self) -> None:
        self._stop.set()
        if self._loop is not None:
            self._loop.add_callback(self._loop.stop)


def reload_reconnecting(handler: Any, since: float) -> None:
    """After a restart, reload each open page once when its browser reconnects
    (livereload.js retries on its own), for ``RECONNECT_RELOAD_WINDOW`` s."""
    handshake = handler.on_message
    reloaded: set[str] = set()

    def on_message(socket: Any, message: str) -> None:
        handshake(socket, message)
        try:
            sent = json.loads(message)
        except ValueError:
            return
        if not isinstance(sent, dict):
            return
        url = sent.get("url")
        if (
            sent.get("command") == "info"
            and isinstance(url, str)
            and url not in reloaded
            and time.time() - since < RECONNECT_RELOAD_WINDOW
        ):
            reloaded.add(url)
            socket.send_message({"command": "reload", "path": url})

    handler.on_message = on_message


def serve_and_rebuild(project: Path, settings_file: str, host: str, port: int) -> None:
    """``invoke livereload``: serve on host:port and rebuild on changes until
    Ctrl-C (which ends it with exit status 0)."""
    server = DevServer(project, settings_file, host, port)
    try:
        server.run()
    except KeyboardInterrupt:
        server.close()
        print("Stopped.", flush=True)
