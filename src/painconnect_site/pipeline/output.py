"""Stages 4-5 for a build: render what changed, keep (link) what did not, write the search index, swap in.

Three policies meet here, each in its own piece: which outputs the previous
build left reusable (`plan_reuse`), which files of the search index are written
or kept (`SearchStep`, see search_index.py), and rendering, in worker processes
when there are many pages (`render_outputs`). write/tree.py writes.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import AbstractSet, Callable, Iterable, Iterator, Mapping, Sequence

from ..core.errors import Diagnostic, Diagnostics
from ..core.model import OutputFile
from ..core.urls import SEARCH_BUNDLE
from ..incremental.cache import BuildCache
from ..render.assets import Assets
from ..render.pages import PERSON_TEMPLATE, Planned, common_contexts, page_outputs, planned_pages, site_outputs
from ..write.tree import (SIZE, KeptFiles, PlacedFile, Stamp, WrittenSite, place_file, readable_tree_stamps,
                          update_site, write_site)
from .cached_stages import OUTPUTS
from .load import LoadedSite
from .options import BuildOptions
from .page_keys import OutputRecord, outputs_name, page_keys
from .parallel import map_in_order, worker_count
from .search_index import (
    SearchDocument,
    build_search_index,
    current_search_key,
    indexed_documents,
    keep_search_cache,
)

SEARCH_PREFIX = SEARCH_BUNDLE + "/"


@dataclass(frozen=True, slots=True)
class ReusePlan:
    """What the previous build left in the output folder that this build may keep."""

    previous: OutputRecord
    present: Mapping[str, Stamp]  # every file in the output folder now (none without a previous record)
    reusable: frozenset[str]  # files unmodified since the previous build wrote them
    intact: bool  # the folder is exactly what the previous build wrote, with the same search index
    keys: Mapping[str, str]  # document page path -> its key now
    site_key: str  # the key of every other output now
    kept: frozenset[str]  # outputs whose key is unchanged and whose file is reusable: linked, not rendered

    def nothing_changed(self, assets: Assets, out_dir: Path) -> bool:
        return (self.intact and set(self.keys) <= self.kept == set(self.previous.keys)
                and _same_assets(assets, out_dir, self.previous))


def plan_reuse(loaded: LoadedSite, plan: Sequence[Planned], out_dir: Path, cache: BuildCache, indexer: str,
               private: bool = False) -> ReusePlan:
    """`indexer`: the key of the search index this build writes (`current_search_key`); when
    it is the previous output's, every intact file of that index is kept as it is.
    `private`: see BuildOptions.private_output."""
    previous = cache.load(OUTPUTS, outputs_name(out_dir))
    previous = previous if isinstance(previous, OutputRecord) else OutputRecord("", "", {}, {})
    if private and previous.stamps and out_dir.is_dir():
        current = dict(previous.stamps)
    else:
        current = (readable_tree_stamps(out_dir) or {}) if previous.stamps else {}  # unreadable: nothing reused
    reusable = frozenset(path for path, stamp in previous.stamps.items() if current.get(path) == stamp)
    intact = bool(current) and current == previous.stamps and previous.indexer == indexer
    keys, site_key = page_keys(loaded.site, loaded.documents, loaded.templates, loaded.assets, plan, cache)
    kept = {path for path, key in keys.items() if previous.keys.get(path) == key and path in reusable}
    if site_key == previous.site_key:
        kept |= {path for path, key in previous.keys.items() if key == site_key and path in reusable}
    if indexer == previous.indexer:
        kept |= {path for path in previous.keys if path.startswith(SEARCH_PREFIX) and path in reusable}
    return ReusePlan(previous, current, reusable, intact, keys, site_key, frozenset(kept))


class SearchStep:
    """The search index's files for this build: each one kept (linked from the previous
    output) when its key is the one recorded for that file and the file is intact, else
    produced; `keys` collects what the output record keeps for each."""

    def __init__(self, docs: Sequence[SearchDocument], key: str, plan: ReusePlan, cache: BuildCache,
                 write_queued: Callable[[], None] | None = None) -> None:
        self.docs, self.key, self.plan, self.cache, self.write_queued = docs, key, plan, cache, write_queued
        self.keys: dict[str, str] = {}

    def outputs(self) -> Iterator[OutputFile | KeptFiles]:
        plan, previous = self.plan, self.plan.previous
        searched = [path for path in previous.keys if path.startswith(SEARCH_PREFIX)]
        if previous.indexer == self.key and searched and all(path in plan.kept for path in searched):
            keep_search_cache(self.cache)  # the same index, every file intact: all linked already
            return

        def kept(path: str, key: str) -> bool:
            return previous.keys.get(path) == key and path in plan.reusable

        index = build_search_index(self.docs, self.key, self.cache, kept, self.write_queued)
        intact = set()
        for file in index.files:
            if file.path in plan.kept:  # already linked, under the same key
                continue
            self.keys[file.path] = file.key
            if kept(file.path, file.key):
                intact.add(file.path)
            else:
                yield OutputFile(file.path, file.data())
        if intact:
            yield KeptFiles(frozenset(intact))


def write_outputs(loaded: LoadedSite, options: BuildOptions, cache: BuildCache, diags: Diagnostics) -> WrittenSite:
    """Render what changed, keep (link) what did not, write the search index, and swap the output in."""
    out_dir = options.output.resolve()
    docs = indexed_documents(loaded)
    search_key = current_search_key(docs, cache)
    pages = list(planned_pages(loaded.site, loaded.templates.strings))
    plan = plan_reuse(loaded, pages, out_dir, cache, search_key, options.private_output)
    if plan.nothing_changed(loaded.assets, out_dir):
        keep_search_cache(cache)
        previous = plan.previous
        return WrittenSite(len(previous.keys) + len(loaded.assets.files), 0, previous.stamps)
    # A kept output's key is unchanged: the one recorded for it.
    keys = {**plan.keys, **{path: plan.previous.keys[path] for path in plan.kept if path not in plan.keys}}
    # The records queued so far (a cold build: every document's) are written while the
    # template workers run, where this process would otherwise wait for them at the end;
    # the search index's, while it is built. (`serve` writes its cache after the reload:
    # see commands/serve/watch.py.)
    write_records = None if cache.remembers else (lambda: cache.flush(background=True))
    search = SearchStep(docs, search_key, plan, cache, write_records)

    def outputs(into: Path | None = None) -> Iterator[OutputFile | KeptFiles | PlacedFile]:
        if plan.kept:
            yield KeptFiles(plan.kept)
        for output in render_outputs(loaded, pages, plan.kept, diags, options.workers, into, search.outputs,
                                     write_records):
            if not isinstance(output, KeptFiles):  # the search files' keys are set below
                keys.setdefault(output.path, plan.site_key)
            yield output
        yield from loaded.assets.files

    def finalize() -> None:
        diags.raise_if_errors()  # template errors: nothing is swapped or renamed in, the old output stays
        if not cache.remembers:
            cache.flush(background=True)  # written while the tree is stamped and swapped in

    if plan.present:  # the output the previous build recorded: patched in place
        written = update_site(outputs(), out_dir, plan.present, plan.reusable, finalize)
    else:
        # A new tree: the render workers write their pages into it themselves (in parallel,
        # and without sending 1,500 pages back through a pipe for this process to write).
        written = write_site(outputs, out_dir, finalize=finalize, reusable=plan.reusable)
    keys.update(search.keys)
    recorded = {path: key for path, key in keys.items() if path in written.stamps}
    cache.store(OUTPUTS, outputs_name(out_dir), OutputRecord(search.key, plan.site_key, recorded, written.stamps))
    return written


def _same_assets(assets: Assets, out_dir: Path, previous: OutputRecord) -> bool:
    """Are the static files exactly those of the previous output, byte for byte?"""
    before = {path for path in previous.stamps if path not in previous.keys and not path.startswith(SEARCH_PREFIX)}
    if before != {output.path for output in assets.files}:
        return False
    return all(previous.stamps[output.path][SIZE] == len(output.data)
               and (out_dir / output.path).read_bytes() == output.data for output in assets.files)


def render_outputs(loaded: LoadedSite, pages: Sequence[Planned], kept: AbstractSet[str], diags: Diagnostics,
                   workers: int | None, into: Path | None = None,
                   also: Callable[[], Iterable[OutputFile | KeptFiles]] | None = None,
                   first: Callable[[], None] | None = None,
                   ) -> Iterator[OutputFile | KeptFiles | PlacedFile]:
    """Every output of `site_outputs` not in `kept`, then those of `also` (the search index):
    article and people pages in worker processes when there are many (results in site
    order), the rest here while the workers run. `into`: a staging folder the outputs are
    written into where they are made, by the workers and by this process. `first`: run
    here before the rest, once any workers are started (so it may start a thread)."""
    site, templates = loaded.site, loaded.templates
    articles = [path for path in (doc.url + "index.html" for doc in site.articles) if path not in kept]
    # One page per person (and page of their list): as many as articles.
    articles += [path for path, template, *_ in pages if template == PERSON_TEMPLATE and path not in kept]
    count = worker_count(len(articles), workers)
    if count > 1:
        templates.warm(("article.html", PERSON_TEMPLATE))  # compiled once here, inherited by the workers

    def placed(files: Iterable[OutputFile | KeptFiles]) -> Iterator[OutputFile | KeptFiles | PlacedFile]:
        for file in files:
            yield place_file(into, file) if into is not None and isinstance(file, OutputFile) else file

    # Made once here (and inherited by forked workers), not once per chunk: a chunk renders
    # its own pages and visits nothing else.
    common = common_contexts(site, templates.strings)
    planned = {page[0]: page for page in pages}

    def render(chunk: Sequence[str]) -> list[tuple[list[OutputFile | KeptFiles | PlacedFile], tuple[Diagnostic, ...]]]:
        found = Diagnostics()
        files = page_outputs(site, templates, found, (planned[path] for path in chunk), common)
        return [(list(placed(files)), tuple(found))]

    skip = kept | set(articles)
    here: list[OutputFile | KeptFiles | PlacedFile] = []
    found_here = Diagnostics()

    def make_here() -> None:
        if first is not None:
            first()
        here.extend(placed(site_outputs(site, templates, found_here, lambda path: path not in skip, pages, common)))
        if also is not None:
            here.extend(placed(also()))

    for part in map_in_order(render, articles, count, make_here):
        for files, found in part:
            diags.extend(found)
            yield from files
    diags.extend(found_here)
    yield from here
