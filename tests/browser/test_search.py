"""The search page in a real browser, with the site's CSP enforced: at the site root and
under a base_url path, by keyboard, with the topic filter and more results on request."""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from .conftest import SUBPATH

RESULT_LINK = ".search-result-title a"


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


def wait_until(page, expression: str, seconds: float = 10) -> None:
    """Poll `expression` through the DevTools protocol (page.wait_for_function would eval a
    string inside the page, which its Content Security Policy rightly refuses)."""
    deadline = time.monotonic() + seconds
    while not page.evaluate(expression):
        assert time.monotonic() < deadline, f"timed out waiting for {expression}"
        time.sleep(0.05)


def search_for(opened, word: str) -> list[tuple[str, str]]:
    page = opened.page
    page.get_by_label("Search articles").fill(word)
    page.wait_for_selector(RESULT_LINK, timeout=10_000)
    return [(a.inner_text(), a.get_attribute("href")) for a in page.locator(RESULT_LINK).all()]


def test_search_finds_an_article_by_a_word_from_it(open_page, site_dir, site_pages, distinctive_word):
    opened = open_page(site_pages.search)
    results = search_for(opened, distinctive_word)
    title = article_title(site_dir, site_pages.article)
    assert results == [(title, "/" + site_pages.article)], f"searched '{distinctive_word}', got {results}"
    marked = opened.page.locator(".search-result-excerpt mark").all_inner_texts()
    assert distinctive_word in [m.lower() for m in marked], marked  # the excerpt shows the word, highlighted
    assert opened.page.locator("#search-status").inner_text().startswith("1 article found for")
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


def test_search_by_keyboard_alone(open_page, site_pages):
    opened = open_page(site_pages.search)
    page = opened.page
    page.locator("#search-input").focus()
    page.keyboard.type("sex")
    page.keyboard.press("Enter")  # searches at once, and stays on the page
    page.wait_for_selector(RESULT_LINK)
    assert page.url.endswith("?q=sex")  # the address can be shared or bookmarked
    page.keyboard.press("Tab")  # the topic filter
    assert page.evaluate("document.activeElement.id") == "search-tag"
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")  # past the Search button, to the first result
    assert page.evaluate("document.activeElement.closest('.search-result') !== null")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "/articles/" in page.url
    opened.assert_clean()


def test_results_are_announced_and_named_for_screen_readers(open_page, site_pages):
    opened = open_page(site_pages.search)
    page = opened.page
    box = page.get_by_role("searchbox", name="Search articles")
    assert box.is_visible() and page.get_by_role("search").is_visible()
    box.fill("zzzzqqq")
    wait_until(page, "document.getElementById('search-status').textContent.length > 0")
    status = page.get_by_role("status")
    assert status.inner_text().startswith("No articles found for “zzzzqqq”")
    assert status.get_attribute("aria-live") == "polite"
    box.fill("pain")
    page.wait_for_selector(RESULT_LINK)
    assert re.match(r"\d+ articles found for “pain”", status.inner_text()), status.inner_text()
    headings = page.get_by_role("heading", level=2).all_inner_texts()
    assert len(headings) == page.locator(RESULT_LINK).count()  # each result is a heading with its link
    opened.assert_clean()


def test_topic_filter_narrows_the_results(open_page, site_dir, site_pages):
    opened = open_page(site_pages.search)
    page = opened.page
    everywhere = search_for(opened, "pain")
    page.get_by_label("Topic").select_option("intimacy")
    wait_until(page, "document.getElementById('search-status').textContent.includes(' in ')")
    filtered = [a.get_attribute("href") for a in page.locator(RESULT_LINK).all()]
    tagged = {"/" + p.parent.relative_to(site_dir).as_posix() + "/" for p in site_dir.glob("articles/*/index.html")
              if 'href="/tags/intimacy/"' in p.read_text(encoding="utf-8")}
    assert filtered and set(filtered) <= tagged, (filtered, tagged)
    assert len(filtered) < len(everywhere) or len(tagged) == len(everywhere)
    assert "tag=intimacy" in page.url
    opened.assert_clean()


def test_more_results_on_request(open_page, site_pages):
    opened = open_page(site_pages.search)
    page = opened.page
    first = search_for(opened, "pain")
    more = page.get_by_role("button", name="Show more results")
    assert len(first) == 5 and more.is_visible()  # five at a time: a first search fetches little
    more.click()
    wait_until(page, "document.querySelectorAll('.search-result').length > 5")
    assert page.evaluate("document.activeElement.closest('.search-result') !== null")  # focus on the first new one
    assert not more.is_visible()  # the example site has six articles
    opened.assert_clean()
