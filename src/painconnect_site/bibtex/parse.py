"""references.bib -> `Bibliography`: BibTeX parsed by bibtexparser v2, LaTeX decoded.

This module parses the file (the only one that imports bibtexparser), reports
what it cannot read as diagnostics and builds each `Reference`. The entry's
conversion is split by concern: `bibtex_text` (LaTeX -> rich text, sentence
case), `bibtex_names`, `bibtex_dates` and `bibtex_csl` (the CSL-JSON item).

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

from ..core.errors import Diagnostics
from ..core.model import Bibliography, Memory, Reference, SourceFile
from .csl import CSL_TYPES, VERBATIM_FIELDS, csl_item
from .dates import MONTHS
from .names import display_name
from .text import PRIVATE_USE, RichText, decode_fields, plain

BIBLIOGRAPHY_REL = "references.bib"

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


# --- parsing ---------------------------------------------------------------


def parse_bibliography(source: SourceFile | None, diags: Diagnostics, memory: Memory | None = None) -> Bibliography:
    """`memory` (`serve`): an entry whose text, line and the file's @string macros are those
    of an earlier build is not converted again (1-2 ms an entry: LaTeX decoding, names,
    dates, CSL), so an edit to one entry of a 200-entry file converts one."""
    if source is None:
        return Bibliography(rel=BIBLIOGRAPHY_REL, entries={})
    rel = source.rel
    with _quiet_library_logging():
        try:
            library = bibtexparser.parse_string(source.text)
        except Exception as error:  # bibtexparser must never take the build down
            diags.error(rel, None, f"could not parse BibTeX: {error}")
            return Bibliography(rel=rel, entries={}, text=source.text)
        entries = _usable_entries(library, source, diags)
        strings = {key.lower(): s.value for key, s in library.strings_dict.items()}
        references: dict[str, Reference] = {}
        remembering = memory is not None and memory.remembers
        macros = tuple(sorted(strings.items()))
        for entry in entries:
            key = ("bib entry", rel, entry.raw, _line(entry), macros)
            found = memory.recall(key) if remembering else None  # type: ignore[union-attr]
            if found is None:
                reported = Diagnostics()
                found = (_read_entry(entry, strings, rel, reported), tuple(reported))
                if remembering:
                    memory.remember(key, found)  # type: ignore[union-attr]
            reference, reported = found  # type: ignore[misc]
            diags.extend(reported)
            if reference is not None:
                references[reference.key] = reference
    return Bibliography(rel=rel, entries=references, text=source.text)


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


def _read_entry(entry: Entry, strings: Mapping[str, str], rel: str, diags: Diagnostics) -> Reference | None:
    try:
        return _entry_to_reference(entry, strings, rel, diags)
    except Exception as error:  # a bug on odd input must not stop the build
        diags.error(rel, _line(entry), f"could not read entry '{entry.key}': {error}")
        return None


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
    csl = csl_item(key, entry_type, raw, rich, rel, line, diags)
    return Reference(
        key=key,
        entry_type=entry_type,
        line=line,
        fields=fields,
        csl=csl,
        authors=tuple(display_name(name) for name in csl.get("author", ())),
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
        raw[name] = PRIVATE_USE.sub("", value)
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
        elif name == "month" and part.lower() in MONTHS:
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
    """LaTeX -> rich text (`bibtex_text.decode_fields`) with bibtexparser's
    decoder; what it cannot decode is reported and kept as written."""
    return decode_fields(values, lambda name, latex: _decode_latex(name, latex, rel, line, diags))


def _decode_latex(name: str, latex: str, rel: str, line: int, diags: Diagnostics) -> str:
    # bibtexparser's decoder on a throwaway entry: its public interface is per block.
    probe = Entry("misc", "probe", [Field(name, latex)])
    result = _DECODER.transform_entry(probe, None)
    if isinstance(result, MiddlewareErrorBlock):
        diags.error(rel, line, f"could not decode LaTeX in {name}: {result.error}")
        return latex
    return probe.fields[0].value


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
