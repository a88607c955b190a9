"""Stage 1: find and read every input file (the only stage-1 disk access)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from ..core.errors import Diagnostics
from ..core.kinds import BIBLIOGRAPHY_KIND, DOCUMENT_KINDS
from ..core.model import Memory, SourceFile

BIB_FILE = "references.bib"


@dataclass(frozen=True, slots=True)
class Sources:
    documents: tuple[SourceFile, ...]  # Markdown of every document kind, kind by kind, by file name
    bibliography: SourceFile | None
    static_files: frozenset[str]  # posix paths relative to static/


def load_sources(root: Path, diags: Diagnostics, memory: Memory | None = None) -> Sources:
    """`memory`: a file whose size, modification time and inode are those it had when it
    was read in an earlier build is not read again (stat costs a few microseconds, reading
    and decoding 1,000 articles ~40 ms of every rebuild in `serve`)."""
    read = _remembering(memory) if memory is not None and memory.remembers else _read
    documents = tuple(source for kind in DOCUMENT_KINDS
                      for source in _read_markdown(root, kind.folder, kind.name, diags, read))
    bib_path = root / BIB_FILE
    bibliography = read(bib_path, BIB_FILE, BIBLIOGRAPHY_KIND, diags) if bib_path.is_file() else None
    return Sources(documents, bibliography, list_static(root))


Reader = Callable[[Path, str, str, Diagnostics], "SourceFile | None"]


def _remembering(memory: Memory) -> Reader:
    def read(path: Path, rel: str, kind: str, diags: Diagnostics) -> SourceFile | None:
        try:
            stat = os.stat(path)
        except OSError:
            return _read(path, rel, kind, diags)
        key = ("source", str(path), rel, kind, stat.st_size, stat.st_mtime_ns, stat.st_ino)
        found = memory.recall(key)
        if isinstance(found, SourceFile):
            return found
        source = _read(path, rel, kind, diags)
        if source is not None:  # unreadable files are read (and reported) again next time
            memory.remember(key, source)
        return source
    return read


def list_static(root: Path) -> frozenset[str]:
    static = root / "static"
    if not static.is_dir():
        return frozenset()
    return frozenset(p.relative_to(static).as_posix() for p in static.rglob("*") if p.is_file())


def _read_markdown(root: Path, folder: str, kind: str, diags: Diagnostics, read: Reader) -> tuple[SourceFile, ...]:
    directory = root / folder
    if not directory.is_dir():
        return ()
    files = (read(path, f"{folder}/{path.name}", kind, diags) for path in sorted(directory.glob("*.md")))
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
