"""What a lint rule takes and gives: the shared `LintContext` in, `Finding`s out; `Rule` binds them.

Separate from the registry (`checks`) so the modules holding the rules can
import these without importing the registry that imports them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Callable, Iterable, Mapping, TypeVar

from .text import TextUnit, body_lines, body_units, faq_units, summary_units
from ..core.model import ResolvedDocument, Site

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Finding:
    line: int | None
    message: str
    path: str | None = None  # None: the document being checked


@dataclass(frozen=True, slots=True)
class LintContext:
    """Site-wide facts computed once and shared by every rule."""

    site: Site
    today: dt.date
    anchors: Mapping[str, frozenset[str]]  # document URL ("articles/x/") -> element ids on that page
    cache: dict[tuple[str, int], object] = field(default_factory=dict, compare=False)

    def memo(self, name: str, doc: ResolvedDocument, compute: Callable[[ResolvedDocument], T]) -> T:
        """`compute(doc)` once per run: several rules read the same masked lines and units."""
        key = (name, id(doc))
        if key not in self.cache:
            self.cache[key] = compute(doc)
        return self.cache[key]  # type: ignore[return-value]

    def lines(self, doc: ResolvedDocument) -> list[tuple[int, str]]:
        return self.memo("lines", doc, body_lines)

    def units(self, doc: ResolvedDocument) -> list[TextUnit]:
        return self.memo("units", doc, lambda d: [*summary_units(d), *body_units(d, self.lines(d)), *faq_units(d)])


@dataclass(frozen=True, slots=True)
class Rule:
    id: str
    severity: str
    description: str
    check: Callable[..., Iterable[Finding]]
    scope: str = "document"  # "document": once per page; "site": once per site
    silenceable: bool = True
