"""`run_check`: stages 0-4 without writing, then the editorial rules over the rendered site."""

from __future__ import annotations

import datetime as dt

from ..core.errors import Diagnostics
from ..render.pages import render_site
from .load import load_site
from .options import BuildOptions


def run_check(options: BuildOptions, today: dt.date | None = None) -> Diagnostics:
    from ..checks.registry import check_site  # imported here: `build` does not need the editorial rules

    diags = Diagnostics()
    loaded = load_site(options, diags)
    outputs = render_site(loaded.site, loaded.templates, diags)  # template errors are found here
    diags.raise_if_errors()
    check_site(loaded.site, diags, today or dt.date.today(), {output.path: output.data for output in outputs})
    return diags
