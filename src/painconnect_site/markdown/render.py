"""Markdown to HTML: the one module that owns Python-Markdown.

One `Markdown` instance per renderer, reset between documents (building one
costs more than converting a page). Our extension adds citation superscripts,
base-path-aware internal links, `rel` on affiliate links and table header
scopes, and reports headings and links for the link checker.

This stage knows no citation syntax or numbering: the caller gives the
renderer the pattern of a citation group and, per document, a `Citer` that
numbers each group (content/resolve.py passes the citations stage's), so
dependencies point one way: citations and markdown both sit on core.
"""

from __future__ import annotations

import html
import re
import xml.etree.ElementTree as etree
from dataclasses import dataclass, field
from typing import Protocol

import markdown
from markdown.extensions import Extension
from markdown.extensions.admonition import AdmonitionExtension
from markdown.extensions.fenced_code import FencedCodeExtension
from markdown.extensions.sane_lists import SaneListExtension
from markdown.extensions.tables import TableExtension
from markdown.extensions.toc import TocExtension
from markdown.inlinepatterns import InlineProcessor
from markdown.preprocessors import Preprocessor
from markdown.treeprocessors import Treeprocessor

from ..core.model import CitedGroup, Heading, Link, RenderedMarkdown
from ..core.urls import is_external


def _extensions() -> list[Extension]:
    """No attr_list and no raw HTML: an article must not be able to add `onclick=`
    attributes or <script> to a page (see _SiteExtension). Instances, not names: a name
    is looked up among the installed packages' entry points, which imports
    importlib.metadata and scans every package (~35 ms of the first render in a process),
    and another package could register the same name."""
    return [TableExtension(), FencedCodeExtension(), AdmonitionExtension(),
            TocExtension(permalink=False, toc_depth="2-3"), SaneListExtension()]


class Citer(Protocol):
    def cite(self, group: str) -> CitedGroup | None:
        """Number one citation group (the text inside `[...]`); None leaves it as text."""


class _NoCitations:
    def cite(self, group: str) -> CitedGroup | None:
        return None


@dataclass(slots=True)
class RenderContext:
    """Per-document settings and state the extension reads during a conversion."""

    citer: Citer
    base_path: str = "/"
    affiliate: bool = False
    citation_label: str = "Reference {number}"  # each citation link's accessible name, in the page's language
    links: list[str] = field(default_factory=list)
    images: list[str] = field(default_factory=list)  # img srcs (also in links)


class _CitationProcessor(InlineProcessor):
    def __init__(self, renderer: "MarkdownRenderer", pattern: str):
        super().__init__(pattern)
        self.renderer = renderer

    def handleMatch(self, m: re.Match[str], data: str):  # noqa: N802 (Markdown API)
        cited = self.renderer.context.citer.cite(m.group(1))
        if cited is None:  # unknown keys were reported by the scan; leave the text visible
            return None, None, None
        return citation_element(cited, self.renderer.context.citation_label), m.start(0), m.end(0)


def citation_element(cited: CitedGroup, label: str = "Reference {number}") -> etree.Element:
    """`<sup class="cite">` with one link per shown number; runs as the citer collapsed them (1-3)."""
    sup = etree.Element("sup", {"class": "cite", "id": cited.id})
    locators = dict(cited.locators)
    previous: etree.Element | None = None
    for index, (first, last) in enumerate(cited.runs):
        separator = "," if index else ""
        for position, number in enumerate((first,) if first == last else (first, last)):
            text = separator if position == 0 else "-"
            if previous is None:
                sup.text = (sup.text or "") + text
            else:
                previous.tail = (previous.tail or "") + text
            link = etree.SubElement(sup, "a", {"href": f"#ref-{number}", "aria-label": label.format(number=number)})
            link.text = str(number)
            if number in locators:
                link.tail = f"({locators[number]})"
            previous = link
    return sup


class _LinkTreeprocessor(Treeprocessor):
    def __init__(self, md: markdown.Markdown, renderer: "MarkdownRenderer"):
        super().__init__(md)
        self.renderer = renderer

    def run(self, root: etree.Element) -> None:
        context = self.renderer.context
        for element in root.iter():
            if element.tag == "a" and "href" in element.attrib:
                href = element.get("href", "")
                if href.startswith("#ref-"):  # our own citation links
                    continue
                context.links.append(href)
                element.set("href", self._rewrite(href))
                if is_external(href) and context.affiliate:
                    element.set("rel", "sponsored noopener")
            elif element.tag == "img" and "src" in element.attrib:
                context.links.append(element.get("src", ""))
                context.images.append(element.get("src", ""))
                element.set("src", self._rewrite(element.get("src", "")))
            elif element.tag == "th":
                element.set("scope", "col")

    def _rewrite(self, url: str) -> str:
        if url.startswith("/") and not url.startswith("//"):
            return self.renderer.context.base_path + url[1:]
        return url


_COMMENT_RE = re.compile(r"<!--.*?-->", re.DOTALL)


class _StripCommentsPreprocessor(Preprocessor):
    """Drop HTML comments (editor notes, `lint-ignore` markers), keeping line breaks."""

    def run(self, lines: list[str]) -> list[str]:
        text = "\n".join(lines)
        if "<!--" not in text:
            return lines
        return _COMMENT_RE.sub(lambda m: "\n" * m.group(0).count("\n"), text).split("\n")


class _SiteExtension(Extension):
    def __init__(self, renderer: "MarkdownRenderer", citation_pattern: str):
        super().__init__()
        self.renderer = renderer
        self.citation_pattern = citation_pattern

    def extendMarkdown(self, md: markdown.Markdown) -> None:  # noqa: N802 (Markdown API)
        # After backtick (190) and escape (180) so code and `\[@x]` stay literal,
        # before reference links (170) which would otherwise claim `[@key]`.
        md.inlinePatterns.register(_CitationProcessor(self.renderer, self.citation_pattern), "citation", 175)
        # Raw HTML is escaped, not passed through: safe by default, whatever the content says.
        md.preprocessors.deregister("html_block")
        md.inlinePatterns.deregister("html")
        md.preprocessors.register(_StripCommentsPreprocessor(md), "strip_comments", 25)
        md.treeprocessors.register(_LinkTreeprocessor(md, self.renderer), "site_links", 1)


class MarkdownRenderer:
    def __init__(self, citation_pattern: str) -> None:
        """`citation_pattern`: a regular expression for one citation group, its inside as group 1."""
        self.context = RenderContext(_NoCitations())
        self._md = markdown.Markdown(
            extensions=[*_extensions(), _SiteExtension(self, citation_pattern)], output_format="html",
        )

    def render(self, text: str, context: RenderContext, start_line: int = 1, source: str = "") -> RenderedMarkdown:
        self.context = context
        first_link, first_image = len(context.links), len(context.images)
        self._md.reset()
        body = self._md.convert(text)
        headings = tuple(_flatten_toc(getattr(self._md, "toc_tokens", [])))
        links = tuple(Link(url, _line_of(url, source or text, start_line)) for url in context.links[first_link:])
        images = tuple(Link(url, _line_of(url, source or text, start_line)) for url in context.images[first_image:])
        return RenderedMarkdown(html=body, text=html_to_text(body), headings=headings, links=links, images=images)

    def render_inline(self, text: str, context: RenderContext, start_line: int = 1) -> RenderedMarkdown:
        """A one-paragraph snippet (summary item) without its `<p>` wrapper."""
        rendered = self.render(text, context, start_line)
        inner = rendered.html
        if inner.startswith("<p>") and inner.endswith("</p>") and inner.count("<p>") == 1:
            inner = inner[3:-4]
        return RenderedMarkdown(html=inner, text=rendered.text, links=rendered.links, images=rendered.images)


def _flatten_toc(tokens: list[dict]) -> list[Heading]:
    out = []
    for token in tokens:
        out.append(Heading(token["level"], token["id"], html.unescape(_TAG_RE.sub("", token["name"]))))
        out.extend(_flatten_toc(token.get("children", [])))
    return out


def _line_of(url: str, text: str, start_line: int) -> int:
    position = text.find(url)
    return start_line + (text.count("\n", 0, position) if position >= 0 else 0)


_CITE_SUP_RE = re.compile(r'\s*<sup class="cite"[^>]*>.*?</sup>', re.DOTALL)
_TAG_RE = re.compile(r"<[^>]+>")
_SPACE_RE = re.compile(r"\s+")
_BLOCK_END_RE = re.compile(r"</(p|li|h[1-6]|tr|td|th|div|blockquote|pre)>")


def html_to_text(fragment: str) -> str:
    """Plain text of rendered Markdown; citation superscripts are dropped (see README, structured data)."""
    without_cites = _CITE_SUP_RE.sub("", fragment)
    spaced = _BLOCK_END_RE.sub(lambda m: m.group(0) + " ", without_cites)
    return _SPACE_RE.sub(" ", html.unescape(_TAG_RE.sub("", spaced))).strip()
