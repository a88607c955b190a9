"""Pagination of the article list, tag pages and people pages; the home page and the feed stay short."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from conftest import ARTICLE, SITE_YAML, build_site, write_site

from painconnect_site.core.errors import Diagnostics
from painconnect_site.pipeline import BuildOptions, load_site
from painconnect_site.render.pages import render_site
from painconnect_site.render.pagination import paginate, window

ATOM = "{http://www.w3.org/2005/Atom}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


def soup(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def article(number: int, tags: str = "[chronic-pain]") -> str:
    """Article `number`, published on day `number` of January (a higher number is newer)."""
    return (ARTICLE.replace('"Touch and chronic pain"', f'"Article {number:02d}"')
            .replace("date: 2026-01-15", f"date: 2026-01-{number:02d}")
            .replace("reviewed: 2026-02-01", "reviewed: 2026-02-10")
            .replace("tags: [chronic-pain, intimacy]", f"tags: {tags}"))


def many(count: int, **extra: str) -> dict[str, str]:
    files = {f"content/articles/a{n:02d}.md": article(n) for n in range(1, count + 1)}
    files["content/articles/touch.md"] = None  # type: ignore[assignment]
    files.update(extra)
    return files


def titles(page: BeautifulSoup) -> list[str]:
    return [a.get_text() for a in page.select(".article-list .card-title a")]


@pytest.fixture
def seven(make_site) -> Path:
    """Seven articles, three to a page, the feed limited to the newest two."""
    return build_site(make_site(many(7, **{"content/site.yaml": SITE_YAML + "page_size: 3\nfeed_size: 2\n"})))


def test_the_article_list_is_split_into_pages_in_order(seven: Path):
    pages = [soup(seven / path) for path in ("articles/index.html", "articles/page/2/index.html",
                                              "articles/page/3/index.html")]
    assert [titles(page) for page in pages] == [["Article 07", "Article 06", "Article 05"],
                                               ["Article 04", "Article 03", "Article 02"], ["Article 01"]]
    assert not (seven / "articles/page/4").exists() and not (seven / "articles/page/1").exists()
    assert pages[1].h1.get_text() == "All articles (page 2 of 3)"
    assert pages[1].title.get_text() == "All articles (page 2 of 3) — Test Health"


def test_each_page_links_its_neighbours_and_is_its_own_canonical(seven: Path):
    base = "https://test.example/articles/"
    expected = {"articles/index.html": (None, base + "page/2/"),
                "articles/page/2/index.html": (base, base + "page/3/"),
                "articles/page/3/index.html": (base + "page/2/", None)}
    for path, (previous, following) in expected.items():
        page = soup(seven / path)
        link = lambda rel: (page.find("link", rel=rel) or {}).get("href")  # noqa: E731
        assert (link("prev"), link("next")) == (previous, following), path
        assert page.find("link", rel="canonical")["href"] == base + path.removeprefix("articles/").removesuffix(
            "index.html")


def test_the_numbered_navigation_is_accessible(seven: Path):
    nav = soup(seven / "articles/page/2/index.html").find("nav", attrs={"aria-label": "Pagination"})
    links = [(a.get_text(), a["href"], a.get("aria-current"), a.get("rel")) for a in nav.find_all("a")]
    assert links == [
        ("Previous page", "/articles/", None, ["prev"]),
        ("Page 1", "/articles/", None, None),
        ("Page 2", "/articles/page/2/", "page", None),
        ("Page 3", "/articles/page/3/", None, None),
        ("Next page", "/articles/page/3/", None, ["next"]),
    ]
    assert nav.select_one(".pagination-status").get_text() == "Page 2 of 3: articles 4 to 6 of 7"
    assert soup(seven / "articles/page/2/index.html").select(".breadcrumbs li")[-1].get_text() == "Page 2"


def test_tag_pages_are_paginated_too(seven: Path):
    assert titles(soup(seven / "tags/chronic-pain/index.html")) == ["Article 07", "Article 06", "Article 05"]
    assert titles(soup(seven / "tags/chronic-pain/page/3/index.html")) == ["Article 01"]
    assert soup(seven / "tags/chronic-pain/page/2/index.html").h1.get_text() == "Articles about chronic pain (page 2 of 3)"


def test_the_home_page_shows_the_newest_page_and_links_the_rest(seven: Path):
    home = soup(seven / "index.html")
    assert titles(home) == ["Article 07", "Article 06", "Article 05"]
    more = home.select_one(".more-link a")
    assert (more.get_text(), more["href"]) == ("All 7 articles", "/articles/")


def test_the_feed_holds_the_newest_n(seven: Path):
    entries = ET.parse(seven / "feed.xml").getroot().findall(f"{ATOM}entry")
    assert [entry.find(f"{ATOM}title").text for entry in entries] == ["Article 07", "Article 06"]


def test_later_pages_are_in_the_sitemap(seven: Path):
    locations = [loc.text for loc in ET.parse(seven / "sitemap.xml").getroot().iter(f"{SITEMAP}loc")]
    for url in ("articles/page/2/", "articles/page/3/", "tags/chronic-pain/page/3/"):
        assert "https://test.example/" + url in locations


def test_links_to_later_pages_resolve(make_site):
    page = "---\ntitle: \"Archive\"\ndescription: \"Where the older articles are listed for readers.\"\ndate: 2026-01-01\n---\n\nSee [older articles](/articles/page/2/).\n"
    build_site(make_site(many(4, **{"content/site.yaml": SITE_YAML + "page_size: 3\n", "content/pages/archive.md": page})))


def test_the_default_page_size_is_twenty(make_site):
    out = build_site(make_site(many(21)))
    assert len(titles(soup(out / "articles/index.html"))) == 20
    assert titles(soup(out / "articles/page/2/index.html")) == ["Article 01"]
    assert len(ET.parse(out / "feed.xml").getroot().findall(f"{ATOM}entry")) == 20


def test_a_single_page_has_no_navigation(make_site):
    page = soup(build_site(make_site()) / "articles/index.html")
    assert page.find("nav", attrs={"aria-label": "Pagination"}) is None and page.find("link", rel="next") is None


def test_a_thousand_articles_never_put_a_thousand_links_on_one_page(tmp_path):
    """Every rendered page of a 1,000-article site, counted: lists are paginated, the home page short."""
    files = {f"content/articles/a{n:04d}.md": "---\n" f'title: "Article {n}"\n'
             'description: "A short article for the pagination test, long enough for the description rule."\n'
             f"date: 2026-01-{n % 28 + 1:02d}\nreviewed: 2026-02-01\nauthor: team\ntags: [chronic-pain]\n---\n\nBody.\n"
             for n in range(1000)}
    files["content/articles/touch.md"] = None  # type: ignore[assignment]
    site = write_site(tmp_path / "site", files)
    diags = Diagnostics()
    loaded = load_site(BuildOptions(site, use_cache=False), diags)
    outputs = render_site(loaded.site, loaded.templates, diags)
    assert not diags.errors
    html = {o.path: o.data.decode() for o in outputs if o.path.endswith(".html")}
    most = max(html, key=lambda path: html[path].count('href="/articles/a'))
    assert html[most].count('href="/articles/a') <= 20, most
    assert "articles/page/50/index.html" in html and "articles/page/51/index.html" not in html
    assert "tags/chronic-pain/page/50/index.html" in html and "people/team/page/50/index.html" in html


# --- the page window -------------------------------------------------------------------------------


@pytest.mark.parametrize(("number", "count", "expected"), [
    (1, 1, [1]),
    (1, 3, [1, 2, 3]),
    (1, 50, [1, 2, 3, None, 50]),
    (4, 50, [1, 2, 3, 4, 5, 6, None, 50]),  # a gap of one page shows the page
    (25, 50, [1, None, 23, 24, 25, 26, 27, None, 50]),
    (50, 50, [1, None, 48, 49, 50]),
])
def test_the_numbered_window_stays_short(number, count, expected):
    assert window(number, count) == expected


def test_paginate_covers_every_item_once():
    items = list(range(45))
    pages = paginate("articles/", items, 20)
    assert [list(chunk) for chunk, _ in pages] == [items[:20], items[20:40], items[40:]]
    assert [p.url for _, p in pages] == ["articles/", "articles/page/2/", "articles/page/3/"]
    assert [(p.first, p.last, p.total) for _, p in pages] == [(1, 20, 45), (21, 40, 45), (41, 45, 45)]
    assert paginate("people/x/", [], 20)[0][1].count == 1  # an empty list still has its page
