"""Everything refs/ uses from the rest of painconnect_site, imported here and nowhere else.

refs/ needs the diagnostics collector, the content model, the site settings
loader and the BibTeX reader, nothing more; one seam keeps that visible.
"""

from __future__ import annotations

from ..bibtex.parse import BIBLIOGRAPHY_REL, parse_bibliography
from ..content.config import SITE_FILE, load_config
from ..core.errors import ERROR, WARNING, Diagnostic, Diagnostics, did_you_mean
from ..core.model import Bibliography, CitationUse, Reference, SiteConfig, SourceFile

__all__ = [
    "BIBLIOGRAPHY_REL", "ERROR", "SITE_FILE", "WARNING", "Bibliography", "CitationUse", "Diagnostic", "Diagnostics",
    "Reference", "SiteConfig", "SourceFile", "did_you_mean", "load_config", "parse_bibliography",
]
