"""Watching and rebuilding for `serve`: change notifications, the live build state, rebuilds.

`LiveSite` holds the served output folder, the latest build's errors and the
build cache kept between rebuilds; `ChangeFeed` reports saves as they happen;
`Rebuilder` rebuilds once per batch
of changes (search index included: it is updated within the build) and tells
the browsers. Nothing here knows livereload: `devserver` wires these into its
watcher and server.
"""

from __future__ import annotations

import os
import re
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import watchfiles

from ...core.errors import BuildError
from ...pipeline import FORK_SAFE_THREAD, BuildCache, BuildOptions, open_cache, run_build
from ...render.templates import THEME_DIR

WATCHED = ("content", "templates", "static", "references.bib", "references.lock.json")
_EDITOR_TEMP_RE = re.compile(r"^(?:\..*|#.*#|.*~|.*\.(?:swp|swx|swo|tmp|part|crdownload)|4913)$")


# --- build state -------------------------------------------------------------


@dataclass(slots=True)
class LiveSite:
    """The served output folder and the outcome of the latest build."""

    options: BuildOptions  # out_dir is the served folder
    errors: tuple[str, ...] = ()  # `path:line: error:` lines of the latest build; empty when it succeeded
    log: Callable[[str], None] = field(default=lambda line: print(line, file=sys.stderr, flush=True))
    # One cache for every rebuild, remembering what it loaded: a rebuild neither re-reads nor
    # unpickles the records of unchanged files, nor recompiles unchanged templates.
    cache: BuildCache = field(init=False)

    def __post_init__(self) -> None:
        self.cache = open_cache(self.options, remember=True)

    @property
    def out_dir(self) -> Path:
        return self.options.output

    @property
    def failed(self) -> bool:
        return bool(self.errors)

    def rebuild(self) -> bool:
        """Full build into the served folder; True when it succeeded. Never raises on content problems."""
        try:
            _, diags = run_build(self.options, self.cache)
        except BuildError as exc:
            self.errors = tuple(d.format() for d in exc.diagnostics)
        except Exception as exc:  # noqa: BLE001 - a bug in one build must not stop the server
            self.errors = (f"error: internal error while building: {type(exc).__name__}: {exc} "
                           "(run `python build.py build --debug` for a traceback)",)
        else:
            self.errors = ()
            for warning in diags.warnings:
                self.log(warning.format())
        for line in self.errors:
            self.log(line)
        return not self.failed


# --- watching ----------------------------------------------------------------


class ChangeFeed:
    """Saves under the site's inputs, reported as they happen.

    The folders (`content/`, `templates/`, `static/`, the bundled theme) are watched
    recursively through watchfiles (inotify on Linux, the platform's notifications
    elsewhere): a save is seen within ~10 ms, where polling 1,000 files every 200 ms
    took 14 ms a poll and 100 ms on average to notice. The site folder itself is watched
    non-recursively, for references.bib, references.lock.json and a watched folder that
    appears or goes (it holds _site/, .git/ and node_modules/, far too many folders to
    watch). `deliver` gets each batch of changed paths, from the watching threads.
    """

    STEP_MS = 10  # a batch ends when nothing more changed for this long (editors write in bursts)

    def __init__(self, source: Path, deliver: Callable[[list[str]], None]) -> None:
        self.source = source
        self.deliver = deliver
        self._stop = threading.Event()
        self._restart = threading.Event()
        self._threads: list[threading.Thread] = []

    def start(self) -> None:
        for target in (self._watch_folders, self._watch_site_folder):
            # Named fork-safe: it waits in watchfiles' native code and hands batches to the
            # server's loop, taking no lock a forked render worker needs, so rebuilds may fork.
            thread = threading.Thread(target=target, daemon=True, name=f"{FORK_SAFE_THREAD}serve{target.__name__}")
            thread.start()
            self._threads.append(thread)

    def stop(self) -> None:
        self._stop.set()
        self._restart.set()
        for thread in self._threads:
            thread.join(timeout=2)

    def _watch_folders(self) -> None:
        watched: set[Path] = set()
        while not self._stop.is_set():
            self._restart.clear()
            folders = [root for root in watched_roots(self.source) if root.is_dir()]
            if watched:  # files written into a new folder before it was watched
                self._report([str(path) for root in folders if root not in watched
                              for path in root.rglob("*") if path.is_file()], recursive=True)
            watched = set(folders)
            self._follow(folders, recursive=True, stop=self._restart)

    def _watch_site_folder(self) -> None:
        self._follow([self.source], recursive=False, stop=self._stop)

    def _follow(self, paths: list[Path], recursive: bool, stop: threading.Event) -> None:
        if not paths:
            stop.wait(0.2)
            return
        for changes in _watch(paths, recursive, stop, self.STEP_MS):
            changed = [path for _, path in changes]
            if not recursive and any(Path(path).name in WATCHED and not Path(path).suffix for path in changed):
                self._restart.set()  # a watched folder appeared or went: watch the new set
            self._report(changed, recursive)

    def _report(self, paths: list[str], recursive: bool) -> None:
        # Folders themselves are not inputs: a new folder's files are reported as they are written.
        changed = sorted({path for path in paths
                          if _is_input(Path(path), self.source, recursive) and not os.path.isdir(path)})
        if changed:
            self.deliver(changed)


def _watch(paths: list[Path], recursive: bool, stop: threading.Event, step_ms: int):
    try:
        yield from watchfiles.watch(*paths, watch_filter=None, step=step_ms, debounce=1600, stop_event=stop,
                                    recursive=recursive, raise_interrupt=False)
    except OSError:  # no notifications here (e.g. out of inotify watches): watchfiles polls instead
        yield from watchfiles.watch(*paths, watch_filter=None, step=step_ms, debounce=1600, stop_event=stop,
                                    recursive=recursive, raise_interrupt=False, force_polling=True,
                                    poll_delay_ms=100)


def _is_input(path: Path, source: Path, recursive: bool) -> bool:
    """A file the build reads: not an editor's temporary or hidden file, nor a cache."""
    if _EDITOR_TEMP_RE.match(path.name) or "__pycache__" in path.parts:
        return False
    if not recursive:
        return path.parent == source and path.name in WATCHED
    try:
        inside = path.relative_to(source).parts
    except ValueError:  # the bundled theme
        return not any(part.startswith(".") for part in path.parts)
    return not any(part.startswith(".") for part in inside)


def watched_roots(source: Path) -> list[Path]:
    """The site's inputs, plus the bundled theme so theme edits reload too."""
    return [source / name for name in WATCHED] + [THEME_DIR]


# --- rebuild on change -----------------------------------------------------------


@dataclass(slots=True)
class Rebuilder:
    site: LiveSite
    source: Path
    reload_browsers: Callable[[str], None]  # livereload's LiveReloadHandler.reload_waiters, given by devserver

    def __call__(self, changed: list[str]) -> None:
        started = time.perf_counter()
        ok = self.site.rebuild()
        finished = time.time()
        seconds = time.perf_counter() - started
        what = describe_changes(changed, self.source)
        after_save = _seconds_since_save(changed, finished)
        timing = f"{seconds:.2f} s" + (f", served {after_save:.2f} s after the save" if after_save is not None else "")
        if ok:
            self.site.log(f"rebuilt in {timing} ({what} changed)")
        else:
            self.site.log(f"build failed in {timing} ({what} changed): {len(self.site.errors)} error(s); "
                          "the browser shows them over the last good pages")
        self.reload_browsers(reload_path([_display_path(Path(p), self.source) for p in changed], ok))


def describe_changes(changed: list[str], source: Path) -> str:
    names = [_display_path(Path(path), source) for path in changed]
    shown = ", ".join(names[:3])
    return shown + (f" and {len(names) - 3} more" if len(names) > 3 else "")


def _display_path(path: Path, source: Path) -> str:
    for base, prefix in ((source, ""), (THEME_DIR, "theme/")):
        try:
            return prefix + path.relative_to(base).as_posix()
        except ValueError:
            continue
    return path.as_posix()


def _seconds_since_save(changed: list[str], now: float) -> float | None:
    stamps = [os.stat(path).st_mtime for path in changed if os.path.exists(path)]
    latency = now - max(stamps) if stamps else None
    return latency if latency is not None and latency >= 0 else None  # a future mtime (clock skew) means nothing


def reload_path(changed: list[str], ok: bool) -> str:
    """What livereload.js is told changed: a .css path restyles the page in place, anything else reloads it.

    The page links a fingerprinted name, so no stylesheet matches the path and
    livereload.js re-requests all of them; `files._current_fingerprint` answers.
    """
    if ok and changed and all(path.endswith(".css") for path in changed):
        return changed[0]
    return "*"
