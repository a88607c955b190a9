"""Citation syntax edge cases, numbering in reading order and AMA collapsing."""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup

from painconnect_site.citations.syntax import (
    CITATION_RE,
    CitationNumbering,
    collapse_numbers,
    format_numbers,
    parse_group,
    scan_citations,
)
from painconnect_site.markdown.render import MarkdownRenderer, RenderContext

KNOWN = {"a", "b", "c", "d", "e", "f", "smith2020", "who:2019", "x.y-z"}


def keys(text: str) -> list[str]:
    return [use.key for use in scan_citations(text, 1)]


@pytest.mark.parametrize(
    "text, expected",
    [
        ("One [@a].", ["a"]),
        ("Two [@a; @b].", ["a", "b"]),
        ("Locator [@a, p. 12].", ["a"]),
        ("Mixed [@a, pp. 3-4; @b].", ["a", "b"]),
        ("Spaces [ @a ;@b ].", ["a", "b"]),
        ("Keys with punctuation [@who:2019; @x.y-z].", ["who:2019", "x.y-z"]),
        ("Email help@example.org is not a citation.", []),
        ("A [link](https://e.org/@a) is not one.", []),
        ("Code `[@a]` is not one.", []),
        ("Double code ``x [@a] y`` is not one.", []),
        ("Escaped \\[@a] is not one.", []),
        ("```\n[@a]\n```\nafter [@b]", ["b"]),
        ("~~~python\n[@a]\n~~~\n", []),
        ("Para.\n\n    [@a] indented code\n\nAfter [@c].", ["c"]),
        ("Bare @a is not one; [see @a] has a prefix we do not support.", []),
    ],
)
def test_scan_finds_only_real_citations(text, expected):
    assert keys(text) == expected


def test_scan_reports_lines_and_locators():
    uses = scan_citations("Line one.\n\nLine three [@a, p. 7; @b].\n", start_line=10)
    assert [(u.key, u.locator, u.line) for u in uses] == [("a", "p. 7", 12), ("b", None, 12)]


def test_parse_group():
    assert parse_group("@a, p. 12; @b") == [("a", "p. 12"), ("b", None)]


@pytest.mark.parametrize(
    "numbers, text",
    [
        ([1], "1"),
        ([1, 2], "1,2"),
        ([1, 2, 3], "1-3"),
        ([3, 1, 2], "1-3"),
        ([1, 4, 6], "1,4,6"),
        ([1, 2, 3, 5, 6, 7, 9], "1-3,5-7,9"),
        ([2, 2, 3], "2,3"),
    ],
)
def test_ama_collapsing(numbers, text):
    assert format_numbers(numbers) == text


def test_collapse_numbers_runs():
    assert collapse_numbers([5, 1, 2, 3]) == [(1, 3), (5, 5)]


def render(parts: list[str]):
    renderer = MarkdownRenderer(CITATION_RE.pattern)
    numbering = CitationNumbering(known=KNOWN)
    context = RenderContext(numbering)
    html = [renderer.render(part, context).html for part in parts]
    return html, numbering


def test_numbers_follow_first_citation_and_repeat_keys_reuse_them():
    html, numbering = render(["Summary [@c].", "Body [@a; @c] then [@b].", "FAQ [@a]."])
    assert numbering.numbers == {"c": 1, "a": 2, "b": 3}
    sups = [s.get_text() for h in html for s in BeautifulSoup(h, "html.parser").select("sup.cite")]
    assert sups == ["1", "1,2", "3", "2"]


def test_rendered_group_links_each_shown_number_with_an_accessible_name():
    html, _ = render(["Run [@a; @b; @c; @e]."])
    sup = BeautifulSoup(html[0], "html.parser").select_one("sup.cite")
    assert sup.get_text() == "1-4"
    assert [(a["href"], a["aria-label"]) for a in sup.find_all("a")] == [
        ("#ref-1", "Reference 1"), ("#ref-4", "Reference 4")
    ]
    assert sup["id"] == "cite-1"


def test_locator_is_shown_after_its_number():
    html, _ = render(["See [@a, p. 12]."])
    assert BeautifulSoup(html[0], "html.parser").select_one("sup.cite").get_text() == "1(p. 12)"


def test_backlinks_name_every_group_citing_a_key():
    _, numbering = render(["[@a] and [@b].", "[@a; @b]."])
    assert numbering.backlinks == {"a": ["cite-1", "cite-3"], "b": ["cite-2", "cite-3"]}


def test_code_escapes_and_emails_are_left_as_text():
    html, numbering = render(["`[@a]` and \\[@b] and help@example.org"])
    soup = BeautifulSoup(html[0], "html.parser")
    assert soup.select("sup.cite") == []
    assert soup.code.get_text() == "[@a]"
    assert "[@b]" in soup.get_text() and "help@example.org" in soup.get_text()
    assert numbering.numbers == {}


def test_unknown_keys_stay_visible_and_get_no_number():
    html, numbering = render(["Known [@a] unknown [@zzz]."])
    assert "[@zzz]" in BeautifulSoup(html[0], "html.parser").get_text()
    assert numbering.numbers == {"a": 1}
