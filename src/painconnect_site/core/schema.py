"""A small declarative schema for YAML mappings (site.yaml, front matter).

Why not jsonschema: we need one `path:line` message per problem in words an
editor understands ("unknown field 'reveiwed' (did you mean 'reviewed'?)"),
dates as real dates, and conversion in the same pass; a declarative table of
`Field`s does that in a few lines and keeps every rule in one place.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any, Callable, Mapping

from .errors import Diagnostics, did_you_mean

TEXT = "text"
DATE = "date"
BOOL = "bool"
TEXT_LIST = "text list"
INT = "whole number"  # at least 1
INT_LIST = "whole number list"  # each at least 1
MAPPING = "mapping"
ANY = "any"

_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@dataclass(frozen=True, slots=True)
class Field:
    kind: str
    required: bool = False


LineOf = Callable[[tuple[Any, ...]], int]


def validate_mapping(
    data: Any,
    spec: Mapping[str, Field],
    *,
    rel: str,
    path: tuple[Any, ...],
    line_of: LineOf,
    diags: Diagnostics,
    what: str = "field",
) -> dict[str, Any]:
    """Check `data` against `spec`; return the converted values that passed.

    Unknown keys, missing required keys and wrong types each add one error.
    """
    if not isinstance(data, dict):
        diags.error(rel, line_of(path), f"expected a mapping of {what}s, found {_kind_of(data)}")
        return {}
    values: dict[str, Any] = {}
    for key, raw in data.items():
        key_path = path + (key,)
        if key not in spec:
            diags.error(rel, line_of(key_path), f"unknown {what} '{key}'{did_you_mean(str(key), spec)}")
            continue
        converted = convert(raw, spec[key].kind, rel=rel, line=line_of(key_path), name=str(key), diags=diags)
        if converted is not None:
            values[key] = converted
    for key, field in spec.items():
        if field.required and (key not in data or _is_empty(data[key])):
            if key in data:
                diags.error(rel, line_of(path + (key,)), f"{what} '{key}' must not be empty")
            else:
                diags.error(rel, line_of(path), f"missing required {what} '{key}'")
    return values


def convert(raw: Any, kind: str, *, rel: str, line: int, name: str, diags: Diagnostics) -> Any:
    """Convert one value to `kind`, or add an error and return None."""
    if raw is None:
        return None
    if kind == ANY or kind == MAPPING and isinstance(raw, dict):
        return raw
    if kind == TEXT and isinstance(raw, (str, int, float)) and not isinstance(raw, bool):
        text = str(raw).strip()
        return text or None
    if kind == BOOL and isinstance(raw, bool):
        return raw
    if kind == TEXT_LIST:
        items = [raw] if isinstance(raw, str) else raw
        if isinstance(items, list) and all(isinstance(i, (str, int)) and not isinstance(i, bool) for i in items):
            return tuple(str(i).strip() for i in items if str(i).strip())
    if kind == INT and _is_count(raw):
        return raw
    if kind == INT_LIST and isinstance(raw, list) and raw and all(_is_count(i) for i in raw):
        return tuple(raw)
    if kind == INT_LIST and isinstance(raw, list) and raw:
        bad = next(i for i in raw if not _is_count(i))
        diags.error(rel, line, f"field '{name}' must be {_article(kind)}, found {_kind_of(bad)} in the list")
        return None
    if kind == DATE:
        return parse_date(raw, rel=rel, line=line, name=name, diags=diags)
    diags.error(rel, line, f"field '{name}' must be {_article(kind)}, found {_kind_of(raw)}")
    return None


def parse_date(raw: Any, *, rel: str, line: int, name: str, diags: Diagnostics) -> dt.date | None:
    text = str(raw).strip()
    if _DATE_RE.match(text):
        try:
            return dt.date.fromisoformat(text)
        except ValueError:
            pass
    diags.error(rel, line, f"field '{name}' has invalid date '{text}' (expected YYYY-MM-DD, a real calendar day)")
    return None


def _is_count(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 1


def _is_empty(value: Any) -> bool:
    return value is None or (isinstance(value, (str, list, dict)) and not (value.strip() if isinstance(value, str) else value))


def _article(kind: str) -> str:
    return {TEXT: "text", DATE: "a date", BOOL: "true or false", TEXT_LIST: "a list of text", MAPPING: "a mapping",
            INT: "a whole number of at least 1", INT_LIST: "a list of whole numbers of at least 1"}[kind]


def _kind_of(value: Any) -> str:
    if isinstance(value, bool):
        return f"'{str(value).lower()}'"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if value is None:
        return "nothing"
    return f"'{value}'"
