"""Editorial lint run by `check`: what a careful health editor would flag.

Every rule has a stable id (a contract: front-matter `lint_ignore`, inline
`<!-- lint-ignore rule-id: reason -->` comments and CI logs use it), a
severity and one small `check_<rule>` function that yields `Finding`s.
`check_site` alone applies severity and silencing, so rule functions stay
pure and testable. `RULES` is the registry (README table, tests).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Callable, Iterable, Iterator, Mapping, TypeVar
from urllib.parse import parse_qsl, unquote, urlsplit

from . import structured_data
from .citations import CITATION_RE, mask_code
from .errors import ERROR, WARNING, Diagnostics, did_you_mean
from .markdown_render import is_external
from .model import Link, ResolvedDocument, Site

T = TypeVar("T")

# --- thresholds --------------------------------------------------------------

READING_GRADE_MAX = 8.0
READING_MIN_WORDS = 100  # Flesch-Kincaid is noise on a few sentences
HARDEST_PARAGRAPHS = 3
REVIEW_SOON_DAYS = 30
DESCRIPTION_RANGE = (50, 160)
TITLE_MAX = 70
FAQ_MIN_WORDS, FAQ_MAX_WORDS = 6, 300

# --- findings and rules ------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Finding:
    line: int | None
    message: str
    path: str | None = None  # None: the document being checked


@dataclass(frozen=True, slots=True)
class LintContext:
    """Site-wide facts computed once and shared by every rule."""

    site: Site
    today: dt.date
    anchors: Mapping[str, frozenset[str]]  # document URL ("articles/x/") -> element ids on that page
    cache: dict[tuple[str, int], object] = field(default_factory=dict, compare=False)

    def memo(self, name: str, doc: ResolvedDocument, compute: Callable[[ResolvedDocument], T]) -> T:
        """`compute(doc)` once per run: several rules read the same masked lines and units."""
        key = (name, id(doc))
        if key not in self.cache:
            self.cache[key] = compute(doc)
        return self.cache[key]  # type: ignore[return-value]

    def lines(self, doc: ResolvedDocument) -> list[tuple[int, str]]:
        return self.memo("lines", doc, body_lines)

    def ignore_comments(self, doc: ResolvedDocument) -> list[IgnoreComment]:
        return self.memo("ignores", doc, lambda d: document_ignore_comments(d, self.lines(d)))

    def units(self, doc: ResolvedDocument) -> list[TextUnit]:
        return self.memo("units", doc, lambda d: [*summary_units(d), *body_units(d, self.lines(d)), *faq_units(d)])


@dataclass(frozen=True, slots=True)
class Rule:
    id: str
    severity: str
    description: str
    check: Callable[..., Iterable[Finding]]
    scope: str = "document"  # "document": once per page; "site": once per site
    silenceable: bool = True


# --- running -----------------------------------------------------------------


def check_site(site: Site, diags: Diagnostics, today: dt.date) -> None:
    context = LintContext(site, today, page_anchors(site))
    for doc in (*site.articles, *site.pages):
        ignores = InlineIgnores(context.ignore_comments(doc))
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


# --- Markdown text units ------------------------------------------------------
# Rules read the raw Markdown, not the HTML, so every finding has its source line.

_HEADING_RE = re.compile(r"^ {0,3}(#{1,6})(?:[ \t]+(.*?))?[ \t#]*$")
_SETEXT_RE = re.compile(r"^ {0,3}(=+|-+)[ \t]*$")
_LIST_MARKER_RE = re.compile(r"^\s*(?:[-*+]|\d{1,9}[.)])\s+")
_ADMONITION_RE = re.compile(r"^\s*(?:!!!|\?\?\?\+?)\s")
_TABLE_SEPARATOR_RE = re.compile(r"^\s*\|?\s*:?-{2,}:?\s*(?:\|\s*:?-{2,}:?\s*)*\|?\s*$")
_BLOCKQUOTE_RE = re.compile(r"^\s*(?:>\s?)+")


@dataclass(frozen=True, slots=True)
class TextUnit:
    """A piece of prose that must carry its own citation: paragraph, list item, table, FAQ answer, summary item."""

    line: int  # line of the unit's first line in the source file
    text: str  # raw Markdown (code masked); newlines kept so offsets map to lines
    kind: str  # "paragraph", "list-item", "table", "heading", "faq", "summary"


def body_lines(doc: ResolvedDocument) -> list[tuple[int, str]]:
    """(file line, text) of the body with code blocks and spans blanked out."""
    masked = mask_code(doc.parsed.body)
    return [(doc.parsed.body_start_line + i, text) for i, text in enumerate(masked.split("\n"))]


def blocks(lines: list[tuple[int, str]]) -> list[list[tuple[int, str]]]:
    """Runs of non-blank lines (Markdown's paragraph-level blocks)."""
    found: list[list[tuple[int, str]]] = []
    current: list[tuple[int, str]] = []
    for number, text in lines:
        if text.strip():
            current.append((number, text))
        elif current:
            found.append(current)
            current = []
    if current:
        found.append(current)
    return found


def body_units(doc: ResolvedDocument, lines: list[tuple[int, str]] | None = None) -> list[TextUnit]:
    units: list[TextUnit] = []
    for block in blocks(lines if lines is not None else body_lines(doc)):
        units.extend(_block_units(block))
    return units


def _block_units(block: list[tuple[int, str]]) -> list[TextUnit]:
    if _is_table(block):
        return [TextUnit(block[0][0], "\n".join(text for _, text in block), "table")]
    units: list[TextUnit] = []
    current: list[tuple[int, str]] = []
    kind = "paragraph"

    def flush() -> None:
        if current:
            units.append(TextUnit(current[0][0], "\n".join(t for _, t in current), kind))
            current.clear()

    for number, text in block:
        text = _BLOCKQUOTE_RE.sub("", text)
        if _HEADING_RE.match(text):
            flush()
            units.append(TextUnit(number, text, "heading"))
            kind = "paragraph"
        elif _ADMONITION_RE.match(text):
            flush()  # the `!!! note "Title"` line is a label, not prose
            kind = "paragraph"
        elif _LIST_MARKER_RE.match(text):
            flush()
            kind = "list-item"
            current.append((number, _LIST_MARKER_RE.sub("", text, count=1)))
        elif current and _SETEXT_RE.match(text) and kind == "paragraph":
            units.append(TextUnit(current[0][0], "\n".join(t for _, t in current), "heading"))
            current.clear()
        else:
            current.append((number, text.strip()))
    flush()
    return units


def _is_table(block: list[tuple[int, str]]) -> bool:
    return len(block) >= 2 and "|" in block[0][1] and bool(_TABLE_SEPARATOR_RE.match(block[1][1]))


def faq_units(doc: ResolvedDocument) -> list[TextUnit]:
    return [TextUnit(item.line, mask_code(item.answer), "faq") for item in doc.meta.faq]


def summary_units(doc: ResolvedDocument) -> list[TextUnit]:
    return [TextUnit(line, mask_code(item), "summary") for item, line in zip(doc.meta.summary, doc.meta.summary_lines)]


# --- plain text ----------------------------------------------------------------

_COMMENT_RE = re.compile(r"<!--.*?-->", re.DOTALL)
_ATTR_LIST_RE = re.compile(r"\{:?\s*[#.][^}]*\}")
_IMAGE_OR_LINK_RE = re.compile(r"!?\[([^\]]*)\]\([^)\s]*(?:\s+\"[^\"]*\")?\)")
_REFERENCE_LINK_RE = re.compile(r"!?\[([^\]]*)\]\[[^\]]*\]")
_URL_RE = re.compile(r"<?(?:https?://|www\.)[^\s>)]+>?")
_TAG_RE = re.compile(r"</?[A-Za-z][^>]*>")
_EMPHASIS_RE = re.compile(r"(\*{1,3}|_{2,3}|~~)(?=\S)|(?<=\S)(\*{1,3}|_{2,3}|~~)")


def prose(markdown_text: str) -> str:
    """Markdown reduced to the words a reader sees; newlines are kept for line mapping."""
    text = _COMMENT_RE.sub(lambda m: "\n" * m.group(0).count("\n"), markdown_text)
    text = CITATION_RE.sub("", text)
    text = _ATTR_LIST_RE.sub("", text)
    text = _IMAGE_OR_LINK_RE.sub(r"\1", text)
    text = _REFERENCE_LINK_RE.sub(r"\1", text)
    text = _URL_RE.sub("", text)
    text = _TAG_RE.sub("", text)
    return _EMPHASIS_RE.sub("", text)


def _as_sentences(unit: TextUnit) -> str:
    """One unit as plain sentences: each list item, table cell and FAQ answer ends with a full stop.

    The HTML-derived `doc.body.text` joins list items and table cells into
    run-on "sentences", which inflates any grade formula; we don't.
    """
    if unit.kind == "table":
        pieces = [cell for row in unit.text.split("\n") if not _TABLE_SEPARATOR_RE.match(row)
                  for cell in row.strip().strip("|").split("|")]
    else:
        pieces = [unit.text]
    sentences = []
    for piece in pieces:
        text = " ".join(prose(piece).split())
        if text:
            sentences.append(text if re.search(r"[.!?:;…][\"'”’)\]]*$", text) else text + ".")
    return " ".join(sentences)


def _word_count(text: str) -> int:
    return len(re.findall(r"[A-Za-z0-9]+(?:['’-][A-Za-z0-9]+)*", text))


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


# --- rule: uncited-claim -----------------------------------------------------------

_NUMBER_WORD = r"(?:one|two|three|four|five|six|seven|eight|nine|ten|a hundred|\d[\d,]*)"
_RESEARCH_SUBJECT = r"(?:studies|research|evidence|trials|surveys|reviews|meta-analyses|researchers|scientists|data)"
_RESEARCH_VERB = (
    r"(?:shows?|showed|shown|suggests?|suggested|found|finds?|indicates?|indicated|reports?|reported|"
    r"demonstrates?|demonstrated|confirms?|confirmed|proves?|proved|concludes?|concluded)"
)
CLAIM_PATTERNS: tuple[re.Pattern[str], ...] = tuple(
    re.compile(pattern, re.IGNORECASE)
    for pattern in (
        # "About 40% of people", "12.5 percent" (but not "100% sure": only 100% *of* counts)
        r"\b(?!100\s?%(?!\s+of\b))\d+(?:\.\d+)?\s?(?:%|per\s?cent\b)",
        # "1 in 4", "one in five adults", "2 out of 3", "30 people in 100"
        rf"\b{_NUMBER_WORD}\s+(?:[a-z]+\s+)?(?:in|out of)\s+(?:every\s+)?{_NUMBER_WORD}\b"
        r"(?!\s*(?:hours?|days?|minutes?|weeks?|months?|years?)\b)",
        # "studies show", "research suggests", "evidence from trials shows"
        rf"\b{_RESEARCH_SUBJECT}\b(?:\s+\w+){{0,4}}?\s+(?:(?:have|has|had)\s+(?:also\s+)?)?{_RESEARCH_VERB}\b",
        # "One study found", "the trial showed", "a 2019 survey of 500 adults"; not "what a study cannot tell us"
        rf"\b(?:a|one|another|the|this|that)\s+(?:(?:recent|new|large|small|big|\d{{4}})\s+)?"
        rf"(?:study|trial|survey|meta-analysis|systematic review|cochrane review)"
        rf"(?:\s+(?:of|in|with)\s+(?:over\s+|more than\s+|about\s+|nearly\s+|almost\s+)?\d[\d,]*"
        rf"|,?\s+(?:\w+\s+){{0,3}}?(?:(?:has|have|had)\s+)?{_RESEARCH_VERB}\b)",
        r"\bthere is (?:good|strong|some|little|limited|growing|no|clear|moderate)\s+evidence\b",
        r"\baccording to (?:research|studies|a study|a survey|the data)\b",
        r"\b\d+(?:\.\d+)?\s+(?:million|billion)\b",
        r"\b(?:\d+(?:\.\d+)?|twice|two|three|four|five|ten)\s+(?:times\s+)?(?:more|less|as)\s+likely\b",
        r"\b(?:halves|halved|doubles|doubled|triples|tripled)\s+the\s+(?:risk|chance|odds)\b",
        r"\b(?:the|a)\s+(?:vast\s+)?majority of\b",
    )
)


def find_claim(text: str) -> re.Match[str] | None:
    """The first study-style claim in prose: statistics and research phrases, never bare numbers.

    Bare numbers are advice or facts a reader acts on (doses, "within 24 hours",
    ages, emergency numbers 911/999/112, years, list markers), not claims.
    """
    matches = [m for pattern in CLAIM_PATTERNS if (m := pattern.search(text))]
    return min(matches, key=lambda m: m.start()) if matches else None


def _has_citation(text: str) -> bool:
    return CITATION_RE.search(text) is not None


def check_uncited_claim(context: LintContext, doc: ResolvedDocument) -> Iterator[Finding]:
    previous: TextUnit | None = None
    for unit in context.units(doc):
        lead_in_cites = previous is not None and previous.kind == "paragraph" and _has_citation(previous.text)
        cited = _has_citation(unit.text) or (unit.kind == "table" and lead_in_cites)
        if unit.kind != "heading" and not cited:
            text = prose(unit.text)
            claim = find_claim(text)
            if claim:
                line = unit.line if unit.kind in ("faq", "summary") else unit.line + text.count("\n", 0, claim.start())
                phrase = " ".join(claim.group(0).split())
                yield Finding(line, f"'{phrase}' reads like a research claim but its paragraph cites no source; "
                                    "add a citation like [@key]")
        previous = unit


# --- rules: review -------------------------------------------------------------------


def _review_line(doc: ResolvedDocument) -> int:
    return doc.meta.lines.get("review_due") or doc.meta.lines.get("reviewed") or 1


def check_review_overdue(context: LintContext, doc: ResolvedDocument) -> Iterator[Finding]:
    due = doc.review_due
    if doc.kind == "article" and due is not None and due < context.today:
        days = (context.today - due).days
        yield Finding(_review_line(doc), f"review overdue: review_due {due} was {days} day(s) ago; "
                                         "re-review the article, then update 'reviewed'")


def check_review_due_soon(context: LintContext, doc: ResolvedDocument) -> Iterator[Finding]:
    due = doc.review_due
    if doc.kind == "article" and due is not None and 0 <= (due - context.today).days <= REVIEW_SOON_DAYS:
        yield Finding(_review_line(doc), f"review due soon: review_due {due} is in {(due - context.today).days} day(s)")


def check_no_reviewer(context: LintContext, doc: ResolvedDocument) -> Iterator[Finding]:
    if doc.kind == "article" and doc.reviewer is None:
        line = doc.meta.lines.get("reviewer") or doc.meta.lines.get("reviewed") or 1
        yield Finding(line, "article has no medical reviewer; add 'reviewer: <person id>' "
                            "(a clinician listed in content/site.yaml people)")


# --- rule: reading-grade ----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TextCounts:
    words: int
    sentences: int
    syllables: int

    def __add__(self, other: "TextCounts") -> "TextCounts":
        return TextCounts(self.words + other.words, self.sentences + other.sentences, self.syllables + other.syllables)

    @property
    def grade(self) -> float:
        """Flesch-Kincaid grade level (the formula textstat.flesch_kincaid_grade applies)."""
        if not self.words or not self.sentences:
            return 0.0
        return 0.39 * self.words / self.sentences + 11.8 * self.syllables / self.words - 15.59


def text_counts(text: str) -> TextCounts:
    import textstat  # imported here: `build` never needs it

    sentences = max(1, textstat.sentence_count(text))
    return TextCounts(textstat.lexicon_count(text), sentences, textstat.syllable_count(text))


def check_reading_grade(context: LintContext, doc: ResolvedDocument) -> Iterator[Finding]:
    """Flesch-Kincaid grade of the reader-facing prose (summary, body, FAQ); headings excluded.

    Flesch-Kincaid is the measure health-literacy guidance and audits quote
    ("grade 8 or lower") and it works on single paragraphs, which SMOG
    (needs 30 sentences) does not; so one formula ranks article and paragraphs.
    Counts are taken once per paragraph and summed for the article.
    """
    if doc.kind != "article":
        return
    counted = [(unit.line, text_counts(text)) for unit in context.units(doc)
               if unit.kind != "heading" and (text := _as_sentences(unit))]
    total = sum((counts for _, counts in counted), TextCounts(0, 0, 0))
    if total.words < READING_MIN_WORDS or total.grade <= READING_GRADE_MAX:
        return
    hard = [(counts.grade, line) for line, counts in counted if counts.words >= 12 and counts.grade > READING_GRADE_MAX]
    hardest = sorted(hard, key=lambda g: (-g[0], g[1]))[:HARDEST_PARAGRAPHS]
    named = ", ".join(f"line {line} (grade {grade:.1f})" for grade, line in hardest)
    detail = f"; hardest paragraphs: {named}" if named else ""
    yield Finding(doc.meta.lines.get("title", 1),
                  f"reading grade {total.grade:.1f} (Flesch-Kincaid) is above {READING_GRADE_MAX:g}; "
                  f"use shorter sentences and everyday words{detail}")


# --- rules: structure ---------------------------------------------------------------------

_EMPTY_ALT_IMAGE_RE = re.compile(r"!\[\s*\]\s*[(\[]")
_IMG_TAG_RE = re.compile(r"<img\b[^>]*>", re.IGNORECASE)
_ALT_ATTR_RE = re.compile(r"\balt\s*=\s*(\"[^\"]*\S[^\"]*\"|'[^']*\S[^']*'|[^\s\"'>]+)", re.IGNORECASE)


def check_image_alt(context: LintContext, doc: ResolvedDocument) -> Iterator[Finding]:
    for number, text in context.lines(doc):
        missing = _EMPTY_ALT_IMAGE_RE.search(text) or next(
            (tag for tag in _IMG_TAG_RE.finditer(text) if not _ALT_ATTR_RE.search(tag.group(0))), None
        )
        if missing:
            yield Finding(number, "image has no alt text; describe it for readers who cannot see it: "
                                  "![what it shows](file)")


def body_headings(lines: list[tuple[int, str]]) -> list[tuple[int, int, str]]:
    """(line, level, text) of every Markdown heading in the body, ATX and setext."""
    headings = []
    for block in blocks(lines):
        for index, (number, text) in enumerate(block):
            atx = _HEADING_RE.match(text)
            if atx:
                headings.append((number, len(atx.group(1)), (atx.group(2) or "").strip()))
            elif index > 0 and _SETEXT_RE.match(text) and not _LIST_MARKER_RE.match(block[index - 1][1]) \
                    and not _HEADING_RE.match(block[index - 1][1]) and "|" not in block[index - 1][1]:
                level = 1 if text.strip().startswith("=") else 2
                headings.append((block[index - 1][0], level, block[index - 1][1].strip()))
    return headings


def check_heading_skip(context: LintContext, doc: ResolvedDocument) -> Iterator[Finding]:
    previous = 1  # the page title is the h1
    for line, level, _ in body_headings(context.lines(doc)):
        if level > previous + 1:
            yield Finding(line, f"heading level jumps from h{previous} to h{level}; "
                                f"use {'#' * (previous + 1)} here so screen-reader outlines make sense")
        previous = level


def check_multiple_h1(context: LintContext, doc: ResolvedDocument) -> Iterator[Finding]:
    for line, level, _ in body_headings(context.lines(doc)):
        if level == 1:
            yield Finding(line, "a level-1 heading in the body; the title is the page's only h1, "
                                "so start sections with ##")


# --- rules: links ---------------------------------------------------------------------------

_MARKDOWN_URL_RE = re.compile(  # inline links and images, <autolinks>, [reference]: definitions
    r"\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)|<(https?://[^>\s]+)>|^\s*\[[^\]]+\]:\s*<?(\S+?)>?(?:\s|$)",
    re.MULTILINE,
)
# Ids the theme emits on every page (base.html) and on every article; those
# whose section depends on layout decisions (table of contents, related
# articles) count as always present rather than mirroring outputs.py.
TEMPLATE_IDS = frozenset({"main"})
ARTICLE_TEMPLATE_IDS = frozenset({"disclaimer-title", "toc-title", "related-title"})


def all_links(doc: ResolvedDocument) -> list[Link]:
    """Links of the body and summary (rendered) and FAQ answers (read from their Markdown)."""
    links = [*doc.body.links, *(link for item in doc.summary for link in item.links)]
    for item in doc.meta.faq:
        masked = mask_code(item.answer)
        links.extend(Link(next(g for g in m.groups() if g), item.line) for m in _MARKDOWN_URL_RE.finditer(masked))
    return links


_ID_ATTR_RE = re.compile(r"\bid=\"([^\"]+)\"")


def page_anchors(site: Site) -> dict[str, frozenset[str]]:
    """Element ids each document's page will have: its Markdown's ids plus those the theme templates emit."""
    anchors = {}
    for doc in (*site.articles, *site.pages):
        html = "\n".join([doc.body.html, *(s.html for s in doc.summary), *(f.answer_html for f in doc.faq)])
        ids = set(TEMPLATE_IDS) | {h.id for h in doc.body.headings} | set(_ID_ATTR_RE.findall(html))
        if doc.references:
            ids |= {"references", "references-title", *(f"ref-{r.number}" for r in doc.references)}
        if doc.kind == "article":
            ids |= ARTICLE_TEMPLATE_IDS
            if doc.summary:
                ids.add("key-takeaways-title")
            if doc.faq:
                ids |= {"faq", "faq-title"}
        anchors[doc.url] = frozenset(ids)
    return anchors


def _anchor_target(url: str, doc_url: str) -> tuple[str, str] | None:
    """(document URL, fragment) for an internal link with a fragment, else None."""
    parts = urlsplit(url)
    if not parts.fragment or is_external(url) or parts.scheme:
        return None
    if not parts.path:
        return doc_url, unquote(parts.fragment)
    path = parts.path.lstrip("/").removesuffix("index.html")
    return (path if path.endswith("/") or not path else path + "/"), unquote(parts.fragment)


def check_broken_anchor(context: LintContext, doc: ResolvedDocument) -> Iterator[Finding]:
    for link in all_links(doc):
        target = _anchor_target(link.url, doc.url)
        if target is None or target[0] not in context.anchors:
            continue  # external, no fragment, or a generated list page whose ids we do not track
        ids = context.anchors[target[0]]
        if target[1] not in ids:
            where = "this page" if target[0] == doc.url else f"/{target[0]}"
            yield Finding(link.line, f"link '{link.url}' points to '#{target[1]}', which does not exist on {where}"
                                     f"{did_you_mean(target[1], sorted(ids))}")


def check_insecure_link(context: LintContext, doc: ResolvedDocument) -> Iterator[Finding]:
    for link in all_links(doc):
        if urlsplit(link.url).scheme.lower() == "http":
            yield Finding(link.line, f"link '{link.url}' uses http://; link the https:// address")


AFFILIATE_HOSTS = (
    "amzn.to", "shareasale.com", "awin1.com", "clickbank.net", "linksynergy.com", "impact.com", "sjv.io",
    "pxf.io", "prf.hn", "partnerize.com", "skimlinks.com", "skimresources.com", "go.redirectingat.com",
)
AFFILIATE_PARAMS = frozenset({"tag", "ref", "aff", "aff_id", "affid", "affiliate", "affiliate_id", "irclickid"})


def affiliate_sign(url: str) -> str | None:
    """Why a URL looks like an affiliate or tracking link, or None."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    for known in AFFILIATE_HOSTS:
        if host == known or host.endswith("." + known):
            return f"affiliate host {known}"
    for name, _ in parse_qsl(parts.query, keep_blank_values=True):
        lowered = name.lower()
        if lowered in AFFILIATE_PARAMS or lowered.startswith("utm_"):
            return f"tracking parameter '{name}='"
    return None


def check_affiliate_link(context: LintContext, doc: ResolvedDocument) -> Iterator[Finding]:
    if doc.meta.affiliate:
        return
    for link in all_links(doc):
        sign = affiliate_sign(link.url) if is_external(link.url) else None
        if sign:
            yield Finding(link.line, f"link '{link.url}' looks like an affiliate link ({sign}); remove the tracking, "
                                     "or set 'affiliate: true' so the page discloses it and marks links rel=sponsored")


# --- rules: metadata -------------------------------------------------------------------------


def check_description_length(context: LintContext, doc: ResolvedDocument) -> Iterator[Finding]:
    length, (low, high) = len(doc.meta.description), DESCRIPTION_RANGE
    if not low <= length <= high:
        yield Finding(doc.meta.lines.get("description", 1),
                      f"description is {length} characters; keep it between {low} and {high}")


def check_title_length(context: LintContext, doc: ResolvedDocument) -> Iterator[Finding]:
    length = len(doc.meta.title)
    if length > TITLE_MAX:
        yield Finding(doc.meta.lines.get("title", 1),
                      f"title is {length} characters; keep it to {TITLE_MAX} so search results show it whole")


def check_structured_data(context: LintContext, doc: ResolvedDocument) -> Iterator[Finding]:
    for line, message in structured_data.structured_data_problems(context.site.config, doc):
        yield Finding(line, message)


def check_faq_answer_length(context: LintContext, doc: ResolvedDocument) -> Iterator[Finding]:
    for item in doc.faq:
        words = _word_count(item.answer_text)
        if words < FAQ_MIN_WORDS or not re.search(r"[.!?]", item.answer_text):
            yield Finding(item.line, f"FAQ answer is not a full sentence ({words} word(s)); "
                                     "answer in at least one complete sentence")
        elif words > FAQ_MAX_WORDS:
            yield Finding(item.line, f"FAQ answer has {words} words; keep it under {FAQ_MAX_WORDS} "
                                     "(move the detail into the article)")


# --- rule: mojibake -----------------------------------------------------------------------------

# UTF-8 read as Windows-1252/Latin-1 ("â€™", "Ã©", "Â "), the replacement
# character, and UTF-8 read as TIS-620/cp874 (Thai letters in English text).
_MOJIBAKE_RE = re.compile(r"â€|Ã[\u0080-\u00bf\u2013-\u203a\u20ac\u0152-\u0192]|Â[\u0080-\u00bf ]|ï»¿|\ufffd")
_THAI_RE = re.compile(r"[\u0e00-\u0e7f]+")


def mojibake_in(text: str, english: bool) -> str | None:
    match = _MOJIBAKE_RE.search(text) or (_THAI_RE.search(text) if english else None)
    return match.group(0) if match else None


def _texts_with_lines(doc: ResolvedDocument) -> Iterator[tuple[int, str]]:
    meta = doc.meta
    yield meta.lines.get("title", 1), meta.title
    yield meta.lines.get("description", 1), meta.description
    yield from zip(meta.summary_lines, meta.summary)
    for item in meta.faq:
        yield item.line, item.question
        yield item.line, item.answer
    for offset, text in enumerate(doc.parsed.body.split("\n")):
        yield doc.parsed.body_start_line + offset, text


def check_mojibake(context: LintContext, doc: ResolvedDocument) -> Iterator[Finding]:
    english = context.site.config.language.lower().startswith("en")
    reported: set[int] = set()
    for line, text in _texts_with_lines(doc):
        bad = mojibake_in(text, english)
        if bad and line not in reported:
            reported.add(line)
            yield Finding(line, f"text looks mis-encoded ({bad!r}); it was probably pasted from a file read with the "
                                "wrong encoding: retype the character")


# --- rule: lint-ignore hygiene -----------------------------------------------------------------


def check_bad_lint_ignore(context: LintContext, doc: ResolvedDocument) -> Iterator[Finding]:
    known = [rule.id for rule in RULES]
    for rule_id in doc.meta.lint_ignore:
        if rule_id not in known:
            yield Finding(doc.meta.lines.get("lint_ignore", 1),
                          f"lint_ignore names unknown rule '{rule_id}'{did_you_mean(rule_id, known)}")
    for comment in context.ignore_comments(doc):
        for rule_id in comment.rules:
            if rule_id not in known:
                yield Finding(comment.line,
                              f"lint-ignore comment names unknown rule '{rule_id}'{did_you_mean(rule_id, known)}")
        if not comment.reason:
            yield Finding(comment.line,
                          "lint-ignore comment needs a reason: <!-- lint-ignore rule-id: why it does not apply -->")


# --- rules: bibliography (site scope) ------------------------------------------------------------


def check_unused_reference(context: LintContext) -> Iterator[Finding]:
    site = context.site
    cited = {numbered.reference.key for doc in (*site.articles, *site.pages) for numbered in doc.references}
    for key, reference in site.bibliography.entries.items():
        if key not in cited:
            yield Finding(reference.line, f"reference '{key}' is never cited; cite it or remove it",
                          site.bibliography.rel)


def check_reference_fields(context: LintContext) -> Iterator[Finding]:
    from .bibliography import missing_fields

    bibliography = context.site.bibliography
    for key, reference in bibliography.entries.items():
        missing = list(missing_fields(reference))
        if missing:
            yield Finding(reference.line, f"reference '{key}' (@{reference.entry_type}) is missing "
                                          f"{', '.join(missing)}", bibliography.rel)


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
