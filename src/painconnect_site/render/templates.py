"""Stage 4a: the Jinja2 environment: the one module that owns jinja2.

Templates load from the site's own `templates/` first, then the bundled theme,
so a site overrides one file without copying the rest. Autoescape is on for
every template and undefined variables are errors, not blank output.

The bundled theme's templates are compiled once and their code kept beside them
(`ThemeBytecodeCache`), as Python keeps a module's bytecode in `__pycache__/`:
compiling the templates an article page uses took ~60 ms of every fresh build.

Each language of the site renders with its own environment, whose global `t`
and filter `long_date` speak that language (i18n.py): `{{ t("references") }}`,
`{{ t("page_title", title=title, number=2, count=5) }}`, `{{ day | long_date }}`.
A single-language site has one environment, as before languages existed.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import sys
import tempfile
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping

import jinja2
import markupsafe
from jinja2 import nodes

from ..core.errors import Diagnostics
from .i18n import REFERENCE, Strings

THEME_DIR = Path(__file__).parent / "theme"
PACKAGE_DIR = Path(__file__).resolve().parents[1]  # error paths name theme files as painconnect_site/...


class ThemeBytecodeCache(jinja2.BytecodeCache):
    """Compiled code of the bundled theme's templates, in `theme/templates/__pycache__/`.

    Loading compiled code runs it, so only templates under `trusted` (the installed theme,
    as trusted as the package's own .pyc files) are cached: a site's own templates are
    compiled on every run, so a file planted in a site checkout or its .cache/ never runs.
    Jinja checks each entry against its template's source and its own and Python's
    versions; the folder name adds this module's source (the environment's options).
    Where the folder cannot be written, or Python is told not to write bytecode
    (PYTHONDONTWRITEBYTECODE), nothing is written."""

    def __init__(self, trusted: Path = THEME_DIR / "templates", folder: Path | None = None) -> None:
        self.trusted = trusted.resolve()
        options = hashlib.sha1(Path(__file__).read_bytes() + jinja2.__version__.encode()).hexdigest()[:16]
        self.folder = folder or self.trusted / "__pycache__" / f"jinja-{options}"

    def get_bucket(self, environment: jinja2.Environment, name: str, filename: str | None,
                   source: str) -> jinja2.bccache.Bucket:
        if filename is not None and Path(filename).resolve().is_relative_to(self.trusted):
            return super().get_bucket(environment, name, filename, source)
        return jinja2.bccache.Bucket(environment, "", "")  # never loaded or stored: see dump_bytecode

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        if bucket.key:
            try:
                with open(self.folder / f"{bucket.key}.cache", "rb") as file:
                    bucket.load_bytecode(file)
            except OSError:
                pass
            except Exception:  # noqa: BLE001 - damaged (its checksum does not unpickle): compiled again
                bucket.reset()

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        if not bucket.key or sys.dont_write_bytecode:
            return
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            handle, temporary = tempfile.mkstemp(dir=self.folder, suffix=".tmp")
        except OSError:  # a read-only install: compiled again next time, as without a cache
            return
        try:
            with os.fdopen(handle, "wb") as file:
                bucket.write_bytecode(file)
            os.replace(temporary, self.folder / f"{bucket.key}.cache")  # readers see all of it or none
        except OSError:  # e.g. the disk is full: no half-written entry is left behind
            Path(temporary).unlink(missing_ok=True)


class TemplateRenderer:
    def __init__(self, root: Path, globals_: dict[str, Any], filters: dict[str, Callable[..., Any]] | None = None,
                 strings: Mapping[str, Strings] | None = None):
        """`strings`: language code -> its theme strings, the default language first."""
        self.root = root
        self.site_templates = root / "templates"
        self.env = jinja2.Environment(
            loader=jinja2.ChoiceLoader(
                [jinja2.FileSystemLoader(str(self.site_templates)), jinja2.FileSystemLoader(str(THEME_DIR / "templates"))]
            ),
            autoescape=True,
            undefined=jinja2.StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
            bytecode_cache=ThemeBytecodeCache(),
        )
        self.env.globals.update(globals_)
        self.env.filters.update({"long_date": long_date, **(filters or {})})
        self.strings: dict[str, Strings] = dict(strings or {})
        self._default = next(iter(self.strings), None)
        self._localized: dict[str, jinja2.Environment] = {}
        self._whole_site: dict[str, bool] = {}
        if self._default is not None:
            _speak(self.env, self.strings[self._default])

    def with_globals(self, globals_: dict[str, Any]) -> TemplateRenderer:
        """This renderer, its compiled templates kept, with the globals of another build
        (`serve` keeps one renderer while no template or strings file changes)."""
        for env in (self.env, *self._localized.values()):
            env.globals.update(globals_)
        return self

    def environment(self, language: str | None = None) -> jinja2.Environment:
        """The environment of a language (the default language's for None or an unknown code)."""
        if language is None or language == self._default or language not in self.strings:
            return self.env
        env = self._localized.get(language)
        if env is None:
            # Its own template cache: a compiled template keeps the globals of its environment.
            env = self._localized[language] = self.env.overlay(cache_size=400)
            env.globals = dict(self.env.globals)
            env.filters = dict(self.env.filters)
            _speak(env, self.strings[language])
        return env

    def render(self, name: str, context: dict[str, Any], diags: Diagnostics, language: str | None = None) -> str | None:
        """Render one template in a language; template mistakes become `path:line: error:` diagnostics."""
        try:
            return self.environment(language).get_template(name).render(context)
        except jinja2.TemplateSyntaxError as exc:
            diags.error(self._rel(exc.filename, name), exc.lineno, f"template syntax error: {exc.message}")
        except jinja2.TemplateNotFound as exc:
            diags.error(f"templates/{name}", None, f"template '{exc.name}' not found in templates/ or the theme")
        except jinja2.TemplateError as exc:
            path, line = self._failing_frame(name)
            diags.error(path, line, f"template error: {exc.message or exc}")
        return None

    def warm(self, names: Iterable[str]) -> None:
        """Compile templates now, e.g. before forking workers, which then inherit them
        compiled; a broken template is left for `render` to report."""
        for language in (None, *self.strings):
            for name in names:
                try:
                    self.environment(language).get_template(name)
                except jinja2.TemplateError:
                    pass

    def _rel(self, filename: str | None, fallback: str) -> str:
        if not filename:
            return f"templates/{fallback}"
        path = Path(filename)
        for base, prefix in ((self.root, ""), (PACKAGE_DIR.parent, "")):
            try:
                return prefix + path.relative_to(base).as_posix()
            except ValueError:
                continue
        return path.as_posix()

    def _failing_frame(self, name: str) -> tuple[str, int | None]:
        # Jinja rewrites tracebacks so template frames carry the template's file and line.
        tb = sys.exc_info()[2]
        found: tuple[str, int | None] = (f"templates/{name}", None)
        while tb is not None:
            filename = tb.tb_frame.f_code.co_filename
            if filename.endswith((".html", ".xml", ".txt")):
                found = (self._rel(filename, name), tb.tb_lineno)
            tb = tb.tb_next
        return found

    def shows_whole_site(self, name: str) -> bool:
        """May template `name` show something of every document (below)?"""
        if name not in self._whole_site:
            self._whole_site[name] = shows_whole_site(self.env, name)
        return self._whole_site[name]

    def template_files(self) -> list[Path]:
        """Every template and strings file that can affect output (for cache keys and the dev server)."""
        files = template_files(self.root)
        for strings in self.strings.values():
            files.extend(path for path in strings.files if path not in files)
        return files


def template_files(root: Path) -> list[Path]:
    files = []
    for folder in (root / "templates", THEME_DIR / "templates"):
        if folder.is_dir():
            files.extend(sorted(p for p in folder.rglob("*") if p.is_file()))
    return files


def templates_stamp(root: Path) -> tuple:
    """Every template file with its size and modification time: a renderer made under the
    same stamp has the same templates (Jinja's own reload check misses a new override)."""
    stamps = []
    for path in template_files(root):
        stat = path.stat()
        stamps.append((str(path), stat.st_size, stat.st_mtime_ns))
    return tuple(stamps)


def safe_html(html: str) -> str:
    """Mark HTML our own code built (escaped where it holds content) as safe from autoescape."""
    return markupsafe.Markup(html)


def translator(strings: Strings) -> Callable[..., markupsafe.Markup]:
    """The templates' `t`: a string of `strings`, escaped, its placeholders filled (escaped too,
    unless they are safe HTML the template built, like a link)."""
    plain = {key: markupsafe.Markup.escape(value) for key, value in strings.values.items()
             if isinstance(value, str) and "{" not in value and "}" not in value}

    def t(key: str, count: int | None = None, **params: Any) -> markupsafe.Markup:
        if count is None and not params:
            found = plain.get(key)
            if found is not None:
                return found
        try:
            pattern = strings.pattern(key, count)
        except KeyError:
            raise jinja2.UndefinedError(f"unknown theme string '{key}' (not in the theme's i18n/{REFERENCE}.yaml)") from None
        if count is not None:
            params["count"] = count
        try:
            return markupsafe.Markup.escape(pattern).format(**params)
        except KeyError as exc:
            raise jinja2.UndefinedError(f"theme string '{key}' needs a value for {{{exc.args[0]}}}") from None

    def raw(key: str, count: int | None = None) -> markupsafe.Markup:
        """The string with its {placeholders} left for a script to fill (search.js), escaped."""
        try:
            return markupsafe.Markup.escape(strings.pattern(key, count))
        except KeyError:
            raise jinja2.UndefinedError(f"unknown theme string '{key}' (not in the theme's i18n/{REFERENCE}.yaml)") from None

    t.raw = raw  # type: ignore[attr-defined]
    return t


def _speak(env: jinja2.Environment, strings: Strings) -> None:
    env.globals["t"] = translator(strings)
    env.filters["long_date"] = strings.date


def long_date(value: dt.date) -> str:
    """22 November 2026: unambiguous for readers in every country."""
    return f"{value.day} {value:%B %Y}"


# --- which templates may show something of every document ---------------------------------
# Which templates may show something of every document of the site.
#
# A page's output key (pipeline/page_keys.py) covers the documents its page shows
# (`pages.Shows`); a template that reaches past them, through the context
# variables that hold the whole site, depends on every document's front matter
# instead. This is read from the templates themselves (their Jinja syntax tree,
# following `extends`, `include` and `import`), so a site template that lists,
# say, the latest articles on every page keeps its pages correct, at the cost of
# re-rendering them whenever any document's front matter changes.

# Context variables that hold the whole site, with the attributes that show no document
# beyond the site's pages (site.yaml, the build date, each language's pages).
WHOLE_SITE: dict[str, frozenset[str]] = {
    "site": frozenset({"build_date", "config"}),
    "edition": frozenset({"pages", "language"}),
    "site_paths": frozenset(),
    "tag_names": frozenset(),
}


def shows_whole_site(env: jinja2.Environment, name: str) -> bool:
    """Does template `name`, or any template it extends, includes or imports, read a
    whole-site variable other than through the attributes WHOLE_SITE allows? A
    template named by an expression (`{% include doc.meta.layout %}`) counts as yes."""
    seen: set[str] = set()
    todo = [name]
    while todo:
        current = todo.pop()
        if current in seen:
            continue
        seen.add(current)
        assert env.loader is not None
        try:
            tree = env.parse(env.loader.get_source(env, current)[0])
        except jinja2.TemplateError:  # missing or broken: rendering reports it, at its line
            return True
        for node in tree.find_all((nodes.Extends, nodes.Include, nodes.Import, nodes.FromImport)):
            target = node.template
            if not (isinstance(target, nodes.Const) and isinstance(target.value, str)):
                return True
            todo.append(target.value)
        if _reads_whole_site(tree):
            return True
    return False


def _reads_whole_site(tree: nodes.Template) -> bool:
    allowed = {id(node.node) for node in tree.find_all(nodes.Getattr)
               if isinstance(node.node, nodes.Name) and node.attr in WHOLE_SITE.get(node.node.name, ())}
    return any(name.name in WHOLE_SITE and id(name) not in allowed
               for name in tree.find_all(nodes.Name) if name.ctx == "load")
