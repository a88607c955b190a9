"""JSON-LD serialization: pruning empty values and writing safe ``<script>`` JSON.

Owns the last step of every structured-data graph:

* :func:`prune` drops ``None``, blank strings, empty lists and nodes left with
  nothing but a ``@type``. Search engines treat an empty ``"image": ""`` as an
  error, not as "no image".
* :func:`graph` wraps pruned nodes in one ``@context``/``@graph`` document.
* :func:`script_json` serializes with :mod:`json`; nothing is pasted into
  strings, so a title cannot break the JSON and, because ``<``, ``>``, ``&``,
  ``'``, U+2028 and U+2029 are written as ``\\uXXXX`` escapes, no value can
  close the ``<script>`` element either. The result is *not* HTML-entity-escaped:
  templates must insert it unescaped (``{{ json_ld | safe }}``), exactly like
  Jinja2's ``tojson``.

Pure functions: no I/O, stdlib only.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence

JsonDict = dict[str, object]

SCHEMA_CONTEXT = "https://schema.org"

# Characters that must never appear raw inside a <script> element (the first
# four are what Jinja2's `tojson` escapes) and the two line separators that
# pre-ES2019 JavaScript parsers reject inside string literals.
_SCRIPT_ESCAPES = {
    "<": "\\u003c",
    ">": "\\u003e",
    "&": "\\u0026",
    "'": "\\u0027",
    "\u2028": "\\u2028",
    "\u2029": "\\u2029",
}
_SCRIPT_ESCAPE_RE = re.compile("[<>&'\u2028\u2029]")


def script_json(data: object) -> str:
    """JSON for a ``<script type="application/ld+json">`` element.

    Deterministic (sorted keys, compact separators), non-ASCII kept as-is, and
    safe to place between ``<script>`` tags without any further escaping.
    """
    text = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"), allow_nan=False)
    # Those characters can only occur inside JSON strings, where \uXXXX means the same.
    return _SCRIPT_ESCAPE_RE.sub(lambda match: _SCRIPT_ESCAPES[match.group(0)], text)


def prune(value: object) -> object | None:
    """``value`` without empty parts; ``None`` when nothing is left.

    Drops ``None``, blank strings, empty lists and dicts, and dicts left with
    only a ``@type`` (a typed node that says nothing). Tuples become lists.
    Strings that are not blank are kept exactly, whitespace included.
    """
    kind = type(value)  # exact types first: isinstance(x, Mapping) is an ABC check, slow on ~200 values a page
    if kind is str:
        return value if value.strip() else None  # type: ignore[union-attr]
    if kind is dict:
        kept = {key: pruned for key, item in value.items() if (pruned := prune(item)) is not None}  # type: ignore[union-attr]
        return kept if set(kept) - {"@type"} else None
    if kind is list or kind is tuple:
        items = [pruned for item in value if (pruned := prune(item)) is not None]  # type: ignore[union-attr]
        return items or None
    if value is None:
        return None
    if isinstance(value, str):
        return value if value.strip() else None
    if isinstance(value, Mapping):
        kept = {key: pruned for key, item in value.items() if (pruned := prune(item)) is not None}
        return kept if set(kept) - {"@type"} else None
    if isinstance(value, (list, tuple)):
        items = [pruned for item in value if (pruned := prune(item)) is not None]
        return items or None
    return value


def graph(nodes: Sequence[JsonDict]) -> JsonDict:
    """One JSON-LD document holding ``nodes``, each pruned; nodes left empty are dropped."""
    pruned_nodes = [node for node in (prune(node) for node in nodes) if node is not None]
    return {"@context": SCHEMA_CONTEXT, "@graph": pruned_nodes}
