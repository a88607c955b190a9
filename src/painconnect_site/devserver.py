"""`serve`: build, serve the output on loopback, rebuild and live-reload on every save.

Built on python-livereload's tornado `Server`, which provides the LiveReload
protocol: the `/livereload` websocket, `/livereload.js`, and the transform
that injects the client script before `</head>` of every HTML response. We
replace two of its parts:

* its static handler, with `OutputHandler`: every request is resolved inside
  the current output folder (the writer swaps that folder atomically, so
  nothing is cached), encoded `..` and absolute paths cannot escape it,
  unknown paths get the site's 404.html, and a failed build is shown;
* its watcher's change detection, with `SiteWatcher`: livereload runs one
  task per watched path and then drops any reload within 3 s of the last
  one, so a quick second save would rebuild but never reach the browser.
  We rebuild once per batch of changes and send the reload ourselves, after
  the build, through livereload's own `LiveReloadHandler.reload_waiters`.

Search indexing is deferred: Pagefind re-reads the whole site (seconds on a
large one), so a rebuild publishes its pages with the previous search bundle
and sends the reload first; `SearchIndexer` then re-indexes the served folder
in a background thread and swaps the new bundle in. Nothing else writes the
folder meanwhile: the watcher does not look for changes while it runs, so a
save made during indexing is rebuilt as soon as the index is done (the simple
choice: the served index is never left stale, and builds never overlap it).

A broken save never stops the server: the terminal prints the
`path:line: error:` lines; the browser keeps the last good pages, each with
an error overlay listing the same lines and status 500 (a dedicated error
page when no build has succeeded yet); the next good save clears it.
"""

from __future__ import annotations

import errno
import html
import logging
import mimetypes
import os
import re
import shutil
import signal
import socket
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Callable, Iterable, Sequence
from urllib.parse import quote, unquote

from livereload import Server
from livereload.handlers import LiveReloadHandler
from livereload.watcher import Watcher
from tornado import ioloop, web

from .errors import BuildError
from .pipeline import BuildOptions, complete_search_index, run_build
from .search_index import SearchIndexError
from .templates import THEME_DIR

EXIT_OK, EXIT_CONTENT, EXIT_USAGE = 0, 1, 2
POLL_MILLISECONDS = 200  # livereload polls every 800 ms; editors expect a save to show at once
WATCHED = ("content", "templates", "static", "references.bib")
_EDITOR_TEMP_RE = re.compile(r"^(?:\..*|#.*#|.*~|.*\.(?:swp|swx|swo|tmp|part|crdownload)|4913)$")
_FINGERPRINT_RE = re.compile(r"^(?P<stem>.+)\.[0-9a-f]{10}(?P<suffix>\.(?:css|js))$")


# --- build state -------------------------------------------------------------


@dataclass(slots=True)
class LiveSite:
    """The served output folder and the outcome of the latest build."""

    options: BuildOptions  # out_dir is the served folder
    errors: tuple[str, ...] = ()  # `path:line: error:` lines of the latest build; empty when it succeeded
    log: Callable[[str], None] = field(default=lambda line: print(line, file=sys.stderr, flush=True))

    @property
    def out_dir(self) -> Path:
        return self.options.output

    @property
    def failed(self) -> bool:
        return bool(self.errors)

    def rebuild(self) -> bool:
        """Full build into the served folder; True when it succeeded. Never raises on content problems."""
        try:
            _, diags = run_build(self.options)
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

Snapshot = dict[str, tuple[int, int]]  # path -> (mtime_ns, size)


def snapshot(roots: Iterable[Path]) -> Snapshot:
    """Modification stamps of every watched file (editor temp and hidden files skipped)."""
    stamps: Snapshot = {}
    for root in roots:
        if root.is_file():
            _stamp(root, stamps)
        elif root.is_dir():
            for folder, dirs, files in os.walk(root):
                dirs[:] = [d for d in dirs if not d.startswith(".") and d != "__pycache__"]
                for name in files:
                    if not _EDITOR_TEMP_RE.match(name):
                        _stamp(Path(folder) / name, stamps)
    return stamps


def _stamp(path: Path, stamps: Snapshot) -> None:
    try:
        stat = path.stat()
    except OSError:  # deleted between listing and stat: the next poll sees it gone
        return
    stamps[str(path)] = (stat.st_mtime_ns, stat.st_size)


def changed_paths(before: Snapshot, after: Snapshot) -> list[str]:
    return sorted(path for path in before.keys() | after.keys() if before.get(path) != after.get(path))


class SiteWatcher(Watcher):
    """livereload's watcher interface; one `on_change` call per batch of changed files."""

    def __init__(self, roots: Sequence[Path], on_change: Callable[[list[str]], None],
                 busy: Callable[[], bool] = lambda: False):
        super().__init__()
        self.roots = tuple(roots)
        self.on_change = on_change
        self.busy = busy  # while true, changes wait (they are seen, all together, once it is false)
        self._stamps = snapshot(self.roots)
        for root in self.roots:  # registered so livereload does not fall back to watching the cwd
            self.watch(str(root))

    def start(self, callback: Callable[[], None]) -> bool:
        ioloop.PeriodicCallback(callback, POLL_MILLISECONDS).start()
        return True  # tells livereload we poll ourselves

    def examine(self) -> tuple[str | None, float | None]:
        if self._changes:  # livereload's own "__livereload__" restart marker
            return self._changes.pop()
        if self.busy():
            return None, None
        current = snapshot(self.roots)
        changed = changed_paths(self._stamps, current)
        self._stamps = current
        if changed:
            self.on_change(changed)
        return None, None  # nothing for livereload to do: on_change already reloaded the browsers


def watched_roots(source: Path) -> list[Path]:
    """The site's inputs, plus the bundled theme so theme edits reload too."""
    return [source / name for name in WATCHED] + [THEME_DIR]


# --- rebuild on change -----------------------------------------------------------


class SearchIndexer:
    """Brings the served folder's search bundle up to date in one background thread."""

    def __init__(self, site: LiveSite):
        self.site = site
        self._thread: threading.Thread | None = None

    def busy(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def start(self) -> None:
        """Called after a successful build, never while a build or an indexing runs."""
        self.wait()
        self._thread = threading.Thread(target=self._run, name="search-index", daemon=True)
        self._thread.start()

    def wait(self) -> None:
        if self._thread is not None:
            self._thread.join()

    def _run(self) -> None:
        started = time.perf_counter()
        try:
            updated = complete_search_index(self.site.options)
        except SearchIndexError as exc:
            self.site.log(f"search index not updated: {exc}; search uses the previous index until the next save")
        except Exception as exc:  # noqa: BLE001 - never stop the server
            self.site.log(f"search index not updated: internal error: {type(exc).__name__}: {exc}")
        else:
            if updated:
                self.site.log(f"search index updated in {time.perf_counter() - started:.2f} s")


@dataclass(slots=True)
class Rebuilder:
    site: LiveSite
    source: Path
    reload_browsers: Callable[[str], None] = LiveReloadHandler.reload_waiters
    after_success: Callable[[], None] = lambda: None  # e.g. SearchIndexer.start, once browsers are told

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
        if ok:
            self.after_success()


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
    livereload.js re-requests all of them; `_current_fingerprint` answers.
    """
    if ok and changed and all(path.endswith(".css") for path in changed):
        return changed[0]
    return "*"


# --- request handling --------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Resolved:
    kind: str  # "file", "redirect" or "missing"
    path: Path | None = None
    location: str | None = None


MISSING = Resolved("missing")


def resolve_request(out_dir: Path, url_path: str) -> Resolved:
    """Map a raw (percent-encoded) URL path to a file inside `out_dir`, and never outside it."""
    decoded = unquote(url_path)
    if "\x00" in decoded or "\\" in decoded:
        return MISSING
    segments = [s for s in decoded.split("/") if s]
    if any(s in (".", "..") for s in segments):
        return MISSING
    root = out_dir.resolve()
    try:
        target = root.joinpath(*segments).resolve()
        target.relative_to(root)  # a symlink out of the folder resolves outside it
    except (ValueError, OSError):
        return MISSING
    if target.is_dir():
        if segments and not decoded.endswith("/"):
            return Resolved("redirect", location="/" + quote("/".join(segments)) + "/")
        index = target / "index.html"
        return Resolved("file", index) if index.is_file() else MISSING
    if target.is_file():
        return Resolved("file", target)
    return _current_fingerprint(target) or MISSING


def _current_fingerprint(target: Path) -> Resolved | None:
    """`site.<old hash>.css` -> today's `site.<new hash>.css`.

    livereload restyles a page in place by re-requesting its stylesheet URLs;
    after a CSS edit the page still names the old fingerprinted file.
    """
    match = _FINGERPRINT_RE.match(target.name)
    if not match or not target.parent.is_dir():
        return None
    pattern = re.compile(re.escape(match["stem"]) + r"\.[0-9a-f]{10}" + re.escape(match["suffix"]) + "$")
    current = [p for p in target.parent.iterdir() if pattern.match(p.name) and p.is_file()]
    return Resolved("file", current[0]) if len(current) == 1 else None


class OutputHandler(web.RequestHandler):
    """Serves the output folder; shows build errors; livereload's transform injects its script."""

    site: LiveSite

    def initialize(self, site: LiveSite) -> None:
        self.site = site

    def compute_etag(self) -> None:
        return None  # always send the current bytes: a dev server must never show a stale page

    def head(self) -> None:
        self.get()

    def get(self) -> None:
        self.set_header("Cache-Control", "no-store")
        if not (self.site.out_dir / "index.html").is_file():  # no build has succeeded yet
            self._send(500, build_error_page(self.site.errors), "text/html; charset=utf-8")
            return
        resolved = resolve_request(self.site.out_dir, self.request.path)
        if resolved.kind == "redirect":
            query = f"?{self.request.query}" if self.request.query else ""
            self.redirect(f"{resolved.location}{query}", permanent=False)
        elif resolved.kind == "file" and resolved.path is not None:
            self._send_file(200, resolved.path)
        else:
            self._send_not_found()

    def _send_not_found(self) -> None:
        page = self.site.out_dir / "404.html"
        if page.is_file():
            self._send_file(404, page)
        else:
            self._send(404, b"<!doctype html><html><head><title>Not found</title></head><body>Not found</body></html>",
                       "text/html; charset=utf-8")

    def _send_file(self, status: int, path: Path) -> None:
        try:
            data = path.read_bytes()
        except OSError:  # swapped away mid-request by a rebuild
            self._send(503, b"rebuilding, reload in a moment", "text/plain; charset=utf-8")
            return
        content_type = content_type_for(path)
        if content_type.startswith("text/html") and self.site.failed:
            status, data = 500, with_error_overlay(data, self.site.errors)
        self._send(status, data, content_type)

    def _send(self, status: int, data: bytes, content_type: str) -> None:
        self.set_status(status)
        self.set_header("Content-Type", content_type)
        if self.site.failed:
            self.set_header("X-Build-Status", "failed")
        self.finish(data)


def content_type_for(path: Path) -> str:
    guessed = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    if guessed.startswith("text/") or guessed in ("application/javascript", "application/json", "application/xml"):
        return f"{guessed}; charset=utf-8"
    return guessed


# --- error display ----------------------------------------------------------------

_BODY_OPEN_RE = re.compile(rb"<body\b[^>]*>", re.IGNORECASE)
_OVERLAY_STYLE = (
    "position:fixed;inset:0 0 auto 0;max-height:70vh;overflow:auto;z-index:2147483647;margin:0;"
    "padding:1rem 1.25rem;background:#fff4f4;color:#4a0000;border-bottom:4px solid #b00020;"
    "font:15px/1.45 system-ui,sans-serif;box-shadow:0 4px 16px rgba(0,0,0,.25)"
)


def _error_list(errors: Sequence[str]) -> str:
    lines = "\n".join(html.escape(line) for line in errors) or "error: the build failed"
    return f'<pre style="white-space:pre-wrap;margin:.5rem 0 0;font:13px/1.5 ui-monospace,monospace">{lines}</pre>'


def with_error_overlay(page: bytes, errors: Sequence[str]) -> bytes:
    """The last good page with the build errors pinned on top (Zola-style)."""
    overlay = (
        f'<div id="build-error-overlay" role="alert" style="{_OVERLAY_STYLE}">'
        "<strong>Build failed: this is the last good version of the page.</strong> "
        "Fix the problems below and save; the page reloads by itself."
        f"{_error_list(errors)}</div>"
    ).encode("utf-8")
    match = _BODY_OPEN_RE.search(page)
    at = match.end() if match else 0
    return page[:at] + overlay + page[at:]


def build_error_page(errors: Sequence[str]) -> bytes:
    return (
        '<!doctype html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n<title>Build failed</title>\n</head>\n'
        '<body style="font:16px/1.5 system-ui,sans-serif;margin:2rem;color:#4a0000">\n'
        "<h1>Build failed</h1>\n<p>Fix the problems below and save; this page reloads by itself.</p>\n"
        f"{_error_list(errors)}\n</body>\n</html>\n"
    ).encode("utf-8")


# --- server -------------------------------------------------------------------------


class DevServer(Server):
    """livereload's Server with our output handler instead of its static file handler."""

    def __init__(self, site: LiveSite, watcher: SiteWatcher):
        super().__init__(watcher=watcher)
        self.site = site

    def get_web_handlers(self, script: bytes) -> list:
        return [(r"/.*", OutputHandler, {"site": self.site})]

    def _setup_logging(self) -> None:
        # livereload logs every poll and connection at INFO; keep only problems.
        handler = logging.StreamHandler()
        handler.setLevel(logging.WARNING)
        for name in ("livereload", "tornado.application", "tornado.general"):
            logger = logging.getLogger(name)
            logger.addHandler(handler)
            logger.setLevel(logging.WARNING)
            logger.propagate = False
        access = logging.getLogger("tornado.access")  # 404/500 are expected answers here, not problems
        access.addHandler(logging.NullHandler())
        access.propagate = False


def serve(options: BuildOptions, host: str = "127.0.0.1", port: int = 8000) -> int:
    if not 1 <= port <= 65535:
        print(f"error: port {port} is not between 1 and 65535", file=sys.stderr)
        return EXIT_USAGE
    problem = port_problem(host, port)
    if problem:
        print(f"error: {problem}", file=sys.stderr)
        return EXIT_USAGE
    served = Path(tempfile.mkdtemp(prefix="painconnect-serve-"))
    try:
        return _serve_from(options, host, port, served / "site")
    finally:
        shutil.rmtree(served, ignore_errors=True)


def _serve_from(options: BuildOptions, host: str, port: int, out_dir: Path) -> int:
    build_options = replace(options, out_dir=out_dir, base_url=options.base_url or local_url(host, port),
                            defer_search=True)
    site = LiveSite(build_options)
    indexer = SearchIndexer(site)
    # The watcher's first snapshot is taken before building, so a save during the first build is not missed.
    watcher = SiteWatcher(watched_roots(options.root), Rebuilder(site, options.root, after_success=indexer.start),
                          busy=indexer.busy)
    try:
        return _run_server(site, watcher, indexer, host, port)
    finally:
        indexer.wait()  # Pagefind writes beside the folder that is about to be removed


def _run_server(site: LiveSite, watcher: SiteWatcher, indexer: SearchIndexer, host: str, port: int) -> int:
    started = time.perf_counter()
    if site.rebuild():
        site.log(f"built in {time.perf_counter() - started:.2f} s")
        indexer.start()
    else:
        site.log("build failed: fix the errors above and save; the server keeps running")
    server = DevServer(site, watcher)
    if threading.current_thread() is threading.main_thread():  # signal handlers can only be set there
        signal.signal(signal.SIGTERM, _interrupt)
    print(f"serving {local_url(host, port)} (Ctrl+C to stop); rebuilding on every save under "
          "content/, templates/, static/ and references.bib", flush=True)
    try:
        server.serve(port=port, host=host, debug=False, open_url_delay=None, live_css=True)
    except OSError as exc:  # lost a race for the port after the check above
        print(f"error: cannot listen on {host}:{port}: {exc.strerror or exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        pass
    return EXIT_OK


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt  # SIGTERM stops like Ctrl+C, so the temporary output folder is removed


def local_url(host: str, port: int) -> str:
    """The address to open; a wildcard bind is opened through loopback."""
    shown = {"0.0.0.0": "127.0.0.1", "::": "[::1]", "": "127.0.0.1"}.get(host, host)
    if ":" in shown and not shown.startswith("["):
        shown = f"[{shown}]"
    return f"http://{shown}:{port}/"


def port_problem(host: str, port: int) -> str | None:
    """Why the server could not listen on host:port, checked before the first build."""
    try:
        addresses = socket.getaddrinfo(host or None, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except socket.gaierror as exc:
        return f"cannot use host '{host}': {exc.strerror}"
    bound = 0
    for family, kind, protocol, _, address in addresses:
        with socket.socket(family, kind, protocol) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as tornado does
            try:
                probe.bind(address)
                bound += 1
            except OSError as exc:
                if exc.errno == errno.EADDRINUSE:
                    return (f"port {port} on {host} is already in use; "
                            "stop the other server or choose another port with --port")
                if exc.errno == errno.EACCES:
                    return f"no permission to listen on port {port}; choose a port above 1023 with --port"
                if exc.errno != errno.EADDRNOTAVAIL:  # e.g. no IPv6 for "localhost": tornado skips it too
                    return f"cannot listen on {host}:{port}: {exc.strerror}"
    return None if bound else f"cannot listen on {host}:{port}: address not available"
