"""Browser-test fixtures: the real site built once, served on 127.0.0.1 with its
`_headers` (so the Content Security Policy is enforced), and one headless Debian
Chromium driven by Playwright for all the browser tests.

Skipped only when /usr/bin/chromium or the playwright package is missing; CI
installs both. `npm ci` provides axe-core (node_modules/axe-core/axe.min.js).
"""

from __future__ import annotations

import http.server
import shutil
import threading
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Iterator
from urllib.parse import unquote, urlsplit

import pytest
from conftest import REPO, build_site, copy_fixture

from painconnect_site.commands.cli import main

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]
AXE_JS = REPO / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOT_DIR = REPO / "test-artifacts" / "screenshots"
SUBPATH = "sub/"  # a second build served under a path, as on GitHub project pages

try:
    from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright
except ImportError:  # pragma: no cover - depends on the machine
    sync_playwright = None


def missing_requirement() -> str | None:
    if sync_playwright is None:
        return "browser tests need the playwright Python package (pip install playwright)"
    if not CHROMIUM.is_file():
        return "browser tests need Debian's Chromium at /usr/bin/chromium (apt-get install chromium)"
    return None


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    reason = missing_requirement()
    if reason:
        here = Path(__file__).parent
        for item in items:
            if here in item.path.parents:
                item.add_marker(pytest.mark.skip(reason=reason))


# --- the built site and its server -------------------------------------------------


@pytest.fixture(scope="session")
def site_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The site at the server root, plus a copy built for base_url .../sub/ under sub/."""
    work = tmp_path_factory.mktemp("browser-site")
    source = copy_fixture("example", work / "source")
    out = build_site(source, work / "www")
    build_site(source, out / SUBPATH.rstrip("/"), "--base-url", f"https://painconnect.example/{SUBPATH}")
    return out


def parse_headers_file(text: str) -> list[tuple[str, list[tuple[str, str]]]]:
    """Netlify/Cloudflare `_headers`: an unindented path pattern, then indented `Name: value` lines."""
    rules: list[tuple[str, list[tuple[str, str]]]] = []
    for line in text.splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        if not line[0].isspace():
            rules.append((line.strip(), []))
        elif rules:
            name, _, value = line.strip().partition(":")
            rules[-1][1].append((name.strip(), value.strip()))
    return rules


def headers_for(path: str, rules: list[tuple[str, list[tuple[str, str]]]]) -> dict[str, str]:
    """Every matching rule applies; a header set twice is joined with a comma, as those hosts do."""
    merged: dict[str, str] = {}
    for pattern, headers in rules:
        matches = path.startswith(pattern[:-1]) if pattern.endswith("*") else path == pattern
        if matches:
            for name, value in headers:
                merged[name] = f"{merged[name]}, {value}" if name in merged else value
    return merged


class SiteHandler(http.server.SimpleHTTPRequestHandler):
    """Static files with the site's own `_headers` applied and its 404 page for misses."""

    header_rules: list[tuple[str, list[tuple[str, str]]]] = []

    def end_headers(self) -> None:
        for name, value in headers_for(unquote(urlsplit(self.path).path), self.header_rules).items():
            self.send_header(name, value)
        super().end_headers()

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        not_found = Path(self.directory) / "404.html"
        if code != 404 or not not_found.is_file():
            super().send_error(code, message, explain)
            return
        body = not_found.read_bytes()
        self.send_response(404)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - stdlib signature
        pass  # keep pytest output readable


@contextmanager
def serving(folder: Path) -> Iterator[str]:
    """A built site served on 127.0.0.1 with its own `_headers`; yields its root URL."""
    handler = type("Handler", (SiteHandler,), {"header_rules": parse_headers_file((folder / "_headers").read_text())})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), partial(handler, directory=str(folder)))
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


@contextmanager
def serving_fixture(name: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A copy of tests/fixtures/<name>/ built and served (see `serving`); yields its root URL."""
    work = tmp_path_factory.mktemp(name)
    with serving(build_site(copy_fixture(name, work / "source"), work / "www")) as url:
        yield url


@pytest.fixture(scope="session")
def base_url(site_dir: Path) -> Iterator[str]:
    with serving(site_dir) as url:
        yield url


# --- the browser -----------------------------------------------------------------


@pytest.fixture(scope="package")
def browser() -> Iterator[Browser]:
    # One browser for all browser tests, closed when they finish: Playwright's sync API
    # keeps an asyncio loop running in this thread, which would break later asyncio.run().
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@dataclass
class PageWatch:
    """Everything a page did wrong: console errors, uncaught exceptions, CSP violations, foreign requests."""

    expected_404: str | None = None  # the 404 page's own address: Chromium logs its status as an error
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    foreign_requests: list[str] = field(default_factory=list)

    def attach(self, page: Page) -> None:
        page.on("console", self._check_console)
        page.on("pageerror", lambda exc: self.page_errors.append(f"{page.url}: {exc}"))
        page.on("request", self._check_host)

    def _check_console(self, message) -> None:
        if message.type != "error":
            return
        own_status = message.location.get("url") == self.expected_404 and "status of 404" in message.text
        if not own_status:
            self.console_errors.append(f"{message.location.get('url')}: {message.text}")

    def _check_host(self, request) -> None:
        host = urlsplit(request.url).hostname
        if request.url.startswith(("http:", "https:", "ws:", "wss:")) and host != "127.0.0.1":
            self.foreign_requests.append(request.url)

    def problems(self, page: Page) -> list[str]:
        violations = page.evaluate("window.__cspViolations || []") if not page.is_closed() else []
        return [*self.console_errors, *self.page_errors, *(f"request to {u}" for u in self.foreign_requests),
                *(f"CSP violation: {v}" for v in violations)]


# Recorded from the first script that runs in every document: the CSP's own report.
CSP_LISTENER = """
window.__cspViolations = [];
document.addEventListener('securitypolicyviolation', (e) => {
  window.__cspViolations.push(`${e.violatedDirective} blocked ${e.blockedURI || 'inline'} in ${e.sourceFile || e.documentURI}:${e.lineNumber}`);
});
"""


@dataclass
class OpenedPage:
    page: Page
    watch: PageWatch

    def assert_clean(self) -> None:
        problems = self.watch.problems(self.page)
        assert problems == [], "the page logged errors, broke its CSP or called another host:\n" + "\n".join(problems)


@pytest.fixture
def open_page(browser: Browser, base_url: str) -> Iterator:
    """open_page(path, color_scheme=..., width=..., height=...) -> OpenedPage; contexts closed after the test.

    `site=` another served root (from `serving`) instead of the example site; `scale=` a device pixel ratio."""
    contexts: list[BrowserContext] = []

    def opener(path: str, color_scheme: str = "light", width: int = 1280, height: int = 800,
               expect_status: int = 200, site: str | None = None, scale: float = 1) -> OpenedPage:
        context = browser.new_context(viewport={"width": width, "height": height}, color_scheme=color_scheme,
                                      reduced_motion="reduce", service_workers="block", device_scale_factor=scale)
        contexts.append(context)
        context.add_init_script(CSP_LISTENER)
        page = context.new_page()
        url = (site or base_url) + path.lstrip("/")
        watch = PageWatch(expected_404=url if expect_status == 404 else None)
        watch.attach(page)
        response = page.goto(url, wait_until="load")
        assert response is not None and response.status == expect_status, f"{path}: HTTP {response and response.status}"
        return OpenedPage(page, watch)

    yield opener
    for context in contexts:
        context.close()


@pytest.fixture(scope="session")
def axe_source() -> str:
    if not AXE_JS.is_file():
        pytest.fail(f"{AXE_JS.relative_to(REPO)} is missing: run `npm ci` in the repository first")
    return AXE_JS.read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def screenshot_dir() -> Path:
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    print(f"\nscreenshots for people to look at: {SCREENSHOT_DIR}")
    return SCREENSHOT_DIR


# --- which pages to open -------------------------------------------------------------


@dataclass(frozen=True)
class SitePages:
    home: str
    article: str
    tag: str
    search: str
    not_found: str
    person: str

    def named(self) -> dict[str, str]:
        return {"home": self.home, "article": self.article, "tag": self.tag, "search": self.search,
                "404": self.not_found, "person": self.person}


def pick_article(site_dir: Path) -> str:
    """The richest article: a red-flag callout, a table of contents and a table, if one has all three."""
    pages = sorted(site_dir.glob("articles/*/index.html"))
    assert pages, "the site has no articles"
    wanted = ('class="admonition danger"', 'class="toc"', "<table")
    rich = [p for p in pages if all(marker in p.read_text(encoding="utf-8") for marker in wanted)]
    return (rich or pages)[0].parent.relative_to(site_dir).as_posix() + "/"


@pytest.fixture(scope="session")
def site_pages(site_dir: Path) -> SitePages:
    tags = sorted(p.parent for p in site_dir.glob("tags/*/index.html"))
    people = sorted(p.parent for p in site_dir.glob("people/*/index.html"))
    assert tags and people, "the site has no tag pages or no people pages"
    return SitePages(home="", article=pick_article(site_dir), tag=tags[0].relative_to(site_dir).as_posix() + "/",
                     search="search/", not_found="no-such-page-here/",
                     person=people[0].relative_to(site_dir).as_posix() + "/")


def pytest_terminal_summary(terminalreporter) -> None:
    if SCREENSHOT_DIR.is_dir() and any(SCREENSHOT_DIR.glob("*.png")):
        terminalreporter.write_line(f"browser screenshots (for people to look at): {SCREENSHOT_DIR}")
