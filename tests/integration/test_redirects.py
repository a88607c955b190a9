"""Redirects from old URLs (front-matter `aliases`), and `check` noticing a URL that disappeared.

A page's `aliases` each get a redirect page at the old address (meta refresh, canonical, noindex)
and a `_redirects` rule for Netlify and Cloudflare Pages. `check` compares the previous build's
sitemap with what the site publishes now: a page that moved without an alias is `missing-alias`
(at the page), one that is gone is `removed-page` (at the old sitemap's line).
"""

from __future__ import annotations

import re
from pathlib import Path

from bs4 import BeautifulSoup
from conftest import ARTICLE, SITE_YAML, build_site

from painconnect_site.commands.cli import main

ALIASED = ARTICLE.replace("tags: [chronic-pain, intimacy]\n",
                          "tags: [chronic-pain, intimacy]\naliases: [/articles/touching/, /old/touch.html, /touch]\n")


def soup(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def test_each_alias_gets_a_redirect_page_to_the_page(make_site):
    out = build_site(make_site({"content/articles/touch.md": ALIASED}))
    target = "https://test.example/articles/touch/"
    for path in ("articles/touching/index.html", "old/touch.html", "touch/index.html"):
        page = soup(out / path)
        assert page.find("link", rel="canonical")["href"] == target
        assert page.find("meta", attrs={"name": "robots"})["content"] == "noindex"
        assert page.find("meta", attrs={"http-equiv": "refresh"})["content"] == f"0; url={target}"
        assert page.find("a")["href"] == target and page.find("a").get_text() == "Touch and chronic pain"
        assert page.html["lang"] == "en" and page.title.get_text().startswith("Moved: Touch and chronic pain")
    assert (out / "_redirects").read_text(encoding="utf-8").splitlines()[1:] == [
        "/articles/touching/ /articles/touch/ 301",
        "/old/touch.html /articles/touch/ 301",
        "/touch/ /articles/touch/ 301",
    ]


def test_redirects_are_not_in_the_sitemap_but_get_html_cache_headers(make_site):
    out = build_site(make_site({"content/articles/touch.md": ALIASED}))
    sitemap = (out / "sitemap.xml").read_text(encoding="utf-8")
    assert "touching" not in sitemap and "old/touch" not in sitemap
    headers = (out / "_headers").read_text(encoding="utf-8").splitlines()
    for pattern in ("/old/*", "/touch/*", "/articles/*"):
        assert headers[headers.index(pattern) + 1] == "  Cache-Control: public, max-age=300"


def test_redirects_follow_a_base_path(make_site):
    site = make_site({"content/articles/touch.md": ALIASED})
    out = build_site(site, site / "_sub", "--base-url", "https://user.example.io/health/")
    assert "/health/articles/touching/ /health/articles/touch/ 301" in (out / "_redirects").read_text()
    refresh = soup(out / "articles/touching/index.html").find("meta", attrs={"http-equiv": "refresh"})
    assert refresh["content"] == "0; url=https://user.example.io/health/articles/touch/"


def test_a_site_without_aliases_writes_no_redirects_file(make_site):
    assert not (build_site(make_site()) / "_redirects").exists()


# --- check: a URL of the previous build that disappeared -------------------------------------------


def check(site: Path, capsys, *args: str) -> tuple[int, list[str]]:
    capsys.readouterr()
    code = main(["check", "--source", str(site), *args])
    return code, [line for line in capsys.readouterr().err.splitlines() if "alias" in line or "removed-page" in line]


def edit(site: Path, rel: str, old: str, new: str) -> None:
    path = site / rel
    path.write_text(path.read_text(encoding="utf-8").replace(old, new, 1), encoding="utf-8")


def test_check_reports_a_renamed_slug_without_an_alias(make_site, capsys):
    site = make_site()
    build_site(site)  # the previous build: its sitemap has /articles/touch/
    edit(site, "content/articles/touch.md", "author: team\n", "author: team\nslug: touch-and-pain\n")
    code, lines = check(site, capsys, "--strict")
    assert code == 1
    assert lines == [
        "content/articles/touch.md:7: warning: the previous build published this page at /articles/touch/, now it is "
        "at /articles/touch-and-pain/; add `aliases: [/articles/touch/]` so links and bookmarks to the old address "
        "keep working [missing-alias]"]
    edit(site, "content/articles/touch.md", "slug: touch-and-pain\n", "slug: touch-and-pain\naliases: [/articles/touch/]\n")
    assert check(site, capsys)[1] == []


def test_check_names_a_renamed_file_by_its_title(make_site, capsys):
    site = make_site()
    build_site(site)
    (site / "content/articles/touch.md").rename(site / "content/articles/touch-and-closeness.md")
    assert check(site, capsys)[1] == [
        "content/articles/touch-and-closeness.md:1: warning: the previous build published this page at "
        "/articles/touch/, now it is at /articles/touch-and-closeness/; add `aliases: [/articles/touch/]` so links "
        "and bookmarks to the old address keep working [missing-alias]"]


def test_check_reports_a_removed_page_at_the_old_sitemap(make_site, capsys):
    site = make_site()
    out = build_site(site)
    line = next(number for number, text in enumerate((out / "sitemap.xml").read_text().splitlines(), start=1)
                if "/about/<" in text)
    (site / "content/pages/about.md").unlink()
    assert check(site, capsys)[1] == [
        f"_site/sitemap.xml:{line}: warning: /about/ was published by the previous build and is gone; if its page "
        "moved, add `aliases: [/about/]` to the page that replaced it [removed-page]"]


def test_without_the_build_record_check_still_sees_the_vanished_url(make_site, capsys):
    """A --no-cache build records no sources: the old URL is still reported, at the sitemap."""
    site = make_site()
    build_site(site, None, "--no-cache")
    edit(site, "content/articles/touch.md", "author: team\n", "author: team\nslug: touch-and-pain\n")
    lines = check(site, capsys)[1]
    assert len(lines) == 1 and re.match(r"_site/sitemap\.xml:\d+: warning: /articles/touch/ was published", lines[0])


def test_pages_that_come_and_go_with_the_content_are_not_reported(make_site, capsys):
    """Later pages of a list and tag pages follow the articles; only documents' URLs are promises."""
    site = make_site({"content/site.yaml": SITE_YAML + "page_size: 1\n", "content/articles/second.md": ARTICLE.replace(
        "Touch and chronic pain", "Second article").replace("[chronic-pain, intimacy]", "[second-topic]")})
    out = build_site(site)
    assert (out / "articles/page/2/index.html").is_file() and (out / "tags/second-topic/index.html").is_file()
    (site / "content/articles/second.md").unlink()  # its page, articles/page/2/ and its tag page go
    lines = check(site, capsys)[1]
    assert len(lines) == 1 and "/articles/second/ was published by the previous build" in lines[0], lines


def test_no_previous_build_no_report(make_site, capsys):
    site = make_site()
    edit(site, "content/articles/touch.md", "author: team\n", "author: team\nslug: touch-and-pain\n")
    assert check(site, capsys) == (0, [])


def test_a_build_into_another_folder_keeps_the_record_of_site(make_site, capsys, tmp_path):
    """`serve` builds into a temporary folder: the record of _site/ must survive it."""
    site = make_site()
    build_site(site)
    build_site(site, tmp_path / "preview")
    edit(site, "content/articles/touch.md", "author: team\n", "author: team\nslug: touch-and-pain\n")
    assert [line.split(": warning:")[0] for line in check(site, capsys)[1]] == ["content/articles/touch.md:7"]
