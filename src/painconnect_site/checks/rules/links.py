"""Lint rules on the links of a page: anchors that do not exist, http://, affiliate tracking.

`page_anchors` lists the element ids every page will have, once per run,
so `broken-anchor` can check links between pages as well as within one.
"""

from __future__ import annotations

import re
from typing import Iterator
from urllib.parse import parse_qsl, unquote, urlsplit

from ..context import Finding, LintContext
from ...citations.syntax import mask_code
from ...core.errors import did_you_mean
from ...markdown.render import is_external
from ...core.model import Link, ResolvedDocument, Site

# --- rules: links ---------------------------------------------------------------------------

_MARKDOWN_URL_RE = re.compile(  # inline links and images, <autolinks>, [reference]: definitions
    r"\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)|<(https?://[^>\s]+)>|^\s*\[[^\]]+\]:\s*<?(\S+?)>?(?:\s|$)",
    re.MULTILINE,
)
# Ids the theme emits on every page (base.html) and on every article; those
# whose section depends on layout decisions (table of contents, related
# articles) count as always present rather than mirroring outputs.py.
TEMPLATE_IDS = frozenset({"main"})
ARTICLE_TEMPLATE_IDS = frozenset({"disclaimer-title", "toc-title", "related-title"})


def all_links(doc: ResolvedDocument) -> list[Link]:
    """Links of the body and summary (rendered) and FAQ answers (read from their Markdown)."""
    links = [*doc.body.links, *(link for item in doc.summary for link in item.links)]
    for item in doc.meta.faq:
        masked = mask_code(item.answer)
        links.extend(Link(next(g for g in m.groups() if g), item.line) for m in _MARKDOWN_URL_RE.finditer(masked))
    return links


_ID_ATTR_RE = re.compile(r"\bid=\"([^\"]+)\"")


def page_anchors(site: Site) -> dict[str, frozenset[str]]:
    """Element ids each document's page will have: its Markdown's ids plus those the theme templates emit."""
    anchors = {}
    for doc in (*site.articles, *site.pages):
        html = "\n".join([doc.body.html, *(s.html for s in doc.summary), *(f.answer_html for f in doc.faq)])
        ids = set(TEMPLATE_IDS) | {h.id for h in doc.body.headings} | set(_ID_ATTR_RE.findall(html))
        if doc.references:
            ids |= {"references", "references-title", *(f"ref-{r.number}" for r in doc.references)}
        if doc.kind == "article":
            ids |= ARTICLE_TEMPLATE_IDS
            if doc.summary:
                ids.add("key-takeaways-title")
            if doc.faq:
                ids |= {"faq", "faq-title"}
        anchors[doc.url] = frozenset(ids)
    return anchors


def _anchor_target(url: str, doc_url: str) -> tuple[str, str] | None:
    """(document URL, fragment) for an internal link with a fragment, else None."""
    parts = urlsplit(url)
    if not parts.fragment or is_external(url) or parts.scheme:
        return None
    if not parts.path:
        return doc_url, unquote(parts.fragment)
    path = parts.path.lstrip("/").removesuffix("index.html")
    return (path if path.endswith("/") or not path else path + "/"), unquote(parts.fragment)


def check_broken_anchor(context: LintContext, doc: ResolvedDocument) -> Iterator[Finding]:
    for link in all_links(doc):
        target = _anchor_target(link.url, doc.url)
        if target is None or target[0] not in context.anchors:
            continue  # external, no fragment, or a generated list page whose ids we do not track
        ids = context.anchors[target[0]]
        if target[1] not in ids:
            where = "this page" if target[0] == doc.url else f"/{target[0]}"
            yield Finding(link.line, f"link '{link.url}' points to '#{target[1]}', which does not exist on {where}"
                                     f"{did_you_mean(target[1], sorted(ids))}")


def check_insecure_link(context: LintContext, doc: ResolvedDocument) -> Iterator[Finding]:
    for link in all_links(doc):
        if urlsplit(link.url).scheme.lower() == "http":
            yield Finding(link.line, f"link '{link.url}' uses http://; link the https:// address")


AFFILIATE_HOSTS = (
    "amzn.to", "shareasale.com", "awin1.com", "clickbank.net", "linksynergy.com", "impact.com", "sjv.io",
    "pxf.io", "prf.hn", "partnerize.com", "skimlinks.com", "skimresources.com", "go.redirectingat.com",
)
AFFILIATE_PARAMS = frozenset({"tag", "ref", "aff", "aff_id", "affid", "affiliate", "affiliate_id", "irclickid"})


def affiliate_sign(url: str) -> str | None:
    """Why a URL looks like an affiliate or tracking link, or None."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    for known in AFFILIATE_HOSTS:
        if host == known or host.endswith("." + known):
            return f"affiliate host {known}"
    for name, _ in parse_qsl(parts.query, keep_blank_values=True):
        lowered = name.lower()
        if lowered in AFFILIATE_PARAMS or lowered.startswith("utm_"):
            return f"tracking parameter '{name}='"
    return None


def check_affiliate_link(context: LintContext, doc: ResolvedDocument) -> Iterator[Finding]:
    if doc.meta.affiliate:
        return
    for link in all_links(doc):
        sign = affiliate_sign(link.url) if is_external(link.url) else None
        if sign:
            yield Finding(link.line, f"link '{link.url}' looks like an affiliate link ({sign}); remove the tracking, "
                                     "or set 'affiliate: true' so the page discloses it and marks links rel=sponsored")
