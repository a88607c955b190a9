"""Pagefind search in a real browser: at the site root and under a base_url path."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from .conftest import SUBPATH

RESULT_LINK = ".pagefind-ui__result-title .pagefind-ui__result-link"


def body_words(page: Path) -> set[str]:
    article = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser").select_one(".article-body")
    return set(re.findall(r"[a-z]{7,}", article.get_text(" ").lower()))


@pytest.fixture(scope="session")
def distinctive_word(site_dir: Path, site_pages) -> str:
    """A word in the chosen article's body and in no other article: its search must find it."""
    mine = site_dir / site_pages.article / "index.html"
    others = set().union(*(body_words(p) for p in site_dir.glob("articles/*/index.html") if p != mine))
    candidates = sorted(body_words(mine) - others)
    assert candidates, "the article shares every long word with other articles"
    return candidates[0]


def article_title(site_dir: Path, article: str) -> str:
    return BeautifulSoup((site_dir / article / "index.html").read_text(encoding="utf-8"), "html.parser").h1.get_text()


def search_for(opened, word: str) -> list[tuple[str, str]]:
    page = opened.page
    search_box = page.get_by_label("Search articles")  # the visible label search.js adds
    search_box.fill(word)
    page.wait_for_selector(RESULT_LINK, timeout=10_000)
    return [(a.inner_text(), a.get_attribute("href")) for a in page.locator(RESULT_LINK).all()]


def test_search_finds_an_article_by_a_word_from_it(open_page, site_dir, site_pages, distinctive_word):
    opened = open_page(site_pages.search)
    results = search_for(opened, distinctive_word)
    title = article_title(site_dir, site_pages.article)
    assert (title, "/" + site_pages.article) in results, f"searched '{distinctive_word}', got {results}"
    opened.page.locator(f'{RESULT_LINK}[href="/{site_pages.article}"]').click()
    opened.page.wait_for_load_state("load")
    assert opened.page.locator("h1").inner_text() == title
    opened.assert_clean()


def test_search_honours_a_base_url_with_a_path(open_page, site_dir, site_pages, distinctive_word):
    opened = open_page(SUBPATH + site_pages.search + "?q=" + distinctive_word)  # ?q= runs the search at once
    opened.page.wait_for_selector(RESULT_LINK, timeout=10_000)
    expected = "/" + SUBPATH + site_pages.article
    hrefs = [a.get_attribute("href") for a in opened.page.locator(RESULT_LINK).all()]
    assert expected in hrefs, f"result links must carry the base path: {hrefs}"
    opened.page.locator(f'{RESULT_LINK}[href="{expected}"]').click()
    opened.page.wait_for_load_state("load")
    assert opened.page.locator("h1").inner_text() == article_title(site_dir, site_pages.article)
    opened.assert_clean()


def test_only_articles_are_indexed(open_page, site_pages):
    opened = open_page(site_pages.search)
    # "urgent" is on the urgent-help page and in articles: only the articles may come back.
    results = search_for(opened, "urgent")
    assert results and all(href.startswith("/articles/") for _, href in results), results
    opened.assert_clean()
