"""BibTeX name lists -> CSL-JSON names, split the BibLaTeX way, as pandoc does.

`A and B` lists; "First von Last", "von Last, First" and "von Last, Jr,
First" forms; a `{Corporate Name}` in braces stays one literal name. Names
arrive as rich text (`bibtex_text`) because braces decide what is capitalized.
"""

from __future__ import annotations

import re
from typing import Mapping

from .text import RichText, Run, normalize_spaces, plain


def csl_names(rich: RichText) -> list[dict[str, str]]:
    return [name for name in (_name(part) for part in split_and(rich)) if name]


def split_and(rich: RichText) -> list[RichText]:
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
    return [normalize_spaces(tuple(item)) for item in items if plain(tuple(item)).strip()]


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


def display_name(name: Mapping[str, str]) -> str:
    if "literal" in name:
        return name["literal"]
    parts = (name.get("given"), name.get("dropping-particle"),
             name.get("non-dropping-particle"), name.get("family"), name.get("suffix"))
    return " ".join(part for part in parts if part)
