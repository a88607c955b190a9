"""Silencing lint findings: front-matter `lint_ignore`, `<!-- lint-ignore rule: reason -->`
above or beside a paragraph, and `% lint-ignore rule: reason` above a references.bib entry."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable, Iterable, Iterator

from ..core.model import ResolvedDocument, Site
from .context import LintContext
from .text import blocks, faq_units, summary_units

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
    def find(line: str) -> list[tuple[tuple[str, ...], str]]:
        match = _BIB_IGNORE_RE.match(line)
        return [(_rule_ids(match["rules"]), (match["reason"] or "").strip())] if match else []

    numbered = list(enumerate(site.bibliography.text.split("\n"), start=1))
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


def ignore_comments(context: LintContext, doc: ResolvedDocument) -> list[IgnoreComment]:
    """A document's lint-ignore comments, found once per run (`check_site` and `bad-lint-ignore` read them)."""
    return context.memo("ignores", doc, lambda d: document_ignore_comments(d, context.lines(d)))
