"""The kinds of document a site publishes, declared once.

Each kind says where its sources live, where it is published, which template
renders it and what the editorial rules expect of it; stages read these
properties instead of comparing kind names, so a new kind is one entry here
(plus its template and its front-matter fields in content/frontmatter.py).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class DocumentKind:
    name: str  # stored as SourceFile.kind / ParsedDocument.kind (cache records keep the name)
    folder: str  # source folder under the site root
    url_prefix: str  # published at <url_prefix><slug>/
    template: str  # theme template that renders it
    listed: bool  # in the home and list pages, tag pages, feed, sitemap order and related articles
    clinical: bool  # health content: review dates and reviewer rules, reading grade, MedicalWebPage JSON-LD


ARTICLE = DocumentKind("article", "content/articles", "articles/", "article.html",
                       listed=True, clinical=True)
PAGE = DocumentKind("page", "content/pages", "", "page.html", listed=False, clinical=False)
DOCUMENT_KINDS: tuple[DocumentKind, ...] = (ARTICLE, PAGE)
KIND_BY_NAME = {kind.name: kind for kind in DOCUMENT_KINDS}
BIBLIOGRAPHY_KIND = "bibliography"  # SourceFile.kind of references.bib
