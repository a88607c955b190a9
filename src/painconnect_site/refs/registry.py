"""Crossref and PubMed: the requests `refs verify` makes, and their JSON as a typed `Work`.

Crossref REST API (https://api.crossref.org, JSON, `message` is a work):

* `GET /works/{doi}`: `title[]`, `subtitle[]`, `author[].family/given/name`,
  `issued`/`published-print`/`published-online` `.date-parts`,
  `container-title[]`, `short-container-title[]`, `volume`, `page`,
  `article-number`, `updated-by[]` (notices about this work: retraction,
  correction, expression_of_concern, ... with their `DOI`, `label`, `source`,
  e.g. "retraction-watch", and `updated.date-parts`), `update-to[]` (on a
  notice: the works it updates). An unknown DOI answers 404.
* `GET /works/{doi}/agency`: which registration agency holds the DOI
  (Crossref, DataCite, mEDRA, ...); 404 when no agency knows it.
* `GET /works?query.bibliographic=...&rows=N`: a search; `message.items[]`.

NCBI E-utilities `esummary.fcgi?db=pubmed&id=...&retmode=json`:
`result.{uid}.title`, `authors[].name` ("Smith JA"), `pubdate`, `epubdate`,
`source` (NLM abbreviation), `fulljournalname`, `volume`, `pages` (NLM style,
"1633-9"), `articleids[].idtype/value` (doi, pmc), `pubtype[]` ("Retracted
Publication") and `references[].reftype/refsource/pmid` ("Retraction in",
"Erratum in", "Expression of concern in"). An unknown PMID comes back as
`{"uid": ..., "error": "cannot get document summary"}`.
"""

from __future__ import annotations

import hashlib
import html
import json
import re
from dataclasses import asdict, dataclass
from typing import Any, Mapping, Sequence
from urllib.parse import quote

CROSSREF = "https://api.crossref.org"
ESUMMARY = "https://eutils.ncbi.nlm.nih.gov/entrez/eutils/esummary.fcgi"
TOOL = "painconnect-site"
SEARCH_ROWS = 5
PUBMED_BATCH = 100  # PMIDs per esummary request

# Crossref update types (https://www.crossref.org/documentation/crossmark/participating-in-crossmark/).
RETRACTING = frozenset({"retraction", "withdrawal", "removal"})
NOTEWORTHY = frozenset({"partial_retraction", "expression_of_concern", "correction", "corrigendum", "erratum",
                        "addendum", "clarification"})
_PUBMED_REFTYPES = {
    "retraction in": "retraction",
    "partial retraction in": "partial_retraction",
    "expression of concern in": "expression_of_concern",
    "erratum in": "erratum",
}
_TYPE_WORDS = {"expression_of_concern": "expression of concern", "partial_retraction": "partial retraction"}
_SOURCES = {"retraction-watch": "Retraction Watch", "publisher": "publisher"}


class RegistryUnavailable(Exception):
    """A registry could not be reached, kept failing, or answered nonsense. The message is one line."""


# --- the typed record ------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Notice:
    """A retraction, correction, expression of concern, ... about a work."""

    type: str  # Crossref's update type: retraction, correction, expression_of_concern, erratum, ...
    label: str = ""  # as the registry words it: "Retraction", "Erratum in"
    doi: str | None = None  # the notice's own DOI
    pmid: str | None = None
    citation: str | None = None  # PubMed's "Lancet. 2010 Feb 6;375(9713):445"
    date: str | None = None  # YYYY-MM-DD (or YYYY-MM, YYYY)
    source: str | None = None  # "publisher", "retraction-watch", "PubMed"

    @property
    def retracts(self) -> bool:
        return self.type in RETRACTING

    @property
    def noteworthy(self) -> bool:
        return self.type in RETRACTING or self.type in NOTEWORTHY

    @property
    def kind(self) -> str:
        """'a correction', 'an expression of concern'."""
        words = _TYPE_WORDS.get(self.type, self.type.replace("_", " "))
        return ("an " if words[:1] in "aeiou" else "a ") + words

    def describe(self) -> str:
        """'Retraction 10.1016/s0140-6736(10)60175-4 (2010-02-06, Retraction Watch)'."""
        name = self.label or self.type.replace("_", " ").capitalize()
        where = self.doi or (f"PMID {self.pmid}" if self.pmid else None) or self.citation
        extra = [part for part in (self.date, _SOURCES.get(self.source or "", self.source)) if part]
        if self.citation and where != self.citation:
            extra.insert(0, self.citation)
        return " ".join(part for part in (name, where) if part) + (f" ({', '.join(extra)})" if extra else "")

    def to_json(self) -> dict[str, Any]:
        return {key: value for key, value in asdict(self).items() if value not in (None, "")}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> "Notice":
        return cls(**{key: str(data[key]) for key in cls.__slots__ if data.get(key) not in (None, "")})


@dataclass(frozen=True, slots=True)
class Author:
    family: str
    given: str = ""

    def display(self) -> str:
        return f"{self.family}, {self.given}" if self.given else self.family


@dataclass(frozen=True, slots=True)
class Work:
    """What a registry says about one work: the fields `refs verify` compares, and its notices."""

    registry: str  # "Crossref" or "PubMed"
    doi: str | None = None  # lowercase
    pmid: str | None = None
    title: str = ""
    subtitle: str = ""
    authors: tuple[Author, ...] = ()
    years: tuple[tuple[str, int], ...] = ()  # (("issued", 2017), ("print", 2018), ("online", 2017))
    containers: tuple[str, ...] = ()  # full names first, then abbreviations
    volume: str | None = None
    pages: str | None = None
    article_number: str | None = None
    notices: tuple[Notice, ...] = ()  # about this work (Crossref updated-by, PubMed)
    updates: tuple[Notice, ...] = ()  # when this record is itself a notice: what it updates (update-to)
    marked_retracted: bool = False  # the registry's title starts "RETRACTED:"

    @property
    def full_title(self) -> str:
        return f"{self.title}: {self.subtitle}" if self.subtitle else self.title

    def fingerprint(self) -> str:
        """Of the metadata compared and the notices (not of volatile fields like citation counts)."""
        data = json.dumps(asdict(self), sort_keys=True, ensure_ascii=False, separators=(",", ":"))
        return "sha256:" + hashlib.sha256(data.encode("utf-8")).hexdigest()


def clean(text: Any) -> str:
    """Registry text as plain text: JATS/HTML tags dropped, entities decoded, spaces collapsed."""
    text = re.sub(r"<[^>]{1,200}>", "", str(text or ""))
    return " ".join(html.unescape(text).split())


# --- Crossref ------------------------------------------------------------------------------

_DATE_FIELDS = (("issued", "issued"), ("published-print", "print"), ("published-online", "online"))
_RETRACTED_TITLE = re.compile(r"^\s*(retracted(\s+article)?|withdrawn)\s*[:.\-–—]", re.IGNORECASE)


def crossref_work(message: Mapping[str, Any]) -> Work:
    authors = [a for a in message.get("author") or () if isinstance(a, Mapping)]
    authors.sort(key=lambda a: a.get("sequence") != "first")  # stable: the first author first
    title = clean(_first(message.get("title")))
    return Work(
        registry="Crossref",
        doi=(str(message["DOI"]).lower() if message.get("DOI") else None),
        title=title,
        subtitle=clean(_first(message.get("subtitle"))),
        authors=tuple(Author(clean(a.get("family") or a.get("name")), clean(a.get("given"))) for a in authors
                      if a.get("family") or a.get("name")),
        years=tuple((label, year) for key, label in _DATE_FIELDS
                    if (year := _year(message.get(key))) is not None),
        containers=tuple(dict.fromkeys(clean(name) for key in ("container-title", "short-container-title")
                                       for name in message.get(key) or () if clean(name))),
        volume=clean(message.get("volume")) or None,
        pages=clean(message.get("page")) or None,
        article_number=clean(message.get("article-number")) or None,
        notices=tuple(_crossref_notice(u) for u in message.get("updated-by") or () if isinstance(u, Mapping)),
        updates=tuple(_crossref_notice(u) for u in message.get("update-to") or () if isinstance(u, Mapping)),
        marked_retracted=bool(_RETRACTED_TITLE.match(title)),
    )


def _crossref_notice(update: Mapping[str, Any]) -> Notice:
    return Notice(
        type=str(update.get("type") or "update").lower().replace("-", "_"),
        label=clean(update.get("label")),
        doi=str(update["DOI"]).lower() if update.get("DOI") else None,
        date=_date(update.get("updated")),
        source=clean(update.get("source")) or None,
    )


def _first(value: Any) -> Any:
    if isinstance(value, list):
        return value[0] if value else ""
    return value or ""


def _parts(value: Any) -> list[int]:
    if not isinstance(value, Mapping):
        return []
    parts = value.get("date-parts") or [[]]
    first = parts[0] if isinstance(parts, list) and parts and isinstance(parts[0], list) else []
    return [int(p) for p in first if isinstance(p, (int, str)) and str(p).isdigit()]


def _year(value: Any) -> int | None:
    parts = _parts(value)
    return parts[0] if parts else None


def _date(value: Any) -> str | None:
    parts = _parts(value)
    return "-".join(f"{p:04d}" if i == 0 else f"{p:02d}" for i, p in enumerate(parts[:3])) or None


# --- PubMed ----------------------------------------------------------------------------------


def pubmed_work(summary: Mapping[str, Any]) -> Work:
    ids = {str(i.get("idtype")): clean(i.get("value")) for i in summary.get("articleids") or () if isinstance(i, Mapping)}
    notices = [_pubmed_notice(r) for r in summary.get("references") or () if isinstance(r, Mapping)]
    notices = [n for n in notices if n is not None]
    if "Retracted Publication" in (summary.get("pubtype") or ()) and not any(n.retracts for n in notices):
        notices.append(Notice("retraction", "Retracted Publication", source="PubMed"))
    title = clean(summary.get("title"))
    years = [("published", _leading_year(summary.get("pubdate"))), ("online", _leading_year(summary.get("epubdate")))]
    return Work(
        registry="PubMed",
        doi=ids.get("doi", "").lower() or None,
        pmid=clean(summary.get("uid")) or None,
        title=title,
        authors=tuple(_pubmed_author(a) for a in summary.get("authors") or ()
                      if isinstance(a, Mapping) and a.get("name") and a.get("authtype", "Author") != "Editor"),
        years=tuple((label, year) for label, year in years if year is not None),
        containers=tuple(dict.fromkeys(name for name in (clean(summary.get("fulljournalname")),
                                                         clean(summary.get("source"))) if name)),
        volume=clean(summary.get("volume")) or None,
        pages=clean(summary.get("pages")) or None,
        notices=tuple(notices),
        marked_retracted=bool(_RETRACTED_TITLE.match(title)),
    )


def _pubmed_author(author: Mapping[str, Any]) -> Author:
    name = clean(author.get("name"))
    if author.get("authtype") == "CollectiveName":
        return Author(name)
    family, _, initials = name.rpartition(" ")
    if family and initials.isupper() and initials.isalpha() and len(initials) <= 4:
        return Author(family, initials)
    return Author(name)


def _pubmed_notice(reference: Mapping[str, Any]) -> Notice | None:
    kind = _PUBMED_REFTYPES.get(clean(reference.get("reftype")).lower())
    if kind is None:
        return None
    pmid = clean(reference.get("pmid"))
    return Notice(kind, clean(reference.get("reftype")), pmid=pmid or None,
                  citation=clean(reference.get("refsource")) or None, source="PubMed")


def _leading_year(value: Any) -> int | None:
    match = re.match(r"\s*(\d{4})", str(value or ""))
    return int(match.group(1)) if match else None


# --- the requests --------------------------------------------------------------------------


class Registries:
    """The lookups of `refs verify`, over a client with `get(url, params) -> Reply` (client.Client)."""

    def __init__(self, client: Any, contact: str) -> None:
        self.client = client
        self.contact = contact

    def crossref_work(self, doi: str) -> Work | None:
        """The work, or None when Crossref does not know the DOI."""
        reply = self.client.get(f"{CROSSREF}/works/{_doi_path(doi)}", {"mailto": self.contact})
        if reply.status in (400, 404, 410):
            return None
        message = self._ok(reply, "Crossref").get("message")
        return crossref_work(message if isinstance(message, Mapping) else {})

    def crossref_agency(self, doi: str) -> str | None:
        """The registration agency holding a DOI ("crossref", "datacite", ...), or None when none does."""
        reply = self.client.get(f"{CROSSREF}/works/{_doi_path(doi)}/agency", {"mailto": self.contact})
        if reply.status in (400, 404, 410):
            return None
        message = self._ok(reply, "Crossref").get("message") or {}
        agency = message.get("agency") if isinstance(message, Mapping) else None
        return clean((agency or {}).get("id") or (agency or {}).get("label")).lower() or None

    def crossref_search(self, query: str, rows: int = SEARCH_ROWS) -> list[Work]:
        reply = self.client.get(f"{CROSSREF}/works",
                                {"query.bibliographic": query, "rows": str(rows), "mailto": self.contact})
        message = self._ok(reply, "Crossref").get("message") or {}
        items = message.get("items") if isinstance(message, Mapping) else None
        return [crossref_work(item) for item in items or () if isinstance(item, Mapping)]

    def pubmed_works(self, pmids: Sequence[str]) -> dict[str, Work | None]:
        """PMID -> its summary, or None when PubMed has no such record."""
        found: dict[str, Work | None] = {}
        for start in range(0, len(pmids), PUBMED_BATCH):
            batch = list(pmids[start:start + PUBMED_BATCH])
            reply = self.client.get(ESUMMARY, {"db": "pubmed", "id": ",".join(batch), "retmode": "json",
                                               "tool": TOOL, "email": self.contact})
            result = self._ok(reply, "PubMed").get("result") or {}
            for pmid in batch:
                summary = result.get(pmid) if isinstance(result, Mapping) else None
                found[pmid] = pubmed_work(summary) if isinstance(summary, Mapping) and not summary.get("error") else None
        return found

    @staticmethod
    def _ok(reply: Any, registry: str) -> Mapping[str, Any]:
        if reply.status != 200:
            raise RegistryUnavailable(f"{registry} answered HTTP {reply.status} for {reply.url}")
        data = reply.json()
        if not isinstance(data, Mapping):
            raise RegistryUnavailable(f"{registry} answered with unexpected JSON for {reply.url}")
        return data


def _doi_path(doi: str) -> str:
    return quote(doi.strip(), safe="/")
