"""BibLaTeX dates -> CSL-JSON dates, as pandoc reads them.

An EDTF `date` field (2021, 2021-03-15, 2019/2021, 2021~) wins, else the old
`year`/`month`/`day` fields (and their `url`/`event`/`orig` prefixed forms);
a year that is not a number becomes a literal date. A malformed `date` or
`month` is a warning and is ignored. `MONTHS` are also the month macros
BibTeX predefines (`month = mar`), which parsing needs.
"""

from __future__ import annotations

import re
from typing import Mapping

from ..core.errors import Diagnostics

MONTHS = ("jan", "feb", "mar", "apr", "may", "jun",
          "jul", "aug", "sep", "oct", "nov", "dec")

_EDTF_DATE = re.compile(r"^(-?\d{1,4})(?:-(\d{1,2}))?(?:-(\d{1,2}))?$")


def _edtf_date(text: str) -> dict[str, object] | None:
    text = text.strip()
    if not text:
        return None
    circa = text.endswith(("~", "%", "?"))
    parts = []
    for piece in text.rstrip("~%?").split("/"):
        match = _EDTF_DATE.match(piece.strip())
        if not match:
            return None
        numbers = [int(group) for group in match.groups() if group is not None]
        if len(numbers) > 1 and not 1 <= numbers[1] <= 12 or len(numbers) > 2 and not (
                1 <= numbers[2] <= 31):
            return None
        parts.append(numbers)
    date: dict[str, object] = {"date-parts": parts}
    if circa:
        date["circa"] = True
    return date


def csl_date(fields: Mapping[str, str], name: str, prefix: str, key: str,
          rel: str, line: int, diags: Diagnostics) -> dict[str, object] | None:
    """A BibLaTeX date field, else the old year/month/day fields (as pandoc)."""
    text = fields.get(name, "").strip()
    if text:
        date = _edtf_date(text)
        if date:
            return date
        diags.warning(rel, line, f"entry '{key}': {name} '{text}' is not a date "
                                 f"like 2021, 2021-03 or 2021-03-15; ignored")
    return _old_style_date(fields, prefix, key, rel, line, diags)


def _month_number(text: str) -> int | None:
    text = text.strip().lower()
    if text in MONTHS:
        return MONTHS.index(text) + 1
    if text.isdigit() and 1 <= int(text) <= 12:
        return int(text)
    return None


def _old_style_date(fields: Mapping[str, str], prefix: str, key: str,
                    rel: str, line: int, diags: Diagnostics) -> dict[str, object] | None:
    year_text = fields.get(prefix + "year", "").strip()
    if not year_text:
        return None
    year_digits = year_text.replace("–", "-").replace("—", "-")
    if not re.fullmatch(r"-?\d+", year_digits):
        return {"literal": year_text}
    parts = [int(year_digits)]
    month_text = fields.get(prefix + "month", "")
    month = _month_number(month_text) if month_text else None
    if month_text and month is None:
        diags.warning(rel, line, f"entry '{key}': {prefix}month '{month_text}' is not "
                                 f"jan…dec or 1–12; ignored")
    if month:
        parts.append(month)
        day = fields.get(prefix + "day", "").strip()
        if day.isdigit():
            parts.append(int(day))
    return {"date-parts": [parts]}
