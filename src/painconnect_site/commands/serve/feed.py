"""`serve`'s change feed: saves under the site's inputs, reported as they happen, from a process of its own.

The folders (`content/`, `templates/`, `static/`, the bundled theme) are watched
recursively through watchfiles (inotify on Linux, the platform's notifications
elsewhere): a save is seen within ~10 ms, where polling 1,000 files every 200 ms
took 14 ms a poll and 100 ms on average to notice. The site folder itself is
watched non-recursively, for references.bib, references.lock.json and a watched
folder that appears or goes (it holds _site/, .git/ and node_modules/, far too many
folders to watch).

Watching takes threads, and the server forks render workers during rebuilds:
forking a process while another of its threads runs can deadlock the child on a
lock that thread held (it did, in a benchmark run). So the watching threads live
in a separate, spawned process that sends batches of changed paths through a pipe,
and the server process keeps a single thread; the server waits for the
process to say it watches before the first build, so no save is missed. This
module imports only the standard library and watchfiles, so it starts quickly.
"""

from __future__ import annotations

import multiprocessing
import os
import re
import threading
from multiprocessing.connection import Connection
from pathlib import Path

from watchfiles._rust_notify import RustNotify  # watchfiles' Rust backend, as its own watch() uses it

WATCHED = ("content", "templates", "static", "references.bib", "references.lock.json")
EDITOR_TEMP_RE = re.compile(r"^(?:\..*|#.*#|.*~|.*\.(?:swp|swx|swo|tmp|part|crdownload)|4913)$")
STEP_MS = 10  # a batch ends when nothing more changed for this long (editors write in bursts)
READY = "watching"  # the feed process's first message


class ChangeFeed:
    """The watching process, seen from the server: `fileno()` to wait on, `receive()` to read."""

    def __init__(self, source: Path, extra_roots: list[Path]) -> None:
        receiving, sending = multiprocessing.Pipe(duplex=False)
        self._connection = receiving
        self.watching = False  # said it watches: every save from now on is reported
        self._process = multiprocessing.get_context("spawn").Process(
            target=_watch_site, args=(str(source), [str(root) for root in extra_roots], sending),
            name="serve change feed", daemon=True)
        self._process.start()
        sending.close()  # the child's end
        # Wait until it watches (a spawned process takes a moment to start): a save made
        # after this returns is always reported. If it never does, serve runs without it.
        try:
            if receiving.poll(30):
                self.watching = receiving.recv() == READY
        except (EOFError, OSError):
            pass

    def fileno(self) -> int:
        return self._connection.fileno()

    def receive(self) -> list[str]:
        """Every changed path sent so far (without waiting)."""
        changed: set[str] = set()
        try:
            while self._connection.poll():
                message = self._connection.recv()
                if isinstance(message, list):
                    changed.update(message)
        except (EOFError, OSError):  # the feed process ended: nothing more will come
            pass
        return sorted(changed)

    def stop(self) -> None:
        self._process.terminate()
        self._process.join(timeout=5)
        self._connection.close()


def watched_roots(source: Path, extra_roots: list[Path]) -> list[Path]:
    return [source / name for name in WATCHED] + list(extra_roots)


def _watch_site(source: str, extra_roots: list[str], connection: Connection) -> None:
    """The feed process: two watchers, sending each batch through `connection`. It says
    READY once both watch, so the server knows no save from then on can be missed."""
    site, extras = Path(source), [Path(root) for root in extra_roots]
    sending = threading.Lock()
    restart = threading.Event()

    def send(message: object) -> None:
        with sending:
            connection.send(message)

    def report(paths: list[str], recursive: bool) -> None:
        # Folders themselves are not inputs: a new folder's files are reported as they are written.
        changed = sorted({path for path in paths if _is_input(Path(path), site, recursive) and not os.path.isdir(path)})
        if changed:
            send(changed)

    def follow(notifier: RustNotify | None, recursive: bool, stop: threading.Event) -> None:
        if notifier is None:  # nothing to watch (yet)
            stop.wait(0.2)
            return
        while True:
            raw = notifier.watch(1600, STEP_MS, 1000, stop)
            if raw in ("stop", "signal"):
                return
            if raw == "timeout":
                continue
            changed = [path for _, path in raw]
            if not recursive and any(Path(path).name in WATCHED and not Path(path).suffix for path in changed):
                restart.set()  # a watched folder appeared or went: watch the new set
            report(changed, recursive)

    def folders() -> list[Path]:
        return [root for root in watched_roots(site, extras) if root.is_dir()]

    def watch_folders(notifier: RustNotify | None, watched: set[Path]) -> None:
        while True:
            follow(notifier, True, restart)
            restart.clear()
            now = folders()
            # Files written into a new folder before it was watched.
            report([str(path) for root in now if root not in watched for path in root.rglob("*") if path.is_file()],
                   recursive=True)
            watched, notifier = set(now), _notifier(now, recursive=True)

    initial = folders()
    folder_notifier, site_notifier = _notifier(initial, recursive=True), _notifier([site], recursive=False)
    send(READY)
    threading.Thread(target=watch_folders, args=(folder_notifier, set(initial)), daemon=True).start()
    follow(site_notifier, False, threading.Event())  # until the server terminates this process


def _notifier(paths: list[Path], recursive: bool) -> RustNotify | None:
    """A watcher that watches from the moment it exists (watchfiles' own `watch()` starts
    only when first iterated); it polls where the OS gives no notifications."""
    if not paths:
        return None
    names = [str(path) for path in paths]
    try:
        return RustNotify(names, False, False, 300, recursive, True)
    except OSError:  # e.g. out of inotify watches
        try:
            return RustNotify(names, False, True, 100, recursive, True)
        except OSError:  # a folder went while we started: the next restart picks it up
            return None


def _is_input(path: Path, source: Path, recursive: bool) -> bool:
    """A file the build reads: not an editor's temporary or hidden file, nor a cache."""
    if EDITOR_TEMP_RE.match(path.name) or "__pycache__" in path.parts:
        return False
    if not recursive:
        return path.parent == source and path.name in WATCHED
    try:
        inside = path.relative_to(source).parts
    except ValueError:  # the bundled theme
        return not any(part.startswith(".") for part in path.parts)
    return not any(part.startswith(".") for part in inside)
