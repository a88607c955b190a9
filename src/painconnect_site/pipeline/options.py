"""What a build is asked to do, and the cache it uses."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..incremental.cache import DIR_NAME, BuildCache, environment_fingerprint


@dataclass(frozen=True, slots=True)
class BuildOptions:
    root: Path
    out_dir: Path | None = None
    drafts: bool = False
    base_url: str | None = None
    use_cache: bool = True  # False (--no-cache): a clean build that neither reads nor writes the cache
    cache_dir: Path | None = None  # default: SOURCE/.cache
    workers: int | None = None  # worker processes; None: one per CPU when there is enough work
    # The output folder is written by nothing but this process's builds (serve's temporary
    # folder): its files are taken to be what the previous build recorded, not stat'ed.
    private_output: bool = False

    @property
    def output(self) -> Path:
        return self.out_dir or self.root / "_site"

    @property
    def cache_folder(self) -> Path:
        return self.cache_dir or self.root / DIR_NAME


def open_cache(options: BuildOptions, remember: bool = False) -> BuildCache:
    """`remember`: keep loaded and stored values in memory for the next build (see BuildCache)."""
    if not options.use_cache:
        return BuildCache.disabled()
    return BuildCache(options.cache_folder, environment_fingerprint(), remember)
