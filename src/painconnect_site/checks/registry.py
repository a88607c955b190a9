"""Editorial lint run by `check`: what a careful health editor would flag.

Every rule has a stable id (a contract: front-matter `lint_ignore`, inline
`<!-- lint-ignore rule-id: reason -->` comments and CI logs use it), a
severity and one small `check_<rule>` function that yields `Finding`s.
`check_site` alone applies severity and silencing, so rule functions stay
pure and testable. `RULES` is the registry (README table, tests).

This module is the registry, `check_site` and the silencing (front-matter
`lint_ignore`, `<!-- lint-ignore -->` comments, `% lint-ignore` above a
references.bib entry) with the rule that polices it. The rules live in
`checks_content` and `checks_links`, the Markdown they read in `checks_text`,
and `Finding`, `Rule` and `LintContext` in `checks_context`.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Callable, Iterable, Iterator

from .rules.content import (
    DESCRIPTION_RANGE,
    FAQ_MAX_WORDS,
    FAQ_MIN_WORDS,
    READING_GRADE_MAX,
    REVIEW_SOON_DAYS,
    TITLE_MAX,
    check_description_length,
    check_faq_answer_length,
    check_heading_skip,
    check_image_alt,
    check_mojibake,
    check_multiple_h1,
    check_no_reviewer,
    check_reading_grade,
    check_reference_fields,
    check_review_due_soon,
    check_review_overdue,
    check_structured_data,
    check_title_length,
    check_uncited_claim,
    check_unused_reference,
)
from .context import Finding, LintContext, Rule
from .rules.links import check_affiliate_link, check_broken_anchor, check_insecure_link, page_anchors
from .text import blocks, faq_units, summary_units
from ..core.errors import ERROR, WARNING, Diagnostics, did_you_mean
from ..core.model import ResolvedDocument, Site

# --- running -----------------------------------------------------------------


def check_site(site: Site, diags: Diagnostics, today: dt.date) -> None:
    context = LintContext(site, today, page_anchors(site))
    for doc in (*site.articles, *site.pages):
        ignores = InlineIgnores(_ignore_comments(context, doc))
        for rule in DOCUMENT_RULES:
            for finding in rule.check(context, doc):
                silenced = rule.id in doc.meta.lint_ignore or ignores.silences(rule.id, finding.line)
                if not (silenced and rule.silenceable):
                    _report(diags, rule, finding.path or doc.rel, finding)
    bib_ignores = InlineIgnores.for_bibliography(site)
    for rule in SITE_RULES:
        for finding in rule.check(context):
            if not (bib_ignores.silences(rule.id, finding.line) and rule.silenceable):
                _report(diags, rule, finding.path or site.bibliography.rel, finding)


def _report(diags: Diagnostics, rule: Rule, path: str, finding: Finding) -> None:
    report = diags.error if rule.severity == ERROR else diags.warning
    report(path, finding.line, finding.message, rule.id)


# --- inline silencing ------------------------------------------------------------

_IGNORE_COMMENT_RE = re.compile(
    r"<!--\s*lint-ignore\s+(?P<rules>[A-Za-z0-9][A-Za-z0-9_,\s-]*?)\s*(?::\s*(?P<reason>.*?))?\s*-->", re.DOTALL
)
_BIB_IGNORE_RE = re.compile(
    r"^\s*%\s*lint-ignore\s+(?P<rules>[A-Za-z0-9][A-Za-z0-9_,\s-]*?)\s*(?::\s*(?P<reason>.*?))?\s*$"
)


@dataclass(frozen=True, slots=True)
class IgnoreComment:
    line: int
    rules: tuple[str, ...]
    reason: str
    first: int  # the lines it silences, inclusive
    last: int


class InlineIgnores:
    """`<!-- lint-ignore rule-id: reason -->` silences that rule for the paragraph below or around it."""

    def __init__(self, comments: Iterable[IgnoreComment]):
        self.comments = tuple(comments)

    def silences(self, rule_id: str, line: int | None) -> bool:
        return line is not None and any(
            c.reason and rule_id in c.rules and c.first <= line <= c.last for c in self.comments
        )

    @classmethod
    def for_bibliography(cls, site: Site) -> "InlineIgnores":
        return cls(bibliography_ignore_comments(site))


def document_ignore_comments(doc: ResolvedDocument, lines: list[tuple[int, str]]) -> list[IgnoreComment]:
    comments = list(_comments_in_lines(lines, _find_markdown_comments))
    for unit in (*faq_units(doc), *summary_units(doc)):  # the whole item is "the paragraph"
        for rules, reason in _find_markdown_comments(unit.text):
            comments.append(IgnoreComment(unit.line, rules, reason, unit.line, unit.line))
    return comments


def bibliography_ignore_comments(site: Site) -> list[IgnoreComment]:
    """`% lint-ignore unused-reference: reason` on the line above a BibTeX entry."""
    path = site.config.root / site.bibliography.rel
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return []

    def find(line: str) -> list[tuple[tuple[str, ...], str]]:
        match = _BIB_IGNORE_RE.match(line)
        return [(_rule_ids(match["rules"]), (match["reason"] or "").strip())] if match else []

    numbered = list(enumerate(text.replace("\r\n", "\n").split("\n"), start=1))
    return list(_comments_in_lines(numbered, find, whole_line=lambda line: True))


def _find_markdown_comments(text: str) -> list[tuple[tuple[str, ...], str]]:
    return [(_rule_ids(m["rules"]), (m["reason"] or "").strip()) for m in _IGNORE_COMMENT_RE.finditer(text)]


def _rule_ids(raw: str) -> tuple[str, ...]:
    return tuple(part for part in re.split(r"[\s,]+", raw.strip()) if part)


def _comment_alone(line: str) -> bool:
    return _IGNORE_COMMENT_RE.sub("", line).strip() == ""


def _comments_in_lines(
    lines: list[tuple[int, str]],
    find: Callable[[str], list[tuple[tuple[str, ...], str]]],
    whole_line: Callable[[str], bool] = _comment_alone,
) -> Iterator[IgnoreComment]:
    """A comment alone on its line covers the next paragraph; one beside text covers its own paragraph."""
    all_blocks = blocks(lines)
    for index, block in enumerate(all_blocks):
        for position, (number, text) in enumerate(block):
            for rules, reason in find(text):
                if not whole_line(text):
                    first, last = block[0][0], block[-1][0]
                elif position < len(block) - 1:
                    first, last = block[position + 1][0], block[-1][0]
                elif index + 1 < len(all_blocks):
                    following = all_blocks[index + 1]
                    first, last = following[0][0], following[-1][0]
                else:
                    first, last = number, number
                yield IgnoreComment(number, rules, reason, first, last)


def _ignore_comments(context: LintContext, doc: ResolvedDocument) -> list[IgnoreComment]:
    """A document's lint-ignore comments, found once per run (`check_site` and `bad-lint-ignore` read them)."""
    return context.memo("ignores", doc, lambda d: document_ignore_comments(d, context.lines(d)))


# --- rule: lint-ignore hygiene -----------------------------------------------------------------


def check_bad_lint_ignore(context: LintContext, doc: ResolvedDocument) -> Iterator[Finding]:
    known = [rule.id for rule in RULES]
    for rule_id in doc.meta.lint_ignore:
        if rule_id not in known:
            yield Finding(doc.meta.lines.get("lint_ignore", 1),
                          f"lint_ignore names unknown rule '{rule_id}'{did_you_mean(rule_id, known)}")
    for comment in _ignore_comments(context, doc):
        for rule_id in comment.rules:
            if rule_id not in known:
                yield Finding(comment.line,
                              f"lint-ignore comment names unknown rule '{rule_id}'{did_you_mean(rule_id, known)}")
        if not comment.reason:
            yield Finding(comment.line,
                          "lint-ignore comment needs a reason: <!-- lint-ignore rule-id: why it does not apply -->")


# --- registry ----------------------------------------------------------------------------------

RULES: tuple[Rule, ...] = (
    Rule("uncited-claim", WARNING,
         'statistic or research claim ("40% of", "1 in 4", "studies show", "a study found") in a paragraph, '
         "list item, table, summary item or FAQ answer without a [@key] citation", check_uncited_claim),
    Rule("review-overdue", WARNING, "article's review_due date has passed", check_review_overdue),
    Rule("review-due-soon", WARNING, f"article's review is due within {REVIEW_SOON_DAYS} days", check_review_due_soon),
    Rule("no-reviewer", WARNING, "article has no medical reviewer", check_no_reviewer),
    Rule("reading-grade", WARNING,
         f"article reads above grade {READING_GRADE_MAX:g} (Flesch-Kincaid); names the hardest paragraphs",
         check_reading_grade),
    Rule("image-alt", WARNING, "image in the body without alt text (![](x.png), <img> without alt)", check_image_alt),
    Rule("heading-skip", WARNING, "heading level skipped (## then ####)", check_heading_skip),
    Rule("multiple-h1", WARNING, "a # heading in the body (the title is the page's h1)", check_multiple_h1),
    Rule("broken-anchor", ERROR, "link to an #anchor that does not exist on this page or the linked page",
         check_broken_anchor),
    Rule("insecure-link", WARNING, "link to an http:// address", check_insecure_link),
    Rule("affiliate-link", WARNING,
         "affiliate or tracking link (amzn.to, ?tag=, utm_*, ...) on a page without 'affiliate: true'",
         check_affiliate_link),
    Rule("description-length", WARNING,
         f"description shorter than {DESCRIPTION_RANGE[0]} or longer than {DESCRIPTION_RANGE[1]} characters",
         check_description_length),
    Rule("title-length", WARNING, f"title longer than {TITLE_MAX} characters", check_title_length),
    Rule("mojibake", WARNING, "mis-encoded text (â€™, Ã©, Â, U+FFFD, Thai letters in English text)",
         check_mojibake),
    Rule("faq-answer-length", WARNING,
         f"FAQ answer not a full sentence (under {FAQ_MIN_WORDS} words or no full stop) "
         f"or over {FAQ_MAX_WORDS} words", check_faq_answer_length),
    Rule("structured-data", WARNING, "structured data (JSON-LD) would be incomplete", check_structured_data),
    Rule("bad-lint-ignore", WARNING, "lint_ignore or lint-ignore comment names an unknown rule or gives no reason",
         check_bad_lint_ignore, silenceable=False),
    Rule("unused-reference", WARNING, "references.bib entry no page cites", check_unused_reference, scope="site"),
    Rule("reference-fields", WARNING, "references.bib entry missing fields its type needs", check_reference_fields,
         scope="site"),
)
DOCUMENT_RULES = tuple(rule for rule in RULES if rule.scope == "document")
SITE_RULES = tuple(rule for rule in RULES if rule.scope == "site")
RULES_BY_ID = {rule.id: rule for rule in RULES}
