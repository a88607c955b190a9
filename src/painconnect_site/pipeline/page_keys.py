"""Which output pages a build may keep from the previous output: one key per page.

A page whose key is unchanged and whose file in the previous output is intact
is linked, not rendered (see write/tree.py and pipeline/output.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping, Sequence

from ..core.kinds import ARTICLE
from ..core.model import ResolvedDocument, Site
from ..incremental.cache import BuildCache, digest
from ..render.assets import Assets
from ..render.pages import Planned
from ..render.templates import TemplateRenderer
from ..write.tree import Stamp
from .cached_stages import CONFIG, OUTPUTS, LoadedDocument, entry_digests


@dataclass(frozen=True, slots=True)
class OutputRecord:
    """What the previous build wrote into one output folder."""

    indexer: str  # the key of the search index in it (search.index.search_key of what it indexes)
    site_key: str  # the key of every output not rendered from a template (see page_keys)
    keys: Mapping[str, str]  # output path -> key of the page written there
    stamps: Mapping[str, Stamp]  # every file of the folder as written


def outputs_name(out_dir: object) -> str:
    return digest(OUTPUTS, str(out_dir))


def page_keys(site: Site, documents: Mapping[str, LoadedDocument], templates: TemplateRenderer, assets: Assets,
              plan: Sequence[Planned], cache: BuildCache) -> tuple[dict[str, str], str]:
    """(key of every page of `plan` (render/pages.py planned_pages), key of every other output).

    Every key covers the site: site.yaml (people, page size, image settings), templates,
    assets, the images pages show (sizes and variant names, which hash their bytes),
    build date and code; and the `frame` every page shows: the front matter, URL and
    translations of the site's pages (not articles: the navigation and footer links).
    A document's page adds its own content, and every page the documents it shows and
    the facts it prints (render/pages.py `Shows`: related articles, the articles listed
    on a list, tag or person's page, pagination, translations). A page whose template
    reads past these (render/templates.py `shows_whole_site`), or planned as showing
    everything, covers the front matter and URL of every document (`navigation`)
    instead, as do the sitemap,
    feed, redirects and the other files not rendered from a template (`site_key`).

    So an edit to an article's text re-renders its page alone, a references.bib edit the
    pages citing the entry, and a new article the pages that list or relate it (see
    README, Performance, for the rule templates follow: no other document's body).
    """
    site_wide = cache.key(
        "site", repr(site.config), repr(site.build_date),
        *(part for path in templates.template_files() for part in (str(path), path.read_bytes())),
        *(f"{logical}={output}" for logical, output in sorted(assets.urls.items())),
        *(repr(info) for _, info in sorted(site.images.items())),
    )
    docs = site.documents
    entries = entry_digests(site.bibliography, cache)
    # By URL (a field; `rel` is a property), read ~10 times a document by the pages showing it.
    shown = {doc.url: _digest(cache, (doc.rel, doc.url, documents[doc.rel].record.front_matter)) for doc in docs}
    navigation = digest(*shown.values())
    frame = digest(*(part for doc in docs if doc.kind != ARTICLE.name
                     for part in (shown[doc.url], repr(site.translations.get(doc.url)))))
    own = {doc.url + "index.html": _content_key(doc, documents[doc.rel], entries, cache) for doc in docs}
    whole_site = _whole_site_templates(templates, {template for _, template, _, _, _ in plan}, site_wide, cache)
    keys = {}
    for path, template, _, _, shows in plan:
        if shows is None or template in whole_site:
            keys[path] = _digest(cache, (site_wide, navigation, path, template, own.get(path, "")))
        else:
            keys[path] = _digest(cache, (site_wide, frame, path, template, own.get(path, ""), shows.facts,
                                         *(shown[doc.url] for doc in shows.documents)))
    return keys, digest(site_wide, navigation)


TEMPLATE_SCOPE = "template-scope"


def _whole_site_templates(templates: TemplateRenderer, names: set[str], site_wide: str,
                          cache: BuildCache) -> frozenset[str]:
    """The templates of `names` that may show every document. Reading them from their syntax
    trees takes ~0.1 s, so a fresh process loads the verdicts the last build stored under
    the same templates (their bytes are in `site_wide`)."""
    record = cache.load(CONFIG, TEMPLATE_SCOPE)
    if isinstance(record, tuple) and len(record) == 2 and record[0] == site_wide and isinstance(record[1], dict) \
            and names <= record[1].keys():
        cache.keep(CONFIG, TEMPLATE_SCOPE)
        verdicts = record[1]
    else:
        verdicts = {name: templates.shows_whole_site(name) for name in sorted(names)}
        cache.store(CONFIG, TEMPLATE_SCOPE, (site_wide, verdicts))
    return frozenset(name for name in names if verdicts[name])


def _content_key(doc: ResolvedDocument, loaded: LoadedDocument, entries: Mapping[str, str], cache: BuildCache) -> str:
    """The document's text (parse and rendering keys) and the entries it cites, in citation
    order: its numbered references list and backlinks follow from these and the style."""
    return _digest(cache, (loaded.record.parse_key, loaded.record.render_key,
                           *(entries[ref.reference.key] for ref in doc.references)))


def _digest(cache: BuildCache, parts: tuple[str, ...]) -> str:
    # `serve` looks the digest up by its parts: a dict lookup of strings whose hashes Python
    # has cached costs far less than hashing them again, 2,000 times a rebuild.
    return cache.remembered(parts, lambda: digest(*parts))
