"""Tables on a 360 px phone: real tables (display: table, no ARIA role overrides), the page
never scrolls sideways, and a table wider than the screen scrolls inside its own labelled
frame, by touch and by keyboard, with its caption in view. Screenshots for people to look at."""

from __future__ import annotations

import re

from .test_accessibility import BLOCKING_IMPACTS, describe, run_axe

PHONE = (360, 800)

# Every table frame on the page, measured; `scrolls` tries to scroll each one sideways.
MEASURE = """() => ({
  pageWidth: document.documentElement.scrollWidth, viewport: window.innerWidth,
  frames: Array.from(document.querySelectorAll('.table-scroll')).map((frame) => {
    const table = frame.querySelector('table');
    const caption = table.querySelector('caption');
    const before = frame.scrollLeft;
    frame.scrollLeft = 0;
    frame.scrollLeft = frame.scrollWidth;
    const scrolls = frame.scrollLeft > 0;
    frame.scrollLeft = before;
    return {
      name: frame.getAttribute('aria-label') || (caption ? caption.textContent : '?'),
      display: getComputedStyle(table).display, overflowX: getComputedStyle(frame).overflowX,
      frameWidth: frame.clientWidth, tableWidth: table.scrollWidth, scrolls,
      frameRight: frame.getBoundingClientRect().right,
      captionWidth: caption ? caption.getBoundingClientRect().width : 0,
      roles: Array.from(table.querySelectorAll('[role]')).length + (table.hasAttribute('role') ? 1 : 0),
    };
  }),
})"""


def table_articles(site_dir) -> list[str]:
    """Articles with a table, the one whose table has the most columns first."""
    columns = {}
    for page in sorted(site_dir.glob("articles/*/index.html")):
        heads = re.findall(r"<thead[^>]*>(.*?)</thead>", page.read_text(encoding="utf-8"), re.DOTALL)
        if heads:
            columns[page.parent.relative_to(site_dir).as_posix() + "/"] = max(head.count("<th") for head in heads)
    assert columns, "the site has no article with a table"
    return sorted(columns, key=lambda path: -columns[path])


def check_frames(path: str, measured: dict) -> list[str]:
    problems = []
    if measured["pageWidth"] > measured["viewport"]:
        problems.append(f"{path}: the page scrolls sideways ({measured['pageWidth']}px in {measured['viewport']}px)")
    for frame in measured["frames"]:
        where = f"{path} {frame['name']!r}"
        if frame["display"] != "table":
            problems.append(f"{where}: display is {frame['display']}, not table")
        if frame["roles"]:
            problems.append(f"{where}: {frame['roles']} ARIA role(s) on the table's own elements")
        if frame["frameRight"] > measured["viewport"] + 0.5:
            problems.append(f"{where}: the frame runs off the screen")
        if frame["captionWidth"] > frame["frameWidth"] + 0.5:
            problems.append(f"{where}: the caption is wider than the frame and cannot be read whole")
        scrolls = frame["overflowX"] in ("auto", "scroll") and frame["scrolls"]
        if frame["tableWidth"] > frame["frameWidth"] and not scrolls:
            problems.append(f"{where}: a {frame['tableWidth']}px table in a {frame['frameWidth']}px frame does not scroll")
    return problems


def test_every_table_fits_or_scrolls_in_its_frame_on_a_phone(open_page, base_url, site_dir):
    paths = table_articles(site_dir)
    opened = open_page(paths[0], width=PHONE[0], height=PHONE[1])
    problems, wide = [], 0
    for path in paths:
        if path != paths[0]:
            opened.page.goto(base_url + path, wait_until="load")
        measured = opened.page.evaluate(MEASURE)
        problems += check_frames(path, measured)
        wide += sum(frame["tableWidth"] > frame["frameWidth"] for frame in measured["frames"])
    assert not problems, "\n".join(problems)
    print(f"\n{wide} table(s) wider than a 360px phone, each scrolling inside its frame")
    opened.assert_clean()


def test_a_wide_table_scrolls_by_keyboard_on_a_phone(open_page, site_dir, screenshot_dir, axe_source):
    path = table_articles(site_dir)[0]
    opened = open_page(path, width=PHONE[0], height=PHONE[1])
    page = opened.page
    frame = page.locator(".table-scroll").nth(
        page.evaluate("""() => { const f = Array.from(document.querySelectorAll('.table-scroll'));
          const over = f.map((el) => el.scrollWidth - el.clientWidth); return over.indexOf(Math.max(...over)); }"""))
    if frame.evaluate("(el) => el.scrollWidth <= el.clientWidth"):
        # No table of today's content is wider than a phone: make this one wider (as a
        # longer table would be), so the scrolling is still proved.
        frame.evaluate("(el) => { el.querySelector('table').style.minWidth = '60rem'; }")
    page.screenshot(path=str(screenshot_dir / "tables-phone-360.png"), full_page=True)

    frame.focus()
    assert frame.evaluate("(el) => el === document.activeElement"), "the table frame takes keyboard focus"
    for _ in range(4):
        page.keyboard.press("ArrowRight")
    page.wait_for_function("(el) => el.scrollLeft > 0", arg=frame.element_handle(), timeout=2000)
    frame.screenshot(path=str(screenshot_dir / "table-scrolled-phone-360.png"))
    measured = page.evaluate(MEASURE)
    assert page.evaluate("window.scrollX") == 0, "the arrow keys scrolled the page, not the table"
    assert not check_frames(path, measured), "\n".join(check_frames(path, measured))

    blocking = [v for v in run_axe(page, axe_source) if v["impact"] in BLOCKING_IMPACTS]
    assert blocking == [], f"{path} at 360px:\n{describe(blocking)}"
    opened.assert_clean()

