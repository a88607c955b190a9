"""Run the stages in order: load -> parse -> resolve -> render -> write.

Each stage collects every problem it finds; at each stage boundary the
pipeline stops if there were errors (`Diagnostics.raise_if_errors`), so
nothing is written from a site that has any error.
"""

from __future__ import annotations

import datetime as dt
import os
import time
from dataclasses import dataclass
from pathlib import Path

from . import checks
from .assets import Assets, collect_assets
from .bibliography import parse_bibliography
from .config import load_config
from .errors import BuildError, Diagnostics
from .frontmatter import parse_document
from .markdown_render import MarkdownRenderer
from .model import BuildResult, ParsedDocument, ResolvedDocument, Site, SiteConfig
from .outputs import render_site, url_helpers
from .reference_format import ReferenceFormatter, UnknownStyleError
from .resolve import resolve_document
from .site_index import index_site, slugify
from .sources import load_sources
from .templates import TemplateRenderer
from .writer import write_site


@dataclass(frozen=True, slots=True)
class BuildOptions:
    root: Path
    out_dir: Path | None = None
    drafts: bool = False
    base_url: str | None = None

    @property
    def output(self) -> Path:
        return self.out_dir or self.root / "_site"


@dataclass(frozen=True, slots=True)
class LoadedSite:
    site: Site
    templates: TemplateRenderer
    assets: Assets


def load_site(options: BuildOptions, diags: Diagnostics) -> LoadedSite:
    """Stages 0-3: everything is read, validated and resolved before anything is rendered."""
    config = load_config(options.root, diags, options.base_url)
    diags.raise_if_errors()
    assert config is not None
    sources = load_sources(options.root, diags)
    parsed = [
        doc
        for src in (*sources.articles, *sources.pages)
        if (doc := parse_document(src, config, sources.static_files, diags)) is not None
    ]
    bibliography = parse_bibliography(sources.bibliography, diags)
    diags.raise_if_errors()

    published = [doc for doc in parsed if options.drafts or not doc.meta.draft]
    index = index_site(published, sources.static_files, diags)
    formatter = _formatter(config, bibliography, diags)
    diags.raise_if_errors()
    renderer = MarkdownRenderer()
    resolved = [resolve_document(doc, config, bibliography, formatter, index, renderer, diags) for doc in published]
    diags.raise_if_errors()

    assets = collect_assets(options.root)
    templates = TemplateRenderer(options.root, url_helpers(config, assets))
    return LoadedSite(assemble_site(config, resolved, bibliography), templates, assets)


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


def run_build(options: BuildOptions) -> tuple[BuildResult, Diagnostics]:
    started = time.perf_counter()
    diags = Diagnostics()
    loaded = load_site(options, diags)
    outputs = render_site(loaded.site, loaded.templates, diags)
    diags.raise_if_errors()
    count = write_site([*outputs, *loaded.assets.files], options.output)
    seconds = time.perf_counter() - started
    return BuildResult(options.output, count, len(loaded.site.articles), seconds), diags


def run_check(options: BuildOptions, today: dt.date | None = None) -> Diagnostics:
    """Stages 0-4 without writing, then the editorial rules."""
    diags = Diagnostics()
    loaded = load_site(options, diags)
    render_site(loaded.site, loaded.templates, diags)
    diags.raise_if_errors()
    checks.check_site(loaded.site, diags, today or dt.date.today())
    return diags


__all__ = ["BuildError", "BuildOptions", "run_build", "run_check", "load_site", "ParsedDocument"]
