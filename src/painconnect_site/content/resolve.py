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
    Link,
    NumberedReference,
    ParsedDocument,
    RenderedMarkdown,
    ResolvedDocument,
    ResolvedFaq,
    SiteConfig,
)
from ..core.urls import is_external
from .site_index import SiteIndex, redirect_of, resolves

if TYPE_CHECKING:  # Python-Markdown loads only when something is rendered: cached builds never need it
    from ..markdown.render import MarkdownRenderer


class EntryFormatter(Protocol):
    def format_html(self, key: str) -> str: ...


@dataclass(frozen=True, slots=True)
class RenderedDocument:
    """The pure part of resolving: a document's Markdown rendered, citations numbered.

    A function of the document, the base path and which cited keys exist, so the
    build cache may keep it; the checks and the reference list are redone on
    every build from the current site.
    """

    body: RenderedMarkdown
    summary: tuple[RenderedMarkdown, ...]
    answers: tuple[RenderedMarkdown, ...]  # one per FAQ item
    numbers: tuple[tuple[str, int], ...]  # (cited key, its number), in number order
    backlinks: tuple[tuple[str, ...], ...]  # per numbered key: ids of the groups citing it

    @property
    def parts(self) -> tuple[RenderedMarkdown, ...]:
        """Every rendered part in reading order (summary box, body, FAQ)."""
        return (*self.summary, self.body, *self.answers)


@dataclass(frozen=True, slots=True)
class ResolveContext:
    """What resolving every document of a site shares."""

    config: SiteConfig
    bibliography: Bibliography
    formatter: EntryFormatter
    index: SiteIndex


def resolve_document(doc: ParsedDocument, rendered: RenderedDocument, uses: tuple[CitationUse, ...],
                     context: ResolveContext, diags: Diagnostics) -> ResolvedDocument:
    """Check and resolve one document from its rendering and citation scan (`render_document`
    and `citation_uses`, which the build cache may keep); the checks always run."""
    meta, rel = doc.meta, doc.source.rel
    config, bibliography, formatter, index = context.config, context.bibliography, context.formatter, context.index
    report_unknown_keys(uses, bibliography.entries, rel, diags)
    for part in rendered.parts:
        _check_links(part, index, rel, diags)
    faq = tuple(ResolvedFaq(i.question, a.html, a.text, i.line) for i, a in zip(meta.faq, rendered.answers))
    references = tuple(
        NumberedReference(number, bibliography.entries[key], formatter.format_html(key), backlinks)
        for (key, number), backlinks in zip(rendered.numbers, rendered.backlinks)
    )
    reviewer = config.people.get(meta.reviewer) if meta.reviewer else None
    return ResolvedDocument(
        parsed=doc,
        url=index.urls[rel],
        body=rendered.body,
        summary=rendered.summary,
        faq=faq,
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


def _check_links(rendered: RenderedMarkdown, index: SiteIndex, rel: str, diags: Diagnostics) -> None:
    images = set(rendered.images)
    for link in rendered.links:
        problem = internal_link_problem(link, index, image=link in images)
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
