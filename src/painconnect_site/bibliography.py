"""references.bib -> `Bibliography`: BibTeX parsed by bibtexparser v2, LaTeX decoded.

The BibLaTeX -> CSL-JSON conversion mirrors what pandoc 2.17 does when it
reads a `.bib` file (`pandoc -f biblatex -t csljson`), so that the references
list rendered from our CSL-JSON matches `pandoc --citeproc` entry for entry:

* `{braces}` protect case; English titles are converted to sentence case
  (pandoc's "unTitlecase") and protected words that contain a lowercase word
  survive as `<span class="nocase">` for styles that title-case them again;
* names are split the BibLaTeX way (`von`, `Jr.`, `{Corporate Names}`);
* `'` becomes a typographic apostrophe, `--`/`---` en/em dashes, `~` a
  no-break space (a plain space inside names), pages use a hyphen;
* publisher-like fields are BibLaTeX lists: `A and B` becomes `A; B`.

Deliberate differences from pandoc: the internal `note` field (and its
companions `annote`/`annotation`/`addendum`) never reaches CSL-JSON, `@misc`
and unknown types become CSL `document` instead of pandoc's invalid empty
type, and `{\\'\\i}` decodes to a proper "í".
"""

from __future__ import annotations

import logging
import re
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Iterator, Mapping

import bibtexparser
from bibtexparser.middlewares import LatexDecodingMiddleware
from bibtexparser.model import (
    DuplicateBlockKeyBlock,
    DuplicateFieldKeyBlock,
    Entry,
    Field,
    MiddlewareErrorBlock,
    ParsingFailedBlock,
)

from . import textcase
from .errors import Diagnostics
from .model import Bibliography, Reference, SourceFile

BIBLIOGRAPHY_REL = "references.bib"

# Fields whose value is taken raw, like pandoc's `getRawField`: URLs and
# identifiers must not go through LaTeX (`%`, `_`, `~` are literal there).
VERBATIM_FIELDS = frozenset(
    "url doi eprint eprinttype pmid pmcid isbn issn date urldate eventdate origdate "
    "month day urlmonth urlday ids langid hyphenation options entrysubtype file".split()
)
# Internal-only fields: kept in `Reference.fields`, never in CSL-JSON.
INTERNAL_FIELDS = frozenset({"note", "annote", "annotation", "addendum"})

# BibLaTeX entry type -> CSL type (pandoc's getTypeAndGenre); misc -> document.
CSL_TYPES: Mapping[str, str] = {
    "article": "article-journal", "periodical": "article-journal",
    "suppperiodical": "article-journal", "book": "book", "collection": "book",
    "mvbook": "book", "mvcollection": "book", "mvproceedings": "book",
    "mvreference": "book", "proceedings": "book", "reference": "book",
    "manual": "book", "software": "book", "commentary": "book",
    "booklet": "pamphlet", "bookinbook": "chapter", "inbook": "chapter",
    "incollection": "chapter", "suppbook": "chapter", "suppcollection": "chapter",
    "inreference": "entry-encyclopedia", "inproceedings": "paper-conference",
    "conference": "paper-conference", "dataset": "dataset", "data": "dataset",
    "electronic": "webpage", "online": "webpage", "www": "webpage",
    "mastersthesis": "thesis", "phdthesis": "thesis", "thesis": "thesis",
    "report": "report", "techreport": "report", "patent": "patent",
    "unpublished": "manuscript", "misc": "document", "artwork": "graphic",
    "image": "graphic", "audio": "song", "music": "song",
    "jurisdiction": "legal_case", "legislation": "legislation",
    "standard": "legislation", "legal": "treaty", "letter": "personal_communication",
    "letters": "personal_communication", "movie": "motion_picture",
    "video": "motion_picture", "performance": "speech", "review": "review",
    "newsarticle": "article-newspaper",
}
_ARTICLE_TYPES = frozenset({"article", "periodical", "suppperiodical", "review"})
_CHAPTER_TYPES = frozenset(
    {"inbook", "incollection", "inproceedings", "inreference", "bookinbook"}
)
_COLLECTION_NUMBER_TYPES = frozenset(
    "book collection proceedings reference mvbook mvcollection mvproceedings "
    "mvreference bookinbook inbook incollection inproceedings inreference "
    "suppbook suppcollection".split()
)
# BibLaTeX localisation keys usable in `type` (english.lbx), as pandoc resolves them.
_TYPE_STRINGS: Mapping[str, str] = {
    "mathesis": "Master’s thesis", "phdthesis": "PhD thesis",
    "bathesis": "Bachelor’s thesis", "candthesis": "Candidate thesis",
    "techreport": "technical report", "resreport": "research report",
    "software": "computer software", "datacd": "CD-ROM", "audiocd": "audio CD",
    "patent": "patent",
}

# Required fields per entry type; "a/b" means either will do.
_REQUIRED_FIELDS: Mapping[str, tuple[str, ...]] = {
    "article": ("author", "title", "journal/journaltitle", "year/date"),
    "book": ("author/editor", "title", "publisher", "year/date"),
    "inbook": ("author", "title", "booktitle", "publisher", "year/date"),
    "incollection": ("author", "title", "booktitle", "publisher", "year/date"),
    "inproceedings": ("author", "title", "booktitle", "year/date"),
    "report": ("author", "title", "institution", "year/date"),
    "techreport": ("author", "title", "institution", "year/date"),
    "thesis": ("author", "title", "school/institution", "year/date"),
    "phdthesis": ("author", "title", "school/institution", "year/date"),
    "mastersthesis": ("author", "title", "school/institution", "year/date"),
    "online": ("author/editor", "title", "url", "year/date"),
    "misc": ("title",),
}

_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun",
           "jul", "aug", "sep", "oct", "nov", "dec")

# Private-use characters stand for protected `{groups}` while pylatexenc runs.
_PROTECT_OPEN = "\ue000"
_PROTECT_CLOSE = "\ue001"
_PRIVATE_USE = re.compile("[\ue000-\uf8ff]")
_SPACES = re.compile(r"[ \t\r\n]+")
_ACCENT_SYMBOLS = frozenset("'\"`^~=.uvHcdbtr")  # control symbols taking an argument


# --- rich text: decoded text in runs, some protected by {braces} -------------


@dataclass(frozen=True, slots=True)
class Run:
    text: str
    protected: bool = False


RichText = tuple[Run, ...]


def plain(rich: RichText) -> str:
    return "".join(run.text for run in rich)


# --- parsing ---------------------------------------------------------------


def parse_bibliography(source: SourceFile | None, diags: Diagnostics) -> Bibliography:
    if source is None:
        return Bibliography(rel=BIBLIOGRAPHY_REL, entries={})
    rel = source.rel
    with _quiet_library_logging():
        try:
            library = bibtexparser.parse_string(source.text)
        except Exception as error:  # bibtexparser must never take the build down
            diags.error(rel, None, f"could not parse BibTeX: {error}")
            return Bibliography(rel=rel, entries={})
        entries = _usable_entries(library, source, diags)
        strings = {key.lower(): s.value for key, s in library.strings_dict.items()}
        references: dict[str, Reference] = {}
        for entry in entries:
            try:
                reference = _entry_to_reference(entry, strings, rel, diags)
            except Exception as error:  # a bug on odd input must not stop the build
                diags.error(rel, _line(entry), f"could not read entry '{entry.key}': {error}")
                continue
            if reference is not None:
                references[reference.key] = reference
    return Bibliography(rel=rel, entries=references)


@contextmanager
def _quiet_library_logging() -> Iterator[None]:
    """bibtexparser and pylatexenc log warnings through the root logger; we report
    the same problems as diagnostics instead."""
    loggers = [logging.getLogger(name) for name in ("bibtexparser", "pylatexenc")]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.setLevel(logging.CRITICAL + 1)
    try:
        yield
    finally:
        for logger, level in zip(loggers, levels):
            logger.setLevel(level)


def _usable_entries(library, source: SourceFile, diags: Diagnostics) -> list[Entry]:
    """Entries in file order, with failed blocks turned into diagnostics (a
    block with duplicate fields is still used, so its citations resolve)."""
    rel = source.rel
    entries = [(_line(entry), entry) for entry in library.entries]
    for block in library.failed_blocks:
        line = _line(block)
        if isinstance(block, DuplicateBlockKeyBlock):
            first = _line(block.previous_block)
            diags.error(rel, line, f"duplicate BibTeX key '{block.key}' "
                                   f"(first defined on line {first})")
        elif isinstance(block, DuplicateFieldKeyBlock):
            entry = block.ignore_error_block
            names = ", ".join(sorted(block.duplicate_keys))
            diags.error(rel, line, f"entry '{entry.key}' sets {names} more than once")
            entries.append((line, entry))
        elif isinstance(block, MiddlewareErrorBlock):
            diags.error(rel, line, f"could not read entry: {block.error}")
        else:
            diags.error(rel, line, _syntax_error_message(block, source.text))
    return [entry for _, entry in sorted(entries, key=lambda pair: pair[0])]


def _line(block) -> int:
    return (block.start_line or 0) + 1  # bibtexparser counts lines from 0


def _syntax_error_message(block: ParsingFailedBlock, text: str) -> str:
    error = block.error
    reason = getattr(error, "abort_reason", None) or str(error) or type(error).__name__
    reason = reason.strip().replace("`", "'")
    end_index = getattr(error, "end_index", None)
    where = ""
    if end_index is not None and end_index < len(text.rstrip()):
        end_line = text.count("\n", 0, max(0, min(end_index, len(text)))) + 1
        if end_line != _line(block):
            where = f" (parsing stopped on line {end_line})"
    return f"BibTeX syntax error in the entry starting here: {reason}{where}"


# --- one entry -----------------------------------------------------------------


def _entry_to_reference(
    entry: Entry, strings: Mapping[str, str], rel: str, diags: Diagnostics
) -> Reference | None:
    line = _line(entry)
    key = (entry.key or "").strip()
    entry_type = entry.entry_type.lower()
    if not key:
        diags.error(rel, line, f"@{entry_type} entry has no key")
        return None
    if re.search(r'[\s,{}#%"\\]', key):
        diags.error(rel, line, f"BibTeX key '{key}' contains a character keys cannot have")
        return None
    if entry_type not in CSL_TYPES:
        diags.warning(rel, line, f"unknown BibTeX entry type '@{entry_type}' "
                                 f"in '{key}' (formatted as @misc)")
    raw = _raw_fields(entry, strings, rel, line, diags)
    rich = _decode_fields({name: value for name, value in raw.items()
                           if name not in VERBATIM_FIELDS}, rel, line, diags)
    fields = {name: plain(rich[name]) if name in rich else value.strip()
              for name, value in raw.items()}
    csl = _csl_item(key, entry_type, raw, rich, rel, line, diags)
    return Reference(
        key=key,
        entry_type=entry_type,
        line=line,
        fields=fields,
        csl=csl,
        authors=tuple(_display_name(name) for name in csl.get("author", ())),
        title=fields.get("title", ""),
        container=_container(entry_type, fields),
        year=_year(csl, fields),
        doi=csl.get("DOI"),
        url=csl.get("URL"),
        pmid=csl.get("PMID"),
    )


def _raw_fields(
    entry: Entry, strings: Mapping[str, str], rel: str, line: int, diags: Diagnostics
) -> dict[str, str]:
    raw: dict[str, str] = {}
    for field in entry.fields:
        name = field.key.lower()
        value = field.value if isinstance(field.value, str) else str(field.value)
        if field.enclosing == "no-enclosing":  # @string references, `#` concatenation
            value = _expand_unenclosed(name, value, strings, entry.key, rel, line, diags)
        if name in raw:
            diags.error(rel, line, f"entry '{entry.key}' sets {name} more than once")
        raw[name] = _PRIVATE_USE.sub("", value)
    return raw


def _expand_unenclosed(
    name: str, value: str, strings: Mapping[str, str], key: str,
    rel: str, line: int, diags: Diagnostics,
) -> str:
    parts = []
    for part in _split_concatenation(value):
        if part[:1] in "{\"" and len(part) >= 2:
            parts.append(part[1:-1])
        elif part.isdigit():
            parts.append(part)
        elif part.lower() in strings:
            parts.append(strings[part.lower()])
        elif name == "month" and part.lower() in _MONTHS:
            parts.append(part.lower())
        else:
            diags.error(rel, line, f"entry '{key}': {name} uses undefined @string '{part}'")
            parts.append(part)
    return "".join(parts)


def _split_concatenation(value: str) -> list[str]:
    """`a # {b} # "c"` -> ['a', '{b}', '"c"'], respecting braces and quotes."""
    parts, current, depth, in_quotes = [], [], 0, False
    for char in value:
        if char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
        elif char == '"' and depth == 0:
            in_quotes = not in_quotes
        elif char == "#" and depth == 0 and not in_quotes:
            parts.append("".join(current).strip())
            current = []
            continue
        current.append(char)
    parts.append("".join(current).strip())
    return [part for part in parts if part]


# --- LaTeX decoding ----------------------------------------------------------------

_DECODER = LatexDecodingMiddleware()


def _decode_fields(values: Mapping[str, str], rel: str, line: int,
                   diags: Diagnostics) -> dict[str, RichText]:
    """LaTeX -> rich text. Top-level `{groups}` that are not macro arguments
    are marked before decoding, as pandoc turns exactly those into spans.
    pylatexenc is slow to start, so an entry's fields go through it together."""
    marked = {name: _mark_protected_groups(value) for name, value in values.items()}
    latex = {name: value for name, value in marked.items() if _LATEX_SYNTAX.search(value)}
    decoded = dict(marked)  # plain text: pylatexenc would return it as is
    if latex:
        joined = _decode_latex("fields", _FIELD_SEPARATOR.join(latex.values()), rel, line, diags)
        parts = joined.split(_FIELD_SEPARATOR)
        if len(parts) == len(latex):
            decoded.update(zip(latex, parts))
        else:  # a field's LaTeX ran into the next one: decode them one by one
            decoded.update({name: _decode_latex(name, value, rel, line, diags)
                            for name, value in latex.items()})
    return {name: _smarten(_to_runs(text)) for name, text in decoded.items()}


def _decode_latex(name: str, latex: str, rel: str, line: int, diags: Diagnostics) -> str:
    # bibtexparser's decoder on a throwaway entry: its public interface is per block.
    probe = Entry("misc", "probe", [Field(name, latex)])
    result = _DECODER.transform_entry(probe, None)
    if isinstance(result, MiddlewareErrorBlock):
        diags.error(rel, line, f"could not decode LaTeX in {name}: {result.error}")
        return latex
    return probe.fields[0].value


_FIELD_SEPARATOR = "\ue002"  # private use: passes through pylatexenc untouched


# What makes pylatexenc change a string; most field values have none of it.
_LATEX_SYNTAX = re.compile(r"[\\{}~%$&#^_]|--|``|''")


def _mark_protected_groups(latex: str) -> str:
    out: list[str] = []
    i, n = 0, len(latex)
    after_macro = False  # a group right after a macro is its argument
    in_math = False
    while i < n:
        char = latex[i]
        if char == "\\":
            j = i + 1
            if j < n and latex[j].isalpha():
                while j < n and latex[j].isalpha():
                    j += 1
                after_macro = True
            else:
                j = min(j + 1, n)
                after_macro = latex[i + 1:j] in _ACCENT_SYMBOLS
            out.append(latex[i:j])
            i = j
            continue
        if char == "$":
            in_math = not in_math
        if char == "{":
            end = _matching_brace(latex, i)
            inner = latex[i + 1:end]
            if after_macro or in_math:
                out.append("{" + inner + "}")
            else:
                out.append(_PROTECT_OPEN + inner + _PROTECT_CLOSE)
            i = end + 1
            after_macro = after_macro and not in_math  # \frac{a}{b}: both arguments
            continue
        if not (char.isspace() and after_macro and out and out[-1][-1:].isalpha()):
            after_macro = False
        out.append(char)
        i += 1
    return "".join(out)


def _matching_brace(latex: str, start: int) -> int:
    depth = 0
    i = start
    while i < len(latex):
        char = latex[i]
        if char == "\\":
            i += 2
            continue
        if char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
            if depth == 0:
                return i
        i += 1
    return len(latex)  # unbalanced: the group runs to the end


def _to_runs(decoded: str) -> RichText:
    runs: list[Run] = []
    for index, piece in enumerate(re.split(f"[{_PROTECT_OPEN}{_PROTECT_CLOSE}]", decoded)):
        text = _PRIVATE_USE.sub("", piece)
        if text:
            runs.append(Run(text, protected=index % 2 == 1))
    return _normalize_spaces(tuple(runs))


def _normalize_spaces(rich: RichText) -> RichText:
    runs = [Run(_SPACES.sub(" ", run.text), run.protected) for run in rich]
    runs = [run for run in runs if run.text]
    if runs:
        runs[0] = Run(runs[0].text.lstrip(" "), runs[0].protected)
        runs[-1] = Run(runs[-1].text.rstrip(" "), runs[-1].protected)
    merged: list[Run] = []
    for run in runs:
        if merged and merged[-1].text.endswith(" ") and run.text.startswith(" "):
            run = Run(run.text[1:], run.protected)
        if run.text:
            merged.append(run)
    return tuple(merged)


def _smarten(rich: RichText) -> RichText:
    """Quotes as pandoc's smart LaTeX reader reads them: `x' and ‘x’ are
    quotations (which citeproc prints as outer, double quotes), any other ' is
    an apostrophe."""
    runs = []
    for run in rich:
        text = run.text.replace("`", "‘").replace("'", "’")
        runs.append(Run(_flip_outer_single_quotes(text), run.protected))
    return tuple(runs)


def _flip_outer_single_quotes(text: str) -> str:
    # Parts inside “...” keep their (inner) single quotes.
    pieces = re.split(r"(“[^“”]*”)", text)
    return "".join(piece if piece.startswith("“") else _OUTER_SINGLE_QUOTES.sub("“\\1”", piece)
                   for piece in pieces)


# ‘ at a word start ... ’ not followed by a letter (that would be an apostrophe)
_OUTER_SINGLE_QUOTES = re.compile(r"(?<!\w)‘((?:[^‘’]|’(?=\w))*)’(?!\w)")


# --- pandoc's case transformation (citeproc's CaseTransform, sentence case) -----


def _is_capitalized(word: str) -> bool:
    return word[:1].isupper() and all(c.islower() for c in word[1:])


def _sentence_case_chunk(state: int, chunk: str) -> str:
    at_start = state in (textcase.START, textcase.START_SENTENCE)
    if _is_capitalized(chunk) and not at_start:
        return chunk.lower()
    if at_start and (_is_capitalized(chunk) or chunk.islower()):
        lowered = chunk.lower()
        return lowered[:1].upper() + lowered[1:]
    return chunk


def _inline_tokens(rich: RichText) -> list[tuple[str, Run]]:
    """Split runs like pandoc's inlines: ('span', run), ('str', run), ('space', run)."""
    tokens: list[tuple[str, Run]] = []
    for run in rich:
        if run.protected:
            tokens.append(("span", run))
            continue
        for piece in re.findall(r" +|[^ ]+", run.text):
            tokens.append(("space" if piece.startswith(" ") else "str", Run(piece)))
    return tokens


def sentence_case(rich: RichText) -> RichText:
    """pandoc's `unTitlecase`: sentence case, protected runs kept as they are."""
    tokens = _inline_tokens(rich)
    last_is_word = (len(tokens) > 1 and tokens[-1][0] == "str"
                    and not any(c.isspace() or c in textcase.WORD_BREAKS for c in tokens[-1][1].text))
    state = textcase.START
    out: list[Run] = []
    for index, (kind, run) in enumerate(tokens):
        if index == len(tokens) - 1 and last_is_word and state in (
                textcase.AFTER_WORD_END, textcase.START_SENTENCE, textcase.START):
            state = textcase.BEFORE_LAST_WORD
        if kind == "str":
            pieces, position = [], 0
            for chunk in textcase.chunks(run.text):
                pieces.append(_sentence_case_chunk(state, chunk) if chunk.isalnum() else chunk)
                if not textcase.is_quote_mark(run.text, chunk, position):
                    state = textcase.next_state(state, chunk)
                position += len(chunk)
            out.append(Run("".join(pieces)))
        else:
            state = textcase.next_state(state, run.text)
            out.append(run)
    return _merge_runs(out)


def _merge_runs(runs: list[Run]) -> RichText:
    merged: list[Run] = []
    for run in runs:
        if merged and not run.protected and not merged[-1].protected:
            merged[-1] = Run(merged[-1].text + run.text)
        else:
            merged.append(run)
    return tuple(merged)


def _keeps_nocase(run: Run) -> bool:
    """After sentence-casing, pandoc keeps a span protected only if a word in
    it starts with a lowercase letter ("iPhone", "de"); "MRI" needs no guard."""
    words = re.split(r"[\s\W_]+", run.text)
    return any(word[:1].islower() for word in words)


def csl_text(rich: RichText, *, nocase: bool = False) -> str:
    """Rich text as a CSL-JSON string; `nocase` spans only where they matter."""
    parts = []
    for run in rich:
        if nocase and run.protected and _keeps_nocase(run):
            parts.append(f'<span class="nocase">{run.text}</span>')
        else:
            parts.append(run.text)
    return "".join(parts)


# --- names ---------------------------------------------------------------------------


def _names(rich: RichText) -> list[dict[str, str]]:
    return [name for name in (_name(part) for part in _split_and(rich)) if name]


def _split_and(rich: RichText) -> list[RichText]:
    """Split a name list (or a BibLaTeX literal list) on top-level ' and '."""
    items: list[list[Run]] = [[]]
    for run in rich:
        if run.protected:
            items[-1].append(run)
            continue
        pieces = re.split(r"(?<=\s)and(?=\s)", run.text)
        for index, piece in enumerate(pieces):
            if index:
                items.append([])
            items[-1].append(Run(piece))
    return [_normalize_spaces(tuple(item)) for item in items if plain(tuple(item)).strip()]


def _name(rich: RichText) -> dict[str, str] | None:
    if len(rich) == 1 and rich[0].protected:
        return {"literal": rich[0].text.strip()}  # {World Health Organization}
    if plain(rich).strip() == "others":
        return {"literal": "others"}
    comma_parts = _words_by_comma(rich)
    if not comma_parts:
        return None
    if len(comma_parts) == 1:
        words = comma_parts[0]
        caps = []
        for word in words:
            if not _word_is_capitalized(word):
                break
            caps.append(word)
        rest = words[len(caps):]
        if not rest and caps:
            first, von_last, jr = caps[:-1], caps[-1:], []
        else:
            first, von_last, jr = caps, rest, []
    elif len(comma_parts) == 2:
        von_last, first, jr = comma_parts[0], comma_parts[1], []
    else:
        von_last, jr, first = comma_parts[0], comma_parts[1], comma_parts[2]
    split_at = next((i for i, word in enumerate(von_last) if _word_is_capitalized(word)),
                    len(von_last))
    von, last = von_last[:split_at], von_last[split_at:]
    if not last and von:
        von, last = von[:-1], von[-1:]
    name = {
        "family": " ".join(plain(word) for word in last),
        "given": " ".join(plain(word) for word in first),
        "dropping-particle": " ".join(plain(word) for word in von),
        "suffix": " ".join(plain(word) for word in jr),
    }
    return {part: value for part, value in name.items() if value} or None


def _words_by_comma(rich: RichText) -> list[list[RichText]]:
    """[[words before 1st comma], [words before 2nd], ...]; a word is rich text.
    Commas and spaces (also no-break ones) only split outside braces."""
    parts: list[list[list[Run]]] = [[[]]]
    for run in rich:
        if run.protected:
            parts[-1][-1].append(run)
            continue
        for piece in re.split(r"(,|[ \u00a0]+)", _space_after_initials(run.text)):
            if piece == ",":
                parts.append([[]])
            elif piece.strip(" \u00a0") == "":
                if piece:
                    parts[-1].append([])
            else:
                parts[-1][-1].append(Run(piece))
    return [[tuple(word) for word in part if word] for part in parts]


_INITIALS = re.compile(r"(?<![^\W\d_])([^\W\d_])\.(?=([^\W\d_])(?![^\W\d_]))")


def _space_after_initials(text: str) -> str:
    """"J.G." -> "J. G.", as pandoc reads both the same (its issue 392)."""
    def spaced(match: re.Match) -> str:
        both_upper = match.group(1).isupper() and match.group(2).isupper()
        return match.group(0) + " " if both_upper else match.group(0)
    return _INITIALS.sub(spaced, text)


def _word_is_capitalized(word: RichText) -> bool:
    """pandoc's isCapitalized: decided by the first letter outside braces
    (digits are skipped); a word that is all braces counts as capitalized."""
    for run in word:
        if run.protected:
            continue
        for char in run.text:
            if char.isdigit():
                continue
            return char.isupper()
    return True


def _display_name(name: Mapping[str, str]) -> str:
    if "literal" in name:
        return name["literal"]
    parts = (name.get("given"), name.get("dropping-particle"),
             name.get("non-dropping-particle"), name.get("family"), name.get("suffix"))
    return " ".join(part for part in parts if part)


# --- dates -----------------------------------------------------------------------

_EDTF_DATE = re.compile(r"^(-?\d{1,4})(?:-(\d{1,2}))?(?:-(\d{1,2}))?$")


def _edtf_date(text: str) -> dict[str, object] | None:
    text = text.strip()
    if not text:
        return None
    circa = text.endswith(("~", "%", "?"))
    parts = []
    for piece in text.rstrip("~%?").split("/"):
        match = _EDTF_DATE.match(piece.strip())
        if not match:
            return None
        numbers = [int(group) for group in match.groups() if group is not None]
        if len(numbers) > 1 and not 1 <= numbers[1] <= 12 or len(numbers) > 2 and not (
                1 <= numbers[2] <= 31):
            return None
        parts.append(numbers)
    date: dict[str, object] = {"date-parts": parts}
    if circa:
        date["circa"] = True
    return date


def _date(fields: Mapping[str, str], name: str, prefix: str, key: str,
          rel: str, line: int, diags: Diagnostics) -> dict[str, object] | None:
    """A BibLaTeX date field, else the old year/month/day fields (as pandoc)."""
    text = fields.get(name, "").strip()
    if text:
        date = _edtf_date(text)
        if date:
            return date
        diags.warning(rel, line, f"entry '{key}': {name} '{text}' is not a date "
                                 f"like 2021, 2021-03 or 2021-03-15; ignored")
    return _old_style_date(fields, prefix, key, rel, line, diags)


def _month_number(text: str) -> int | None:
    text = text.strip().lower()
    if text in _MONTHS:
        return _MONTHS.index(text) + 1
    if text.isdigit() and 1 <= int(text) <= 12:
        return int(text)
    return None


def _old_style_date(fields: Mapping[str, str], prefix: str, key: str,
                    rel: str, line: int, diags: Diagnostics) -> dict[str, object] | None:
    year_text = fields.get(prefix + "year", "").strip()
    if not year_text:
        return None
    year_digits = year_text.replace("–", "-").replace("—", "-")
    if not re.fullmatch(r"-?\d+", year_digits):
        return {"literal": year_text}
    parts = [int(year_digits)]
    month_text = fields.get(prefix + "month", "")
    month = _month_number(month_text) if month_text else None
    if month_text and month is None:
        diags.warning(rel, line, f"entry '{key}': {prefix}month '{month_text}' is not "
                                 f"jan…dec or 1–12; ignored")
    if month:
        parts.append(month)
        day = fields.get(prefix + "day", "").strip()
        if day.isdigit():
            parts.append(int(day))
    return {"date-parts": [parts]}


# --- BibLaTeX -> CSL-JSON ------------------------------------------------------------


def _concat_with(separator: str, texts: list[str]) -> str:
    """pandoc's concatWith: join with "<sep> " unless the left part already
    ends in punctuation."""
    result = ""
    for text in texts:
        if not text:
            continue
        if not result:
            result = text
        elif result[-1] in "!?.,:;":
            result += " " + text
        else:
            result += separator + " " + text
    return result


def _literal_list(rich: RichText) -> str:
    return "; ".join(plain(item).strip() for item in _split_and(rich))


def _csl_item(
    key: str, entry_type: str, raw: Mapping[str, str], rich: Mapping[str, RichText],
    rel: str, line: int, diags: Diagnostics,
) -> dict[str, object]:
    english = _is_english(raw)

    def text(name: str) -> str | None:
        return plain(rich[name]) if name in rich and plain(rich[name]) else None

    def title(name: str) -> RichText | None:
        if name not in rich or not plain(rich[name]):
            return None
        return sentence_case(rich[name]) if english else rich[name]

    item: dict[str, object] = {"id": key, "type": _csl_type(entry_type, raw)}
    genre = _genre(entry_type, raw, rich)
    if genre:
        item["genre"] = genre
    language = (raw.get("langid") or raw.get("hyphenation") or "").strip().lower()
    if language:
        item["language"] = _LANGUAGE_TAGS.get(language, language)

    for csl_name, bib_name in (("author", "author"), ("editor", "editor"),
                               ("translator", "translator"),
                               ("container-author", "bookauthor")):
        if bib_name in rich:
            names = _names(rich[bib_name])
            if names:
                item[csl_name] = names
    if raw.get("editortype", "").strip().lower() == "director" and "editor" in item:
        item["director"] = item.pop("editor")

    fields = {name: plain(value) for name, value in rich.items()} | {
        name: value for name, value in raw.items() if name in VERBATIM_FIELDS}
    for csl_name, bib_name, prefix in (("issued", "date", ""), ("accessed", "urldate", "url"),
                                       ("event-date", "eventdate", "event"),
                                       ("original-date", "origdate", "orig")):
        date = _date(fields, bib_name, prefix, key, rel, line, diags)
        if date:
            item[csl_name] = date

    _add_numbers(item, entry_type, text)
    _add_titles(item, entry_type, rich, title)

    publishers = [
        plain(rich[name]) if name == "howpublished" else _literal_list(rich[name])
        for name in ("school", "institution", "organization", "howpublished", "publisher")
        if name in rich and plain(rich[name])
    ]
    if publishers:
        item["publisher"] = _concat_with(";", publishers)
    place = rich.get("address") or rich.get("location")
    if place and plain(place):
        item["publisher-place"] = _literal_list(place)
    for csl_name, bib_name in (("event-place", "venue"),
                               ("original-publisher", "origpublisher")):
        if text(bib_name):
            item[csl_name] = text(bib_name)

    _add_identifiers(item, raw)
    for csl_name, bib_name in (("abstract", "abstract"), ("keyword", "keywords")):
        if text(bib_name):
            item[csl_name] = text(bib_name)
    return item


_LANGUAGE_TAGS = {
    "english": "en-US", "american": "en-US", "usenglish": "en-US", "british": "en-GB",
    "ukenglish": "en-GB", "canadian": "en-CA", "australian": "en-AU",
    "newzealand": "en-NZ", "german": "de-DE", "ngerman": "de-DE", "austrian": "de-AT",
    "french": "fr-FR", "spanish": "es-ES", "italian": "it-IT", "dutch": "nl-NL",
    "portuguese": "pt-PT", "brazilian": "pt-BR", "swedish": "sv-SE", "danish": "da-DK",
    "norwegian": "nb-NO", "finnish": "fi-FI", "polish": "pl-PL",
}


def _csl_type(entry_type: str, raw: Mapping[str, str]) -> str:
    csl_type = CSL_TYPES.get(entry_type, "document")
    if csl_type == "article-journal" and entry_type != "review":
        subtype = raw.get("entrysubtype", "").strip().lower()
        if subtype in ("magazine", "newspaper"):
            return f"article-{subtype}"
    return csl_type


def _is_english(raw: Mapping[str, str]) -> bool:
    """pandoc sentence-cases titles only for English entries (the default)."""
    language = (raw.get("langid") or raw.get("hyphenation") or "").strip().lower()
    return not language or language in {
        "english", "american", "british", "usenglish", "ukenglish", "canadian",
        "australian", "newzealand"} or language.startswith("en")


def _genre(entry_type: str, raw: Mapping[str, str], rich: Mapping[str, RichText]) -> str | None:
    type_field = plain(rich["type"]).strip() if "type" in rich else ""
    resolved = _TYPE_STRINGS.get(type_field.lower(), type_field)
    if entry_type == "mastersthesis" and not resolved:
        return _TYPE_STRINGS["mathesis"]
    if entry_type == "phdthesis" and not resolved:
        return _TYPE_STRINGS["phdthesis"]
    return resolved or None


def _add_numbers(item: dict[str, object], entry_type: str, text) -> None:
    if text("pages"):
        item["page"] = text("pages").replace("–", "-")
    for csl_name, bib_name in (("number-of-pages", "pagetotal"),
                               ("number-of-volumes", "volumes"),
                               ("chapter-number", "chapter"), ("edition", "edition"),
                               ("version", "version")):
        if text(bib_name):
            item[csl_name] = text(bib_name)
    volume = ".".join(part for part in (text("volume"), text("part")) if part)
    if volume:
        item["volume"] = volume
    number = text("number")
    if number and entry_type in _COLLECTION_NUMBER_TYPES:
        item["collection-number"] = number
    elif entry_type in _ARTICLE_TYPES and (number or text("issue")):
        # pandoc drops an `issue` without a `number`; we keep it.
        item["issue"] = ", ".join(part for part in (number, text("issue")) if part)
    elif number:
        item["number"] = number


def _add_titles(item: dict[str, object], entry_type: str,
                rich: Mapping[str, RichText], title) -> None:
    is_chapter = entry_type in _CHAPTER_TYPES
    main = title("title")
    if main:
        subtitle = title("subtitle")
        addon = title("titleaddon")
        item["title"] = _concat_with(".", [
            _concat_with(":", [csl_text(main, nocase=True),
                               csl_text(subtitle, nocase=True) if subtitle else ""]),
            csl_text(addon, nocase=True) if addon else ""])
        short = title("shorttitle")
        if short:
            item["title-short"] = csl_text(short, nocase=True)
        elif subtitle or addon:
            item["title-short"] = csl_text(main, nocase=True)
        else:
            before_colon = _before_top_level_colon(main)
            if before_colon is not None:
                item["title-short"] = csl_text(before_colon, nocase=True)
    container = (title("maintitle") or title("booktitle")) if is_chapter else None
    if container:
        item["container-title"] = csl_text(container, nocase=True)
    else:
        journal = rich.get("journaltitle") or rich.get("journal")
        if journal and plain(journal):
            item["container-title"] = plain(journal)
    if "shortjournal" in rich and plain(rich["shortjournal"]):
        item["container-title-short"] = plain(rich["shortjournal"])
    for csl_name, bib_name in (("collection-title", "series"), ("event", "eventtitle"),
                               ("original-title", "origtitle")):
        value = title(bib_name)
        if value:
            item[csl_name] = csl_text(value, nocase=True)


def _before_top_level_colon(rich: RichText) -> RichText | None:
    runs: list[Run] = []
    for run in rich:
        if not run.protected and ":" in run.text:
            runs.append(Run(run.text.split(":", 1)[0]))
            return _normalize_spaces(tuple(runs))
        runs.append(run)
    return None


def _add_identifiers(item: dict[str, object], raw: Mapping[str, str]) -> None:
    url = raw.get("url", "").strip() or _eprint_url(raw)
    if url:
        item["URL"] = url
    doi = _bare_doi(raw.get("doi", ""))
    if doi:
        item["DOI"] = doi
    pmid = re.sub(r"^\s*pmid:?\s*", "", raw.get("pmid", ""), flags=re.IGNORECASE).strip()
    if pmid:
        item["PMID"] = pmid
    for csl_name, bib_name in (("PMCID", "pmcid"), ("ISBN", "isbn"), ("ISSN", "issn")):
        if raw.get(bib_name, "").strip():
            item[csl_name] = raw[bib_name].strip()


_EPRINT_URLS = {"arxiv": "https://arxiv.org/abs/", "jstor": "https://www.jstor.org/stable/",
                "pubmed": "https://www.ncbi.nlm.nih.gov/pubmed/",
                "googlebooks": "https://books.google.com?id="}


def _eprint_url(raw: Mapping[str, str]) -> str:
    base = _EPRINT_URLS.get(raw.get("eprinttype", "").strip().lower())
    eprint = raw.get("eprint", "").strip()
    return base + eprint if base and eprint else ""


def _bare_doi(doi: str) -> str:
    doi = doi.strip()
    return re.sub(r"^(?:https?://(?:dx\.)?doi\.org/|doi:\s*)", "", doi, flags=re.IGNORECASE)


# --- Reference summary fields -------------------------------------------------------

_CONTAINER_FIELDS: Mapping[str, tuple[str, ...]] = {
    "article": ("journaltitle", "journal"),
    "incollection": ("booktitle",), "inbook": ("booktitle",),
    "inproceedings": ("booktitle",), "book": ("publisher",),
    "report": ("institution",), "techreport": ("institution",),
    "thesis": ("school", "institution"), "phdthesis": ("school", "institution"),
    "mastersthesis": ("school", "institution"),
}
_FALLBACK_CONTAINER_FIELDS = ("journaltitle", "journal", "booktitle", "organization",
                              "publisher", "institution", "howpublished")


def _container(entry_type: str, fields: Mapping[str, str]) -> str | None:
    for name in _CONTAINER_FIELDS.get(entry_type, _FALLBACK_CONTAINER_FIELDS):
        if fields.get(name):
            return fields[name]
    return None


def _year(csl: Mapping[str, object], fields: Mapping[str, str]) -> str | None:
    issued = csl.get("issued")
    if isinstance(issued, dict) and issued.get("date-parts"):
        return str(issued["date-parts"][0][0])
    return fields.get("year") or None


# --- editorial check ---------------------------------------------------------------


def missing_fields(ref: Reference) -> tuple[str, ...]:
    """Fields the entry's type requires but the entry lacks ("a/b": either)."""
    required = _REQUIRED_FIELDS.get(ref.entry_type, ())
    have = {name for name, value in ref.fields.items() if value.strip()}
    missing = []
    for requirement in required:
        options = requirement.split("/")
        if not have.intersection(options):
            missing.append(_requirement_name(requirement))
    return tuple(missing)


def _requirement_name(requirement: str) -> str:
    # Alternatives that are mere aliases read better under their usual name.
    return {"journal/journaltitle": "journal", "year/date": "year",
            "school/institution": "school"}.get(requirement, requirement)
