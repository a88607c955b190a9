"""Stage 3b: turn a parsed document into a resolved one.

Citations are numbered in reading order (summary box, body, FAQ), Markdown is
rendered, internal links are checked against the site index, and the cited
references are attached with their formatted text.
"""

from __future__ import annotations

from typing import Protocol
from urllib.parse import urlsplit

from .citations import CitationNumbering, report_unknown_keys, scan_citations
from .errors import Diagnostics
from .markdown_render import MarkdownRenderer, RenderContext, is_external
from .model import (
    Bibliography,
    Link,
    NumberedReference,
    ParsedDocument,
    RenderedMarkdown,
    ResolvedDocument,
    ResolvedFaq,
    SiteConfig,
)
from .site_index import SiteIndex, resolves


class EntryFormatter(Protocol):
    def format_html(self, key: str) -> str: ...


def resolve_document(
    doc: ParsedDocument,
    config: SiteConfig,
    bibliography: Bibliography,
    formatter: EntryFormatter,
    index: SiteIndex,
    renderer: MarkdownRenderer,
    diags: Diagnostics,
) -> ResolvedDocument:
    meta, rel = doc.meta, doc.source.rel
    _check_citation_keys(doc, bibliography, diags)
    context = RenderContext(CitationNumbering(known=bibliography.entries), config.base_path, meta.affiliate)
    summary = tuple(
        renderer.render_inline(item, context, line) for item, line in zip(meta.summary, meta.summary_lines)
    )
    body = renderer.render(doc.body, context, doc.body_start_line)
    answers = [renderer.render(item.answer, context, item.line) for item in meta.faq]
    faq = tuple(ResolvedFaq(i.question, a.html, a.text, i.line) for i, a in zip(meta.faq, answers))
    for rendered in (*summary, body, *answers):
        _check_links(rendered, index, rel, diags)
    numbering = context.numbering
    references = tuple(
        NumberedReference(number, bibliography.entries[key], formatter.format_html(key), tuple(numbering.backlinks[key]))
        for key, number in sorted(numbering.numbers.items(), key=lambda item: item[1])
    )
    reviewer = config.people.get(meta.reviewer) if meta.reviewer else None
    return ResolvedDocument(
        parsed=doc,
        url=index.urls[rel],
        body=body,
        summary=summary,
        faq=faq,
        references=references,
        author=config.people[meta.author],
        reviewer=reviewer,
        review_due=meta.review_due,
    )


def _check_citation_keys(doc: ParsedDocument, bibliography: Bibliography, diags: Diagnostics) -> None:
    meta = doc.meta
    uses = []
    for item, line in zip(meta.summary, meta.summary_lines):
        uses += scan_citations(item, line)
    uses += scan_citations(doc.body, doc.body_start_line)
    for item in meta.faq:
        uses += scan_citations(item.answer, item.line)
    report_unknown_keys(uses, bibliography.entries, bibliography.entries, doc.source.rel, diags)


def _check_links(rendered: RenderedMarkdown, index: SiteIndex, rel: str, diags: Diagnostics) -> None:
    for link in rendered.links:
        problem = internal_link_problem(link, index)
        if problem:
            diags.error(rel, link.line, problem)


def internal_link_problem(link: Link, index: SiteIndex) -> str | None:
    url = link.url
    parts = urlsplit(url)
    if is_external(url) or parts.scheme in ("mailto", "tel") or url.startswith("#") or not url:
        return None
    if parts.scheme:
        return f"link '{url}' uses an unsupported scheme '{parts.scheme}:'"
    if not url.startswith("/"):
        return f"link '{url}' is relative; write internal links from the site root, e.g. '/articles/<slug>/' or '/about/'"
    if not resolves(index, parts.path):
        return f"link '{url}' does not resolve to a page or file of the site"
    return None
