"""Verify references.bib entries against Crossref and PubMed: one `LockEntry` per entry.

For each entry (in file order):

* with a DOI: Crossref `/works/{doi}`; when Crossref does not know it, its
  `/agency` endpoint tells a DOI that does not exist (an error) from one held
  by another agency such as DataCite (not verifiable here);
* with a PMID: PubMed esummary (batched). With a DOI as well, PubMed must
  describe the same work; without one, PubMed is the record compared and the
  DOI it lists is suggested;
* with neither: Crossref's `query.bibliographic` search; a hit counts only when
  its title, year and first author all match, and then its DOI is suggested,
  never written.

The record is compared field by field (compare.py); its notices decide
retracted (error) or corrected/concern (warning). The `refs` command
(commands/refs.py) prints the problems and writes the lock.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Callable, Mapping, Protocol, Sequence

from .compare import differences, first_author_family, is_match, same_title, title_key
from .host import Reference
from .lock import MISMATCH, NOT_FOUND, NOTICE, RETRACTED, UNVERIFIED, LockEntry, Problem, entry_fingerprint
from .registry import Notice, Registries, Work


class ProgressSink(Protocol):
    def update(self, done: int, current: str = "") -> None: ...


AGENCIES = {"datacite": "DataCite", "medra": "mEDRA", "jalc": "JaLC", "kisti": "KISTI", "cnki": "CNKI",
            "istic": "ISTIC", "airiti": "Airiti", "op": "the EU Publications Office"}


# --- verifying -------------------------------------------------------------------------------


def verify_all(references: Sequence[Reference], registries: Registries, progress: ProgressSink,
               now: Callable[[], dt.datetime]) -> dict[str, LockEntry]:
    pmids = list(dict.fromkeys(ref.pmid.strip() for ref in references if ref.pmid and ref.pmid.strip()))
    progress.update(0, "PubMed" if pmids else "")
    pubmed = registries.pubmed_works(pmids) if pmids else {}
    results = {}
    for done, reference in enumerate(references):
        progress.update(done, reference.key)
        results[reference.key] = verify_entry(reference, registries, pubmed, now())
    progress.update(len(references))
    return results


def verify_entry(reference: Reference, registries: Registries, pubmed: Mapping[str, Work | None],
                 when: dt.datetime) -> LockEntry:
    key = reference.key
    doi = (reference.doi or "").strip() or None
    pmid = (reference.pmid or "").strip() or None
    problems: list[Problem] = []
    compared: Work | None = None  # the record the entry is compared with
    works: list[Work] = []  # every record consulted, for the fingerprint and the notices
    registry, status = "none", "verified"

    if doi:
        compared = registries.crossref_work(doi)
        registry = "Crossref"
        if compared is None:
            agency = registries.crossref_agency(doi)
            if agency is None or agency == "crossref":
                status = "not-found"
                problems.append(Problem(NOT_FOUND, f"reference '{key}': DOI {doi} does not exist "
                                                   f"(Crossref and the DOI agencies do not know it)"))
            else:
                status = "unverifiable"
                problems.append(Problem(UNVERIFIED, f"reference '{key}' could not be verified: DOI {doi} is "
                                                    f"registered with {AGENCIES.get(agency, agency)}, which refs "
                                                    f"verify does not query"))
        else:
            works.append(compared)
    if pmid:
        record = pubmed.get(pmid)
        if record is None:
            problems.append(Problem(NOT_FOUND, f"reference '{key}': PMID {pmid} does not exist in PubMed"))
            if not doi:
                status, registry = "not-found", "PubMed"
        elif compared is not None:  # Crossref is compared; PubMed must be the same work
            works.append(record)
            registry = "Crossref, PubMed"
            other = (record.doi and compared.doi and record.doi != compared.doi) or (
                not record.doi and same_title(reference, record) is False)
            if other:
                problems.append(Problem(MISMATCH, f"reference '{key}': PMID {pmid} is a different work in PubMed: "
                                                  f"\"{record.title}\"{_doi_note(record.doi)}; check the pmid field"))
        else:
            works.append(record)
            compared, registry = record, "PubMed"
            if record.doi and record.doi != (doi or "").lower():
                problems.append(Problem(MISMATCH, f"reference '{key}' {'has DOI ' + doi if doi else 'has no DOI'}; "
                                                  f"PubMed records {record.doi} for PMID {pmid}; check it at "
                                                  f"https://doi.org/{record.doi} and add doi = {{{record.doi}}}"))
    if not doi and not pmid:
        registry = "Crossref title search"
        compared, problem = _search(reference, registries)
        if compared is None:
            status = "unverifiable"
        else:
            works.append(compared)
        problems.append(problem)

    if compared is not None:
        problems += [Problem(MISMATCH, message) for message in differences(reference, compared)]
        problems += [Problem(MISMATCH, f"reference '{key}': {compared.doi} is itself {n.kind} notice about "
                                       f"{n.doi or 'another work'}; cite the work, not the notice")
                     for n in compared.updates[:1]]
    notices = _notices(works)
    retraction = next((n for n in notices if n.retracts), None)
    if retraction is not None:
        problems.append(Problem(RETRACTED, f"reference '{key}' was retracted: {retraction.describe()}; "
                                           f"remove it and every citation of it"))
    else:
        problems += [Problem(NOTICE, f"reference '{key}' has {n.kind}: {n.describe()}; read it and check that "
                                     f"what the site says still holds") for n in notices if n.noteworthy]
    return LockEntry(
        verified=when,
        registry=registry,
        status=status,
        entry_fingerprint=entry_fingerprint(reference),
        entry_doi=doi.lower() if doi else None,
        entry_pmid=pmid,
        work_doi=next((w.doi for w in works if w.doi), None),
        work_pmid=next((w.pmid for w in works if w.pmid), None),
        registry_fingerprint=_fingerprint(works),
        notices=tuple(notices),
        problems=tuple(problems),
    )


def _search(reference: Reference, registries: Registries) -> tuple[Work | None, Problem]:
    key = reference.key
    query = " ".join(part for part in (reference.title, first_author_family(reference), reference.year) if part)
    hits = registries.crossref_search(query)
    match = next((work for work in hits if work.doi and is_match(reference, work)), None)
    if match is not None:
        return match, Problem(MISMATCH, f"reference '{key}' has no DOI; Crossref's title search found a work with "
                                        f"the same title, year and first author: {match.doi}; check it at "
                                        f"https://doi.org/{match.doi} and add doi = {{{match.doi}}}")
    near = next((work for work in hits if work.doi and title_key(work.title) == title_key(reference.title)), None)
    hint = (f" (Crossref has a work with this title but another year or first author: {near.doi})"
            if near is not None else "")
    return None, Problem(UNVERIFIED, f"reference '{key}' could not be verified: it has no DOI or PMID, and Crossref's "
                                     f"title search found no work with the same title, year and first author{hint}")


def _doi_note(doi: str | None) -> str:
    return f" (DOI {doi})" if doi else ""


def _notices(works: Sequence[Work]) -> list[Notice]:
    """Notices of every record consulted: Crossref's first; PubMed's only for kinds Crossref did not report."""
    found: list[Notice] = []
    for work in works:
        seen = {notice.type for notice in found}
        for notice in work.notices:
            if notice.type not in seen and notice not in found:
                found.append(notice)
        if work.marked_retracted and not any(notice.retracts for notice in found):
            found.append(Notice("retraction", f"title marked RETRACTED in {work.registry}", source=work.registry))
    return found


def _fingerprint(works: Sequence[Work]) -> str | None:
    if not works:
        return None
    if len(works) == 1:
        return works[0].fingerprint()
    joined = "\n".join(work.fingerprint() for work in works)
    return "sha256:" + hashlib.sha256(joined.encode("ascii")).hexdigest()
