"""refs/ stays self-contained: it imports the rest of the package only through refs/host.py, and
`build`/`check` never load an HTTP client (httpx's one owner, refs/client.py, is in test_architecture)."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

REFS = Path(__file__).resolve().parents[1] / "src" / "painconnect_site" / "refs"
HOST_IMPORTS = {"bibtex", "content", "core"}  # the subpackages refs/host.py may import


def imports(path: Path) -> tuple[set[str], set[str], set[str]]:
    """(modules of refs/ imported, modules of the parent package imported, third-party top-level names)."""
    own, parent, external = set(), set(), set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            module = node.module or ""
            if node.level == 1:
                own.add(module.split(".")[0]) if module else own.update(a.name for a in node.names)
            elif node.level == 2:
                parent.add(module.split(".")[0]) if module else parent.update(a.name for a in node.names)
            elif module.startswith("painconnect_site"):
                parent.add(module)
            else:
                external.add(module.split(".")[0])
        elif isinstance(node, ast.Import):
            external.update(alias.name.split(".")[0] for alias in node.names)
    return own, parent, external


def test_only_host_imports_the_rest_of_the_package():
    for path in sorted(REFS.glob("*.py")):
        _, parent, _ = imports(path)
        if path.stem == "host":
            assert parent <= HOST_IMPORTS, parent
        else:
            assert parent == set(), f"{path.name} imports {parent}; go through refs/host.py"


def test_build_and_check_do_not_load_an_http_client():
    code = ("import sys, painconnect_site.pipeline, painconnect_site.checks.registry, painconnect_site.refs;"
            "print(sorted(m for m in ('httpx', 'httpcore', 'painconnect_site.refs.client') if m in sys.modules))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                            cwd=REFS.parents[2].parent, env={"PYTHONPATH": str(REFS.parents[1])})
    assert result.stdout.strip() == "[]"
