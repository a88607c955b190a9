"""Lint rules on what editors write, one `check_<rule>` function per rule.

Uncited claims, reading grade, review dates and reviewer, image alt text,
heading levels, description/title length, structured data, FAQ answer
length, mis-encoded text, and the references.bib rules (site scope), each
declared with `@rule` beside the thresholds it applies. Link rules are in links.py.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterator

from ...core.errors import WARNING
from ...core.model import ResolvedDocument
from ...jsonld import graphs as structured_data
from ..context import Finding, LintContext, rule
from ..text import WORD_RE, TextUnit, as_sentences, body_headings, find_claim, has_citation, prose, word_count

# --- thresholds --------------------------------------------------------------

READING_GRADE_MAX = 8.0
READING_MIN_WORDS = 100  # Flesch-Kincaid is noise on a few sentences
HARDEST_PARAGRAPHS = 3
REVIEW_SOON_DAYS = 30
DESCRIPTION_RANGE = (50, 160)
TITLE_MAX = 70
FAQ_MIN_WORDS, FAQ_MAX_WORDS = 3, 300
# Words that answer without saying anything: "Yes.", "Not usually, no.", "It depends."
_ANSWER_PARTICLES = frozenset(
    "yes no not maybe perhaps possibly probably sometimes often usually mostly generally rarely always never "
    "it depends and but or really sure of course".split())
_SPANISH_PARTICLES = frozenset(
    "sí si no quizás quizá quizas quiza tal vez a veces depende normalmente generalmente casi siempre nunca "
    "claro que por supuesto y o pero mucho poco".split())
PARTICLES_BY_LANGUAGE = {"en": _ANSWER_PARTICLES, "es": _SPANISH_PARTICLES}


# --- rule: uncited-claim -----------------------------------------------------------


@rule("uncited-claim", WARNING,
      'statistic or research claim ("40% of", "1 in 4", "studies show", "a study found") in a paragraph, '
      "list item, table, summary item or FAQ answer without a [@key] citation")
def check_uncited_claim(context: LintContext, doc: ResolvedDocument) -> Iterator[Finding]:
    previous: TextUnit | None = None
    for unit in context.units(doc):
        lead_in_cites = previous is not None and previous.kind == "paragraph" and has_citation(previous.text)
        cited = has_citation(unit.text) or (unit.kind == "table" and lead_in_cites)
        if unit.kind != "heading" and not cited:
            text = prose(unit.text)
            claim = find_claim(text, doc.lang)
            if claim:
                line = unit.line if unit.kind in ("faq", "summary") else unit.line + text.count("\n", 0, claim.start())
                phrase = " ".join(claim.group(0).split())
                yield Finding(line, f"'{phrase}' reads like a research claim but its paragraph cites no source; "
                                    "add a citation like [@key]")
        previous = unit


# --- rules: review -------------------------------------------------------------------


def _review_line(doc: ResolvedDocument) -> int:
    return doc.meta.lines.get("review_due") or doc.meta.lines.get("reviewed") or 1


@rule("review-overdue", WARNING, "review_due date has passed (articles, and pages with review dates)")
def check_review_overdue(context: LintContext, doc: ResolvedDocument) -> Iterator[Finding]:
    due = doc.meta.review_due
    if due is not None and due < context.today:
        days = (context.today - due).days
        yield Finding(_review_line(doc), f"review overdue: review_due {due} was {days} day(s) ago; "
                                         "re-review the article, then update 'reviewed'")


@rule("review-due-soon", WARNING, f"review is due within {REVIEW_SOON_DAYS} days")
def check_review_due_soon(context: LintContext, doc: ResolvedDocument) -> Iterator[Finding]:
    due = doc.meta.review_due
    if due is not None and 0 <= (due - context.today).days <= REVIEW_SOON_DAYS:
        yield Finding(_review_line(doc), f"review due soon: review_due {due} is in {(due - context.today).days} day(s)")


@rule("no-reviewer", WARNING, "article has no medical reviewer")
def check_no_reviewer(context: LintContext, doc: ResolvedDocument) -> Iterator[Finding]:
    if doc.document_kind.clinical and doc.reviewer is None:
        line = doc.meta.lines.get("reviewer") or doc.meta.lines.get("reviewed") or 1
        yield Finding(line, "article has no medical reviewer; add 'reviewer: <person id>' "
                            "(a clinician listed in content/site.yaml people)")


def _is_english(doc: ResolvedDocument) -> bool:
    """Is the document in English (its own language: a multilingual site has others)?"""
    return (doc.lang or "en").lower().split("-")[0] == "en"


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


@rule("reading-grade", WARNING,
      f"article reads above grade {READING_GRADE_MAX:g} (Flesch-Kincaid); names the hardest paragraphs")
def check_reading_grade(context: LintContext, doc: ResolvedDocument) -> Iterator[Finding]:
    """Flesch-Kincaid grade of the reader-facing prose (summary, body, FAQ); headings excluded.

    Flesch-Kincaid is the measure health-literacy guidance and audits quote
    ("grade 8 or lower") and it works on single paragraphs, which SMOG
    (needs 30 sentences) does not; so one formula ranks article and paragraphs.
    Counts are taken once per paragraph and summed for the article.
    """
    if not doc.document_kind.clinical or not _is_english(doc):
        return  # the formula's coefficients and the syllable counts are English
    counted = [(unit.line, text_counts(text)) for unit in context.units(doc)
               if unit.kind != "heading" and (text := as_sentences(unit))]
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


@rule("image-alt", WARNING, "image in the body without alt text (![](x.png), <img> without alt)")
def check_image_alt(context: LintContext, doc: ResolvedDocument) -> Iterator[Finding]:
    for number, text in context.lines(doc):
        missing = _EMPTY_ALT_IMAGE_RE.search(text) or next(
            (tag for tag in _IMG_TAG_RE.finditer(text) if not _ALT_ATTR_RE.search(tag.group(0))), None
        )
        if missing:
            yield Finding(number, "image has no alt text; describe it for readers who cannot see it: "
                                  "![what it shows](file)")


@rule("heading-skip", WARNING, "heading level skipped (## then ####)")
def check_heading_skip(context: LintContext, doc: ResolvedDocument) -> Iterator[Finding]:
    previous = 1  # the page title is the h1
    for line, level, _ in body_headings(context.lines(doc)):
        if level > previous + 1:
            yield Finding(line, f"heading level jumps from h{previous} to h{level}; "
                                f"use {'#' * (previous + 1)} here so screen-reader outlines make sense")
        previous = level


@rule("multiple-h1", WARNING, "a # heading in the body (the title is the page's h1)")
def check_multiple_h1(context: LintContext, doc: ResolvedDocument) -> Iterator[Finding]:
    for line, level, _ in body_headings(context.lines(doc)):
        if level == 1:
            yield Finding(line, "a level-1 heading in the body; the title is the page's only h1, "
                                "so start sections with ##")


# --- rules: metadata -------------------------------------------------------------------------


@rule("description-length", WARNING,
      f"description shorter than {DESCRIPTION_RANGE[0]} or longer than {DESCRIPTION_RANGE[1]} characters")
def check_description_length(context: LintContext, doc: ResolvedDocument) -> Iterator[Finding]:
    length, (low, high) = len(doc.meta.description), DESCRIPTION_RANGE
    if not low <= length <= high:
        yield Finding(doc.meta.lines.get("description", 1),
                      f"description is {length} characters; keep it between {low} and {high}")


@rule("title-length", WARNING, f"title longer than {TITLE_MAX} characters")
def check_title_length(context: LintContext, doc: ResolvedDocument) -> Iterator[Finding]:
    length = len(doc.meta.title)
    if length > TITLE_MAX:
        yield Finding(doc.meta.lines.get("title", 1),
                      f"title is {length} characters; keep it to {TITLE_MAX} so search results show it whole")


@rule("structured-data", WARNING, "structured data (JSON-LD) would be incomplete")
def check_structured_data(context: LintContext, doc: ResolvedDocument) -> Iterator[Finding]:
    for line, message in structured_data.structured_data_problems(context.site.config, doc):
        yield Finding(line, message)


@rule("faq-answer-length", WARNING,
      f"FAQ answer that is a fragment (\"Yes.\", \"Sometimes\": under {FAQ_MIN_WORDS} words, only words like "
      f"yes/no/sometimes, or no full stop) or over {FAQ_MAX_WORDS} words")
def check_faq_answer_length(context: LintContext, doc: ResolvedDocument) -> Iterator[Finding]:
    for item in doc.faq:
        words = word_count(item.answer_text)
        if is_fragment(item.answer_text, doc.lang):
            yield Finding(item.line, f"FAQ answer is a fragment ({words} word(s)); "
                                     "answer in at least one complete sentence")
        elif words > FAQ_MAX_WORDS:
            yield Finding(item.line, f"FAQ answer has {words} words; keep it under {FAQ_MAX_WORDS} "
                                     "(move the detail into the article)")


def is_fragment(answer: str, language: str = "en") -> bool:
    """A short complete sentence ("Gentle walking often helps.") is an answer; "Yes." is not."""
    words = [word.lower() for word in WORD_RE.findall(answer)]
    particles = PARTICLES_BY_LANGUAGE.get(language.lower().split("-")[0], _ANSWER_PARTICLES)
    says_something = any(word not in particles for word in words)
    return len(words) < FAQ_MIN_WORDS or not says_something or not re.search(r"[.!?]", answer)


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


@rule("mojibake", WARNING, "mis-encoded text (â€™, Ã©, Â, U+FFFD, Thai letters in English text)")
def check_mojibake(context: LintContext, doc: ResolvedDocument) -> Iterator[Finding]:
    english = _is_english(doc)
    reported: set[int] = set()
    for line, text in _texts_with_lines(doc):
        bad = mojibake_in(text, english)
        if bad and line not in reported:
            reported.add(line)
            yield Finding(line, f"text looks mis-encoded ({bad!r}); it was probably pasted from a file read with the "
                                "wrong encoding: retype the character")


# --- rules: bibliography (site scope) ------------------------------------------------------------


@rule("unused-reference", WARNING, "references.bib entry no page cites", scope="site")
def check_unused_reference(context: LintContext) -> Iterator[Finding]:
    site = context.site
    cited = {numbered.reference.key for doc in site.documents for numbered in doc.references}
    for key, reference in site.bibliography.entries.items():
        if key not in cited:
            yield Finding(reference.line, f"reference '{key}' is never cited; cite it or remove it",
                          site.bibliography.rel)


@rule("reference-fields", WARNING, "references.bib entry missing fields its type needs", scope="site")
def check_reference_fields(context: LintContext) -> Iterator[Finding]:
    from ...bibtex.parse import missing_fields

    bibliography = context.site.bibliography
    for key, reference in bibliography.entries.items():
        missing = list(missing_fields(reference))
        if missing:
            yield Finding(reference.line, f"reference '{key}' (@{reference.entry_type}) is missing "
                                          f"{', '.join(missing)}", bibliography.rel)
