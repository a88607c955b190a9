"""`refs verify` and `refs status`: verify references.bib entries, print what was found, write the lock.

The verification itself is refs/verify.py; this command reads the site, picks
the entries, prints every problem as `references.bib:LINE: severity: message`
(stored in the lock too, which `check` replays offline) and writes
references.lock.json. If a registry cannot be reached, the run stops with one
line and exit 1, and nothing is written.
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path
from typing import Callable, Mapping, Sequence, TextIO

from ..refs.host import BIBLIOGRAPHY_REL, ERROR, SITE_FILE, Bibliography, Diagnostic, Diagnostics, Reference
from ..refs.host import SourceFile, did_you_mean, load_config, parse_bibliography
from ..refs.lock import LOCK_FILE, LockEntry, read_lock, write_lock
from ..refs.registry import Registries, RegistryUnavailable
from ..refs.settings import Settings
from ..refs.verify import verify_all

EXIT_OK, EXIT_CONTENT, EXIT_USAGE = 0, 1, 2


def run_refs(root: Path, action: str, keys: Sequence[str] = (), stale: bool = False, *,
             out: TextIO | None = None, err: TextIO | None = None,
             now: Callable[[], dt.datetime] | None = None) -> int:
    """The `refs` command: `verify` (network) or `status` (offline). Returns the exit code."""
    out, err = out or sys.stdout, err or sys.stderr
    diags = Diagnostics()
    config = load_config(root, diags)
    bibliography = _read_bibliography(root, diags) if config is not None else None
    if config is None or bibliography is None or diags.has_errors():
        _print(diags.errors, err)
        return EXIT_CONTENT
    settings = Settings.of(config)
    lock, unreadable = read_lock(root)
    selected = list(bibliography.entries.values())
    if keys:
        unknown = [key for key in keys if key not in bibliography.entries]
        for key in unknown:
            print(f"error: no entry '{key}' in {BIBLIOGRAPHY_REL}{did_you_mean(key, bibliography.entries)}", file=err)
        if unknown:
            return EXIT_USAGE
        selected = [ref for ref in selected if ref.key in keys]  # in file order
    today = (now or _utc_now)().date()
    if stale:
        selected = [ref for ref in selected if _state(ref, lock.entries.get(ref.key), settings, today)[0] == "stale"]

    if action == "status":
        _print(unreadable, err)
        return _status(selected, lock.entries, settings, today, out) if not unreadable else EXIT_CONTENT
    if unreadable and (keys or stale):  # the entries not verified now would be lost
        _print(unreadable, err)
        print(f"error: {LOCK_FILE} is unreadable; run `refs verify` without keys or --stale to write it anew",
              file=err)
        return EXIT_CONTENT
    if not settings.contact:
        line = config.lines.get("references", 1)
        print(f"{SITE_FILE}:{line}: error: `refs verify` needs a contact e-mail for Crossref's and NCBI's polite "
              f"pools; add `references: {{contact: editor@example.org}}` to {SITE_FILE}", file=err)
        return EXIT_CONTENT

    from ..refs.client import Client  # httpx is imported only when the network is used

    progress = Progress(len(selected), err)
    previous = {} if unreadable else dict(lock.entries)
    try:
        with Client(settings.contact, config.base_url) as client:
            results = verify_all(selected, Registries(client, settings.contact), progress, now or _utc_now)
    except RegistryUnavailable as exc:
        progress.close()
        print(f"error: {exc}; nothing was written (`refs verify` needs the network; `check` and `build` "
              f"do not)", file=err)
        return EXIT_CONTENT
    progress.close()

    entries = {key: entry for key, entry in previous.items() if key in bibliography.entries}
    entries.update(results)
    write_lock(root, entries)
    return _report(selected, results, previous, out, err)


def _utc_now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc).replace(microsecond=0)


def _read_bibliography(root: Path, diags: Diagnostics) -> Bibliography | None:
    path = root / BIBLIOGRAPHY_REL
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        diags.error(BIBLIOGRAPHY_REL, None, "no references.bib in the site folder: nothing to verify")
        return None
    except (OSError, UnicodeDecodeError) as exc:
        diags.error(BIBLIOGRAPHY_REL, 1, f"cannot read the file ({exc})")
        return None
    text = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")  # as sources.py reads it
    return parse_bibliography(SourceFile(path, BIBLIOGRAPHY_REL, text, "bibliography"), diags)


def _print(diagnostics: Sequence[Diagnostic], stream: TextIO) -> None:
    for diagnostic in diagnostics:
        print(diagnostic.format(), file=stream)


def _report(selected: Sequence[Reference], results: Mapping[str, LockEntry], previous: Mapping[str, LockEntry],
            out: TextIO, err: TextIO) -> int:
    found = [Diagnostic(BIBLIOGRAPHY_REL, reference.line, problem.severity, problem.message)
             for reference in sorted(selected, key=lambda ref: ref.line)
             for problem in results[reference.key].problems]  # in file order, then field order
    _print(found, err)
    changed = [key for key, entry in results.items() if key in previous and previous[key].registry_fingerprint
               and entry.registry_fingerprint and previous[key].registry_fingerprint != entry.registry_fingerprint]
    if changed:
        print(f"registry records changed since the last verification: {', '.join(changed)}", file=out)
    counts = {status: sum(1 for e in results.values() if e.status == status)
              for status in ("verified", "not-found", "unverifiable")}
    others = [f"{counts['not-found']} not found"] if counts["not-found"] else []
    others += [f"{counts['unverifiable']} could not be verified"] if counts["unverifiable"] else []
    errors = sum(1 for diagnostic in found if diagnostic.severity == ERROR)
    warnings = len(found) - errors
    print(f"refs verify: {counts['verified']} of {len(results)} reference(s) verified"
          f"{' (' + ', '.join(others) + ')' if others else ''}; {errors} error(s), {warnings} warning(s); "
          f"wrote {LOCK_FILE}", file=out)
    return EXIT_CONTENT if errors else EXIT_OK


# --- status (offline) --------------------------------------------------------------------------


def _state(reference: Reference, record: LockEntry | None, settings: Settings, today: dt.date) -> tuple[str, str]:
    """('ok' | 'stale' | 'problem', words) for one entry, from the lock alone."""
    if record is None:
        return "stale", "never verified"
    if not record.describes(reference):
        return "stale", f"changed since it was verified on {record.date}"
    age = (today - record.verified.date()).days
    if record.status == "verified" and age > settings.max_age_days:
        return "stale", f"verified {record.date} ({record.registry}), {age} days ago: older than {settings.max_age_days}"
    if record.status != "verified":
        return "stale", f"{record.status} on {record.date} ({record.registry})"
    worst = "problem" if record.problems else "ok"
    detail = f", {len(record.problems)} problem(s)" if record.problems else ""
    return worst, f"verified {record.date} ({record.registry}){detail}"


def _status(selected: Sequence[Reference], entries: Mapping[str, LockEntry], settings: Settings, today: dt.date,
            out: TextIO) -> int:
    counts: dict[str, int] = {}
    for reference in selected:
        state, words = _state(reference, entries.get(reference.key), settings, today)
        counts[state] = counts.get(state, 0) + 1
        print(f"{BIBLIOGRAPHY_REL}:{reference.line}: {reference.key}: {words}", file=out)
    print(f"refs status: {len(selected)} reference(s): {counts.get('ok', 0)} verified, "
          f"{counts.get('problem', 0)} verified with problems, {counts.get('stale', 0)} to verify "
          f"(`refs verify --stale`)", file=out)
    return EXIT_OK


# --- progress -----------------------------------------------------------------------------

MIN_ENTRIES = 5  # fewer than this finish before a bar is worth reading
WIDTH = 24


class Progress:
    def __init__(self, total: int, stream: TextIO, label: str = "verifying") -> None:
        self.total, self.stream, self.label = total, stream, label
        isatty = getattr(stream, "isatty", None)
        self.shown = total >= MIN_ENTRIES and bool(isatty and isatty())
        self._width = 0

    def update(self, done: int, current: str = "") -> None:
        if not self.shown:
            return
        filled = WIDTH * done // max(self.total, 1)
        line = f"{self.label} [{'#' * filled}{'.' * (WIDTH - filled)}] {done}/{self.total} {current}"[:78]
        self.stream.write("\r" + line.ljust(self._width))
        self.stream.flush()
        self._width = len(line)

    def close(self) -> None:
        if self.shown and self._width:
            self.stream.write("\r" + " " * self._width + "\r")
            self.stream.flush()
            self._width = 0
