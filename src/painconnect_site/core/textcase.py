"""pandoc's word-casing state machine, shared by BibTeX import and CSL output.

pandoc's citeproc decides how to case each word from what came before it
(start of a sentence, after a word, before the last word...). The BibTeX
reader (sentence-casing English titles) and our citeproc-py patches (the
style's text-case) both walk text with this same machine.
"""

from __future__ import annotations

import re

START, START_SENTENCE, AFTER_WORD_END, AFTER_WORD_CHAR = range(4)
AFTER_SENTENCE_PUNCT, AFTER_OTHER_PUNCT, BEFORE_LAST_WORD = range(4, 7)
WORD_BREAKS = frozenset("-/\u2013\u2014")
_QUOTES = "\u201c\u201d\u2018\u2019"


def next_state(state: int, chunk: str) -> int:
    if not chunk:
        return state
    last = chunk[-1]
    if last in ".?!:":
        return AFTER_SENTENCE_PUNCT
    if last.isalnum():
        return AFTER_WORD_CHAR
    if last.isspace() and state == AFTER_SENTENCE_PUNCT:
        return START_SENTENCE
    if last.isspace() or last in WORD_BREAKS:
        return AFTER_WORD_END
    return AFTER_OTHER_PUNCT


def chunks(text: str) -> list[str]:
    """Runs of letters/digits, runs of spaces, single other characters."""
    return re.findall(r"[^\W_]+|\s+|.", text, flags=re.DOTALL)


def is_quote_mark(text: str, chunk: str, position: int) -> bool:
    """Quotation marks are pandoc Quoted inlines, which casing walks through
    without a state change; an apostrophe (’ before a letter) is punctuation."""
    if not chunk or chunk not in _QUOTES:
        return False
    return not (chunk == "\u2019" and text[position + 1 : position + 2].isalnum())
