"""Mini sites built in tmp folders; assertions on parsed HTML, sitemap and feed."""

from __future__ import annotations

import json
import os
import xml.etree.ElementTree as ET
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from bs4 import BeautifulSoup
from conftest import ARTICLE, build_site, run_cli
from test_errors import tree_digest

from painconnect_site.commands.cli import main

ATOM = "{http://www.w3.org/2005/Atom}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


def soup(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


@pytest.fixture
def built(make_site) -> Path:
    return build_site(make_site())


def test_output_layout(built: Path):
    expected = [
        "index.html", "articles/index.html", "articles/touch/index.html", "about/index.html",
        "tags/index.html", "tags/chronic-pain/index.html", "tags/intimacy/index.html",
        "search/index.html", "404.html", "sitemap.xml", "feed.xml", "robots.txt", "static/images/logo.png",
    ]
    for rel in expected:
        assert (built / rel).is_file(), rel
    css = list((built / "static/css").glob("site.*.css"))
    assert len(css) == 1 and len(css[0].stem.split(".")[1]) == 10, "CSS must carry a content hash"


def test_article_page_shows_everything_an_editor_wrote(built: Path):
    page = soup(built / "articles/touch/index.html")
    assert page.html["lang"] == "en"
    assert [h.get_text() for h in page.find_all("h1")] == ["Touch and chronic pain"]
    assert page.title.get_text() == "Touch and chronic pain — Test Health"
    meta = page.select_one(".article-meta").get_text(" ", strip=True)
    for text in ("Test Health Editorial Team", "Not yet medically reviewed", "15 January 2026", "1 February 2026",
                 "Next review due", "1 February 2027"):
        assert text in meta
    assert page.select_one(".key-takeaways li").get_text(strip=True).startswith("Touch may help some people")
    assert page.select_one("#faq .faq-question").get_text() == "Does touch help?"
    assert page.select_one(".disclaimer") is not None
    assert page.select_one("a.skip-link")["href"] == "#main"
    assert page.find("main")["id"] == "main"
    assert page.find("link", rel="canonical")["href"] == "https://test.example/articles/touch/"


def test_citation_numbers_follow_reading_order_and_link_both_ways(built: Path):
    page = soup(built / "articles/touch/index.html")
    # Summary cites lee2019 first, body cites smith2020 + lee2019, then khan2021; FAQ reuses smith2020.
    sups = page.select("sup.cite")
    assert [s.get_text() for s in sups] == ["1", "1,2", "3", "2"]
    refs = page.select(".reference-list li")
    assert [li["id"] for li in refs] == ["ref-1", "ref-2", "ref-3"]
    assert "Lee M" in refs[0].get_text() and "Smith JA" in refs[1].get_text()
    for sup in sups:
        for link in sup.find_all("a"):
            assert page.find(id=link["href"][1:]) is not None
            assert link["aria-label"].startswith("Reference ")
    backlinks = [a["href"] for a in refs[1].select("a.backlink")]
    assert backlinks == ["#cite-2", "#cite-4"]
    assert all(page.find(id=href[1:]) is not None for href in backlinks)


def test_every_internal_link_resolves(built: Path):
    for html in built.rglob("*.html"):
        page = soup(html)
        for tag, attr in (("a", "href"), ("link", "href"), ("img", "src"), ("script", "src")):
            for element in page.find_all(tag):
                url = element.get(attr)
                if not url or urlsplit(url).scheme or url.startswith("#"):
                    continue
                path = urlsplit(url).path
                target = built / path.lstrip("/")
                if path.endswith("/"):
                    target = target / "index.html"
                assert target.is_file(), f"{html.relative_to(built)} links to missing {url}"


def test_sitemap_and_feed_and_robots(built: Path):
    sitemap = ET.parse(built / "sitemap.xml").getroot()
    locs = {u.find(f"{SITEMAP}loc").text: u.find(f"{SITEMAP}lastmod").text for u in sitemap}
    assert locs["https://test.example/articles/touch/"] == "2026-02-01"
    assert "https://test.example/about/" in locs
    feed = ET.parse(built / "feed.xml").getroot()
    entries = feed.findall(f"{ATOM}entry")
    assert [e.find(f"{ATOM}title").text for e in entries] == ["Touch and chronic pain"]
    assert entries[0].find(f"{ATOM}published").text == "2026-01-15T00:00:00Z"
    assert "Sitemap: https://test.example/sitemap.xml" in (built / "robots.txt").read_text()


def test_index_lists_articles_newest_first_with_review_date(make_site):
    newer = ARTICLE.replace('"Touch and chronic pain"', '"Newer article"').replace("date: 2026-01-15", "date: 2026-03-01").replace("reviewed: 2026-02-01", "reviewed: 2026-03-01")
    out = build_site(make_site({"content/articles/newer.md": newer}))
    cards = soup(out / "index.html").select(".article-card")
    assert [c.h2.get_text(strip=True) for c in cards] == ["Newer article", "Touch and chronic pain"]
    assert "Editorially checked 1 March 2026" in cards[0].get_text(" ", strip=True)


def test_base_url_with_a_path_prefixes_every_internal_link(make_site):
    site = make_site({"content/articles/touch.md": ARTICLE + "\nSee [about](/about/).\n"})
    out = build_site(site, None, "--base-url", "https://example.github.io/painconnect/")
    page = soup(out / "articles/touch/index.html")
    hrefs = [a["href"] for a in page.find_all("a") if a["href"].startswith("/")]
    assert hrefs and all(h.startswith("/painconnect/") for h in hrefs)
    assert page.find("link", rel="stylesheet")["href"].startswith("/painconnect/static/css/site.")
    assert page.find("link", rel="canonical")["href"] == "https://example.github.io/painconnect/articles/touch/"
    assert page.select_one('.article-body a[href="/painconnect/about/"]') is not None


def test_drafts_only_with_flag(make_site):
    draft = ARTICLE.replace("author: team", "author: team\ndraft: true").replace("[chronic-pain, intimacy]", "[drafting]")
    site = make_site({"content/articles/wip.md": draft})
    out = build_site(site)
    assert not (out / "articles/wip").exists()
    assert not (out / "tags/drafting").exists()
    out = build_site(site, None, "--drafts")
    assert (out / "articles/wip/index.html").is_file()


def test_affiliate_article_discloses_and_marks_links(make_site):
    affiliate = ARTICLE.replace("author: team", "author: team\naffiliate: true") + "\nA [pillow](https://shop.example/p).\n"
    out = build_site(make_site({"content/articles/touch.md": affiliate}))
    page = soup(out / "articles/touch/index.html")
    disclosure = page.select_one(".disclosure")
    body = page.select_one(".article-body")
    assert disclosure is not None and disclosure.sourceline < body.sourceline
    assert page.select_one('a[href="https://shop.example/p"]')["rel"] == ["sponsored", "noopener"]


def test_site_templates_override_theme_file_by_file(make_site):
    override = "{% extends 'base.html' %}{% block content %}<h1>Custom {{ doc.meta.title }}</h1>{% endblock %}\n"
    out = build_site(make_site({"templates/page.html": override}))
    assert soup(out / "about/index.html").h1.get_text() == "Custom About us"
    assert soup(out / "articles/touch/index.html").h1.get_text() == "Touch and chronic pain"


def test_autoescape_keeps_markup_in_titles_inert(make_site):
    hostile = ARTICLE.replace('"Touch and chronic pain"', '"<script>alert(1)</script> {{ 7*7 }}"')
    out = build_site(make_site({"content/articles/touch.md": hostile}))
    page = soup(out / "articles/touch/index.html")
    assert page.h1.get_text() == "<script>alert(1)</script> {{ 7*7 }}"
    assert all("alert" not in (s.string or "") or s.get("type") == "application/ld+json" for s in page.find_all("script"))


def test_two_builds_are_byte_identical(make_site, tmp_path):
    site = make_site()
    first = build_site(site, tmp_path / "one")
    second = build_site(site, tmp_path / "two")
    assert tree_digest(first) == tree_digest(second)


def test_source_date_epoch_sets_the_copyright_year(make_site):
    env = {**os.environ, "SOURCE_DATE_EPOCH": "1893456000"}  # 2030-01-01
    site = make_site()
    assert run_cli("build", "--source", site, env=env).returncode == 0
    assert "© 2030" in (site / "_site/index.html").read_text()


def test_build_prints_one_line_summary(make_site):
    result = run_cli("build", "--source", make_site())
    assert result.returncode == 0
    assert result.stdout.startswith("built ") and "(1 article) in " in result.stdout and result.stdout.count("\n") == 1


def test_check_writes_nothing(make_site):
    site = make_site()
    assert main(["check", "--source", str(site)]) == 0
    assert not (site / "_site").exists()


def test_a_reference_the_style_cannot_format_warns_at_its_entry(make_site, style_fails_for_lee, capsys):
    site = make_site()
    out = build_site(site, None, "--no-cache")
    assert capsys.readouterr().err.splitlines() == [
        "references.bib:12: warning: the citation style could not format 'lee2019' (KeyError: 'issued'); it is "
        "printed as a plain 'Authors. Title. Container. Year.' entry",
    ]
    assert "Min Lee. Social support and back pain. Journal of Pain. 2019." in (
        out / "articles/touch/index.html").read_text(encoding="utf-8")


def test_review_labels_say_what_the_review_was(make_site):
    """`reviewed` is a clinical review only when a reviewer is named; otherwise an editorial check."""
    out = build_site(make_site({"content/pages/urgent-help.md": PAGE_WITH_REVIEW}))
    article = soup(out / "articles/touch/index.html")
    labels = [dt.get_text() for dt in article.select(".article-meta dt")]
    assert "Editorially checked" in labels and "Medically reviewed" not in labels
    page = soup(out / "urgent-help/index.html")
    assert [dt.get_text() for dt in page.select(".article-meta dt")] == [
        "Medical review", "Medically reviewed", "Next review due"]
    graph = json.loads(page.find("script", type="application/ld+json").string)["@graph"]
    webpage = next(node for node in graph if node["@type"] == "WebPage")
    reviewer = next(node for node in graph if node.get("@id") == webpage["reviewedBy"]["@id"])
    assert webpage["lastReviewed"] == "2026-02-10" and reviewer["name"] == "Jane Smith"
    article_graph = json.loads(article.find("script", type="application/ld+json").string)["@graph"]
    assert all("lastReviewed" not in node for node in article_graph)


PAGE_WITH_REVIEW = """\
---
title: "Urgent help"
description: "When to call emergency services and where to find help fast if pain changes suddenly."
date: 2026-01-01
reviewed: 2026-02-10
reviewer: jane
---

Call emergency services if you cannot feel your legs.
"""
