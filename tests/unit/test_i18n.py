"""The theme's strings: every key the templates and the code ask for is in en.yaml and es.yaml,
the two files have the same keys and placeholders, and `t` escapes what it should."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import jinja2
import markupsafe
import pytest

from painconnect_site.core.errors import Diagnostics
from painconnect_site.render.i18n import THEME_STRINGS, Plural, Strings, _read, placeholders
from painconnect_site.render.people import BOTH, REVIEWED, WRITTEN
from painconnect_site.render.templates import THEME_DIR, translator

PACKAGE = Path(__file__).resolve().parents[2] / "src" / "painconnect_site"
TEMPLATE_KEY_RE = re.compile(r"""\bt(?:\.raw)?\(\s*['"]([a-z_]+)['"]""")
CODE_KEY_RE = re.compile(r"""\.(?:text|pattern)\(\s*['"]([a-z_]+)['"]""")
# Read by code, not through a literal key: the language's own name, the date format and month names,
# and what a person did for an article (render/people.py).
INDIRECT = {"language_name", "date", "months", WRITTEN, REVIEWED, BOTH}


def theme(code: str) -> dict:
    diags = Diagnostics()
    reference = _read(THEME_STRINGS / "en.yaml", None, Diagnostics())
    values = reference if code == "en" else _read(THEME_STRINGS / f"{code}.yaml", reference, diags)
    assert [d.format() for d in diags] == []
    return values


def used_keys() -> set[str]:
    keys = set(INDIRECT)
    for template in (THEME_DIR / "templates").glob("*.html"):
        keys |= set(TEMPLATE_KEY_RE.findall(template.read_text(encoding="utf-8")))
    for module in PACKAGE.rglob("*.py"):
        keys |= set(CODE_KEY_RE.findall(module.read_text(encoding="utf-8")))
    return keys


@pytest.mark.parametrize("code", ["en", "es"])
def test_every_string_the_theme_uses_is_in_each_shipped_language_and_none_is_dead(code):
    values = theme(code)
    assert used_keys() - set(values) == set(), f"{code}.yaml lacks strings the theme uses"
    assert set(values) - used_keys() == set(), f"{code}.yaml has strings nothing uses"


def test_spanish_has_the_english_shapes_and_placeholders():
    english, spanish = theme("en"), theme("es")
    assert set(english) == set(spanish)
    for key, value in english.items():
        other = spanish[key]
        assert type(other) is type(value), key
        if isinstance(value, Plural):
            assert placeholders(other.one) | placeholders(other.other) <= placeholders(value.one) | placeholders(value.other), key
        elif isinstance(value, str):
            assert placeholders(other) <= placeholders(value), key


def test_the_spanish_disclaimer_names_the_same_warnings_as_the_english():
    spanish = theme("es")
    assert "no es un diagnóstico ni sustituye" in spanish["disclaimer_advice"].lower()
    for word in ("síntomas nuevos y repentinos", "dolor intenso", "vejiga", "intestinos", "número de emergencias"):
        assert word in spanish["disclaimer_emergency"] and word in spanish["disclaimer_emergency_urgent"], word


def strings(values: dict) -> Strings:
    return Strings("en", "English", values, ())


def test_t_escapes_the_string_and_its_values_but_not_safe_html():
    t = translator(strings({"a": "Fish & <chips>", "b": "See {link} or {text}", "n": Plural("{count} page", "{count} pages")}))
    assert t("a") == "Fish &amp; &lt;chips&gt;"
    link = markupsafe.Markup('<a href="/x/">x</a>')
    assert t("b", link=link, text="<b>") == 'See <a href="/x/">x</a> or &lt;b&gt;'
    assert (t("n", count=1), t("n", count=2), t("n", count=0)) == ("1 page", "2 pages", "0 pages")
    assert t.raw("n", 2) == "{count} pages"
    with pytest.raises(jinja2.UndefinedError, match="unknown theme string 'nope'"):
        t("nope")
    with pytest.raises(jinja2.UndefinedError, match=r"needs a value for \{link\}"):
        t("b", text="x")


def test_dates_in_words_per_language():
    day = dt.date(2026, 11, 22)
    english = strings(theme("en"))
    spanish = Strings("es", "Español", {**theme("en"), **theme("es")}, ())
    assert (english.date(day), spanish.date(day)) == ("22 November 2026", "22 de noviembre de 2026")
