"""Stage 5: write the output folder (the only module that writes output).

Two ways, both leaving the previous output exactly as it was when the build
fails (a content or template error found while rendering):

* `write_site`: everything goes into a staging folder beside the target,
  swapped in only when complete (Lektor's artifact idea, for the whole tree).
  Unchanged files are hard-linked from the previous output. For a first build,
  or when the previous output is not the one the cache recorded.
* `update_site`: the previous output is patched where it stands: new bytes are
  written to a patch folder beside it while the build runs, and only once the
  whole build has succeeded are removed files deleted and the new files renamed
  into place, each rename atomic. An editor's rebuild after one save touches a
  few files instead of making 2,000 folders and links and deleting the old tree.
  A build killed during those renames leaves a mix of old and new pages; the
  next build repairs it (every file's stamp is compared with the record).

The stamps returned (inode, size, mtime) let the next build check that the
output was not edited since.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, AbstractSet, Callable, Iterable, Mapping

if TYPE_CHECKING:  # annotations only: a no-change `build` stamps the output without loading the model
    from ..core.model import OutputFile


class OutputPathError(ValueError):
    pass


# What identifies a written file on disk: (inode, size, mtime_ns); it changes whenever the
# file is rewritten or edited. A plain tuple: the cache pickles thousands of them per build.
Stamp = tuple[int, int, int]
SIZE = 1  # Stamp[SIZE]


def _stamp(stat: os.stat_result) -> Stamp:
    return (stat.st_ino, stat.st_size, stat.st_mtime_ns)


@dataclass(frozen=True, slots=True)
class KeptFiles:
    """Outputs known to be unchanged since the previous build: linked, never rendered. One
    item for many (an editor's rebuild keeps ~2,800 of ~2,900 files at 1,000 articles)."""

    paths: frozenset[str]


@dataclass(frozen=True, slots=True)
class PlacedFile:
    """An output a render worker already wrote into the folder being assembled (`place_file`)."""

    path: str


@dataclass(frozen=True, slots=True)
class WrittenSite:
    files: int  # outputs given (rendered and kept)
    rewritten: int  # of them, files whose bytes were written (the rest were linked)
    stamps: Mapping[str, Stamp]  # every file of the final tree


Outputs = Iterable["OutputFile | KeptFiles | PlacedFile"]


def write_site(
    outputs: Outputs | Callable[[Path], Outputs],
    out_dir: Path,
    finalize: Callable[[], None] | None = None,
    reusable: AbstractSet[str] = frozenset(),
) -> WrittenSite:
    """Write all outputs into a staging folder and swap it in; `finalize()` runs when every
    output is written, before the swap: raising there also leaves the old output in place.

    `outputs` may be a function of the staging folder, for producers that write some files
    there themselves (`place_file`, in worker processes) and give back a `PlacedFile`.

    `reusable`: files of the current `out_dir` known to be unmodified since they were
    written (the pipeline compares their recorded stamps); they may be linked instead of written, and every
    path of a `KeptFiles` must be one of them.
    """
    out_dir = out_dir.resolve()
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.staging-", dir=out_dir.parent))
    try:
        count, rewritten = _write_all(outputs(staging) if callable(outputs) else outputs, staging, out_dir, reusable)
        if finalize is not None:
            finalize()
        stamps = tree_stamps(staging)
        _swap(staging, out_dir)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return WrittenSite(count, rewritten, stamps)


def update_site(
    outputs: Iterable[OutputFile | KeptFiles],
    out_dir: Path,
    present: Mapping[str, Stamp],
    reusable: AbstractSet[str],
    finalize: Callable[[], None] | None = None,
) -> WrittenSite:
    """Patch `out_dir` in place into exactly `outputs` (see the module docstring).

    `present`: stamps of every file now in `out_dir`; files not among the outputs are
    deleted. `reusable`: those known unmodified since the previous build wrote them.
    """
    out_dir = out_dir.resolve()
    patch = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.patch-", dir=out_dir.parent))
    try:
        seen: set[str] = set()
        stamps: dict[str, Stamp] = {}
        pending: list[tuple[str, Path]] = []
        for output in outputs:
            if isinstance(output, KeptFiles):
                stamps.update((rel, present[rel]) for rel in _claim_kept(output, seen, reusable))
                continue
            rel = _claim(output.path, seen)
            if rel in reusable and _same_bytes(out_dir / rel, output.data):
                stamps[rel] = present[rel]
            else:
                staged = patch / str(len(pending))
                staged.write_bytes(output.data)
                pending.append((rel, staged))
        if finalize is not None:
            finalize()
        # Removed files first: a removed page's folder may be where a new file goes.
        for rel in sorted(set(present) - seen, reverse=True):
            _remove_file(out_dir, rel)
        made: set[Path] = set()
        for rel, staged in pending:
            target = out_dir / rel
            if target.parent not in made:
                target.parent.mkdir(parents=True, exist_ok=True)
                made.add(target.parent)
            os.chmod(staged, 0o644)
            os.replace(staged, target)
            stat = os.stat(target)
            stamps[rel] = _stamp(stat)
    finally:
        shutil.rmtree(patch, ignore_errors=True)
    return WrittenSite(len(seen), len(pending), stamps)


def _claim_kept(kept: KeptFiles, seen: set[str], reusable: AbstractSet[str]) -> frozenset[str]:
    """Claim kept paths at once. They come from the previous build's record, which is read
    from the cache: checked like any output path all the same."""
    for rel in kept.paths:
        safe_relative_path(rel)
    if not kept.paths <= reusable:
        missing = sorted(kept.paths - reusable)[0]
        raise OutputPathError(f"'{missing}' was to be kept from the previous output, which no longer has it")
    if not seen.isdisjoint(kept.paths):
        raise OutputPathError(f"two outputs want the same path '{sorted(seen & kept.paths)[0]}'")
    seen |= kept.paths
    return kept.paths


def _claim(path: str, seen: set[str]) -> str:
    rel = safe_relative_path(path)
    if rel in seen:  # two pages claiming one URL would silently overwrite each other
        raise OutputPathError(f"two outputs want the same path '{rel}'")
    seen.add(rel)
    return rel


def _remove_file(out_dir: Path, rel: str) -> None:
    """Delete one file and the folders it leaves empty."""
    path = out_dir / rel
    try:
        path.unlink()
    except FileNotFoundError:
        return
    for parent in path.parents:
        if parent == out_dir:
            break
        try:
            parent.rmdir()
        except OSError:  # not empty: a sibling stays
            break


def place_file(folder: Path, output: OutputFile) -> PlacedFile:
    """Write one output into the staging folder `write_site` handed out (from any process)."""
    target = folder / safe_relative_path(output.path)
    target.parent.mkdir(parents=True, exist_ok=True)  # other workers make the same folders
    target.write_bytes(output.data)
    return PlacedFile(output.path)


def _write_all(outputs: Outputs, staging: Path, out_dir: Path, reusable: AbstractSet[str]) -> tuple[int, int]:
    seen: set[str] = set()
    made: set[Path] = {staging}
    rewritten = 0
    for output in outputs:
        if isinstance(output, KeptFiles):
            for rel in sorted(_claim_kept(output, seen, reusable)):
                _link_or_copy(out_dir / rel, _staged_path(staging, rel, made))
            continue
        rel = _claim(output.path, seen)
        if isinstance(output, PlacedFile):
            rewritten += 1
            continue
        target = _staged_path(staging, rel, made)
        if rel in reusable and _same_bytes(out_dir / rel, output.data):
            _link_or_copy(out_dir / rel, target)
        else:
            target.write_bytes(output.data)
            rewritten += 1
    return len(seen), rewritten


def _staged_path(staging: Path, rel: str, made: set[Path]) -> Path:
    target = staging / rel
    if target.parent not in made:
        target.parent.mkdir(parents=True, exist_ok=True)
        made.add(target.parent)
    return target


def _same_bytes(path: Path, data: bytes) -> bool:
    try:
        return os.path.getsize(path) == len(data) and path.read_bytes() == data
    except OSError:
        return False


def _link_or_copy(source: Path, target: Path) -> None:
    try:
        os.link(source, target)
    except OSError:  # a file system without hard links: copy (the bytes are what matters)
        shutil.copyfile(source, target)


def tree_stamps(folder: Path) -> dict[str, Stamp]:
    """Stamps of every file under `folder`, by posix path relative to it (in no set order:
    they are compared, never listed)."""
    stamps: dict[str, Stamp] = {}
    pending = [("", str(folder))]
    while pending:
        prefix, directory = pending.pop()
        with os.scandir(directory) as entries:
            for entry in entries:
                rel = prefix + entry.name
                if entry.is_dir(follow_symlinks=False):
                    pending.append((rel + "/", entry.path))
                else:
                    stamps[rel] = _stamp(entry.stat(follow_symlinks=False))
    return stamps


def readable_tree_stamps(folder: Path) -> dict[str, Stamp] | None:
    """`tree_stamps`, or None when the folder is missing or changed while it was read."""
    try:
        return tree_stamps(folder)
    except OSError:
        return None


def safe_relative_path(path: str) -> str:
    if path and path != "." and not path.startswith("/") and "//" not in path and "\\" not in path and ".." not in path \
            and "/./" not in path and not path.startswith("./") and not path.endswith(("/", "/.")):
        return path  # already what PurePosixPath would give: most outputs, checked without it
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
    discard_tree(old)


def discard_tree(folder: Path) -> None:
    """Delete a replaced output tree without waiting for it.

    Deleting a 1,000-page tree takes most of a second on a disk mounted with
    `discard` (one directory per page), longer than the rest of an incremental
    build; the tree is already out of the way, so a detached `rm` removes it and
    the build returns. Without `rm` (or if it cannot start) it is deleted here.
    """
    remover = shutil.which("rm") if os.name == "posix" else None
    if remover:
        try:
            subprocess.Popen([remover, "-rf", "--", str(folder)], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL, start_new_session=True, close_fds=True)
            return
        except OSError:
            pass
    shutil.rmtree(folder, ignore_errors=True)
