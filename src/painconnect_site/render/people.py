"""Who wrote and who reviewed what: the article lists of the people pages (and their sitemap entries).

Every person of site.yaml `people` has a page at people/<id>/ (core/urls.py
`person_url`), listing the published articles they wrote or medically reviewed,
newest first, paginated like the article list.
"""

from __future__ import annotations

from ..core.model import ResolvedDocument, Site

# What a person did for an article: the theme string (i18n.py) their page shows beside it.
WRITTEN, REVIEWED, BOTH = "written", "reviewed", "written_and_reviewed"


def people_entries(site: Site) -> dict[str, list[tuple[ResolvedDocument, str]]]:
    """Person id -> the articles they wrote or reviewed (in any language), newest first, each with
    what they did (WRITTEN, REVIEWED or BOTH)."""
    entries: dict[str, list[tuple[ResolvedDocument, str]]] = {person_id: [] for person_id in site.config.people}
    for doc in site.articles:
        author, reviewer = doc.meta.author, doc.meta.reviewer
        if author == reviewer:
            entries[author].append((doc, BOTH))
            continue
        entries[author].append((doc, WRITTEN))
        if reviewer:
            entries[reviewer].append((doc, REVIEWED))
    return entries
