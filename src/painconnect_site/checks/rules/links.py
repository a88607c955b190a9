"""Lint rules on the links of a page: anchors that do not exist, http://, affiliate tracking,
and old addresses that stopped working.

`broken-anchor` reads the element ids of the rendered pages (`LintContext.anchors`),
so it checks links between pages as well as within one, whatever the templates emit.
`missing-alias` and `removed-page` compare the previous build's sitemap
(`LintContext.previous`) with what the site publishes now.
"""

from __future__ import annotations

import re
from typing import Iterator
from urllib.parse import parse_qsl, unquote, urlsplit

from ...citations.syntax import mask_code
from ...core.errors import ERROR, WARNING, did_you_mean
from ...core.model import Link, ResolvedDocument
from ...core.urls import PAGE_SEGMENT, PEOPLE_URL, SEARCH_URL, TAGS_URL, is_external
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


# --- rules: addresses the previous build published ---------------------------------------------

_GENERATED_RE = re.compile(rf"^(?:|{TAGS_URL}.*|{PEOPLE_URL}.*|{SEARCH_URL}|.*/{PAGE_SEGMENT}/\d+/|[^/]*\.\w+)$")


def vanished_pages(context: LintContext) -> dict[str, tuple[int, str | None]]:
    """Old document URL -> (its line in the previous sitemap, the source now published elsewhere or None).

    A URL of the previous sitemap that the site no longer publishes (as a page or a redirect),
    and that was a document's page: by the previous build's record when there is one, else
    any URL that is not a list, tag, person or search page. Its source is the document
    recorded there, or the one now carrying the same title at an address that is new.
    """
    key = ("vanished", 0)
    if key in context.cache:
        return context.cache[key]  # type: ignore[return-value]
    found: dict[str, tuple[int, str | None]] = {}
    previous = context.previous
    prefixes = tuple(language.prefix for language in context.site.config.all_languages if language.prefix)
    if previous is not None:
        current = {doc.rel: doc for doc in context.site.documents}
        by_title = {doc.meta.title: doc.rel for doc in context.site.documents if doc.url not in previous.urls}
        for url, line in previous.urls.items():
            if url in context.published:
                continue
            if previous.pages:
                if url not in previous.pages:
                    continue
                rel, title = previous.pages[url]
                found[url] = (line, rel if rel in current else by_title.get(title))
            elif not _GENERATED_RE.match(_without_language(url, prefixes)):
                found[url] = (line, None)
    context.cache[key] = found
    return found


def _without_language(url: str, prefixes: tuple[str, ...]) -> str:
    """A URL under another language's prefix ("es/tags/x/") as the default language's ("tags/x/")."""
    prefix = next((prefix for prefix in prefixes if url.startswith(prefix)), "")
    return url[len(prefix):]


@rule("missing-alias", WARNING,
      "a page the previous build published (its sitemap) moved to a new URL, and no alias redirects the old one")
def check_missing_alias(context: LintContext, doc: ResolvedDocument) -> Iterator[Finding]:
    for url, (_, source) in sorted(vanished_pages(context).items()):
        if source == doc.rel:
            yield Finding(doc.meta.lines.get("slug", 1),
                          f"the previous build published this page at /{url}, now it is at /{doc.url}; add "
                          f"`aliases: [/{url}]` so links and bookmarks to the old address keep working")


@rule("removed-page", WARNING,
      "a page the previous build published (its sitemap) is gone, and no alias redirects its URL", scope="site")
def check_removed_page(context: LintContext) -> Iterator[Finding]:
    previous = context.previous
    for url, (line, source) in sorted(vanished_pages(context).items()):
        if source is None and previous is not None:
            yield Finding(line, f"/{url} was published by the previous build and is gone; if its page moved, add "
                                f"`aliases: [/{url}]` to the page that replaced it", path=previous.sitemap)
