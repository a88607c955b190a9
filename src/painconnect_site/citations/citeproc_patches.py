"""Our adjustments to citeproc-py 0.11.1, so it prints what pandoc 2.17 prints.

Output markup: `MarkerFormatter` is a citeproc-py output format whose
italics, bold, ... and links are private-use characters rather than HTML.
One rendering then yields both the plain text (markers removed) and safe
HTML (everything escaped, then our markers, and only they, become tags).

Behaviour patches (`with applied():` around building a style and rendering
an entry; citeproc-py's own functions are put back afterwards, so importing
this package changes nothing for other users of citeproc-py in the process). Each mirrors pandoc's citeproc library (0.6, as in Debian's pandoc
2.17) and is covered by a golden test:

1. text-case: pandoc's case transformation instead of citeproc-py's
   word-by-word one. Title case leaves stop words, one-letter words,
   mixed-case and all-caps words and <span class="nocase"> alone and
   capitalises after ":", hyphens and dashes; quotation marks are looked
   through; "sentence", "capitalize-first/-all" likewise. Labels and date
   parts (no language passed) count as English, so APA's "(Eds.)" is cased.
2. punctuation at joins: citeproc-py only dropped a doubled character;
   pandoc's fixPunct also drops "." after "?" or "!" ("Hype? Pain
   Physician"), ":" after "?", and so on.
3. page-range-format="expanded": "100-9" becomes "100-109".
4. substituted variables are not printed twice: a title standing in for a
   missing author, or editors standing in for authors ("…, eds." and not
   again "(…, eds.)" later). citeproc-py only did this for variables named
   directly on a cs:text of the layout.
5. a BibTeX author list ending in "and others" ({"literal": "others"}) ends in
   the style's "et al." instead of a person called "others".
6. `finish()`: where the locale puts punctuation inside quotes (en-US), a
   period or comma after a closing ” moves inside it.

Differences we leave (not in AMA; seen with other styles): cs:name's
initialize="false", APA's "(Publication)" for theses without a number.
"""

from __future__ import annotations

import re
from contextlib import contextmanager
from typing import Callable, Iterator, Mapping

from ..core import textcase

# --- markers ---------------------------------------------------------------------

_TAGS = {  # name: (open marker, close marker, opening tag, closing tag)
    "italic": ("\ue010", "\ue011", "<em>", "</em>"),  # as pandoc's HTML
    "bold": ("\ue012", "\ue013", "<strong>", "</strong>"),
    "underline": ("\ue014", "\ue015", "<u>", "</u>"),
    "sup": ("\ue016", "\ue017", "<sup>", "</sup>"),
    "sub": ("\ue018", "\ue019", "<sub>", "</sub>"),
    "smallcaps": ("\ue01a", "\ue01b", '<span style="font-variant:small-caps">', "</span>"),
}
_LINKS = {"doi": ("\ue020", "\ue021"), "url": ("\ue022", "\ue023")}
_MARKER = re.compile("[\ue000-\uf8ff]")


def clean(value: object) -> object:
    """Strip private-use characters from every string in a CSL-JSON value, so
    data can never forge our markers."""
    if isinstance(value, str):
        return _MARKER.sub("", value)
    if isinstance(value, list):
        return [clean(item) for item in value]
    if isinstance(value, dict):
        return {key: clean(item) for key, item in value.items()}
    return value


def mark_link(kind: str, text: str) -> str:
    start, end = _LINKS[kind]
    return start + text + end


def strip_markers(text: str) -> str:
    return _MARKER.sub("", text)


def markers_to_html(escaped: str, hrefs: Mapping[str, str | None]) -> str:
    """Turn markers into tags in already-escaped text. A link whose href is
    None stays plain text."""
    for opening, closing, tag_open, tag_close in _TAGS.values():
        escaped = escaped.replace(opening, tag_open).replace(closing, tag_close)
    for kind, (opening, closing) in _LINKS.items():
        href = hrefs.get(kind)
        # A style that prints "https://doi.org/" before the DOI gets it inside the link.
        prefix = _DOI_PREFIX_PATTERN if kind == "doi" else ""
        pattern = re.compile(f"({prefix})" + re.escape(opening) + "(.*?)" + re.escape(closing),
                             re.DOTALL)
        if href is None:
            escaped = pattern.sub(r"\1\2", escaped)
        else:
            escaped = pattern.sub(_link_replacement(href), escaped)
    return strip_markers(escaped)


_DOI_PREFIX_PATTERN = r"(?:https?://(?:dx\.)?doi\.org/)?"


def _link_replacement(href: str) -> Callable[[re.Match], str]:
    attribute = _escape_attribute(href)

    def replace(match: re.Match) -> str:
        return f'<a href="{attribute}">{match.group(1)}{match.group(2)}</a>'
    return replace


def _escape_attribute(value: str) -> str:
    return (value.replace("&", "&amp;").replace('"', "&quot;")
            .replace("<", "&lt;").replace(">", "&gt;"))


def _wrapper(name: str) -> Callable[[object], object]:
    opening, closing = _TAGS[name][:2]

    def wrap(text: object) -> object:
        from citeproc.string import MixedString, String

        if isinstance(text, MixedString):  # keep NoCase parts for later text-case
            return MixedString([String(opening), *text, String(closing)])
        return String(opening + str(text) + closing)
    return wrap


class MarkerFormatter:
    """A citeproc-py output format (it duck-types `citeproc.formatter.html`)."""

    @staticmethod
    def preformat(text: object) -> str:
        return str(text)  # escaping happens once, on the whole entry

    Italic = Oblique = staticmethod(_wrapper("italic"))
    Bold = staticmethod(_wrapper("bold"))
    Underline = staticmethod(_wrapper("underline"))
    Superscript = staticmethod(_wrapper("sup"))
    Subscript = staticmethod(_wrapper("sub"))
    SmallCaps = staticmethod(_wrapper("smallcaps"))

    @staticmethod
    def Light(text: object) -> object:
        return text


def finish(marked: str, punctuation_in_quote: bool) -> str:
    """Whole-entry clean-up: surrounding space (e.g. a prefix left by the
    removed citation number) and, for locales such as en-US, a period or comma
    after a closing quotation mark moved inside it (pandoc's
    movePunctuationInsideQuotes)."""
    if punctuation_in_quote:
        marked = _PUNCTUATION_AFTER_QUOTE.sub(_move_into_quote, marked)
    return marked.strip()


_PUNCTUATION_AFTER_QUOTE = re.compile(r"(.?)\u201d([.,!?])")


def _move_into_quote(match: re.Match) -> str:
    before, punctuation = match.group(1), match.group(2)
    if before and before in ".,;:!?":  # the quotation already ends in punctuation
        return before + "\u201d"
    return before + punctuation + "\u201d"


# --- patches -------------------------------------------------------------------------

@contextmanager
def applied() -> Iterator[None]:
    """citeproc-py with our patches installed, its own functions restored on exit (re-entrant)."""
    from citeproc import model, string

    targets = [(string, "normalize_seam", lambda original: normalize_seam),
               (model, "normalize_seam", lambda original: normalize_seam),
               (model.TextCased, "case", lambda original: _text_cased_case),
               (model.FormatNumber, "_format_last_page", _wrap_format_last_page),
               (model.Substitute, "render", _wrap_substitute_render),
               (model.Text, "_variable", _wrap_text_variable),
               (model.Names, "process", _wrap_names_process),
               (model.Name, "process", _wrap_name_process)]
    if getattr(model.Name.process, _PATCHED, False):
        yield  # already inside `applied()`
        return
    saved = [(owner, name, owner.__dict__.get(name, _INHERITED)) for owner, name, _ in targets]
    for owner, name, wrap in targets:
        patched = wrap(getattr(owner, name))
        setattr(patched, _PATCHED, True)
        setattr(owner, name, patched)
    try:
        yield
    finally:
        for owner, name, original in reversed(saved):
            if original is _INHERITED:
                delattr(owner, name)
            else:
                setattr(owner, name, original)


_PATCHED = "_painconnect_patch"
_INHERITED = object()  # the class had no attribute of its own: restoring means deleting ours


# 1. text-case --------------------------------------------------------------------------

_STOP_WORDS = frozenset(
    "a an and as at but by down for from in into nor of on onto or over so the till "
    "to up via with yet about van von de d l".split())
_OPAQUE_TAGS = frozenset({"sup", "sub", "smallcaps"})  # pandoc does not case these
_OPAQUE_OPEN = {_TAGS[name][0]: _TAGS[name][1] for name in _OPAQUE_TAGS}
_QUOTES = frozenset("\u201c\u201d\u2018\u2019")


def _text_cased_case(self, text, language=None):
    text_case = self.get("text-case")
    if text_case is None or isinstance(text, (int, float)) or not str(text):
        return text
    if text_case == "title" and language not in (None, "en"):  # None: the style's (en)
        return text
    transform = _CASE_TRANSFORMS.get(text_case)
    return transform_case(text, transform) if transform else text


def _is_capitalized(word: str) -> bool:
    return word[:1].isupper() and all(char.islower() for char in word[1:])


def _is_mixed_case(word: str) -> bool:
    return any(char.isupper() for char in word) and any(char.islower() for char in word)


def _capitalize(word: str) -> str:
    return word[:1].upper() + word[1:]


def _title_case(state: int, word: str) -> str:
    if _is_mixed_case(word) or word.isupper():
        return word
    if state in (textcase.START, textcase.START_SENTENCE):
        return _capitalize(word.lower())
    if state in (textcase.AFTER_WORD_END, textcase.BEFORE_LAST_WORD) and word not in _STOP_WORDS \
            and len(word) > 1:
        return _capitalize(word.lower())
    return word


def _sentence_case(state: int, word: str) -> str:
    at_start = state in (textcase.START, textcase.START_SENTENCE)
    if _is_capitalized(word) and not at_start:
        return word.lower()
    if at_start and (_is_capitalized(word) or word.islower()):
        return _capitalize(word.lower())
    return word


def _capitalize_first(state: int, word: str) -> str:
    if state == textcase.START and word.islower():
        return _capitalize(word)
    return word


def _capitalize_all(state: int, word: str) -> str:
    if state in (textcase.START, textcase.START_SENTENCE, textcase.AFTER_WORD_END, textcase.BEFORE_LAST_WORD) \
            and word.islower():
        return _capitalize(word)
    return word


_CASE_TRANSFORMS: dict[str, Callable[[int, str], str]] = {
    "title": _title_case,
    "sentence": _sentence_case,
    "capitalize-first": _capitalize_first,
    "capitalize-all": _capitalize_all,
    "lowercase": lambda state, word: word.lower(),
    "uppercase": lambda state, word: word.upper(),
}


def _segments(text) -> list[tuple[str, bool]]:
    """(text, protected) pieces of a citeproc-py (Mixed)String."""
    from citeproc.string import MixedString, NoCase

    if isinstance(text, MixedString):
        return [piece for part in text for piece in _segments(part)]
    return [(str(text), isinstance(text, NoCase))]


def _tokens(segments: list[tuple[str, bool]]) -> list[tuple[str, str]]:
    """pandoc-like inlines: ("span", text) is left as is, ("str", text) is cased,
    ("space", text) and ("mark", marker) only move the state machine / nothing."""
    tokens: list[tuple[str, str]] = []
    opaque_until: str | None = None
    for text, protected in segments:
        for piece in re.findall(r"[\ue000-\uf8ff]| +|[^ \ue000-\uf8ff]+", text):
            if _MARKER.match(piece):
                kind = "mark"
            elif opaque_until or protected:
                kind = "span"
            else:
                kind = "space" if piece.startswith(" ") else "str"
            if piece == opaque_until:
                opaque_until, kind = None, "mark"
            elif piece in _OPAQUE_OPEN and not opaque_until:
                opaque_until, kind = _OPAQUE_OPEN[piece], "mark"
            tokens.append((kind, piece))
    return tokens


def transform_case(text, transform: Callable[[int, str], str]):
    """pandoc's caseTransform over a citeproc-py string; NoCase parts kept."""
    from citeproc.string import MixedString, NoCase, String

    tokens = _tokens(_segments(text))
    last = tokens[-1] if tokens else ("", "")
    last_is_word = (sum(kind != "mark" for kind, _ in tokens) > 1 and last[0] == "str"
                    and not any(c.isspace() or c in textcase.WORD_BREAKS for c in last[1]))
    state = textcase.START
    parts: list = []
    for index, (kind, piece) in enumerate(tokens):
        if index == len(tokens) - 1 and last_is_word and state in (
                textcase.AFTER_WORD_END, textcase.START_SENTENCE, textcase.START):
            state = textcase.BEFORE_LAST_WORD
        if kind == "mark":
            parts.append(String(piece))
        elif kind == "span":
            state = textcase.next_state(state, piece)  # looked at, never changed
            parts.append(NoCase(piece))
        else:
            out, position = [], 0
            for chunk in textcase.chunks(piece):
                if chunk.isalnum():
                    out.append(transform(state, chunk))
                    state = textcase.next_state(state, chunk)
                else:
                    out.append(chunk)
                    if not textcase.is_quote_mark(piece, chunk, position):
                        state = textcase.next_state(state, chunk)
                position += len(chunk)
            parts.append(String("".join(out)))
    return MixedString(parts) if len(parts) != 1 else parts[0]


# 2. punctuation at joins (pandoc's fixPunct, the cases that keep the first mark) ----

_KEEP_FIRST = frozenset({
    ("!", "."), ("!", ":"), ("?", "."), ("?", ":"), (":", "."), (";", ":"), (";", "."),
    ("!", "!"), ("?", "?"), (".", "."), (":", ":"), (";", ";"), (",", ","), (" ", " "),
})


def normalize_seam(left, other):
    """Replacement for citeproc.string.normalize_seam: which first character of
    `other` to drop where it meets `left`. Markers are looked through."""
    left_text = _MARKER.sub("", str(left))
    other_text = str(other)
    first = next((i for i, char in enumerate(other_text) if not _MARKER.match(char)), None)
    if not left_text or first is None:
        return other
    if (left_text[-1], other_text[first]) in _KEEP_FIRST:
        return _without_char(other, first)
    return other


def _without_char(text, index: int):
    from citeproc.string import MixedString

    if isinstance(text, MixedString):
        parts, offset = [], 0
        for part in text:
            length = len(str(part))
            if offset <= index < offset + length:
                part = _without_char(part, index - offset)
            offset += length
            if str(part):
                parts.append(part)
        return MixedString(parts)
    value = str(text)
    value = value[:index] + value[index + 1:]
    return type(text)(value) if type(text) is not str else value


# 3. page-range-format="expanded" ----------------------------------------------------


def _wrap_format_last_page(original):
    def format_last_page(self, first, last):
        if (self.get_root().get_option("page-range-format") == "expanded"
                and first.isdigit() and last.isdigit() and len(last) < len(first)):
            return first[:len(first) - len(last)] + last
        return original(self, first, last)
    return format_last_page


# 4. suppressing substituted variables -----------------------------------------------
# CSL: a variable used by cs:substitute (e.g. the title standing in for a missing
# author, or editors) is not printed again in the same entry. citeproc-py only
# did this for variables named directly on cs:text in the layout.

_RECORDING = "painconnect:rendered-variables"
_SUPPRESSED = "painconnect:substituted-variables"


def _repressed(element, context):
    try:
        return (context if context is not None else element).get_layout().repressed
    except (IndexError, AttributeError):
        return None


def _wrap_substitute_render(original):
    def render(self, item, context=None, **kwargs):
        repressed = _repressed(self, context)
        if repressed is None:
            return original(self, item, context=context, **kwargs)
        outer = repressed.get(_RECORDING)
        repressed[_RECORDING] = set()
        try:
            text = original(self, item, context=context, **kwargs)
        finally:
            recorded = repressed.pop(_RECORDING)
            if outer is not None:
                repressed[_RECORDING] = outer | recorded
        if text:
            repressed.setdefault(_SUPPRESSED, set()).update(recorded)
        return text
    return render


def _wrap_text_variable(original):
    def variable(self, item, context):
        repressed = _repressed(self, context)
        name = self.get("variable")
        if repressed is not None and name in repressed.get(_SUPPRESSED, ()):
            return None
        value = original(self, item, context)
        if repressed is not None and value is not None and _RECORDING in repressed:
            repressed[_RECORDING].add(name)
        return value
    return variable


def _wrap_names_process(original):
    def process(self, item, names_context=None, context=None, **kwargs):
        from citeproc.source import VariableError

        repressed = _repressed(self, context)
        roles = self.get("variable").split()
        suppressed = repressed.get(_SUPPRESSED, set()) if repressed is not None else set()
        if set(roles) <= suppressed:
            raise VariableError
        hidden = {role.replace("-", "_"): item.reference.pop(role.replace("-", "_"))
                  for role in roles if role in suppressed
                  and role.replace("-", "_") in item.reference}
        try:
            text = original(self, item, names_context=names_context, context=context,
                            **kwargs)
        finally:
            item.reference.update(hidden)
        if repressed is not None and text and _RECORDING in repressed:
            repressed[_RECORDING].update(
                role for role in roles if role.replace("-", "_") in item.reference)
        return text
    return process


# 5. "and others" ---------------------------------------------------------------------


def _is_others(name) -> bool:
    return name.get("literal") == "others"


def _wrap_name_process(original):
    def process(self, item, variable, context=None, sort_options=None, **kwargs):
        from citeproc.source import Name

        names = item.reference.get(variable) or []
        if len(names) < 2 or not _is_others(names[-1]):
            return original(self, item, variable, context=context,
                            sort_options=sort_options, **kwargs)
        real = list(names[:-1])
        et_al_min = self.get_option("et-al-min", context, sort_options)
        if et_al_min and len(real) >= et_al_min:
            shown, options = real, sort_options  # the style truncates anyway
        else:  # a stand-in name the style cuts off, so "et al." follows all real ones
            shown = real + [Name(family="others")]
            options = dict(sort_options or {}, **{"et-al-min": len(real) + 1,
                                                  "et-al-use-first": len(real)})
        item.reference[variable] = shown
        try:
            return original(self, item, variable, context=context,
                            sort_options=options, **kwargs)
        finally:
            item.reference[variable] = names
    return process
