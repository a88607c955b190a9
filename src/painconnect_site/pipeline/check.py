"""`run_check`: stages 0-4 without writing, then the editorial rules over the rendered site."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from ..core.errors import Diagnostics
from ..render.feeds import sitemap_locations
from ..render.pages import render_site
from .cached_stages import PUBLISHED, PublishedRecord
from .load import load_site
from .options import BuildOptions, open_cache
from .page_keys import outputs_name

if TYPE_CHECKING:  # `build` does not load the editorial rules
    from ..checks.context import PreviousBuild


def run_check(options: BuildOptions, today: dt.date | None = None) -> Diagnostics:
    from ..checks.registry import check_site  # imported here: `build` does not need the editorial rules

    diags = Diagnostics()
    loaded = load_site(options, diags, encode_images=False)
    outputs = render_site(loaded.site, loaded.templates, diags)  # template errors are found here
    diags.raise_if_errors()
    check_site(loaded.site, diags, today or dt.date.today(), {output.path: output.data for output in outputs},
               previous_build(options))
    return diags


def previous_build(options: BuildOptions) -> PreviousBuild | None:
    """What the last build wrote into the output folder: its sitemap (the URLs readers may have
    bookmarked) and, from the build cache, which document each came from. Read-only."""
    from ..checks.context import PreviousBuild

    out_dir = options.output.resolve()
    sitemap = out_dir / "sitemap.xml"
    try:
        locations = sitemap_locations(sitemap.read_bytes())
    except OSError:
        return None
    if not locations:
        return None
    home = locations[0][0]  # the sitemap lists the home page first
    urls = {loc[len(home):]: line for loc, line in locations if loc.startswith(home)}
    record = open_cache(options).load(PUBLISHED, outputs_name(out_dir)) if options.use_cache else None
    pages = record.pages if isinstance(record, PublishedRecord) else {}
    try:
        shown = sitemap.relative_to(options.root.resolve()).as_posix()
    except ValueError:
        shown = sitemap.as_posix()
    return PreviousBuild(shown, urls, pages)
