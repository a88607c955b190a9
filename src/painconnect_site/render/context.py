"""What every template receives: the typed template contexts (the theme author's contract).

Every template gets `CommonContext` plus the part of its page type below
(`render_site` merges the two).
Globals available everywhere (render/pages.py `url_helpers`):

* ``url(rel)``: root-relative link to a site-relative URL, under base_url's path;
* ``abs_url(rel)``: the absolute URL (canonical links, social tags);
* ``asset(logical)``: the fingerprinted path of a theme or site static file ("css/site.css");
* ``static_url(path, absolute=False)``: a file under static/;
* ``person_page(person)``: root-relative link to a person's page (people/<id>/).

In the page's language (render/templates.py): ``t(key, count=None, **values)``, a theme
string (render/theme/i18n/<lang>.yaml, overridden by content/i18n/<lang>.yaml), escaped,
with its placeholders filled; and the filter ``long_date`` ("22 November 2026",
"22 de noviembre de 2026"). Values are the frozen objects of core/model.py; `Markup`
values (``jsonld``, ``body_html``, ``t(...)``) are already safe HTML, everything else is
escaped by autoescape.

Every page has a language (`lang`): its document's, or the language of the list it
belongs to; people pages, the 404 page and redirect pages are in the default language.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping, TypedDict

from ..core.model import Edition, Heading, ImageInfo, Language, Person, ResolvedDocument, Site, SiteConfig
from .pagination import Pagination


@dataclass(frozen=True, slots=True)
class LanguageLink:
    """One entry of the language switcher."""

    code: str  # hreflang and lang of the link
    name: str  # the language's own name for itself ("Español")
    url: str  # site-relative: this page in that language, else that language's home page
    current: bool  # the page's own language (the link is this page: aria-current)


class LanguagePart(TypedDict):
    """The page's other languages; all empty on a single-language site."""

    alternates: tuple[tuple[str, str], ...]  # (language code, site-relative URL) of each version, itself
    #                                          included; empty unless it has a version in another language
    x_default: str | None  # the default language's version, for hreflang="x-default"
    language_links: tuple[LanguageLink, ...]  # the switcher, in the site's language order


class CommonContext(LanguagePart):
    site: Site
    config: SiteConfig
    site_paths: frozenset[str]  # site-relative URL of every document (for "is this linked page ours?")
    tag_names: Mapping[str, str]  # tag slug -> the name shown (of the page's language)
    lang: Language  # the page's language: its code, prefix ("" or "es/"), title and description
    edition: Edition  # that language's articles, pages and tags
    local_paths: Mapping[str, str]  # default-language page (not article) URL -> its version in the page's language
    #                                 (its translation, else itself): how the theme links about/, urgent-help/


class PagePart(TypedDict):
    """Every page: 404.html gets only this."""

    jsonld: str | None  # the page's JSON-LD graph as <script>-safe JSON (Markup), None on 404
    canonical: str | None  # site-relative canonical URL, None on 404


class DocumentContext(PagePart):
    """page.html: any document."""

    doc: ResolvedDocument
    body_html: str  # Markup: the body, tables made accessible
    breadcrumbs: list[tuple[str, str]]  # (name, site-relative URL), Home first, as in the JSON-LD


class ArticleContext(DocumentContext):
    """article.html."""

    toc: tuple[Heading, ...]  # empty on short articles
    summary_html: tuple[str, ...]  # Markup: each key takeaway (doc.summary), images made responsive
    faq_html: tuple[str, ...]  # Markup: each FAQ answer (doc.faq), images made responsive
    related: tuple[ResolvedDocument, ...]
    tag_urls: Mapping[str, str]  # tag as written -> its site-relative URL
    image: ImageInfo | None  # the front-matter image with its size (og:image), None without one (or an SVG)
    hero: str | None  # Markup: the front-matter image as a responsive <picture>, None without one


class CollectionContext(PagePart):
    """index.html, list.html, tags.html, tag.html, search.html, person.html."""

    page_url: str  # site-relative URL of this page (page 2 of a list: "articles/page/2/")
    template: str
    title: str
    description: str
    breadcrumbs: list[tuple[str, str]]  # (name, site-relative URL), Home first
    articles: tuple[ResolvedDocument, ...]  # on a paginated list, this page's articles only
    pagination: Pagination | None  # list.html, tag.html, person.html; None on the others


class SearchContext(CollectionContext):
    """search.html."""

    search_index: str  # site-relative folder of the page's language's search index


class TagsContext(CollectionContext):
    """tags.html."""

    tags: list[tuple[str, tuple[ResolvedDocument, ...]]]  # (slug, articles), by slug


class TagContext(CollectionContext):
    """tag.html."""

    tag: str  # the name shown


class PersonContext(CollectionContext):
    """person.html: one person of site.yaml `people` and the articles they wrote or reviewed."""

    person: Person
    entries: tuple[tuple[ResolvedDocument, str], ...]  # (article, "Written" / "Medically reviewed" / both), this page's
    profile_url: str | None  # their own address (site.yaml `url`), None when it is this page
