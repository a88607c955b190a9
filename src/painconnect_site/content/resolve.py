"""Stage 3b: turn a parsed document into a resolved one.

Citations are numbered in reading order (summary box, body, FAQ), Markdown is
rendered, internal links are checked against the site index, and the cited
references are attached with their formatted text.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Container, Protocol
from urllib.parse import urlsplit

from ..citations.syntax import CitationNumbering, report_unknown_keys, scan_citations
from ..core.errors import Diagnostics
from ..core.model import (
    Bibliography,
    CitationUse,
    Deferred,
    Link,
    NumberedReference,
    ParsedDocument,
    RenderedDocument,
    RenderFacts,
    ResolvedDocument,
    SiteConfig,
)
from ..core.urls import is_external
from .site_index import SiteIndex, redirect_of, resolves

if TYPE_CHECKING:  # Python-Markdown loads only when something is rendered: cached builds never need it
    from ..markdown.render import MarkdownRenderer


class EntryFormatter(Protocol):
    def format_html(self, key: str) -> str: ...


@dataclass(frozen=True, slots=True)
class ResolveContext:
    """What resolving every document of a site shares."""

    config: SiteConfig
    bibliography: Bibliography
    formatter: EntryFormatter
    index: SiteIndex


def resolve_document(doc: ParsedDocument, facts: RenderFacts, rendering: Deferred[RenderedDocument],
                     uses: tuple[CitationUse, ...], context: ResolveContext, diags: Diagnostics) -> ResolvedDocument:
    """Check and resolve one document from what its rendering found (`facts`) and its
    citation scan (`render_document` and `citation_uses`, which the build cache may keep);
    the checks always run. The rendering itself is only handed on, to be read when shown."""
    meta, rel = doc.meta, doc.source.rel
    config, bibliography, formatter, index = context.config, context.bibliography, context.formatter, context.index
    report_unknown_keys(uses, bibliography.entries, rel, diags)
    for links, images in zip(facts.links, facts.images):
        _check_links(links, images, index, rel, diags)
    references = tuple(
        NumberedReference(number, bibliography.entries[key], formatter.format_html(key), backlinks)
        for (key, number), backlinks in zip(facts.numbers, facts.backlinks)
    )
    reviewer = config.people.get(meta.reviewer) if meta.reviewer else None
    return ResolvedDocument(
        parsed=doc,
        url=index.urls[rel],
        rendering=rendering,
        references=references,
        author=config.people[meta.author],
        reviewer=reviewer,
    )


def render_document(doc: ParsedDocument, base_path: str, known: Container[str], renderer: MarkdownRenderer,
                    citation_label: str = "Reference {number}") -> RenderedDocument:
    """Render summary, body and FAQ in reading order, so citation numbers follow it.

    `citation_label`: the accessible name of a citation link in the document's language."""
    from ..markdown.render import RenderContext  # Python-Markdown loads only when something is rendered

    meta = doc.meta
    numbering = CitationNumbering(known=known)
    context = RenderContext(numbering, base_path, meta.affiliate, citation_label=citation_label)
    summary = tuple(
        renderer.render_inline(item, context, line) for item, line in zip(meta.summary, meta.summary_lines)
    )
    body = renderer.render(doc.body, context, doc.body_start_line)
    answers = tuple(renderer.render(item.answer, context, item.line) for item in meta.faq)
    numbered = sorted(numbering.numbers.items(), key=lambda item: item[1])
    return RenderedDocument(
        body=body,
        summary=summary,
        answers=answers,
        numbers=tuple(numbered),
        backlinks=tuple(tuple(numbering.backlinks[key]) for key, _ in numbered),
    )


def citation_uses(doc: ParsedDocument) -> tuple[CitationUse, ...]:
    """Every citation in reading order (summary, body, FAQ), with its line, code excluded."""
    meta = doc.meta
    uses: list[CitationUse] = []
    for item, line in zip(meta.summary, meta.summary_lines):
        uses += scan_citations(item, line)
    uses += scan_citations(doc.body, doc.body_start_line)
    for item in meta.faq:
        uses += scan_citations(item.answer, item.line)
    return tuple(uses)


def _check_links(links: tuple[Link, ...], images: tuple[Link, ...], index: SiteIndex, rel: str,
                 diags: Diagnostics) -> None:
    shown = set(images)
    for link in links:
        problem = internal_link_problem(link, index, image=link in shown)
        if problem:
            diags.error(rel, link.line, problem)


_NOT_INTERNAL = ("https://", "http://", "//", "#", "mailto:", "tel:")  # never checked; common enough to skip urlsplit


def internal_link_problem(link: Link, index: SiteIndex, image: bool = False) -> str | None:
    url = link.url
    if url.startswith(_NOT_INTERNAL):
        return None
    parts = urlsplit(url)
    if is_external(url) or parts.scheme in ("mailto", "tel") or url.startswith("#") or not url:
        return None
    if parts.scheme:
        return f"link '{url}' uses an unsupported scheme '{parts.scheme}:'"
    if not url.startswith("/"):
        return f"link '{url}' is relative; write internal links from the site root, e.g. '/articles/<slug>/' or '/about/'"
    if not resolves(index, parts.path):
        target = redirect_of(index, parts.path)
        if target is not None:
            return f"link '{url}' is an old URL that redirects to /{target}; link /{target} instead"
        if image:
            return f"image '{url}' not found under static/"
        return f"link '{url}' does not resolve to a page or file of the site"
    return None
