"""schema.org JSON-LD for every page, built from the content model: the public API.

Each page carries one ``<script type="application/ld+json">`` whose payload is a
single ``@graph`` of linked nodes. Nodes refer to each other by ``@id``:

* ``<base_url>#website`` (``<base_url>es/#website`` on the pages of another language) and
  ``<base_url>#organization`` on every page;
* ``<page url>#webpage`` (``MedicalWebPage``, ``WebPage`` or ``CollectionPage``),
  ``#article``, ``#faq`` and ``#breadcrumb`` for the page's own nodes.

This module owns the page graphs (:func:`article_graph`, :func:`page_graph`,
:func:`collection_graph`), the article-only nodes (MedicalWebPage, Article,
FAQPage) and :func:`structured_data_problems` for the editorial check. Shared
node builders (site-wide nodes, people, citations, breadcrumbs, URLs and ids)
live in :mod:`.nodes`; pruning and :func:`script_json` in
:mod:`.serialize`, re-exported here.

FAQ answers use :attr:`ResolvedFaq.answer_text`: the plain text of the answer as
the reader sees it, without the citation superscripts ("… helps."). Google
requires the FAQPage answer to match the visible answer; plain text is used
rather than the answer HTML because the HTML carries citation links and ids
that mean nothing outside the page.

Pure functions: no I/O, stdlib and the model only.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from ..core.model import Language, Person, ResolvedDocument, ResolvedFaq, SiteConfig
from ..core.urls import ARTICLES_URL
from .nodes import (
    absolute_url,
    agent,
    people_nodes,
    person_id,
    breadcrumb_node,
    citation,
    image_node,
    iso_date,
    node_ref,
    organization_id,
    page_ids,
    review_properties,
    site_nodes,
    website_id,
)
from .serialize import JsonDict, graph, prune, script_json

__all__ = [
    "article_graph",
    "collection_graph",
    "page_graph",
    "profile_graph",
    "prune",
    "script_json",
    "structured_data_problems",
]

HEADLINE_MAX = 110  # Google: Article headline longer than 110 characters is truncated or rejected
HOME_NAME = "Home"
ARTICLES_NAME = "Articles"


# --- article page nodes ------------------------------------------------------------


def _medical_webpage_node(config: SiteConfig, doc: ResolvedDocument, ids: Mapping[str, str]) -> JsonDict:
    meta, language = doc.meta, config.language_of(doc.lang)
    return {
        "@type": "MedicalWebPage",
        "@id": ids["webpage"],
        "url": absolute_url(config, doc.url),
        "name": meta.title,
        "description": meta.description,
        "inLanguage": language.code,
        "isPartOf": node_ref(website_id(config, language)),
        "about": [{"@type": "MedicalCondition", "name": subject} for subject in meta.about],
        "primaryImageOfPage": image_node(config, doc),
        "breadcrumb": node_ref(ids["breadcrumb"]),
        **review_properties(config, doc),
    }


def _article_node(config: SiteConfig, doc: ResolvedDocument, ids: Mapping[str, str]) -> JsonDict:
    meta = doc.meta
    return {
        "@type": "Article",
        "@id": ids["article"],
        "headline": meta.title,
        "description": meta.description,
        "image": image_node(config, doc),
        "datePublished": iso_date(meta.date),
        "dateModified": iso_date(meta.updated or meta.date),
        "author": [agent(config, doc.author)],
        "publisher": node_ref(organization_id(config)),
        "mainEntityOfPage": node_ref(ids["webpage"]),
        "inLanguage": config.language_of(doc.lang).code,
        "keywords": list(meta.tags),
        "citation": [citation(config, numbered) for numbered in doc.references],
    }


def _faq_node(config: SiteConfig, doc: ResolvedDocument, ids: Mapping[str, str]) -> JsonDict:
    language = config.language_of(doc.lang)
    return {
        "@type": "FAQPage",
        "@id": ids["faq"],
        "url": absolute_url(config, doc.url),
        "inLanguage": language.code,
        "isPartOf": node_ref(website_id(config, language)),
        "mainEntity": [_question(item) for item in doc.faq],
    }


def _question(item: ResolvedFaq) -> JsonDict:
    return {
        "@type": "Question",
        "name": item.question,
        "acceptedAnswer": {"@type": "Answer", "text": item.answer_text},
    }


# --- public graphs -----------------------------------------------------------------


def article_graph(config: SiteConfig, doc: ResolvedDocument,
                  crumbs: Sequence[tuple[str, str]] | None = None) -> JsonDict:
    """WebSite, Organization, MedicalWebPage, Article, FAQPage (if any) and BreadcrumbList.

    ``crumbs``: the trail as the page shows it, in its language (default: Home › Articles › title)."""
    ids = page_ids(absolute_url(config, doc.url))
    crumbs = crumbs or [(HOME_NAME, ""), (ARTICLES_NAME, ARTICLES_URL), (doc.meta.title, doc.url)]
    nodes = [
        *site_nodes(config, config.language_of(doc.lang)),
        _medical_webpage_node(config, doc, ids),
        _article_node(config, doc, ids),
    ]
    if doc.faq:
        nodes.append(_faq_node(config, doc, ids))
    nodes.append(breadcrumb_node(config, ids["breadcrumb"], crumbs))
    nodes.extend(people_nodes(config, [doc.author, doc.reviewer]))
    return graph(nodes)


def page_graph(config: SiteConfig, doc: ResolvedDocument, crumbs: Sequence[tuple[str, str]] | None = None) -> JsonDict:
    """WebSite, Organization, WebPage and BreadcrumbList for a static page (``crumbs`` as in
    :func:`article_graph`; default Home › title)."""
    page_url = absolute_url(config, doc.url)
    ids = page_ids(page_url)
    crumbs = crumbs or [(HOME_NAME, "")] + ([(doc.meta.title, doc.url)] if doc.url else [])
    meta, language = doc.meta, config.language_of(doc.lang)
    webpage = {
        "@type": "WebPage",
        "@id": ids["webpage"],
        "url": page_url,
        "name": meta.title,
        "description": meta.description,
        "inLanguage": language.code,
        "isPartOf": node_ref(website_id(config, language)),
        "datePublished": iso_date(meta.date),
        "dateModified": iso_date(meta.updated or meta.date),
        "primaryImageOfPage": image_node(config, doc),
        "breadcrumb": node_ref(ids["breadcrumb"]),
        **review_properties(config, doc),
    }
    return graph([*site_nodes(config, language), webpage, breadcrumb_node(config, ids["breadcrumb"], crumbs),
                  *people_nodes(config, [doc.reviewer])])


def profile_graph(config: SiteConfig, person: Person, *, url: str, name: str, description: str,
                  breadcrumbs: Sequence[tuple[str, str]]) -> JsonDict:
    """WebSite, Organization, ProfilePage, the person's Person (or Organization) node and
    BreadcrumbList for a person's page (``url`` site-relative: "people/jane/", or a later page)."""
    page, ids = _listing_page(config, "ProfilePage", url, name, description)
    page["mainEntity"] = node_ref(person_id(config, person))
    page["breadcrumb"] = node_ref(ids["breadcrumb"])
    return graph([*site_nodes(config), page, *people_nodes(config, [person]),
                  breadcrumb_node(config, ids["breadcrumb"], breadcrumbs)])


def _listing_page(config: SiteConfig, node_type: str, url: str, name: str,
                  description: str, language: Language | None = None) -> tuple[JsonDict, dict[str, str]]:
    """The page node shared by collection and profile pages, and the page's ids."""
    language = language or config.all_languages[0]
    page_url = absolute_url(config, url)
    ids = page_ids(page_url)
    page: JsonDict = {"@type": node_type, "@id": ids["webpage"], "url": page_url, "name": name,
                      "description": description, "inLanguage": language.code,
                      "isPartOf": node_ref(website_id(config, language))}
    return page, ids


def collection_graph(
    config: SiteConfig,
    *,
    url: str,
    name: str,
    description: str,
    breadcrumbs: Sequence[tuple[str, str]],
    language: Language | None = None,
) -> JsonDict:
    """WebSite, Organization, CollectionPage and BreadcrumbList for the home, listing and tag pages.

    ``url`` is site-relative ("" for home, "tags/x/", "es/tags/x/"); ``breadcrumbs`` are
    (name, site-relative url) pairs starting at Home; ``language`` the page's (default: the site's).
    """
    page, ids = _listing_page(config, "CollectionPage", url, name, description, language)
    nodes = [*site_nodes(config, language), page]
    if breadcrumbs:  # no trail, no node: a reference to a missing node would dangle
        page["breadcrumb"] = node_ref(ids["breadcrumb"])
        nodes.append(breadcrumb_node(config, ids["breadcrumb"], breadcrumbs))
    return graph(nodes)


# --- check ---------------------------------------------------------------------------


def structured_data_problems(config: SiteConfig, doc: ResolvedDocument) -> list[tuple[int, str]]:
    """(line, message) for everything that would leave the page's structured data incomplete.

    A missing reviewer is not reported here: the review rules cover it.
    """
    meta = doc.meta

    def line(key: str) -> int:
        return meta.lines.get(key, 1)

    problems: list[tuple[int, str]] = []
    if _blank(meta.title):
        problems.append((line("title"), "structured data: the title is empty (needed for `name`/`headline`)"))
    if _blank(meta.description):
        problems.append((line("description"), "structured data: the description is empty (needed for `description`)"))
    if doc.document_kind.clinical:
        problems.extend(_article_problems(meta.lines, doc))
    if meta.image and _blank(meta.image_alt):
        problems.append((line("image"), "structured data: the image has no `image_alt` text"))
    problems.extend(_person_problems(line("author"), "author", doc.author))
    if doc.reviewer is not None:
        problems.extend(_person_problems(line("reviewer"), "reviewer", doc.reviewer))
    for item in doc.faq:
        if _blank(item.question):
            problems.append((item.line, "structured data: an FAQ question is empty"))
        if _blank(item.answer_text):
            problems.append((item.line, "structured data: an FAQ answer has no text"))
    return problems


def _article_problems(lines: Mapping[str, int], doc: ResolvedDocument) -> list[tuple[int, str]]:
    meta = doc.meta
    problems: list[tuple[int, str]] = []
    if len(meta.title) > HEADLINE_MAX:
        problems.append(
            (
                lines.get("title", 1),
                f"structured data: the title has {len(meta.title)} characters; "
                f"Google accepts an Article headline of at most {HEADLINE_MAX}",
            )
        )
    if not any(not _blank(subject) for subject in meta.about):
        problems.append(
            (lines.get("about", 1), "structured data: `about` is empty; a medical page names the conditions it covers")
        )
    elif any(_blank(subject) for subject in meta.about):
        problems.append((lines.get("about", 1), "structured data: `about` has an empty entry"))
    return problems


def _person_problems(line: int, role: str, person: Person) -> list[tuple[int, str]]:
    if _blank(person.name):
        return [(line, f"structured data: the {role} '{person.id}' has no name")]
    if not person.is_organization and "," in person.name:
        # Google: author.name holds only the name; "Jane Doe, PhD" belongs in name + credentials.
        return [
            (
                line,
                f"structured data: the {role} name '{person.name}' seems to carry more than a name; "
                "put credentials in `credentials` and the role in `role`",
            )
        ]
    return []


def _blank(text: str | None) -> bool:
    return text is None or not text.strip()
