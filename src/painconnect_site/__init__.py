"""painconnect_site: a static-site generator for evidence-based health content."""

__version__ = "0.1.0"
