"""The sitemap and the Atom feed, built with ElementTree (never string pasting)."""

from __future__ import annotations

import datetime as dt
import html
import re
import xml.etree.ElementTree as ET
from typing import Mapping, Sequence

from ..core.model import Edition, ResolvedDocument, Site
from ..core.urls import ARTICLES_URL, FEED_FILE, absolute_url, person_url, tag_url
from .pagination import paginate
from .people import people_entries


def last_modified(doc: ResolvedDocument) -> dt.date:
    return max(d for d in (doc.meta.date, doc.meta.updated, doc.meta.reviewed) if d)


SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
XHTML_NS = "http://www.w3.org/1999/xhtml"  # of <xhtml:link rel="alternate" hreflang> (multilingual sites)


def render_sitemap(site: Site) -> bytes:
    """Every page a reader may land on; on a multilingual site each page with versions in other
    languages lists them all (itself included, and x-default), as Google reads hreflang."""
    config = site.config
    attributes = {"xmlns": SITEMAP_NS, **({"xmlns:xhtml": XHTML_NS} if config.multilingual else {})}
    urlset = ET.Element("urlset", attributes)
    # Each document's date once: the lists below read it ~5 times (lists, tags, people).
    modified = {d.url: last_modified(d) for d in (*site.articles, *site.pages)}
    newest = max((modified[d.url] for d in site.articles), default=site.build_date)
    size = config.page_size
    entries: list[tuple[str, dt.date]] = []
    for edition in site.editions:
        own = max((modified[d.url] for d in edition.articles), default=site.build_date)
        prefix = edition.language.prefix
        entries += [(prefix, own), *_pages(prefix + ARTICLES_URL, edition.articles, size, own, modified)]
    entries += modified.items()
    for edition in site.editions:
        for slug, docs in sorted(edition.tags.items()):
            entries += _pages(tag_url(slug, edition.language.prefix), docs, size, newest, modified)
    for person_id, written in people_entries(site).items():
        entries += _pages(person_url(person_id), [doc for doc, _ in written], size, newest, modified)
    alternates = sitemap_alternates(site)
    for rel, lastmod in entries:
        item = ET.SubElement(urlset, "url")
        ET.SubElement(item, "loc").text = absolute_url(config.base_url, rel)
        ET.SubElement(item, "lastmod").text = lastmod.isoformat()
        for code, url in alternates.get(rel, ()):
            ET.SubElement(item, "xhtml:link", rel="alternate", hreflang=code, href=absolute_url(config.base_url, url))
    return _xml_bytes(urlset)


def sitemap_alternates(site: Site) -> dict[str, tuple[tuple[str, str], ...]]:
    """Site-relative URL -> (hreflang, URL) of each of its versions, then x-default (the default
    language's version), for the pages that have versions in several languages."""
    config = site.config
    if not config.multilingual:
        return {}
    languages = config.all_languages
    groups = [tuple((language.code, language.prefix + path) for language in languages) for path in ("", ARTICLES_URL)]
    groups += list(dict.fromkeys(site.translations.values()))
    found = {}
    for versions in groups:
        default = dict(versions).get(config.language)
        linked = (*versions, ("x-default", default)) if default is not None else versions
        found.update((url, linked) for _, url in versions)
    return found


def _pages(list_url: str, docs: Sequence[ResolvedDocument], size: int, empty: dt.date,
           modified: Mapping[str, dt.date]) -> list[tuple[str, dt.date]]:
    """(URL, lastmod) of each page of a paginated list: the newest change among its articles."""
    return [(pagination.url, max((modified[d.url] for d in chunk), default=empty))
            for chunk, pagination in paginate(list_url, docs, size)]


def render_feed(site: Site, edition: Edition) -> bytes:
    """The Atom feed of one language: its newest `feed_size` articles (`<prefix>feed.xml`)."""
    config, language = site.config, edition.language
    ns = "http://www.w3.org/2005/Atom"
    home = absolute_url(config.base_url, language.prefix)
    feed = ET.Element("feed", {"xmlns": ns, "xml:lang": language.code})
    ET.SubElement(feed, "title").text = language.title
    ET.SubElement(feed, "subtitle").text = language.description
    ET.SubElement(feed, "id").text = home
    ET.SubElement(feed, "link", href=absolute_url(config.base_url, language.prefix + FEED_FILE), rel="self",
                  type="application/atom+xml")
    ET.SubElement(feed, "link", href=home, rel="alternate", type="text/html")
    newest = max((last_modified(d) for d in edition.articles), default=site.build_date)
    ET.SubElement(feed, "updated").text = _atom_time(newest)
    ET.SubElement(ET.SubElement(feed, "author"), "name").text = config.organization.name
    for doc in edition.articles[:config.feed_size]:
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
    # Serialized to text, then encoded once: ET's byte output encodes every one of its
    # ~25,000 writes for a 1,000-article sitemap (a third of the time), to the same bytes.
    text = ET.tostring(root, encoding="unicode")
    return b'<?xml version="1.0" encoding="utf-8"?>\n' + text.encode("utf-8", "xmlcharrefreplace") + b"\n"


_LOC_RE = re.compile(r"<loc>([^<]*)</loc>")


def sitemap_locations(data: bytes) -> list[tuple[str, int]]:
    """(URL, line) of every `<loc>` of a sitemap this module wrote (one element per line)."""
    text = data.decode("utf-8", "replace")
    return [(html.unescape(match.group(1)), number) for number, line in enumerate(text.splitlines(), start=1)
            for match in _LOC_RE.finditer(line)]
