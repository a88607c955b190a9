"""The build pipeline: what the commands run (`run_build`, `run_check`)."""

from ..core.errors import BuildError
from ..incremental.cache import BuildCache
from .build import run_build
from .check import run_check
from .load import LoadedSite, load_site
from .options import BuildOptions, open_cache

__all__ = ["BuildCache", "BuildError", "BuildOptions", "LoadedSite", "load_site", "open_cache", "run_build", "run_check"]
