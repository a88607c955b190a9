"""Reader-facing output without a browser: `_headers`, page-weight budgets, no
third-party requests, the search index, print CSS, pages that work without
JavaScript, and the HTML that keeps the Content Security Policy satisfiable."""

from __future__ import annotations

import gzip
import json
import re
import shutil
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from bs4 import BeautifulSoup
from conftest import build_site, copy_fixture

from painconnect_site.commands.cli import main
from painconnect_site.render.tables import accessible_tables

BUDGET_BYTES = 60 * 1024  # an article page: HTML + CSS + JS, gzip-compressed
@pytest.fixture(scope="module")
def real_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The realistic example site (tests/fixtures/example), built from a copy."""
    work = tmp_path_factory.mktemp("real-site")
    return build_site(copy_fixture("example", work / "source"), work / "out")


def soup(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def html_files(out: Path) -> list[Path]:
    return sorted(out.rglob("*.html"))


def article_pages(out: Path) -> list[Path]:
    return sorted(out.glob("articles/*/index.html"))


# --- _headers ----------------------------------------------------------------------


def parse_headers(text: str) -> list[tuple[str, dict[str, str]]]:
    rules: list[tuple[str, dict[str, str]]] = []
    for line in text.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        if not line[0].isspace():
            rules.append((line.strip(), {}))
        else:
            name, _, value = line.strip().partition(":")
            rules[-1][1][name.strip()] = value.strip()
    return rules


def cache_rules_for(path: str, rules: list[tuple[str, dict[str, str]]]) -> list[str]:
    """Cache-Control values of every rule matching `path` (hosts merge all of them)."""
    return [headers["Cache-Control"] for pattern, headers in rules if "Cache-Control" in headers
            and (path.startswith(pattern[:-1]) if pattern.endswith("*") else path == pattern)]


def url_path(out: Path, file: Path, base: str = "/") -> str:
    rel = file.relative_to(out).as_posix()
    return base + (rel[: -len("index.html")] if rel.endswith("index.html") and rel != "404.html" else rel)


def test_headers_cache_fingerprinted_assets_forever_and_html_briefly(real_site: Path):
    rules = parse_headers((real_site / "_headers").read_text(encoding="utf-8"))
    for file in sorted(p for p in real_site.rglob("*") if p.is_file() and p.name != "_headers"):
        path = url_path(real_site, file)
        values = cache_rules_for(path, rules)
        assert len(values) <= 1, f"{path} matches {len(values)} Cache-Control rules: hosts would join them"
        if file.suffix in (".css", ".js") and path.startswith("/static/"):
            assert values == ["public, max-age=31536000, immutable"], path
        elif file.suffix in (".html", ".xml"):
            assert len(values) == 1 and "max-age=300" in values[0], path
    assert cache_rules_for("/", rules) and cache_rules_for("/articles/", rules)


def test_headers_carry_a_strict_content_security_policy(real_site: Path):
    rules = parse_headers((real_site / "_headers").read_text(encoding="utf-8"))
    everywhere = dict(rules)["/*"]
    csp = dict(d.strip().split(" ", 1) for d in everywhere["Content-Security-Policy"].split(";"))
    assert csp["default-src"] == "'self'"
    assert csp["script-src"] == "'self'"  # the site's own scripts, nothing inline, no eval or WebAssembly
    assert csp["style-src"] == "'self'"
    assert csp["frame-ancestors"] == "'none'" and csp["object-src"] == "'none'"
    assert "unsafe-inline" not in everywhere["Content-Security-Policy"]
    assert everywhere["X-Content-Type-Options"] == "nosniff"


def test_headers_honour_a_base_url_path(make_site, tmp_path: Path):
    out = build_site(make_site(), tmp_path / "out", "--base-url", "https://example.org/health/")
    patterns = [pattern for pattern, _ in parse_headers((out / "_headers").read_text(encoding="utf-8"))]
    assert all(p.startswith("/health/") for p in patterns), patterns
    assert {"/health/*", "/health/static/css/*", "/health/static/js/*", "/health/"} <= set(patterns)


# --- what the CSP allows -----------------------------------------------------------


def test_no_inline_scripts_or_styles_anywhere(real_site: Path):
    for page in html_files(real_site):
        document = soup(page)
        assert document.find("style") is None, page
        assert document.find(attrs={"style": True}) is None, f"{page}: inline style attribute"
        for script in document.find_all("script"):
            assert script.get("src") or script.get("type") == "application/ld+json", f"{page}: inline script"
            if script.get("src"):
                assert script.has_attr("defer") or script.has_attr("async"), f"{page}: render-blocking {script['src']}"
        handlers = [f"{tag.name}[{name}]" for tag in document.find_all(True) for name in tag.attrs if name.startswith("on")]
        assert handlers == [], f"{page}: inline event handlers {handlers}"


def test_no_third_party_requests_in_any_output(real_site: Path):
    """Only same-site resources are loaded; links to sources elsewhere are fine (a click, not a request)."""
    for page in html_files(real_site):
        document = soup(page)
        loaded = [tag.get("src") for tag in document.find_all(["script", "img", "iframe", "audio", "video", "source"])]
        loaded += [link.get("href") for link in document.find_all("link")
                   if not {"canonical", "alternate"} & set(link.get("rel", []))]
        for url in filter(None, loaded):
            assert not urlsplit(url).netloc, f"{page}: loads {url}"
    for css in real_site.glob("static/**/*.css"):
        text = css.read_text(encoding="utf-8")
        assert not re.search(r"""url\(\s*["']?(?:https?:)?//""", text), css
        assert not re.search(r"""@import\s+["']?(?:url\()?\s*["']?(?:https?:)?//""", text), css
    for script in real_site.glob("static/**/*.js"):
        assert not re.search(r"""["'](?:https?:)?//[a-z0-9.-]+\.[a-z]{2,}/""", script.read_text(encoding="utf-8")), script


# --- budgets -----------------------------------------------------------------------


def page_weight(out: Path, page: Path) -> int:
    """Gzipped bytes of an article's HTML and every CSS and JS file it loads (search index excluded)."""
    document = soup(page)
    files = [link["href"] for link in document.find_all("link", rel="stylesheet")]
    files += [script["src"] for script in document.find_all("script", src=True)]
    total = len(gzip.compress(page.read_bytes(), 9))
    for url in files:
        total += len(gzip.compress((out / url.lstrip("/")).read_bytes(), 9))
    return total


def test_article_pages_fit_the_60_kb_budget(real_site: Path):
    weights = {page.parent.name: page_weight(real_site, page) for page in article_pages(real_site)}
    assert weights, "no articles built"
    too_heavy = {name: size for name, size in weights.items() if size > BUDGET_BYTES}
    assert not too_heavy, f"over {BUDGET_BYTES} bytes compressed: {too_heavy}"


def test_css_and_js_are_fingerprinted(real_site: Path):
    for page in html_files(real_site):
        document = soup(page)
        urls = [l["href"] for l in document.find_all("link", rel="stylesheet")] + [s["src"] for s in document.find_all("script", src=True)]
        theme = [u for u in urls if u.startswith("/static/")]
        assert all(re.search(r"\.[0-9a-f]{10}\.(css|js)$", u) for u in theme), theme


# --- search ------------------------------------------------------------------------


def test_search_index_covers_exactly_the_articles(real_site: Path):
    bundle = real_site / "search-index"
    meta = json.loads((bundle / "meta.json").read_text(encoding="utf-8"))
    assert meta["v"] == 1 and meta["n"] == len(article_pages(real_site))
    assert sorted(p.stem for p in (bundle / "s").glob("*.json")) == sorted(meta["shards"])
    urls = sorted(json.loads(p.read_text(encoding="utf-8"))["u"] for p in (bundle / "d").glob("*.json"))
    assert urls == sorted(p.parent.relative_to(real_site).as_posix() + "/" for p in article_pages(real_site))
    tags = {p.stem for p in (bundle / "t").glob("*.json")}
    assert tags and tags == {p.parent.name for p in real_site.glob("tags/*/index.html")}


def test_search_index_files_are_small_plain_json(real_site: Path):
    for file in (real_site / "search-index").rglob("*"):
        if file.is_file():
            assert file.suffix == ".json", file
            json.loads(file.read_text(encoding="utf-8"))
    for shard in (real_site / "search-index/s").glob("*.json"):
        assert len(gzip.compress(shard.read_bytes())) < 32 * 1024, shard


def test_search_page_loads_its_script_deferred_under_the_base_path(make_site, tmp_path: Path):
    out = build_site(make_site(), tmp_path / "out", "--base-url", "https://example.org/health/")
    page = soup(out / "search/index.html")
    scripts = [s["src"] for s in page.find_all("script", src=True)]
    assert len(scripts) == 1 and re.fullmatch(r"/health/static/js/search\.[0-9a-f]{10}\.js", scripts[0]), scripts
    assert all(s.has_attr("defer") for s in page.find_all("script", src=True))
    form = page.select_one("form#search-form")
    assert form["data-index"] == "/health/search-index/" and form["data-base-url"] == "/health/"
    assert form.has_attr("hidden") and form["role"] == "search"  # shown by the script, which needs it
    assert page.find("label", attrs={"for": "search-input"}).get_text(strip=True) == "Search articles"
    assert page.select_one("#search-status")["role"] == "status"
    topics = [option["value"] for option in page.select("#search-tag option")]
    assert topics[0] == "" and "chronic-pain" in topics
    assert (out / "search-index/meta.json").is_file()


def test_search_page_explains_itself_without_javascript(real_site: Path):
    notice = soup(real_site / "search/index.html").find("noscript")
    assert notice is not None and "all articles" in notice.get_text()


def test_search_index_has_its_own_cache_rule(real_site: Path):
    rules = parse_headers((real_site / "_headers").read_text(encoding="utf-8"))
    for file in (real_site / "search-index").rglob("*.json"):
        assert cache_rules_for(url_path(real_site, file), rules) == ["public, max-age=0, must-revalidate"], file


# --- reading without JavaScript, printing --------------------------------------------


def test_articles_are_complete_without_javascript(real_site: Path):
    """Everything in an article is in the HTML: no script builds or reveals content."""
    for page in article_pages(real_site):
        document = soup(page)
        assert document.find("script", src=True) is None, f"{page} loads JavaScript"
        assert document.select_one(".article-body p") is not None
        assert document.select_one(".reference-list li") is not None


def test_print_stylesheet_prints_references_with_their_addresses(real_site: Path):
    css = next(real_site.glob("static/css/site.*.css")).read_text(encoding="utf-8")
    print_css = css[css.index("@media print"):]
    assert 'attr(href)' in print_css and ".reference-list a" in print_css
    assert ".print-only { display: block; }" in print_css
    assert "display: none" in print_css and ".site-header nav" in print_css
    printed_from = soup(article_pages(real_site)[0]).select_one(".print-only")
    assert printed_from is not None and "https://" in printed_from.get_text()


def test_theme_honours_dark_mode_reduced_motion_and_focus(real_site: Path):
    css = next(real_site.glob("static/css/site.*.css")).read_text(encoding="utf-8")
    assert "@media (prefers-color-scheme: dark)" in css
    assert "@media (prefers-reduced-motion: reduce)" in css
    assert ":focus-visible" in css and "outline: 3px solid" in css
    assert re.search(r"html \{ font-size: 112\.5%", css)  # 18px body text that scales with the reader's setting


# --- tables --------------------------------------------------------------------------


TABLE = """<table>
<thead>
<tr>
<th scope="col">Sign</th>
<th scope="col" style="text-align: right;">What to do</th>
</tr>
</thead>
<tbody>
<tr>
<td>Fever</td>
<td style="text-align: right;">Call a doctor</td>
</tr>
</tbody>
</table>"""


def test_tables_are_named_native_tables_free_of_inline_styles():
    html = str(accessible_tables('<h2 id="soon">See a doctor &amp; soon</h2>\n' + TABLE))
    frame = BeautifulSoup(html, "html.parser").select_one("div.table-scroll")
    assert frame["role"] == "region" and frame["tabindex"] == "0"
    assert frame["aria-label"] == "Table: See a doctor & soon"
    assert frame.find("td", string="Call a doctor")["class"] == ["align-right"]
    assert "style=" not in html and frame.find("th")["scope"] == "col"
    # The HTML standard forbids roles on a native table's own elements (the Nu checker rejects them).
    parts = frame.find_all(["table", "thead", "tbody", "tr", "th", "td"])
    assert [el.name for el in parts if el.has_attr("role") or el.has_attr("data-label")] == []


def test_a_table_paragraph_becomes_the_caption():
    html = str(accessible_tables("<p>Table: Signs that need a doctor <em>soon</em></p>\n" + TABLE))
    document = BeautifulSoup(html, "html.parser")
    caption = document.find("caption")
    assert caption.get_text() == "Signs that need a doctor soon"
    assert document.select_one(".table-scroll")["aria-labelledby"] == caption["id"]
    assert "Table:" not in document.get_text()
