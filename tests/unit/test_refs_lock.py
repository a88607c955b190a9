"""refs/lock.py: fingerprints, the lock file, and what `check` and `build` read from it offline."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from painconnect_site.bibtex.parse import parse_bibliography
from painconnect_site.core.errors import Diagnostics
from painconnect_site.core.model import Bibliography, CitationUse, SourceFile
from painconnect_site.refs.lock import (
    LOCK_FILE,
    LockEntry,
    Problem,
    entry_fingerprint,
    lock_findings,
    read_lock,
    retracted_citations,
    write_lock,
)
from painconnect_site.refs.registry import Notice

TODAY = dt.date(2026, 6, 1)
VERIFIED = dt.datetime(2026, 5, 1, 9, 30, tzinfo=dt.timezone.utc)
ENTRY = """\
@article{smith2020,
  author  = {Smith, Jane},
  title   = {Walking and back pain},
  journal = {Pain Medicine},
  year    = {2020},
  doi     = {10.1000/walk},
  note    = {Checked on the publisher's page.}
}
"""


def bibliography(text: str = ENTRY) -> Bibliography:
    diags = Diagnostics()
    parsed = parse_bibliography(SourceFile(Path("references.bib"), "references.bib", text, "bibliography"), diags)
    assert not diags.has_errors()
    return parsed


def record(bib: Bibliography, key: str = "smith2020", **changes) -> LockEntry:
    fields = dict(verified=VERIFIED, registry="Crossref", status="verified",
                  entry_fingerprint=entry_fingerprint(bib.entries[key]), entry_doi="10.1000/walk",
                  work_doi="10.1000/walk", registry_fingerprint="sha256:abc")
    return LockEntry(**{**fields, **changes})


class Config:
    """The two things lock_findings reads from a SiteConfig."""

    def __init__(self, root: Path, **references):
        self.root, self.references = root, references


def findings(root: Path, bib: Bibliography, today: dt.date = TODAY, **settings) -> list[tuple[str, int, str]]:
    return [(f.rule, f.line, f.message) for f in lock_findings(Config(root, **settings), bib, today)]


# --- fingerprints ---------------------------------------------------------------------------------


def test_the_entry_fingerprint_ignores_key_line_layout_and_internal_notes():
    base = entry_fingerprint(bibliography().entries["smith2020"])
    moved = "% a comment\n\n" + ENTRY.replace("{Smith, Jane}", "{Smith,   Jane}").replace(
        "Checked on the publisher's page.", "Re-checked.")
    assert entry_fingerprint(bibliography(moved).entries["smith2020"]) == base


def test_the_entry_fingerprint_changes_with_any_published_field():
    base = entry_fingerprint(bibliography().entries["smith2020"])
    for old, new in (("2020}", "2021}"), ("{Walking", "{Running"), ("@article", "@misc"),
                     ("doi     = {10.1000/walk},", "doi = {10.1000/walk}, volume = {3},")):
        assert entry_fingerprint(bibliography(ENTRY.replace(old, new)).entries["smith2020"]) != base, new


# --- the file ----------------------------------------------------------------------------------


def test_write_then_read_is_the_same_lock_sorted_with_a_trailing_newline(tmp_path):
    bib = bibliography()
    entries = {"zeta": record(bib, notices=(Notice("retraction", "Retraction", doi="10.1/n", date="2010-02-06"),),
                              problems=(Problem("reference-retracted", "was retracted"),)),
               "alpha": record(bib)}
    write_lock(tmp_path, entries)
    text = (tmp_path / LOCK_FILE).read_text(encoding="utf-8")
    assert text.endswith("}\n") and text.index('"alpha"') < text.index('"zeta"')
    assert json.loads(text)["entries"]["alpha"]["verified"] == "2026-05-01T09:30:00Z"
    lock, problems = read_lock(tmp_path)
    assert problems == [] and lock.exists and dict(lock.entries) == entries
    assert [p.name for p in tmp_path.iterdir()] == [LOCK_FILE]  # the temporary file is gone


def test_no_lock_is_an_empty_lock(tmp_path):
    lock, problems = read_lock(tmp_path)
    assert problems == [] and not lock.exists and lock.entries == {}


def test_an_unreadable_lock_is_one_error_with_its_line(tmp_path):
    (tmp_path / LOCK_FILE).write_text('{\n  "format": 1,\n  "entries": {\n    "a": {\n  }\n', encoding="utf-8")
    _, problems = read_lock(tmp_path)
    assert [p.format() for p in problems] == [
        "references.lock.json:6: error: not valid JSON: Expecting ',' delimiter; "
        "run `python build.py refs verify` to write it again"]
    (tmp_path / LOCK_FILE).write_text('{"format": 1, "entries": {\n"a": {"verified": "2026-05-01"}}}',
                                      encoding="utf-8")
    _, problems = read_lock(tmp_path)
    assert [(p.line, p.message.split(";")[0]) for p in problems] == [(2, "entry 'a' is unreadable: missing 'status'")]
    (tmp_path / LOCK_FILE).write_text('{"format": 2, "entries": {}}', encoding="utf-8")
    assert "not a format-1 lock file" in read_lock(tmp_path)[1][0].message


# --- check: offline findings ----------------------------------------------------------------------


def test_an_unchanged_recent_verification_without_problems_is_quiet(tmp_path):
    bib = bibliography()
    write_lock(tmp_path, {"smith2020": record(bib)})
    assert findings(tmp_path, bib, require_verification=True) == []


def test_never_verified_is_reported_only_when_the_site_requires_verification(tmp_path):
    bib = bibliography()
    assert findings(tmp_path, bib) == []
    assert findings(tmp_path, bib, require_verification=True) == [
        ("reference-unverified", 1, "reference 'smith2020' has never been verified against Crossref or PubMed; "
                                    "run `python build.py refs verify smith2020`")]


def test_an_entry_changed_since_verification(tmp_path):
    write_lock(tmp_path, {"smith2020": record(bibliography(), problems=(Problem("reference-mismatch", "old"),))})
    changed = bibliography(ENTRY.replace("2020}", "2021}"))
    assert findings(tmp_path, changed) == [
        ("reference-unverified", 1, "reference 'smith2020' changed since it was verified on 2026-05-01; "
                                    "run `python build.py refs verify smith2020`")]  # the stale mismatch is not replayed


def test_a_verification_older_than_max_age_days(tmp_path):
    bib = bibliography()
    write_lock(tmp_path, {"smith2020": record(bib)})
    assert findings(tmp_path, bib, dt.date(2026, 10, 28)) == []  # 180 days: not yet
    assert findings(tmp_path, bib, dt.date(2026, 10, 29)) == [
        ("reference-unverified", 1, "reference 'smith2020' was last verified on 2026-05-01, 181 days ago "
                                    "(more than max_age_days, 180); run `python build.py refs verify smith2020`")]
    assert findings(tmp_path, bib, dt.date(2026, 6, 1), max_age_days=30) != []


def test_the_problems_found_by_verify_are_replayed_while_the_entry_is_unchanged(tmp_path):
    bib = bibliography()
    write_lock(tmp_path, {"smith2020": record(bib, problems=(
        Problem("reference-mismatch", "reference 'smith2020': year is 2020; Crossref says 2019 (issued)"),
        Problem("reference-unverified", "reference 'smith2020' could not be verified: ..."),
    ))})
    assert findings(tmp_path, bib) == [
        ("reference-mismatch", 1, "reference 'smith2020': year is 2020; Crossref says 2019 (issued) "
                                  "(refs verify, 2026-05-01)")]
    assert len(findings(tmp_path, bib, require_verification=True)) == 2


def test_a_retraction_follows_the_work_through_edits_of_the_entry(tmp_path):
    retracted = (Problem("reference-retracted", "reference 'smith2020' was retracted: Retraction 10.1/n"),)
    write_lock(tmp_path, {"smith2020": record(bibliography(), problems=retracted,
                                              notices=(Notice("retraction", "Retraction", doi="10.1/n"),))})
    typo_fixed = bibliography(ENTRY.replace("Walking and", "Walking, and"))
    assert [rule for rule, _, _ in findings(tmp_path, typo_fixed)] == ["reference-unverified", "reference-retracted"]
    other_work = bibliography(ENTRY.replace("10.1000/walk", "10.1000/run"))
    assert [rule for rule, _, _ in findings(tmp_path, other_work)] == ["reference-unverified"]


def test_an_unreadable_lock_gives_no_findings_the_build_reports_it(tmp_path):
    (tmp_path / LOCK_FILE).write_text("not json", encoding="utf-8")
    assert findings(tmp_path, bibliography(), require_verification=True) == []


# --- build: citations of retracted works ------------------------------------------------------------


def test_every_citation_of_a_retracted_work_is_an_error_at_its_line(tmp_path):
    bib = bibliography()
    write_lock(tmp_path, {"smith2020": record(bib, notices=(
        Notice("retraction", "Retraction", doi="10.1/n", date="2010-02-06", source="retraction-watch"),))})
    uses = [CitationUse("smith2020", None, 12), CitationUse("lee2019", None, 13), CitationUse("smith2020", "p. 3", 30)]
    found = retracted_citations(tmp_path, bib, [("content/articles/a.md", uses)])
    assert [d.format() for d in found] == [
        f"content/articles/a.md:{line}: error: cites 'smith2020', which was retracted: Retraction 10.1/n "
        f"(2010-02-06, Retraction Watch); recorded in references.lock.json on 2026-05-01; remove the citation"
        for line in (12, 30)]


def test_citations_are_fine_without_a_lock_or_without_a_retraction(tmp_path):
    bib = bibliography()
    uses = [("content/articles/a.md", [CitationUse("smith2020", None, 12)])]
    assert retracted_citations(tmp_path, bib, uses) == []
    write_lock(tmp_path, {"smith2020": record(bib, notices=(Notice("correction", "Correction", doi="10.1/c"),))})
    assert retracted_citations(tmp_path, bib, uses) == []


def test_a_broken_lock_stops_the_build(tmp_path):
    (tmp_path / LOCK_FILE).write_text("{", encoding="utf-8")
    found = retracted_citations(tmp_path, bibliography(), [])
    assert [d.severity for d in found] == ["error"] and found[0].path == LOCK_FILE
