"""The one owner of the site's URLs: slugs, reserved names, generated paths, external links.

Site-relative URLs have no leading slash ("articles/x/", "" for home); pages
link them under the base path (`site_path`), feeds and structured data under
the base URL (`absolute_url`). DOI and PubMed links are written here only, so
the reference list and the JSON-LD always agree.
"""

from __future__ import annotations

import functools
import re
from urllib.parse import quote, urlsplit

from .kinds import ARTICLE, DocumentKind

ARTICLES_URL = ARTICLE.url_prefix  # the article list lives where the articles do
TAGS_URL = "tags/"
SEARCH_URL = "search/"
PEOPLE_URL = "people/"  # one page per person of site.yaml: people/<id>/
STATIC_PREFIX = "static/"
VARIANTS_PREFIX = STATIC_PREFIX + "variants/"  # resized images (render/images.py), content-hashed names
SEARCH_BUNDLE = "search-index"  # the search index's folder (search/index.py writes it)
PAGE_SEGMENT = "page"  # page N (N >= 2) of a paginated list lives at <list URL>page/N/
REDIRECTS_FILE = "_redirects"  # Netlify and Cloudflare Pages redirect rules (front-matter `aliases`)
FEED_FILE = "feed.xml"
# What every language has under its prefix ("" for the default language, "es/" for Spanish).
EDITION_PATHS = ("", ARTICLES_URL, TAGS_URL, SEARCH_URL, FEED_FILE)
# Files the generator writes besides documents and tag pages.
GENERATED_PATHS = frozenset({*EDITION_PATHS, "404.html", "sitemap.xml", "robots.txt"})
# Files at the root that are not pages (no alias may be written at or under them).
GENERATED_FILES = frozenset({"404.html", "feed.xml", "sitemap.xml", "robots.txt", "_headers", REDIRECTS_FILE})
# Top-level names the generator itself writes; a page published at the root may not take them.
RESERVED_SLUGS = frozenset({ARTICLES_URL.rstrip("/"), TAGS_URL.rstrip("/"), STATIC_PREFIX.rstrip("/"),
                            SEARCH_URL.rstrip("/"), SEARCH_BUNDLE, "404", PEOPLE_URL.rstrip("/")})
# Slugs an article may not take: /articles/page/2/ is page 2 of the article list.
RESERVED_ARTICLE_SLUGS = frozenset({PAGE_SEGMENT})
# Folders no redirect may be written into: they hold files, not pages.
RESERVED_FOLDERS = (STATIC_PREFIX, SEARCH_BUNDLE + "/")

DOI_BASE = "https://doi.org/"
PUBMED_BASE = "https://pubmed.ncbi.nlm.nih.gov/"
# RFC 3986 path characters, minus "[" and "]" (delimiters, not path data); everything else is
# percent-encoded: old SICI DOIs contain < > # and brackets.
_DOI_SAFE = "/:;()._-~@!$&'*+,="
_DOI_PREFIX_RE = re.compile(r"^(?:https?://(?:dx\.)?doi\.org/|doi:\s*)", re.IGNORECASE)
_NON_SLUG_RE = re.compile(r"[^a-z0-9]+")


@functools.lru_cache(maxsize=4096)  # pure; a site's few hundred tags are slugified ~10,000 times a build
def slugify(text: str) -> str:
    return _NON_SLUG_RE.sub("-", text.lower()).strip("-")


def document_url(kind: DocumentKind, slug: str, prefix: str = "") -> str:
    """`prefix`: the language's ("" for the default language, "es/" for Spanish)."""
    return f"{prefix}{kind.url_prefix}{slug}/"


def tag_url(tag: str, prefix: str = "") -> str:
    return f"{prefix}{TAGS_URL}{slugify(tag)}/"


def language_prefix(code: str) -> str:
    """Where the pages of a language other than the default live: "es/"."""
    return code.lower() + "/"


def search_bundle(prefix: str = "") -> str:
    """The folder of a language's search index: "search-index/" for the default language,
    "search-index/es/" for Spanish (one folder for every index: one cache rule, one reserved name)."""
    return f"{SEARCH_BUNDLE}/{prefix}"


def page_url(list_url: str, number: int) -> str:
    """Page `number` (1-based) of the paginated list at `list_url`: page 1 is the list itself."""
    return list_url if number <= 1 else f"{list_url}{PAGE_SEGMENT}/{number}/"


def page_count(items: int, page_size: int) -> int:
    """How many pages a list of `items` takes (an empty list still has its first page)."""
    return max(1, -(-items // page_size))


def list_page_urls(list_url: str, items: int, page_size: int) -> list[str]:
    """Every page of the paginated list at `list_url`, page 1 first."""
    return [page_url(list_url, number) for number in range(1, page_count(items, page_size) + 1)]


def person_url(person_id: str) -> str:
    """The page of a person of site.yaml `people` ("people/jane-smith/")."""
    return f"{PEOPLE_URL}{slugify(person_id)}/"


_ALIAS_BAD_RE = re.compile(r"[\\\s?#%<>\"'`]")


def alias_url(alias: str) -> tuple[str | None, str | None]:
    """(site-relative URL, None) for a front-matter alias, or (None, why it is not one).

    Aliases are written from the site root like internal links: "/old/path/" (or "/old/path")
    becomes "old/path/" (a folder with index.html), "/old/page.html" stays a file.
    """
    if not alias.startswith("/") or alias.startswith("//") or has_scheme(alias):
        return None, "write it from the site root, like '/articles/old-slug/'"
    if _ALIAS_BAD_RE.search(alias):
        return None, "it may not contain spaces, quotes, '?', '#', '%', '<', '>' or backslashes"
    parts = [part for part in alias.strip("/").split("/") if part]
    if any(part in (".", "..") for part in parts):
        return None, "it may not contain '.' or '..' segments"
    if not parts:
        return None, "'/' is the home page"
    path = "/".join(parts)
    return (path if path.endswith(".html") else path + "/"), None


def output_path(rel: str) -> str:
    """The file a site-relative URL is served from ("x/" -> "x/index.html", "x.html" as it is)."""
    return rel + "index.html" if rel == "" or rel.endswith("/") else rel


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
