"""Everything refs/ uses from the rest of painconnect_site, imported here and nowhere else.

refs/ needs the diagnostics collector, the content model, the site settings
loader and the BibTeX reader, nothing more; one seam keeps that visible.
"""

from __future__ import annotations

from ..content.config import SITE_FILE, load_config
from ..content.sources import BIB_FILE as BIBLIOGRAPHY_REL
from ..content.sources import LOCK_FILE
from ..core.errors import ERROR, WARNING, Diagnostic, Diagnostics, did_you_mean
from ..core.model import Bibliography, CitationUse, Reference, SiteConfig, SourceFile


def parse_bibliography(source: SourceFile | None, diags: Diagnostics) -> Bibliography:
    """bibtex.parse's, imported when called: `build` reads the lock through refs/ on every
    run, and bibtexparser loads only when references.bib has to be parsed again."""
    from ..bibtex.parse import parse_bibliography as parse

    return parse(source, diags)

__all__ = [
    "BIBLIOGRAPHY_REL", "ERROR", "LOCK_FILE", "SITE_FILE", "WARNING", "Bibliography", "CitationUse", "Diagnostic", "Diagnostics",
    "Reference", "SiteConfig", "SourceFile", "did_you_mean", "load_config", "parse_bibliography",
]
