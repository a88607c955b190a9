"""Pandoc citation syntax (`[@key]`, `[@a; @b]`, `[@key, p. 12]`) and AMA numbering.

This module knows the syntax, scans raw Markdown for uses (with line numbers,
for diagnostics) and turns numbers into AMA runs (`1-3,5`). Rendering the
superscripts happens in the Markdown stage with the same regular expression,
so what is checked is exactly what is rendered.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Collection, Container, Iterable

from ..core.errors import Diagnostics, did_you_mean
from ..core.model import CitationUse, CitedGroup

_KEY = r"[A-Za-z0-9_](?:[A-Za-z0-9_:.\-/]*[A-Za-z0-9_])?"
_ITEM = rf"@{_KEY}(?:\s*,[^;\[\]]*)?"
# A whole bracketed group; the email address in `help@example.org` never
# starts with `[@`, so it cannot match.
CITATION_RE = re.compile(rf"\[\s*({_ITEM}(?:\s*;\s*{_ITEM})*)\s*\]")
_ITEM_RE = re.compile(rf"@({_KEY})(?:\s*,\s*([^;\[\]]*))?")
# Any `@key` token at all: a superset of the keys a citation group can name (build cache keys).
AT_KEY_RE = re.compile(rf"@({_KEY})")

_FENCE_RE = re.compile(r"^(?P<fence>```+|~~~+).*?^(?P=fence)[ \t]*$", re.MULTILINE | re.DOTALL)
_CODE_SPAN_RE = re.compile(r"(?<!`)(`+)(?!`).+?(?<!`)\1(?!`)", re.DOTALL)
_ESCAPED_RE = re.compile(r"\\\[")
_NOT_NEWLINE_RE = re.compile(r"[^\n]")


def parse_group(inner: str) -> list[tuple[str, str | None]]:
    """`@a, p. 12; @b` -> [("a", "p. 12"), ("b", None)]"""
    items = []
    for match in _ITEM_RE.finditer(inner):
        locator = (match.group(2) or "").strip() or None
        items.append((match.group(1), locator))
    return items


def mask_code(text: str) -> str:
    """Blank out code blocks, code spans and escaped brackets, keeping offsets and newlines."""

    def blank(match: re.Match[str]) -> str:
        return _NOT_NEWLINE_RE.sub(" ", match.group(0))

    # Each pass only where its marker occurs: most texts have no code at all.
    if "```" in text or "~~~" in text:
        text = _FENCE_RE.sub(blank, text)
    text = _blank_indented_code(text)
    if "`" in text:
        text = _CODE_SPAN_RE.sub(blank, text)
    return _ESCAPED_RE.sub("  ", text) if "\\[" in text else text


_CONTAINER_RE = re.compile(r"^(?:!!!|[-*+] |\d+[.)] )")


def _blank_indented_code(text: str) -> str:
    """Blank indented code blocks the way Python-Markdown finds them.

    An indented block after a blank line is code, unless it continues a list
    item or an admonition (`!!! note`), whose content is indented too.
    """
    if "\n    " not in text and "\n\t" not in text and not text.startswith(("    ", "\t")):
        return text  # no indented line at all
    lines = text.split("\n")
    in_container = in_code = False
    previous_blank = True
    for index, line in enumerate(lines):
        indented = line.startswith(("    ", "\t"))
        if not line.strip():
            previous_blank = True
            continue
        if not indented:
            in_code = False
            in_container = bool(_CONTAINER_RE.match(line)) or (in_container and not previous_blank)
        elif in_code or (previous_blank and not in_container):
            in_code = True
            lines[index] = " " * len(line)
        previous_blank = False
    return "\n".join(lines)


def scan_citations(text: str, start_line: int) -> list[CitationUse]:
    """Every citation use in `text` in reading order, with its line in the file."""
    masked = mask_code(text)
    uses = []
    for match in CITATION_RE.finditer(masked):
        line = start_line + masked.count("\n", 0, match.start())
        for key, locator in parse_group(match.group(1)):
            uses.append(CitationUse(key, locator, line))
    return uses


def report_unknown_keys(uses: Iterable[CitationUse], keys: Collection[str], rel: str, diags: Diagnostics) -> None:
    for use in uses:
        if use.key not in keys:  # the suggestion search runs only for a miss, never on the hot path
            hint = did_you_mean(use.key, keys)
            diags.error(rel, use.line, f"unknown citation key '{use.key}' (not in references.bib){hint}")


def collapse_numbers(numbers: Iterable[int]) -> list[tuple[int, int]]:
    """Sorted, de-duplicated runs; AMA joins three or more consecutive numbers with a hyphen."""
    runs: list[list[int]] = []
    for n in sorted(set(numbers)):
        if runs and n == runs[-1][1] + 1:
            runs[-1][1] = n
        else:
            runs.append([n, n])
    out: list[tuple[int, int]] = []
    for first, last in runs:
        if last - first >= 2:
            out.append((first, last))
        else:
            out.extend((n, n) for n in range(first, last + 1))
    return out


def format_numbers(numbers: Iterable[int]) -> str:
    """[1, 2, 3, 5] -> '1-3,5'"""
    return ",".join(str(a) if a == b else f"{a}-{b}" for a, b in collapse_numbers(numbers))


@dataclass(slots=True)
class CitationNumbering:
    """Numbers by first citation in reading order; one per document."""

    known: Container[str]
    numbers: dict[str, int] = field(default_factory=dict)
    backlinks: dict[str, list[str]] = field(default_factory=dict)  # key -> ids of citing groups
    groups: int = 0

    def cite(self, group: str) -> CitedGroup | None:
        """Number one bracketed group (its inside, `@a, p. 2; @b`); None when it names no known key.

        This is the Markdown stage's `Citer`."""
        group_id, cited = self.cite_items(parse_group(group))
        if not cited:
            return None
        runs = tuple(collapse_numbers(number for number, _ in cited))
        return CitedGroup(group_id, runs, tuple((number, locator) for number, locator in cited if locator))

    def cite_items(self, items: list[tuple[str, str | None]]) -> tuple[str, list[tuple[int, str | None]]]:
        """Register one group; return its element id and (number, locator) pairs of known keys."""
        self.groups += 1
        group_id = f"cite-{self.groups}"
        cited = []
        for key, locator in items:
            if key not in self.known:
                continue
            number = self.numbers.setdefault(key, len(self.numbers) + 1)
            links = self.backlinks.setdefault(key, [])
            if group_id not in links:
                links.append(group_id)
            cited.append((number, locator))
        return group_id, cited
