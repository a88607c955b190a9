"""Watching and rebuilding for `serve`: change notifications, the live build state, rebuilds.

`LiveSite` holds the served output folder, the latest build's errors, the
build cache kept between rebuilds and the sources read so far with the saves
reported since (feed.py reports saves as they happen); `Rebuilder` rebuilds
once per batch of changes (search index included: it is updated within the
build) and tells the browsers; writing the cache, the collector's pass and the
check for lost notifications wait until they have had time to fetch the page. Nothing here
knows livereload: `devserver` wires these into its watcher and server.
"""

from __future__ import annotations

import os
import sys
import time
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Sequence


from ...content.sources import SeenSources
from ...core.errors import BuildError
from ...pipeline import BuildCache, BuildOptions, few_collections, open_cache, run_build
from ...render.templates import THEME_DIR
from .feed import WATCHED
from .feed import watched_roots as feed_roots



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
    # The sources read so far and the saves reported since: unreported files are not stat'ed.
    seen: SeenSources = field(init=False)

    def __post_init__(self) -> None:
        self.cache = open_cache(self.options, remember=True)
        self.seen = SeenSources(self.options.root)

    @property
    def out_dir(self) -> Path:
        return self.options.output

    @property
    def failed(self) -> bool:
        return bool(self.errors)

    def rebuild(self, changed: Sequence[str] = ()) -> bool:
        """Full build into the served folder; True when it succeeded. Never raises on content problems.
        `changed`: the paths the watcher reported since the last build."""
        self.seen.report(changed)
        try:
            _, diags = run_build(self.options, self.cache, seen=self.seen)
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


def watched_roots(source: Path) -> list[Path]:
    """The site's inputs, plus the bundled theme so theme edits reload too."""
    return feed_roots(source, [THEME_DIR])


# --- rebuild on change -----------------------------------------------------------


@dataclass(slots=True)
class Rebuilder:
    site: LiveSite
    source: Path
    reload_browsers: Callable[[str], None]  # livereload's LiveReloadHandler.reload_waiters, given by devserver
    # Runs a function once the browsers have had time to fetch the reloaded page (devserver:
    # 0.3 s later): work the browser need not wait for.
    later: Callable[[Callable[[], None]], None]

    def __call__(self, changed: list[str]) -> None:
        # Until then the cache is not written (pickling competes with the server for the
        # interpreter) and the collector stays throttled: scanning the rebuild's young
        # objects took 5-12 ms at 1,000 articles, before the server could answer the page.
        after = ExitStack()
        after.enter_context(few_collections())
        try:
            self._rebuild(changed)
        except BaseException:
            after.close()
            raise
        self.later(lambda: self._settle(after))

    def _rebuild(self, changed: list[str]) -> None:
        started = time.perf_counter()
        ok = self.site.rebuild(changed)
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

    def _settle(self, after: ExitStack) -> None:
        self.site.cache.flush(background=True)
        after.close()
        missed = self.site.seen.missed()  # notifications an OS dropped: the page would stay stale
        if missed:
            self.site.log(f"{describe_changes(missed, self.source)} changed without a notification from the "
                          "file system; rebuilding")
            self(missed)


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
