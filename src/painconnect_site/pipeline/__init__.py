"""The build pipeline: what the commands run (`run_build`, `run_check`).

The names below load on first use, so a command can import a light module of the
pipeline (options.py, up_to_date.py) without loading the stages and their libraries.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..core.errors import BuildError
    from ..incremental.cache import BuildCache
    from ..incremental.collector import few_collections
    from .build import run_build
    from .check import run_check
    from .load import LoadedSite, load_site
    from .options import BuildOptions, open_cache

_HOMES = {"BuildError": "..core.errors", "BuildCache": "..incremental.cache", "run_build": ".build",
          "few_collections": "..incremental.collector",
          "run_check": ".check", "LoadedSite": ".load", "load_site": ".load", "BuildOptions": ".options",
          "open_cache": ".options"}

__all__ = sorted(_HOMES)


def __getattr__(name: str) -> object:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(home, __name__), name)
    globals()[name] = value
    return value
