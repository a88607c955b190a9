"""Request handling for `serve`: URL-to-file resolution inside the output folder, content types, error pages.

`resolve_request` maps a raw URL path to a file and never outside the served
folder (encoded `..`, absolute paths and symlinks out are refused), redirects
folders to their slash form and answers stale fingerprinted CSS/JS names with
the current file; `OutputHandler` is the tornado handler that serves the
result, the site's 404.html, and the build-error overlay or page.
"""

from __future__ import annotations

import html
import mimetypes
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Sequence
from urllib.parse import quote, unquote

from tornado import web

if TYPE_CHECKING:
    from .watch import LiveSite

_FINGERPRINT_RE = re.compile(r"^(?P<stem>.+)\.[0-9a-f]{10}(?P<suffix>\.(?:css|js))$")


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
