"""Stage 4c: plan and render every output file of the site.

Each function returns `OutputFile`s; nothing here touches the disk. What each
document kind renders is declared once, in `DOCUMENT_PAGES`; the contexts the
templates receive are typed in context.py.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Iterable, Iterator, Mapping, Sequence

from ..core.errors import Diagnostics
from ..core.kinds import ARTICLE, PAGE
from ..core.model import Edition, ImageInfo, Language, OutputFile, Person, ResolvedDocument, Site, SiteConfig
from ..core.urls import (
    ARTICLES_URL,
    FEED_FILE,
    REDIRECTS_FILE,
    SEARCH_URL,
    TAGS_URL,
    absolute_url,
    person_url,
    search_bundle,
    site_path,
    slugify,
    static_rel,
    tag_url,
)
from ..jsonld import graphs as structured_data
from ..jsonld.serialize import script_json
from .assets import Assets
from .context import (
    ArticleContext,
    CollectionContext,
    CommonContext,
    DocumentContext,
    LanguageLink,
    LanguagePart,
    PagePart,
    PersonContext,
    TagContext,
    TagsContext,
)
from .feeds import render_feed, render_sitemap
from .headers import render_headers
from .i18n import Strings
from .images import picture_html, responsive_parts
from .pagination import Pagination, paginate
from .people import people_entries
from .redirects import redirect_page, render_redirects_file, site_redirects
from .tables import accessible_tables
from .templates import TemplateRenderer, safe_html

TOC_MIN_HEADINGS = 4  # a table of contents only helps on long articles
PERSON_TEMPLATE = "person.html"  # each page of a person's list of articles


@dataclass(frozen=True, slots=True)
class Shows:
    """What a page shows of the site beyond its own document, for its output key
    (pipeline/page_keys.py): the documents it lists or links by title (their front matter
    and URLs), and the facts about the rest of the site it prints (`facts`: pagination,
    the page's translations). A page planned with `None` instead may show anything of
    every document (the topics page, the search page's topic filter); so does a page whose
    template reads the whole site (templates.py `shows_whole_site`: the home page counts
    every article)."""

    documents: tuple[ResolvedDocument, ...] = ()
    facts: str = ""


# One page to render: (output path, template, its language's code, its context, built only when
# the page is wanted, what it shows of other documents).
Planned = tuple[str, str, str, Callable[[], Mapping[str, Any]], Shows | None]


def url_helpers(config: SiteConfig, assets: Assets) -> dict[str, Any]:
    """Template globals that honour a base_url with a path (project subpath hosting)."""

    def url(rel: str = "") -> str:
        return site_path(config.base_path, rel)

    def abs_url(rel: str = "") -> str:
        return absolute_url(config.base_url, rel)

    def asset(logical: str) -> str:
        return url(assets.output_path(logical))

    def static_url(path: str, absolute: bool = False) -> str:
        return abs_url(static_rel(path)) if absolute else url(static_rel(path))

    def person_page(person: Person) -> str:
        return url(person_url(person.id))

    return {"url": url, "abs_url": abs_url, "asset": asset, "static_url": static_url, "person_page": person_page}


def render_site(site: Site, templates: TemplateRenderer, diags: Diagnostics,
                wanted: Callable[[str], bool] = lambda path: True,
                plan: Sequence[Planned] | None = None) -> list[OutputFile]:
    """Every output file, or those whose path `wanted` accepts (the build cache and the
    worker processes each render a part); `plan`: `planned_pages` of this site, when the
    caller has it already."""
    return list(site_outputs(site, templates, diags, wanted, plan))


def site_outputs(site: Site, templates: TemplateRenderer, diags: Diagnostics,
                 wanted: Callable[[str], bool] = lambda path: True,
                 plan: Sequence[Planned] | None = None,
                 common: Mapping[str, CommonContext] | None = None) -> Iterator[OutputFile]:
    """`render_site`, one file at a time: a writer that places each file as it comes holds
    one page, not all of them (a worker's share of 10,000 articles is ~65 MB of bytes).
    `common`: `common_contexts` of this site, when the caller has it already."""
    plan = plan if plan is not None else planned_pages(site, templates.strings)
    yield from page_outputs(site, templates, diags, (page for page in plan if wanted(page[0])), common)
    yield from other_outputs(site, templates.strings, wanted)


def common_contexts(site: Site, strings: Mapping[str, Strings]) -> dict[str, CommonContext]:
    """What every page receives, by language code: made once a build, not once a chunk."""
    site_paths = frozenset(d.url for d in site.documents)
    return {edition.language.code: _edition_common(site, edition, site_paths, strings) for edition in site.editions}


def page_outputs(site: Site, templates: TemplateRenderer, diags: Diagnostics, pages: Iterable[Planned],
                 common: Mapping[str, CommonContext] | None = None) -> Iterator[OutputFile]:
    """The pages of `pages` (entries of `planned_pages`), rendered."""
    common = common if common is not None else common_contexts(site, templates.strings)
    for path, template_name, language, context, _ in pages:
        text = templates.render(template_name, {**common[language], **context()}, diags, language)
        if text is not None:
            yield OutputFile(path, text.encode("utf-8"))


def other_outputs(site: Site, strings: Mapping[str, Strings],
                  wanted: Callable[[str], bool] = lambda path: True) -> Iterator[OutputFile]:
    """Every output not rendered from a template whose path `wanted` accepts (no other is made)."""
    files: dict[str, Callable[[], bytes]] = {
        "sitemap.xml": lambda: render_sitemap(site),
        **{edition.language.prefix + FEED_FILE: lambda e=edition: render_feed(site, e)  # type: ignore[misc]
           for edition in site.editions},
        "robots.txt": lambda: f"User-agent: *\nAllow: /\n\nSitemap: {site.config.base_url}sitemap.xml\n".encode(),
        "_headers": lambda: render_headers(site),
    }
    redirects = site_redirects(site)
    if redirects:
        files[REDIRECTS_FILE] = lambda: render_redirects_file(site)
        titles = {doc.url: doc.meta.title for doc in site.documents}
        default = strings[site.config.language]
        for redirect in redirects:
            files[redirect.path] = lambda r=redirect: redirect_page(site, r, titles[r.target], default)  # type: ignore[misc]
    yield from (OutputFile(path, render()) for path, render in files.items() if wanted(path))


def _edition_common(site: Site, edition: Edition, site_paths: frozenset[str],
                    strings: Mapping[str, Strings]) -> CommonContext:
    """What every page of one language receives (context.py, CommonContext)."""
    return {
        "site": site,
        "config": site.config,
        "site_paths": site_paths,
        "tag_names": {slug: tag_name(docs, slug) for slug, docs in edition.tags.items()},
        "lang": edition.language,
        "edition": edition,
        "local_paths": _local_paths(site, edition),
        **_versions(site, strings, edition.language.code, {}),  # type: ignore[typeddict-item]
    }


def _local_paths(site: Site, edition: Edition) -> dict[str, str]:
    """Default-language page URL -> its version in this edition's language (its translation,
    else the page itself): the theme links about/ and urgent-help/ through it. Pages only, not
    articles: every page receives it, so it is part of every page's key (page_keys.py)."""
    default = site.config.language
    pages = [doc for doc in site.documents if doc.lang == default and doc.kind != ARTICLE.name]
    if edition.language.code == default:
        return {doc.url: doc.url for doc in pages}
    local = {}
    for doc in pages:
        versions = dict(site.translations.get(doc.url, ()))
        local[doc.url] = versions.get(edition.language.code, doc.url)
    return local


def _versions(site: Site, strings: Mapping[str, Strings], language: str, versions: Mapping[str, str]) -> LanguagePart:
    """The page's hreflang alternates and language switcher, from `versions`: language code ->
    site-relative URL of this page in that language (itself included). On a single-language
    site there are neither; a page in one language only gets no alternates, and its switcher
    links the other languages' home pages."""
    config = site.config
    if not config.multilingual:
        return NO_LANGUAGES
    languages = config.all_languages
    alternates = tuple((other.code, versions[other.code]) for other in languages if other.code in versions)
    if len(alternates) < 2:
        alternates = ()
    links = tuple(LanguageLink(other.code, strings[other.code].name, versions.get(other.code, other.prefix),
                               other.code == language) for other in languages)
    return {"alternates": alternates, "x_default": versions.get(config.language) if alternates else None,
            "language_links": links}


NO_LANGUAGES: LanguagePart = {"alternates": (), "x_default": None, "language_links": ()}


def planned_pages(site: Site, strings: Mapping[str, Strings]) -> Iterator[Planned]:
    """Every page rendered from a template, in site order; contexts are built on demand."""
    for doc in site.documents:
        yield (doc.url + "index.html", doc.document_kind.template, _code(site, doc.lang),
               lambda d=doc: DOCUMENT_PAGES[d.kind](site, d, strings),
               Shows(site.related.get(doc.url, ()), repr(site.translations.get(doc.url))))
    yield from collection_pages(site, strings)
    yield from people_pages(site, strings)
    not_found: PagePart = {"jsonld": None, "canonical": None}
    yield "404.html", "404.html", site.config.language, lambda: not_found, Shows()


def _code(site: Site, lang: str) -> str:
    return site.config.language_of(lang).code


def _document_versions(site: Site, strings: Mapping[str, Strings], doc: ResolvedDocument) -> LanguagePart:
    versions = dict(site.translations.get(doc.url, ((doc.lang, doc.url),)))
    return _versions(site, strings, doc.lang, versions)


def page_context(site: Site, doc: ResolvedDocument, strings: Mapping[str, Strings]) -> DocumentContext:
    language = site.config.language_of(doc.lang)
    words = strings[language.code]
    crumbs = [(words.text("home"), language.prefix)] + ([(doc.meta.title, doc.url)] if doc.url != language.prefix else [])
    graph = structured_data.page_graph(site.config, doc, crumbs)
    body, = _responsive(site, [_tables(doc.body.html, words)], 1)
    return {"doc": doc, "jsonld": _script(graph), "canonical": doc.url, "body_html": body, "breadcrumbs": crumbs,
            **_document_versions(site, strings, doc)}  # type: ignore[typeddict-item]


def article_context(site: Site, doc: ResolvedDocument, strings: Mapping[str, Strings]) -> ArticleContext:
    language = site.config.language_of(doc.lang)
    words = strings[language.code]
    crumbs = [(words.text("home"), language.prefix), (words.text("articles"), language.prefix + ARTICLES_URL),
              (doc.meta.title, doc.url)]
    graph = structured_data.article_graph(site.config, doc, crumbs)
    image = document_image(site, doc)
    hero = None
    if image is not None and doc.meta.image_alt is not None:
        hero = safe_html(picture_html(image, doc.meta.image_alt, site.config.base_path, site.config.images.sizes,
                                      eager=True, css_class="hero", priority=True))
    # Images in reading order (key takeaways, body, FAQ); the hero is the first one readers see,
    # without one the first image of the text is.
    parts = _responsive(site, [*(item.html for item in doc.summary), _tables(doc.body.html, words),
                               *(item.answer_html for item in doc.faq)], 0 if doc.meta.image else 1)
    summary, body, answers = parts[:len(doc.summary)], parts[len(doc.summary)], parts[len(doc.summary) + 1:]
    return {
        "doc": doc,
        "jsonld": _script(graph),
        "canonical": doc.url,
        "body_html": body,
        "breadcrumbs": crumbs,
        "summary_html": tuple(summary),
        "faq_html": tuple(answers),
        "toc": doc.body.headings if len(doc.body.headings) >= TOC_MIN_HEADINGS else (),
        "related": site.related.get(doc.url, ()),
        "tag_urls": {tag: tag_url(tag, language.prefix) for tag in doc.meta.tags},
        "image": image,
        "hero": hero,
        **_document_versions(site, strings, doc),  # type: ignore[typeddict-item]
    }


def _tables(html: str, words: Strings) -> str:
    return accessible_tables(html, words.pattern("table_named"), words.pattern("table_numbered"))


def document_image(site: Site, doc: ResolvedDocument) -> ImageInfo | None:
    """The front-matter `image`, with its size, when the build could read it (not an SVG)."""
    if not doc.meta.image:
        return None
    return site.images.get(doc.meta.image.lstrip("/").removeprefix("static/"))


def _responsive(site: Site, parts: list[str], eager_images: int) -> list[str]:
    """Rendered Markdown with its images made responsive (render/images.py), as safe HTML."""
    config = site.config
    return [safe_html(part) for part in
            responsive_parts(parts, site.images, config.base_path, config.images.sizes, eager_images)]


# What each document kind's page receives (its template is DocumentKind.template).
DOCUMENT_PAGES: dict[str, Callable[[Site, ResolvedDocument, Mapping[str, Strings]], DocumentContext]] = {
    ARTICLE.name: article_context,
    PAGE.name: page_context,
}


def collection_pages(site: Site, strings: Mapping[str, Strings]) -> Iterator[Planned]:
    """Each language's home, article list and tag pages (paginated), topics and search."""
    for edition in site.editions:
        yield from _edition_pages(_Listing(site, edition.language, strings), edition)


@dataclass(frozen=True, slots=True)
class _Listing:
    """What the list pages of one language share: the site, the language, every language's strings."""

    site: Site
    language: Language
    strings: Mapping[str, Strings]

    @property
    def words(self) -> Strings:
        return self.strings[self.language.code]

    def home(self) -> tuple[str, str]:
        return self.words.text("home"), self.language.prefix

    def same_page(self, path: str) -> dict[str, str]:
        """This generated page (home, article list, topics, search) in every language."""
        return {other.code: other.prefix + path for other in self.site.config.all_languages}


def _edition_pages(here: _Listing, edition: Edition) -> Iterator[Planned]:
    language, words, size = here.language, here.words, here.site.config.page_size
    prefix, code = language.prefix, language.code
    home = here.home()

    def planned(context: Callable[[], CollectionContext], url: str, template: str, shows: Shows | None) -> Planned:
        return url + "index.html", template, code, context, shows

    yield planned(lambda: _collection(here, prefix, "index.html", language.title, language.description, [home],
                                      edition.articles[:size], versions=here.same_page("")), prefix, "index.html",
                  Shows(tuple(edition.articles[:size]), str(len(edition.articles))))
    articles_url = prefix + ARTICLES_URL
    for chunk, pagination in paginate(articles_url, edition.articles, size):
        yield planned(lambda c=chunk, p=pagination: _collection(
            here, p.url, "list.html", words.text("all_articles"),
            words.text("all_articles_description", title=language.title),
            [home, (words.text("articles"), articles_url)], c, p, here.same_page(ARTICLES_URL)),
            pagination.url, "list.html", Shows(tuple(chunk), pagination.facts))
    tags = sorted(edition.tags.items())
    topics = (words.text("topics"), prefix + TAGS_URL)
    yield planned(lambda: {**_collection(here, prefix + TAGS_URL, "tags.html", topics[0],  # type: ignore[typeddict-item]
                                         words.text("topics_description", title=language.title),
                                         [home, topics], (), versions=here.same_page(TAGS_URL)), "tags": tags},
                  prefix + TAGS_URL, "tags.html", None)
    for slug, articles in tags:
        name = tag_name(articles, slug)
        for chunk, pagination in paginate(tag_url(slug, prefix), articles, size):
            yield planned(lambda c=chunk, p=pagination, n=name, u=tag_url(slug, prefix): _tag(here, n, u, c, p),
                          pagination.url, "tag.html", Shows(tuple(chunk), f"{name} {pagination.facts}"))
    search = (words.text("search"), prefix + SEARCH_URL)
    yield planned(lambda: {**_collection(here, prefix + SEARCH_URL, "search.html", search[0],  # type: ignore[typeddict-item]
                                         words.text("search_description", title=language.title), [home, search], (),
                                         versions=here.same_page(SEARCH_URL)),
                           "search_index": search_bundle(prefix)}, prefix + SEARCH_URL, "search.html", None)


def _tag(here: _Listing, name: str, url: str, articles: Sequence[ResolvedDocument],
         pagination: Pagination) -> TagContext:
    words, prefix = here.words, here.language.prefix
    crumbs = [here.home(), (words.text("topics"), prefix + TAGS_URL), (name, url)]
    context = _collection(here, pagination.url, "tag.html", words.text("tag_title", tag=name),
                          words.text("tag_description", title=here.language.title, tag=name), crumbs, articles,
                          pagination)
    return {**context, "tag": name}  # type: ignore[typeddict-item]


def _collection(here: _Listing, url: str, template: str, title: str, description: str,
                breadcrumbs: list[tuple[str, str]], articles: Iterable[ResolvedDocument],
                pagination: Pagination | None = None, versions: Mapping[str, str] | None = None) -> CollectionContext:
    """A list page's context; `versions`: its URL in every language, when it has one in each
    (page 1 of the home, list, topics and search pages)."""
    if pagination is not None and pagination.number > 1:
        title = here.words.text("page_title", title=title, number=pagination.number, count=pagination.count)
        breadcrumbs = [*breadcrumbs, (here.words.text("page_crumb", number=pagination.number), pagination.url)]
        versions = None
    graph = structured_data.collection_graph(here.site.config, url=url, name=title, description=description,
                                             breadcrumbs=breadcrumbs, language=here.language)
    return {"page_url": url, "template": template, "title": title, "description": description,
            "canonical": url, "breadcrumbs": breadcrumbs, "articles": tuple(articles), "jsonld": _script(graph),
            "pagination": pagination,
            **_versions(here.site, here.strings, here.language.code, versions or {here.language.code: url})}  # type: ignore[typeddict-item]


def people_pages(site: Site, strings: Mapping[str, Strings]) -> Iterator[Planned]:
    """One page per person of site.yaml (paginated like the article list), in the default language:
    the articles they wrote or reviewed in every language."""
    config = site.config
    here = _Listing(site, config.all_languages[0], strings)
    for person_id, entries in people_entries(site).items():
        person = config.people[person_id]
        for chunk, pagination in paginate(person_url(person_id), entries, config.page_size):
            yield (pagination.url + "index.html", PERSON_TEMPLATE, config.language,
                   lambda p=person, c=chunk, g=pagination: _person(here, p, c, g),
                   Shows(tuple(doc for doc, _ in chunk), f"{person_id} {[role for _, role in chunk]} {pagination.facts}"))


def _person(here: _Listing, person: Person, entries: Sequence[tuple[ResolvedDocument, str]],
            pagination: Pagination) -> PersonContext:
    config, words = here.site.config, here.words
    name = person.name + (f", {person.credentials}" if person.credentials else "")
    title = name if pagination.number == 1 else words.text("page_title", title=name, number=pagination.number,
                                                           count=pagination.count)
    description = person.bio or words.text("person_description", name=name, title=here.language.title)
    crumbs = [here.home(), (person.name, person_url(person.id))]
    if pagination.number > 1:
        crumbs.append((words.text("page_crumb", number=pagination.number), pagination.url))
    graph = structured_data.profile_graph(config, person, url=pagination.url, name=title, description=description,
                                          breadcrumbs=crumbs)
    return {"page_url": pagination.url, "template": "person.html", "title": title, "description": description,
            "canonical": pagination.url, "breadcrumbs": crumbs, "articles": tuple(doc for doc, _ in entries),
            "jsonld": _script(graph), "pagination": pagination, "person": person,
            "entries": tuple((doc, words.text(role)) for doc, role in entries),
            "profile_url": _profile_url(config, person),
            **_versions(here.site, here.strings, here.language.code, {here.language.code: pagination.url})}  # type: ignore[typeddict-item]


def _profile_url(config: SiteConfig, person: Person) -> str | None:
    """The person's own address (site.yaml `url`), unless it is this very page."""
    if not person.url or absolute_url(config.base_url, person_url(person.id)) == person.url:
        return None
    return person.url


def tag_name(articles: Iterable[ResolvedDocument], slug: str) -> str:
    for doc in articles:
        for tag in doc.meta.tags:
            if slugify(tag) == slug:
                return tag.replace("-", " ")
    return slug


def _script(graph: dict) -> str:
    # script_json escapes <, >, & and ' so the JSON cannot end the <script> element.
    return safe_html(script_json(graph))
