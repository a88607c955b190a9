"""Stage 3a: where every document lives, and which URLs the site will have."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterable, Mapping

from ..core.errors import Diagnostics
from ..core.model import ParsedDocument

# Top-level names the generator itself writes; a page slug may not take them.
RESERVED_SLUGS = frozenset({"articles", "tags", "static", "search", "pagefind", "404"})
_NON_SLUG_RE = re.compile(r"[^a-z0-9]+")


@dataclass(frozen=True, slots=True)
class SiteIndex:
    urls: Mapping[str, str]  # source rel path -> site-relative URL ("articles/x/")
    tag_slugs: Mapping[str, str]  # tag as written -> slug
    paths: frozenset[str]  # every site-relative URL that will exist (pages and files)


def document_url(doc: ParsedDocument) -> str:
    return f"articles/{doc.meta.slug}/" if doc.kind == "article" else f"{doc.meta.slug}/"


def slugify(text: str) -> str:
    return _NON_SLUG_RE.sub("-", text.lower()).strip("-")


def index_site(docs: Iterable[ParsedDocument], static_files: Iterable[str], diags: Diagnostics) -> SiteIndex:
    urls: dict[str, str] = {}
    owner_by_url: dict[str, ParsedDocument] = {}
    tag_slugs: dict[str, str] = {}
    for doc in docs:
        url = document_url(doc)
        slug_line = doc.meta.lines.get("slug", 1)
        if doc.kind == "page" and doc.meta.slug in RESERVED_SLUGS:
            diags.error(doc.source.rel, slug_line, f"page slug '{doc.meta.slug}' is reserved by the generator; choose another")
            continue
        if url in owner_by_url:
            first = owner_by_url[url].source.rel
            diags.error(doc.source.rel, slug_line, f"duplicate slug '{doc.meta.slug}': {first} already uses URL /{url}")
            continue
        owner_by_url[url] = doc
        urls[doc.source.rel] = url
        for tag in doc.meta.tags:
            slug = slugify(tag)
            if not slug:
                diags.error(doc.source.rel, doc.meta.lines.get("tags", 1), f"tag '{tag}' has no letters or digits")
            else:
                tag_slugs[tag] = slug
    paths = {"", "articles/", "tags/", "search/", "404.html", "feed.xml", "sitemap.xml", "robots.txt"}
    paths.update(urls.values())
    paths.update(f"tags/{slug}/" for slug in tag_slugs.values())
    paths.update(f"static/{path}" for path in static_files)
    return SiteIndex(urls=urls, tag_slugs=tag_slugs, paths=frozenset(paths))


def resolves(index: SiteIndex, url_path: str) -> bool:
    """Does a root-relative path ("/about/", "/about", "/static/x.png") name something the site writes?"""
    path = url_path.lstrip("/")
    candidates = {path, path.rstrip("/") + "/", path.removesuffix("index.html")}
    return any(c in index.paths for c in candidates)
