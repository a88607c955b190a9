"""One document's contribution to the search index (search/index.py `document_terms`)."""

from __future__ import annotations

from painconnect_site.search.index import TITLE_FLAG, IndexedDocument, document_terms, quantize


def terms_of(**fields):
    doc = IndexedDocument(**{"url": "articles/a/", "title": "", "tags": (), "headings": (), "description": "",
                             "texts": (), **fields})
    terms = document_terms(doc)
    return dict(terms.stem_weights()), dict(terms.word_stems()), terms


def test_counts_are_per_stem_quantized_and_title_stems_flagged():
    weights, words, terms = terms_of(title="Walking", headings=("Pacing",), tags=("back-pain",),
                                     texts=("walk walks walked " * 100 + "pacing rest",))
    # Three words share the stem "walk": 300 uses, past the 255 a byte table covers.
    assert words["walks"] == words["walked"] == words["walking"] == "walk"
    assert weights["walk"] == TITLE_FLAG | quantize(300) and quantize(300) < TITLE_FLAG
    assert weights["pace"] == 2  # once in the text, once more as a heading
    assert weights["rest"] == 1 and weights["back"] == weights["pain"] == 1  # a topic's words count as text
    assert not any(weight & TITLE_FLAG for stem, weight in weights.items() if stem != "walk")
    assert terms.stems.split("\n") == sorted(weights) and terms.tags == ("back-pain",)


def test_a_word_only_in_the_title_is_indexed_with_no_count():
    weights, words, _ = terms_of(title="Sleep", texts=("rest and rest",))
    assert weights == {"sleep": TITLE_FLAG, "rest": 2}
    assert words == {"sleep": "sleep", "rest": "rest"}
