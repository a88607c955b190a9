"""The sitemap and the Atom feed, built with ElementTree (never string pasting)."""

from __future__ import annotations

import datetime as dt
import html
import re
import xml.etree.ElementTree as ET
from typing import Sequence

from ..core.model import ResolvedDocument, Site
from ..core.urls import ARTICLES_URL, absolute_url, person_url, tag_url
from .pagination import paginate
from .people import people_entries


def last_modified(doc: ResolvedDocument) -> dt.date:
    return max(d for d in (doc.meta.date, doc.meta.updated, doc.meta.reviewed) if d)


def render_sitemap(site: Site) -> bytes:
    ns = "http://www.sitemaps.org/schemas/sitemap/0.9"
    urlset = ET.Element("urlset", xmlns=ns)
    newest = max((last_modified(d) for d in site.articles), default=site.build_date)
    size = site.config.page_size
    entries = [("", newest), *_pages(ARTICLES_URL, site.articles, size, newest)]
    entries += [(d.url, last_modified(d)) for d in (*site.articles, *site.pages)]
    for slug, docs in sorted(site.tags.items()):
        entries += _pages(tag_url(slug), docs, size, newest)
    for person_id, written in people_entries(site).items():
        entries += _pages(person_url(person_id), [doc for doc, _ in written], size, newest)
    for rel, lastmod in entries:
        item = ET.SubElement(urlset, "url")
        ET.SubElement(item, "loc").text = absolute_url(site.config.base_url, rel)
        ET.SubElement(item, "lastmod").text = lastmod.isoformat()
    return _xml_bytes(urlset)


def _pages(list_url: str, docs: Sequence[ResolvedDocument], size: int, empty: dt.date) -> list[tuple[str, dt.date]]:
    """(URL, lastmod) of each page of a paginated list: the newest change among its articles."""
    return [(pagination.url, max((last_modified(d) for d in chunk), default=empty))
            for chunk, pagination in paginate(list_url, docs, size)]


def render_feed(site: Site) -> bytes:
    config = site.config
    ns = "http://www.w3.org/2005/Atom"
    feed = ET.Element("feed", {"xmlns": ns, "xml:lang": config.language})
    ET.SubElement(feed, "title").text = config.title
    ET.SubElement(feed, "subtitle").text = config.description
    ET.SubElement(feed, "id").text = config.base_url
    ET.SubElement(feed, "link", href=absolute_url(config.base_url, "feed.xml"), rel="self", type="application/atom+xml")
    ET.SubElement(feed, "link", href=config.base_url, rel="alternate", type="text/html")
    newest = max((last_modified(d) for d in site.articles), default=site.build_date)
    ET.SubElement(feed, "updated").text = _atom_time(newest)
    ET.SubElement(ET.SubElement(feed, "author"), "name").text = config.organization.name
    for doc in site.articles[:config.feed_size]:
        entry = ET.SubElement(feed, "entry")
        ET.SubElement(entry, "title").text = doc.meta.title
        ET.SubElement(entry, "id").text = absolute_url(config.base_url, doc.url)
        ET.SubElement(entry, "link", href=absolute_url(config.base_url, doc.url), rel="alternate", type="text/html")
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


_LOC_RE = re.compile(r"<loc>([^<]*)</loc>")


def sitemap_locations(data: bytes) -> list[tuple[str, int]]:
    """(URL, line) of every `<loc>` of a sitemap this module wrote (one element per line)."""
    text = data.decode("utf-8", "replace")
    return [(html.unescape(match.group(1)), number) for number, line in enumerate(text.splitlines(), start=1)
            for match in _LOC_RE.finditer(line)]
