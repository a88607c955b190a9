"""Paginated lists in a real browser: keyboard use of the numbered navigation, what it announces,
its touch targets, and axe-core on a later page, with the site's CSP enforced."""

from __future__ import annotations

from pathlib import Path
from typing import Iterator

import pytest
from conftest import ARTICLE, SITE_YAML, build_site, write_site

from .conftest import serving
from .test_accessibility import BLOCKING_IMPACTS, describe, run_axe
from .test_keyboard import FOCUS_STATE

PAGE_SIZE = 3
ARTICLES = 14  # five pages of three: a window with a gap on the first page


@pytest.fixture(scope="module")
def paged_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    work = tmp_path_factory.mktemp("paged")
    files = {f"content/articles/a{n:02d}.md": ARTICLE.replace('"Touch and chronic pain"', f'"Article {n:02d}"')
             .replace("date: 2026-01-15", f"date: 2026-01-{n:02d}") for n in range(1, ARTICLES + 1)}
    files["content/articles/touch.md"] = None  # type: ignore[assignment]
    files["content/site.yaml"] = SITE_YAML + f"page_size: {PAGE_SIZE}\n"
    site = write_site(work / "site", files)
    with serving(build_site(site, work / "www")) as url:
        yield url


def tab_to(page, name: str, limit: int = 80) -> dict:
    """Press Tab until the focused element's accessible text is `name`; its focus state."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.textContent.trim()") == name:
            return page.evaluate(FOCUS_STATE)
    raise AssertionError(f"Tab never reached {name!r}")


def test_keyboard_moves_through_the_pages(open_page, paged_site):
    opened = open_page("articles/", site=paged_site)
    page = opened.page
    state = tab_to(page, "Next page")
    assert state["visibleFocus"] and state["onScreen"], state
    page.keyboard.press("Enter")
    page.wait_for_url(paged_site + "articles/page/2/")
    current = page.locator('nav[aria-label="Pagination"] [aria-current="page"]')
    assert current.text_content() == "Page 2"  # "Page " is read out, not shown
    assert page.title().startswith("All articles (page 2 of 5)")
    state = tab_to(page, "Page 3")  # the numbered links are reachable too, in order
    assert state["visibleFocus"]
    page.keyboard.press("Enter")
    page.wait_for_url(paged_site + "articles/page/3/")
    tab_to(page, "Previous page")
    page.keyboard.press("Enter")
    page.wait_for_url(paged_site + "articles/page/2/")
    opened.assert_clean()


def test_the_navigation_is_a_named_landmark_with_numbered_links(open_page, paged_site):
    opened = open_page("articles/page/3/", site=paged_site)
    nav = opened.page.get_by_role("navigation", name="Pagination")
    assert nav.get_by_role("link", name="Page 3").get_attribute("aria-current") == "page"
    names = [link.text_content() for link in nav.get_by_role("link").all()]
    assert names == ["Previous page", "Page 1", "Page 2", "Page 3", "Page 4", "Page 5", "Next page"]
    first = opened.page.locator('nav[aria-label="Pagination"] a').first
    box = first.bounding_box()
    assert box["height"] >= 44 and box["width"] >= 44, box  # touch targets
    opened.assert_clean()


@pytest.mark.parametrize("color_scheme", ["light", "dark"])
def test_a_later_page_has_no_serious_accessibility_violations(open_page, paged_site, axe_source, color_scheme):
    opened = open_page("articles/page/2/", site=paged_site, color_scheme=color_scheme)
    blocking = [v for v in run_axe(opened.page, axe_source) if v["impact"] in BLOCKING_IMPACTS]
    assert blocking == [], describe(blocking)
    opened.assert_clean()


def test_pagination_at_phone_width_does_not_scroll_sideways(open_page, paged_site, screenshot_dir):
    opened = open_page("articles/page/3/", site=paged_site, width=320, height=700)
    page = opened.page
    assert page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth") <= 0
    page.locator('nav[aria-label="Pagination"]').screenshot(path=str(screenshot_dir / "pagination-phone.png"))
    opened.assert_clean()
