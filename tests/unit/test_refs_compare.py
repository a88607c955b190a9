"""refs/compare.py and refs/registry.py: normalisation, field comparison, and the registries' JSON as a Work."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from refs_replay import FIXTURES

from painconnect_site.bibtex.parse import parse_bibliography
from painconnect_site.core.errors import Diagnostics
from painconnect_site.core.model import Reference, SourceFile
from painconnect_site.refs.compare import (
    container_key,
    describe_years,
    differences,
    fold,
    is_match,
    page_range,
    same_container,
    same_first_author,
    title_key,
)
from painconnect_site.refs.registry import Author, Notice, Work, crossref_work, pubmed_work


def reference(body: str, entry_type: str = "article", key: str = "smith2020") -> Reference:
    text = f"@{entry_type}{{{key},\n{body}\n}}\n"
    diags = Diagnostics()
    bibliography = parse_bibliography(SourceFile(Path("references.bib"), "references.bib", text, "bibliography"), diags)
    assert not diags.has_errors(), list(diags)
    return bibliography.entries[key]


SMITH = reference("""
  author  = {M{\\"u}ller, Jane A. and Doe, John},
  title   = {Touch and {MRI}: pain in adults},
  journal = {The Journal of Sexual Medicine},
  year    = {2020},
  volume  = {21},
  pages   = {1633--1639},
  doi     = {10.1000/x}""")


def work(**fields) -> Work:
    defaults = dict(registry="Crossref", doi="10.1000/x", title="Touch and MRI: Pain in Adults",
                    authors=(Author("Müller", "Jane A"),), years=(("issued", 2020),),
                    containers=("The Journal of Sexual Medicine",), volume="21", pages="1633-1639")
    return Work(**{**defaults, **fields})


# --- normalisation -----------------------------------------------------------------------------


def test_fold_ignores_case_accents_punctuation_markup_and_spacing():
    assert fold("  Müller–Lyer <i>illusion</i>:  a  “test” & more. ") == "muller lyer illusion a test and more"
    assert fold("Straße") == fold("strasse")


def test_title_key_drops_a_retracted_prefix_only_at_the_start():
    assert title_key("RETRACTED: Ileal-lymphoid-nodular hyperplasia") == "ileal lymphoid nodular hyperplasia"
    assert title_key("RETRACTED ARTICLE: A study") == "a study"
    assert title_key("Why papers are retracted: a survey") == "why papers are retracted a survey"


def test_container_key_drops_the_leading_article_stopwords_and_a_place_in_parentheses():
    assert container_key("The Journal of Sexual Medicine") == ["journal", "sexual", "medicine"]
    assert container_key("Spine (Phila Pa 1976)") == ["spine"]


@pytest.mark.parametrize("mine, theirs, same", [
    ("The Journal of Sexual Medicine", "Journal of Sexual Medicine", True),
    ("The Journal of Sexual Medicine", "J Sex Med", True),  # an abbreviation, word by word
    ("J Sex Med", "The Journal of Sexual Medicine", True),
    ("PLOS ONE", "PLoS One", True),
    ("Spine", "Spine (Phila Pa 1976)", True),
    ("Pain Medicine", "Pain", False),
    ("Pain Medicine", "Pain Research and Management", False),
    ("Journal of Pain", "Journal of Pain Research", False),
])
def test_container_names_and_abbreviations(mine, theirs, same):
    assert same_container(mine, [theirs]) is same


@pytest.mark.parametrize("pages, expected", [
    ("1633--1639", ("1633", "1639")),
    ("1633–1639", ("1633", "1639")),
    ("1633-9", ("1633", "1639")),  # NLM style
    ("942 - 54", ("942", "954")),
    ("e0274331", ("e0274331", None)),
    ("S12--S19", ("s12", "s19")),
])
def test_page_ranges(pages, expected):
    assert page_range(pages) == expected


def test_first_author_particles_match_either_way():
    ploeg = reference("author = {van der Ploeg, Karen}, title = {T}, journal = {J}, year = {2020}")
    assert same_first_author(ploeg, work(authors=(Author("van der Ploeg", "Karen"),))) is True
    assert same_first_author(ploeg, work(authors=(Author("Ploeg", "K"),))) is True
    assert same_first_author(ploeg, work(authors=(Author("Vanderbilt", "K"),))) is False
    assert same_first_author(SMITH, work(authors=())) is None  # nothing to compare


def test_a_corporate_author_compares_as_a_whole():
    who = reference("author = {{World Health Organization}}, title = {T}, journal = {J}, year = {2020}")
    assert same_first_author(who, work(authors=(Author("World Health Organization"),))) is True


# --- differences ----------------------------------------------------------------------------------


def test_an_entry_matching_its_record_has_no_differences():
    assert differences(SMITH, work()) == []


def test_the_title_may_be_split_into_title_and_subtitle():
    split = work(title="Touch and MRI", subtitle="Pain in Adults")
    assert differences(SMITH, split) == []


def test_a_year_matching_any_registry_date_is_no_difference():
    assert differences(SMITH, work(years=(("issued", 2019), ("online", 2019), ("print", 2020)))) == []


def test_pages_may_be_an_article_number():
    number = reference("author = {Smith, J}, title = {T}, journal = {J}, year = {2020}, pages = {100472}")
    assert differences(number, work(title="T", authors=(Author("Smith"),), containers=("J",), pages=None,
                                    article_number="100472")) == []


def test_every_differing_field_is_one_sentence_with_what_the_registry_says():
    other = work(title="Touch and pain in older adults", authors=(Author("Miller", "Jane"),),
                 years=(("issued", 2019), ("online", 2019), ("print", 2021)), containers=("Pain Medicine",),
                 volume="22", pages="1633-1640")
    assert differences(SMITH, other) == [
        "reference 'smith2020': title differs from Crossref: \"Touch and pain in older adults\"",
        "reference 'smith2020': first author is 'Müller'; Crossref says 'Miller, Jane'",
        "reference 'smith2020': year is 2020; Crossref says 2019 (issued, online), 2021 (print)",
        "reference 'smith2020': journal is 'The Journal of Sexual Medicine'; Crossref says 'Pain Medicine'",
        "reference 'smith2020': volume is 21; Crossref says 22",
        "reference 'smith2020': pages are 1633–1639; Crossref says 1633-1640",
    ]


def test_fields_missing_on_either_side_are_not_differences():
    bare = reference("author = {Müller, Jane}, title = {Touch and MRI: pain in adults}, journal = {J Sex Med}, "
                     "year = {2020}")
    assert differences(bare, work(volume=None, pages=None)) == []


def test_a_book_is_not_compared_on_its_container():
    book = reference("author = {Müller, Jane}, title = {Touch and MRI: pain in adults}, publisher = {Oxford}, "
                     "year = {2020}", entry_type="book")
    assert differences(book, work(containers=("Some Series",), volume=None, pages=None)) == []


def test_a_title_search_hit_needs_title_year_and_first_author():
    assert is_match(SMITH, work())
    assert not is_match(SMITH, work(years=(("issued", 2019),)))
    assert not is_match(SMITH, work(authors=(Author("Doe", "John"),)))
    assert not is_match(SMITH, work(title="Touch and MRI"))
    assert not is_match(SMITH, work(authors=()))  # no author to compare is no match


def test_describe_years_groups_labels():
    assert describe_years(work(years=(("issued", 2017), ("print", 2018), ("online", 2017)))) == \
        "2017 (issued, online), 2018 (print)"


# --- registry JSON -> Work -------------------------------------------------------------------------


def fixture(name: str) -> dict:
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


def test_a_crossref_work_message_as_a_record():
    record = crossref_work(fixture("crossref/finn2018.json")["message"])
    assert record.registry == "Crossref" and record.doi == "10.1093/pm/pnx056"
    assert record.authors[0] == Author("Finn", "Erica")
    assert record.years == (("issued", 2017), ("print", 2018), ("online", 2017))
    assert record.containers == ("Pain Medicine",) and record.volume == "19" and record.pages == "942-954"
    assert record.notices == () and not record.marked_retracted


def test_crossref_updated_by_becomes_notices_and_the_retracted_title_is_seen():
    record = crossref_work(fixture("crossref/wakefield1998.json")["message"])
    assert record.marked_retracted
    assert [n.type for n in record.notices] == ["correction", "retraction"]
    retraction = record.notices[1]
    assert retraction.retracts and retraction.doi == "10.1016/s0140-6736(10)60175-4"
    assert retraction.describe() == "Retraction 10.1016/s0140-6736(10)60175-4 (2010-02-06, Retraction Watch)"
    assert not record.notices[0].retracts and record.notices[0].noteworthy


def test_crossref_update_to_marks_a_notice():
    record = crossref_work(fixture("crossref/retraction-notice-2010.json")["message"])
    assert [(n.type, n.doi) for n in record.updates] == [("retraction", "10.1016/s0140-6736(97)11096-0")]


def test_a_pubmed_summary_as_a_record():
    result = fixture("pubmed/esummary-repository.json")["result"]
    record = pubmed_work(result["25208042"])
    assert record.registry == "PubMed" and record.pmid == "25208042"
    assert record.doi == "10.1097/brs.0000000000000518"
    assert record.authors[0] == Author("Sidorkewicz", "N") and record.years == (("published", 2014),)
    assert record.containers == ("Spine", "Spine (Phila Pa 1976)") and record.pages == "1633-9"
    ploeg = pubmed_work(result["36197910"]).authors[3]
    assert ploeg == Author("van der Ploeg", "K")


def test_pubmed_retraction_markers_become_one_notice():
    record = pubmed_work(fixture("pubmed/esummary-cases.json")["result"]["9500320"])
    assert [(n.type, n.label, n.citation) for n in record.notices] == [
        ("retraction", "Retraction in", "Lancet. 2010 Feb 6;375(9713):445")]
    assert record.notices[0].describe() == "Retraction in Lancet. 2010 Feb 6;375(9713):445 (PubMed)"


def test_pubmed_retracted_publication_type_alone_is_a_retraction():
    record = pubmed_work({"uid": "1", "title": "T", "pubtype": ["Journal Article", "Retracted Publication"]})
    assert [n.type for n in record.notices] == ["retraction"]


def test_notices_round_trip_through_json():
    notice = Notice("expression_of_concern", "Expression of concern", doi="10.5555/x", date="2022-06-01",
                    source="retraction-watch")
    assert Notice.from_json(notice.to_json()) == notice
    assert notice.kind == "an expression of concern"


def test_the_registry_fingerprint_follows_the_compared_metadata_and_the_notices():
    assert work().fingerprint() == work().fingerprint()
    assert work().fingerprint() != work(volume="22").fingerprint()
    assert work().fingerprint() != work(notices=(Notice("retraction"),)).fingerprint()
