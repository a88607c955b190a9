"""references.lock.json: what `refs verify` found, read offline by `check` and `build`.

The lock is committed beside references.bib. For each BibTeX key it records
when the entry was verified, against which registry, what that registry's
record was (its identifiers and a fingerprint of its metadata), a fingerprint
of the entry as it was, the notices (retraction, correction, expression of
concern) and the problems found. `check` needs no network: it compares the
entry's fingerprint now with the recorded one and the recorded date with today.

Format (version 1; keys sorted, two-space indent, so diffs review well):

    {
      "format": 1,
      "about": "...",
      "entries": {
        "smith2020": {
          "verified": "2026-05-01T09:30:00Z",
          "registry": "Crossref",              # Crossref | PubMed | "Crossref, PubMed" | "Crossref title search" | none
          "status": "verified",                # verified | not-found | unverifiable
          "work": {"doi": "10.1000/x", "pmid": null},
          "entry": {"doi": "10.1000/x", "pmid": null, "fingerprint": "sha256:..."},
          "registry_fingerprint": "sha256:...",
          "notices": [{"type": "retraction", "label": "Retraction", "doi": "...", "date": "2010-02-06", "source": "retraction-watch"}],
          "problems": [{"rule": "reference-mismatch", "message": "reference 'smith2020': year is 2019; Crossref says 2020 (issued)"}]
        }
      }
    }
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Mapping, Sequence

from .host import ERROR, LOCK_FILE, WARNING, Bibliography, CitationUse, Diagnostic, Reference, SiteConfig
from .registry import Notice
from .settings import Settings

FORMAT = 1
ABOUT = ("Written by `python build.py refs verify`; read offline by `check` and `build`. "
         "Commit it with references.bib; do not edit it by hand.")
INTERNAL_FIELDS = frozenset({"note", "annote", "annotation", "addendum"})  # never published: editing them is no change

# --- the rules `check` runs on the lock (checks.py registers them) --------------------------

RETRACTED = "reference-retracted"
NOT_FOUND = "reference-not-found"
NOTICE = "reference-notice"
MISMATCH = "reference-mismatch"
UNVERIFIED = "reference-unverified"
SEVERITY = {RETRACTED: ERROR, NOT_FOUND: ERROR, NOTICE: WARNING, MISMATCH: WARNING, UNVERIFIED: WARNING}
# (id, severity, description, silenceable), in the order of the README table.
REFERENCE_RULES: tuple[tuple[str, str, str, bool], ...] = (
    (RETRACTED, ERROR, "references.bib entry the registries record as retracted or withdrawn (references.lock.json)",
     False),
    (NOT_FOUND, ERROR, "references.bib entry whose DOI or PMID the registry does not know (references.lock.json)", True),
    (NOTICE, WARNING, "references.bib entry with a correction, erratum or expression of concern (references.lock.json)",
     True),
    (MISMATCH, WARNING, "references.bib entry whose title, first author, year, journal, volume or pages differ from "
                        "the registry's record (references.lock.json)", True),
    (UNVERIFIED, WARNING, "references.bib entry changed since `refs verify` checked it, checked too long ago, or "
                          "(with references: {require_verification: true}) never verified", True),
)


# --- the data -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Problem:
    rule: str
    message: str

    @property
    def severity(self) -> str:
        return SEVERITY.get(self.rule, WARNING)


@dataclass(frozen=True, slots=True)
class LockEntry:
    verified: dt.datetime  # UTC
    registry: str
    status: str  # "verified", "not-found", "unverifiable"
    entry_fingerprint: str
    entry_doi: str | None = None  # the entry's identifiers when it was verified
    entry_pmid: str | None = None
    work_doi: str | None = None  # the registry record's identifiers
    work_pmid: str | None = None
    registry_fingerprint: str | None = None
    notices: tuple[Notice, ...] = ()
    problems: tuple[Problem, ...] = ()

    @property
    def retraction(self) -> Notice | None:
        return next((notice for notice in self.notices if notice.retracts), None)

    @property
    def date(self) -> str:
        return self.verified.date().isoformat()

    def describes(self, reference: Reference) -> bool:
        """Is the entry as it is now the one verified (byte for byte, internal notes aside)?"""
        return self.entry_fingerprint == entry_fingerprint(reference)

    def same_work(self, reference: Reference) -> bool:
        """Does the entry still point at the verified work (unchanged, or the same DOI or PMID)?"""
        doi, pmid = _doi(reference.doi), (reference.pmid or "").strip() or None
        return (self.describes(reference) or bool(doi and doi in {self.work_doi, self.entry_doi})
                or bool(pmid and pmid in {self.work_pmid, self.entry_pmid}))

    def to_json(self) -> dict[str, Any]:
        return {
            "verified": self.verified.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "registry": self.registry,
            "status": self.status,
            "work": {"doi": self.work_doi, "pmid": self.work_pmid},
            "entry": {"doi": self.entry_doi, "pmid": self.entry_pmid, "fingerprint": self.entry_fingerprint},
            "registry_fingerprint": self.registry_fingerprint,
            "notices": [notice.to_json() for notice in self.notices],
            "problems": [{"rule": p.rule, "message": p.message} for p in self.problems],
        }

    @classmethod
    def from_json(cls, data: Any) -> "LockEntry":
        if not isinstance(data, Mapping):
            raise ValueError("an entry must be a JSON object")
        work, entry = data.get("work") or {}, data.get("entry") or {}
        verified = dt.datetime.fromisoformat(str(data["verified"]))
        if verified.tzinfo is None:
            verified = verified.replace(tzinfo=dt.timezone.utc)
        status = str(data["status"])
        if status not in ("verified", "not-found", "unverifiable"):
            raise ValueError(f"unknown status '{status}'")
        return cls(
            verified=verified,
            registry=str(data.get("registry") or ""),
            status=status,
            entry_fingerprint=str(entry["fingerprint"]),
            entry_doi=_doi(entry.get("doi")),
            entry_pmid=_text(entry.get("pmid")),
            work_doi=_doi(work.get("doi")),
            work_pmid=_text(work.get("pmid")),
            registry_fingerprint=_text(data.get("registry_fingerprint")),
            notices=tuple(Notice.from_json(n) for n in data.get("notices") or ()),
            problems=tuple(Problem(str(p["rule"]), str(p["message"])) for p in data.get("problems") or ()),
        )


@dataclass(frozen=True, slots=True)
class Lock:
    entries: Mapping[str, LockEntry] = field(default_factory=dict)
    exists: bool = False


def entry_fingerprint(reference: Reference) -> str:
    """Of the entry's type and fields as decoded (internal notes left out), not of its key or line."""
    fields = {name: " ".join(value.split()) for name, value in reference.fields.items()
              if name not in INTERNAL_FIELDS and value.strip()}
    data = json.dumps({"type": reference.entry_type, "fields": fields}, sort_keys=True, ensure_ascii=False,
                      separators=(",", ":"))
    return "sha256:" + hashlib.sha256(data.encode("utf-8")).hexdigest()


def _doi(value: Any) -> str | None:
    return str(value).strip().lower() or None if value else None


def _text(value: Any) -> str | None:
    return str(value).strip() or None if value not in (None, "") else None


# --- reading and writing ------------------------------------------------------------------------


def read_lock(root: Path) -> tuple[Lock, list[Diagnostic]]:
    """The lock (empty when there is none) and the problems that make it unusable."""
    path = root / LOCK_FILE
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return Lock(), []
    except (OSError, UnicodeDecodeError) as exc:
        return Lock(), [_lock_error(1, f"cannot read the lock file ({exc})")]
    try:
        data = json.loads(text)
    except ValueError as exc:
        return Lock(), [_lock_error(getattr(exc, "lineno", 1), f"not valid JSON: {getattr(exc, 'msg', exc)}")]
    if not isinstance(data, Mapping) or data.get("format") != FORMAT or not isinstance(data.get("entries"), Mapping):
        return Lock(), [_lock_error(1, f"not a format-{FORMAT} lock file (expected {{\"format\": {FORMAT}, "
                                       f"\"entries\": {{...}}}})")]
    entries: dict[str, LockEntry] = {}
    problems = []
    for key, raw in data["entries"].items():
        try:
            entries[str(key)] = LockEntry.from_json(raw)
        except (KeyError, TypeError, ValueError) as exc:
            reason = f"missing '{exc.args[0]}'" if isinstance(exc, KeyError) else str(exc)
            problems.append(_lock_error(_line_of_key(text, str(key)), f"entry '{key}' is unreadable: {reason}"))
    return Lock(entries, exists=True), problems


def _lock_error(line: int, message: str) -> Diagnostic:
    return Diagnostic(LOCK_FILE, line, ERROR,
                      f"{message}; run `python build.py refs verify` to write it again")


def _line_of_key(text: str, key: str) -> int:
    match = re.search(r'^\s*' + re.escape(json.dumps(key)) + r'\s*:', text, re.MULTILINE)
    return text.count("\n", 0, match.start()) + 1 if match else 1


def write_lock(root: Path, entries: Mapping[str, LockEntry]) -> Path:
    """Write the lock atomically (a temporary file renamed over the old one)."""
    data = {"format": FORMAT, "about": ABOUT,
            "entries": {key: entries[key].to_json() for key in sorted(entries)}}
    text = json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    path = root / LOCK_FILE
    handle, temporary = tempfile.mkstemp(prefix=".references.lock.", suffix=".tmp", dir=root)
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as out:
            out.write(text)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return path


# --- `check`: what the lock says about the entries now -----------------------------------------


@dataclass(frozen=True, slots=True)
class LockFinding:
    rule: str
    line: int | None
    message: str
    path: str


def lock_findings(config: SiteConfig, bibliography: Bibliography, today: dt.date) -> list[LockFinding]:
    """Every `reference-*` finding for the entries of references.bib, offline.

    An unreadable lock gives none here: the build reports it (`retracted_citations`)."""
    lock, unreadable = read_lock(config.root)
    if unreadable:
        return []
    settings = Settings.of(config)
    found: list[LockFinding] = []

    def add(rule: str, reference: Reference, message: str) -> None:
        found.append(LockFinding(rule, reference.line, message, bibliography.rel))

    for key, reference in bibliography.entries.items():
        record = lock.entries.get(key)
        rerun = f"run `python build.py refs verify {key}`"
        if record is None:
            if settings.require_verification:
                add(UNVERIFIED, reference, f"reference '{key}' has never been verified against Crossref or PubMed; "
                                           f"{rerun}")
            continue
        if not record.describes(reference):
            add(UNVERIFIED, reference, f"reference '{key}' changed since it was verified on {record.date}; {rerun}")
            if record.same_work(reference):  # a retraction follows the work, not the spelling of the entry
                for problem in record.problems:
                    if problem.rule == RETRACTED:
                        add(RETRACTED, reference, f"{problem.message} (refs verify, {record.date})")
            continue
        for problem in record.problems:
            if problem.rule != UNVERIFIED or settings.require_verification:
                add(problem.rule, reference, f"{problem.message} (refs verify, {record.date})")
        age = (today - record.verified.date()).days
        if record.status == "verified" and age > settings.max_age_days:
            add(UNVERIFIED, reference, f"reference '{key}' was last verified on {record.date}, {age} days ago "
                                       f"(more than max_age_days, {settings.max_age_days}); {rerun}")
    return found


# --- `build`: citations of retracted works -------------------------------------------------------


def retracted_citations(root: Path, bibliography: Bibliography,
                        documents: Iterable[tuple[str, Sequence[CitationUse]]]) -> list[Diagnostic]:
    """An error at every citation of a work the lock records as retracted (and at an unreadable lock)."""
    lock, unreadable = read_lock(root)
    if unreadable:
        return unreadable
    retracted: dict[str, str] = {}
    for key, record in lock.entries.items():
        reference = bibliography.entries.get(key)
        notice = record.retraction
        if reference is not None and notice is not None and record.same_work(reference):
            retracted[key] = f"{notice.describe()}; recorded in {LOCK_FILE} on {record.date}"
    if not retracted:
        return []
    found = []
    for rel, uses in documents:
        for use in uses:
            if use.key in retracted:
                found.append(Diagnostic(rel, use.line, ERROR, f"cites '{use.key}', which was retracted: "
                                                              f"{retracted[use.key]}; remove the citation"))
    return found
