"""Words for the search index: the tokenizer the browser repeats, and English stems.

A text becomes words the same way here and in the search client
(`static/js/search.js`, `words()`), so a word typed into the search box is
found exactly as it was indexed:

1. lowercase, Unicode NFC, apostrophes dropped ("don't" -> "dont", "partner's" -> "partners");
2. runs of letters and digits are words (Python's `[^\\W_]`, JavaScript's `[\\p{L}\\p{N}]`);
3. a word with any non-ASCII letter is accent-folded (NFKD, combining marks dropped,
   lowercased again, split again): "Café" -> "cafe", "ﬁbre" -> "fibre";
4. words longer than `MAX_WORD` and `STOP_WORDS` are not indexed.

Stems are English Snowball (Porter2) stems from PyStemmer, computed only here, at
build time: the index stores each word as it occurs with the postings of its stem,
so the browser never needs a stemmer ("walked" and "walks" both lead to "walk").
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from typing import Iterable, Sequence

import Stemmer

MAX_WORD = 40  # longer runs are identifiers, not words
# Words too common to tell articles apart; a query word that is not indexed is simply ignored.
STOP_WORDS = frozenset("""a an and are as at be but by for from has have if in into is it its of on or so
that the their then there these they this to was were will with""".split())

_WORD_RE = re.compile(r"[^\W_]+")
_APOSTROPHES = {ord("'"): None, ord("\u2019"): None}
# ASCII text, the common case, is split by a translation table: the same words as _WORD_RE, faster.
_ASCII_WORDS = {i: (chr(i) if chr(i).isalnum() else " ") for i in range(128)} | {ord("'"): None}
_STEMMER = Stemmer.Stemmer("english")


def words(text: str) -> list[str]:
    """Every word of `text`, folded, in order (stop words included)."""
    text = text.lower()
    if text.isascii():
        return text.translate(_ASCII_WORDS).split()
    text = unicodedata.normalize("NFC", text).translate(_APOSTROPHES)
    out: list[str] = []
    for word in _WORD_RE.findall(text):
        if word.isascii():
            out.append(word)
        else:
            out.extend(_WORD_RE.findall(fold(word)))
    return out


def fold(word: str) -> str:
    """Accents and compatibility forms folded: "café" -> "cafe", "ﬁ" -> "fi", "Ⅻ" -> "xii"."""
    decomposed = unicodedata.normalize("NFKD", word)
    return "".join(c for c in decomposed if not unicodedata.category(c).startswith("M")).lower()


def indexed(tokens: Iterable[str]) -> Counter[str]:
    """How often each indexable word occurs (stop words and overlong runs left out)."""
    counts = Counter(tokens)
    for word in counts.keys() & STOP_WORDS:
        del counts[word]
    if counts and max(map(len, counts)) > MAX_WORD:
        for word in [w for w in counts if len(w) > MAX_WORD]:
            del counts[word]
    return counts


def stems(surface: Sequence[str]) -> list[str]:
    """The English (Porter2) stem of each word."""
    return _STEMMER.stemWords(surface)
