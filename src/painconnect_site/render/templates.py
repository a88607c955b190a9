"""Stage 4a: the Jinja2 environment: the one module that owns jinja2.

Templates load from the site's own `templates/` first, then the bundled theme,
so a site overrides one file without copying the rest. Autoescape is on for
every template and undefined variables are errors, not blank output.
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path
from typing import Any, Callable, Iterable

import jinja2
import markupsafe

from ..core.errors import Diagnostics

THEME_DIR = Path(__file__).parent / "theme"
PACKAGE_DIR = Path(__file__).resolve().parents[1]  # error paths name theme files as painconnect_site/...


class TemplateRenderer:
    def __init__(self, root: Path, globals_: dict[str, Any], filters: dict[str, Callable[..., Any]] | None = None):
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
        )
        self.env.globals.update(globals_)
        self.env.filters.update({"long_date": long_date, **(filters or {})})

    def with_globals(self, globals_: dict[str, Any]) -> TemplateRenderer:
        """This renderer, its compiled templates kept, with the globals of another build."""
        self.env.globals.update(globals_)
        return self


    def render(self, name: str, context: dict[str, Any], diags: Diagnostics) -> str | None:
        """Render one template; template mistakes become `path:line: error:` diagnostics."""
        try:
            return self.env.get_template(name).render(context)
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
        for name in names:
            try:
                self.env.get_template(name)
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

    def template_files(self) -> list[Path]:
        """Every template file that can affect output (for cache keys and the dev server)."""
        return template_files(self.root)


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


def long_date(value: dt.date) -> str:
    """22 November 2026: unambiguous for readers in every country."""
    return f"{value.day} {value:%B %Y}"
