#!/usr/bin/env python3
"""Run Lighthouse on the built site, as a reader's phone would see it.

Builds the repository's site for a local address, serves it on 127.0.0.1 the
way Netlify or Cloudflare Pages would (the `_headers` file applied, gzip on),
and runs Lighthouse (npm devDependency, `npm ci` first) in Debian's Chromium on
the home page and one article with its default mobile profile: a mid-range
phone on a throttled "slow 4G" connection. Prints the four category scores as
a Markdown table for the README (Lighthouse scores); full reports go to test-artifacts/.

    npm ci && python3 scripts/lighthouse.py [--article articles/SLUG/]

Not part of the test suite: it takes about 15 seconds per page.
"""

from __future__ import annotations

import argparse
import gzip
import http.server
import json
import os
import socket
import subprocess
import sys
import tempfile
import threading
from functools import partial
from pathlib import Path
from urllib.parse import unquote, urlsplit

REPO = Path(__file__).resolve().parents[1]
LIGHTHOUSE = REPO / "node_modules" / ".bin" / "lighthouse"
CHROMIUM = "/usr/bin/chromium"
CHROME_FLAGS = ("--headless --no-sandbox --disable-gpu --disable-background-networking "
                "--disable-component-update --disable-sync --no-first-run")
CATEGORIES = ("performance", "accessibility", "best-practices", "seo")
REPORT_DIR = REPO / "test-artifacts" / "lighthouse"
COMPRESSIBLE = (".html", ".css", ".js", ".json", ".xml", ".svg", ".txt")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def build_site(out: Path, base_url: str) -> None:
    subprocess.run([sys.executable, str(REPO / "build.py"), "build", "--output", str(out), "--base-url", base_url],
                   check=True)


def header_rules(site: Path) -> list[tuple[str, list[tuple[str, str]]]]:
    rules: list[tuple[str, list[tuple[str, str]]]] = []
    for line in (site / "_headers").read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        if not line[0].isspace():
            rules.append((line.strip(), []))
        else:
            name, _, value = line.strip().partition(":")
            rules[-1][1].append((name.strip(), value.strip()))
    return rules


class StaticHost(http.server.SimpleHTTPRequestHandler):
    """Like a static host: `_headers` applied, text gzipped, the site's 404 page for misses."""

    rules: list[tuple[str, list[tuple[str, str]]]] = []

    def end_headers(self) -> None:
        path = unquote(urlsplit(self.path).path)
        for pattern, headers in self.rules:
            if path.startswith(pattern[:-1]) if pattern.endswith("*") else path == pattern:
                for name, value in headers:
                    self.send_header(name, value)
        super().end_headers()

    def send_head(self):  # noqa: ANN201 - stdlib signature
        path = Path(self.translate_path(self.path))
        if path.is_dir():
            path = path / "index.html"
        gzip_ok = "gzip" in self.headers.get("Accept-Encoding", "")
        if not (gzip_ok and path.is_file() and path.suffix in COMPRESSIBLE):
            return super().send_head()
        body = gzip.compress(path.read_bytes())
        self.send_response(200)
        self.send_header("Content-Type", self.guess_type(str(path)))
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        return _BytesReader(body)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - stdlib signature
        pass


class _BytesReader:
    def __init__(self, data: bytes):
        self.data = data

    def read(self, *_: object) -> bytes:
        data, self.data = self.data, b""
        return data

    def close(self) -> None:
        pass


def serve(site: Path, port: int) -> http.server.ThreadingHTTPServer:
    handler = type("Host", (StaticHost,), {"rules": header_rules(site)})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), partial(handler, directory=str(site)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def lighthouse_command(url: str, report: Path) -> list[str]:
    return [str(LIGHTHOUSE), url, f"--chrome-flags={CHROME_FLAGS}", f"--only-categories={','.join(CATEGORIES)}",
            "--output=json", f"--output-path={report}", "--quiet"]


def run_lighthouse(url: str, report: Path) -> dict[str, int]:
    env = {**os.environ, "CHROME_PATH": CHROMIUM}
    subprocess.run(lighthouse_command(url, report), check=True, env=env)
    categories = json.loads(report.read_text(encoding="utf-8"))["categories"]
    return {name: round(categories[name]["score"] * 100) for name in CATEGORIES}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--article", default=None, help="article path to test, e.g. articles/back-pain-red-flags/")
    args = parser.parse_args()
    if not LIGHTHOUSE.exists():
        print("Lighthouse is not installed: run `npm ci` in the repository first", file=sys.stderr)
        return 2
    port = free_port()
    base_url = f"http://127.0.0.1:{port}/"
    with tempfile.TemporaryDirectory(prefix="lighthouse-site-") as tmp:
        site = Path(tmp) / "site"
        build_site(site, base_url)
        article = args.article or sorted(site.glob("articles/*/index.html"))[0].parent.relative_to(site).as_posix() + "/"
        server = serve(site, port)
        REPORT_DIR.mkdir(parents=True, exist_ok=True)
        rows = []
        try:
            for name, path in (("home", ""), ("article", article)):
                scores = run_lighthouse(base_url + path, REPORT_DIR / f"{name}.json")
                rows.append((f"/{path}", scores))
        finally:
            server.shutdown()
    print("| Page | " + " | ".join(CATEGORIES) + " |")
    print("|---|" + "---|" * len(CATEGORIES))
    for path, scores in rows:
        print(f"| `{path}` | " + " | ".join(str(scores[c]) for c in CATEGORIES) + " |")
    print(f"\nCommand per page: CHROME_PATH={CHROMIUM} " + " ".join(
        f"'{part}'" if " " in part else part for part in lighthouse_command(base_url + "PAGE", Path("REPORT.json"))))
    print(f"Full reports: {REPORT_DIR}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
