"""The rule that polices silencing itself: unknown rule ids, comments without a reason."""

from __future__ import annotations

from typing import Iterator

from ...core.errors import WARNING, did_you_mean
from ...core.model import ResolvedDocument
from ..context import Finding, LintContext, rule
from ..silencing import ignore_comments


@rule("bad-lint-ignore", WARNING, "lint_ignore or lint-ignore comment names an unknown rule or gives no reason",
      silenceable=False)
def check_bad_lint_ignore(context: LintContext, doc: ResolvedDocument) -> Iterator[Finding]:
    known = list(context.rule_ids)
    for rule_id in doc.meta.lint_ignore:
        if rule_id not in known:
            yield Finding(doc.meta.lines.get("lint_ignore", 1),
                          f"lint_ignore names unknown rule '{rule_id}'{did_you_mean(rule_id, known)}")
    for comment in ignore_comments(context, doc):
        for rule_id in comment.rules:
            if rule_id not in known:
                yield Finding(comment.line,
                              f"lint-ignore comment names unknown rule '{rule_id}'{did_you_mean(rule_id, known)}")
        if not comment.reason:
            yield Finding(comment.line,
                          "lint-ignore comment needs a reason: <!-- lint-ignore rule-id: why it does not apply -->")
