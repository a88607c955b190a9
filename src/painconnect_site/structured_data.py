"""schema.org JSON-LD for every page, built from the content model.

Each page carries one ``<script type="application/ld+json">`` whose payload is a
single ``@graph`` of linked nodes. Nodes refer to each other by ``@id``:

* ``<base_url>#website`` and ``<base_url>#organization`` on every page;
* ``<page url>#webpage`` (``MedicalWebPage``, ``WebPage`` or ``CollectionPage``),
  ``#article``, ``#faq`` and ``#breadcrumb`` for the page's own nodes.

Design choices:

* The graph is built as Python data and serialized by :func:`script_json` with
  :mod:`json`; nothing is pasted into strings, so a title cannot break the JSON
  and, because ``<``, ``>``, ``&``, ``'``, U+2028 and U+2029 are written as
  ``\\uXXXX`` escapes, no value can close the ``<script>`` element either. The
  result is *not* HTML-entity-escaped: templates must insert it unescaped
  (``{{ json_ld | safe }}``), exactly like Jinja2's ``tojson``.
* Optional properties without a value are left out: every graph goes through
  :func:`prune`, which drops ``None``, blank strings, empty lists and nodes left
  with nothing but a ``@type``. Search engines treat an empty ``"image": ""`` as
  an error, not as "no image".
* FAQ answers use :attr:`ResolvedFaq.answer_text`: the plain text of the answer
  as the reader sees it, citations appearing as their numbers ("… helps [2]").
  Google requires the FAQPage answer to match the visible answer; plain text is
  used rather than the answer HTML because the HTML carries citation links and
  ids that mean nothing outside the page.
* The site organization is one node referenced by ``@id``; an author or
  reviewer that *is* the site organization (an organization-kind person with
  the organization's name or URL) points at that node instead of repeating it.
* Dates are ``date.isoformat()``; every URL is absolute (``base_url`` plus a
  site-relative path, static files under ``base_url + "static/"``).

Pure functions: no I/O, stdlib and the model only.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Mapping, Sequence
from urllib.parse import quote, urljoin, urlsplit

from .model import (
    NumberedReference,
    Person,
    Reference,
    ResolvedDocument,
    ResolvedFaq,
    SiteConfig,
)

JsonDict = dict[str, object]

SCHEMA_CONTEXT = "https://schema.org"
HEADLINE_MAX = 110  # Google: Article headline longer than 110 characters is truncated or rejected
HOME_NAME = "Home"
ARTICLES_NAME = "Articles"
ARTICLES_URL = "articles/"

# Characters that must never appear raw inside a <script> element (the first
# four are what Jinja2's `tojson` escapes) and the two line separators that
# pre-ES2019 JavaScript parsers reject inside string literals.
_SCRIPT_ESCAPES = {
    "<": "\\u003c",
    ">": "\\u003e",
    "&": "\\u0026",
    "'": "\\u0027",
    "\u2028": "\\u2028",
    "\u2029": "\\u2029",
}
_SCRIPT_ESCAPE_RE = re.compile("[<>&'\u2028\u2029]")
_YEAR_RE = re.compile(r"\d{4}")
_DOI_PREFIX_RE = re.compile(r"^(?:https?://(?:dx\.)?doi\.org/|doi:\s*)", re.IGNORECASE)


# --- serialization -------------------------------------------------------------


def script_json(data: object) -> str:
    """JSON for a ``<script type="application/ld+json">`` element.

    Deterministic (sorted keys, compact separators), non-ASCII kept as-is, and
    safe to place between ``<script>`` tags without any further escaping.
    """
    text = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"), allow_nan=False)
    # Those characters can only occur inside JSON strings, where \uXXXX means the same.
    return _SCRIPT_ESCAPE_RE.sub(lambda match: _SCRIPT_ESCAPES[match.group(0)], text)


def prune(value: object) -> object | None:
    """``value`` without empty parts; ``None`` when nothing is left.

    Drops ``None``, blank strings, empty lists and dicts, and dicts left with
    only a ``@type`` (a typed node that says nothing). Tuples become lists.
    Strings that are not blank are kept exactly, whitespace included.
    """
    if value is None:
        return None
    if isinstance(value, str):
        return value if value.strip() else None
    if isinstance(value, Mapping):
        kept = {key: pruned for key, item in value.items() if (pruned := prune(item)) is not None}
        return kept if set(kept) - {"@type"} else None
    if isinstance(value, (list, tuple)):
        items = [pruned for item in value if (pruned := prune(item)) is not None]
        return items or None
    return value


def _graph(nodes: Sequence[JsonDict]) -> JsonDict:
    pruned_nodes = [node for node in (prune(node) for node in nodes) if node is not None]
    return {"@context": SCHEMA_CONTEXT, "@graph": pruned_nodes}


# --- URLs and ids --------------------------------------------------------------


def absolute_url(config: SiteConfig, site_relative: str) -> str:
    """``base_url`` + a site-relative path ("" is the home page)."""
    return config.base_url + site_relative.lstrip("/")


def static_url(config: SiteConfig, path: str) -> str:
    """URL of a file under static/; an already absolute URL is kept."""
    if _has_scheme(path):
        return path
    return config.base_url + "static/" + path.lstrip("/")


def _external_url(config: SiteConfig, url: str | None) -> str | None:
    """A person's or reference's URL made absolute (relative ones against base_url)."""
    if url is None or not url.strip():
        return None
    return url if _has_scheme(url) else urljoin(config.base_url, url)


def _has_scheme(url: str) -> bool:
    return bool(urlsplit(url).scheme)


def _ref(node_id: str) -> JsonDict:
    return {"@id": node_id}


def _website_id(config: SiteConfig) -> str:
    return config.base_url + "#website"


def _organization_id(config: SiteConfig) -> str:
    return config.base_url + "#organization"


def _page_ids(page_url: str) -> dict[str, str]:
    return {part: f"{page_url}#{part}" for part in ("webpage", "article", "faq", "breadcrumb")}


# --- site-wide nodes -------------------------------------------------------------


def _website_node(config: SiteConfig) -> JsonDict:
    return {
        "@type": "WebSite",
        "@id": _website_id(config),
        "url": config.base_url,
        "name": config.title,
        "description": config.description,
        "inLanguage": config.language,
        "publisher": _ref(_organization_id(config)),
    }


def _organization_node(config: SiteConfig) -> JsonDict:
    organization = config.organization
    logo = None
    if organization.logo:
        logo_url = static_url(config, organization.logo)
        logo = {"@type": "ImageObject", "url": logo_url, "contentUrl": logo_url}
    return {
        "@type": "Organization",
        "@id": _organization_id(config),
        "name": organization.name,
        "url": _external_url(config, organization.url),
        "logo": logo,
    }


def _site_nodes(config: SiteConfig) -> list[JsonDict]:
    return [_website_node(config), _organization_node(config)]


# --- people ----------------------------------------------------------------------


def _is_site_organization(config: SiteConfig, person: Person) -> bool:
    """An organization-kind person standing for the site organization itself."""
    if not person.is_organization:
        return False
    organization = config.organization
    same_name = person.name.strip().casefold() == organization.name.strip().casefold()
    same_url = bool(person.url) and _same_url(config, person.url or "", organization.url)
    return same_name or same_url


def _same_url(config: SiteConfig, first: str, second: str) -> bool:
    def normalized(url: str) -> str:
        return (_external_url(config, url) or "").rstrip("/")

    return normalized(first) == normalized(second)


def _agent(config: SiteConfig, person: Person) -> JsonDict:
    """A Person node, an Organization node, or a reference to the site organization."""
    if _is_site_organization(config, person):
        return _ref(_organization_id(config))
    if person.is_organization:
        return {"@type": "Organization", "name": person.name, "url": _external_url(config, person.url)}
    # Google: `name` holds only the name; credentials and role have their own properties.
    return {
        "@type": "Person",
        "name": person.name,
        "url": _external_url(config, person.url),
        "jobTitle": person.role,
        "honorificSuffix": person.credentials,
    }


# --- references ------------------------------------------------------------------


def _citation(config: SiteConfig, numbered: NumberedReference) -> JsonDict:
    reference = numbered.reference
    is_journal_article = reference.entry_type == "article"
    doi = _bare_doi(reference.doi)
    identifiers = [
        {"@type": "PropertyValue", "propertyID": "DOI", "value": doi} if doi else None,
        {"@type": "PropertyValue", "propertyID": "PMID", "value": reference.pmid} if reference.pmid else None,
    ]
    same_as = [
        _doi_url(doi) if doi else None,
        f"https://pubmed.ncbi.nlm.nih.gov/{quote(reference.pmid.strip())}/" if reference.pmid else None,
    ]
    container_type = "Periodical" if is_journal_article else "CreativeWork"
    return {
        "@type": "ScholarlyArticle" if is_journal_article else "CreativeWork",
        "name": reference.title,
        "author": [_reference_author(reference, index) for index in range(len(reference.authors))],
        "datePublished": _year(reference.year),
        "isPartOf": {"@type": container_type, "name": reference.container} if reference.container else None,
        "sameAs": same_as,
        "identifier": identifiers,
        "url": _external_url(config, reference.url),
    }


def _reference_author(reference: Reference, index: int) -> JsonDict:
    kind = "Organization" if _is_corporate_author(reference, index) else "Person"
    return {"@type": kind, "name": reference.authors[index]}


def _is_corporate_author(reference: Reference, index: int) -> bool:
    """CSL-JSON writes a corporate author as {"literal": ...} without given/family names."""
    csl_authors = reference.csl.get("author")
    if not isinstance(csl_authors, Sequence) or isinstance(csl_authors, str) or index >= len(csl_authors):
        return False
    name = csl_authors[index]
    return isinstance(name, Mapping) and "literal" in name and not ({"given", "family"} & set(name))


def _bare_doi(doi: str | None) -> str | None:
    if doi is None:
        return None
    bare = _DOI_PREFIX_RE.sub("", doi.strip())
    return bare or None


def _doi_url(doi: str) -> str:
    # Percent-encode what a URL cannot carry (old SICI DOIs contain < > and #).
    return "https://doi.org/" + quote(doi, safe="/:;()._-")


def _year(year: str | None) -> str | None:
    """An ISO 8601 year, or nothing: "n.d." and similar placeholders are dropped."""
    if year is None:
        return None
    year = year.strip()
    return year if _YEAR_RE.fullmatch(year) else None


# --- page-level nodes ------------------------------------------------------------


def _breadcrumb_node(config: SiteConfig, breadcrumb_id: str, crumbs: Sequence[tuple[str, str]]) -> JsonDict:
    return {
        "@type": "BreadcrumbList",
        "@id": breadcrumb_id,
        "itemListElement": [
            {"@type": "ListItem", "position": position, "name": name, "item": absolute_url(config, url)}
            for position, (name, url) in enumerate(crumbs, start=1)
        ],
    }


def _image_node(config: SiteConfig, doc: ResolvedDocument) -> JsonDict | None:
    if not doc.meta.image:
        return None
    image_url = static_url(config, doc.meta.image)
    # schema.org has no alt property; `caption` is the text alternative consumers read.
    return {"@type": "ImageObject", "url": image_url, "contentUrl": image_url, "caption": doc.meta.image_alt}


def _review_properties(config: SiteConfig, doc: ResolvedDocument) -> JsonDict:
    return {
        "lastReviewed": _iso(doc.meta.reviewed),
        "reviewedBy": _agent(config, doc.reviewer) if doc.reviewer else None,
    }


def _medical_webpage_node(config: SiteConfig, doc: ResolvedDocument, ids: Mapping[str, str]) -> JsonDict:
    meta = doc.meta
    return {
        "@type": "MedicalWebPage",
        "@id": ids["webpage"],
        "url": absolute_url(config, doc.url),
        "name": meta.title,
        "description": meta.description,
        "inLanguage": config.language,
        "isPartOf": _ref(_website_id(config)),
        "about": [{"@type": "MedicalCondition", "name": subject} for subject in meta.about],
        "primaryImageOfPage": _image_node(config, doc),
        "breadcrumb": _ref(ids["breadcrumb"]),
        **_review_properties(config, doc),
    }


def _article_node(config: SiteConfig, doc: ResolvedDocument, ids: Mapping[str, str]) -> JsonDict:
    meta = doc.meta
    return {
        "@type": "Article",
        "@id": ids["article"],
        "headline": meta.title,
        "description": meta.description,
        "image": _image_node(config, doc),
        "datePublished": _iso(meta.date),
        "dateModified": _iso(meta.updated or meta.date),
        "author": [_agent(config, doc.author)],
        "publisher": _ref(_organization_id(config)),
        "mainEntityOfPage": _ref(ids["webpage"]),
        "inLanguage": config.language,
        "keywords": list(meta.tags),
        "citation": [_citation(config, numbered) for numbered in doc.references],
    }


def _faq_node(config: SiteConfig, doc: ResolvedDocument, ids: Mapping[str, str]) -> JsonDict:
    return {
        "@type": "FAQPage",
        "@id": ids["faq"],
        "url": absolute_url(config, doc.url),
        "inLanguage": config.language,
        "isPartOf": _ref(_website_id(config)),
        "mainEntity": [_question(item) for item in doc.faq],
    }


def _question(item: ResolvedFaq) -> JsonDict:
    return {
        "@type": "Question",
        "name": item.question,
        "acceptedAnswer": {"@type": "Answer", "text": item.answer_text},
    }


def _iso(date: dt.date | None) -> str | None:
    return date.isoformat() if date else None


# --- public graphs -----------------------------------------------------------------


def article_graph(config: SiteConfig, doc: ResolvedDocument) -> JsonDict:
    """WebSite, Organization, MedicalWebPage, Article, FAQPage (if any) and BreadcrumbList."""
    ids = _page_ids(absolute_url(config, doc.url))
    crumbs = [(HOME_NAME, ""), (ARTICLES_NAME, ARTICLES_URL), (doc.meta.title, doc.url)]
    nodes = [
        *_site_nodes(config),
        _medical_webpage_node(config, doc, ids),
        _article_node(config, doc, ids),
    ]
    if doc.faq:
        nodes.append(_faq_node(config, doc, ids))
    nodes.append(_breadcrumb_node(config, ids["breadcrumb"], crumbs))
    return _graph(nodes)


def page_graph(config: SiteConfig, doc: ResolvedDocument) -> JsonDict:
    """WebSite, Organization, WebPage and BreadcrumbList for a static page."""
    page_url = absolute_url(config, doc.url)
    ids = _page_ids(page_url)
    crumbs = [(HOME_NAME, "")] + ([(doc.meta.title, doc.url)] if doc.url else [])
    meta = doc.meta
    webpage = {
        "@type": "WebPage",
        "@id": ids["webpage"],
        "url": page_url,
        "name": meta.title,
        "description": meta.description,
        "inLanguage": config.language,
        "isPartOf": _ref(_website_id(config)),
        "datePublished": _iso(meta.date),
        "dateModified": _iso(meta.updated or meta.date),
        "primaryImageOfPage": _image_node(config, doc),
        "breadcrumb": _ref(ids["breadcrumb"]),
        **_review_properties(config, doc),
    }
    return _graph([*_site_nodes(config), webpage, _breadcrumb_node(config, ids["breadcrumb"], crumbs)])


def collection_graph(
    config: SiteConfig,
    *,
    url: str,
    name: str,
    description: str,
    breadcrumbs: Sequence[tuple[str, str]],
) -> JsonDict:
    """WebSite, Organization, CollectionPage and BreadcrumbList for the home, listing and tag pages.

    ``url`` is site-relative ("" for home, "tags/x/"); ``breadcrumbs`` are
    (name, site-relative url) pairs starting at Home.
    """
    page_url = absolute_url(config, url)
    ids = _page_ids(page_url)
    page: JsonDict = {
        "@type": "CollectionPage",
        "@id": ids["webpage"],
        "url": page_url,
        "name": name,
        "description": description,
        "inLanguage": config.language,
        "isPartOf": _ref(_website_id(config)),
    }
    nodes = [*_site_nodes(config), page]
    if breadcrumbs:  # no trail, no node: a reference to a missing node would dangle
        page["breadcrumb"] = _ref(ids["breadcrumb"])
        nodes.append(_breadcrumb_node(config, ids["breadcrumb"], breadcrumbs))
    return _graph(nodes)


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
    if doc.kind == "article":
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
