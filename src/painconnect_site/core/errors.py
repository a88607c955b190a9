"""Diagnostics: content problems as data, printed compiler-style by the CLI.

Every stage adds to one `Diagnostics` collector and keeps going, so one run
reports every problem; the pipeline stops at stage boundaries with
`raise_if_errors()`.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Iterable, Iterator

ERROR = "error"
WARNING = "warning"


@dataclass(frozen=True, slots=True)
class Diagnostic:
    path: str  # posix path relative to the source root
    line: int | None  # 1-based; None when the whole file is meant
    severity: str  # ERROR or WARNING
    message: str
    rule: str | None = None  # editorial-lint rule id, e.g. "uncited-claim"

    def format(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        rule = f" [{self.rule}]" if self.rule else ""
        return f"{where}: {self.severity}: {self.message}{rule}"

    @property
    def sort_key(self) -> tuple[str, int, str]:
        return (self.path, self.line or 0, self.message)


class BuildError(Exception):
    """Raised at a stage boundary when errors were collected."""

    def __init__(self, diagnostics: Iterable[Diagnostic]):
        self.diagnostics = tuple(diagnostics)
        super().__init__("\n".join(d.format() for d in self.diagnostics))


class Diagnostics:
    def __init__(self) -> None:
        self._items: list[Diagnostic] = []

    def error(self, path: str, line: int | None, message: str, rule: str | None = None) -> None:
        self._items.append(Diagnostic(path, line, ERROR, message, rule))

    def warning(self, path: str, line: int | None, message: str, rule: str | None = None) -> None:
        self._items.append(Diagnostic(path, line, WARNING, message, rule))

    def add(self, diagnostic: Diagnostic) -> None:
        self._items.append(diagnostic)

    def extend(self, diagnostics: Iterable[Diagnostic]) -> None:
        self._items.extend(diagnostics)

    def __iter__(self) -> Iterator[Diagnostic]:
        return iter(self.sorted())

    def __len__(self) -> int:
        return len(self._items)

    def sorted(self) -> list[Diagnostic]:
        # Deduplicate: the same problem found twice (e.g. a shared FAQ) is one line.
        return sorted(set(self._items), key=lambda d: d.sort_key)

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.sorted() if d.severity == ERROR]

    @property
    def warnings(self) -> list[Diagnostic]:
        return [d for d in self.sorted() if d.severity == WARNING]

    def has_errors(self) -> bool:
        return any(d.severity == ERROR for d in self._items)

    def raise_if_errors(self) -> None:
        if self.has_errors():
            raise BuildError(self.errors)


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """' (did you mean 'x'?)' for the closest choice, or '' when none is close."""
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""
