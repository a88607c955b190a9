"""Responsive images in a real browser (the every-feature fixture): the space of each image is
reserved before it loads (no layout shift), and the browser picks the variant that srcset/sizes
mean for its screen, in WebP."""

from __future__ import annotations

from pathlib import Path
from typing import Iterator

import pytest
from .conftest import CHROMIUM_ARGS, serving_fixture  # noqa: F401 - CHROMIUM_ARGS documents the launch

ARTICLE = "articles/every-feature/"
HERO = "img.hero"
BODY_IMAGE = ".article-body img[src$='pillow.png']"


@pytest.fixture(scope="module")
def image_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with serving_fixture("every-feature", tmp_path_factory) as url:
        yield url


BOX = "(selector) => { const r = document.querySelector(selector).getBoundingClientRect(); return [r.width, r.height]; }"


def test_the_space_of_each_image_is_reserved_before_it_loads(browser, image_site):
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    held = []  # image requests kept waiting while the page is measured, then dropped
    try:
        page = context.new_page()
        page.route("**/static/{images,variants}/**", lambda route: held.append(route))
        page.goto(image_site + ARTICLE, wait_until="domcontentloaded")
        assert page.evaluate("Array.from(document.images).every((img) => !img.complete || !img.naturalWidth)")
        for selector, (width, height) in ((HERO, (1600, 1000)), (BODY_IMAGE, (720, 480))):
            shown_width, shown_height = page.evaluate(BOX, selector)
            assert shown_width > 100, selector
            assert abs(shown_height - shown_width * height / width) <= 1, (selector, shown_width, shown_height)
    finally:
        for route in held:
            route.abort()
        context.close()


CUMULATIVE_SHIFT = """async () => {
  const settle = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
  for (const img of document.images) {  // bring each (lazy) image into view, and wait for it
    img.scrollIntoView();
    await Promise.race([img.decode().catch(() => null), settle(3000)]);
  }
  await settle(300);
  return await new Promise((resolve) => {
    new PerformanceObserver((list) => resolve(list.getEntries().reduce((sum, e) => sum + e.value, 0)))
      .observe({ type: 'layout-shift', buffered: true });
    setTimeout(() => resolve(0), 500);  // no entry at all: nothing shifted
  });
}"""


@pytest.mark.parametrize("width", [390, 1280])
def test_loading_the_images_shifts_nothing(open_page, image_site, width):
    opened = open_page(ARTICLE, site=image_site, width=width)
    assert opened.page.evaluate(CUMULATIVE_SHIFT) == 0
    assert opened.page.evaluate("Array.from(document.images).every((img) => img.complete && img.naturalWidth > 0)")
    opened.assert_clean()


@pytest.mark.parametrize(("width", "scale", "expected"), [
    (1280, 1, 800),  # sizes: the 648px column -> the 800px variant
    (390, 1, 400),   # calc(100vw - 36px) = 354px -> 400px
    (390, 3, 1200),  # 354px at 3x = 1062 device pixels -> 1200px
])
def test_the_browser_picks_the_right_webp_variant(open_page, image_site, width, scale, expected):
    opened = open_page(ARTICLE, site=image_site, width=width, scale=scale)
    current = opened.page.evaluate(f"document.querySelector('{HERO}').currentSrc")
    assert current.endswith(f"-{expected}.webp"), current
    # `sizes` says what the page really does: the image is shown at the width the browser planned for
    planned, shown = opened.page.evaluate(f"""() => {{ const img = document.querySelector('{HERO}');
        return [img.naturalWidth, img.getBoundingClientRect().width]; }}""")
    assert abs(planned - shown) <= 1, (planned, shown)
    opened.assert_clean()


def test_the_hero_loads_first_and_the_body_image_lazily(open_page, image_site):
    opened = open_page(ARTICLE, site=image_site)
    attributes = opened.page.evaluate(f"""() => [document.querySelector('{HERO}').loading,
        document.querySelector('{HERO}').fetchPriority, document.querySelector("{BODY_IMAGE}").loading]""")
    assert attributes == ["auto", "high", "lazy"]
    opened.assert_clean()
