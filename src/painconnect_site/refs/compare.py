"""Normalise and compare: a references.bib entry against what a registry says.

The entry's fields are already LaTeX-decoded by our BibTeX reader (`{\\"u}` is
"ü", braces are gone). Both sides are then folded the same way before they are
compared: case, accents, punctuation, dashes, HTML/JATS markup and spacing do
not count; a leading "The" of a journal, a "RETRACTED:" prefix of a title and
a parenthesised place in a PubMed journal name ("Spine (Phila Pa 1976)") do
not either. Journal abbreviations match their full names word by word ("J Sex
Med" = "The Journal of Sexual Medicine"), NLM page ranges their full form
("1633-9" = "1633-1639"), and a year matches any of the registry's dates
(issued, print, online), since the print issue often comes a year after the
online version.

Each difference is one sentence naming the entry, what it says and what the
registry says.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Iterable

from .host import Reference
from .registry import Work

_STOPWORDS = frozenset({"the", "of", "and", "for", "in", "on", "de", "la", "y", "et", "und", "fur"})
_RETRACTED_PREFIX = re.compile(r"^\s*(retracted(\s+article)?|withdrawn)\s*[:.\-–—]\s*", re.IGNORECASE)
_PARENTHESES = re.compile(r"\s*\([^)]*\)")
_DASHES = re.compile(r"\s*[-‐‑‒–—―−]+\s*")

# Entry types whose container (journal, book title, proceedings) Crossref holds in container-title.
CONTAINER_TYPES = frozenset({"article", "incollection", "inbook", "inproceedings"})
CONTAINER_WORD = {"article": "journal", "inproceedings": "proceedings"}


# --- normalisation -----------------------------------------------------------------------


def fold(text: str | None) -> str:
    """Lowercase words without accents, markup or punctuation, single-spaced."""
    text = re.sub(r"<[^>]{1,200}>", " ", text or "")
    text = unicodedata.normalize("NFKD", text.replace("&", " and ").replace("ß", "ss"))
    text = "".join(char for char in text if not unicodedata.combining(char)).casefold()
    return " ".join(re.sub(r"[^\w]+|_", " ", text).split())


def title_key(title: str | None) -> str:
    return fold(_RETRACTED_PREFIX.sub("", title or ""))


def name_key(name: str | None) -> str:
    return fold(name).replace(" ", "")


def container_key(name: str | None) -> list[str]:
    words = fold(_PARENTHESES.sub("", name or "")).split()
    return [word for word in words if word not in _STOPWORDS]


# --- one field at a time ---------------------------------------------------------------------


def first_author_family(reference: Reference) -> str | None:
    names = reference.csl.get("author") or reference.csl.get("editor") or ()
    if not isinstance(names, (list, tuple)) or not names or not isinstance(names[0], dict):
        return None
    first = names[0]
    if first.get("literal"):
        return str(first["literal"])
    particle = first.get("non-dropping-particle") or first.get("dropping-particle") or ""
    return " ".join(part for part in (str(particle), str(first.get("family") or "")) if part) or None


def _family_keys(reference: Reference) -> set[str]:
    names = reference.csl.get("author") or reference.csl.get("editor") or ()
    if not isinstance(names, (list, tuple)) or not names or not isinstance(names[0], dict):
        return set()
    first = names[0]
    if first.get("literal"):
        return {name_key(str(first["literal"]))}
    family = name_key(str(first.get("family") or ""))
    particle = name_key(str(first.get("non-dropping-particle") or first.get("dropping-particle") or ""))
    return {key for key in (family, particle + family) if key}


def same_first_author(reference: Reference, work: Work) -> bool | None:
    """None when either side has no author to compare."""
    mine = _family_keys(reference)
    if not mine or not work.authors:
        return None
    family = work.authors[0].family
    theirs = {name_key(family), name_key(family.split()[-1]) if family.split() else ""}
    return bool(mine & theirs)


def same_title(reference: Reference, work: Work) -> bool | None:
    mine = title_key(reference.title)
    if not mine or not work.title:
        return None
    return mine in {title_key(work.title), title_key(work.full_title)}


def same_year(reference: Reference, work: Work) -> bool | None:
    year = (reference.year or "").strip()
    if not year or not work.years:
        return None
    return year in {str(value) for _, value in work.years}


def same_container(mine: str | None, theirs: Iterable[str]) -> bool | None:
    names = [name for name in theirs if name]
    if not mine or not names:
        return None
    key = container_key(mine)
    return any(key == container_key(name) or _abbreviates(container_key(name), key)
               or _abbreviates(key, container_key(name)) for name in names)


def _abbreviates(short: list[str], full: list[str]) -> bool:
    """'j sex med' abbreviates 'journal sexual medicine': same word count, each word a prefix."""
    return len(short) == len(full) and any(s != f for s, f in zip(short, full)) and all(
        f.startswith(s) for s, f in zip(short, full))


def same_volume(mine: str | None, theirs: str | None) -> bool | None:
    if not mine or not theirs:
        return None
    return fold(mine) == fold(theirs)


def page_range(pages: str | None) -> tuple[str, str | None]:
    """'942–54' -> ('942', '954'); 'e0274331' -> ('e0274331', None)."""
    parts = [fold(part).replace(" ", "") for part in _DASHES.split((pages or "").strip(), maxsplit=1)]
    first = parts[0] if parts else ""
    last = parts[1] if len(parts) > 1 and parts[1] else None
    if last and first.isdigit() and last.isdigit() and len(last) < len(first):
        last = first[: len(first) - len(last)] + last  # NLM style: 1633-9 is 1633-1639
    return first, last


def same_pages(mine: str | None, work: Work) -> bool | None:
    if not mine or not (work.pages or work.article_number):
        return None
    first, last = page_range(mine)
    for theirs in (work.pages, work.article_number):
        if theirs:
            their_first, their_last = page_range(theirs)
            if first == their_first and (last is None or their_last is None or last == their_last):
                return True
    return False


# --- the comparison ----------------------------------------------------------------------------


def differences(reference: Reference, work: Work) -> list[str]:
    """Every field where the entry and the registry disagree, as sentences; [] when they agree."""
    key, registry = reference.key, work.registry
    found: list[str] = []
    if same_title(reference, work) is False:
        found.append(f"reference '{key}': title differs from {registry}: \"{work.full_title}\"")
    if same_first_author(reference, work) is False:
        found.append(f"reference '{key}': first author is '{first_author_family(reference)}'; "
                     f"{registry} says '{work.authors[0].display()}'")
    if same_year(reference, work) is False:
        found.append(f"reference '{key}': year is {reference.year}; {registry} says {describe_years(work)}")
    if reference.entry_type in CONTAINER_TYPES and same_container(reference.container, work.containers) is False:
        word = CONTAINER_WORD.get(reference.entry_type, "container")
        found.append(f"reference '{key}': {word} is '{reference.container}'; {registry} says '{work.containers[0]}'")
    volume = reference.fields.get("volume")
    if same_volume(volume, work.volume) is False:
        found.append(f"reference '{key}': volume is {volume}; {registry} says {work.volume}")
    pages = reference.fields.get("pages")
    if same_pages(pages, work) is False:
        theirs = work.pages or work.article_number
        if work.pages and work.article_number:
            theirs = f"{work.pages} (article number {work.article_number})"
        found.append(f"reference '{key}': pages are {pages}; {registry} says {theirs}")
    return found


def describe_years(work: Work) -> str:
    """'2017 (issued, online), 2018 (print)'."""
    labels: dict[int, list[str]] = {}
    for label, value in work.years:
        labels.setdefault(value, []).append(label)
    return ", ".join(f"{value} ({', '.join(names)})" for value, names in labels.items())


def is_match(reference: Reference, work: Work) -> bool:
    """A title-search hit counts only when title, year and first author all match."""
    return bool(same_title(reference, work) and same_year(reference, work) and same_first_author(reference, work))
