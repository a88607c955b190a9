"""axe-core on every kind of page, in light and dark mode, with the site's CSP enforced."""

from __future__ import annotations

import pytest

PAGES = ("home", "article", "tag", "search", "404", "person")
BLOCKING_IMPACTS = ("serious", "critical")

RUN_AXE = """async () => {
  const results = await axe.run(document, { resultTypes: ['violations'] });
  return results.violations.map((v) => ({
    id: v.id, impact: v.impact, help: v.help,
    targets: v.nodes.slice(0, 5).map((n) => n.target.join(' ') + ' :: ' + (n.failureSummary || '').replace(/\\s+/g, ' ')),
  }));
}"""


def run_axe(page, axe_source: str) -> list[dict]:
    # Evaluated through the DevTools protocol, not as an inline <script>: the page's
    # CSP (no inline scripts) stays fully on while axe runs.
    page.evaluate(axe_source)
    return page.evaluate(RUN_AXE)


def describe(violations: list[dict]) -> str:
    return "\n".join(f"[{v['impact']}] {v['id']}: {v['help']}\n    " + "\n    ".join(v["targets"]) for v in violations)


@pytest.mark.parametrize("color_scheme", ["light", "dark"])
@pytest.mark.parametrize("name", PAGES)
def test_no_serious_accessibility_violations(open_page, site_pages, axe_source, name, color_scheme):
    path = site_pages.named()[name]
    opened = open_page(path, color_scheme=color_scheme, expect_status=404 if name == "404" else 200)
    if name == "search":
        opened.page.get_by_label("Search articles").fill("pain")  # axe the live search UI and its results too
        opened.page.wait_for_selector(".search-result mark")
    blocking = [v for v in run_axe(opened.page, axe_source) if v["impact"] in BLOCKING_IMPACTS]
    assert blocking == [], f"{name} ({color_scheme}):\n{describe(blocking)}"
    opened.assert_clean()
