"""Lint rules on the links of a page: anchors that do not exist, http://, affiliate tracking.

`broken-anchor` reads the element ids of the rendered pages (`LintContext.anchors`),
so it checks links between pages as well as within one, whatever the templates emit.
"""

from __future__ import annotations

import re
from typing import Iterator
from urllib.parse import parse_qsl, unquote, urlsplit

from ...citations.syntax import mask_code
from ...core.errors import ERROR, WARNING, did_you_mean
from ...core.model import Link, ResolvedDocument
from ...core.urls import is_external
from ..context import Finding, LintContext, rule

# --- rules: links ---------------------------------------------------------------------------

_MARKDOWN_URL_RE = re.compile(  # inline links and images, <autolinks>, [reference]: definitions
    r"\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)|<(https?://[^>\s]+)>|^\s*\[[^\]]+\]:\s*<?(\S+?)>?(?:\s|$)",
    re.MULTILINE,
)


def all_links(doc: ResolvedDocument) -> list[Link]:
    """Links of the body and summary (rendered) and FAQ answers (read from their Markdown)."""
    links = [*doc.body.links, *(link for item in doc.summary for link in item.links)]
    for item in doc.meta.faq:
        masked = mask_code(item.answer)
        links.extend(Link(next(g for g in m.groups() if g), item.line) for m in _MARKDOWN_URL_RE.finditer(masked))
    return links


def _anchor_target(url: str, doc_url: str) -> tuple[str, str] | None:
    """(document URL, fragment) for an internal link with a fragment, else None."""
    parts = urlsplit(url)
    if not parts.fragment or is_external(url) or parts.scheme:
        return None
    if not parts.path:
        return doc_url, unquote(parts.fragment)
    path = parts.path.lstrip("/").removesuffix("index.html")
    return (path if path.endswith("/") or not path else path + "/"), unquote(parts.fragment)


@rule("broken-anchor", ERROR, "link to an #anchor that does not exist on this page or the linked page")
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


@rule("insecure-link", WARNING, "link to an http:// address")
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


@rule("affiliate-link", WARNING,
      "affiliate or tracking link (amzn.to, ?tag=, utm_*, ...) on a page without 'affiliate: true'")
def check_affiliate_link(context: LintContext, doc: ResolvedDocument) -> Iterator[Finding]:
    if doc.meta.affiliate:
        return
    for link in all_links(doc):
        sign = affiliate_sign(link.url) if is_external(link.url) else None
        if sign:
            yield Finding(link.line, f"link '{link.url}' looks like an affiliate link ({sign}); remove the tracking, "
                                     "or set 'affiliate: true' so the page discloses it and marks links rel=sponsored")
