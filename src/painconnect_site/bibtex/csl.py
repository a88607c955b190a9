"""One BibTeX entry -> a CSL-JSON item, mirroring pandoc 2.17's BibLaTeX reader.

The tables (entry types, `type` strings, languages) and the field mapping
(titles, numbers, publishers, places, identifiers) follow pandoc's
`getTypeAndGenre` and friends; the module docstring of `bibliography` lists
where we deliberately differ. Text comes in decoded (`bibtex_text`); names
and dates are read by `bibtex_names` and `bibtex_dates`.
"""

from __future__ import annotations

import re
from typing import Mapping

from ..core.errors import Diagnostics
from ..core.urls import bare_doi
from .dates import csl_date
from .names import csl_names, split_and
from .text import RichText, Run, csl_text, normalize_spaces, plain, sentence_case

# Fields whose value is taken raw, like pandoc's `getRawField`: URLs and
# identifiers must not go through LaTeX (`%`, `_`, `~` are literal there).
VERBATIM_FIELDS = frozenset(
    "url doi eprint eprinttype pmid pmcid isbn issn date urldate eventdate origdate "
    "month day urlmonth urlday ids langid hyphenation options entrysubtype file".split()
)
# Internal-only fields (note, annote, annotation, addendum) stay in `Reference.fields`:
# csl_item maps named fields only and names none of them, so they never reach CSL-JSON.

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
_LANGUAGE_TAGS = {
    "english": "en-US", "american": "en-US", "usenglish": "en-US", "british": "en-GB",
    "ukenglish": "en-GB", "canadian": "en-CA", "australian": "en-AU",
    "newzealand": "en-NZ", "german": "de-DE", "ngerman": "de-DE", "austrian": "de-AT",
    "french": "fr-FR", "spanish": "es-ES", "italian": "it-IT", "dutch": "nl-NL",
    "portuguese": "pt-PT", "brazilian": "pt-BR", "swedish": "sv-SE", "danish": "da-DK",
    "norwegian": "nb-NO", "finnish": "fi-FI", "polish": "pl-PL",
}


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
    return "; ".join(plain(item).strip() for item in split_and(rich))


def csl_item(
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
            names = csl_names(rich[bib_name])
            if names:
                item[csl_name] = names
    if raw.get("editortype", "").strip().lower() == "director" and "editor" in item:
        item["director"] = item.pop("editor")

    fields = {name: plain(value) for name, value in rich.items()} | {
        name: value for name, value in raw.items() if name in VERBATIM_FIELDS}
    for csl_name, bib_name, prefix in (("issued", "date", ""), ("accessed", "urldate", "url"),
                                       ("event-date", "eventdate", "event"),
                                       ("original-date", "origdate", "orig")):
        date = csl_date(fields, bib_name, prefix, key, rel, line, diags)
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
            return normalize_spaces(tuple(runs))
        runs.append(run)
    return None


def _add_identifiers(item: dict[str, object], raw: Mapping[str, str]) -> None:
    url = raw.get("url", "").strip() or _eprint_url(raw)
    if url:
        item["URL"] = url
    doi = bare_doi(raw.get("doi"))
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
