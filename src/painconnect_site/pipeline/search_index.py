"""The search index through the build cache: a changed document is re-read, nothing else.

`search/index.py` computes the index; this module decides how much of it to
compute. The cache keeps three things:

* each document's `DocTerms` (`SEARCH_TERMS`), under its source text's digest and URL,
  so only an edited document is tokenized again;
* each group's `GroupState` (`SEARCH_GROUPS`), the postings and words of one
  two-character prefix;
* the `IndexState` of the latest index built (`SEARCH_STATE`): which documents (by key
  and id) it holds and, per group, its cached state and the digest of every shard file.

A build compares the documents with that state, removes the terms of every document
that changed or went away (from its cached `DocTerms`), adds the new ones, and encodes
only the groups they touch; every other shard keeps its digest, and its file is linked
from the previous output when that file is intact. When there is no usable state, or
most documents changed, the index is built from scratch (about 0.65 ms per document,
in this process). Both ways give the same bytes: the index is a function
of the documents (see tests/integration/test_cache.py).

A multilingual site has one index per language (its folder and its stemmer: search/index.py),
each updated on its own: an edit to a Spanish article touches only the Spanish index.
"""

from __future__ import annotations

from collections.abc import Sequence as SequenceABC
from dataclasses import dataclass
from typing import Callable, Iterator, Mapping, Sequence

from ..core.model import ResolvedDocument
from ..incremental.cache import BuildCache, digest
from ..search.index import (
    FORMAT,
    DocTerms,
    Group,
    GroupEntry,
    GroupState,
    IndexBuilder,
    IndexState,
    assign_ids,
    build_groups,
    doc_path,
    document_file,
    document_terms,
    file_digest,
    group_entry,
    indexed_document,
    meta_file,
    meta_path,
    search_key,
    shard_file,
    tag_file,
    tag_path,
)
from ..core.urls import search_bundle
from .cached_stages import SEARCH_GROUPS, SEARCH_STATE, SEARCH_TERMS
from .load import LoadedSite

LATEST = "latest"  # the name of the one entry kept: folder -> IndexState of the indexes most recently built
REBUILD_SHARE = 0.25  # when more documents than this changed, building from scratch is quicker
QUEUED_TERMS = 1000  # documents' terms queued for the cache between writes (see build_search_index)


@dataclass(frozen=True, slots=True)
class SearchFile:
    path: str
    key: str  # recorded with the output: a file with an equal key has equal bytes
    data: Callable[[], bytes]


@dataclass(frozen=True, slots=True)
class SearchIndex:
    key: str
    files: tuple[SearchFile, ...]


@dataclass(frozen=True, slots=True)
class SearchDocument:
    """A document search covers, with the key of what is indexed of it."""

    url: str
    key: str
    doc: ResolvedDocument
    language: str = "en"  # its language's code: the index it is in, and its stems
    folder: str = search_bundle()  # that index's folder ("search-index/", "search-index/es/")


@dataclass(frozen=True, slots=True)
class SearchCorpus(SequenceABC):
    """The documents search covers, and the index every language has (one with no articles
    still gets its empty index, which its search page reads)."""

    documents: tuple[SearchDocument, ...]
    bundles: tuple[tuple[str, str], ...]  # (folder, language code) of each index, the default language first

    def __getitem__(self, index):  # type: ignore[override]
        return self.documents[index]

    def __len__(self) -> int:
        return len(self.documents)

    def __iter__(self) -> Iterator[SearchDocument]:
        return iter(self.documents)


class _Stale(Exception):
    """The cached state does not fit together (pruned, damaged): build from scratch."""


def indexed_documents(loaded: LoadedSite) -> SearchCorpus:
    """The documents search covers (articles), each keyed by what fixes every indexed field:
    its kind, language and source text (the digest the loader already made); its URL is beside it."""
    config = loaded.site.config
    docs = []
    for doc in loaded.site.articles:
        record = loaded.documents.get(doc.rel)
        text = record.text_digest if record is not None else digest(doc.parsed.source.text)
        language = config.language_of(doc.lang)
        docs.append(SearchDocument(doc.url, f"{text}-{doc.kind}-{language.code}", doc, language.code,
                                   search_bundle(language.prefix)))
    return SearchCorpus(tuple(docs), tuple((search_bundle(language.prefix), language.code)
                                           for language in config.all_languages))


def current_search_key(docs: Sequence[SearchDocument], cache: BuildCache) -> str:
    """The index's key: its documents (and its languages), the code and the libraries (as every cache key)."""
    return cache.key(search_key((doc.url, doc.key) for doc in docs), *(" ".join(b) for b in _bundles(docs)))


def _bundles(docs: Sequence[SearchDocument]) -> list[tuple[str, str]]:
    """(folder, language code) of every index (of the documents' own, for a plain list of them)."""
    if isinstance(docs, SearchCorpus):
        return list(docs.bundles)
    return sorted({(doc.folder, doc.language) for doc in docs}) or [(search_bundle(), "en")]


def terms_name(url: str, key: str) -> str:
    """Where a document's DocTerms are cached (the entry's header names the code: another
    version of the generator misses)."""
    return f"{key}-{url.replace('/', '_')}"


def keep_search_cache(cache: BuildCache) -> None:
    """Mark the latest indexes' cache entries as used (a build that skipped search), so
    pruning leaves them for the next build."""
    for state in _latest(cache).values():
        _keep(cache, state)
    cache.keep(SEARCH_STATE, LATEST)


def _latest(cache: BuildCache) -> dict[str, IndexState]:
    """Folder -> the IndexState of the index most recently built there (only usable ones)."""
    states = cache.load(SEARCH_STATE, LATEST) if cache.enabled else None
    if not isinstance(states, dict):
        return {}
    return {folder: state for folder, state in states.items()
            if isinstance(folder, str) and isinstance(state, IndexState) and state.format == FORMAT}


def build_search_index(docs: Sequence[SearchDocument], key: str, cache: BuildCache,
                       kept: Callable[[str, str], bool],
                       write_queued: Callable[[], None] | None = None) -> SearchIndex:
    """Every file of every language's index, each from its latest cached index when there is one.

    `kept(path, key)`: whether the previous output's file at `path` may be linked for
    a file with `key`; only the files that are not kept are ever produced. `write_queued`:
    writes the cache's queued entries (in the background), called every `QUEUED_TERMS`
    documents tokenized and once the groups are stored, so they are not all held at once.
    """
    previous = _latest(cache)
    files: list[SearchFile] = []
    states: dict[str, IndexState] = {}
    bundles = _bundles(docs)
    for folder, code in bundles:
        own = [doc for doc in docs if doc.folder == folder] if len(bundles) > 1 else list(docs)
        # A function of this index's documents only (an edit in another language keeps it); its
        # cached groups are named after it, so no two folders share one.
        bundle_key = cache.key(search_key((doc.url, doc.key) for doc in own), folder, code)
        state = None
        if folder in previous:
            try:
                state, found = _Update(own, bundle_key, cache, kept, previous[folder], folder, code, write_queued).index()
            except _Stale:
                state = None
        if state is None:
            state, found = _Update(own, bundle_key, cache, kept, None, folder, code, write_queued).index()
        files.extend(found)
        states[folder] = state
    if cache.enabled:
        cache.store(SEARCH_STATE, LATEST, states)
        for state in states.values():
            _keep(cache, state)
    return SearchIndex(key, tuple(files))


class _Update:
    def __init__(self, docs: Sequence[SearchDocument], key: str, cache: BuildCache,
                 kept: Callable[[str, str], bool], previous: IndexState | None, folder: str = search_bundle(),
                 language: str = "en", write_queued: Callable[[], None] | None = None) -> None:
        self.docs, self.cache, self.kept, self.previous = docs, cache, kept, previous
        self.write_queued = write_queued or (lambda: None)
        self.folder, self.language = folder, language
        self.by_url = {doc.url: doc for doc in docs}
        self.ids = assign_ids(self.by_url)
        self.key = key

    def index(self) -> tuple[IndexState, tuple[SearchFile, ...]]:
        """The index's state (for the next build) and its files."""
        wanted = {doc.url: (doc.key, self.ids[doc.url]) for doc in self.docs}
        previous = self.previous
        if previous is not None and previous.key == self.key and previous.docs == wanted:
            state, built = previous, {}
        elif previous is not None:
            state, built = self._update(previous, wanted)
        else:
            state, built = self._build(wanted)
        return state, self._files(state, built)

    # --- computing -----------------------------------------------------------------------

    def _build(self, wanted: Mapping[str, tuple[str, int]]) -> tuple[IndexState, dict[str, Group]]:
        order = sorted(self.docs, key=lambda doc: self.ids[doc.url])  # ids ascending: postings are appended
        tags: dict[str, list[int]] = {}
        length = 0

        def documents() -> Iterator[tuple[int, DocTerms]]:
            # One document's terms at a time, each let go once added (a cache that writes keeps
            # its own): all 10,000 at once were ~50 MB more at the build's peak.
            nonlocal length
            for doc, terms in zip(order, self._terms(order)):
                doc_id = self.ids[doc.url]
                for tag in terms.tags:
                    tags.setdefault(tag, []).append(doc_id)
                length += terms.length
                yield doc_id, terms

        built = build_groups(documents())
        groups = self._store_groups(built, {})
        return IndexState(FORMAT, self.key, wanted, length, groups, {t: tuple(ids) for t, ids in sorted(tags.items())}), built

    def _update(self, previous: IndexState, wanted: Mapping[str, tuple[str, int]]) -> tuple[IndexState, dict[str, Group]]:
        removed = [(url, key, doc_id) for url, (key, doc_id) in previous.docs.items() if wanted.get(url) != (key, doc_id)]
        added = [self.by_url[url] for url, entry in wanted.items() if previous.docs.get(url) != entry]
        if len(removed) + len(added) > REBUILD_SHARE * max(len(wanted), len(previous.docs), 1):
            raise _Stale
        old_terms = [self.cache.load(SEARCH_TERMS, terms_name(url, key)) for url, key, _ in removed]
        if not all(isinstance(terms, DocTerms) and terms.url == url for terms, (url, _, _) in zip(old_terms, removed)):
            raise _Stale
        # Edited in place (same URL, same id): only the postings and words that differ are touched.
        in_place = {url for url, _, doc_id in removed if url in wanted and wanted[url][1] == doc_id}

        def load_group(key: str) -> Group:
            entry = previous.groups.get(key)
            if entry is None:
                return Group()
            stored = self.cache.load(SEARCH_GROUPS, entry.name)
            if not isinstance(stored, GroupState):
                raise _Stale
            return Group(stored)

        builder = IndexBuilder(load_group)
        length = previous.length
        tags = {tag: set(ids) for tag, ids in previous.tags.items()}
        before: dict[str, DocTerms] = {}
        try:
            for terms, (url, _, doc_id) in zip(old_terms, removed):
                length -= terms.length
                for tag in terms.tags:
                    tags[tag].discard(doc_id)
                if url in in_place:
                    before[url] = terms
                else:
                    builder.remove(terms, doc_id)
            for doc, terms in zip(added, self._terms(added)):
                doc_id = self.ids[doc.url]
                if doc.url in in_place:
                    builder.replace(before[doc.url], terms, doc_id)
                else:
                    builder.add(terms, doc_id)
                length += terms.length
                for tag in terms.tags:
                    tags.setdefault(tag, set()).add(doc_id)
        except (KeyError, ValueError) as exc:  # the cached pieces disagree: never trust them
            raise _Stale from exc
        groups = self._store_groups(builder.groups, previous.groups)
        ordered = {tag: tuple(sorted(ids)) for tag, ids in sorted(tags.items()) if ids}
        return IndexState(FORMAT, self.key, wanted, length, groups, ordered), builder.groups

    def _terms(self, docs: Sequence[SearchDocument]) -> Iterator[DocTerms]:
        """Each document's terms in turn: cached, or computed here. (In worker processes it was slower:
        0.81 s against 0.64 s at 1,000 articles, 11.7 s against 9.6 s at 10,000, on two shared
        cores; pickling the terms back costs what the second core saves, and the pool's
        copied pages pushed the build's memory over 1.1 GiB.)"""
        made = 0
        for doc in docs:
            terms = self.cache.load(SEARCH_TERMS, terms_name(doc.url, doc.key))
            if not (isinstance(terms, DocTerms) and terms.url == doc.url):
                terms = document_terms(indexed_document(doc.doc), self.language)
                self.cache.store(SEARCH_TERMS, terms_name(doc.url, doc.key), terms)
                made += 1
                if made % QUEUED_TERMS == 0:
                    self.write_queued()
            yield terms

    def _store_groups(self, touched: Mapping[str, Group], groups: Mapping[str, GroupEntry]) -> dict[str, GroupEntry]:
        result = dict(groups)
        for key, group in touched.items():
            if group.empty():
                result.pop(key, None)
                continue
            name = digest(self.key, key)
            self.cache.store(SEARCH_GROUPS, name, group.state())
            result[key] = group_entry(name, group)
            group.keep_only_shards()
        self.write_queued()
        return dict(sorted(result.items()))

    # --- files -----------------------------------------------------------------------------

    def _files(self, state: IndexState, built: Mapping[str, Group]) -> tuple[SearchFile, ...]:
        files: list[SearchFile] = []
        folder = self.folder
        for group_key, entry in state.groups.items():
            shards = self._shards(group_key, entry, built)
            for shard_key, shard_digest in entry.shards:
                files.append(SearchFile(shard_file(shard_key, folder), shard_digest,
                                        lambda shards=shards, shard_key=shard_key: shards()[shard_key]))
        for doc in self.docs:
            files.append(SearchFile(doc_path(self.ids[doc.url], folder), f"document {doc.key}",
                                    lambda doc=doc: document_file(indexed_document(doc.doc))))
        for tag, ids in state.tags.items():
            files.append(_eager(tag_path(tag, folder), tag_file(ids)))
        files.append(_eager(meta_path(folder), meta_file(len(state.docs), state.length, state.groups)))
        return tuple(files)

    def _shards(self, group_key: str, entry: GroupEntry, built: Mapping[str, Group]) -> Callable[[], Mapping[str, bytes]]:
        """The group's shard files, from the group when it was built now, else from its cached
        state; loaded before writing starts when any of its files must be written."""
        group = built.get(group_key)
        if group is not None:
            return group.shards
        if all(self.kept(shard_file(key, self.folder), shard_digest) for key, shard_digest in entry.shards):
            return lambda: {}  # every file is linked; never called
        stored = self.cache.load(SEARCH_GROUPS, entry.name)
        if not isinstance(stored, GroupState):
            raise _Stale
        return Group(stored).shards


def _eager(path: str, data: bytes) -> SearchFile:
    return SearchFile(path, file_digest(data), lambda: data)


def _keep(cache: BuildCache, state: IndexState) -> None:
    for entry in state.groups.values():
        cache.keep(SEARCH_GROUPS, entry.name)
    for url, (key, _) in state.docs.items():
        cache.keep(SEARCH_TERMS, terms_name(url, key))
