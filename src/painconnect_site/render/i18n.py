"""Theme strings in each language of the site: every word the theme shows readers.

The theme ships `theme/i18n/en.yaml` (the reference: every key the templates use) and
`es.yaml`; a site may override any string in `content/i18n/<lang>.yaml`. A string is plain
text with `{name}` placeholders, or plural forms (`one`, `other`: `one` is used for a count
of 1); `months` lists the twelve month names for dates. Files are checked against the
reference: an unknown key, another shape, or a placeholder the English string does not
have is a `path:line` error. A language the theme has no file for shows the English
strings its site file does not give, with a warning.

Strings are plain text here; render/templates.py escapes them (and their placeholders,
unless they are safe HTML such as a link the template built).
"""

from __future__ import annotations

import datetime as dt
import string
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping

from ..core.errors import Diagnostics, did_you_mean
from ..core.model import SiteConfig
from ..core.yaml_lines import YamlError, load_yaml

THEME_STRINGS = Path(__file__).parent / "theme" / "i18n"
SITE_STRINGS = "content/i18n"
REFERENCE = "en"  # the theme's complete set of strings, and the fallback for a language without its own
MONTHS = "months"
PLURAL_FORMS = ("one", "other")
_PACKAGE_ROOT = Path(__file__).resolve().parents[2]  # diagnostics name theme files painconnect_site/render/...


@dataclass(frozen=True, slots=True)
class Plural:
    one: str
    other: str


Value = str | Plural | tuple[str, ...]  # plain text, plural forms, the month names


@dataclass(frozen=True, slots=True)
class Strings:
    """One language's strings (theme and site files merged, English for what neither gives)."""

    code: str
    name: str  # the language's name, as its own readers write it (the switcher shows it)
    values: Mapping[str, Value]
    files: tuple[Path, ...]  # what they were read from (page keys hash them)

    def pattern(self, key: str, count: int | None = None) -> str:
        """The text of `key` before its placeholders are filled; KeyError for an unknown key."""
        value = self.values[key]
        if isinstance(value, Plural):
            return value.one if count == 1 else value.other
        if not isinstance(value, str):
            raise KeyError(key)
        return value

    def text(self, key: str, count: int | None = None, **params: Any) -> str:
        """`key` with its placeholders filled (`count` is also the placeholder {count})."""
        if count is not None:
            params["count"] = count
        return self.pattern(key, count).format(**params)

    def date(self, day: dt.date) -> str:
        """A date in words: "22 November 2026", "22 de noviembre de 2026"."""
        months = self.values[MONTHS]
        assert isinstance(months, tuple)
        return self.text("date", day=day.day, month=months[day.month - 1], year=day.year)


def load_strings(root: Path, config: SiteConfig, diags: Diagnostics) -> dict[str, Strings]:
    """Language code -> its strings, for every language of the site (the default first)."""
    reference = _read(THEME_STRINGS / f"{REFERENCE}.yaml", None, diags)
    site_dir = root / SITE_STRINGS
    site_files = {path.stem.lower(): path for path in sorted(site_dir.glob("*.yaml"))} if site_dir.is_dir() else {}
    codes = {language.code.lower() for language in config.all_languages}
    for stem, path in site_files.items():
        if stem not in codes:
            diags.error(_rel(path, root), 1, f"strings for '{path.stem}', which is not a language of the site "
                                             f"({', '.join(language.code for language in config.all_languages)}); "
                                             "name the file after one (content/i18n/<lang>.yaml)")
    found = {}
    for language in config.all_languages:
        values: dict[str, Value] = dict(reference)
        files = [THEME_STRINGS / f"{REFERENCE}.yaml"]
        theme_file = theme_strings_file(language.code)
        own: dict[str, Value] = {}
        if theme_file is not None and theme_file != files[0]:
            own = _read(theme_file, reference, diags)
            files.append(theme_file)
        site_file = site_files.get(language.code.lower())
        if site_file is not None:
            own.update(_read(site_file, reference, diags, root))
            files.append(site_file)
        values.update(own)
        if theme_file is None and reference.keys() - own.keys():
            missing = len(reference.keys() - own.keys())
            diags.warning("content/site.yaml", language.line,
                          f"the theme has no strings for language '{language.code}': its pages show {missing} "
                          f"string(s) in English until content/i18n/{language.code.lower()}.yaml translates them")
        # Its name from its own strings (never the English fallback's "English").
        named = theme_file is not None or "language_name" in own
        name = language.name or (str(values["language_name"]) if named else language.code)
        found[language.code] = Strings(language.code, name, values, tuple(files))
    return found


def theme_strings_file(code: str) -> Path | None:
    """The theme's file for a language: its own (pt-br.yaml), else its primary language's (pt.yaml)."""
    for candidate in dict.fromkeys((code.lower(), code.lower().split("-")[0])):
        path = THEME_STRINGS / f"{candidate}.yaml"
        if path.is_file():
            return path
    return None


def placeholders(text: str) -> set[str]:
    """The `{name}` placeholders of a string; ValueError when its braces do not pair up."""
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


def _read(path: Path, reference: Mapping[str, Value] | None, diags: Diagnostics,
          root: Path | None = None) -> dict[str, Value]:
    """The strings of one file, each checked against the reference (None: this is the reference)."""
    rel = _rel(path, root)
    try:
        doc = load_yaml(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        diags.error(rel, 1, f"cannot read the strings file: {exc}")
        return {}
    except YamlError as exc:
        diags.error(rel, exc.line, exc.message)
        return {}
    for key_path, line in doc.duplicates:
        diags.error(rel, line, f"duplicate string '{key_path[-1]}'")
    if doc.data is None:
        return {}
    if not isinstance(doc.data, dict):
        diags.error(rel, 1, "a strings file is a mapping of string keys to text")
        return {}
    values: dict[str, Value] = {}
    for key, raw in doc.data.items():
        key, line = str(key), doc.lines.get((key,), 1)
        if reference is not None and key not in reference:
            diags.error(rel, line, f"unknown string '{key}' (not in the theme's {REFERENCE}.yaml){did_you_mean(key, reference)}")
            continue
        value = _value(key, raw, reference.get(key) if reference is not None else None, rel, line, diags)
        if value is not None:
            values[key] = value
    return values


def _value(key: str, raw: Any, expected: Value | None, rel: str, line: int, diags: Diagnostics) -> Value | None:
    """One string converted and checked; None (with an error) when it is not usable."""
    if key == MONTHS:
        if isinstance(raw, list) and len(raw) == 12 and all(isinstance(m, str) and m.strip() for m in raw):
            return tuple(m.strip() for m in raw)
        diags.error(rel, line, "'months' must list the twelve month names, January first")
        return None
    plural = isinstance(expected, Plural) or (expected is None and isinstance(raw, dict))
    if plural:
        if not (isinstance(raw, dict) and set(raw) == set(PLURAL_FORMS) and all(isinstance(v, str) for v in raw.values())):
            diags.error(rel, line, f"string '{key}' has plural forms: give 'one' and 'other' (text for a count of 1, "
                                   "and for any other count)")
            return None
        value: Value = Plural(raw["one"], raw["other"])
        texts = [raw["one"], raw["other"]]
    elif isinstance(raw, (str, int, float)) and not isinstance(raw, bool):
        value = str(raw)
        texts = [value]
    else:
        diags.error(rel, line, f"string '{key}' must be text")
        return None
    allowed = None
    if isinstance(expected, Plural):
        allowed = placeholders(expected.one) | placeholders(expected.other)
    elif isinstance(expected, str):
        allowed = placeholders(expected)
    for text in texts:
        try:
            used = placeholders(text)
        except ValueError:
            diags.error(rel, line, f"string '{key}' has a '{{' or '}}' that does not pair up; "
                                   "write {{ and }} for a brace")
            return None
        bad = sorted(name for name in used if not name.isidentifier() or (allowed is not None and name not in allowed))
        if bad:
            known = ", ".join(f"{{{name}}}" for name in sorted(allowed or ())) or "none"
            diags.error(rel, line, f"string '{key}' uses {{{bad[0]}}}, which is not one of its placeholders ({known})")
            return None
    return value


def _rel(path: Path, root: Path | None) -> str:
    for base in (root, _PACKAGE_ROOT):
        if base is not None:
            try:
                return path.resolve().relative_to(base.resolve()).as_posix()
            except ValueError:
                continue
    return path.as_posix()
