"""Editorial lint run by `check`: what a careful health editor would flag.

Rules are declared with `@rule` next to their function in the modules of
`checks/rules/` and collected here (`all_rules`); `check_site` alone applies
severity and silencing (silencing.py), so rule functions stay pure and
testable. Element ids for `broken-anchor` come from the rendered pages.
"""

from __future__ import annotations

import datetime as dt
import html
import importlib
import pkgutil
import re
from functools import cache
from typing import Mapping

from ..core.errors import ERROR, Diagnostics
from ..core.model import Site
from . import rules as rules_package
from .context import RULE_ATTRIBUTE, Finding, LintContext, PreviousBuild, Rule
from .silencing import InlineIgnores, ignore_comments


@cache
def all_rules() -> tuple[Rule, ...]:
    """Every rule declared in a module of checks/rules/ (@rule functions, and a module's `RULES`), by id."""
    found: dict[str, Rule] = {}
    for module_info in pkgutil.iter_modules(rules_package.__path__):
        module = importlib.import_module(f"{rules_package.__name__}.{module_info.name}")
        declared = [getattr(value, RULE_ATTRIBUTE, None) for value in vars(module).values()]
        for rule in [*declared, *getattr(module, "RULES", ())]:
            if isinstance(rule, Rule):
                assert found.get(rule.id, rule) is rule, f"two rules named {rule.id}"
                found[rule.id] = rule
    return tuple(found[rule_id] for rule_id in sorted(found))


def rules_by_id() -> dict[str, Rule]:
    return {rule.id: rule for rule in all_rules()}


def check_site(site: Site, diags: Diagnostics, today: dt.date, pages: Mapping[str, bytes],
               previous: PreviousBuild | None = None) -> None:
    """Run every rule; `pages` are the rendered outputs (path -> bytes), where anchors are read;
    `previous` is what the previous build published (for the rules on moved pages)."""
    rules = all_rules()
    published = frozenset(path.removesuffix("index.html") for path in pages)
    context = LintContext(site, today, page_anchors(site, pages), tuple(rule.id for rule in rules), previous, published)
    document_rules = [rule for rule in rules if rule.scope == "document"]
    for doc in site.documents:
        ignores = InlineIgnores(ignore_comments(context, doc))
        for rule in document_rules:
            for finding in rule.check(context, doc):
                silenced = rule.id in doc.meta.lint_ignore or ignores.silences(rule.id, finding.line)
                if not (silenced and rule.silenceable):
                    _report(diags, rule, finding.path or doc.rel, finding)
    bib_ignores = InlineIgnores.for_bibliography(site)
    for rule in (rule for rule in rules if rule.scope == "site"):
        for finding in rule.check(context):
            if not (bib_ignores.silences(rule.id, finding.line) and rule.silenceable):
                _report(diags, rule, finding.path or site.bibliography.rel, finding)


_ID_ATTR_RE = re.compile(r"""\sid=(?:"([^"]*)"|'([^']*)')""")


def page_anchors(site: Site, pages: Mapping[str, bytes]) -> dict[str, frozenset[str]]:
    """Element ids of each document's rendered page, whatever templates the site uses."""
    anchors = {}
    for doc in site.documents:
        page = pages.get(doc.url + "index.html", b"").decode("utf-8", "replace")
        anchors[doc.url] = frozenset(html.unescape(a or b) for a, b in _ID_ATTR_RE.findall(page))
    return anchors


def _report(diags: Diagnostics, rule: Rule, path: str, finding: Finding) -> None:
    report = diags.error if rule.severity == ERROR else diags.warning
    report(path, finding.line, finding.message, rule.id)
