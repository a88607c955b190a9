"""A citation after advice: the sentence it follows must state something the source found.

"A therapist can help [@x]." or "Talk to your doctor [@x]." reads as if the study
backed the advice, when studies report findings. The rule flags a cited sentence
that offers advice or a hedge ("can help", "talk to your", "ask your", "see a
doctor", "worth trying") and states no finding: no number, no study word
("found", "reported", "linked", "trial", "people who"), no comparison, no reason
("because ..."). Tuned so that no sentence of the site's own articles is flagged,
while the two misplaced citations the editorial audit found are.
"""

from __future__ import annotations

import re
from typing import Iterator

from ...citations.syntax import CITATION_RE
from ...core.errors import WARNING
from ...core.model import ResolvedDocument
from ..context import Finding, LintContext, rule
from ..text import find_claim, prose

_ADVICE_RE = re.compile(
    r"\b(?:(?:can|may|might|could|often|will)\s+(?:\w+\s+)?help"
    r"|(?:talk|speak)\s+(?:to|with)\s+(?:your|a)|ask\s+(?:your|a)"
    r"|see\s+(?:your|a)\s+(?:doctor|gp|physio\w*|therapist|nurse|clinician)"
    r"|(?:is|are)\s+worth\s+trying|worth\s+a\s+try)\b",
    re.IGNORECASE,
)
_FINDING_RE = re.compile(
    r"\b(?:found|finds?|showed|shown|shows|reported|reports?|linked|associated|studies|study|trials?|surveys?|"
    r"surveyed|reviews?|researchers|participants|people who|compared|measured|tested|rated|scored|predict\w*|"
    r"higher|lower|less|more|than|percent|likely|fewer|most|half|third|quarter|because|since)\b|\d|%",
    re.IGNORECASE,
)
_SENTENCE_END_RE = re.compile(r"(?<=[.!?])\s+(?=[A-Z\[*_\"“])")


@rule("citation-after-advice", WARNING,
      'a citation after a sentence that gives advice or a hedge ("can help", "talk to your doctor") and states '
      "no finding of the source")
def check_citation_after_advice(context: LintContext, doc: ResolvedDocument) -> Iterator[Finding]:
    for unit in context.units(doc):
        if unit.kind == "heading":
            continue
        position = 0
        for sentence in _SENTENCE_END_RE.split(unit.text):
            start = unit.text.index(sentence, position)
            position = start + len(sentence)
            if not CITATION_RE.search(sentence):
                continue
            text = prose(sentence)
            advice = _ADVICE_RE.search(text)
            if advice and not _FINDING_RE.search(text) and not find_claim(text, doc.lang):
                line = unit.line if unit.kind in ("faq", "summary") else unit.line + unit.text.count("\n", 0, start)
                phrase = " ".join(advice.group(0).split())
                yield Finding(line, f"a citation follows advice ('{phrase}') that states no finding of the source; "
                                    "cite the sentence that reports what the study found, or drop the citation")
