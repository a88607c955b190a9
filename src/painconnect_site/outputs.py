"""Stage 4c: plan and render every output file of the site.

Each function returns `OutputFile`s; nothing here touches the disk. XML
outputs (sitemap, feed) are built with ElementTree, never string pasting.
"""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET
from typing import Any, Iterable

from markupsafe import Markup

from . import structured_data
from .assets import Assets
from .errors import Diagnostics
from .model import OutputFile, ResolvedDocument, Site, SiteConfig
from .site_index import slugify
from .templates import TemplateRenderer

FEED_SIZE = 20
RELATED_COUNT = 3
TOC_MIN_HEADINGS = 4  # a table of contents only helps on long articles


def url_helpers(config: SiteConfig, assets: Assets) -> dict[str, Any]:
    """Template globals that honour a base_url with a path (project subpath hosting)."""

    def url(rel: str = "") -> str:
        return config.base_path + rel.lstrip("/")

    def abs_url(rel: str = "") -> str:
        return config.base_url + rel.lstrip("/")

    def asset(logical: str) -> str:
        return url(assets.output_path(logical))

    def static_url(path: str, absolute: bool = False) -> str:
        rel = "static/" + path.lstrip("/").removeprefix("static/")
        return abs_url(rel) if absolute else url(rel)

    return {"url": url, "abs_url": abs_url, "asset": asset, "static_url": static_url}


def render_site(site: Site, templates: TemplateRenderer, diags: Diagnostics) -> list[OutputFile]:
    outputs: list[OutputFile] = []
    common = {
        "site": site,
        "config": site.config,
        "site_paths": frozenset(d.url for d in (*site.articles, *site.pages)),
        "tag_names": {slug: tag_name(docs, slug) for slug, docs in site.tags.items()},
    }

    def page(path: str, template_name: str, **context: Any) -> None:
        text = templates.render(template_name, {**common, **context}, diags)
        if text is not None:
            outputs.append(OutputFile(path, text.encode("utf-8")))

    for doc in site.articles:
        page(doc.url + "index.html", "article.html", **article_context(site, doc))
    for doc in site.pages:
        graph = structured_data.page_graph(site.config, doc)
        page(doc.url + "index.html", "page.html", doc=doc, jsonld=_script(graph), canonical=doc.url)
    for spec in collection_pages(site):
        page(spec["page_url"] + "index.html", spec["template"], **spec)
    page("404.html", "404.html", jsonld=None, canonical=None)
    outputs.append(OutputFile("sitemap.xml", render_sitemap(site)))
    outputs.append(OutputFile("feed.xml", render_feed(site)))
    outputs.append(OutputFile("robots.txt", f"User-agent: *\nAllow: /\n\nSitemap: {site.config.base_url}sitemap.xml\n".encode()))
    return outputs


def article_context(site: Site, doc: ResolvedDocument) -> dict[str, Any]:
    graph = structured_data.article_graph(site.config, doc)
    return {
        "doc": doc,
        "jsonld": _script(graph),
        "canonical": doc.url,
        "toc": doc.body.headings if len(doc.body.headings) >= TOC_MIN_HEADINGS else (),
        "related": related_articles(site, doc),
        "tag_urls": {tag: f"tags/{slugify(tag)}/" for tag in doc.meta.tags},
    }


def collection_pages(site: Site) -> Iterable[dict[str, Any]]:
    config = site.config
    home = ("Home", "")
    yield _collection(config, "", "index.html", config.title, config.description, [home], site.articles)
    yield _collection(config, "articles/", "list.html", "All articles",
                      f"Every article on {config.title}, newest first.", [home, ("Articles", "articles/")], site.articles)
    tags = sorted(site.tags.items())
    yield {**_collection(config, "tags/", "tags.html", "Topics", f"Browse {config.title} articles by topic.",
                         [home, ("Topics", "tags/")], ()), "tags": tags}
    for slug, articles in tags:
        name = tag_name(articles, slug)
        yield {**_collection(config, f"tags/{slug}/", "tag.html", f"Articles about {name}",
                             f"{config.title} articles tagged {name}.",
                             [home, ("Topics", "tags/"), (name, f"tags/{slug}/")], articles), "tag": name}
    yield _collection(config, "search/", "search.html", "Search", f"Search {config.title}.",
                      [home, ("Search", "search/")], ())


def _collection(config: SiteConfig, url: str, template: str, title: str, description: str,
                breadcrumbs: list[tuple[str, str]], articles: Iterable[ResolvedDocument]) -> dict[str, Any]:
    graph = structured_data.collection_graph(config, url=url, name=title, description=description, breadcrumbs=breadcrumbs)
    return {"page_url": url, "template": template, "title": title, "description": description, "canonical": url,
            "breadcrumbs": breadcrumbs, "articles": tuple(articles), "jsonld": _script(graph)}


def tag_name(articles: Iterable[ResolvedDocument], slug: str) -> str:
    for doc in articles:
        for tag in doc.meta.tags:
            if slugify(tag) == slug:
                return tag.replace("-", " ")
    return slug


def related_articles(site: Site, doc: ResolvedDocument) -> tuple[ResolvedDocument, ...]:
    """Articles sharing the most tags; ties broken newest first (the order of site.articles)."""
    tags = set(doc.meta.tags)
    scored = [(len(tags & set(other.meta.tags)), i, other) for i, other in enumerate(site.articles) if other is not doc]
    best = sorted((s for s in scored if s[0] > 0), key=lambda s: (-s[0], s[1]))
    return tuple(other for _, _, other in best[:RELATED_COUNT])


def _script(graph: dict) -> Markup:
    # script_json escapes <, >, & and ' so the JSON cannot end the <script> element.
    return Markup(structured_data.script_json(graph))


def last_modified(doc: ResolvedDocument) -> dt.date:
    return max(d for d in (doc.meta.date, doc.meta.updated, doc.meta.reviewed) if d)


def render_sitemap(site: Site) -> bytes:
    ns = "http://www.sitemaps.org/schemas/sitemap/0.9"
    urlset = ET.Element("urlset", xmlns=ns)
    newest = max((last_modified(d) for d in site.articles), default=site.build_date)
    entries = [("", newest), ("articles/", newest)]
    entries += [(d.url, last_modified(d)) for d in (*site.articles, *site.pages)]
    entries += [(f"tags/{slug}/", max(last_modified(d) for d in docs)) for slug, docs in sorted(site.tags.items())]
    for rel, lastmod in entries:
        item = ET.SubElement(urlset, "url")
        ET.SubElement(item, "loc").text = site.config.base_url + rel
        ET.SubElement(item, "lastmod").text = lastmod.isoformat()
    return _xml_bytes(urlset)


def render_feed(site: Site) -> bytes:
    config = site.config
    ns = "http://www.w3.org/2005/Atom"
    feed = ET.Element("feed", {"xmlns": ns, "xml:lang": config.language})
    ET.SubElement(feed, "title").text = config.title
    ET.SubElement(feed, "subtitle").text = config.description
    ET.SubElement(feed, "id").text = config.base_url
    ET.SubElement(feed, "link", href=config.base_url + "feed.xml", rel="self", type="application/atom+xml")
    ET.SubElement(feed, "link", href=config.base_url, rel="alternate", type="text/html")
    newest = max((last_modified(d) for d in site.articles), default=site.build_date)
    ET.SubElement(feed, "updated").text = _atom_time(newest)
    ET.SubElement(ET.SubElement(feed, "author"), "name").text = config.organization.name
    for doc in site.articles[:FEED_SIZE]:
        entry = ET.SubElement(feed, "entry")
        ET.SubElement(entry, "title").text = doc.meta.title
        ET.SubElement(entry, "id").text = config.base_url + doc.url
        ET.SubElement(entry, "link", href=config.base_url + doc.url, rel="alternate", type="text/html")
        ET.SubElement(entry, "published").text = _atom_time(doc.meta.date)
        ET.SubElement(entry, "updated").text = _atom_time(doc.meta.updated or doc.meta.date)
        ET.SubElement(ET.SubElement(entry, "author"), "name").text = doc.author.name
        ET.SubElement(entry, "summary").text = doc.meta.description
        for tag in doc.meta.tags:
            ET.SubElement(entry, "category", term=tag)
    return _xml_bytes(feed)


def _atom_time(day: dt.date) -> str:
    return f"{day.isoformat()}T00:00:00Z"


def _xml_bytes(root: ET.Element) -> bytes:
    ET.indent(root)
    return b'<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(root, encoding="utf-8", xml_declaration=False) + b"\n"
