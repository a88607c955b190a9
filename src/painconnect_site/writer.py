"""Stage 5: write the output folder atomically (the only module that writes output).

Everything goes into a staging folder beside the target, which is swapped in
only when complete: a failed or interrupted build leaves the previous output
exactly as it was (Lektor's artifact idea, for the whole tree).
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path, PurePosixPath
from typing import Callable, Iterable

from .model import OutputFile


class OutputPathError(ValueError):
    pass


def write_site(
    outputs: Iterable[OutputFile], out_dir: Path, finalize: Callable[[Path], None] | None = None
) -> int:
    """Write all outputs; `finalize(staging)` runs on the complete tree before the swap
    (e.g. the search indexer), so its failure also leaves the old output in place."""
    out_dir = out_dir.resolve()
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.staging-", dir=out_dir.parent))
    try:
        count = _write_all(outputs, staging)
        if finalize is not None:
            finalize(staging)
        _swap(staging, out_dir)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return count


def _write_all(outputs: Iterable[OutputFile], staging: Path) -> int:
    seen: set[str] = set()
    for output in outputs:
        rel = safe_relative_path(output.path)
        if rel in seen:  # two pages claiming one URL would silently overwrite each other
            raise OutputPathError(f"two outputs want the same path '{rel}'")
        seen.add(rel)
        target = staging / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(output.data)
    return len(seen)


def safe_relative_path(path: str) -> str:
    pure = PurePosixPath(path)
    if pure.is_absolute() or ".." in pure.parts or not pure.parts:
        raise OutputPathError(f"output path '{path}' escapes the output folder")
    return pure.as_posix()


def _swap(staging: Path, out_dir: Path) -> None:
    os.chmod(staging, 0o755)  # mkdtemp makes 0700 folders; hosts and servers need to read it
    if not out_dir.exists():
        os.replace(staging, out_dir)
        return
    old = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.old-", dir=out_dir.parent))
    old.rmdir()
    os.replace(out_dir, old)
    try:
        os.replace(staging, out_dir)
    except BaseException:
        os.replace(old, out_dir)
        raise
    shutil.rmtree(old, ignore_errors=True)
