"""`run_build`: the stages in order, load -> parse -> resolve -> render -> write.

Each stage collects every problem it finds; at each stage boundary the
pipeline stops if there were errors (`Diagnostics.raise_if_errors`), so
nothing is written from a site that has any error.

Builds are incremental (see cached_stages.py, page_keys.py and README,
Performance): pure work whose inputs are unchanged comes from the build cache,
the rest runs in worker processes when there is enough of it, and unchanged
output files are linked from the previous output instead of being rendered
and written again. Checks run on every build, cached or not. Each build records
what it read and left (up_to_date.py), so the `build` command can recognise
a repeat of it without running the stages.
"""

from __future__ import annotations

import time

from ..content.sources import SeenSources
from ..core.errors import Diagnostics
from ..core.model import BuildResult
from ..incremental.cache import BuildCache
from ..incremental.collector import few_collections
from .cached_stages import KINDS, OUTPUTS, PUBLISHED, PublishedRecord
from .load import LoadedSite, load_site
from .options import BuildOptions, open_cache
from .output import write_outputs
from .page_keys import outputs_name
from .up_to_date import BUILDS, InputSnapshot, records_builds, store_record, take_snapshot


def run_build(options: BuildOptions, cache: BuildCache | None = None,
              snapshot: InputSnapshot | None = None, seen: SeenSources | None = None) -> tuple[BuildResult, Diagnostics]:
    """`cache`: one kept between builds (`serve`); by default the options' cache, opened for this build.
    `snapshot`: the inputs' stamps, taken before anything is read (up_to_date.py); taken here when not given.
    `seen` (`serve`): see content/sources.py."""
    started = time.perf_counter()
    diags = Diagnostics()
    cache = cache or open_cache(options)
    if snapshot is None and cache.enabled and records_builds(options):
        snapshot = take_snapshot(options)
    cache.begin()
    succeeded = False
    try:
        with few_collections():
            loaded = load_site(options, diags, cache, seen=seen)
            written = write_outputs(loaded, options, cache, diags)
            record_published(loaded, options, cache)
            if snapshot is not None:
                store_record(cache, options, snapshot, written.stamps, tuple(diags.warnings), len(loaded.site.articles))
        succeeded = True
    finally:
        # What was computed is correct even when the build failed later. `serve` has its
        # remembering cache written once the browsers have the reloaded page (serve/server.py).
        if not cache.remembers:
            cache.flush()
        if succeeded:
            # Other output folders (`serve` builds into a temporary one) keep their records a while.
            cache.prune((*KINDS, BUILDS), keep_recent={OUTPUTS: 4, PUBLISHED: 4, BUILDS: 4})
        if not cache.remembers:
            cache.wait()
    seconds = time.perf_counter() - started
    return BuildResult(options.output, written.files, len(loaded.site.articles), seconds), diags


def record_published(loaded: LoadedSite, options: BuildOptions, cache: BuildCache) -> None:
    """Which document each URL of this output came from, for `check` to name a page that moved
    (the rules `missing-alias` and `removed-page` compare it with this output's sitemap)."""
    record = PublishedRecord({doc.url: (doc.rel, doc.meta.title) for doc in loaded.site.documents})
    name = outputs_name(options.output.resolve())
    if cache.load(PUBLISHED, name) == record:
        cache.keep(PUBLISHED, name)
    else:
        cache.store(PUBLISHED, name, record)
