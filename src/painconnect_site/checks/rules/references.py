"""The reference-verification rules: what `refs verify` recorded in references.lock.json, read offline.

refs/ declares the five rules (REFERENCE_RULES) and finds all their findings
in one pass over the lock, so they are listed here as `RULES` (the registry
collects a module's `RULES` beside its @rule functions) rather than written
out five times.
"""

from __future__ import annotations

from typing import Callable, Iterator

from ...refs import REFERENCE_RULES, lock_findings
from ..context import Finding, LintContext, Rule


def _findings(context: LintContext, rule_id: str) -> Iterator[Finding]:
    """The lock checker runs once per `check`; each rule takes its own findings."""
    memo = ("reference-lock", 0)
    if memo not in context.cache:
        context.cache[memo] = lock_findings(context.site.config, context.site.bibliography, context.today)
    for found in context.cache[memo]:  # type: ignore[attr-defined]
        if found.rule == rule_id:
            yield Finding(found.line, found.message, found.path)


def _check(rule_id: str) -> Callable[[LintContext], Iterator[Finding]]:
    def check(context: LintContext) -> Iterator[Finding]:
        return _findings(context, rule_id)

    check.__name__ = check.__qualname__ = "check_" + rule_id.replace("-", "_")
    return check


RULES = tuple(Rule(rule_id, severity, description, _check(rule_id), scope="site", silenceable=silenceable)
              for rule_id, severity, description, silenceable in REFERENCE_RULES)
