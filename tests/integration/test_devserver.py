"""`serve` end to end: a real server in a subprocess, spoken to over HTTP and the LiveReload websocket."""

from __future__ import annotations

import asyncio
import http.client
import json
import os
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator

import pytest

from conftest import ONE_ENTRY_BIB, REPO
from conftest import write_site as make_site_files

from painconnect_site.commands.serve.files import MISSING, resolve_request

BUILD_PY = REPO / "build.py"
WAIT_SECONDS = 15
SECRET = "top-secret-marker-7f3a"

SITE_YAML = """\
title: Serve Test
base_url: https://serve.example/sub/
description: A tiny site for the dev server tests.
organization:
  name: Serve Test
  url: https://serve.example/
default_author: team
people:
  team:
    name: Serve Test Editorial Team
    kind: organization
"""
BIB = ONE_ENTRY_BIB
ARTICLE = """\
---
title: "Walking for back pain"
description: "Why short daily walks help most people with back pain, and how to start gently."
date: 2026-05-01
reviewed: 2026-05-01
author: team
---

Short walks help [@smith2020].
"""


@dataclass
class Served:
    base: str
    port: int
    source: Path
    log: Path
    process: subprocess.Popen

    def get(self, path: str) -> tuple[int, dict[str, str], str]:
        """GET with the path sent exactly as written (no client-side normalisation)."""
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        try:
            connection.request("GET", path)
            response = connection.getresponse()
            return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read().decode("utf-8", "replace")
        finally:
            connection.close()

    def output(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def write_site(root: Path) -> Path:
    return make_site_files(root, {"content/site.yaml": SITE_YAML, "references.bib": BIB,
                                  "content/articles/walking.md": ARTICLE, "secret.txt": SECRET}, base={})


def wait_for(condition: Callable[[], bool], what: str, seconds: float = WAIT_SECONDS) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out after {seconds} s waiting for {what}")


def save(path: Path, text: str) -> None:
    """Write like an editor, and make sure the mtime moves even on coarse-clock filesystems."""
    path.write_text(text, encoding="utf-8")
    stamp = time.time() + 1
    os.utime(path, (stamp, stamp))


@contextmanager
def running_server(root: Path) -> Iterator[Served]:
    """`python build.py serve` on a free port; stopped (SIGTERM, then kill) whatever happens."""
    port = free_port()
    log = root.parent / f"serve-{port}.log"
    with log.open("w", encoding="utf-8") as sink:
        process = subprocess.Popen([sys.executable, str(BUILD_PY), "serve", "--source", str(root), "--port", str(port)],
                                   stdout=sink, stderr=subprocess.STDOUT)
    server = Served(f"http://127.0.0.1:{port}", port, root, log, process)
    try:
        def up() -> bool:
            assert process.poll() is None, server.output()
            try:
                server.get("/")
                return True
            except OSError:
                return False

        wait_for(up, "the server to answer")
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)
    assert not (root / "_site").exists(), "serve must never write the published output folder"


@pytest.fixture(scope="module")
def served(tmp_path_factory) -> Iterator[Served]:
    with running_server(write_site(tmp_path_factory.mktemp("serve-site"))) as server:
        yield server


def test_serves_pages_with_the_livereload_script(served: Served):
    status, headers, body = served.get("/articles/walking/")
    assert status == 200 and headers["content-type"].startswith("text/html")
    assert "livereload.js?port=" in body and body.index("livereload.js") < body.index("</head>")
    assert "Walking for back pain" in body
    status, _, script = served.get("/livereload.js")
    assert status == 200 and "LiveReload" in script


def test_internal_links_work_under_the_local_address(served: Served):
    _, _, body = served.get("/")
    assert 'href="/articles/walking/"' in body  # base_url's /sub/ path is replaced by the local root


def test_folder_without_slash_redirects_and_unknown_paths_get_the_404_page(served: Served):
    status, headers, _ = served.get("/articles/walking")
    assert status == 302 and headers["location"] == "/articles/walking/"
    status, _, body = served.get("/no/such/page/")
    assert status == 404 and "Page not found" in body


def test_css_under_an_old_fingerprint_gets_the_current_file(served: Served):
    status, headers, body = served.get("/static/css/site.0123456789.css?livereload=1")
    assert status == 200 and headers["content-type"].startswith("text/css") and "{" in body


@pytest.mark.parametrize("path", [
    "/../secret.txt", "/../../secret.txt", "/%2e%2e/secret.txt", "/%2e%2e/%2e%2e/secret.txt",
    "/..%2f..%2fsecret.txt", "/..%2f..%2fetc/passwd", "/static/..%2f..%2f..%2fetc/passwd",
    "//etc/passwd", "/%2fetc%2fpasswd", "/..%5c..%5csecret.txt", "/%00/etc/passwd",
])
def test_nothing_outside_the_output_folder_is_served(served: Served, path: str):
    status, _, body = served.get(path)
    assert status == 404
    assert SECRET not in body and "root:" not in body


def test_resolve_request_rejects_escapes_and_symlinks_out(tmp_path):
    out = tmp_path / "out"
    (out / "a").mkdir(parents=True)
    (out / "a" / "index.html").write_text("ok")
    (tmp_path / "secret.txt").write_text(SECRET)
    (out / "link.txt").symlink_to(tmp_path / "secret.txt")
    assert resolve_request(out, "/a/").path == out.resolve() / "a" / "index.html"
    assert resolve_request(out, "/a").location == "/a/"
    assert resolve_request(out, "//a").location == "/a/"  # never a protocol-relative '//host' redirect
    for path in ("/../secret.txt", "/%2E%2E/secret.txt", "/link.txt", f"/{tmp_path}/secret.txt".replace("//", "/")):
        assert resolve_request(out, path) == MISSING, path


def test_edit_broken_save_and_recovery(served: Served):
    article = served.source / "content/articles/walking.md"
    save(article, ARTICLE.replace("Walking for back pain", "Walking helps back pain"))
    wait_for(lambda: "Walking helps back pain" in served.get("/articles/walking/")[2], "the edit to be served")
    assert "rebuilt in" in served.output() and "content/articles/walking.md changed" in served.output()

    save(article, ARTICLE.replace("date: 2026-05-01", "date: 2026-13-45"))
    expected = "content/articles/walking.md:4: error: field 'date' has invalid date '2026-13-45'"
    wait_for(lambda: served.get("/articles/walking/")[0] == 500, "the failed build to show")
    status, headers, body = served.get("/articles/walking/")
    assert status == 500 and headers["x-build-status"] == "failed"
    assert expected.replace("'", "&#x27;") in body  # the same line as the terminal, HTML-escaped
    assert "Walking helps back pain" in body and "livereload.js" in body  # last good page, still live
    assert served.get("/no/such/page/")[0] == 500
    assert expected in served.output() and "Traceback" not in served.output()

    save(article, ARTICLE)
    wait_for(lambda: served.get("/articles/walking/")[0] == 200, "the next good save to recover")
    assert "build-error-overlay" not in served.get("/articles/walking/")[2]
    assert served.process.poll() is None


def test_browsers_get_a_livereload_message_after_each_rebuild(served: Served):
    from tornado.websocket import websocket_connect

    async def conversation() -> list[dict]:
        socket_ = await websocket_connect(f"ws://127.0.0.1:{served.port}/livereload")
        try:
            await socket_.write_message(json.dumps({"command": "hello", "protocols": ["http://livereload.com/protocols/official-7"]}))
            hello = json.loads(await asyncio.wait_for(socket_.read_message(), WAIT_SECONDS))
            await socket_.write_message(json.dumps({"command": "info", "url": served.base + "/", "plugins": {}}))
            await asyncio.sleep(0.3)
            css = served.source / "static/css/site.css"
            css.parent.mkdir(parents=True, exist_ok=True)
            save(css, "body { color: #222; }\n")
            restyle = json.loads(await asyncio.wait_for(socket_.read_message(), WAIT_SECONDS))
            save(served.source / "content/articles/walking.md", ARTICLE + "\nMore.\n")
            reload = json.loads(await asyncio.wait_for(socket_.read_message(), WAIT_SECONDS))
            return [hello, restyle, reload]
        finally:
            socket_.close()

    hello, restyle, reload = asyncio.run(conversation())
    assert hello["command"] == "hello"
    assert restyle["command"] == "reload" and restyle["path"] == "static/css/site.css" and restyle["liveCSS"] is True
    assert reload["command"] == "reload" and reload["path"] == "*"


def test_a_site_broken_from_the_start_shows_an_error_page_until_fixed(tmp_path):
    site = write_site(tmp_path / "site")
    article = site / "content/articles/walking.md"
    save(article, ARTICLE.replace("author: team", "author: nobody"))
    with running_server(site) as server:
        status, headers, body = server.get("/")
        assert status == 500 and headers["content-type"].startswith("text/html")
        assert "<h1>Build failed</h1>" in body and "livereload.js" in body
        assert "content/articles/walking.md:6: error: unknown person &#x27;nobody&#x27;" in body
        save(article, ARTICLE)
        wait_for(lambda: server.get("/")[0] == 200, "the fixed site to be served")
        assert "Walking for back pain" in server.get("/articles/walking/")[2]


def test_a_taken_port_is_one_clear_line(tmp_path):
    site = write_site(tmp_path / "site")
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        port = holder.getsockname()[1]
        result = subprocess.run([sys.executable, str(BUILD_PY), "serve", "--source", str(site), "--port", str(port)],
                                capture_output=True, text=True, timeout=30)
    assert result.returncode == 2
    assert result.stderr.strip() == (f"error: port {port} on 127.0.0.1 is already in use; "
                                     "stop the other server or choose another port with --port")
    assert not (site / "_site").exists()


def _tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def _clean_build(site: Path, out: Path, base_url: str) -> dict[str, bytes]:
    result = subprocess.run([sys.executable, str(BUILD_PY), "build", "--source", str(site), "--no-cache",
                             "--output", str(out), "--base-url", base_url], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    return _tree(out)


def _served_folder(server: Served) -> Path:
    """The temporary folder `serve` builds into (tempdir/painconnect-serve-*/site), found by its local URL."""
    import tempfile

    found = [p / "site" for p in Path(tempfile.gettempdir()).glob("painconnect-serve-*")
             if f"127.0.0.1:{server.port}/" in _read(p / "site" / "index.html")]
    assert len(found) == 1, found
    return found[0]


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""


def test_an_edit_is_searchable_as_soon_as_it_is_served(tmp_path):
    """The search index is updated within the rebuild: when the reload goes out, the served
    folder, index included, is what a clean build of the same input writes."""
    site = write_site(tmp_path / "site")
    with running_server(site) as server:
        out = _served_folder(server)
        assert (out / "search-index/meta.json").is_file()  # the first build has its index too
        save(site / "content/articles/walking.md", ARTICLE.replace("Short walks help", "Gentle zebrawalks help"))
        wait_for(lambda: "zebrawalks" in server.get("/articles/walking/")[2], "the edit to be served")
        status, _, shard = server.get("/search-index/s/ze.json")
        assert status == 200 and '"zebrawalks"' in shard  # the new word, already searchable
        assert '"gentle"' in server.get("/search-index/s/ge.json")[2]
        lines = server.output().splitlines()
        assert any(line.startswith("rebuilt in") and line.endswith("(content/articles/walking.md changed)")
                   for line in lines), lines
        assert not any("search index" in line for line in lines), lines  # no second, deferred step
        served_tree = _tree(out)
        base_url = f"http://127.0.0.1:{server.port}/"
    assert served_tree == _clean_build(site, tmp_path / "clean", base_url)


def test_the_cache_of_every_rebuild_reaches_the_disk(tmp_path):
    """serve writes a rebuild's cache entries after the reload (and what is left when it
    stops), so a later `build` finds the edited article's parse instead of parsing it."""
    from painconnect_site.commands.cli import main
    from painconnect_site.pipeline import load

    site = write_site(tmp_path / "site")
    with running_server(site) as server:
        save(site / "content/articles/walking.md", ARTICLE.replace("Short walks help", "Gentle cachewalks help"))
        wait_for(lambda: "cachewalks" in server.get("/articles/walking/")[2], "the edit to be served")
    parsed: list[str] = []
    parse = load.parse_source
    try:
        load.parse_source = lambda source, *args: parsed.append(source.rel) or parse(source, *args)
        assert main(["build", "--source", str(site), "--output", str(tmp_path / "out")]) == 0
    finally:
        load.parse_source = parse
    assert parsed == []  # the edited text's parse was written by serve
    assert "cachewalks" in (tmp_path / "out/articles/walking/index.html").read_text(encoding="utf-8")


def test_a_save_the_watcher_missed_is_rebuilt_once_the_browsers_have_the_page(tmp_path):
    """A rebuild takes the files the watcher did not report as they were (no stat); once
    the browsers have the reloaded page the rebuilder stats them all and rebuilds what
    changed unreported (an OS may drop notifications), and says so."""
    from painconnect_site.commands.serve.watch import LiveSite, Rebuilder
    from painconnect_site.pipeline import BuildOptions

    site = write_site(tmp_path / "site")
    live = LiveSite(BuildOptions(site, tmp_path / "served", base_url="http://127.0.0.1:8000/", private_output=True))
    logged: list[str] = []
    live.log = logged.append
    live.seen.trust()  # as serve does once its watcher watches
    later: list[Callable[[], None]] = []
    reloads: list[str] = []
    rebuilder = Rebuilder(live, site, reloads.append, later.append)
    assert live.rebuild()
    page = tmp_path / "served/articles/walking/index.html"
    save(site / "content/articles/walking.md", ARTICLE.replace("Short walks help", "Gentle unreportedwalks help"))
    rebuilder([])  # e.g. a batch naming another file
    assert "unreportedwalks" not in page.read_text(encoding="utf-8")
    later.pop(0)()  # 0.3 s after the reload
    assert "unreportedwalks" in page.read_text(encoding="utf-8")
    assert any("content/articles/walking.md changed without a notification" in line for line in logged), logged
    assert len(reloads) == 2
    later.pop(0)()
    assert len(reloads) == 2 and later == []  # nothing more was missed: no further rebuild
