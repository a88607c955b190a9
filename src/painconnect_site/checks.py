"""Editorial checks run by `check` after a successful load (warnings unless stated)."""

from __future__ import annotations

import datetime as dt

from .errors import Diagnostics
from .model import Site


def check_site(site: Site, diags: Diagnostics, today: dt.date) -> None:
    for doc in (*site.articles, *site.pages):
        length = len(doc.meta.description)
        if not 50 <= length <= 160:
            diags.warning(doc.rel, doc.meta.lines.get("description", 1),
                          f"description is {length} characters; keep it between 50 and 160", "description-length")
