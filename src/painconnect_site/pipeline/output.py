"""Stages 4-5 for a build: render what changed, keep (link) what did not, index for search, swap in.

Three policies meet here, each in its own piece: which outputs the previous
build left reusable (`plan_reuse`), how the search index is brought up to date
(`SearchStep`, run on the complete staging folder), and rendering, in worker
processes when there are many pages (`render_outputs`). write/tree.py writes.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import AbstractSet, Iterator, Mapping, Sequence

from ..core.errors import Diagnostic, Diagnostics
from ..core.model import OutputFile
from ..incremental.cache import BuildCache
from ..render.assets import Assets
from ..render.pages import people_paths, render_site
from ..search.pagefind import (
    BUNDLE_DIR,
    index_folder,
    indexer_identity,
    link_bundle,
    reindex_in_place,
    reuse_previous_bundle,
)
from ..write.tree import KeptFile, Stamp, WrittenSite, tree_stamps, write_site
from .cached_stages import OUTPUTS
from .load import LoadedSite
from .options import BuildOptions, open_cache
from .page_keys import OutputRecord, outputs_name, page_keys
from .parallel import map_in_order, worker_count

DEFERRED = "deferred, stale bundle: "  # prefix of OutputRecord.indexer: never equals an indexer_identity()


@dataclass(frozen=True, slots=True)
class ReusePlan:
    """What the previous build left in the output folder that this build may keep."""

    previous: OutputRecord
    reusable: frozenset[str]  # files unmodified since the previous build wrote them
    intact: bool  # the folder is exactly what the previous build wrote, by the same search indexer
    keys: Mapping[str, str]  # document page path -> its key now
    site_key: str  # the key of every other output now
    kept: frozenset[str]  # outputs whose key is unchanged and whose file is reusable: linked, not rendered

    def nothing_changed(self, assets: Assets, out_dir: Path) -> bool:
        return (self.intact and set(self.keys) <= self.kept == set(self.previous.keys)
                and _same_assets(assets, out_dir, self.previous))


def plan_reuse(loaded: LoadedSite, out_dir: Path, cache: BuildCache, indexer: str) -> ReusePlan:
    previous = cache.load(OUTPUTS, outputs_name(out_dir))
    previous = previous if isinstance(previous, OutputRecord) else OutputRecord("", "", {}, {})
    current = _stamps_of(out_dir) if previous.stamps else {}
    reusable = frozenset(path for path, stamp in previous.stamps.items() if current.get(path) == stamp)
    intact = bool(current) and current == previous.stamps and previous.indexer == indexer
    keys, site_key = page_keys(loaded.site, loaded.documents, loaded.templates, loaded.assets, cache, previous)
    kept = {path for path, key in keys.items() if previous.keys.get(path) == key and path in reusable}
    if site_key == previous.site_key:
        kept |= {path for path, key in previous.keys.items() if key == site_key and path in reusable}
    return ReusePlan(previous, reusable, intact, keys, site_key, frozenset(kept))


class SearchStep:
    """The search index, brought up to date on the complete staging folder (`write_site`'s finalize).

    `indexer` is what the output record will say built the bundle: the current indexer,
    or DEFERRED + it while `serve` publishes the previous, stale bundle.
    """

    def __init__(self, options: BuildOptions, plan: ReusePlan, out_dir: Path, indexer: str,
                 cache: BuildCache, diags: Diagnostics) -> None:
        self.options, self.plan, self.out_dir, self.cache, self.diags = options, plan, out_dir, cache, diags
        self.indexer = indexer

    def __call__(self, staging: Path) -> None:
        self.diags.raise_if_errors()  # template errors: the staging folder is dropped, the old output stays
        self.cache.flush(background=True)  # written while the indexer runs
        intact = self.plan.intact
        if self.options.defer_search:
            if not (intact and reuse_previous_bundle(staging, self.out_dir)):
                # The previous bundle, stale, keeps search working until `complete_search_index`;
                # recorded as DEFERRED so no build ever reuses it as current.
                link_bundle(self.out_dir, staging)
                self.indexer = DEFERRED + self.indexer
            return
        # Pagefind is skipped when the previous output is intact and no indexed page changed.
        index_folder(staging, previous=self.out_dir if intact else None)


def write_outputs(loaded: LoadedSite, options: BuildOptions, cache: BuildCache, diags: Diagnostics) -> WrittenSite:
    """Render what changed, keep (link) what did not, index for search, and swap the output in."""
    out_dir = options.output.resolve()
    indexer = indexer_identity()
    plan = plan_reuse(loaded, out_dir, cache, indexer)
    if plan.nothing_changed(loaded.assets, out_dir):
        previous = plan.previous
        return WrittenSite(len(previous.keys) + len(loaded.assets.files), 0, previous.stamps)
    keys = {**plan.keys, **{path: plan.site_key for path in plan.kept if path not in plan.keys}}

    def outputs() -> Iterator[OutputFile | KeptFile]:
        yield from (KeptFile(path) for path in sorted(plan.kept))
        for output in render_outputs(loaded, plan.kept, diags, options.workers):
            keys.setdefault(output.path, plan.site_key)
            yield output
        yield from loaded.assets.files

    search = SearchStep(options, plan, out_dir, indexer, cache, diags)
    written = write_site(outputs(), out_dir, finalize=search, reusable=plan.reusable)
    recorded = {path: key for path, key in keys.items() if path in written.stamps}
    cache.store(OUTPUTS, outputs_name(out_dir), OutputRecord(search.indexer, plan.site_key, recorded, written.stamps))
    return written


def complete_search_index(options: BuildOptions) -> bool:
    """After a `defer_search` build: index the output folder again if its bundle is stale,
    swapping the new bundle in atomically, and record it as current. False: it was current.

    Without a cache nothing says whether the bundle is stale, so it is always indexed.
    The caller makes sure no build writes the folder meanwhile.
    """
    out_dir = options.output.resolve()
    cache = open_cache(options)
    record = cache.load(OUTPUTS, outputs_name(out_dir)) if cache.enabled else None
    indexer = indexer_identity()
    if cache.enabled and not (isinstance(record, OutputRecord) and record.indexer == DEFERRED + indexer):
        return False
    intact = isinstance(record, OutputRecord) and _stamps_of(out_dir) == record.stamps
    reindex_in_place(out_dir)
    if intact:  # the folder is what that build wrote, plus a current bundle
        cache.store(OUTPUTS, outputs_name(out_dir), replace(record, indexer=indexer, stamps=_stamps_of(out_dir)))
    cache.flush()
    cache.wait()
    return True


def _stamps_of(out_dir: Path) -> dict[str, Stamp]:
    try:
        return tree_stamps(out_dir)
    except OSError:  # missing, or changed while we looked: nothing is reused
        return {}


def _same_assets(assets: Assets, out_dir: Path, previous: OutputRecord) -> bool:
    """Are the static files exactly those of the previous output, byte for byte?"""
    bundle = BUNDLE_DIR + "/"
    before = {path for path in previous.stamps if path not in previous.keys and not path.startswith(bundle)}
    if before != {output.path for output in assets.files}:
        return False
    return all(previous.stamps[output.path].size == len(output.data)
               and (out_dir / output.path).read_bytes() == output.data for output in assets.files)


def render_outputs(loaded: LoadedSite, kept: AbstractSet[str], diags: Diagnostics,
                   workers: int | None) -> Iterator[OutputFile]:
    """Every output of `render_site` not in `kept`: article and people pages in worker processes
    when there are many (results in site order), the other pages here."""
    site, templates = loaded.site, loaded.templates
    articles = [path for path in (doc.url + "index.html" for doc in site.articles) if path not in kept]
    articles += [path for path in people_paths(site) if path not in kept]  # one page per person: as many as articles
    count = worker_count(len(articles), workers)
    if count > 1:
        templates.warm(("article.html", "person.html"))  # compiled once here, inherited by the workers

    def render(chunk: Sequence[str]) -> list[tuple[list[OutputFile], tuple[Diagnostic, ...]]]:
        found = Diagnostics()
        wanted = set(chunk)
        return [(render_site(site, templates, found, wanted=wanted.__contains__), tuple(found))]

    for part in map_in_order(render, articles, count):
        for files, found in part:
            diags.extend(found)
            yield from files
    skip = kept | set(articles)
    yield from render_site(site, templates, diags, wanted=lambda path: path not in skip)
