"""The search index: a sharded inverted index written as small static JSON files.

What the browser reads (all under `SEARCH_BUNDLE/`, see README, Search):

* `meta.json`: the number of documents, their average length, and the shard layout;
* `s/<key>.json`, one shard per word prefix: each *stem* whose prefix is the key,
  with its postings, and each *word* (as it occurs in the text, folded) whose prefix
  is the key, naming its stem. The client looks up the typed word, exactly or as a
  prefix, in one small shard and never stems anything itself;
* `d/<id>.json`, one per document: its URL, title, topics and text, fetched only for
  the results shown (title and highlighted excerpt);
* `t/<tag>.json`, one per topic: the ids of its documents, for the topic filter.

Shards are keyed by the first two characters of a stem or word; a prefix whose stems
have more than `SHARD_POSTINGS` postings is split one character further (up to
`MAX_SHARD_KEY` characters), so no shard is large even when a word is in every
document. Every prefix belongs to one *group* (its first two characters), the unit
the build keeps and updates: the layout of a group depends on that group alone.

Postings are sorted by document id. An id is a hash of the document's URL in a space
16-32 times larger than the number of documents (collisions resolved in URL order),
so adding or removing a page renumbers no other page (unless it took that page's
slot); small gaps between ids keep postings short. Each posting is the gap, the
word's weight in the document (a title flag and its quantized count in the text,
headings counting twice) and the document's length class: everything BM25 needs, so
`meta.json` only adds the document count and average length, and adding a document
rewrites only the shards of its own words.

Each language of a site has its own index, in its own folder (`search-index/` for the default
language, `search-index/es/` for Spanish: every function that names a file takes the folder),
built with that language's stems and stop words (text.py); the client is the same for all.

Everything here is a pure function of the documents; the pipeline caches `DocTerms`
(per document text), `GroupState` (per group) and `IndexState`, and applies only the
changed documents to the previous index (`IndexBuilder`): an index updated that way is
byte-identical to one built from scratch.
"""

from __future__ import annotations

import hashlib
import json
import math
from array import array
from bisect import bisect_left
from collections import Counter
from dataclasses import dataclass
from itertools import chain
from typing import Callable, Iterable, Iterator, Mapping, Sequence

from ..core.model import ResolvedDocument
from ..core.urls import search_bundle, slugify
from .text import indexed, stems, stop_words, words

FORMAT = 1  # of the files and of the cached states; the client checks meta.json's "v"
GROUP_CHARS = 2
MAX_SHARD_KEY = 4  # a shard key is at most this long, however large its postings
SHARD_POSTINGS = 12_000  # a prefix with more postings than this is split
HEADING_WEIGHT = 1  # a word in a heading, FAQ question or topic counts this much extra
TITLE_FLAG = 32  # bit of a posting's weight: the word is in the title
MAX_COUNT = 31  # quantized counts: exact below 16, then four steps per doubling
LENGTH_BASE = 1.25  # document lengths are classes of powers of this
ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz-_"
MIN_ID_BITS = 10
ID_HEADROOM_BITS = 4  # ids are drawn from 16-32 times as many slots as there are documents

_TO_ALPHABET = bytes(ord(ALPHABET[i % 64]) for i in range(256))
_GAPS = [ALPHABET[g] if g < 32 else ALPHABET[32 | g >> 5] + ALPHABET[g & 31] for g in range(1024)]
_SAFE_KEY = frozenset("abcdefghijklmnopqrstuvwxyz0123456789")


# --- documents ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class IndexedDocument:
    """The parts of a document that are searched, by field."""

    url: str  # site-relative
    title: str
    tags: tuple[str, ...]  # as written in the front matter
    headings: tuple[str, ...]  # body headings, FAQ questions and topics: counted twice
    description: str
    texts: tuple[str, ...]  # summary items, body, FAQ questions and answers, in reading order


def indexed_document(doc: ResolvedDocument) -> IndexedDocument:
    meta = doc.meta
    topics = tuple(tag.replace("-", " ") for tag in meta.tags)
    questions = [item.question for item in doc.faq]
    texts = (*(item.text for item in doc.summary), doc.body.text,
             *(part for item in doc.faq for part in (item.question, item.answer_text)))
    headings = (*(heading.text for heading in doc.body.headings), *questions, *topics)
    return IndexedDocument(doc.url, meta.title, tuple(meta.tags), headings, meta.description, texts)


@dataclass(frozen=True, slots=True)
class DocTerms:
    """One document's contribution to the index (cached per document text)."""

    url: str
    length: int  # words in its text (description, summary, body, FAQ, topics), stop words included
    stems: str  # its stems, sorted, one per line
    weights: bytes  # per stem: TITLE_FLAG if in the title | quantized count
    words: str  # its indexed words, sorted, one "word stem" per line
    tags: tuple[str, ...]  # tag slugs

    def stem_weights(self) -> Iterator[tuple[str, int]]:
        return zip(self.stems.split("\n"), self.weights) if self.stems else iter(())

    def word_stems(self) -> Iterator[tuple[str, str]]:
        for line in self.words.split("\n") if self.words else ():
            word, _, stem = line.partition(" ")
            yield word, stem


def document_terms(doc: IndexedDocument, language: str = "en") -> DocTerms:
    """The words and stems of a document written in `language` (a language tag)."""
    topics = (tag.replace("-", " ") for tag in doc.tags)
    body = words("\n".join((doc.description, *doc.texts, *topics)))
    ignored = stop_words(language)
    counts = indexed(body, ignored)
    for word, count in indexed(words("\n".join(doc.headings)), ignored).items():
        counts[word] += count * HEADING_WEIGHT
    titled = indexed(words(doc.title), ignored)
    surface = sorted(counts.keys() | titled.keys())
    stemmed = stems(surface, language)
    # Per-word Python work kept to one loop: this runs for every word of every document
    # (~2.3 million times in a 10,000-article build, in the main process).
    tf: dict[str, int] = {}
    for word, stem in zip(surface, stemmed):
        tf[stem] = tf.get(stem, 0) + counts.get(word, 0)
    ordered = sorted(tf)
    found = [tf[stem] for stem in ordered]
    if max(found, default=0) < len(_QUANTIZED):
        weights = bytearray(bytes(found).translate(_QUANTIZED))
    else:
        weights = bytearray(quantize(count) for count in found)
    stem_of = dict(zip(surface, stemmed))
    for stem in {stem_of[word] for word in titled}:
        weights[bisect_left(ordered, stem)] |= TITLE_FLAG
    return DocTerms(doc.url, len(body), "\n".join(ordered), bytes(weights),
                    "\n".join(map(" ".join, zip(surface, stemmed))),
                    tuple(sorted({slugify(tag) for tag in doc.tags})))


def quantize(count: int) -> int:
    """A word's count as 0-31: exact below 16, then in steps of 2**(1/4) up to about 215."""
    if count < 16:
        return count
    return min(MAX_COUNT, 16 + round(4 * math.log2(count / 16)))


_QUANTIZED = bytes(quantize(count) for count in range(256))  # count -> quantize(count), for bytes.translate


def length_class(length: int) -> int:
    return 0 if length < 1 else min(63, round(math.log(length) / math.log(LENGTH_BASE)))


def document_file(doc: IndexedDocument) -> bytes:
    """What a result shows: URL, title, topics, description and the text for its excerpt."""
    record = {"u": doc.url, "t": doc.title, "g": [tag.replace("-", " ") for tag in doc.tags],
              "d": doc.description, "x": " ".join(doc.texts)}
    return _json(record)


# --- document ids ----------------------------------------------------------------------------


def id_bits(count: int) -> int:
    return max(MIN_ID_BITS, (max(count, 1) - 1).bit_length() + ID_HEADROOM_BITS)


def assign_ids(urls: Iterable[str]) -> dict[str, int]:
    """A stable id per URL: its hash, or the next free one of its hash sequence when an
    earlier URL (in sorted order) holds it. A function of the set of URLs only."""
    ordered = sorted(urls)
    mask = (1 << id_bits(len(ordered))) - 1
    taken: set[int] = set()
    ids = {}
    for url in ordered:
        attempt = 0
        while True:
            slot = int.from_bytes(hashlib.blake2b(f"{attempt} {url}".encode(), digest_size=8).digest(), "big") & mask
            if slot not in taken:
                break
            attempt += 1
        taken.add(slot)
        ids[url] = slot
    return ids


def id_name(doc_id: int) -> str:
    """Base 36, as the client writes it (Number.toString(36))."""
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    name = ""
    while True:
        doc_id, digit = divmod(doc_id, 36)
        name = digits[digit] + name
        if not doc_id:
            return name


# --- groups and shards ------------------------------------------------------------------------


def group_of(term: str) -> str:
    return term[:GROUP_CHARS]


def shard_of(term: str, splits: frozenset[str] | set[str]) -> str:
    """The shard holding `term` (a stem or a word): the same walk as the client's."""
    key = term[:GROUP_CHARS]
    while len(term) > len(key) and key in splits:
        key = term[: len(key) + 1]
    return key


DEFAULT_FOLDER = search_bundle()  # "search-index/": the default language's index


def shard_file(key: str, folder: str = DEFAULT_FOLDER) -> str:
    """`s/<key>.json`; a key with other characters than a-z and 0-9 is written in hex."""
    name = key if set(key) <= _SAFE_KEY else "_" + key.encode("utf-8").hex()
    return f"{folder}s/{name}.json"


def doc_path(doc_id: int, folder: str = DEFAULT_FOLDER) -> str:
    return f"{folder}d/{id_name(doc_id)}.json"


def tag_path(slug: str, folder: str = DEFAULT_FOLDER) -> str:
    return f"{folder}t/{slug}.json"


def meta_path(folder: str = DEFAULT_FOLDER) -> str:
    return f"{folder}meta.json"


META_PATH = meta_path()


@dataclass(frozen=True, slots=True)
class GroupState:
    """One group as cached: postings per stem (ids as native uint32), words with their
    stem and the number of documents containing them."""

    stems: tuple[tuple[str, bytes, bytes, bytes], ...]  # (stem, ids, weights, length classes), by stem
    words: tuple[tuple[str, str, int], ...]  # (word, stem, documents), by word


@dataclass(frozen=True, slots=True)
class GroupEntry:
    """What the index state records of a group: its cached state and its shards."""

    name: str  # of its GroupState in the cache
    splits: tuple[str, ...]
    shards: tuple[tuple[str, str], ...]  # (shard key, digest of the file)


@dataclass(frozen=True, slots=True)
class IndexState:
    """The whole index, as cached after a build: enough to update it for the next one."""

    format: int
    key: str  # search_key() of the documents it indexes
    docs: Mapping[str, tuple[str, int]]  # url -> (document key, id)
    length: int  # the documents' lengths, summed
    groups: Mapping[str, GroupEntry]
    tags: Mapping[str, tuple[int, ...]]  # tag slug -> ids, sorted


class Group:
    """A group being built or updated (mutable; cached as a GroupState)."""

    __slots__ = ("stems", "words", "_encoded")

    def __init__(self, state: GroupState | None = None) -> None:
        self.stems: dict[str, tuple[array, bytearray, bytearray]] = {}
        self.words: dict[str, list] = {}  # word -> [stem, documents]
        self._encoded: dict[str, bytes] | None = None
        if state is not None:
            for stem, ids, weights, lengths in state.stems:
                found = array("I")
                found.frombytes(ids)
                self.stems[stem] = (found, bytearray(weights), bytearray(lengths))
            self.words = {word: [stem, count] for word, stem, count in state.words}

    def add(self, stem: str, doc_id: int, weight: int, length: int) -> None:
        postings = self.stems.get(stem)
        if postings is None:
            postings = self.stems[stem] = (array("I"), bytearray(), bytearray())
        ids, weights, lengths = postings
        if not ids or ids[-1] < doc_id:
            ids.append(doc_id)
            weights.append(weight)
            lengths.append(length)
        else:
            at = bisect_left(ids, doc_id)
            ids.insert(at, doc_id)
            weights.insert(at, weight)
            lengths.insert(at, length)
        self._encoded = None

    def remove(self, stem: str, doc_id: int) -> None:
        ids, weights, lengths = self.stems[stem]
        at = bisect_left(ids, doc_id)
        if at == len(ids) or ids[at] != doc_id:
            raise KeyError(f"document {doc_id} is not in the postings of {stem!r}")
        del ids[at], weights[at], lengths[at]
        if not ids:
            del self.stems[stem]
        self._encoded = None

    def count_word(self, word: str, stem: str, change: int) -> None:
        entry = self.words.get(word)
        if entry is None:
            if change < 0:
                raise KeyError(f"word {word!r} is not in the index")
            self.words[word] = [stem, change]
        else:
            entry[1] += change
            if entry[1] <= 0:
                del self.words[word]
        self._encoded = None

    def empty(self) -> bool:
        return not self.stems and not self.words

    def state(self) -> GroupState:
        return GroupState(
            tuple((stem, ids.tobytes(), bytes(w), bytes(l)) for stem, (ids, w, l) in sorted(self.stems.items())),
            tuple((word, stem, count) for word, (stem, count) in sorted(self.words.items())),
        )

    def splits(self) -> frozenset[str]:
        """Prefixes (shorter than MAX_SHARD_KEY) whose longer stems have too many postings."""
        sizes: Counter[str] = Counter()
        for stem, (ids, _, _) in self.stems.items():
            for end in range(GROUP_CHARS, min(len(stem), MAX_SHARD_KEY)):
                sizes[stem[:end]] += len(ids)
        return frozenset(prefix for prefix, size in sizes.items() if size > SHARD_POSTINGS)

    def keep_only_shards(self) -> None:
        """Encode the shards, then let the postings and words go: once its state is stored,
        a group built in this build is only written out, and the search step is the end of
        a cold build, where its memory peaks."""
        self.shards()
        self.stems, self.words = {}, {}

    def shards(self) -> dict[str, bytes]:
        """Shard key -> the file's bytes."""
        if self._encoded is None:
            splits = self.splits()
            parts: dict[str, tuple[dict, dict]] = {}
            for stem in sorted(self.stems):
                ids, weights, lengths = self.stems[stem]
                entry = parts.setdefault(shard_of(stem, splits), ({}, {}))
                entry[0][stem] = [encode_ids(ids), weights.translate(_TO_ALPHABET).decode("ascii"),
                                  lengths.translate(_TO_ALPHABET).decode("ascii")]
            for word in sorted(self.words):
                parts.setdefault(shard_of(word, splits), ({}, {}))[1][word] = self.words[word][0]
            self._encoded = {key: _json({"s": found, "w": named}) for key, (found, named) in sorted(parts.items())}
        return self._encoded


def encode_ids(ids: Sequence[int]) -> str:
    """Sorted ids as gaps (id - previous id - 1, starting from -1), each a base-64 varint:
    5 bits per character, most significant first, all but the last with bit 32 set."""
    gaps = [b - a - 1 for a, b in zip(chain((-1,), ids), ids)]
    return "".join([_GAPS[gap] if gap < 1024 else _varint(gap) for gap in gaps])


def _varint(value: int) -> str:
    digits = [ALPHABET[value & 31]]
    value >>= 5
    while value:
        digits.append(ALPHABET[32 | (value & 31)])
        value >>= 5
    return "".join(reversed(digits))


def _json(value: object) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode("utf-8")


def file_digest(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=20).hexdigest()


# --- building and updating ---------------------------------------------------------------------


class IndexBuilder:
    """Applies documents to groups, loading each group (`load_group`) only when touched."""

    def __init__(self, load_group: Callable[[str], Group]) -> None:
        self._load = load_group
        self.groups: dict[str, Group] = {}  # the touched ones

    def group(self, key: str) -> Group:
        group = self.groups.get(key)
        if group is None:
            group = self.groups[key] = self._load(key)
        return group

    def add(self, terms: DocTerms, doc_id: int) -> None:
        length = length_class(terms.length)
        for stem, weight in terms.stem_weights():
            self.group(group_of(stem)).add(stem, doc_id, weight, length)
        for word, stem in terms.word_stems():
            self.group(group_of(word)).count_word(word, stem, 1)

    def remove(self, terms: DocTerms, doc_id: int) -> None:
        for stem, _ in terms.stem_weights():
            self.group(group_of(stem)).remove(stem, doc_id)
        for word, stem in terms.word_stems():
            self.group(group_of(word)).count_word(word, stem, -1)

    def replace(self, old: DocTerms, new: DocTerms, doc_id: int) -> None:
        """`remove(old)` then `add(new)` for one id, touching only the postings and words
        that differ (an edit usually changes a few words, not the length class)."""
        old_length, new_length = length_class(old.length), length_class(new.length)
        before, after = dict(old.stem_weights()), dict(new.stem_weights())
        for stem, weight in before.items():
            if after.get(stem) != weight or old_length != new_length:
                self.group(group_of(stem)).remove(stem, doc_id)
        for stem, weight in after.items():
            if before.get(stem) != weight or old_length != new_length:
                self.group(group_of(stem)).add(stem, doc_id, weight, new_length)
        old_words, new_words = set(old.word_stems()), set(new.word_stems())
        for word, stem in old_words - new_words:
            self.group(group_of(word)).count_word(word, stem, -1)
        for word, stem in new_words - old_words:
            self.group(group_of(word)).count_word(word, stem, 1)


def build_groups(documents: Iterable[tuple[int, DocTerms]]) -> dict[str, Group]:
    """The groups of an index built from scratch: what adding each document to empty groups
    gives, in one pass (documents in ascending id order, so postings are appended)."""
    postings: dict[str, tuple[array, bytearray, bytearray]] = {}
    lines: Counter[str] = Counter()
    for doc_id, terms in documents:
        length = length_class(terms.length)
        if terms.stems:
            for stem, weight in zip(terms.stems.split("\n"), terms.weights):
                found = postings.get(stem)
                if found is None:
                    found = postings[stem] = (array("I"), bytearray(), bytearray())
                found[0].append(doc_id)
                found[1].append(weight)
                found[2].append(length)
        if terms.words:
            lines.update(terms.words.split("\n"))
    groups: dict[str, Group] = {}
    for stem, found in postings.items():
        key = group_of(stem)
        group = groups.get(key) or groups.setdefault(key, Group())
        group.stems[stem] = found
    for line, count in lines.items():
        word, _, stem = line.partition(" ")
        key = group_of(word)
        group = groups.get(key) or groups.setdefault(key, Group())
        group.words[word] = [stem, count]
    return groups


def group_entry(name: str, group: Group) -> GroupEntry:
    return GroupEntry(name, tuple(sorted(group.splits())),
                      tuple((key, file_digest(data)) for key, data in group.shards().items()))


def meta_file(count: int, length: int, groups: Mapping[str, GroupEntry]) -> bytes:
    splits = sorted(split for entry in groups.values() for split in entry.splits)
    shards = sorted(key for entry in groups.values() for key, _ in entry.shards)
    average = round(length / count, 2) if count else 0
    return _json({"v": FORMAT, "n": count, "avg": average, "splits": splits, "shards": shards})


def tag_file(ids: Sequence[int]) -> bytes:
    return _json(encode_ids(ids))


def search_key(docs: Iterable[tuple[str, str]]) -> str:
    """Identifies an index by what it indexes: (url, document key) pairs."""
    return file_digest("\n".join(f"{FORMAT} {url} {key}" for url, key in sorted(docs)).encode("utf-8"))
