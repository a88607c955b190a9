"""`serve`: build, serve the output on loopback, rebuild and live-reload on every save.

Built on python-livereload's tornado `Server`, which provides the LiveReload
protocol: the `/livereload` websocket, `/livereload.js`, and the transform
that injects the client script before `</head>` of every HTML response. We
replace two of its parts:

* its static handler, with `OutputHandler`: every request is resolved inside
  the current output folder (the writer swaps that folder atomically, so
  nothing is cached), encoded `..` and absolute paths cannot escape it,
  unknown paths get the site's 404.html, and a failed build is shown;
* its watcher's change detection, with `SiteWatcher`: livereload polls
  every 800 ms, runs one task per watched path and then drops any reload
  within 3 s of the last one, so a quick second save would rebuild but never
  reach the browser. We are told of each save by the OS (watch.ChangeFeed),
  rebuild once per batch of changes and send the reload ourselves, after the
  build, through livereload's own `LiveReloadHandler.reload_waiters`.

The search index is part of every build: only the shards of the words a save
touched are rewritten, so a page and its search results go live together, with
the reload.

A broken save never stops the server: the terminal prints the
`path:line: error:` lines; the browser keeps the last good pages, each with
an error overlay listing the same lines and status 500 (a dedicated error
page when no build has succeeded yet); the next good save clears it.

This module owns start-up and the livereload wiring (the only one importing
livereload): `serve`, the port check, `DevServer` and `SiteWatcher`.
`watch` owns change detection, the build state and the rebuild and
indexing steps; `files` owns request handling and the error HTML.
"""

from __future__ import annotations

import errno
import logging
import os
import shutil
import signal
import socket
import sys
import tempfile
import threading
import time
from dataclasses import replace
from pathlib import Path
from typing import Callable, Sequence

from livereload import Server
from livereload.handlers import LiveReloadHandler
from livereload.watcher import Watcher
from tornado import ioloop

from ...pipeline import BuildOptions
from .files import OutputHandler
from ...render.templates import THEME_DIR
from .feed import ChangeFeed
from .watch import WATCHED, LiveSite, Rebuilder, watched_roots

EXIT_OK, EXIT_CONTENT, EXIT_USAGE = 0, 1, 2


# --- watching ----------------------------------------------------------------


class SiteWatcher(Watcher):
    """livereload's watcher interface; one `on_change` call per batch of changed files.

    The change feed (feed.py, its own process) starts watching at once, so a save during
    the first build is not missed; its batches wait in a pipe the server's loop reads,
    where rebuilds run one at a time: what arrives during a rebuild makes the next batch."""

    def __init__(self, source: Path, on_change: Callable[[list[str]], None]):
        super().__init__()
        self.on_change = on_change
        for root in watched_roots(source):  # registered so livereload does not fall back to watching the cwd
            self.watch(str(root))
        self.feed = ChangeFeed(source, [THEME_DIR])

    def start(self, callback: Callable[[], None]) -> bool:
        ioloop.IOLoop.current().add_handler(self.feed.fileno(), self._deliver, ioloop.IOLoop.READ)
        return True  # tells livereload we watch ourselves

    def examine(self) -> tuple[str | None, float | None]:
        if self._changes:  # livereload's own "__livereload__" restart marker
            return self._changes.pop()
        return None, None  # nothing for livereload to do: on_change already reloaded the browsers

    def _deliver(self, fd: int, events: int) -> None:
        changed = self.feed.receive()
        if changed:
            self.on_change(changed)


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
                            private_output=True)  # a temporary folder only our rebuilds write
    site = LiveSite(build_options)
    # The watcher starts before the first build, so a save during it is not missed.
    rebuilder = Rebuilder(site, options.root, LiveReloadHandler.reload_waiters, _after_reload)
    watcher = SiteWatcher(options.root, rebuilder)
    if watcher.feed.watching:  # else a save could go unreported: every build stats every source
        site.seen.trust()
    return _run_server(site, watcher, host, port)


def _run_server(site: LiveSite, watcher: SiteWatcher, host: str, port: int) -> int:
    started = time.perf_counter()
    if site.rebuild():
        site.log(f"built in {time.perf_counter() - started:.2f} s")
    else:
        site.log("build failed: fix the errors above and save; the server keeps running")
    site.cache.flush(background=True)
    server = DevServer(site, watcher)
    if threading.current_thread() is threading.main_thread():  # signal handlers can only be set there
        signal.signal(signal.SIGTERM, _interrupt)
    watched = [name + "/" if "." not in name else name for name in WATCHED]
    print(f"serving {local_url(host, port)} (Ctrl+C to stop); rebuilding on every save under "
          f"{', '.join(watched[:-1])} and {watched[-1]}", flush=True)
    try:
        server.serve(port=port, host=host, debug=False, open_url_delay=None, live_css=True)
    except OSError as exc:  # lost a race for the port after the check above
        print(f"error: cannot listen on {host}:{port}: {exc.strerror or exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        pass
    finally:
        watcher.feed.stop()
        site.cache.flush()  # what the last rebuild has not written yet
        site.cache.wait()
    return EXIT_OK


AFTER_RELOAD = 0.3  # seconds: the browsers have fetched the reloaded page by then


def _after_reload(work: Callable[[], None]) -> None:
    ioloop.IOLoop.current().call_later(AFTER_RELOAD, work)


def _interrupt(signum: int, frame: object) -> None:
    # SIGTERM stops like Ctrl+C, so the temporary output folder is removed. Further
    # signals (`timeout` and process managers may send more) must not cut that clean-up short.
    if os.getpid() != _SERVER_PID:
        # A forked render worker inherited this handler; its pool ends it with SIGTERM when
        # the work is done, and it should just stop (not print a KeyboardInterrupt traceback).
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        os.kill(os.getpid(), signal.SIGTERM)
        return
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    raise KeyboardInterrupt


_SERVER_PID = os.getpid()


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
