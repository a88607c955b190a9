"""What a reader sees: screenshots for people to look at, layout at phone width,
text size and line length, dark mode, reduced motion, and pages without JavaScript."""

from __future__ import annotations

import pytest

from .conftest import PageWatch

VIEWPORTS = {"phone": (390, 844), "desktop": (1280, 800)}
PAGES = ("home", "article", "tag", "search", "404", "person")

# Characters on each line of the longest paragraph, counted from where the browser put
# each character; the median of its full lines (the last one is usually short).
LINE_LENGTH = """() => {
  const p = Array.from(document.querySelectorAll('.article-body > p'))
    .sort((a, b) => b.textContent.length - a.textContent.length)[0];
  const style = getComputedStyle(p);
  const lineHeight = parseFloat(style.lineHeight);
  const top = p.getBoundingClientRect().top;
  const perLine = [];
  const range = document.createRange();
  const walker = document.createTreeWalker(p, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    for (let i = 0; i < node.length; i++) {
      range.setStart(node, i);
      range.setEnd(node, i + 1);
      const rect = range.getClientRects()[0];
      if (!rect) continue;
      const line = Math.floor(((rect.top + rect.bottom) / 2 - top) / lineHeight);
      perLine[line] = (perLine[line] || 0) + 1;
    }
  }
  const full = perLine.filter(Boolean).slice(0, -1).sort((a, b) => a - b);
  return { fontSize: parseFloat(style.fontSize), charsPerLine: full[Math.floor(full.length / 2)], lines: full.length + 1 };
}"""


@pytest.mark.parametrize("color_scheme", ["light", "dark"])
@pytest.mark.parametrize("viewport", list(VIEWPORTS))
@pytest.mark.parametrize("name", PAGES)
def test_screenshot_and_no_sideways_scrolling(open_page, site_pages, screenshot_dir, name, viewport, color_scheme):
    width, height = VIEWPORTS[viewport]
    opened = open_page(site_pages.named()[name], color_scheme=color_scheme, width=width, height=height,
                       expect_status=404 if name == "404" else 200)
    page = opened.page
    if name == "search":
        page.get_by_label("Search articles").fill("pain")
        page.wait_for_selector(".search-result-title a")
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    page.screenshot(path=str(screenshot_dir / f"{name}-{viewport}-{color_scheme}.png"), full_page=True)
    assert overflow <= 0, f"{name} scrolls sideways by {overflow}px at {width}px wide"
    opened.assert_clean()


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
def test_article_text_is_large_with_comfortable_lines(open_page, site_pages, viewport):
    width, height = VIEWPORTS[viewport]
    opened = open_page(site_pages.article, width=width, height=height)
    measure = opened.page.evaluate(LINE_LENGTH)
    assert measure["fontSize"] >= 18, measure
    if viewport == "desktop":
        assert 60 <= measure["charsPerLine"] <= 78, f"lines should hold about 65-75 characters: {measure}"
    opened.assert_clean()


BODY_COLORS = """() => [getComputedStyle(document.body).backgroundColor, getComputedStyle(document.body).color]
  .map((c) => c.match(/\\d+/g).slice(0, 3).reduce((sum, v) => sum + Number(v), 0) / 765)"""


def test_dark_mode_and_reduced_motion_are_honoured(open_page, site_pages):
    opened = open_page(site_pages.article, color_scheme="dark")
    background, text = opened.page.evaluate(BODY_COLORS)
    assert background < 0.15 and text > 0.8, "dark mode: light text on a dark background"
    # open_page asks for reduced motion: no smooth scrolling, no animation.
    assert opened.page.evaluate("getComputedStyle(document.documentElement).scrollBehavior") == "auto"
    opened.assert_clean()


PRINTED = """() => {
  const shown = (selector) => { const el = document.querySelector(selector); return !!el && getComputedStyle(el).display !== 'none'; };
  const external = Array.from(document.querySelectorAll(
    '.article-body a[href^="http"], .reference-list a[href^="http"]:not([href^="https://doi.org/"])'));
  return {
    nav: shown('.site-header nav'), toc: shown('.toc'), printedFrom: shown('.print-only'),
    references: shown('.reference-list'),
    urls: external.map((a) => getComputedStyle(a, '::after').content.includes(a.href)),
  };
}"""


def test_printing_an_article_keeps_references_and_their_addresses(open_page, site_pages):
    opened = open_page(site_pages.article)
    opened.page.emulate_media(media="print")
    printed = opened.page.evaluate(PRINTED)
    assert printed["references"] and printed["printedFrom"], printed
    assert not printed["nav"] and not printed["toc"], printed
    assert printed["urls"] and all(printed["urls"]), "each link to another site prints its address"
    opened.assert_clean()


def test_pages_are_readable_without_javascript(browser, base_url, site_pages):
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        watch = PageWatch()
        watch.attach(page)
        page.goto(base_url + site_pages.article)
        assert page.locator(".article-body p").count() > 3
        assert page.locator(".reference-list li").count() > 0
        page.goto(base_url + site_pages.search)
        notice = page.locator(".search-noscript")
        assert notice.is_visible(), "the search page must explain itself without JavaScript"
        assert "all articles" in notice.inner_text()
        assert watch.console_errors == [] and watch.foreign_requests == []
    finally:
        context.close()
