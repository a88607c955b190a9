"""schema.org JSON-LD: built from the content model, valid against the vocabulary, safe in <script>."""

from __future__ import annotations

import datetime as dt
import json
import sys
from dataclasses import replace
from pathlib import Path

import pytest

# tests/schemaorg.py is a helper module next to this folder.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from schemaorg import graph_nodes, nodes_by_id, required_problems, validate_jsonld, walk_nodes  # noqa: E402

from painconnect_site.core.model import (  # noqa: E402
    Deferred,
    DocumentMeta,
    FaqItem,
    NumberedReference,
    Organization,
    ParsedDocument,
    Person,
    Reference,
    RenderedDocument,
    RenderedMarkdown,
    ResolvedDocument,
    ResolvedFaq,
    SiteConfig,
    SourceFile,
)
from painconnect_site.jsonld.graphs import (  # noqa: E402
    article_graph,
    collection_graph,
    page_graph,
    prune,
    script_json,
    structured_data_problems,
)

BASE = "https://painconnect.example/"
HOSTILE = "</script><script>alert(1)</script> \"quoted\" 'single' & {{ 7*7 }} \u2028line\u2029 \u202eevil\u200f 🙂"

# --- factory ---------------------------------------------------------------------------

JANE = Person(id="jane", name="Jane Doe", credentials="PhD", role="Pain researcher", url="https://jane.example/")
REVIEWER = Person(id="omar", name="Omar Reyes", credentials="MD", role="Physician")
SITE_ORG_PERSON = Person(id="painconnect", name="PainConnect", kind="organization", url=BASE)
TEAM = Person(
    id="editorial-team",
    name="PainConnect Editorial Team",
    kind="organization",
    role="Editorial team",
    url=BASE + "about/",
)


def make_config(base_url: str = BASE, *, logo: str | None = "images/logo.png") -> SiteConfig:
    return SiteConfig(
        root=Path("/nonexistent"),
        title="PainConnect",
        base_url=base_url,
        language="en",
        description="Evidence-based guidance for people living with chronic pain.",
        organization=Organization(name="PainConnect", url=base_url, logo=logo),
        citation_style="american-medical-association",
        people={person.id: person for person in (JANE, REVIEWER, TEAM)},
        default_author="editorial-team",
    )


def make_reference(
    key: str = "smith2020",
    *,
    entry_type: str = "article",
    title: str = "Exercise therapy for chronic low back pain",
    authors: tuple[str, ...] = ("Ann Smith", "Bo Lee"),
    csl_authors: list[dict[str, str]] | None = None,
    container: str | None = "Cochrane Database of Systematic Reviews",
    year: str | None = "2020",
    doi: str | None = "10.1002/14651858.CD009790.pub2",
    url: str | None = None,
    pmid: str | None = None,
) -> Reference:
    if csl_authors is None:
        csl_authors = [{"given": name.split()[0], "family": name.split()[-1]} for name in authors]
    return Reference(
        key=key,
        entry_type=entry_type,
        line=1,
        fields={"title": title},
        csl={"id": key, "author": csl_authors},
        authors=authors,
        title=title,
        container=container,
        year=year,
        doi=doi,
        url=url,
        pmid=pmid,
    )


def make_faq(question: str = "Is exercise safe?", answer: str = "Yes, for most people [1].") -> ResolvedFaq:
    return ResolvedFaq(question=question, answer_html=f"<p>{answer}</p>", answer_text=answer, line=12)


META_LINES = {"title": 2, "description": 3, "date": 4, "author": 5, "reviewer": 6, "about": 7, "image": 8, "faq": 10}


def make_doc(
    *,
    kind: str = "article",
    url: str | None = None,
    author: Person = JANE,
    reviewer: Person | None = REVIEWER,
    faq: tuple[ResolvedFaq, ...] = (make_faq(),),
    references: tuple[Reference, ...] = (make_reference(),),
    **meta_fields: object,
) -> ResolvedDocument:
    fields: dict[str, object] = {
        "title": "Back pain and intimacy",
        "description": "How to stay close when your back hurts.",
        "date": dt.date(2024, 3, 1),
        "author": author.id,
        "slug": "back-pain-intimacy",
        "reviewed": dt.date(2024, 4, 2),
        "updated": dt.date(2024, 5, 3),
        "reviewer": reviewer.id if reviewer else None,
        "tags": ("back pain", "intimacy"),
        "about": ("Low back pain",),
        "image": "images/back.jpg",
        "image_alt": "Two people resting on a sofa",
        "faq": tuple(FaqItem(item.question, item.answer_text, item.line) for item in faq),
        "lines": META_LINES,
    }
    fields.update(meta_fields)
    meta = DocumentMeta(**fields)  # type: ignore[arg-type]
    if url is None:
        url = f"articles/{meta.slug}/" if kind == "article" else f"{meta.slug}/"
    source = SourceFile(path=Path(f"/nonexistent/{meta.slug}.md"), rel=f"{kind}s/{meta.slug}.md", text="Body.", kind=kind)
    return ResolvedDocument(
        parsed=ParsedDocument(source=source, kind=kind, meta=meta, body_offset=0, body_start_line=20),
        url=url,
        rendering=Deferred.of(RenderedDocument(
            body=RenderedMarkdown(html="<p>Body.</p>", text="Body."),
            summary=(),
            answers=tuple(RenderedMarkdown(html=item.answer_html, text=item.answer_text) for item in faq),
            numbers=(),
            backlinks=(),
        )),
        references=tuple(
            NumberedReference(number=number, reference=reference, html=reference.title, backlinks=(f"cite-{number}",))
            for number, reference in enumerate(references, start=1)
        ),
        author=author,
        reviewer=reviewer,
    )


def node_of_type(data: dict, type_name: str) -> dict:
    matches = [node for node in data["@graph"] if node["@type"] == type_name]
    assert len(matches) == 1, f"expected one {type_name}, found {len(matches)}"
    return matches[0]


def types_in(data: dict) -> list[str]:
    return [node["@type"] for node in data["@graph"]]


def resolved(data: dict, value: dict) -> dict:
    """The graph node a {"@id": ...} reference names (people are nodes of their own, referred to by @id)."""
    return nodes_by_id(data)[value["@id"]]


def assert_valid(data: dict) -> None:
    assert validate_jsonld(data) == []
    assert required_problems(data) == []
    assert json.loads(script_json(data)) == data


# --- article graph -------------------------------------------------------------------------


def test_article_graph_is_valid_complete_schema_org():
    data = article_graph(make_config(), make_doc())
    assert data["@context"] == "https://schema.org"
    assert types_in(data) == ["WebSite", "Organization", "MedicalWebPage", "Article", "FAQPage", "BreadcrumbList",
                              "Person", "Person"]  # the author's and the reviewer's nodes
    assert_valid(data)


def test_article_nodes_are_linked_by_id():
    data = article_graph(make_config(), make_doc())
    page = BASE + "articles/back-pain-intimacy/"
    assert [node["@id"] for node in data["@graph"]] == [
        BASE + "#website",
        BASE + "#organization",
        page + "#webpage",
        page + "#article",
        page + "#faq",
        page + "#breadcrumb",
        BASE + "people/jane/#person",
        BASE + "people/omar/#person",
    ]
    article = node_of_type(data, "Article")
    assert article["mainEntityOfPage"] == {"@id": page + "#webpage"}
    assert article["publisher"] == {"@id": BASE + "#organization"}
    assert node_of_type(data, "MedicalWebPage")["breadcrumb"] == {"@id": page + "#breadcrumb"}
    by_id = nodes_by_id(data)
    references = [value for node in data["@graph"] for value in walk_nodes(node) if set(value) == {"@id"}]
    assert references and all(reference["@id"] in by_id for reference in references)



def test_article_properties_come_from_the_document():
    data = article_graph(make_config(), make_doc())
    article = node_of_type(data, "Article")
    assert article["headline"] == "Back pain and intimacy"
    assert article["description"] == "How to stay close when your back hurts."
    assert article["datePublished"] == "2024-03-01"
    assert article["dateModified"] == "2024-05-03"
    assert article["inLanguage"] == "en"
    assert article["keywords"] == ["back pain", "intimacy"]
    assert article["image"] == {
        "@type": "ImageObject",
        "url": BASE + "static/images/back.jpg",
        "contentUrl": BASE + "static/images/back.jpg",
        "caption": "Two people resting on a sofa",
    }
    assert article["author"] == [{"@id": BASE + "people/jane/#person"}]
    assert resolved(data, article["author"][0]) == {
        "@type": "Person",
        "@id": BASE + "people/jane/#person",
        "name": "Jane Doe",
        "honorificSuffix": "PhD",
        "jobTitle": "Pain researcher",
        "url": BASE + "people/jane/",  # their page on the site
        "sameAs": "https://jane.example/",  # their own address
    }


def test_date_modified_falls_back_to_date_published():
    article = node_of_type(article_graph(make_config(), make_doc(updated=None)), "Article")
    assert article["dateModified"] == article["datePublished"] == "2024-03-01"


def test_medical_web_page_properties():
    page = node_of_type(article_graph(make_config(), make_doc()), "MedicalWebPage")
    assert page["url"] == BASE + "articles/back-pain-intimacy/"
    assert page["name"] == "Back pain and intimacy"
    assert page["lastReviewed"] == "2024-04-02"  # make_doc names a medical reviewer
    assert page["about"] == [{"@type": "MedicalCondition", "name": "Low back pain"}]
    assert page["isPartOf"] == {"@id": BASE + "#website"}


def test_site_nodes():
    data = article_graph(make_config(), make_doc())
    assert node_of_type(data, "WebSite")["url"] == BASE
    organization = node_of_type(data, "Organization")
    assert organization["name"] == "PainConnect"
    assert organization["logo"]["@type"] == "ImageObject"
    assert organization["logo"]["url"] == BASE + "static/images/logo.png"


def test_organization_without_logo_has_no_logo_property():
    organization = node_of_type(article_graph(make_config(logo=None), make_doc()), "Organization")
    assert "logo" not in organization


def test_breadcrumb_home_articles_title():
    crumbs = node_of_type(article_graph(make_config(), make_doc()), "BreadcrumbList")["itemListElement"]
    assert [(item["position"], item["name"], item["item"]) for item in crumbs] == [
        (1, "Home", BASE),
        (2, "Articles", BASE + "articles/"),
        (3, "Back pain and intimacy", BASE + "articles/back-pain-intimacy/"),
    ]
    assert all(item["@type"] == "ListItem" for item in crumbs)


# --- citations -----------------------------------------------------------------------------


def test_journal_article_citation():
    reference = make_reference(pmid="12345678", url="https://example.org/paper")
    article = node_of_type(article_graph(make_config(), make_doc(references=(reference,))), "Article")
    assert article["citation"] == [
        {
            "@type": "ScholarlyArticle",
            "name": "Exercise therapy for chronic low back pain",
            "author": [{"@type": "Person", "name": "Ann Smith"}, {"@type": "Person", "name": "Bo Lee"}],
            "datePublished": "2020",
            "isPartOf": {"@type": "Periodical", "name": "Cochrane Database of Systematic Reviews"},
            "sameAs": [
                "https://doi.org/10.1002/14651858.CD009790.pub2",
                "https://pubmed.ncbi.nlm.nih.gov/12345678/",
            ],
            "identifier": [
                {"@type": "PropertyValue", "propertyID": "DOI", "value": "10.1002/14651858.CD009790.pub2"},
                {"@type": "PropertyValue", "propertyID": "PMID", "value": "12345678"},
            ],
            "url": "https://example.org/paper",
        }
    ]


def test_other_reference_types_are_creative_works_with_corporate_authors():
    guideline = make_reference(
        "nice2020",
        entry_type="online",
        title="Chronic pain: assessment and management",
        authors=("National Institute for Health and Care Excellence",),
        csl_authors=[{"literal": "National Institute for Health and Care Excellence"}],
        container=None,
        year="n.d.",
        doi="https://doi.org/10.1000/xyz",
        url="https://www.nice.org.uk/guidance/ng193",
    )
    data = article_graph(make_config(), make_doc(references=(guideline,)))
    (citation,) = node_of_type(data, "Article")["citation"]
    assert citation["@type"] == "CreativeWork"
    assert citation["author"] == [
        {"@type": "Organization", "name": "National Institute for Health and Care Excellence"}
    ]
    assert "datePublished" not in citation  # "n.d." is a placeholder, not a date
    assert "isPartOf" not in citation
    assert citation["sameAs"] == ["https://doi.org/10.1000/xyz"]  # prefix not doubled
    assert_valid(data)


def test_article_without_references_faq_tags_or_image_omits_those_properties():
    doc = make_doc(references=(), faq=(), tags=(), image=None, image_alt=None)
    data = article_graph(make_config(), doc)
    article = node_of_type(data, "Article")
    assert not {"citation", "keywords", "image"} & set(article)
    assert "FAQPage" not in types_in(data)
    assert "primaryImageOfPage" not in node_of_type(data, "MedicalWebPage")
    assert_valid(data)


# --- authors and reviewers -------------------------------------------------------------------


def test_site_organization_as_author_is_a_reference_to_the_organization_node():
    data = article_graph(make_config(), make_doc(author=SITE_ORG_PERSON))
    assert node_of_type(data, "Article")["author"] == [{"@id": BASE + "#organization"}]
    assert_valid(data)


def test_organization_kind_author_that_is_not_the_site_organization():
    data = article_graph(make_config(), make_doc(author=TEAM))
    author = node_of_type(data, "Article")["author"]
    assert author == [{"@id": BASE + "people/editorial-team/#organization"}]
    node = resolved(data, author[0])
    assert {key: node[key] for key in ("@type", "name", "url", "sameAs")} == {
        "@type": "Organization", "name": "PainConnect Editorial Team", "url": BASE + "people/editorial-team/",
        "sameAs": BASE + "about/"}
    assert_valid(data)


def test_reviewer_present():
    data = article_graph(make_config(), make_doc())
    page = node_of_type(data, "MedicalWebPage")
    assert page["reviewedBy"] == {"@id": BASE + "people/omar/#person"}
    assert resolved(data, page["reviewedBy"]) == {
        "@type": "Person",
        "@id": BASE + "people/omar/#person",
        "name": "Omar Reyes",
        "url": BASE + "people/omar/",
        "honorificSuffix": "MD",
        "jobTitle": "Physician",
    }


def test_an_author_who_also_reviews_is_one_node():
    data = article_graph(make_config(), make_doc(reviewer=JANE))
    assert types_in(data).count("Person") == 1
    assert node_of_type(data, "MedicalWebPage")["reviewedBy"] == node_of_type(data, "Article")["author"][0]
    assert_valid(data)


def test_reviewer_absent_leaves_review_properties_out():
    data = article_graph(make_config(), make_doc(reviewer=None, reviewed=None))
    page = node_of_type(data, "MedicalWebPage")
    assert "reviewedBy" not in page and "lastReviewed" not in page
    assert validate_jsonld(data) == []
    assert required_problems(data) == []  # the no-reviewer rule reports the missing review, not JSON-LD


def test_an_editorial_check_is_not_exported_as_a_review():
    """Without a reviewer, `reviewed` records our editorial check: lastReviewed would read as a clinical review."""
    page = node_of_type(article_graph(make_config(), make_doc(reviewer=None)), "MedicalWebPage")
    assert "lastReviewed" not in page and "reviewedBy" not in page


def test_base_url_with_a_path():
    base = "https://example.github.io/painconnect/"
    data = article_graph(make_config(base), make_doc())
    page = base + "articles/back-pain-intimacy/"
    assert node_of_type(data, "MedicalWebPage")["url"] == page
    assert node_of_type(data, "Article")["image"]["url"] == base + "static/images/back.jpg"
    assert node_of_type(data, "Organization")["logo"]["url"] == base + "static/images/logo.png"
    crumbs = node_of_type(data, "BreadcrumbList")["itemListElement"]
    assert [item["item"] for item in crumbs] == [base, base + "articles/", page]
    ids = [node["@id"] for node in data["@graph"]]
    assert all(node_id.startswith(base) for node_id in ids)
    assert_valid(data)


# --- FAQ ------------------------------------------------------------------------------------------


def test_faq_answers_are_the_visible_answer_text():
    faq = (
        make_faq("Is exercise safe?", "Yes, for most people [1]."),
        make_faq("How often?", "Two or three times a week [1, 2]."),
    )
    data = article_graph(make_config(), make_doc(faq=faq))
    questions = node_of_type(data, "FAQPage")["mainEntity"]
    assert [(question["name"], question["acceptedAnswer"]["text"]) for question in questions] == [
        (item.question, item.answer_text) for item in faq
    ]
    assert all(question["@type"] == "Question" for question in questions)
    assert all(question["acceptedAnswer"]["@type"] == "Answer" for question in questions)
    assert_valid(data)


# --- static and collection pages --------------------------------------------------------------------


def test_page_graph():
    doc = make_doc(kind="page", slug="about", title="About us", reviewer=None, reviewed=None, faq=(), references=())
    data = page_graph(make_config(), doc)
    assert types_in(data) == ["WebSite", "Organization", "WebPage", "BreadcrumbList"]
    assert node_of_type(data, "WebPage")["url"] == BASE + "about/"
    crumbs = node_of_type(data, "BreadcrumbList")["itemListElement"]
    assert [(item["name"], item["item"]) for item in crumbs] == [("Home", BASE), ("About us", BASE + "about/")]
    assert_valid(data)


@pytest.mark.parametrize(
    ("url", "breadcrumbs"),
    [
        ("", [("Home", "")]),
        ("articles/", [("Home", ""), ("Articles", "articles/")]),
        ("tags/back-pain/", [("Home", ""), ("Articles", "articles/"), ("Back pain", "tags/back-pain/")]),
    ],
)
def test_collection_graph(url: str, breadcrumbs: list[tuple[str, str]]):
    base = "https://example.github.io/painconnect/"
    config = make_config(base)
    data = collection_graph(config, url=url, name="Listing", description="All of it.", breadcrumbs=breadcrumbs)
    assert types_in(data) == ["WebSite", "Organization", "CollectionPage", "BreadcrumbList"]
    page = node_of_type(data, "CollectionPage")
    assert page["url"] == base + url
    assert page["@id"] == base + url + "#webpage"
    items = node_of_type(data, "BreadcrumbList")["itemListElement"]
    assert [item["item"] for item in items] == [base + crumb_url for _, crumb_url in breadcrumbs]
    assert_valid(data)


def test_collection_graph_without_breadcrumbs_has_no_dangling_reference():
    data = collection_graph(make_config(), url="", name="PainConnect", description="Home.", breadcrumbs=())
    assert types_in(data) == ["WebSite", "Organization", "CollectionPage"]
    assert "breadcrumb" not in node_of_type(data, "CollectionPage")
    assert_valid(data)


# --- pruning -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, None),
        ("", None),
        ("  \n", None),
        ([], None),
        ({}, None),
        ([None, "", []], None),
        ({"@type": "Person", "name": ""}, None),  # a node saying nothing
        ({"@id": "https://x.example/#a"}, {"@id": "https://x.example/#a"}),
        ({"a": None, "b": "", "c": [], "d": {}, "e": "kept"}, {"e": "kept"}),
        ({"a": ("x", None)}, {"a": ["x"]}),
        ({"n": 0, "f": False}, {"n": 0, "f": False}),
        (" spaced ", " spaced "),
        ({"outer": {"inner": [{"@type": "Thing", "name": None}]}}, None),
    ],
)
def test_prune(value: object, expected: object):
    assert prune(value) == expected


def test_graphs_never_carry_empty_values():
    person = Person(id="x", name="Ann Example", credentials="", role=None, url="")
    doc = make_doc(author=person, reviewer=None, reviewed=None, tags=("",), image=None, image_alt="")
    data = article_graph(make_config(), doc)
    author = node_of_type(data, "Article")["author"]
    assert resolved(data, author[0]) == {"@type": "Person", "@id": BASE + "people/x/#person", "name": "Ann Example",
                                          "url": BASE + "people/x/"}
    assert "keywords" not in node_of_type(data, "Article")
    assert validate_jsonld(data) == []


# --- serialization --------------------------------------------------------------------------------------


def test_script_json_escapes_what_could_close_the_script_element():
    text = script_json({"a": "<>&'\u2028\u2029\"", "é": "🙂"})
    assert text == '{"a":"\\u003c\\u003e\\u0026\\u0027\\u2028\\u2029\\"","é":"🙂"}'


def test_script_json_is_deterministic_with_sorted_keys():
    first = script_json({"b": 1, "a": {"d": 2, "c": 3}})
    assert first == script_json({"a": {"c": 3, "d": 2}, "b": 1}) == '{"a":{"c":3,"d":2},"b":1}'


def test_script_json_rejects_what_json_cannot_represent():
    with pytest.raises(TypeError):
        script_json({"date": dt.date(2024, 1, 1)})  # a date that slipped through unconverted
    with pytest.raises(ValueError):
        script_json({"x": float("nan")})


def hostile_doc() -> ResolvedDocument:
    author = Person(id="evil", name=HOSTILE, credentials=HOSTILE, role=HOSTILE)
    reference = make_reference(title=HOSTILE, authors=(HOSTILE,), container=HOSTILE)
    return make_doc(
        title=HOSTILE,
        description=HOSTILE,
        about=(HOSTILE,),
        tags=(HOSTILE,),
        image_alt=HOSTILE,
        author=author,
        reviewer=Person(id="r", name=HOSTILE),
        faq=(make_faq(HOSTILE, HOSTILE),),
        references=(reference,),
    )


def test_hostile_strings_round_trip_and_cannot_escape_the_script_element():
    data = article_graph(make_config(), hostile_doc())
    text = script_json(data)
    assert json.loads(text) == data
    assert not {"<", ">", "&", "'", "\u2028", "\u2029"} & set(text)
    assert "\u202e" in text and "\u200f" in text and "🙂" in text  # kept as-is, not \u-escaped
    article = node_of_type(json.loads(text), "Article")
    assert article["headline"] == HOSTILE
    assert resolved(data, article["author"][0])["name"] == HOSTILE
    assert article["citation"][0]["name"] == HOSTILE
    assert node_of_type(data, "FAQPage")["mainEntity"][0]["acceptedAnswer"]["text"] == HOSTILE
    assert validate_jsonld(data) == []


def test_hostile_strings_survive_an_html_parser():
    bs4 = pytest.importorskip("bs4")
    data = article_graph(make_config(), hostile_doc())
    html = f'<html><head><script type="application/ld+json">{script_json(data)}</script></head><body></body></html>'
    scripts = bs4.BeautifulSoup(html, "html.parser").find_all("script")
    assert len(scripts) == 1
    assert json.loads(scripts[0].string) == data


# --- the validator itself ------------------------------------------------------------------------------------


def minimal_graph(**article_overrides: object) -> dict:
    article = {
        "@type": "Article",
        "@id": BASE + "#article",
        "headline": "Headline",
        "datePublished": "2024-01-01",
        "dateModified": "2024-01-02",
        "author": {"@type": "Person", "name": "Ann"},
        "publisher": {"@id": BASE + "#organization"},
    }
    article.update(article_overrides)
    organization = {"@type": "Organization", "@id": BASE + "#organization", "name": "Org", "url": BASE}
    return {"@context": "https://schema.org", "@graph": [organization, article]}


def test_validator_accepts_a_minimal_graph():
    assert validate_jsonld(minimal_graph()) == []
    assert required_problems(minimal_graph()) == []


def test_validator_catches_a_misspelled_property():
    problems = validate_jsonld(minimal_graph(datePublised="2024-01-01"))
    assert problems == [
        "@graph[1].datePublised: 'datePublised' is not a schema.org property (did you mean 'datePublished'?)"
    ]


def test_validator_catches_an_unknown_type():
    problems = validate_jsonld(minimal_graph(author={"@type": "Persn", "name": "Ann"}))
    assert any("'Persn' is not a schema.org type" in problem for problem in problems)


def test_validator_catches_a_property_on_the_wrong_type():
    problems = validate_jsonld(minimal_graph(lastReviewed="2024-01-01"))
    assert problems == ["@graph[1].lastReviewed: 'lastReviewed' is not a property of Article"]


def test_validator_catches_a_value_outside_the_range():
    problems = validate_jsonld(minimal_graph(author={"@type": "ImageObject", "url": BASE}))
    assert any("a ImageObject is not a valid 'author'" in problem for problem in problems)


def test_validator_catches_a_dangling_reference():
    problems = validate_jsonld(minimal_graph(publisher={"@id": BASE + "#nobody"}))
    assert problems == [f"@graph[1].publisher: @id reference '{BASE}#nobody' does not resolve to a node of the graph"]


@pytest.mark.parametrize("empty", ["", "  ", None, []])
def test_validator_catches_empty_values(empty: object):
    assert validate_jsonld(minimal_graph(description=empty)) != []


def test_validator_catches_relative_urls_and_bad_dates():
    problems = validate_jsonld(minimal_graph(url="articles/x/", dateModified="1 May 2024"))
    assert len(problems) == 2
    assert any("not an absolute URL" in problem for problem in problems)
    assert any("not an ISO 8601 date" in problem for problem in problems)


def test_validator_catches_a_wrong_context():
    graph = minimal_graph()
    graph["@context"] = "https://example.org"
    assert validate_jsonld(graph) == ["@context is 'https://example.org', not https://schema.org"]


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({"headline": None}, "missing headline"),
        ({"headline": "x" * 111}, "headline longer than 110"),
        ({"datePublished": None}, "missing datePublished"),
        ({"dateModified": None}, "missing dateModified"),
        ({"author": {"@type": "Person"}}, "author: missing name"),
        ({"author": None}, "missing author"),
    ],
)
def test_required_problems_for_articles(overrides: dict, expected: str):
    graph = minimal_graph(**overrides)
    graph["@graph"][1] = {key: value for key, value in graph["@graph"][1].items() if value is not None}
    problems = required_problems(graph)
    assert len(problems) == 1 and expected in problems[0]


def test_required_problems_for_faq_pages():
    faq = {
        "@type": "FAQPage",
        "@id": BASE + "#faq",
        "mainEntity": [
            {"@type": "Question", "name": "Q?", "acceptedAnswer": {"@type": "Answer"}},
            {"@type": "Question", "acceptedAnswer": {"@type": "Answer", "text": "A."}},
        ],
    }
    problems = required_problems([faq])
    assert problems == [
        f"FAQPage {BASE}#faq: mainEntity[0].acceptedAnswer: missing text",
        f"FAQPage {BASE}#faq: mainEntity[1]: missing name",
    ]


def test_every_graph_node_is_found():
    assert [node["@type"] for node in graph_nodes(minimal_graph())] == ["Organization", "Article"]


# --- structured_data_problems ------------------------------------------------------------------------------------


def test_no_problems_for_a_complete_article():
    assert structured_data_problems(make_config(), make_doc()) == []


def test_no_reviewer_is_not_a_structured_data_problem():
    assert structured_data_problems(make_config(), make_doc(reviewer=None, reviewed=None)) == []


@pytest.mark.parametrize(
    ("doc", "line", "fragment"),
    [
        (make_doc(description=" "), 3, "description is empty"),
        (make_doc(title="x" * 111), 2, "at most 110"),
        (make_doc(image_alt=None), 8, "no `image_alt`"),
        (make_doc(about=()), 7, "`about` is empty"),
        (make_doc(author=Person(id="ghost", name="")), 5, "author 'ghost' has no name"),
        (make_doc(author=Person(id="jd", name="Jane Doe, PhD")), 5, "more than a name"),
        (make_doc(reviewer=Person(id="ghost", name=" ")), 6, "reviewer 'ghost' has no name"),
        (make_doc(faq=(make_faq("Q?", ""),)), 12, "FAQ answer has no text"),
    ],
)
def test_structured_data_problems(doc: ResolvedDocument, line: int, fragment: str):
    problems = structured_data_problems(make_config(), doc)
    assert len(problems) == 1
    assert problems[0][0] == line
    assert fragment in problems[0][1]


def test_problem_lines_default_to_1():
    doc = make_doc(about=(), lines={})
    assert structured_data_problems(make_config(), doc) == [
        (1, "structured data: `about` is empty; a medical page names the conditions it covers")
    ]


def test_pages_need_no_about_and_have_no_headline_limit():
    doc = make_doc(kind="page", slug="about", title="x" * 120, about=(), faq=(), references=())
    assert structured_data_problems(make_config(), doc) == []


def test_organization_names_may_contain_commas():
    team = replace(TEAM, name="Department of Pain, Example University")
    assert structured_data_problems(make_config(), make_doc(author=team)) == []
