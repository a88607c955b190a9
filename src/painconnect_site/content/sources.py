"""Stage 1: find and read every input file (the only stage-1 disk access)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..core.errors import Diagnostics
from ..core.kinds import BIBLIOGRAPHY_KIND, DOCUMENT_KINDS
from ..core.model import SourceFile

BIB_FILE = "references.bib"


@dataclass(frozen=True, slots=True)
class Sources:
    documents: tuple[SourceFile, ...]  # Markdown of every document kind, kind by kind, by file name
    bibliography: SourceFile | None
    static_files: frozenset[str]  # posix paths relative to static/


def load_sources(root: Path, diags: Diagnostics) -> Sources:
    documents = tuple(source for kind in DOCUMENT_KINDS
                      for source in _read_markdown(root, kind.folder, kind.name, diags))
    bib_path = root / BIB_FILE
    bibliography = _read(bib_path, BIB_FILE, BIBLIOGRAPHY_KIND, diags) if bib_path.is_file() else None
    return Sources(documents, bibliography, list_static(root))


def list_static(root: Path) -> frozenset[str]:
    static = root / "static"
    if not static.is_dir():
        return frozenset()
    return frozenset(p.relative_to(static).as_posix() for p in static.rglob("*") if p.is_file())


def _read_markdown(root: Path, folder: str, kind: str, diags: Diagnostics) -> tuple[SourceFile, ...]:
    directory = root / folder
    if not directory.is_dir():
        return ()
    files = (_read(path, path.relative_to(root).as_posix(), kind, diags) for path in sorted(directory.glob("*.md")))
    return tuple(f for f in files if f is not None)


def _read(path: Path, rel: str, kind: str, diags: Diagnostics) -> SourceFile | None:
    try:
        data = path.read_bytes()
    except OSError as exc:
        diags.error(rel, 1, f"cannot read file: {exc.strerror}")
        return None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        diags.error(rel, line, f"file is not valid UTF-8 (byte 0x{data[exc.start]:02x}); save it as UTF-8")
        return None
    # Normalise line endings so line numbers and output do not depend on the editor.
    text = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    return SourceFile(path=path, rel=rel, text=text, kind=kind)
