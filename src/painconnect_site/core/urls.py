"""The one owner of the site's URLs: slugs, reserved names, generated paths, external links.

Site-relative URLs have no leading slash ("articles/x/", "" for home); pages
link them under the base path (`site_path`), feeds and structured data under
the base URL (`absolute_url`). DOI and PubMed links are written here only, so
the reference list and the JSON-LD always agree.
"""

from __future__ import annotations

import re
from urllib.parse import quote, urlsplit

from .kinds import ARTICLE, DocumentKind

ARTICLES_URL = ARTICLE.url_prefix  # the article list lives where the articles do
TAGS_URL = "tags/"
SEARCH_URL = "search/"
STATIC_PREFIX = "static/"
SEARCH_BUNDLE = "search-index"  # the search index's folder (search/index.py writes it)
# Files the generator writes besides documents and tag pages.
GENERATED_PATHS = frozenset({"", ARTICLES_URL, TAGS_URL, SEARCH_URL, "404.html", "feed.xml", "sitemap.xml",
                             "robots.txt"})
# Top-level names the generator itself writes; a page published at the root may not take them.
RESERVED_SLUGS = frozenset({ARTICLES_URL.rstrip("/"), TAGS_URL.rstrip("/"), STATIC_PREFIX.rstrip("/"),
                            SEARCH_URL.rstrip("/"), SEARCH_BUNDLE, "404"})

DOI_BASE = "https://doi.org/"
PUBMED_BASE = "https://pubmed.ncbi.nlm.nih.gov/"
# RFC 3986 path characters, minus "[" and "]" (delimiters, not path data); everything else is
# percent-encoded: old SICI DOIs contain < > # and brackets.
_DOI_SAFE = "/:;()._-~@!$&'*+,="
_DOI_PREFIX_RE = re.compile(r"^(?:https?://(?:dx\.)?doi\.org/|doi:\s*)", re.IGNORECASE)
_NON_SLUG_RE = re.compile(r"[^a-z0-9]+")


def slugify(text: str) -> str:
    return _NON_SLUG_RE.sub("-", text.lower()).strip("-")


def document_url(kind: DocumentKind, slug: str) -> str:
    return f"{kind.url_prefix}{slug}/"


def tag_url(tag: str) -> str:
    return f"{TAGS_URL}{slugify(tag)}/"


def static_rel(path: str) -> str:
    """Site-relative URL of a file under static/ ("images/x.png" or "static/images/x.png")."""
    return STATIC_PREFIX + path.lstrip("/").removeprefix(STATIC_PREFIX)


def site_path(base_path: str, rel: str = "") -> str:
    """Root-relative link to a site-relative URL, honouring a base_url with a path."""
    return base_path + rel.lstrip("/")


def absolute_url(base_url: str, rel: str = "") -> str:
    return base_url + rel.lstrip("/")


def has_scheme(url: str) -> bool:
    return bool(urlsplit(url).scheme)


def is_external(url: str) -> bool:
    return urlsplit(url).scheme in ("http", "https") or url.startswith("//")


def bare_doi(doi: str | None) -> str | None:
    """"https://doi.org/10.1/x" or "doi:10.1/x" -> "10.1/x"; None when empty."""
    if doi is None:
        return None
    return _DOI_PREFIX_RE.sub("", doi.strip()) or None


def doi_url(doi: str | None) -> str | None:
    bare = bare_doi(doi)
    return DOI_BASE + quote(bare, safe=_DOI_SAFE) if bare else None


def pubmed_url(pmid: str | None) -> str | None:
    """Only a numeric PMID makes a link."""
    pmid = (pmid or "").strip()
    return f"{PUBMED_BASE}{pmid}/" if pmid.isdigit() else None
