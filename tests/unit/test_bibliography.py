"""references.bib parsing: LaTeX decoding, names, CSL-JSON, diagnostics."""

from __future__ import annotations

import json
import logging
import re
from pathlib import Path

import pytest

from painconnect_site.bibtex.parse import missing_fields, parse_bibliography
from painconnect_site.core.errors import Diagnostics
from painconnect_site.core.model import Bibliography, SourceFile

GOLDEN = Path(__file__).resolve().parents[1] / "golden" / "citations"


def parse(text: str) -> tuple[Bibliography, list[str]]:
    diags = Diagnostics()
    source = SourceFile(Path("/site/references.bib"), "references.bib", text, "bibliography")
    bibliography = parse_bibliography(source, diags)
    return bibliography, [d.format() for d in diags]


def parse_ok(text: str) -> Bibliography:
    bibliography, messages = parse(text)
    assert messages == []
    return bibliography


@pytest.fixture(scope="module")
def golden() -> Bibliography:
    return parse_ok((GOLDEN / "golden.bib").read_text(encoding="utf-8"))


# --- no file, empty file ------------------------------------------------------------


def test_no_references_bib() -> None:
    diags = Diagnostics()
    assert parse_bibliography(None, diags) == Bibliography(rel="references.bib", entries={})
    assert len(diags) == 0


@pytest.mark.parametrize("text", ["", "\n\n", "% only a comment\n", "@comment{nothing}"])
def test_empty_file(text: str) -> None:
    assert parse_ok(text).entries == {}


# --- LaTeX decoding -------------------------------------------------------------------


def test_latex_is_decoded(golden: Bibliography) -> None:
    muller = golden.entries["muller2019schmerz"]
    assert muller.authors == ("Jörg Müller", "Renée Lefèvre", "María Gómez")
    assert golden.entries["ampersand2013"].fields["title"] == (
        "Diet & Inflammation: Evidence for Pain Relief")
    assert golden.entries["dashes2010"].fields["title"] == "Low-Dose Naltrexone—Hope or Hype?"
    assert golden.entries["dashes2010"].fields["pages"] == "1–10"  # -- is an en dash
    assert golden.entries["dashes2010"].csl["page"] == "1-10"  # pages use a hyphen
    assert golden.entries["accents2008"].authors[2:] == ("Lars Åberg", "Ib Østergaard")
    assert golden.entries["phd2018thesis"].container == "Université de Montréal"


def test_tilde_is_a_no_break_space_in_text_and_a_space_in_names(golden) -> None:
    tilde = golden.entries["tilde2011"]
    assert tilde.fields["title"] == "Heat Therapy for Menstrual Pain: 3\u00a0Trials Reviewed"
    assert tilde.csl["author"][0] == {"family": "Young", "given": "D. E."}


def test_protected_caps_keep_their_case(golden: Bibliography) -> None:
    reference = golden.entries["protected2014caps"]
    assert reference.fields["title"] == "MRI Findings and TENS Response in Parkinson’s Disease"
    # English titles become sentence case in CSL-JSON, as pandoc does; braces protect.
    assert reference.csl["title"] == (
        'MRI findings and TENS response in <span class="nocase">Parkinson’s</span> disease')


def test_sentence_case_like_pandoc() -> None:
    reference = parse_ok(r"""@article{x, journal = {J}, year = 2020,
      title = {{B}-Cell Lymphoma in the {USA}: {iPhone} Use of {T}he Elderly}}""").entries["x"]
    assert reference.csl["title"] == (
        'B-cell lymphoma in the USA: <span class="nocase">iPhone</span> use of The elderly')
    assert reference.csl["title-short"] == "B-cell lymphoma in the USA"


def test_urls_and_dois_are_verbatim() -> None:
    reference = parse_ok(r"""@online{x, title = {T},
      url = {https://example.org/a_b%20c~d}, doi = {https://doi.org/10.1/A_b~c}}""").entries["x"]
    assert reference.url == "https://example.org/a_b%20c~d"
    assert reference.doi == "10.1/A_b~c"  # bare, without the resolver prefix
    assert reference.csl["DOI"] == "10.1/A_b~c"


def test_escaped_braces_are_literal() -> None:
    reference = parse_ok(r"@misc{x, title = {Set \{a, b\} and {Kept}}}").entries["x"]
    assert reference.fields["title"] == "Set {a, b} and Kept"


def test_string_macros_and_concatenation() -> None:
    reference = parse_ok(r"""@string{jpr = "Journal of Pain Research"}
@article{x, title = {T}, journal = jpr # { Supplement}, year = 2020, month = mar}""").entries["x"]
    assert reference.container == "Journal of Pain Research Supplement"
    assert reference.csl["issued"] == {"date-parts": [[2020, 3]]}


# --- names -------------------------------------------------------------------------


def test_von_particles(golden: Bibliography) -> None:
    assert golden.entries["vonbergen2016"].csl["author"] == [
        {"family": "Bergen", "given": "Ludwig", "dropping-particle": "von"},
        {"family": "Berg", "given": "Anna", "dropping-particle": "van der"},
        {"family": "Cruz", "given": "Pedro", "dropping-particle": "de la"},
    ]
    assert golden.entries["vonbergen2016"].authors[0] == "Ludwig von Bergen"


def test_first_von_last_order() -> None:
    reference = parse_ok(r"""@article{x, title = {T}, author =
      {Jean de La Fontaine and Drummond de Andrade, Carlos and Smith, J.G.}}""").entries["x"]
    assert reference.csl["author"] == [
        {"family": "La Fontaine", "given": "Jean", "dropping-particle": "de"},
        {"family": "Drummond de Andrade", "given": "Carlos"},
        {"family": "Smith", "given": "J. G."},
    ]


def test_junior_suffix(golden: Bibliography) -> None:
    assert golden.entries["king2015jr"].csl["author"] == [
        {"family": "King", "given": "Martin L.", "suffix": "Jr."},
        {"family": "Walker", "given": "Thomas", "suffix": "III"},
    ]
    assert golden.entries["king2015jr"].authors == ("Martin L. King Jr.", "Thomas Walker III")


def test_corporate_authors(golden: Bibliography) -> None:
    assert golden.entries["who2020guidelines"].csl["author"] == [
        {"literal": "World Health Organization"}]
    nice = golden.entries["nice2021report"]
    assert nice.authors == ("National Institute for Health and Care Excellence",)


def test_and_others() -> None:
    reference = parse_ok("@article{x, title={T}, author={Smith, John and others}}").entries["x"]
    assert reference.csl["author"] == [{"family": "Smith", "given": "John"},
                                       {"literal": "others"}]


# --- CSL-JSON: the same as pandoc's, except where we mean to differ ---------------------

# Deliberate differences from `pandoc -f biblatex -t csljson` (2.17):
# - the internal `note` is never in CSL-JSON;
# - @misc is CSL "document" (pandoc writes an invalid empty type);
# - {\'\i} is "í" (pandoc: dotless i + combining accent);
# - protected words keep <span class="nocase"> (pandoc's writer drops the markup).
DIFFERENCES = {
    "painconnect2022misc": {"type": "document"},
    "dataset2021": {"type": "document"},
    "muller2019schmerz": {"author": [{"family": "Müller", "given": "Jörg"},
                                     {"family": "Lefèvre", "given": "Renée"},
                                     {"family": "Gómez", "given": "María"}]},
}


def without_nocase(value):
    if isinstance(value, str):
        return re.sub(r'<span class="nocase">(.*?)</span>', r"\1", value)
    if isinstance(value, list):
        return [without_nocase(item) for item in value]
    if isinstance(value, dict):
        return {key: without_nocase(item) for key, item in value.items()}
    return value


def pandoc_csl() -> dict[str, dict]:
    items = json.loads((GOLDEN / "expected-csl.json").read_text(encoding="utf-8"))
    return {item["id"]: item for item in items}


@pytest.mark.parametrize("key", sorted(pandoc_csl()))
def test_csl_json_matches_pandoc(golden: Bibliography, key: str) -> None:
    expected = dict(pandoc_csl()[key])
    expected.pop("note", None)
    expected.update(DIFFERENCES.get(key, {}))
    assert without_nocase(dict(golden.entries[key].csl)) == expected


def test_note_stays_internal(golden: Bibliography) -> None:
    reference = golden.entries["smith2021exercise"]
    assert reference.fields["note"] == "Verified against PubMed record on 2024-01-10 by JS."
    assert "note" not in reference.csl
    assert all("note" not in entry.csl for entry in golden.entries.values())


def test_summary_fields(golden: Bibliography) -> None:
    smith = golden.entries["smith2021exercise"]
    assert (smith.key, smith.entry_type, smith.line) == ("smith2021exercise", "article", 5)
    assert smith.authors == ("Jane A. Smith", "Robert Jones", "Anita Patel")
    assert smith.title == "Exercise Therapy for Chronic Low Back Pain: A Randomized Trial"
    assert (smith.container, smith.year, smith.doi, smith.pmid) == (
        "Journal of Pain Research", "2021", "10.9999/jpr.2021.0112", "30000001")
    assert smith.csl["id"] == "smith2021exercise"
    webpage = golden.entries["nhs2023webpage"]
    assert (webpage.url, webpage.csl["accessed"]) == (
        "https://example.org/conditions/back-pain/", {"date-parts": [[2024, 3, 15]]})


def test_entry_types(golden: Bibliography) -> None:
    types = {key: entry.csl["type"] for key, entry in golden.entries.items()}
    assert types["chapter2017"] == "chapter"
    assert types["conference2019"] == "paper-conference"
    assert types["nice2021report"] == types["cdc2022report"] == "report"
    assert types["phd2018thesis"] == types["msc2020thesis"] == "thesis"
    assert types["nhs2023webpage"] == "webpage"
    assert types["newspaper2022"] == "article-newspaper"
    assert golden.entries["msc2020thesis"].csl["genre"] == "Master’s thesis"


# --- diagnostics ----------------------------------------------------------------------

BAD_BIB = """\
% test
@article{dup,
  title = {First},
  year = 2020
}

@article{dup,
  title = {Second}
}

@article{broken,
  title = {Unclosed brace,
  year = {2020}
}

@book{ok1,
  title = {Fine},
  journal = undefinedmacro
}

@article{,
  title = {No key}
}

@book{dupfield, title={A}, title={B}}
@article{badmonth, title={T}, year={2020}, month={March}}
"""


def test_diagnostics_point_at_the_entry_line() -> None:
    bibliography, messages = parse(BAD_BIB)
    assert messages == [
        "references.bib:7: error: duplicate BibTeX key 'dup' (first defined on line 2)",
        "references.bib:11: error: BibTeX syntax error in the entry starting here: "
        "Unexpected block start: '@book'. Was still looking for field-value closing "
        "',' or '}' (parsing stopped on line 16)",
        "references.bib:16: error: entry 'ok1': journal uses undefined @string "
        "'undefinedmacro'",
        "references.bib:21: error: @article entry has no key",
        "references.bib:25: error: entry 'dupfield' sets title more than once",
        "references.bib:26: warning: entry 'badmonth': month 'March' is not jan…dec "
        "or 1–12; ignored",
    ]
    # the first definition wins; entries after a broken one are still read
    assert bibliography.entries["dup"].title == "First"
    assert sorted(bibliography.entries) == ["badmonth", "dup", "dupfield", "ok1"]


def test_syntax_error_at_end_of_file() -> None:
    _, messages = parse("@article{a, title = {T}}\n\n@article{b,\n  title = {never closed\n")
    assert messages == ["references.bib:3: error: BibTeX syntax error in the entry "
                        "starting here: Unexpectedly reached end of file."]


def test_unknown_entry_type_is_a_warning() -> None:
    bibliography, messages = parse("@artcle{x, title = {T}}")
    assert messages == ["references.bib:1: warning: unknown BibTeX entry type '@artcle' "
                        "in 'x' (formatted as @misc)"]
    assert bibliography.entries["x"].csl["type"] == "document"


def test_library_logging_is_silenced(caplog, capsys) -> None:
    with caplog.at_level(logging.DEBUG):
        parse(BAD_BIB)
    assert [r for r in caplog.records if r.name.startswith(("bibtexparser", "pylatexenc"))] == []
    assert capsys.readouterr().err == ""


@pytest.mark.parametrize("text", [
    "@", "@article", "@article{", "@article{x", "@article{x,", "@article{x, title",
    "@article{x, title = ", "@article{x, title = {", "@article{x, title = \"a}",
    "}}}{{{", "@string{", "@preamble{\"\\x\"}", "@article{x, author = {,,, and , and}}",
    "@article{x, title = {\\}}", "@article{x, title = {$unclosed math}}",
    "@article{x, title = {\\undefinedmacro{X} \\\\ \\c}}", "@article{x, year = {-}}",
    "@article{x, date = {2020/}, urldate = {x}}", "@article{x, title = {\ue010\ue000}}",
    "\x00\xff@article{x,}",
])
def test_bad_input_never_raises(text: str) -> None:
    bibliography, _ = parse(text)
    for reference in bibliography.entries.values():
        assert "\ue000" not in json.dumps(reference.csl, ensure_ascii=False)


# --- missing_fields -------------------------------------------------------------------


def test_missing_fields() -> None:
    entries = parse_ok(r"""
@article{a, title = {T}}
@article{b, author = {A, B}, title = {T}, journaltitle = {J}, date = {2020}}
@book{c, editor = {E, F}, title = {T}, publisher = {P}, year = 2020}
@book{d, title = {T}}
@online{e, author = {{NHS}}, title = {T}, url = {https://example.org}, year = 2024}
@phdthesis{f, author = {A, B}, title = {T}, institution = {U}, year = 2020}
@misc{g, title = {T}}
""").entries
    assert missing_fields(entries["a"]) == ("author", "journal", "year")
    assert missing_fields(entries["b"]) == ()
    assert missing_fields(entries["c"]) == ()
    assert missing_fields(entries["d"]) == ("author/editor", "publisher", "year")
    assert missing_fields(entries["e"]) == ()
    assert missing_fields(entries["f"]) == ()
    assert missing_fields(entries["g"]) == ()


def test_golden_entries_without_authors_are_flagged(golden: Bibliography) -> None:
    incomplete = {key: missing_fields(entry) for key, entry in golden.entries.items()
                  if missing_fields(entry)}
    assert incomplete == {"noauthor2012": ("author",),
                          "noauthorbook2016": ("author/editor",)}
