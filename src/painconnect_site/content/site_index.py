"""Stage 3a: where every document lives, and which URLs the site will have."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Mapping

from ..core.errors import Diagnostics
from ..core.kinds import KIND_BY_NAME
from ..core.model import ParsedDocument
from ..core.urls import GENERATED_PATHS, RESERVED_SLUGS, document_url, slugify, static_rel, tag_url


@dataclass(frozen=True, slots=True)
class SiteIndex:
    urls: Mapping[str, str]  # source rel path -> site-relative URL ("articles/x/")
    paths: frozenset[str]  # every site-relative URL that will exist (pages and files)


def index_site(docs: Iterable[ParsedDocument], static_files: Iterable[str], diags: Diagnostics) -> SiteIndex:
    urls: dict[str, str] = {}
    owner_by_url: dict[str, ParsedDocument] = {}
    tag_urls: set[str] = set()
    for doc in docs:
        kind = KIND_BY_NAME[doc.kind]
        url = document_url(kind, doc.meta.slug)
        slug_line = doc.meta.lines.get("slug", 1)
        if not kind.url_prefix and doc.meta.slug in RESERVED_SLUGS:
            diags.error(doc.source.rel, slug_line, f"page slug '{doc.meta.slug}' is reserved by the generator; choose another")
            continue
        if url in owner_by_url:
            first = owner_by_url[url].source.rel
            diags.error(doc.source.rel, slug_line, f"duplicate slug '{doc.meta.slug}': {first} already uses URL /{url}")
            continue
        owner_by_url[url] = doc
        urls[doc.source.rel] = url
        for tag in doc.meta.tags:
            if not slugify(tag):
                diags.error(doc.source.rel, doc.meta.lines.get("tags", 1), f"tag '{tag}' has no letters or digits")
            else:
                tag_urls.add(tag_url(tag))
    paths = set(GENERATED_PATHS) | set(urls.values()) | tag_urls
    paths.update(static_rel(path) for path in static_files)
    return SiteIndex(urls=urls, paths=frozenset(paths))


def resolves(index: SiteIndex, url_path: str) -> bool:
    """Does a root-relative path ("/about/", "/about", "/static/x.png") name something the site writes?"""
    path = url_path.lstrip("/")
    candidates = {path, path.rstrip("/") + "/", path.removesuffix("index.html")}
    return any(c in index.paths for c in candidates)
