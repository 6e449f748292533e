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
import copy
import json
import logging
import os
import queue
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

import newsdigest
from newsdigest.engine.outputcache import replace_file

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
        # The generators of the last good build (the site being served) and of
        # the run under way: a fast render starts from what is served.
        self.kept: list[Any] = []
        self._items: dict[str, tuple[Any, Any]] = {}  # of ``kept``, by file
        self._seen: list[Any] = []
        # Fast renders run in the thread that reads the server's commands,
        # also while a build runs in the main thread: the lock guards ``kept``
        # and the served build's files; the edits fast-rendered during a build
        # are rendered again into the build it swaps in (it may predate them).
        self._lock = threading.Lock()
        self._building = False
        self._rendered_during_build: set[Path] = set()
        # What the last good build wrote for each page fast-rendered since:
        # put back if the next build fails (its checks may refuse the edit).
        self._before_fast: dict[tuple[Path, str], bytes] = {}
        #: The pages put back after the last build failed.
        self.restored: list[str] = []
        from pelican import signals

        signals.all_generators_finalized.connect(self._remember, weak=False)

    def _remember(self, generators: list[Any]) -> None:
        self._seen = list(generators)

    def build(self) -> bool:
        """One whole build; False (its problem printed) if it failed."""
        from pelican.log import LimitFilter

        self._seen = []

        # Pelican drops a warning it has logged before in this process; each
        # build must report its own warnings as a fresh `pelican` run would.
        LimitFilter._raised_messages.clear()
        LimitFilter._group_count.clear()
        with self._lock:
            self._building = True
        try:
            self.pelican.run()
        except Exception as error:
            # What Pelican's main does with a failed build: the publish plugin
            # turns this record into the report and one line, no traceback.
            logging.getLogger(PELICAN_LOGGER).critical(
                "%s: %s", type(error).__name__, error, exc_info=True
            )
            self._end_build()
            self.restored = self._undo_fast_renders()
            return False
        again = self._end_build(self._seen)
        for path in sorted(again):
            self.fast_render([path])
        return True

    def _end_build(self, generators: list[Any] | None = None) -> set[Path]:
        """The build is over (``generators``: it succeeded and is served); the
        edits fast-rendered meanwhile."""
        items = self._index_items(generators) if generators is not None else None
        with self._lock:
            if generators is not None and items is not None:
                self.kept, self._items = generators, items
            self._seen = []
            self._building = False
            again, self._rendered_during_build = self._rendered_during_build, set()
            if generators is not None:
                # Pages of the build replaced are gone; a page fast-rendered
                # into this build after its swap (a save at that moment) was
                # not checked by it: its undo stays.
                live = Path(self.settings["OUTPUT_PATH"]).absolute().resolve()
                self._before_fast = {
                    key: data
                    for key, data in self._before_fast.items()
                    if key[0].is_relative_to(live)
                }
        return again

    def _undo_fast_renders(self) -> list[str]:
        """The build failed, so the fast-rendered pages it would have checked
        go back to what the last good build wrote: a failed build never
        changes the site, not even through a fast render. The pages put back."""
        with self._lock:
            undo, self._before_fast = self._before_fast, {}
            restored = []
            for (target, page), data in sorted(undo.items()):
                with contextlib.suppress(OSError):  # that build is gone
                    replace_file(target, data)
                    restored.append(page)
        return restored

    def fast_render(self, changed: list[Path]) -> str | None:
        """Hugo's fast render, done exactly: the page of the one edited item,
        written into the served build at once; None when the edit needs the
        whole build first.

        Only when the edit cannot change what any other page shows: the file
        is read again by the same readers (validation and sanitising
        included), and its metadata and summary must equal those of the item
        the served build shows. Then only the item's own page (and the feeds,
        which the full build writes next) changes, and rendering it with the
        served build's context, template and Pelican's writer gives the bytes
        the full build writes for it. A new problem changes the metadata (the
        reader marks the item as skipped), so an invalid edit always takes the
        full build, which reports it and replaces nothing. Whatever the full
        build then writes replaces this page with the swap of the whole build.
        """
        try:
            with self._lock:
                page = self._fast_render(changed)
                if page is not None and self._building:
                    self._rendered_during_build.add(changed[0])
                return page
        except Exception as error:  # never the builder's end: the full build runs
            logging.getLogger(__name__).debug("no fast render: %s", error)
            return None

    def _fast_render(self, changed: list[Path]) -> str | None:
        if len(changed) != 1:
            return None
        found = self._kept_item(changed[0])
        if found is None:
            return None
        generator, old = found
        new = self._read_again(generator, old)
        if new is None or not same_listing(old, new):
            return None
        # The served item with the body read now: its metadata is the same,
        # and what plugins made of it (canonical tag spellings, related
        # stories...) is kept.
        item = copy.copy(old)
        item.__dict__.update(
            {
                name: value
                for name, value in vars(new).items()
                if name not in new.metadata
            }
        )
        data = self._render(generator, item)
        target = self._served_file(item.save_as)
        if target is None:
            return None
        served = target.read_bytes()
        if served == data:
            return None  # nothing to show: no write, no reload
        self._before_fast.setdefault((target, item.save_as), served)

        replace_file(target, data)
        for suffix in (".gz", ".br"):  # precompressed copies are now stale
            target.with_name(target.name + suffix).unlink(missing_ok=True)
        return item.save_as

    def _kept_item(self, path: Path) -> tuple[Any, Any] | None:
        """The served build's item read from ``path``, with its generator."""
        return self._items.get(os.path.realpath(path))

    @staticmethod
    def _index_items(generators: list[Any]) -> dict[str, tuple[Any, Any]]:
        """The built items by the real path of their file (made once a build,
        with string operations only: a fast render looks one up)."""
        from itertools import chain

        from pelican.generators import ArticlesGenerator

        found: dict[str, tuple[Any, Any]] = {}
        for generator in generators:
            if not isinstance(generator, ArticlesGenerator):
                continue
            root, real = generator.path, os.path.realpath(generator.path)
            for item in chain(
                generator.articles,
                generator.translations,
                generator.hidden_articles,
                generator.hidden_translations,
            ):
                relative = os.path.relpath(item.source_path, root)
                found[os.path.join(real, relative)] = (generator, item)
        return found

    def _read_again(self, generator: Any, old: Any) -> Any | None:
        """The item read as the generator reads it (the reader plugin's
        validation and sanitising included); None if reading fails.

        Without ``article_generator_context``: its receiver moves the item's
        problems into the report of the build under way, which did not read
        this version. They stay in the metadata, so an item with any problem
        differs from the served one and takes the full build."""
        from pelican import signals
        from pelican.contents import Article

        relative = os.path.relpath(old.source_path, generator.path)
        try:
            new = generator.readers.read_file(
                base_path=generator.path,
                path=relative,
                content_class=Article,
                context=generator.context,
                preread_signal=signals.article_generator_preread,
                preread_sender=generator,
            )
        except Exception:  # the full build reads it again and reports it
            return None
        # An invalid file is read as a stub the build skips: not an item.
        return new if type(new) is type(old) else None

    def _render(self, generator: Any, item: Any) -> bytes:
        """The item's page as ``generate_articles`` writes it, by Pelican's
        writer, in a temporary folder."""
        from pelican.writers import Writer

        with tempfile.TemporaryDirectory(prefix="newsdigest-fast-") as folder:
            writer = Writer(folder, settings=generator.settings)
            writer.write_file(
                item.save_as,
                generator.get_template(item.template),
                generator.context,
                relative_urls=generator.settings["RELATIVE_URLS"],
                article=item,
                category=getattr(item, "category", None),
                override_output=hasattr(item, "override_save_as"),
                url=item.url,
                blog=True,
            )
            return Path(folder, *item.save_as.split("/")).read_bytes()

    def _served_file(self, save_as: str) -> Path | None:
        """Where the served build has ``save_as``: only a staged build (the
        output link), only inside it, only a file that is there."""
        output = Path(self.settings["OUTPUT_PATH"]).absolute()
        if not output.is_symlink():
            return None
        live = output.resolve()
        target = live.joinpath(*save_as.split("/"))
        if not target.resolve().is_relative_to(live) or not target.is_file():
            return None
        return target


#: What other pages show of an item: a change to any of these (or to any
#: other front matter field, or a new problem) needs the whole build.
LISTING_FIELDS = (
    "title",
    "summary",
    "date",
    "slug",
    "topic",
    "tags",
    "source",
    "status",
    "label",
    "image",
)


def _field(metadata: dict[str, Any], name: str) -> Any:
    """A metadata value, an empty list counting as absent: the reader's list
    of an item's problems is taken out of the metadata by the build (and
    left in by a fast render's read), so no problems is ``[]`` or nothing."""
    value = metadata.get(name)
    return None if isinstance(value, (list, tuple)) and not value else value


def same_listing(old: Any, new: Any) -> bool:
    """Whether an item read again shows the same everywhere but its own page:
    every metadata field equal (the listing fields above included) and the
    same summary."""
    names = set(new.metadata) | set(old.metadata) | set(LISTING_FIELDS)
    try:
        return all(
            _field(old.metadata, name) == _field(new.metadata, name) for name in names
        ) and str(old.summary) == str(new.summary)
    except Exception:  # a value that cannot be compared: be safe
        return False


def settings_problem(settings_file: Path) -> str | None:
    """Why the settings file cannot be read, in one line (None if it can): a
    restart with a broken settings file would leave nothing served."""
    from pelican.settings import read_settings

    try:
        read_settings(str(settings_file))
    except Exception as error:  # anything the file itself may raise
        return f"{settings_file.name} cannot be read: {type(error).__name__}: {error}"
    return None


class Replies:
    """The builder's answers to the server, one line each, from two threads."""

    def __init__(self, file: TextIO) -> None:
        self._file = file
        self._lock = threading.Lock()

    def write(self, line: str) -> None:
        with self._lock:
            self._file.write(line + "\n")

    def fast(self, page: str | None, started: float, kind: str = "fast") -> None:
        """A page changed in the served build: ``fast`` (rendered) or
        ``restored`` (put back after a failed build)."""
        if page is not None:
            seconds = round(time.perf_counter() - started, 3)
            self.write(f"{kind} " + json.dumps({"page": page, "seconds": seconds}))


def read_commands(
    builder: SiteBuilder, replies: Replies, builds: queue.Queue[list[Path] | None]
) -> None:
    """The server's commands, in a thread of their own: a ``fast`` line is
    fast-rendered at once, also while a build runs; a ``build`` line waits
    for the main thread. None when the server closed the pipe."""
    try:
        for line in sys.stdin:
            command, _, rest = line.strip().partition(" ")
            if command == "fast":
                started = time.perf_counter()
                replies.fast(builder.fast_render(changed_paths(rest)), started)
            elif command == "build":
                builds.put(changed_paths(rest))
    except (OSError, ValueError):  # the server is gone
        pass
    finally:
        builds.put(None)


def builder_main(argv: list[str] | None = None) -> int:
    """The builder process: build once, then once per ``build`` line on stdin
    (``build`` and the changed paths as a JSON list), answering ``ok`` or
    ``failed`` on the reply file descriptor; before it, ``fast`` and the page
    (JSON) when a fast render wrote the edited item's page. A ``fast`` line
    (paths as for ``build``) asks only for the fast render, answered at once
    even during a build."""
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
        replies = Replies(reply)
        replies.write("ok" if builder.build() else "failed")
        builds: queue.Queue[list[Path] | None] = queue.Queue()
        threading.Thread(
            target=read_commands, args=(builder, replies, builds), daemon=True
        ).start()
        while (paths := builds.get()) is not None:
            started = time.perf_counter()
            replies.fast(builder.fast_render(paths), started)
            if builder.build():
                replies.write("ok")
                continue
            for page in builder.restored:
                replies.fast(page, started, kind="restored")
            replies.write("failed")
    except KeyboardInterrupt:  # Ctrl-C reaches the whole process group
        return 130
    except BrokenPipeError:  # the server is gone
        return 1
    return 0


def changed_paths(text: str) -> list[Path]:
    """The paths of a ``build`` line (a JSON list of strings); none if it is
    anything else."""
    try:
        paths = json.loads(text) if text else []
    except ValueError:
        return []
    if not isinstance(paths, list) or not all(isinstance(p, str) for p in paths):
        return []
    return [Path(p) for p in paths]


class BuilderProcess:
    """The parent's handle on a builder child."""

    def __init__(self, project: Path, settings_file: str) -> None:
        self.project = project
        self.settings_file = settings_file
        self.process: subprocess.Popen[str] | None = None
        self._replies: TextIO | None = None
        self._send_lock = threading.Lock()  # the watcher sends ``fast`` too

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

    def build(
        self,
        changed: Iterable[Path] = (),
        on_fast: Callable[[str, float, bool], None] | None = None,
    ) -> bool | None:
        """One rebuild in the builder; None if the builder is gone. If it
        fast-renders the edited page first, ``on_fast`` gets the page."""
        if self.process is None or self.process.poll() is not None:
            return None
        if not self._send("build", changed):
            return None
        return self._reply(on_fast)

    def fast(self, changed: Iterable[Path]) -> None:
        """Ask for a fast render only (during a build; its answer comes among
        that build's replies)."""
        self._send("fast", changed)

    def _send(self, command: str, changed: Iterable[Path]) -> bool:
        process = self.process
        if process is None or process.stdin is None:
            return False
        paths = json.dumps(sorted(str(path) for path in changed))
        try:
            with self._send_lock:
                process.stdin.write(f"{command} {paths}\n")
                process.stdin.flush()
        except (BrokenPipeError, ValueError):  # gone, or closed by stop()
            return False
        return True

    def _reply(
        self, on_fast: Callable[[str, float, bool], None] | None = None
    ) -> bool | None:
        assert self._replies is not None
        while True:
            line = self._replies.readline().strip()
            kind, _, rest = line.partition(" ")
            if kind not in ("fast", "restored"):
                return {"ok": True, "failed": False}.get(line)
            with contextlib.suppress(ValueError, TypeError, KeyError):
                told = json.loads(rest)
                page, seconds = str(told["page"]), float(told["seconds"])
                if on_fast is not None:
                    on_fast(page, seconds, kind == "restored")

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
        self._building = threading.Event()  # a rebuild is under way
        self._watched: WatchedPaths | None = None

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
            batch = {Path(path) for _, path in changes}
            self._changes.put(batch)
            # A save during a rebuild is shown at once; its rebuild follows.
            watched = self._watched
            if (
                self._building.is_set()
                and watched is not None
                and plan(batch, watched) == "rebuild"
            ):
                self.builder.fast(batch)

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

            self._building.set()
            try:
                outcome = self.builder.build(changed, self._on_fast)
            finally:
                self._building.clear()
            if outcome is None:  # it died (killed, out of memory): a new one
                print(
                    "newsdigest: the builder stopped; starting a new one.", flush=True
                )
                self.builder.stop()
                outcome = self.builder.start()
        self._report(outcome, time.perf_counter() - started, min(changed))

    def _report(self, outcome: bool | None, seconds: float, path: Path) -> None:
        if outcome:
            self._reload(path.as_posix())
            print(
                f"newsdigest: rebuilt in {seconds:.2f} s; "
                f"reloading {self._browsers()} browser(s).",
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

    def _on_fast(self, page: str, seconds: float, restored: bool) -> None:
        self._reload("/" + page)
        if restored:
            print(
                f"newsdigest: {page} is back to the last good build; reloading "
                f"{self._browsers()} browser(s).",
                flush=True,
            )
            return
        print(
            f"newsdigest: fast render of {page} in {seconds:.2f} s; reloading "
            f"{self._browsers()} browser(s); the full rebuild follows.",
            flush=True,
        )

    def _reload(self, path: str) -> None:
        """Tell every open page to reload (from the web server's thread)."""
        from livereload.handlers import LiveReloadHandler

        self._loop.add_callback(LiveReloadHandler.reload_waiters, path)

    @staticmethod
    def _browsers() -> int:
        from livereload.handlers import LiveReloadHandler

        return len(LiveReloadHandler.waiters)

    # --- Serving (in a daemon thread) -------------------------------------------------

    def _serve(self, output: Path) -> None:
        import asyncio

        from livereload import Server
        from tornado.ioloop import IOLoop

        asyncio.set_event_loop(asyncio.new_event_loop())
        server = Server()
        server.SFH = building_aware_handler()
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
        self._watched = watched
        # The port first (a busy one ends it before anything is built); the
        # last build, if any, is served during the first one.
        threading.Thread(target=self._serve, args=(layout.output,), daemon=True).start()
        self._serving.wait()
        if self._serve_error:
            raise SystemExit(self._serve_error)
        # Watch before the first build: an edit made during it rebuilds too.
        roots = [p for p in watched.roots() if p.exists()]
        threading.Thread(target=self._watch, args=(roots,), daemon=True).start()
        started = time.perf_counter()
        if not self.builder.start():
            print(
                "newsdigest: the first build failed (see above); fix it and save: "
                "the server rebuilds.",
                file=sys.stderr,
                flush=True,
            )
        else:
            # Pages opened on the last build or on the "building" page.
            self._report(True, time.perf_counter() - started, layout.output)
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


#: Served (503, refreshing itself) while no build exists yet: a first build of
#: a large site takes a while, and the browser should not show an error.
BUILDING_PAGE = b"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="refresh" content="2"><title>Building the site</title></head>
<body><p>Building the site&hellip; this page reloads when it is ready.</p></body>
</html>
"""


def building_aware_handler() -> type:
    """livereload's file handler, answering with ``BUILDING_PAGE`` while the
    output folder (the link to the last build) does not exist yet."""
    from livereload.handlers import StaticFileHandler

    class BuildingAwareHandler(StaticFileHandler):
        async def get(self, path: str, include_body: bool = True) -> None:
            if not os.path.isdir(self.root):
                self.set_status(503)
                self.set_header("Retry-After", "2")
                self.set_header("Cache-Control", "no-store")
                self.set_header("Content-Type", "text/html; charset=utf-8")
                self.finish(BUILDING_PAGE if include_body else b"")
                return
            await super().get(path, include_body)

        def _log(self) -> None:
            """Tornado logs every 5xx answer as an error: the building page
            (asked for again every 2 s) would fill the terminal."""
            if self.get_status() != 503:
                super()._log()

    return BuildingAwareHandler


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
