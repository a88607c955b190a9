"""Which output pages a build may keep from the previous output: one key per page.

A page whose key is unchanged and whose file in the previous output is intact
is linked, not rendered (see write/tree.py and pipeline/output.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping

from ..core.model import ResolvedDocument, Site
from ..incremental.cache import BuildCache, digest
from ..render.assets import Assets
from ..render.pages import people_paths
from ..render.templates import TemplateRenderer
from ..write.tree import Stamp
from .cached_stages import OUTPUTS, LoadedDocument, entry_digests, front_matter_text


@dataclass(frozen=True, slots=True)
class OutputRecord:
    """What the previous build wrote into one output folder."""

    indexer: str  # the key of the search index in it (search.index.search_key of what it indexes)
    site_key: str  # the key of every output that is not a document's page (see page_keys)
    keys: Mapping[str, str]  # output path -> key of the page written there
    stamps: Mapping[str, Stamp]  # every file of the folder as written


def outputs_name(out_dir: object) -> str:
    return digest(OUTPUTS, str(out_dir))


def page_keys(site: Site, documents: Mapping[str, LoadedDocument], templates: TemplateRenderer, assets: Assets,
              cache: BuildCache) -> tuple[dict[str, str], str]:
    """(key of each article, page and person's page, key of every other output).

    An article's page depends on its own content, the front matter and URL of every
    document (its related articles, lists, tags, navigation, the people it links), and
    the site: site.yaml (people, page size, image settings), templates, assets, the
    images pages show (sizes and variant names, which hash their bytes), build date and
    code. Templates may show anything about the page's own document, and other
    documents' front matter and URLs, but not other documents' bodies or references
    (see README, Performance). Every other output (person pages, home, paginated lists,
    tags, redirects, 404, sitemap, feed) shows documents' front matter and URLs only:
    they share `site_key`, the site and `navigation`, so an edit to an article's text
    re-renders its page alone, and a references.bib edit the pages citing the entry.
    """
    site_wide = cache.key(
        "site", repr(site.config), repr(site.build_date),
        *(part for path in templates.template_files() for part in (str(path), path.read_bytes())),
        *(f"{logical}={output}" for logical, output in sorted(assets.urls.items())),
        *(repr(info) for _, info in sorted(site.images.items())),
    )
    docs = site.documents
    entries = entry_digests(site.bibliography, cache)
    content = {doc.rel: _content_key(doc, documents[doc.rel], entries, cache) for doc in docs}
    navigation = digest(*(part for doc in docs for part in (doc.rel, doc.url, front_matter_text(doc.parsed))))
    site_key = digest(site_wide, navigation)
    keys = {doc.url + "index.html": _digest(cache, (site_wide, navigation, content[doc.rel])) for doc in docs}
    keys.update((path, site_key) for path in people_paths(site))
    return keys, site_key


def _content_key(doc: ResolvedDocument, loaded: LoadedDocument, entries: Mapping[str, str], cache: BuildCache) -> str:
    """The document's text (parse and rendering keys) and the entries it cites, in citation
    order: its numbered references list and backlinks follow from these and the style."""
    return _digest(cache, (loaded.record.parse_key, loaded.record.render_key,
                           *(entries[ref.reference.key] for ref in doc.references)))


def _digest(cache: BuildCache, parts: tuple[str, ...]) -> str:
    # `serve` looks the digest up by its parts: a dict lookup of strings whose hashes Python
    # has cached costs far less than hashing them again, 2,000 times a rebuild.
    return cache.remembered(parts, lambda: digest(*parts))
