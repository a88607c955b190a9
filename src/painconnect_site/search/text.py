"""Words for the search index: the tokenizer the browser repeats, and English stems.

A text becomes words the same way here and in the search client
(`static/js/search.js`, `words()`), so a word typed into the search box is
found exactly as it was indexed:

1. lowercase, Unicode NFC, apostrophes dropped ("don't" -> "dont", "partner's" -> "partners");
2. runs of letters and digits are words (Python's `[^\\W_]`, JavaScript's `[\\p{L}\\p{N}]`);
3. a word with any non-ASCII letter is accent-folded (NFKD, combining marks dropped,
   lowercased again, split again): "Café" -> "cafe", "ﬁbre" -> "fibre";
4. words longer than `MAX_WORD` and `STOP_WORDS` are not indexed.

Stems are Snowball stems from PyStemmer in the document's language (English Porter2 for
English, Spanish for Spanish, ...; no stemming for a language Snowball does not cover),
computed only here, at build time: the index stores each word as it occurs with the
postings of its stem, so the browser never needs a stemmer ("walked" and "walks" both
lead to "walk", "caminando" and "caminar" to "camin"). Each language has its own stop
words (English and Spanish; none for the others), written accent-folded, as words are.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from functools import cache
from typing import Iterable, Sequence

import Stemmer

MAX_WORD = 40  # longer runs are identifiers, not words
# Words too common to tell articles apart; a query word that is not indexed is simply ignored.
STOP_WORDS = frozenset("""a an and are as at be but by for from has have if in into is it its of on or so
that the their then there these they this to was were will with""".split())

# Accent-folded ("más" is "mas"), as `words` makes them: articles, prepositions, conjunctions,
# pronouns and forms of "ser"/"estar" that every Spanish text has.
SPANISH_STOP_WORDS = frozenset("""a al como con de del desde e el en entre era es esta estan este esto fue
ha la las le les lo los o para pero por que se si sobre son su sus un una unas uno unos y""".split())
STOP_WORDS_BY_LANGUAGE = {"en": STOP_WORDS, "es": SPANISH_STOP_WORDS}
# Primary language subtag -> PyStemmer's Snowball algorithm.
SNOWBALL = {"ar": "arabic", "ca": "catalan", "da": "danish", "de": "german", "el": "greek", "en": "english",
            "es": "spanish", "eu": "basque", "fi": "finnish", "fr": "french", "ga": "irish", "hu": "hungarian",
            "id": "indonesian", "it": "italian", "lt": "lithuanian", "nb": "norwegian", "ne": "nepali",
            "nl": "dutch", "nn": "norwegian", "no": "norwegian", "pt": "portuguese", "ro": "romanian",
            "ru": "russian", "sr": "serbian", "sv": "swedish", "ta": "tamil", "tr": "turkish"}

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


def indexed(tokens: Iterable[str], stop_words: frozenset[str] = STOP_WORDS) -> Counter[str]:
    """How often each indexable word occurs (stop words and overlong runs left out)."""
    counts = Counter(tokens)
    for word in counts.keys() & stop_words:
        del counts[word]
    if counts and max(map(len, counts)) > MAX_WORD:
        for word in [w for w in counts if len(w) > MAX_WORD]:
            del counts[word]
    return counts


def stems(surface: Sequence[str], language: str = "en") -> list[str]:
    """The Snowball stem of each word in a language (English: Porter2); the words themselves
    for a language Snowball has no stemmer for."""
    if language == "en":
        return _STEMMER.stemWords(surface)
    stemmer = _stemmer(primary(language))
    return stemmer.stemWords(surface) if stemmer is not None else list(surface)


def stop_words(language: str) -> frozenset[str]:
    return STOP_WORDS_BY_LANGUAGE.get(primary(language), frozenset())


def primary(language: str) -> str:
    """The primary subtag of a language tag: "pt-BR" -> "pt"."""
    return language.lower().split("-")[0]


@cache
def _stemmer(primary_tag: str) -> Stemmer.Stemmer | None:
    name = SNOWBALL.get(primary_tag)
    return Stemmer.Stemmer(name) if name in Stemmer.algorithms() else None
