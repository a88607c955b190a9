"""Stages 0-3 for a build: read, validate and resolve everything before anything is rendered.

Pure work whose inputs are unchanged comes from the build cache (cached_stages.py);
Markdown is rendered in worker processes when there is enough of it.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
from dataclasses import dataclass, field
from typing import Callable, Iterable, Mapping, Sequence

from ..citations.format import ReferenceFormatter, UnknownStyleError
from ..citations.syntax import AT_KEY_RE, CITATION_RE
from ..content.editions import RememberByLanguage, assemble_editions, tag_index
from ..content.resolve import ResolveContext, render_document
from ..content.sources import LOCK_FILE, SeenSources, load_sources
from ..core.errors import Diagnostics
from ..core.model import (
    Bibliography,
    ImageInfo,
    ParsedDocument,
    RenderedDocument,
    ResolvedDocument,
    Site,
    SiteConfig,
    SourceFile,
)
from ..incremental.cache import BuildCache
from ..incremental.collector import freeze_survivors
from ..render.assets import Assets, collect_assets
from ..render.i18n import load_strings
from ..render.pages import url_helpers
from ..render.templates import TemplateRenderer, templates_stamp
from .cached_stages import (
    DocumentRecord,
    ParseMany,
    LoadedDocument,
    config_digest,
    image_uses,
    index_documents,
    load_bibliography,
    load_documents,
    load_images,
    load_site_config,
    outline_digest,
    parse_inputs,
    parse_source,
    preload_references,
    record_name,
    render_key,
    resolve_documents,
    store_references,
    stored_rendering,
    with_rendering,
)
from .options import BuildOptions
from .parallel import map_in_order, worker_count


@dataclass(frozen=True, slots=True)
class LoadedSite:
    site: Site
    templates: TemplateRenderer
    assets: Assets
    documents: Mapping[str, LoadedDocument] = field(default_factory=dict)  # rel -> its cache record


def load_site(options: BuildOptions, diags: Diagnostics, cache: BuildCache | None = None,
              encode_images: bool = True, seen: SeenSources | None = None) -> LoadedSite:
    """Stages 0-3: everything is read, validated and resolved before anything is rendered.

    `encode_images=False` (check): images are read and checked, their resized variants not made.
    `seen` (`serve`): the sources its earlier builds read, and what the watcher reported since."""
    cache = cache or BuildCache.disabled()
    config = load_site_config(options.root, options.base_url, cache, diags)
    diags.raise_if_errors()
    assert config is not None
    strings = load_strings(options.root, config, diags)  # the theme's words in each language
    sources = load_sources(options.root, diags, cache, seen)
    inputs = config_digest(config, sources.static_files)
    # The bibliography first (its diagnostics after the documents'): rendering needs its keys,
    # and a cold build renders each document in the worker that parses it.
    bibliography_diags = Diagnostics()
    bibliography = load_bibliography(sources.bibliography, cache, bibliography_diags)
    formatter_diags = Diagnostics()  # reported after the site index's, as the stages run
    formatter = _formatter(config, bibliography, formatter_diags)
    preloaded = preload_references(formatter, bibliography, cache) if formatter else None
    labels = {code: words.pattern("citation_label") for code, words in strings.items()}
    renders = DocumentRendering(config.base_path, bibliography, labels, cache)
    # While the workers parse and render, this process formats the entries the texts name.
    parse_many = renders.parse_and_render(config, sources.static_files, options.drafts, options.workers,
                                          meanwhile=formatter and _format_named(formatter))
    documents = load_documents(sources.documents, config, sources.static_files,
                               parse_inputs(config, sources.static_files), cache, diags, parse_many)
    freeze_survivors()  # the records live to the end of the build
    diags.extend(bibliography_diags)
    diags.raise_if_errors()

    published = [doc for doc in documents if options.drafts or not doc.parsed.meta.draft]
    outline = outline_digest(published, inputs) if cache.remembers else None
    index = index_documents(published, sources.static_files, config, outline, cache, diags)
    diags.extend(formatter_diags)
    diags.raise_if_errors()
    assert formatter is not None and preloaded is not None
    published = renders.render_stale(published, options.workers)
    context = ResolveContext(config, bibliography, formatter, index)
    resolved = resolve_documents(published, context, outline, cache, diags)
    # Citations of works references.lock.json records as retracted (offline: the lock, never the
    # network). The refs package loads only for a site that has a lock: ~10 ms of every start.
    if os.path.lexists(options.root / LOCK_FILE):
        from ..refs import retracted_citations

        diags.extend(retracted_citations(options.root, bibliography,
                                         [(d.parsed.source.rel, d.record.uses) for d in published]))
    for key, problem in formatter.failures().items():
        diags.warning(bibliography.rel, bibliography.entries[key].line,
                      f"the citation style could not format '{key}' ({problem}); it is printed as a plain "
                      "'Authors. Title. Container. Year.' entry")
    # Images pages show: size, resized variants (render/images.py), through the cache.
    images, variants = load_images(image_uses(published), options.root / "static", config.images, cache, diags,
                                   encode=encode_images)
    diags.raise_if_errors()
    store_references(formatter, preloaded, cache)

    assets = collect_assets(options.root, extra=variants)
    # `serve` keeps one renderer (its templates compiled) while no template or strings file changes.
    renderer_key = ("templates", templates_stamp(options.root), repr(sorted(strings.items())))
    templates = cache.remembered(renderer_key, lambda: TemplateRenderer(options.root, {}, strings=strings))
    templates = templates.with_globals(url_helpers(config, assets))
    # `serve` remembers related articles while no front matter changes (the outline).
    remember_related = None if outline is None else (
        lambda code, make: cache.remembered(("related", outline, code), make))
    site = assemble_site(config, resolved, bibliography, images, remember_related)
    return LoadedSite(site, templates, assets, {doc.parsed.source.rel: doc for doc in published})


class DocumentRendering:
    """Rendering each document's Markdown, and the key its rendering is cached under.

    `labels`: language code -> the accessible name of its citation links."""

    def __init__(self, base_path: str, bibliography: Bibliography, labels: Mapping[str, str],
                 cache: BuildCache) -> None:
        self.base_path, self.bibliography, self.labels, self.cache = base_path, bibliography, labels, cache

    def _label(self, doc: ParsedDocument) -> str:
        return self.labels.get(doc.meta.lang, "Reference {number}")

    def key(self, doc: LoadedDocument) -> str:
        return render_key(self.cache, doc, self.base_path, self.bibliography, self._label(doc.parsed))

    def render(self, docs: Sequence[ParsedDocument]) -> list[RenderedDocument]:
        from ..markdown.render import MarkdownRenderer  # Python-Markdown loads only when something changed

        renderer = MarkdownRenderer(CITATION_RE.pattern)  # one per chunk, reset between documents
        return [render_document(doc, self.base_path, self.bibliography.entries, renderer, self._label(doc))
                for doc in docs]

    def render_stale(self, documents: list[LoadedDocument], workers: int | None) -> list[LoadedDocument]:
        """Every document with its rendering: rendered now where the cached one is missing or
        stale, else the stored one, read from the cache only when something shows it."""
        keys = [self.key(doc) for doc in documents]
        todo = [i for i, (doc, key) in enumerate(zip(documents, keys))
                if doc.record.facts is None or doc.record.render_key != key]

        def render(chunk: Sequence[int]) -> list[RenderedDocument]:
            return self.render([documents[i].parsed for i in chunk])

        done = [rendered for part in map_in_order(render, todo, worker_count(len(todo), workers)) for rendered in part]
        result = list(documents)
        for i, rendered in zip(todo, done):
            result[i] = with_rendering(self.cache, documents[i], keys[i], rendered)
        for i, (doc, key) in enumerate(zip(result, keys)):
            if doc.rendering is None:  # cached and current: read when something shows it
                # Built directly: dataclasses.replace costs 3x as much, 10,000 times a rebuild.
                result[i] = LoadedDocument(doc.parsed, doc.record, doc.text_digest, stored_rendering(
                    self.cache, record_name(doc.parsed.source), key, lambda doc=doc: self.render([doc.parsed])[0]))
        return result

    def parse_and_render(self, config: SiteConfig, static_files: frozenset[str], drafts: bool, workers: int | None,
                         meanwhile: Callable[[Sequence[SourceFile]], None] | None = None) -> ParseMany:
        """When many sources need parsing (a cold build), each worker process also renders the
        published documents it parses, so parsing runs on every core and no second pool starts;
        `meanwhile(sources)` runs here while they do."""

        def parse_many(stale: Sequence[tuple[SourceFile, str, str]]) -> Iterable[tuple[DocumentRecord, None]]:
            count = worker_count(len(stale), workers)
            if count <= 1:
                return [parse_source(source, key, config, static_files) for source, key, _ in stale]
            also = (lambda: meanwhile([source for source, _, _ in stale])) if meanwhile else None
            return ((record, None) for part in map_in_order(parse_chunk, stale, count, also) for record in part)

        def parse_chunk(chunk: Sequence[tuple[SourceFile, str, str]]) -> list[DocumentRecord]:
            parses = [parse_source(source, key, config, static_files) for source, key, _ in chunk]
            shown = [i for i, (_, parsed) in enumerate(parses) if parsed is not None and (drafts or not parsed.meta.draft)]
            rendered = dict(zip(shown, self.render([parses[i][1] for i in shown])))  # type: ignore[misc]
            records = []
            for i, ((record, parsed), (_, _, text_digest)) in enumerate(zip(parses, chunk)):
                if i in rendered:
                    key = self.key(LoadedDocument(parsed, record, text_digest))  # type: ignore[arg-type]
                    record = dataclasses.replace(record, render_key=key, rendered=rendered[i])
                records.append(record)  # without its text (the parent has it): a small pickle
            return records

        return parse_many


def assemble_site(config: SiteConfig, resolved: list[ResolvedDocument], bibliography: Bibliography,
                  images: Mapping[str, ImageInfo] | None = None,
                  remember_related: RememberByLanguage | None = None) -> Site:
    articles = tuple(sorted((d for d in resolved if d.document_kind.listed), key=_newest_first))
    pages = tuple(sorted((d for d in resolved if not d.document_kind.listed), key=lambda d: d.url))
    editions, related, translations = assemble_editions(config, articles, pages, remember_related)  # per language
    return Site(
        config=config,
        articles=articles,
        pages=pages,
        # A one-language site's edition is the whole site: its tag index is the site's.
        tags=editions[0].tags if len(editions) == 1 else tag_index(articles),
        bibliography=bibliography,
        build_date=build_date(resolved),
        related=related,
        images=dict(images or {}),
        editions=editions,
        translations=translations,
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


def _format_named(formatter: ReferenceFormatter) -> Callable[[Sequence[SourceFile]], None]:
    """Format ahead every entry whose `@key` the sources contain (a superset of those cited)."""
    return lambda sources: formatter.format_ahead(
        sorted({match.group(1) for source in sources for match in AT_KEY_RE.finditer(source.text)}))


def _formatter(config: SiteConfig, bibliography: Bibliography, diags: Diagnostics) -> ReferenceFormatter | None:
    try:
        return ReferenceFormatter(bibliography, config.citation_style)
    except UnknownStyleError as exc:
        diags.error("content/site.yaml", config.lines.get("citation_style", 1), str(exc))
        return None
