"""Reference verification: `refs verify` checks references.bib against Crossref and PubMed.

Modules: `client` (HTTP, the only user of httpx), `registry` (Crossref/PubMed
JSON -> `Work`), `compare` (normalise and compare with a `Reference`), `lock`
(references.lock.json, and the offline checks `check` and `build` run),
`verify` (one entry against the registries), `settings` (site.yaml
`references:`), and `host` (the only imports from the rest of the package).
The `refs` command itself, which prints, is commands/refs.py.

The entry points the rest of the package calls, both offline:

* `lock_findings(config, bibliography, today)`: the `reference-*` rules of `check`
  (checks/rules/references.py);
* `retracted_citations(root, bibliography, documents)`: errors at citations of
  retracted works (pipeline/load.py).

Importing this package does not import httpx; only `refs verify` does.
"""

from __future__ import annotations

from .lock import LOCK_FILE, REFERENCE_RULES, LockFinding, lock_findings, retracted_citations

__all__ = ["LOCK_FILE", "REFERENCE_RULES", "LockFinding", "lock_findings", "retracted_citations"]
