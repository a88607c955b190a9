"""Stage 1: find and read every input file (the only stage-1 disk access)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable

from ..core.errors import Diagnostics
from ..core.kinds import BIBLIOGRAPHY_KIND, DOCUMENT_KINDS
from ..core.model import Memory, SourceFile

BIB_FILE = "references.bib"
LOCK_FILE = "references.lock.json"  # written by `refs verify` (refs/lock.py)
CONTENT = "content"


@dataclass(frozen=True, slots=True)
class Sources:
    documents: tuple[SourceFile, ...]  # Markdown of every document kind, kind by kind, by file name
    bibliography: SourceFile | None
    static_files: frozenset[str]  # posix paths relative to static/


def load_sources(root: Path, diags: Diagnostics, memory: Memory | None = None,
                 seen: SeenSources | None = None) -> Sources:
    """Every document: content/articles/*.md, content/pages/*.md, then the same folders of each
    language, content/<lang>/articles/*.md (kind by kind, language by language, by file name).

    `memory`: a file whose size, modification time and inode are those it had when it
    was read in an earlier build is not read again (stat costs a few microseconds, reading
    and decoding 1,000 articles ~40 ms of every rebuild in `serve`). `seen` (`serve`, with
    `memory`): a file the watcher has not reported since it was read is not even stat'ed."""
    read = _remembering(memory, seen) if memory is not None and memory.remembers else _read
    if seen is not None:
        seen.start()
    languages = _language_folders(root)
    documents = tuple(source for kind in DOCUMENT_KINDS for lang in ("", *languages)
                      for source in _read_markdown(root, _folder(kind.folder, lang), kind.name, diags, read, lang))
    bib_path = root / BIB_FILE
    bibliography = read(bib_path, BIB_FILE, BIBLIOGRAPHY_KIND, diags) if bib_path.is_file() else None
    return Sources(documents, bibliography, list_static(root))


Reader = Callable[..., "SourceFile | None"]  # (path, rel, kind, diags, lang="") -> the file, or None


def _remembering(memory: Memory, seen: SeenSources | None = None) -> Reader:
    def read(path: Path, rel: str, kind: str, diags: Diagnostics, lang: str = "") -> SourceFile | None:
        known = seen.unchanged(rel, kind, lang) if seen is not None else None
        if known is not None:
            return known
        try:
            stat = os.stat(path)
        except OSError:
            return _read(path, rel, kind, diags, lang)
        stamp = _stamp(stat)
        key = ("source", str(path), rel, kind, lang, *stamp)
        found = memory.recall(key)
        if not isinstance(found, SourceFile):
            found = _read(path, rel, kind, diags, lang)
            if found is None:  # unreadable files are read (and reported) again next time
                return None
            memory.remember(key, found)
        if seen is not None:
            seen.read(found, stamp)
        return found
    return read


def _stamp(stat: os.stat_result) -> tuple[int, int, int]:
    return (stat.st_size, stat.st_mtime_ns, stat.st_ino)


class SeenSources:
    """`serve`: the sources its builds have read, and which the watcher reported since.

    Once the watcher watches (`trust()`), a file read by an earlier build and not reported
    since is taken as it was, without a stat: 1,000 stats were ~10 ms of a 150 ms rebuild
    at 1,000 articles, ten times that at 10,000. Folders are still listed on every build,
    so new and removed files are always seen. Because an OS can drop notifications (a
    full inotify queue), `missed()` stats them all again where nobody waits, after the
    reload, and names the files that changed unreported, for another rebuild."""

    def __init__(self, root: Path) -> None:
        self._roots = tuple(dict.fromkeys((str(root), str(root.resolve()))))
        # What the latest build read (each with the stamp it had then), and the build before.
        self._read: dict[str, tuple[SourceFile, tuple[int, int, int]]] = {}
        self._before: dict[str, tuple[SourceFile, tuple[int, int, int]]] = {}
        self._reported: set[str] = set()  # rels
        self._trusted = False

    def trust(self) -> None:
        """The watcher watches: from now on every save under the site is reported."""
        self._trusted = True

    def report(self, paths: Iterable[str]) -> None:
        for path in paths:
            rel = self._rel(path)
            if rel is None:  # not under the site as we know it: trust nothing read so far
                self._read.clear()
                self._before.clear()
            else:
                self._reported.add(rel)

    def start(self) -> None:
        """A build starts reading: files it does not read (removed ones) are forgotten."""
        self._before, self._read = self._read, {}

    def unchanged(self, rel: str, kind: str, lang: str) -> SourceFile | None:
        if not self._trusted or rel in self._reported:
            return None
        found = self._before.get(rel)
        if found is None or found[0].kind != kind or found[0].folder_lang != lang:
            return None
        self._read[rel] = found
        return found[0]

    def read(self, source: SourceFile, stamp: tuple[int, int, int]) -> None:
        self._read[source.rel] = (source, stamp)
        self._reported.discard(source.rel)

    def missed(self) -> list[str]:
        """Paths of files read earlier whose stamp changed with no report since."""
        if not self._trusted:  # every build stat'ed every file: nothing was taken unseen
            return []
        changed = []
        for rel, (source, stamp) in self._read.items():
            if rel in self._reported:
                continue
            try:
                now = _stamp(os.stat(source.path))
            except OSError:
                now = None
            if now != stamp:
                changed.append(str(source.path))
        return changed

    def _rel(self, path: str) -> str | None:
        for root in self._roots:
            if path.startswith(root + os.sep):
                return path[len(root) + 1:].replace(os.sep, "/")
        return None


def list_static(root: Path) -> frozenset[str]:
    static = root / "static"
    if not static.is_dir():
        return frozenset()
    return frozenset(p.relative_to(static).as_posix() for p in static.rglob("*") if p.is_file())


def _folder(folder: str, lang: str) -> str:
    """content/articles -> content/es/articles."""
    return folder if not lang else f"{CONTENT}/{lang}/{folder.removeprefix(CONTENT + '/')}"


def _language_folders(root: Path) -> list[str]:
    """The folders content/<lang>/ holding documents of a kind (whether `lang` is configured is
    checked with the front matter, so a misspelt folder is an error, never ignored)."""
    content = root / CONTENT
    kinds = {kind.folder.removeprefix(CONTENT + "/") for kind in DOCUMENT_KINDS}
    if not content.is_dir():
        return []
    return [entry.name for entry in sorted(content.iterdir(), key=lambda e: e.name)
            if entry.name not in kinds and not entry.name.startswith(".")
            and any((entry / kind).is_dir() for kind in kinds)]


def _read_markdown(root: Path, folder: str, kind: str, diags: Diagnostics, read: Reader,
                   lang: str = "") -> tuple[SourceFile, ...]:
    directory = root / folder
    if not directory.is_dir():
        return ()
    # By name (what sorting the paths gives, without 10,000 Path comparisons).
    names = sorted(name for name in os.listdir(directory) if name.endswith(".md"))
    files = (read(directory / name, f"{folder}/{name}", kind, diags, lang) for name in names)
    return tuple(f for f in files if f is not None)


def _read(path: Path, rel: str, kind: str, diags: Diagnostics, lang: str = "") -> SourceFile | None:
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
    # Normalise line endings so line numbers and output do not depend on the editor
    # (looked for first: two replace passes cost 15 ms over 1,000 articles that have none).
    text = text.removeprefix("\ufeff")
    if b"\r" in data:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return SourceFile(path=path, rel=rel, text=text, kind=kind, folder_lang=lang)
