"""Stage 4c: plan and render every output file of the site.

Each function returns `OutputFile`s; nothing here touches the disk. XML
outputs (sitemap, feed) are built with ElementTree, never string pasting.
"""

from __future__ import annotations

import datetime as dt
import html
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from typing import Any, Callable, Iterable

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

# Sent as a header (`_headers`), not a <meta> tag: `serve` injects livereload's inline
# script into pages. Pagefind compiles its WebAssembly search, hence 'wasm-unsafe-eval';
# no inline scripts or styles anywhere (JSON-LD blocks are data, CSP never executes them).
CONTENT_SECURITY_POLICY = (
    ("default-src", "'self'"),
    ("script-src", "'self' 'wasm-unsafe-eval'"),
    ("style-src", "'self'"),
    ("img-src", "'self'"),
    ("font-src", "'self'"),
    ("connect-src", "'self'"),
    ("worker-src", "'self'"),
    ("object-src", "'none'"),
    ("base-uri", "'self'"),
    ("form-action", "'self'"),
    ("frame-ancestors", "'none'"),
)

IMMUTABLE = "public, max-age=31536000, immutable"  # fingerprinted CSS and JS never change
SHORT_CACHE = "public, max-age=300"  # HTML and feeds: corrections reach readers within minutes
REVALIDATE = "public, max-age=0, must-revalidate"  # Pagefind's entry files name its hashed chunks
SECURITY_HEADERS = (
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "strict-origin-when-cross-origin"),
    ("Permissions-Policy", "camera=(), microphone=(), geolocation=()"),
)


def content_security_policy() -> str:
    return "; ".join(f"{name} {value}" for name, value in CONTENT_SECURITY_POLICY)


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


def render_site(site: Site, templates: TemplateRenderer, diags: Diagnostics,
                wanted: Callable[[str], bool] = lambda path: True) -> list[OutputFile]:
    """Every output file, or those whose path `wanted` accepts (the build cache and the
    worker processes each render a part)."""
    outputs: list[OutputFile] = []
    common = {
        "site": site,
        "config": site.config,
        "site_paths": frozenset(d.url for d in (*site.articles, *site.pages)),
        "tag_names": {slug: tag_name(docs, slug) for slug, docs in site.tags.items()},
    }

    def page(path: str, template_name: str, **context: Any) -> None:
        if not wanted(path):
            return
        text = templates.render(template_name, {**common, **context}, diags)
        if text is not None:
            outputs.append(OutputFile(path, text.encode("utf-8")))

    for doc in (d for d in site.articles if wanted(d.url + "index.html")):
        page(doc.url + "index.html", "article.html", **article_context(site, doc))
    for doc in (d for d in site.pages if wanted(d.url + "index.html")):
        graph = structured_data.page_graph(site.config, doc)
        page(doc.url + "index.html", "page.html", doc=doc, jsonld=_script(graph), canonical=doc.url,
             body_html=accessible_tables(doc.body.html))
    for spec in collection_pages(site):
        page(spec["page_url"] + "index.html", spec["template"], **spec)
    page("404.html", "404.html", jsonld=None, canonical=None)
    files: dict[str, Callable[[], bytes]] = {
        "sitemap.xml": lambda: render_sitemap(site),
        "feed.xml": lambda: render_feed(site),
        "robots.txt": lambda: f"User-agent: *\nAllow: /\n\nSitemap: {site.config.base_url}sitemap.xml\n".encode(),
        "_headers": lambda: render_headers(site),
    }
    outputs.extend(OutputFile(path, render()) for path, render in files.items() if wanted(path))
    return outputs


def article_context(site: Site, doc: ResolvedDocument) -> dict[str, Any]:
    graph = structured_data.article_graph(site.config, doc)
    return {
        "doc": doc,
        "jsonld": _script(graph),
        "canonical": doc.url,
        "body_html": accessible_tables(doc.body.html),
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
    """Articles sharing the most tags; ties broken newest first (the order of site.articles).

    Comparing every pair of articles is quadratic (minutes at 10,000 articles), so each tag
    is a bitmask over article positions and `at_least[j]` marks the articles sharing at
    least j of this article's tags; the lowest set bit is the newest article.
    """
    index = _tag_index(site)
    masks = [index.masks[tag] for tag in set(doc.meta.tags) if tag in index.masks]
    at_least = [-1] + [0] * len(masks)  # -1: every bit set
    for mask in masks:
        for shared in range(len(masks), 0, -1):
            at_least[shared] |= at_least[shared - 1] & mask
    best: list[int] = []
    seen = index.bits.get(id(doc), 0)  # never the article itself
    for shared in range(len(masks), 0, -1):
        fresh = at_least[shared] & ~seen
        seen |= fresh
        while fresh and len(best) < RELATED_COUNT:
            lowest = fresh & -fresh
            best.append(lowest.bit_length() - 1)
            fresh ^= lowest
    return tuple(site.articles[i] for i in best)


@dataclass(frozen=True, slots=True)
class _TagIndex:
    site: Site
    masks: dict[str, int]  # tag -> bit i set when site.articles[i] has it
    bits: dict[int, int]  # id(article) -> its own bit


_tag_indexes: list[_TagIndex] = []  # the latest site's index: built once, used for every article


def release_indexes() -> None:
    """Forget the latest site's index, which keeps that whole site alive (called after a build)."""
    _tag_indexes.clear()


def _tag_index(site: Site) -> _TagIndex:
    if _tag_indexes and _tag_indexes[0].site is site:
        return _tag_indexes[0]
    masks: dict[str, int] = {}
    for position, article in enumerate(site.articles):
        for tag in set(article.meta.tags):
            masks[tag] = masks.get(tag, 0) | (1 << position)
    index = _TagIndex(site, masks, {id(article): 1 << i for i, article in enumerate(site.articles)})
    _tag_indexes[:] = [index]
    return index


# Python-Markdown writes every table as a bare `<table>` at the start of a line.
_TABLE_RE = re.compile(r"(?:<p>Table: (?P<caption>(?:(?!</?p>).)*)</p>\s*)?<table>(?P<body>.*?)</table>", re.DOTALL)
_HEADING_RE = re.compile(r"<h[2-6][^>]*>(.*?)</h[2-6]>", re.DOTALL)
_TAG_RE = re.compile(r"<[^>]+>")
# Python-Markdown aligns columns with inline styles, which `style-src 'self'` blocks.
_ALIGN_STYLE_RE = re.compile(r'style="text-align: (left|right|center);?"')


def accessible_tables(body: str) -> Markup:
    """Give every table a name and a keyboard-scrollable frame; the table stays a native table.

    A paragraph `Table: words` just before a table becomes its <caption> (Pandoc's
    syntax); a table without one is named after the heading above it. The frame is a
    focusable, labelled region, so keyboard users can scroll a table wider than the
    screen. No ARIA roles on the table's own elements: the HTML standard forbids
    restating them, and the CSS never changes a table's display, so nothing is lost.
    """
    count = 0

    def wrap(match: re.Match[str]) -> str:
        nonlocal count
        count += 1
        caption = match.group("caption")
        if caption is not None:
            caption_id = f"table-caption-{count}"
            label = f'aria-labelledby="{caption_id}"'
            head = f'<caption id="{caption_id}">{caption}</caption>'
        else:
            label = f'aria-label="{_attr(_table_name(body[: match.start()], count))}"'
            head = ""
        cells = _ALIGN_STYLE_RE.sub(r'class="align-\1"', match.group("body"))
        return f'<div class="table-scroll" role="region" tabindex="0" {label}><table>{head}{cells}</table></div>'

    return Markup(_TABLE_RE.sub(wrap, body))


def _table_name(html_before: str, number: int) -> str:
    headings = _HEADING_RE.findall(html_before)
    heading = _plain(headings[-1]) if headings else ""
    return f"Table: {heading}" if heading else f"Table {number}"


def _plain(fragment: str) -> str:
    return html.unescape(_TAG_RE.sub("", fragment)).strip()


def _attr(text: str) -> str:
    return html.escape(text, quote=True)


def render_headers(site: Site) -> bytes:
    """`_headers` for Netlify and Cloudflare Pages: caching and security headers.

    Both hosts merge every rule that matches a path and join repeated headers with a
    comma, so Cache-Control rules never overlap: HTML is listed by section, never `/*`.
    """
    base = site.config.base_path
    blocks: list[tuple[str, tuple[tuple[str, str], ...]]] = [
        (f"{base}*", (("Content-Security-Policy", content_security_policy()), *SECURITY_HEADERS)),
        (f"{base}static/css/*", (("Cache-Control", IMMUTABLE),)),
        (f"{base}static/js/*", (("Cache-Control", IMMUTABLE),)),
        (f"{base}pagefind/*", (("Cache-Control", REVALIDATE),)),
    ]
    blocks += [(base + pattern, (("Cache-Control", SHORT_CACHE),)) for pattern in html_path_patterns(site)]
    lines = ["# Generated by painconnect-site: read by Netlify and Cloudflare Pages, ignored elsewhere."]
    for pattern, headers in blocks:
        lines.append(pattern)
        lines.extend(f"  {name}: {value}" for name, value in headers)
    return ("\n".join(lines) + "\n").encode("utf-8")


def html_path_patterns(site: Site) -> list[str]:
    """Path patterns (without the base path) covering every HTML page and feed, nothing else."""
    sections = {"articles/*", "tags/*", "search/*"}
    sections.update(doc.url.split("/", 1)[0] + "/*" for doc in site.pages)
    sections -= {"static/*", "pagefind/*"}  # their own rules set Cache-Control
    return ["", "index.html", "404.html", "feed.xml", "sitemap.xml", "robots.txt", *sorted(sections)]


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
