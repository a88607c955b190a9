"""What a lint rule takes and gives: the shared `LintContext` in, `Finding`s out.

A rule is a function in a module of `checks/rules/`, declared where it is
written with `@rule(id, severity, description)`; the registry finds it there,
so adding a rule is one function in one file. (Rules made in a loop go in the
module's `RULES` tuple instead.)
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Callable, Iterable, Mapping, TypeVar

from ..core.errors import ERROR, WARNING
from ..core.model import ResolvedDocument, Site
from .text import TextUnit, body_lines, body_units, faq_units, summary_units

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Finding:
    line: int | None
    message: str
    path: str | None = None  # None: the document being checked


@dataclass(frozen=True, slots=True)
class PreviousBuild:
    """What the previous build published into the output folder (`missing-alias`, `removed-page`)."""

    sitemap: str  # its sitemap.xml, as diagnostics name it
    urls: Mapping[str, int]  # site-relative URL -> its line in that sitemap
    pages: Mapping[str, tuple[str, str]] = field(default_factory=dict)  # document URL -> (source rel, title), if recorded


@dataclass(frozen=True, slots=True)
class LintContext:
    """Site-wide facts computed once and shared by every rule."""

    site: Site
    today: dt.date
    anchors: Mapping[str, frozenset[str]]  # document URL ("articles/x/") -> element ids of its rendered page
    rule_ids: tuple[str, ...] = ()  # every registered rule (lint-ignore names are checked against them)
    previous: PreviousBuild | None = None  # the previous build's sitemap, when the output folder has one
    published: frozenset[str] = frozenset()  # every site-relative URL the site publishes now (pages, redirects)
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
    id: str  # a contract: lint_ignore, lint-ignore comments, CI logs and the README use it
    severity: str  # ERROR or WARNING
    description: str  # one line, shown in the README's rule table
    check: Callable[..., Iterable[Finding]]
    scope: str = "document"  # "document": check(context, doc) once per page; "site": check(context) once
    silenceable: bool = True


RuleFunction = TypeVar("RuleFunction", bound=Callable[..., Iterable[Finding]])
RULE_ATTRIBUTE = "lint_rule"  # where @rule leaves the Rule on its function, for the registry to find


def rule(rule_id: str, severity: str, description: str, *, scope: str = "document",
         silenceable: bool = True) -> Callable[[RuleFunction], RuleFunction]:
    """Declare the decorated function a lint rule."""
    assert severity in (ERROR, WARNING) and scope in ("document", "site")

    def declare(check: RuleFunction) -> RuleFunction:
        setattr(check, RULE_ATTRIBUTE, Rule(rule_id, severity, description, check, scope, silenceable))
        return check

    return declare
