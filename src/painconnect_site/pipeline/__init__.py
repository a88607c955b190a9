"""The build pipeline: what the commands run (`run_build`, `run_check`, `complete_search_index`)."""

from ..core.errors import BuildError
from .build import run_build
from .check import run_check
from .load import LoadedSite, load_site
from .options import BuildOptions, open_cache
from .output import DEFERRED, complete_search_index

__all__ = ["BuildError", "BuildOptions", "DEFERRED", "LoadedSite", "complete_search_index", "load_site",
           "open_cache", "run_build", "run_check"]
