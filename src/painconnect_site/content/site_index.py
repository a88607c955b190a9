"""Stage 3a: where every document lives, and which URLs the site will have."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Iterable, Mapping

from ..core.errors import Diagnostics
from ..core.kinds import KIND_BY_NAME
from ..core.model import ParsedDocument, SiteConfig
from ..core.urls import (
    ARTICLES_URL,
    EDITION_PATHS,
    GENERATED_FILES,
    GENERATED_PATHS,
    RESERVED_ARTICLE_SLUGS,
    RESERVED_FOLDERS,
    RESERVED_SLUGS,
    document_url,
    list_page_urls,
    output_path,
    person_url,
    slugify,
    static_rel,
    tag_url,
    VARIANTS_PREFIX,
)

# Slugs a document of a kind published under this URL prefix may not take.
RESERVED_BY_PREFIX = {"": RESERVED_SLUGS, ARTICLES_URL: RESERVED_ARTICLE_SLUGS}


@dataclass(frozen=True, slots=True)
class SiteIndex:
    urls: Mapping[str, str]  # source rel path -> site-relative URL ("articles/x/")
    paths: frozenset[str]  # every site-relative URL that will exist (pages and files)
    aliases: Mapping[str, str] = field(default_factory=dict)  # alias URL -> the URL it redirects to


def index_site(docs: Iterable[ParsedDocument], static_files: Iterable[str], diags: Diagnostics,
               config: SiteConfig | None = None) -> SiteIndex:
    docs = list(docs)
    urls: dict[str, str] = {}
    owner_by_url: dict[str, ParsedDocument] = {}
    tag_urls: set[str] = set()
    listed: list[ParsedDocument] = []  # what the paginated lists hold
    per_tag: Counter[str] = Counter()  # tag URL -> listed documents carrying it
    prefixes = {language.code: language.prefix for language in config.all_languages} if config else {}
    # The other languages' folders (/es/) are the generator's, like /articles/.
    language_slugs = {prefix.rstrip("/"): code for code, prefix in prefixes.items() if prefix}
    for doc in docs:
        kind = KIND_BY_NAME[doc.kind]
        prefix = prefixes.get(doc.meta.lang, "")
        url = document_url(kind, doc.meta.slug, prefix)
        slug_line = doc.meta.lines.get("slug", 1)
        if doc.meta.slug in RESERVED_BY_PREFIX.get(kind.url_prefix, ()):
            what = "page" if not kind.url_prefix else kind.name
            diags.error(doc.source.rel, slug_line, f"{what} slug '{doc.meta.slug}' is reserved by the generator; choose another")
            continue
        if not kind.url_prefix and not prefix and doc.meta.slug in language_slugs:
            diags.error(doc.source.rel, slug_line, f"page slug '{doc.meta.slug}' is the folder of the "
                                                   f"'{language_slugs[doc.meta.slug]}' pages (/{doc.meta.slug}/); choose another")
            continue
        if url in owner_by_url:
            first = owner_by_url[url].source.rel
            diags.error(doc.source.rel, slug_line, f"duplicate slug '{doc.meta.slug}': {first} already uses URL /{url}")
            continue
        owner_by_url[url] = doc
        urls[doc.source.rel] = url
        own_tags = set()
        for tag in doc.meta.tags:
            if not slugify(tag):
                diags.error(doc.source.rel, doc.meta.lines.get("tags", 1), f"tag '{tag}' has no letters or digits")
            else:
                own_tags.add(tag_url(tag, prefix))
        tag_urls |= own_tags
        if kind.listed:
            listed.append(doc)
            per_tag.update(own_tags)
    generated = set(GENERATED_PATHS) | tag_urls
    generated.update(prefix + path for prefix in prefixes.values() if prefix for path in EDITION_PATHS)
    if config is not None:
        generated.update(_listing_urls(listed, per_tag, config))
        _check_translations([doc for doc in docs if doc.source.rel in urls], diags)
    files = {static_rel(path) for path in static_files}
    for path in sorted(files):
        if path.startswith(VARIANTS_PREFIX):
            diags.error(path, None, f"/{VARIANTS_PREFIX} is where the build writes resized images; move this file")
    paths = generated | set(urls.values()) | files
    aliases = _aliases(docs, urls, generated, files, diags)
    return SiteIndex(urls=urls, paths=frozenset(paths), aliases=aliases)


def _listing_urls(listed: list[ParsedDocument], per_tag: Counter[str], config: SiteConfig) -> set[str]:
    """The people pages, and the later pages of the paginated lists (articles, tags, people), as
    render/pages.py writes them (page 1 of the article list and of each tag is already known)."""
    size = config.page_size
    per_language = Counter(doc.meta.lang for doc in listed)
    found = {url for language in config.all_languages
             for url in list_page_urls(language.prefix + ARTICLES_URL, per_language[language.code], size)[1:]}
    for url, count in per_tag.items():
        if count > size:
            found.update(list_page_urls(url, count, size)[1:])
    per_person = Counter(person for doc in listed for person in {doc.meta.author, doc.meta.reviewer} if person)
    for person_id in config.people:
        found.update(list_page_urls(person_url(person_id), per_person[person_id], size))
    return found


def _check_translations(docs: list[ParsedDocument], diags: Diagnostics) -> None:
    """Two documents of one language cannot share a `translation_key` (the second is the error)."""
    first: dict[tuple[str, str], ParsedDocument] = {}
    for doc in docs:
        key = doc.meta.translation_key
        if key is None:
            continue
        other = first.setdefault((key, doc.meta.lang), doc)
        if other is not doc:
            diags.error(doc.source.rel, doc.meta.lines.get("translation_key", 1),
                        f"translation_key '{key}' is already used by {other.source.rel}, in the same language "
                        f"('{doc.meta.lang}'); translations of one document share a key across languages, one each")


def _aliases(docs: list[ParsedDocument], urls: Mapping[str, str], generated: set[str], files: set[str],
             diags: Diagnostics) -> dict[str, str]:
    """alias URL -> target URL; an alias that would replace a page, a file or another alias is an error."""
    page_at = {output_path(url): rel for rel, url in urls.items()}
    generated_at = {output_path(url) for url in generated} | set(GENERATED_FILES)
    files_at = set(page_at) | generated_at | files | {output_path(url) for doc in docs for url in doc.meta.aliases
                                                      if not url.endswith("/")}
    found: dict[str, str] = {}
    first_at: dict[str, tuple[str, int]] = {}  # output path -> (rel, line) of the alias that took it
    for doc in docs:
        rel = doc.source.rel
        if rel not in urls:
            continue
        for url, line in zip(doc.meta.aliases, doc.meta.alias_lines):
            shown, path = "/" + url, output_path(url)
            if path in page_at:
                owner = "this page's own URL" if page_at[path] == rel else f"the URL of {page_at[path]}"
                diags.error(rel, line, f"alias '{shown}' is {owner}; a redirect cannot replace a page")
            elif url.startswith(RESERVED_FOLDERS):
                diags.error(rel, line, f"alias '{shown}' is under /{url.split('/')[0]}/, which holds files, not pages")
            elif path in generated_at or url in files or _under_a_file(path, files_at):
                diags.error(rel, line, f"alias '{shown}' is a page or file the generator writes; choose another")
            elif path in first_at:
                other, other_line = first_at[path]
                where = f"line {other_line}" if other == rel else f"{other}:{other_line}"
                diags.error(rel, line, f"alias '{shown}' is already an alias ({where}); each old URL redirects to one page")
            else:
                first_at[path] = (rel, line)
                found[url] = urls[rel]
    return found


def _under_a_file(path: str, files: set[str]) -> bool:
    """Would writing `path` need a folder where a file is written ("feed.xml/index.html")?"""
    parts = path.split("/")
    return any("/".join(parts[:end]) in files for end in range(1, len(parts)))


def resolves(index: SiteIndex, url_path: str) -> bool:
    """Does a root-relative path ("/about/", "/about", "/static/x.png") name something the site writes?"""
    path = url_path.lstrip("/")
    candidates = {path, path.rstrip("/") + "/", path.removesuffix("index.html")}
    return any(c in index.paths for c in candidates)


def redirect_of(index: SiteIndex, url_path: str) -> str | None:
    """The page a root-relative path redirects to (a front-matter alias), or None."""
    path = url_path.lstrip("/")
    for candidate in (path, path.rstrip("/") + "/", path.removesuffix("index.html")):
        if candidate in index.aliases:
            return index.aliases[candidate]
    return None
