"""Keyboard use of an article: skip link first, every control reachable, focus always visible."""

from __future__ import annotations

# Every element a keyboard user should be able to reach, in the order the page gives them.
FOCUSABLE = """() => Array.from(document.querySelectorAll(
    'a[href], button:not([disabled]), input:not([disabled]), select, textarea, summary, [tabindex]:not([tabindex="-1"])'))
  .filter((el) => el.checkVisibility({ visibilityProperty: true }))
  .map((el, i) => { el.dataset.kbId = String(i); return String(i); })"""

# What the focused element shows: an outline or a box-shadow ring, and whether it is on screen.
FOCUS_STATE = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  const style = getComputedStyle(el);
  const rect = el.getBoundingClientRect();
  const outline = style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2;
  const ring = style.boxShadow && style.boxShadow !== 'none';
  return {
    id: el.dataset.kbId || null,
    label: `${el.tagName.toLowerCase()} "${(el.getAttribute('aria-label') || el.textContent || '').trim().slice(0, 40)}"`,
    classes: el.className,
    visibleFocus: outline || ring,
    onScreen: rect.width > 0 && rect.height > 0 && rect.bottom > 0 && rect.top < innerHeight,
  };
}"""


def test_tabbing_through_an_article(open_page, site_pages):
    opened = open_page(site_pages.article, width=1280, height=800)
    page = opened.page
    expected = page.evaluate(FOCUSABLE)
    reached: list[dict] = []
    for _ in range(len(expected) + 3):
        page.keyboard.press("Tab")
        state = page.evaluate(FOCUS_STATE)
        if state is None or (reached and state["id"] == reached[0]["id"]):
            break  # focus left the page or wrapped around
        reached.append(state)

    assert reached and "skip-link" in reached[0]["classes"], f"first Tab must reach the skip link, got {reached[:1]}"
    assert reached[0]["onScreen"], "the focused skip link must appear on screen"
    missing = set(expected) - {state["id"] for state in reached}
    assert not missing, f"{len(missing)} interactive elements never received keyboard focus"
    invisible = [state["label"] for state in reached if not state["visibleFocus"]]
    assert not invisible, f"focus is not visible on: {invisible}"
    offscreen = [state["label"] for state in reached if not state["onScreen"]]
    assert not offscreen, f"focused elements scrolled out of view: {offscreen}"
    opened.assert_clean()


def test_skip_link_moves_focus_to_the_main_content(open_page, site_pages):
    opened = open_page(site_pages.article)
    page = opened.page
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
    page.keyboard.press("Tab")
    in_main = page.evaluate("document.getElementById('main').contains(document.activeElement)")
    assert in_main, "after the skip link, the next Tab must land inside the main content"
    opened.assert_clean()
