"""The reference-verification rules: what `refs verify` recorded in references.lock.json, read offline."""

from __future__ import annotations

from typing import Iterator

from ...refs import REFERENCE_RULES, lock_findings
from ..context import Finding, LintContext, rule

_SPECS = {rule_id: (severity, description, silenceable) for rule_id, severity, description, silenceable
          in REFERENCE_RULES}


def _declared(rule_id: str):
    severity, description, silenceable = _SPECS[rule_id]
    return rule(rule_id, severity, description, scope="site", silenceable=silenceable)


def _findings(context: LintContext, rule_id: str) -> Iterator[Finding]:
    """The lock checker runs once per `check`; each rule takes its own findings."""
    memo = ("reference-lock", 0)
    if memo not in context.cache:
        context.cache[memo] = lock_findings(context.site.config, context.site.bibliography, context.today)
    for found in context.cache[memo]:  # type: ignore[attr-defined]
        if found.rule == rule_id:
            yield Finding(found.line, found.message, found.path)


@_declared("reference-retracted")
def check_reference_retracted(context: LintContext) -> Iterator[Finding]:
    yield from _findings(context, "reference-retracted")


@_declared("reference-not-found")
def check_reference_not_found(context: LintContext) -> Iterator[Finding]:
    yield from _findings(context, "reference-not-found")


@_declared("reference-notice")
def check_reference_notice(context: LintContext) -> Iterator[Finding]:
    yield from _findings(context, "reference-notice")


@_declared("reference-mismatch")
def check_reference_mismatch(context: LintContext) -> Iterator[Finding]:
    yield from _findings(context, "reference-mismatch")


@_declared("reference-unverified")
def check_reference_unverified(context: LintContext) -> Iterator[Finding]:
    yield from _findings(context, "reference-unverified")
