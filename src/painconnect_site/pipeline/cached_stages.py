"""The stages whose results a build may reuse: cache records and their keys.

The stages themselves know nothing of caching; this module runs them through
the build cache. Only pure work is reused, under keys that hash everything it
was computed from (`BuildCache.key` adds the code and library versions):

* a document's parse result with its diagnostics, and its citation scan:
  the file's path, kind and text, site.yaml (but its base URL, which parsing
  never reads), and the list of static files;
* a document's rendered Markdown: its text, the base path, and which of the
  `@keys` in it exist in references.bib (stored apart from the record, which keeps
  only the facts resolving needs, and read only when something shows it);
* site.yaml validated, with its diagnostics: its text, the site folder, --base-url;
* the bibliography's parse result with its diagnostics: references.bib's text;
* each formatted reference: the CSL style file and the entry's fields;
* each image a page shows (its size, planned variants and their encoded bytes):
  its path, the hash of its bytes and site.yaml `images`;
* each output page: see page_keys.py;
* the search index's pieces: see search_index.py.

Checks are never cached: diagnostics of cached parses are replayed, and the
citation-key, link, slug and tag checks run on every build against the
current site, so an error caused by another file's change is always reported.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable, Iterator, Mapping, Sequence

from ..citations.format import ReferenceFormatter, style_path
from ..citations.syntax import AT_KEY_RE
from ..content.config import parse_config, read_config_text
from ..content.frontmatter import parse_document
from ..content.resolve import ResolveContext, citation_uses, resolve_document
from ..content.site_index import SiteIndex, index_site
from ..core.errors import Diagnostic, Diagnostics
from ..core.model import (
    Bibliography,
    CitationUse,
    Deferred,
    ImageInfo,
    ImageSettings,
    OutputFile,
    ParsedDocument,
    Reference,
    RenderedDocument,
    RenderFacts,
    ResolvedDocument,
    SiteConfig,
    SourceFile,
)
from ..incremental.cache import BuildCache, digest
from ..render.images import ImageError, describe_image, encode_variants, is_raster, static_image_path

DOCUMENTS, BIBLIOGRAPHY, REFERENCES, OUTPUTS, IMAGES = "documents", "bibliography", "references", "outputs", "images"
RENDERINGS = "renderings"  # each document's RenderedDocument, beside its record: read only when shown
CONFIG = "config"
PUBLISHED = "published"  # the URLs each output folder's last build published (check: moved pages)
# The search index's pieces (see search_index.py): per-document terms, per-group postings, the latest index.
SEARCH_TERMS, SEARCH_GROUPS, SEARCH_STATE = "search-terms", "search-groups", "search-state"
KINDS = (CONFIG, DOCUMENTS, RENDERINGS, BIBLIOGRAPHY, REFERENCES, OUTPUTS, IMAGES, PUBLISHED, SEARCH_TERMS, SEARCH_GROUPS, SEARCH_STATE)


# --- site.yaml -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ConfigRecord:
    key: str
    config: SiteConfig | None
    diagnostics: tuple[Diagnostic, ...]


def load_site_config(root: Path, base_url: str | None, cache: BuildCache, diags: Diagnostics) -> SiteConfig | None:
    """site.yaml validated, or taken from the cache under its text (a 500-person file takes ~40 ms to validate)."""
    text = read_config_text(root, diags)
    if text is None:
        return None
    key = cache.key("config", str(root), base_url or "", text)
    record = cache.load(CONFIG, "site.yaml")
    if not (isinstance(record, ConfigRecord) and record.key == key):
        found = Diagnostics()
        record = ConfigRecord(key, parse_config(text, root, found, base_url), tuple(found))
        cache.store(CONFIG, "site.yaml", record)
    diags.extend(record.diagnostics)
    return record.config


# --- documents -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DocumentRecord:
    """Everything cached about one source file, each part valid under its own key."""

    parse_key: str
    parsed: ParsedDocument | None  # without its source text (its body is a slice of it): the current file supplies it
    diagnostics: tuple[Diagnostic, ...]  # what parsing reported, replayed on every build
    front_matter: str  # digest of the front matter text: what other pages show of the document
    uses: tuple[CitationUse, ...]  # the citation scan (code excluded), for the key check
    at_keys: frozenset[str]  # every `@key` token the renderer could look up
    render_key: str = ""
    facts: RenderFacts | None = None  # of the rendering under render_key (stored under RENDERINGS)
    # The rendering itself only on its way from a worker: `store_document` keeps it apart.
    rendered: RenderedDocument | None = None


@dataclass(frozen=True, slots=True)
class RenderingRecord:
    render_key: str
    rendered: RenderedDocument


@dataclass(frozen=True, slots=True)
class LoadedDocument:
    parsed: ParsedDocument
    record: DocumentRecord
    text_digest: str  # of the source text, hashed once for both keys
    rendering: Deferred[RenderedDocument] | None = None  # set by DocumentRendering.render_stale

    @property
    def ready_rendering(self) -> Deferred[RenderedDocument]:
        assert self.rendering is not None, "render_stale gives every document its rendering first"
        return self.rendering

    @property
    def facts(self) -> RenderFacts:
        assert self.record.facts is not None, "render_stale gives every document its rendering first"
        return self.record.facts


def record_name(source: SourceFile) -> str:
    return digest(source.kind, source.rel)


def store_document(cache: BuildCache, name: str, record: DocumentRecord) -> DocumentRecord:
    """Store a record, its rendering (if it carries one) apart from it: a build that shows
    none of the document's pages then reads 3 KB for it instead of 33 KB. Returns the record
    as stored (the rendering replaced by its facts)."""
    rendered = record.rendered
    if rendered is not None:
        record = dataclasses.replace(record, rendered=None, facts=RenderFacts.of(rendered))
        cache.store(RENDERINGS, name, RenderingRecord(record.render_key, rendered))
    cache.store(DOCUMENTS, name, record)
    return record


def stored_rendering(cache: BuildCache, name: str, key: str,
                     render: Callable[[], RenderedDocument]) -> Deferred[RenderedDocument]:
    """The rendering stored under `key`, read when first asked for; `render()` makes it again
    if the entry is missing or damaged (the same result: rendering is pure)."""
    cache.keep(RENDERINGS, name)

    def read() -> RenderedDocument:
        found = cache.load(RENDERINGS, name)
        if isinstance(found, RenderingRecord) and found.render_key == key:
            return found.rendered
        return render()

    return Deferred(read)


def config_digest(config: SiteConfig, static_files: Iterable[str]) -> str:
    """site.yaml as validated (people, base URL, ...) and the static files that exist."""
    return digest(repr(config), *sorted(static_files))


def parse_inputs(config: SiteConfig, static_files: Iterable[str]) -> str:
    """`config_digest` without the base URL, which parsing never reads: `serve` (its own
    local base URL) and `build` then share every document's parse."""
    return config_digest(dataclasses.replace(config, base_url=""), static_files)


# The sources whose cached parse is stale, each with its parse key and text digest, parsed in
# order: each one's record and its whole parse (None: the caller rebuilds it from the record).
# load.py passes one that also renders them, in worker processes.
ParseMany = Callable[[Sequence[tuple[SourceFile, str, str]]], Iterable[tuple["DocumentRecord", "ParsedDocument | None"]]]


def load_documents(sources: Sequence[SourceFile], config: SiteConfig, static_files: frozenset[str],
                   inputs: str, cache: BuildCache, diags: Diagnostics,
                   parse_many: ParseMany | None = None) -> list[LoadedDocument]:
    """Parse every source (or take the cached parse), replaying diagnostics in file order.
    `inputs`: `parse_inputs(config, static_files)`."""
    found: list[tuple[SourceFile, str, str, str, DocumentRecord | None]] = []
    for source in sources:
        # `serve` remembers the source object of an unchanged file, and with it these.
        name = cache.remembered(("record name", source.kind, source.rel), lambda: record_name(source))
        text_digest = cache.remembered(("text digest", source.rel, source.text), lambda: digest(source.text))
        parse_parts = ("parse", inputs, source.kind, source.rel, text_digest)
        parse_key = cache.remembered(parse_parts, lambda: cache.key(*parse_parts))
        record = cache.load(DOCUMENTS, name)
        valid = isinstance(record, DocumentRecord) and record.parse_key == parse_key
        found.append((source, name, text_digest, parse_key, record if valid else None))  # type: ignore[arg-type]
    stale = [(source, parse_key, text_digest) for source, _, text_digest, parse_key, record in found if record is None]
    fresh: Iterator[tuple[DocumentRecord, ParsedDocument | None]]
    if parse_many is not None and stale:
        fresh = iter(parse_many(stale))
    else:
        fresh = (parse_source(source, parse_key, config, static_files) for source, parse_key, _ in stale)
    loaded = []
    for source, name, text_digest, parse_key, record in found:
        rendering = None
        if record is None:
            record, parsed = next(fresh)
            if record.rendered is not None:  # rendered by the worker that parsed it
                rendering = Deferred.of(record.rendered)
            record = store_document(cache, name, record)
            if parsed is None and record.parsed is not None:
                parsed = _with_source(record.parsed, source)
        elif record.parsed is not None:
            stored = record
            parsed = cache.remembered(("parsed", record.parse_key, source.path, source.text),
                                      lambda: _with_source(stored.parsed, source))  # type: ignore[arg-type]
        else:
            parsed = None
        diags.extend(record.diagnostics)
        if parsed is not None:
            loaded.append(LoadedDocument(parsed, record, text_digest, rendering))
    return loaded


def parse_source(source: SourceFile, parse_key: str, config: SiteConfig,
                 static_files: frozenset[str]) -> tuple[DocumentRecord, ParsedDocument | None]:
    """One source parsed: its record (the parse kept without its text) and the whole parse."""
    found = Diagnostics()
    parsed = parse_document(source, config, static_files, found)
    record = DocumentRecord(
        parse_key=parse_key,
        parsed=dataclasses.replace(parsed, source=dataclasses.replace(source, text="")) if parsed else None,
        diagnostics=tuple(found),
        front_matter=digest(front_matter_text(parsed)) if parsed else "",
        uses=citation_uses(parsed) if parsed else (),
        at_keys=_at_keys(parsed) if parsed else frozenset(),
    )
    return record, parsed


def front_matter_text(doc: ParsedDocument) -> str:
    return doc.source.text[: doc.body_offset]


def _with_source(stored: ParsedDocument, source: SourceFile) -> ParsedDocument:
    """The stored parse with the text it was parsed from (equal, by its key) put back: its
    body is that text from the stored offset on."""
    return dataclasses.replace(stored, source=source)


def _at_keys(doc: ParsedDocument) -> frozenset[str]:
    """A superset of the keys rendering can look up: every `@key` in the rendered texts."""
    texts = (doc.body, *doc.meta.summary, *(item.answer for item in doc.meta.faq))
    return frozenset(match.group(1) for text in texts for match in AT_KEY_RE.finditer(text))


def render_key(cache: BuildCache, loaded: LoadedDocument, base_path: str, bibliography: Bibliography,
               citation_label: str = "") -> str:
    """`citation_label`: the citation links' accessible name in the document's language."""
    existing = tuple(sorted(key for key in loaded.record.at_keys if key in bibliography.entries))
    source = loaded.parsed.source
    parts = ("render", source.kind, source.rel, loaded.text_digest, base_path, citation_label, *existing)
    return cache.remembered(parts, lambda: cache.key(*parts))


def with_rendering(cache: BuildCache, loaded: LoadedDocument, key: str, rendered: RenderedDocument) -> LoadedDocument:
    record = dataclasses.replace(loaded.record, render_key=key, rendered=rendered)
    record = store_document(cache, record_name(loaded.parsed.source), record)
    return LoadedDocument(loaded.parsed, record, loaded.text_digest, Deferred.of(rendered))


def outline_digest(documents: Sequence[LoadedDocument], inputs: str) -> str:
    """site.yaml and the static files (`inputs`, see `config_digest`) and which documents are
    published with their front matter: all the site index is built from (URLs, tags,
    aliases, people), so an edit to one article's text leaves it unchanged. `serve` only."""
    return digest(inputs, *(part for doc in documents
                            for part in (doc.parsed.source.kind, doc.parsed.source.rel, doc.record.front_matter)))


def index_documents(documents: Sequence[LoadedDocument], static_files: frozenset[str], config: SiteConfig,
                    outline: str | None, cache: BuildCache, diags: Diagnostics) -> SiteIndex:
    """`index_site` of the documents; `serve` remembers it (and what it reported) under `outline`."""
    found = cache.recall(("index", outline)) if outline else None
    if found is None:
        reported = Diagnostics()
        found = (index_site([doc.parsed for doc in documents], static_files, reported, config), tuple(reported))
        if outline:
            cache.remember(("index", outline), found)
    index, reported = found  # type: ignore[misc]
    diags.extend(reported)
    return index


def resolve_documents(documents: Sequence[LoadedDocument], context: ResolveContext, outline: str | None,
                      cache: BuildCache, diags: Diagnostics) -> list[ResolvedDocument]:
    """`resolve_document` for each document; `serve` remembers each result with its diagnostics.

    A document's resolution is a function of its parse and rendering (their keys), the
    entries it cites, site.yaml and the site index: `outline` (see `outline_digest`)."""
    if outline is None:
        return [resolve_document(doc.parsed, doc.facts, doc.ready_rendering, doc.record.uses, context, diags)
                for doc in documents]
    entries = entry_digests(context.bibliography, cache)
    resolved = []
    for doc in documents:
        cited = tuple(entries.get(use.key) for use in doc.record.uses)  # None: not in references.bib
        if None in cited:  # the error suggests a key from the whole file
            cited += (context.bibliography.text,)
        key = ("resolved", doc.record.parse_key, doc.record.render_key, outline, cited)
        found = cache.recall(key)
        if found is None:
            reported = Diagnostics()
            found = (resolve_document(doc.parsed, doc.facts, doc.ready_rendering, doc.record.uses, context, reported),
                     tuple(reported))
            cache.remember(key, found)
        document, reported = found  # type: ignore[misc]
        diags.extend(reported)
        resolved.append(document)
    return resolved


# --- bibliography and references ----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class BibliographyRecord:
    key: str
    bibliography: Bibliography
    diagnostics: tuple[Diagnostic, ...]


def load_bibliography(source: SourceFile | None, cache: BuildCache, diags: Diagnostics) -> Bibliography:
    key = cache.key("bibliography", source.rel, source.text) if source else cache.key("no bibliography")
    record = cache.load(BIBLIOGRAPHY, "references.bib")
    if not (isinstance(record, BibliographyRecord) and record.key == key):
        from ..bibtex.parse import parse_bibliography  # bibtexparser loads only when references.bib changed

        found = Diagnostics()
        record = BibliographyRecord(key, parse_bibliography(source, found, cache), tuple(found))
        cache.store(BIBLIOGRAPHY, "references.bib", record)
    diags.extend(record.diagnostics)
    return record.bibliography


def reference_digest(reference: Reference) -> str:
    """Everything formatting reads from an entry (its line in the file is only for diagnostics)."""
    return digest(repr(dataclasses.replace(reference, line=0)))


def entry_digests(bibliography: Bibliography, cache: BuildCache) -> Mapping[str, str]:
    """BibTeX key -> reference_digest of every entry (remembered by `serve` under the file's text)."""
    return cache.remembered(("entry digests", bibliography.text), lambda: {
        key: reference_digest(reference) for key, reference in bibliography.entries.items()})


def _references_name(style: str) -> str:
    return digest(style, style_path(style).read_bytes())


@dataclass(frozen=True, slots=True)
class PreloadedReferences:
    digests: Mapping[str, str]  # BibTeX key -> reference_digest
    stored: Mapping[str, tuple[str, str, str]]  # entry digest -> (text, html, failure), as loaded


def preload_references(formatter: ReferenceFormatter, bibliography: Bibliography,
                       cache: BuildCache) -> PreloadedReferences:
    """Give the formatter the entries formatted by earlier builds."""
    digests = entry_digests(bibliography, cache)
    stored = cache.load(REFERENCES, _references_name(formatter.style)) if cache.enabled else None
    if not isinstance(stored, dict):
        return PreloadedReferences(digests, {})
    for key, entry_digest in digests.items():
        found = stored.get(entry_digest)
        if isinstance(found, tuple) and len(found) == 3 and all(isinstance(part, str) for part in found):
            formatter.preload(key, *found)
    return PreloadedReferences(digests, stored)


def store_references(formatter: ReferenceFormatter, preloaded: PreloadedReferences, cache: BuildCache) -> None:
    """Keep the entries this build used (formatted or preloaded) for the next build."""
    if cache.enabled:
        digests = preloaded.digests
        used = {digests[key]: value for key, value in formatter.formatted().items() if key in digests}
        if used != preloaded.stored:
            cache.store(REFERENCES, _references_name(formatter.style), used)
        else:
            cache.keep(REFERENCES, _references_name(formatter.style))


# --- images ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ImageRecord:
    key: str
    info: ImageInfo | None  # None: the file could not be read (`problem` says why)
    problem: str | None
    files: tuple[OutputFile, ...] | None  # the encoded variants; None until a build needed them


ImageUses = Mapping[str, Sequence[tuple[str, int]]]  # path under static/ -> (document rel, line) showing it


def image_uses(documents: Iterable[LoadedDocument]) -> dict[str, list[tuple[str, int]]]:
    """Every image under static/ a document shows: its front-matter `image` and the Markdown images
    (`/static/...`) of its summary, body and FAQ, with where each is named."""
    uses: dict[str, list[tuple[str, int]]] = {}
    for loaded in documents:
        meta, rel = loaded.parsed.meta, loaded.parsed.source.rel
        if meta.image:
            path = meta.image.lstrip("/").removeprefix("static/")
            if is_raster(path):
                uses.setdefault(path, []).append((rel, meta.lines.get("image", 1)))
        for images in loaded.facts.images:
            for link in images:
                path = static_image_path(link.url)
                if path is not None:
                    uses.setdefault(path, []).append((rel, link.line))
    return uses


def load_images(uses: ImageUses, static_dir: Path, settings: ImageSettings, cache: BuildCache,
                diags: Diagnostics, encode: bool = True) -> tuple[dict[str, ImageInfo], list[OutputFile]]:
    """(path -> image, the variant files to write). An image is read and resized once per content
    hash; an unreadable one is an error at every place that shows it. Missing files were reported
    by the link and front-matter checks. `encode=False` (check) plans the variants without encoding."""
    images: dict[str, ImageInfo] = {}
    files: dict[str, OutputFile] = {}
    for path in sorted(uses):
        try:
            data = (static_dir / path).read_bytes()
        except OSError:
            continue
        key = cache.key("image", path, digest(data), repr(settings))
        record = cache.load(IMAGES, digest(path))
        if not (isinstance(record, ImageRecord) and record.key == key and (record.files is not None or not encode)):
            try:
                info = describe_image(path, data, settings)
                encoded = encode_variants(info, data, settings) if encode else None
                record = ImageRecord(key, encoded[0] if encoded else info, None, encoded[1] if encoded else None)
            except ImageError as exc:
                record = ImageRecord(key, None, str(exc), ())
            cache.store(IMAGES, digest(path), record)
        if record.info is None:
            for rel, line in uses[path]:
                diags.error(rel, line, f"image 'static/{path}' cannot be shown: {record.problem}")
            continue
        images[path] = record.info
        for output in record.files or ():
            files.setdefault(output.path, output)  # identical images share their variants
    return images, [files[path] for path in sorted(files)]


@dataclass(frozen=True, slots=True)
class PublishedRecord:
    """The document URLs a build published into one output folder, and where each came from."""

    pages: Mapping[str, tuple[str, str]]  # site-relative URL -> (source rel, title)
