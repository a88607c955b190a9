"""Stage 4c: plan and render every output file of the site.

Each function returns `OutputFile`s; nothing here touches the disk. What each
document kind renders is declared once, in `DOCUMENT_PAGES`; the contexts the
templates receive are typed in context.py.
"""

from __future__ import annotations

from typing import Any, Callable, Iterable, Mapping

from ..core.errors import Diagnostics
from ..core.kinds import ARTICLE, PAGE
from ..core.model import OutputFile, ResolvedDocument, Site, SiteConfig
from ..core.urls import ARTICLES_URL, SEARCH_URL, TAGS_URL, absolute_url, site_path, slugify, static_rel, tag_url
from ..jsonld import graphs as structured_data
from ..jsonld.serialize import script_json
from .assets import Assets
from .context import (
    ArticleContext,
    CollectionContext,
    CommonContext,
    DocumentContext,
    PagePart,
    TagContext,
    TagsContext,
)
from .feeds import render_feed, render_sitemap
from .headers import render_headers
from .tables import accessible_tables
from .templates import TemplateRenderer, safe_html

TOC_MIN_HEADINGS = 4  # a table of contents only helps on long articles


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

    return {"url": url, "abs_url": abs_url, "asset": asset, "static_url": static_url}


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

    def page(path: str, template_name: str, context: Mapping[str, Any]) -> None:
        if not wanted(path):
            return
        text = templates.render(template_name, {**common, **context}, diags)
        if text is not None:
            outputs.append(OutputFile(path, text.encode("utf-8")))

    for doc in (d for d in site.documents if wanted(d.url + "index.html")):
        page(doc.url + "index.html", doc.document_kind.template, DOCUMENT_PAGES[doc.kind](site, doc))
    for spec in collection_pages(site):
        page(spec["page_url"] + "index.html", spec["template"], spec)
    not_found: PagePart = {"jsonld": None, "canonical": None}
    page("404.html", "404.html", not_found)
    files: dict[str, Callable[[], bytes]] = {
        "sitemap.xml": lambda: render_sitemap(site),
        "feed.xml": lambda: render_feed(site),
        "robots.txt": lambda: f"User-agent: *\nAllow: /\n\nSitemap: {site.config.base_url}sitemap.xml\n".encode(),
        "_headers": lambda: render_headers(site),
    }
    outputs.extend(OutputFile(path, render()) for path, render in files.items() if wanted(path))
    return outputs


def page_context(site: Site, doc: ResolvedDocument) -> DocumentContext:
    graph = structured_data.page_graph(site.config, doc)
    return {"doc": doc, "jsonld": _script(graph), "canonical": doc.url,
            "body_html": safe_html(accessible_tables(doc.body.html))}


def article_context(site: Site, doc: ResolvedDocument) -> ArticleContext:
    graph = structured_data.article_graph(site.config, doc)
    return {
        "doc": doc,
        "jsonld": _script(graph),
        "canonical": doc.url,
        "body_html": safe_html(accessible_tables(doc.body.html)),
        "toc": doc.body.headings if len(doc.body.headings) >= TOC_MIN_HEADINGS else (),
        "related": site.related.get(doc.url, ()),
        "tag_urls": {tag: tag_url(tag) for tag in doc.meta.tags},
    }


# What each document kind's page receives (its template is DocumentKind.template).
DOCUMENT_PAGES: dict[str, Callable[[Site, ResolvedDocument], DocumentContext]] = {
    ARTICLE.name: article_context,
    PAGE.name: page_context,
}


def collection_pages(site: Site) -> Iterable[CollectionContext]:
    config = site.config
    home = ("Home", "")
    yield _collection(config, "", "index.html", config.title, config.description, [home], site.articles)
    yield _collection(config, ARTICLES_URL, "list.html", "All articles",
                      f"Every article on {config.title}, newest first.", [home, ("Articles", ARTICLES_URL)],
                      site.articles)
    tags = sorted(site.tags.items())
    topics: TagsContext = {**_collection(config, TAGS_URL, "tags.html", "Topics",
                                         f"Browse {config.title} articles by topic.",
                                         [home, ("Topics", TAGS_URL)], ()), "tags": tags}
    yield topics
    for slug, articles in tags:
        name = tag_name(articles, slug)
        tag: TagContext = {**_collection(config, tag_url(slug), "tag.html",
                                         f"Articles about {name}", f"{config.title} articles tagged {name}.",
                                         [home, ("Topics", TAGS_URL), (name, tag_url(slug))], articles), "tag": name}
        yield tag
    yield _collection(config, SEARCH_URL, "search.html", "Search", f"Search {config.title}.",
                      [home, ("Search", SEARCH_URL)], ())


def _collection(config: SiteConfig, url: str, template: str, title: str, description: str,
                breadcrumbs: list[tuple[str, str]], articles: Iterable[ResolvedDocument]) -> CollectionContext:
    graph = structured_data.collection_graph(config, url=url, name=title, description=description, breadcrumbs=breadcrumbs)
    return {"page_url": url, "template": template, "title": title, "description": description,
            "canonical": url, "breadcrumbs": breadcrumbs, "articles": tuple(articles), "jsonld": _script(graph)}


def tag_name(articles: Iterable[ResolvedDocument], slug: str) -> str:
    for doc in articles:
        for tag in doc.meta.tags:
            if slugify(tag) == slug:
                return tag.replace("-", " ")
    return slug


def _script(graph: dict) -> str:
    # script_json escapes <, >, & and ' so the JSON cannot end the <script> element.
    return safe_html(script_json(graph))
