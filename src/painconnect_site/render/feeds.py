"""The sitemap and the Atom feed, built with ElementTree (never string pasting)."""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET

from ..core.model import ResolvedDocument, Site
from ..core.urls import ARTICLES_URL, absolute_url, tag_url

FEED_SIZE = 20

def last_modified(doc: ResolvedDocument) -> dt.date:
    return max(d for d in (doc.meta.date, doc.meta.updated, doc.meta.reviewed) if d)


def render_sitemap(site: Site) -> bytes:
    ns = "http://www.sitemaps.org/schemas/sitemap/0.9"
    urlset = ET.Element("urlset", xmlns=ns)
    newest = max((last_modified(d) for d in site.articles), default=site.build_date)
    entries = [("", newest), (ARTICLES_URL, newest)]
    entries += [(d.url, last_modified(d)) for d in (*site.articles, *site.pages)]
    entries += [(tag_url(slug), max(last_modified(d) for d in docs)) for slug, docs in sorted(site.tags.items())]
    for rel, lastmod in entries:
        item = ET.SubElement(urlset, "url")
        ET.SubElement(item, "loc").text = absolute_url(site.config.base_url, rel)
        ET.SubElement(item, "lastmod").text = lastmod.isoformat()
    return _xml_bytes(urlset)


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
    for doc in site.articles[:FEED_SIZE]:
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
