"""Import-layer contract: dependencies point one way, each library has one owner module."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "painconnect_site"

# Lower layers never import higher ones (see README, Architecture).
LAYERS = {
    0: {"errors", "model", "schema", "yaml_lines", "config", "textcase"},
    1: {"sources"},
    2: {"frontmatter", "bibliography", "bibtex_text", "bibtex_names", "bibtex_dates", "bibtex_csl"},
    3: {"site_index", "citations", "markdown_render", "reference_format", "_citeproc_patches", "structured_data",
        "jsonld_json", "jsonld_nodes",
        "resolve", "checks", "checks_context", "checks_text", "checks_content", "checks_links"},
    4: {"templates", "assets", "outputs"},
    5: {"writer", "cache", "search_index", "incremental", "parallel"},
    6: {"pipeline", "devserver", "devserver_files", "devserver_watch", "scaffold", "cli", "__main__", "__init__"},
}
LIBRARY_OWNERS = {
    "yaml": {"yaml_lines"},
    "markdown": {"markdown_render"},
    "jinja2": {"templates"},
    "bibtexparser": {"bibliography"},
    "citeproc": {"reference_format", "_citeproc_patches"},
    "livereload": {"devserver"},
}
LAYER_OF = {module: layer for layer, modules in LAYERS.items() for module in modules}


def imports_of(path: Path) -> tuple[set[str], set[str]]:
    """(package modules imported, top-level third-party names imported)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    internal, external = set(), set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            module = node.module or ""
            if node.level == 0 and module.startswith(f"{PACKAGE.name}."):  # absolute form of a relative import
                module, level = module.removeprefix(f"{PACKAGE.name}."), 1
            else:
                level = node.level
            if level == 1:
                if module:
                    internal.add(module.split(".")[0])
                else:
                    internal.update(alias.name for alias in node.names)
            elif module and level == 0:
                external.add(module.split(".")[0])
        elif isinstance(node, ast.Import):
            external.update(alias.name.split(".")[0] for alias in node.names)
    return internal, external


def modules() -> list[Path]:
    return sorted(p for p in PACKAGE.glob("*.py"))


def test_every_module_has_a_layer():
    missing = [p.stem for p in modules() if p.stem not in LAYER_OF]
    assert missing == [], f"add these modules to LAYERS: {missing}"


def test_imports_point_down_the_layers():
    violations = []
    for path in modules():
        internal, _ = imports_of(path)
        for target in internal:
            if target in LAYER_OF and LAYER_OF[target] > LAYER_OF[path.stem]:
                violations.append(f"{path.stem} (layer {LAYER_OF[path.stem]}) imports {target} (layer {LAYER_OF[target]})")
    assert violations == []


def test_no_import_cycles():
    graph = {p.stem: imports_of(p)[0] & set(LAYER_OF) for p in modules()}

    def visit(node: str, stack: tuple[str, ...]) -> None:
        assert node not in stack, f"import cycle: {' -> '.join((*stack, node))}"
        for child in graph.get(node, ()):
            visit(child, (*stack, node))

    for module in graph:
        visit(module, ())


def test_each_library_is_owned_by_one_module():
    violations = []
    for path in modules():
        _, external = imports_of(path)
        for library, owners in LIBRARY_OWNERS.items():
            if library in external and path.stem not in owners:
                violations.append(f"{path.stem} imports {library} (owned by {sorted(owners)})")
    assert violations == []


def test_the_architecture_test_can_fail(tmp_path):
    bad = tmp_path / "errors.py"
    bad.write_text("from .pipeline import run_build\nfrom painconnect_site.commands.cli import main\nimport jinja2\n")
    internal, external = imports_of(bad)
    assert {"pipeline", "cli"} <= internal and LAYER_OF["pipeline"] > LAYER_OF["errors"]
    assert "jinja2" in external
