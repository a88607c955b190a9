"""Markdown as the lint rules read it: text units with source lines, plain prose, headings, claims.

The body (code masked) splits into paragraphs, list items, tables and
headings (`TextUnit`), beside summary items and FAQ answers; `prose` and
`as_sentences` reduce a unit to the words a reader sees, `body_headings`
lists the outline and `find_claim` spots the statistics and research phrases
that need a citation. Pure functions of the document (`LintContext` keeps
their results for the run), so the rules and the silencing share them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..citations.syntax import CITATION_RE, mask_code
from ..core.model import ResolvedDocument

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


def as_sentences(unit: TextUnit) -> str:
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


WORD_RE = re.compile(r"[^\W_]+(?:['’-][^\W_]+)*")  # letters of any language: "también" is one word


def word_count(text: str) -> int:
    return len(WORD_RE.findall(text))


# --- claims ------------------------------------------------------------------------

_NUMBER_WORD = r"(?:one|two|three|four|five|six|seven|eight|nine|ten|a hundred|\d[\d,]*)"
_RESEARCH_SUBJECT = r"(?:studies|research|evidence|trials|surveys|reviews|meta-analyses|researchers|scientists|data)"
_RESEARCH_VERB = (
    r"(?:shows?|showed|shown|suggests?|suggested|found|finds?|indicates?|indicated|reports?|reported|"
    r"demonstrates?|demonstrated|confirms?|confirmed|proves?|proved|concludes?|concluded)"
)
_PERCENT = r"\b(?!100\s?%(?!\s+of\b))\d+(?:\.\d+)?\s?(?:%|per\s?cent\b)"
CLAIM_PATTERNS: tuple[re.Pattern[str], ...] = tuple(
    re.compile(pattern, re.IGNORECASE)
    for pattern in (
        # "About 40% of people", "12.5 percent" (but not "100% sure": only 100% *of* counts)
        _PERCENT,
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


# The same kinds of claim in Spanish: "el 40 %", "1 de cada 4", "los estudios muestran", "un estudio
# encontró", "según la investigación", "la mayoría de", "20 millones", "el doble de probable".
_NUMERO = r"(?:uno|una|dos|tres|cuatro|cinco|seis|siete|ocho|nueve|diez|\d[\d.,]*)"
_VERBO = (r"(?:muestra|muestran|mostr[oó]|mostraron|mostrado|sugiere|sugieren|sugiri[oó]|sugirieron|sugerido|"
          r"indica|indican|indic[oó]|indicaron|indicado|encuentra|encuentran|encontr[oó]|encontraron|encontrado|"
          r"demuestra|demuestran|demostr[oó]|demostraron|demostrado|confirma|confirman|confirm[oó]|confirmaron|"
          r"confirmado|revela|revelan|revel[oó]|revelaron|revelado|concluye|concluyen|concluy[oó]|concluyeron)")
SPANISH_CLAIM_PATTERNS: tuple[re.Pattern[str], ...] = tuple(
    re.compile(pattern, re.IGNORECASE)
    for pattern in (
        r"\b(?!100\s?%(?!\s+de\b))\d+(?:[.,]\d+)?\s?(?:%|por\s+ciento\b)",
        rf"\b{_NUMERO}\s+de\s+cada\s+{_NUMERO}\b(?!\s*(?:horas?|d[ií]as?|minutos?|semanas?|meses|mes|años?)\b)",
        rf"\b(?:estudios|investigaci[oó]n|investigaciones|evidencia|pruebas científicas|ensayos|encuestas|revisiones|"
        rf"investigadores|cient[ií]ficos|datos)\b(?:\s+\w+){{0,4}}?\s+(?:(?:ha|han|hab[ií]a|hab[ií]an)\s+)?{_VERBO}\b",
        rf"\b(?:un|una|otro|otra|el|la|este|esta|ese|esa)\s+(?:(?:reciente|nuevo|nueva|gran|peque[ñn]o|peque[ñn]a)\s+)?"
        rf"(?:estudio|ensayo|encuesta|metaan[aá]lisis|revisi[oó]n sistem[aá]tica)"
        rf"(?:\s+(?:de|con|en)\s+(?:m[aá]s de\s+|unos?\s+|unas\s+|casi\s+)?\d[\d.,]*"
        rf"|,?\s+(?:\w+\s+){{0,3}}?(?:(?:ha|han)\s+)?{_VERBO}\b)",
        r"\bseg[uú]n\s+(?:la investigaci[oó]n|las investigaciones|los estudios|un estudio|una encuesta|los datos)\b",
        r"\bhay\s+(?:(?:buenas|s[oó]lidas|algunas|pocas|escasas|claras)\s+)?pruebas\b",
        r"\b\d+(?:[.,]\d+)?\s+(?:millones|mil millones)\b",
        r"\b(?:el doble|el triple|\d+ veces|dos veces|tres veces)\s+(?:m[aá]s\s+)?(?:de\s+)?"
        r"(?:probable|probabilidades?|riesgo)\b",
        r"\b(?:duplica|duplic[oó]|triplica|triplic[oó])\s+el\s+riesgo\b",
        r"\bla\s+(?:gran\s+)?mayor[ií]a\s+de\b",
    )
)
# Language (primary subtag) -> its claim patterns; others get the numbers every language writes alike.
CLAIMS_BY_LANGUAGE = {"en": CLAIM_PATTERNS, "es": SPANISH_CLAIM_PATTERNS}
_ANY_LANGUAGE = (re.compile(_PERCENT, re.IGNORECASE),)


def find_claim(text: str, language: str = "en") -> re.Match[str] | None:
    """The first study-style claim in prose: statistics and research phrases, never bare numbers.

    Bare numbers are advice or facts a reader acts on (doses, "within 24 hours",
    ages, emergency numbers 911/999/112, years, list markers), not claims. The phrases
    are those of the text's language (English, Spanish); in other languages only
    percentages are recognised.
    """
    patterns = CLAIMS_BY_LANGUAGE.get(language.lower().split("-")[0], _ANY_LANGUAGE)
    matches = [m for pattern in patterns if (m := pattern.search(text))]
    return min(matches, key=lambda m: m.start()) if matches else None


def has_citation(text: str) -> bool:
    return CITATION_RE.search(text) is not None
