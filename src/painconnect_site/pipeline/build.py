"""Run the stages in order: load -> parse -> resolve -> render -> write.

Each stage collects every problem it finds; at each stage boundary the
pipeline stops if there were errors (`Diagnostics.raise_if_errors`), so
nothing is written from a site that has any error.

Builds are incremental (see incremental.py and README, Performance): pure work
whose inputs are unchanged comes from the build cache, the rest runs in worker
processes when there is enough of it, and unchanged output files are linked
from the previous output instead of being rendered and written again. Checks
run on every build, cached or not.
"""

from __future__ import annotations

import datetime as dt
import gc
import os
import time
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Iterator, Mapping, Sequence

from ..incremental import cache as build_cache
from ..render.assets import Assets, collect_assets
from ..incremental.cache import BuildCache
from ..content.config import load_config
from ..core.errors import BuildError, Diagnostic, Diagnostics
from ..incremental.records import (
    KINDS,
    OUTPUTS,
    LoadedDocument,
    OutputRecord,
    load_bibliography,
    load_documents,
    outputs_name,
    page_keys,
    preload_references,
    render_key,
    store_references,
    with_rendering,
)
from ..core.model import Bibliography, BuildResult, OutputFile, ResolvedDocument, Site, SiteConfig
from ..render.pages import release_indexes, render_site, url_helpers
from .parallel import map_in_order, worker_count
from ..citations.format import ReferenceFormatter, UnknownStyleError
from ..content.resolve import RenderedDocument, render_document, resolve_document
from ..search.pagefind import (
    BUNDLE_DIR,
    index_folder,
    indexer_identity,
    link_bundle,
    reindex_in_place,
    reuse_previous_bundle,
)
from ..content.site_index import index_site, slugify
from ..content.sources import load_sources
from ..render.templates import TemplateRenderer
from ..write.tree import KeptFile, Stamp, WrittenSite, tree_stamps, write_site

if TYPE_CHECKING:
    from ..markdown.render import MarkdownRenderer


@dataclass(frozen=True, slots=True)
class BuildOptions:
    root: Path
    out_dir: Path | None = None
    drafts: bool = False
    base_url: str | None = None
    use_cache: bool = True  # False (--no-cache): a clean build that neither reads nor writes the cache
    cache_dir: Path | None = None  # default: SOURCE/.cache
    workers: int | None = None  # worker processes; None: one per CPU when there is enough work
    # serve: when indexed pages changed, publish them with the previous (stale) search bundle
    # and leave the indexing to `complete_search_index`, run right after.
    defer_search: bool = False

    @property
    def output(self) -> Path:
        return self.out_dir or self.root / "_site"

    @property
    def cache_folder(self) -> Path:
        return self.cache_dir or self.root / build_cache.DIR_NAME


@dataclass(frozen=True, slots=True)
class LoadedSite:
    site: Site
    templates: TemplateRenderer
    assets: Assets
    documents: Mapping[str, LoadedDocument] = field(default_factory=dict)  # rel -> its cache record


def load_site(options: BuildOptions, diags: Diagnostics, cache: BuildCache | None = None) -> LoadedSite:
    """Stages 0-3: everything is read, validated and resolved before anything is rendered."""
    cache = cache or BuildCache.disabled()
    config = load_config(options.root, diags, options.base_url)
    diags.raise_if_errors()
    assert config is not None
    sources = load_sources(options.root, diags)
    documents = load_documents((*sources.articles, *sources.pages), config, sources.static_files, cache, diags)
    bibliography = load_bibliography(sources.bibliography, cache, diags)
    diags.raise_if_errors()

    published = [doc for doc in documents if options.drafts or not doc.parsed.meta.draft]
    index = index_site([doc.parsed for doc in published], sources.static_files, diags)
    formatter = _formatter(config, bibliography, diags)
    diags.raise_if_errors()
    assert formatter is not None
    preloaded = preload_references(formatter, bibliography, cache)
    published = render_documents(published, config.base_path, bibliography, cache, options.workers)
    resolved = [
        resolve_document(doc.parsed, config, bibliography, formatter, index, None, diags,
                         rendered=doc.record.rendered, uses=doc.record.uses)
        for doc in published
    ]
    diags.raise_if_errors()
    store_references(formatter, preloaded, cache)

    assets = collect_assets(options.root)
    templates = TemplateRenderer(options.root, url_helpers(config, assets))
    site = assemble_site(config, resolved, bibliography)
    return LoadedSite(site, templates, assets, {doc.parsed.source.rel: doc for doc in published})


def render_documents(documents: list[LoadedDocument], base_path: str, bibliography: Bibliography,
                     cache: BuildCache, workers: int | None) -> list[LoadedDocument]:
    """Render the Markdown of every document whose cached rendering is missing or stale."""
    keys = [render_key(cache, doc, base_path, bibliography) for doc in documents]
    todo = [i for i, (doc, key) in enumerate(zip(documents, keys))
            if doc.record.rendered is None or doc.record.render_key != key]

    def render(chunk: Sequence[int]) -> list[RenderedDocument]:
        renderer = markdown_renderer()
        return [render_document(documents[i].parsed, base_path, bibliography.entries, renderer) for i in chunk]

    done = [rendered for part in map_in_order(render, todo, worker_count(len(todo), workers)) for rendered in part]
    result = list(documents)
    for i, rendered in zip(todo, done):
        result[i] = with_rendering(cache, documents[i], keys[i], rendered)
    return result


_renderers: list[MarkdownRenderer] = []  # one per process (each worker makes its own), reset per document


def markdown_renderer() -> MarkdownRenderer:
    if not _renderers:
        from ..markdown.render import MarkdownRenderer  # Python-Markdown loads only when needed


        _renderers.append(MarkdownRenderer())
    return _renderers[0]


def assemble_site(config: SiteConfig, resolved: list[ResolvedDocument], bibliography) -> Site:
    articles = tuple(sorted((d for d in resolved if d.kind == "article"), key=_newest_first))
    pages = tuple(sorted((d for d in resolved if d.kind == "page"), key=lambda d: d.url))
    tags: dict[str, list[ResolvedDocument]] = {}
    for doc in articles:
        for tag in doc.meta.tags:
            tags.setdefault(slugify(tag), []).append(doc)
    return Site(
        config=config,
        articles=articles,
        pages=pages,
        tags={slug: tuple(docs) for slug, docs in sorted(tags.items())},
        bibliography=bibliography,
        build_date=build_date(resolved),
    )


def _newest_first(doc: ResolvedDocument) -> tuple:
    return (-doc.meta.date.toordinal(), doc.meta.title.lower(), doc.url)


def build_date(docs: list[ResolvedDocument]) -> dt.date:
    """SOURCE_DATE_EPOCH when set (reproducible builds), else the newest content date: never the clock."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.isdigit():
        return dt.datetime.fromtimestamp(int(epoch), dt.timezone.utc).date()
    dates = [d for doc in docs for d in (doc.meta.date, doc.meta.updated, doc.meta.reviewed) if d]
    return max(dates, default=dt.date(1970, 1, 1))


def _formatter(config: SiteConfig, bibliography, diags: Diagnostics) -> ReferenceFormatter | None:
    try:
        return ReferenceFormatter(bibliography, config.citation_style)
    except UnknownStyleError as exc:
        diags.error("content/site.yaml", config.lines.get("citation_style", 1), str(exc))
        return None


def open_cache(options: BuildOptions) -> BuildCache:
    if not options.use_cache:
        return BuildCache.disabled()
    return BuildCache(options.cache_folder, build_cache.environment_fingerprint())


def run_build(options: BuildOptions) -> tuple[BuildResult, Diagnostics]:
    started = time.perf_counter()
    diags = Diagnostics()
    cache = open_cache(options)
    succeeded = False
    try:
        with _few_collections():
            loaded = load_site(options, diags, cache)
            written = write_outputs(loaded, options, cache, diags)
        succeeded = True
    finally:
        release_indexes()  # else the site outlives the build, and freeing it at exit costs 0.2 s
        cache.flush()  # what was computed is correct even when the build failed later
        if succeeded:
            # Other output folders (`serve` builds into a temporary one) keep their records a while.
            cache.prune(KINDS, keep_recent={OUTPUTS: 4})
        cache.wait()
    seconds = time.perf_counter() - started
    return BuildResult(options.output, written.files, len(loaded.site.articles), seconds), diags


@contextmanager
def _few_collections() -> Iterator[None]:
    """A build makes hundreds of thousands of long-lived objects and little cyclic garbage;
    with the default thresholds the cycle collector rescans the growing heap again and
    again (40% of a cached build's time), so it runs rarely during a build."""
    before = gc.get_threshold()
    gc.set_threshold(100_000, 50, 100)
    try:
        yield
    finally:
        gc.set_threshold(*before)


def write_outputs(loaded: LoadedSite, options: BuildOptions, cache: BuildCache, diags: Diagnostics) -> WrittenSite:
    """Render what changed, keep (link) what did not, index for search, and swap the output in."""
    site = loaded.site
    out_dir = options.output.resolve()
    indexer = indexer_identity()
    previous = cache.load(OUTPUTS, outputs_name(out_dir))
    previous = previous if isinstance(previous, OutputRecord) else OutputRecord("", "", {}, {})
    current = _stamps_of(out_dir) if previous.stamps else {}
    reusable = {path for path, stamp in previous.stamps.items() if current.get(path) == stamp}
    # The output folder is exactly what the previous build wrote, by the same search indexer.
    intact = bool(current) and current == previous.stamps and previous.indexer == indexer
    keys, everything_else = page_keys(site, loaded.documents, loaded.templates, loaded.assets, cache, previous)
    kept = {path for path, key in keys.items() if previous.keys.get(path) == key and path in reusable}
    if everything_else == previous.site_key:
        kept |= {path for path, key in previous.keys.items() if key == everything_else and path in reusable}
    if intact and set(keys) <= kept == set(previous.keys) and _same_assets(loaded.assets, out_dir, previous):
        return WrittenSite(len(previous.keys) + len(loaded.assets.files), 0, previous.stamps)  # nothing to do
    new_keys = {**keys, **{path: everything_else for path in kept if path not in keys}}
    bundle_indexer = indexer  # recorded; DEFERRED + indexer while the bundle is stale

    def outputs() -> Iterator[OutputFile | KeptFile]:
        yield from (KeptFile(path) for path in sorted(kept))
        for output in render_outputs(loaded, kept, diags, options.workers):
            new_keys.setdefault(output.path, everything_else)
            yield output
        yield from loaded.assets.files

    def finalize(staging: Path) -> None:
        nonlocal bundle_indexer
        diags.raise_if_errors()  # template errors: the staging folder is dropped, the old output stays
        cache.flush(background=True)  # written while Pagefind runs
        if options.defer_search:
            if not (intact and reuse_previous_bundle(staging, out_dir)):
                # The previous bundle, stale, keeps search working until `complete_search_index`;
                # recorded as DEFERRED so no build ever reuses it as current.
                link_bundle(out_dir, staging)
                bundle_indexer = DEFERRED + indexer
            return
        # Pagefind is skipped when the previous output is intact and no indexed page changed.
        index_folder(staging, previous=out_dir if intact else None)

    written = write_site(outputs(), out_dir, finalize=finalize, reusable=reusable)
    recorded = {path: key for path, key in new_keys.items() if path in written.stamps}
    cache.store(OUTPUTS, outputs_name(out_dir), OutputRecord(bundle_indexer, everything_else, recorded, written.stamps))
    return written


DEFERRED = "deferred, stale bundle: "  # prefix of OutputRecord.indexer: never equals an indexer_identity()


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


def render_outputs(loaded: LoadedSite, kept: set[str], diags: Diagnostics, workers: int | None) -> Iterator[OutputFile]:
    """Every output of `render_site` not in `kept`: article pages in worker processes when
    there are many (results in site order), the other pages here."""
    site, templates = loaded.site, loaded.templates
    articles = [path for path in (doc.url + "index.html" for doc in site.articles) if path not in kept]
    count = worker_count(len(articles), workers)
    if count > 1:
        templates.warm(("article.html",))  # compiled once here, inherited by the workers

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


def run_check(options: BuildOptions, today: dt.date | None = None) -> Diagnostics:
    """Stages 0-4 without writing, then the editorial rules."""
    from ..checks import registry as checks  # imported here: `build` does not need the editorial rules

    diags = Diagnostics()
    loaded = load_site(options, diags)
    render_site(loaded.site, loaded.templates, diags)
    diags.raise_if_errors()
    checks.check_site(loaded.site, diags, today or dt.date.today())
    return diags


__all__ = ["BuildError", "BuildOptions", "run_build", "run_check", "load_site"]
