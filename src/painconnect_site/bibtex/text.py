"""BibTeX field values as rich text: LaTeX decoded, `{braces}` kept as protected runs.

A decoded value is a tuple of `Run`s; a protected run came from a top-level
`{group}`, which pandoc turns into a span whose case is never changed. This
module owns what happens to the text itself, as pandoc's BibLaTeX reader does
it: protected groups marked around the LaTeX decoder, smart quotes, English
sentence case (with `textcase`) and the CSL-JSON string with `nocase` spans.
The decoder itself (pylatexenc, through bibtexparser) is passed in by
`bibliography`, the one module that imports bibtexparser.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable, Mapping

from ..core import textcase

# Private-use characters stand for protected `{groups}` while pylatexenc runs.
_PROTECT_OPEN = "\ue000"
_PROTECT_CLOSE = "\ue001"
PRIVATE_USE = re.compile("[\ue000-\uf8ff]")
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


# --- LaTeX decoding ----------------------------------------------------------------


def decode_fields(values: Mapping[str, str], decode: Callable[[str, str], str]) -> dict[str, RichText]:
    """LaTeX -> rich text. Top-level `{groups}` that are not macro arguments
    are marked before decoding, as pandoc turns exactly those into spans.
    pylatexenc is slow to start, so an entry's fields go through it together:
    one `decode("fields", latex)` call, or one per field if a field's LaTeX
    ran into the next one."""
    marked = {name: _mark_protected_groups(value) for name, value in values.items()}
    latex = {name: value for name, value in marked.items() if _LATEX_SYNTAX.search(value)}
    decoded = dict(marked)  # plain text: pylatexenc would return it as is
    if latex:
        joined = decode("fields", _FIELD_SEPARATOR.join(latex.values()))
        parts = joined.split(_FIELD_SEPARATOR)
        if len(parts) == len(latex):
            decoded.update(zip(latex, parts))
        else:  # a field's LaTeX ran into the next one: decode them one by one
            decoded.update({name: decode(name, value) for name, value in latex.items()})
    return {name: _smarten(_to_runs(text)) for name, text in decoded.items()}


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
        text = PRIVATE_USE.sub("", piece)
        if text:
            runs.append(Run(text, protected=index % 2 == 1))
    return normalize_spaces(tuple(runs))


def normalize_spaces(rich: RichText) -> RichText:
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
