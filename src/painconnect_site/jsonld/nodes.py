"""Shared schema.org node builders: URLs and ``@id``s, site-wide nodes, people, citations, breadcrumbs.

* ``<base_url>#website`` and ``<base_url>#organization`` are built here for
  every page; page nodes use :func:`page_ids` (``<page url>#webpage``,
  ``#article``, ``#faq``, ``#breadcrumb``) and :func:`node_ref` to link them.
* The site organization is one node referenced by ``@id``; an author or
  reviewer that *is* the site organization (an organization-kind person with
  the organization's name or URL) points at that node instead of repeating it.
* Every other person of site.yaml is one node, ``<base_url>people/<id>/#person``
  (or ``#organization``), whose ``url`` is their page on the site (the
  ProfilePage) and ``sameAs`` their own address; pages refer to it by ``@id``
  (:func:`agent`) and carry it once in their graph (:func:`person_node`).
* Dates are ``date.isoformat()``; every URL is absolute (``base_url`` plus a
  site-relative path, static files under ``base_url + "static/"``).

Nodes may hold empty values; :func:`.serialize.prune` removes them later.
Pure functions: no I/O, stdlib and the model only.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from urllib.parse import urljoin

from ..core import urls
from ..core.model import Language, NumberedReference, Person, Reference, ResolvedDocument, SiteConfig
from .serialize import JsonDict

_YEAR_RE = re.compile(r"\d{4}")


# --- URLs and ids --------------------------------------------------------------


def absolute_url(config: SiteConfig, site_relative: str) -> str:
    """``base_url`` + a site-relative path ("" is the home page)."""
    return urls.absolute_url(config.base_url, site_relative)


def static_url(config: SiteConfig, path: str) -> str:
    """URL of a file under static/; an already absolute URL is kept."""
    if urls.has_scheme(path):
        return path
    return urls.absolute_url(config.base_url, urls.static_rel(path))


def _external_url(config: SiteConfig, url: str | None) -> str | None:
    """A person's or reference's URL made absolute (relative ones against base_url)."""
    if url is None or not url.strip():
        return None
    return url if urls.has_scheme(url) else urljoin(config.base_url, url)


def node_ref(node_id: str) -> JsonDict:
    """A reference to the node with ``@id`` ``node_id``."""
    return {"@id": node_id}


def website_id(config: SiteConfig, language: Language | None = None) -> str:
    """The WebSite node of a language: the site's home page in it (`<base_url>es/#website`)."""
    return absolute_url(config, language.prefix if language else "") + "#website"


def organization_id(config: SiteConfig) -> str:
    return config.base_url + "#organization"


def page_ids(page_url: str) -> dict[str, str]:
    """``@id`` of each of a page's own nodes, keyed by part ("webpage", "article", "faq", "breadcrumb")."""
    return {part: f"{page_url}#{part}" for part in ("webpage", "article", "faq", "breadcrumb")}


# --- site-wide nodes -------------------------------------------------------------


def _website_node(config: SiteConfig, language: Language) -> JsonDict:
    """One WebSite per language (the default one at base_url): its home, title and language."""
    return {
        "@type": "WebSite",
        "@id": website_id(config, language),
        "url": absolute_url(config, language.prefix),
        "name": language.title,
        "description": language.description,
        "inLanguage": language.code,
        "publisher": node_ref(organization_id(config)),
    }


def _organization_node(config: SiteConfig) -> JsonDict:
    organization = config.organization
    logo = None
    if organization.logo:
        logo_url = static_url(config, organization.logo)
        logo = {"@type": "ImageObject", "url": logo_url, "contentUrl": logo_url}
    return {
        "@type": "Organization",
        "@id": organization_id(config),
        "name": organization.name,
        "url": _external_url(config, organization.url),
        "logo": logo,
    }


def site_nodes(config: SiteConfig, language: Language | None = None) -> list[JsonDict]:
    """The WebSite (of the page's language) and Organization nodes every page carries."""
    return [_website_node(config, language or config.all_languages[0]), _organization_node(config)]


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


def person_id(config: SiteConfig, person: Person) -> str:
    """``@id`` of a person's node: their page on the site, ``#person`` or ``#organization``."""
    if _is_site_organization(config, person):
        return organization_id(config)
    fragment = "organization" if person.is_organization else "person"
    return f"{absolute_url(config, urls.person_url(person.id))}#{fragment}"


def agent(config: SiteConfig, person: Person) -> JsonDict:
    """A reference to the person's node (or to the site organization): see :func:`person_node`."""
    return node_ref(person_id(config, person))


def person_node(config: SiteConfig, person: Person) -> JsonDict | None:
    """The Person or Organization node :func:`agent` refers to; None for the site organization,
    whose node every page carries already."""
    if _is_site_organization(config, person):
        return None
    page = absolute_url(config, urls.person_url(person.id))
    own = _external_url(config, person.url)
    node: JsonDict = {
        "@type": "Organization" if person.is_organization else "Person",
        "@id": person_id(config, person),
        "name": person.name,
        "url": page,
        "sameAs": own if own and own != page else None,
        "description": person.bio,
    }
    if not person.is_organization:
        # Google: `name` holds only the name; credentials and role have their own properties.
        node.update({"jobTitle": person.role, "honorificSuffix": person.credentials})
    return node


def people_nodes(config: SiteConfig, people: Sequence[Person | None]) -> list[JsonDict]:
    """The nodes of these people, each once, in order (the site organization carries its own)."""
    nodes: dict[str, JsonDict] = {}
    for person in people:
        node = person_node(config, person) if person is not None else None
        if node is not None:
            nodes.setdefault(node["@id"], node)
    return list(nodes.values())


# --- references ------------------------------------------------------------------


def citation(config: SiteConfig, numbered: NumberedReference) -> JsonDict:
    """A ScholarlyArticle (journal article) or CreativeWork node for one reference."""
    reference = numbered.reference
    is_journal_article = reference.entry_type == "article"
    doi = urls.bare_doi(reference.doi)
    identifiers = [
        {"@type": "PropertyValue", "propertyID": "DOI", "value": doi} if doi else None,
        {"@type": "PropertyValue", "propertyID": "PMID", "value": reference.pmid} if reference.pmid else None,
    ]
    same_as = [urls.doi_url(doi), urls.pubmed_url(reference.pmid)]
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


def _year(year: str | None) -> str | None:
    """An ISO 8601 year, or nothing: "n.d." and similar placeholders are dropped."""
    if year is None:
        return None
    year = year.strip()
    return year if _YEAR_RE.fullmatch(year) else None


# --- shared page parts -----------------------------------------------------------


def breadcrumb_node(config: SiteConfig, breadcrumb_id: str, crumbs: Sequence[tuple[str, str]]) -> JsonDict:
    """A BreadcrumbList from (name, site-relative url) pairs."""
    return {
        "@type": "BreadcrumbList",
        "@id": breadcrumb_id,
        "itemListElement": [
            {"@type": "ListItem", "position": position, "name": name, "item": absolute_url(config, url)}
            for position, (name, url) in enumerate(crumbs, start=1)
        ],
    }


def image_node(config: SiteConfig, doc: ResolvedDocument) -> JsonDict | None:
    """The page's ImageObject, or ``None`` when it has no image."""
    if not doc.meta.image:
        return None
    image_url = static_url(config, doc.meta.image)
    # schema.org has no alt property; `caption` is the text alternative consumers read.
    return {"@type": "ImageObject", "url": image_url, "contentUrl": image_url, "caption": doc.meta.image_alt}


def review_properties(config: SiteConfig, doc: ResolvedDocument) -> JsonDict:
    """``lastReviewed`` and ``reviewedBy`` for a page node, only for a medical review.

    Without a named reviewer the `reviewed` date records our editorial check, which
    consumers of ``lastReviewed`` would read as a clinical review: it is left out.
    """
    if doc.reviewer is None:
        return {}
    return {"lastReviewed": iso_date(doc.meta.reviewed), "reviewedBy": agent(config, doc.reviewer)}


def iso_date(date: dt.date | None) -> str | None:
    return date.isoformat() if date else None
