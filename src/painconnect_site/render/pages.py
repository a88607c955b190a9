"""Stage 4c: plan and render every output file of the site.

Each function returns `OutputFile`s; nothing here touches the disk. What each
document kind renders is declared once, in `DOCUMENT_PAGES`; the contexts the
templates receive are typed in context.py.
"""

from __future__ import annotations

from typing import Any, Callable, Iterable, Iterator, Mapping, Sequence

from ..core.errors import Diagnostics
from ..core.kinds import ARTICLE, PAGE
from ..core.model import ImageInfo, OutputFile, Person, ResolvedDocument, Site, SiteConfig
from ..core.urls import (
    ARTICLES_URL,
    REDIRECTS_FILE,
    SEARCH_URL,
    TAGS_URL,
    absolute_url,
    list_page_urls,
    person_url,
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
    PagePart,
    PersonContext,
    TagContext,
    TagsContext,
)
from .feeds import render_feed, render_sitemap
from .headers import render_headers
from .images import picture_html, responsive_parts
from .pagination import Pagination, paginate
from .people import people_entries
from .redirects import redirect_page, render_redirects_file, site_redirects
from .tables import accessible_tables
from .templates import TemplateRenderer, safe_html

TOC_MIN_HEADINGS = 4  # a table of contents only helps on long articles

# One page to render: (output path, template, its context, built only when the page is wanted).
Planned = tuple[str, str, Callable[[], Mapping[str, Any]]]


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
                wanted: Callable[[str], bool] = lambda path: True) -> list[OutputFile]:
    """Every output file, or those whose path `wanted` accepts (the build cache and the
    worker processes each render a part)."""
    outputs: list[OutputFile] = []
    common: CommonContext = {
        "site": site,
        "config": site.config,
        "site_paths": frozenset(d.url for d in site.documents),
        "tag_names": {slug: tag_name(docs, slug) for slug, docs in site.tags.items()},
    }

    for path, template_name, context in planned_pages(site):
        if wanted(path):
            text = templates.render(template_name, {**common, **context()}, diags)
            if text is not None:
                outputs.append(OutputFile(path, text.encode("utf-8")))
    files: dict[str, Callable[[], bytes]] = {
        "sitemap.xml": lambda: render_sitemap(site),
        "feed.xml": lambda: render_feed(site),
        "robots.txt": lambda: f"User-agent: *\nAllow: /\n\nSitemap: {site.config.base_url}sitemap.xml\n".encode(),
        "_headers": lambda: render_headers(site),
    }
    redirects = site_redirects(site)
    if redirects:
        files[REDIRECTS_FILE] = lambda: render_redirects_file(site)
        titles = {doc.url: doc.meta.title for doc in site.documents}
        for redirect in redirects:
            files[redirect.path] = lambda r=redirect: redirect_page(site, r, titles[r.target])  # type: ignore[misc]
    outputs.extend(OutputFile(path, render()) for path, render in files.items() if wanted(path))
    return outputs


def planned_pages(site: Site) -> Iterator[Planned]:
    """Every page rendered from a template, in site order; contexts are built on demand."""
    for doc in site.documents:
        yield doc.url + "index.html", doc.document_kind.template, lambda d=doc: DOCUMENT_PAGES[d.kind](site, d)
    yield from collection_pages(site)
    yield from people_pages(site)
    not_found: PagePart = {"jsonld": None, "canonical": None}
    yield "404.html", "404.html", lambda: not_found


def page_context(site: Site, doc: ResolvedDocument) -> DocumentContext:
    graph = structured_data.page_graph(site.config, doc)
    body, = _responsive(site, [accessible_tables(doc.body.html)], 1)
    return {"doc": doc, "jsonld": _script(graph), "canonical": doc.url, "body_html": body}


def article_context(site: Site, doc: ResolvedDocument) -> ArticleContext:
    graph = structured_data.article_graph(site.config, doc)
    image = document_image(site, doc)
    hero = None
    if image is not None and doc.meta.image_alt is not None:
        hero = safe_html(picture_html(image, doc.meta.image_alt, site.config.base_path, site.config.images.sizes,
                                      eager=True, css_class="hero", priority=True))
    # Images in reading order (key takeaways, body, FAQ); the hero is the first one readers see,
    # without one the first image of the text is.
    parts = _responsive(site, [*(item.html for item in doc.summary), accessible_tables(doc.body.html),
                               *(item.answer_html for item in doc.faq)], 0 if doc.meta.image else 1)
    summary, body, answers = parts[:len(doc.summary)], parts[len(doc.summary)], parts[len(doc.summary) + 1:]
    return {
        "doc": doc,
        "jsonld": _script(graph),
        "canonical": doc.url,
        "body_html": body,
        "summary_html": tuple(summary),
        "faq_html": tuple(answers),
        "toc": doc.body.headings if len(doc.body.headings) >= TOC_MIN_HEADINGS else (),
        "related": site.related.get(doc.url, ()),
        "tag_urls": {tag: tag_url(tag) for tag in doc.meta.tags},
        "image": image,
        "hero": hero,
    }


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
DOCUMENT_PAGES: dict[str, Callable[[Site, ResolvedDocument], DocumentContext]] = {
    ARTICLE.name: article_context,
    PAGE.name: page_context,
}


def collection_pages(site: Site) -> Iterator[Planned]:
    """Home, the article list and tag pages (paginated), topics and search."""
    config = site.config
    home = ("Home", "")
    size = config.page_size

    def planned(context: Callable[[], CollectionContext], url: str, template: str) -> Planned:
        return url + "index.html", template, context

    yield planned(lambda: _collection(config, "", "index.html", config.title, config.description, [home],
                                      site.articles[:size]), "", "index.html")
    for chunk, pagination in paginate(ARTICLES_URL, site.articles, size):
        yield planned(lambda c=chunk, p=pagination: _collection(
            config, p.url, "list.html", "All articles", f"Every article on {config.title}, newest first.",
            [home, ("Articles", ARTICLES_URL)], c, p), pagination.url, "list.html")
    tags = sorted(site.tags.items())
    yield planned(lambda: {**_collection(config, TAGS_URL, "tags.html", "Topics",  # type: ignore[typeddict-item]
                                         f"Browse {config.title} articles by topic.",
                                         [home, ("Topics", TAGS_URL)], ()), "tags": tags}, TAGS_URL, "tags.html")
    for slug, articles in tags:
        name = tag_name(articles, slug)
        for chunk, pagination in paginate(tag_url(slug), articles, size):
            yield planned(lambda c=chunk, p=pagination, n=name, u=tag_url(slug): _tag(config, n, u, c, p),
                          pagination.url, "tag.html")
    yield planned(lambda: _collection(config, SEARCH_URL, "search.html", "Search", f"Search {config.title}.",
                                      [home, ("Search", SEARCH_URL)], ()), SEARCH_URL, "search.html")


def _tag(config: SiteConfig, name: str, url: str, articles: Sequence[ResolvedDocument],
         pagination: Pagination) -> TagContext:
    crumbs = [("Home", ""), ("Topics", TAGS_URL), (name, url)]
    context = _collection(config, pagination.url, "tag.html", f"Articles about {name}",
                          f"{config.title} articles tagged {name}.", crumbs, articles, pagination)
    return {**context, "tag": name}  # type: ignore[typeddict-item]


def _collection(config: SiteConfig, url: str, template: str, title: str, description: str,
                breadcrumbs: list[tuple[str, str]], articles: Iterable[ResolvedDocument],
                pagination: Pagination | None = None) -> CollectionContext:
    if pagination is not None and pagination.number > 1:
        title = f"{title} (page {pagination.number} of {pagination.count})"
        breadcrumbs = [*breadcrumbs, (f"Page {pagination.number}", pagination.url)]
    graph = structured_data.collection_graph(config, url=url, name=title, description=description, breadcrumbs=breadcrumbs)
    return {"page_url": url, "template": template, "title": title, "description": description,
            "canonical": url, "breadcrumbs": breadcrumbs, "articles": tuple(articles), "jsonld": _script(graph),
            "pagination": pagination}


def people_pages(site: Site) -> Iterator[Planned]:
    """One page per person of site.yaml (paginated like the article list)."""
    config = site.config
    for person_id, entries in people_entries(site).items():
        person = config.people[person_id]
        for chunk, pagination in paginate(person_url(person_id), entries, config.page_size):
            yield (pagination.url + "index.html", "person.html",
                   lambda p=person, c=chunk, g=pagination: _person(config, p, c, g))


def people_paths(site: Site) -> list[str]:
    """The output path of every person's page (page keys: they depend on front matter only)."""
    size = site.config.page_size
    return [url + "index.html" for person_id, entries in people_entries(site).items()
            for url in list_page_urls(person_url(person_id), len(entries), size)]


def _person(config: SiteConfig, person: Person, entries: Sequence[tuple[ResolvedDocument, str]],
            pagination: Pagination) -> PersonContext:
    name = person.name + (f", {person.credentials}" if person.credentials else "")
    title = name if pagination.number == 1 else f"{name} (page {pagination.number} of {pagination.count})"
    description = person.bio or f"{name}: what they wrote and reviewed for {config.title}."
    crumbs = [("Home", ""), (person.name, person_url(person.id))]
    if pagination.number > 1:
        crumbs.append((f"Page {pagination.number}", pagination.url))
    graph = structured_data.profile_graph(config, person, url=pagination.url, name=title, description=description,
                                          breadcrumbs=crumbs)
    return {"page_url": pagination.url, "template": "person.html", "title": title, "description": description,
            "canonical": pagination.url, "breadcrumbs": crumbs, "articles": tuple(doc for doc, _ in entries),
            "jsonld": _script(graph), "pagination": pagination, "person": person, "entries": tuple(entries),
            "profile_url": _profile_url(config, person)}


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
