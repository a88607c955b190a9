"""The compiled theme templates kept beside the theme (render/templates.py ThemeBytecodeCache)."""

from __future__ import annotations

import sys
from pathlib import Path

import jinja2
import pytest

from painconnect_site.render.templates import THEME_DIR, TemplateRenderer, ThemeBytecodeCache


@pytest.fixture
def theme(tmp_path, monkeypatch):
    monkeypatch.setattr(sys, "dont_write_bytecode", False)
    folder = tmp_path / "theme"
    folder.mkdir()
    (folder / "page.html").write_text("theme page {{ 1 + 1 }}", encoding="utf-8")
    return folder


@pytest.fixture
def compiles(monkeypatch):
    """How many templates Jinja compiled from source."""
    count = {"n": 0}
    real = jinja2.Environment.compile

    def counting(self, *args, **kwargs):
        count["n"] += 1
        return real(self, *args, **kwargs)

    monkeypatch.setattr(jinja2.Environment, "compile", counting)
    return count


def environment(cache: ThemeBytecodeCache, *folders: Path) -> jinja2.Environment:
    loader = jinja2.ChoiceLoader([jinja2.FileSystemLoader(str(folder)) for folder in folders])
    return jinja2.Environment(loader=loader, autoescape=True, bytecode_cache=cache)


def test_a_theme_template_is_compiled_once(theme, tmp_path, compiles):
    cache = ThemeBytecodeCache(theme, tmp_path / "compiled")
    assert environment(cache, theme).get_template("page.html").render() == "theme page 2"
    assert compiles["n"] == 1
    assert environment(cache, theme).get_template("page.html").render() == "theme page 2"  # a new process, say
    assert compiles["n"] == 1


def test_an_edited_theme_template_is_compiled_again(theme, tmp_path, compiles):
    cache = ThemeBytecodeCache(theme, tmp_path / "compiled")
    environment(cache, theme).get_template("page.html").render()
    (theme / "page.html").write_text("edited {{ 2 + 2 }}", encoding="utf-8")
    assert environment(cache, theme).get_template("page.html").render() == "edited 4"
    assert compiles["n"] == 2


def test_a_site_template_is_never_stored_nor_loaded(theme, tmp_path, compiles):
    site = tmp_path / "site"
    site.mkdir()
    (site / "page.html").write_text("site page", encoding="utf-8")
    compiled = tmp_path / "compiled"
    cache = ThemeBytecodeCache(theme, compiled)
    assert environment(cache, site, theme).get_template("page.html").render() == "site page"
    assert not compiled.exists() or not any(compiled.iterdir())
    # An entry planted under the key Jinja would give the site's template is not run.
    planted = jinja2.bccache.Bucket(jinja2.Environment(), "", "")
    planted.code = compile("raise SystemExit('planted code ran')", "planted", "exec")
    compiled.mkdir(exist_ok=True)
    key = cache.get_cache_key("page.html", str(site / "page.html"))
    with open(compiled / f"{key}.cache", "wb") as file:
        planted.write_bytecode(file)
    assert environment(cache, site, theme).get_template("page.html").render() == "site page"
    assert compiles["n"] == 2


def test_nothing_is_written_when_python_writes_no_bytecode(theme, tmp_path, monkeypatch):
    monkeypatch.setattr(sys, "dont_write_bytecode", True)
    compiled = tmp_path / "compiled"
    environment(ThemeBytecodeCache(theme, compiled), theme).get_template("page.html").render()
    assert not compiled.exists()


def test_a_folder_that_cannot_be_written_only_costs_compiling(theme, tmp_path, compiles):
    (tmp_path / "file").write_text("", encoding="utf-8")
    cache = ThemeBytecodeCache(theme, tmp_path / "file" / "compiled")  # below a file: mkdir fails
    for _ in range(2):
        assert environment(cache, theme).get_template("page.html").render() == "theme page 2"
    assert compiles["n"] == 2


def test_the_site_renderer_caches_the_bundled_theme_only(tmp_path):
    cache = TemplateRenderer(tmp_path, {}).env.bytecode_cache
    assert isinstance(cache, ThemeBytecodeCache)
    assert cache.trusted == (THEME_DIR / "templates").resolve()
    assert cache.folder.is_relative_to(cache.trusted / "__pycache__")


def test_a_damaged_entry_is_compiled_again(theme, tmp_path, compiles):
    compiled = tmp_path / "compiled"
    cache = ThemeBytecodeCache(theme, compiled)
    environment(cache, theme).get_template("page.html")
    for entry in compiled.iterdir():  # cut inside the checksum (Jinja itself survives a cut in the code)
        entry.write_bytes(entry.read_bytes()[: len(jinja2.bccache.bc_magic) + 3])
    assert environment(cache, theme).get_template("page.html").render() == "theme page 2"
    assert compiles["n"] == 2
