"""Build the static search index with Pagefind, on the staged output tree.

Pagefind reads the finished HTML (only elements marked `data-pagefind-body`,
i.e. articles) and writes a compressed, chunked index plus its default UI into
`pagefind/`: the browser downloads only the fragments a query needs, so search
works on any static host with no server. It runs as `write_site`'s finalize
step, so a failed index leaves the previous site in place.

Pagefind takes seconds on a large site and always reads the whole tree, yet its
bundle is a pure function of the pages it indexes: when a rebuild leaves those
pages byte-identical, the previous bundle is linked instead (`index_folder`'s
`previous`).

`serve` defers the indexing (`BuildOptions.defer_search`): the rebuilt pages go
live with the previous bundle linked in (`link_bundle`), and `reindex_in_place`
then brings the served folder's bundle up to date, swapping it in atomically.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

BUNDLE_DIR = "pagefind"  # Pagefind's default bundle folder; the search page links it
TIMEOUT_SECONDS = 300
INDEXED_MARKER = b"data-pagefind-body"  # once any page has it, Pagefind indexes only those pages


class SearchIndexError(RuntimeError):
    """Pagefind is missing, failed, or did not write its bundle."""


def index_folder(folder: Path, previous: Path | None = None) -> None:
    """Index the built site in `folder` in place; raise `SearchIndexError` on any failure.

    `previous`: an earlier output folder, unmodified since it was built by the Pagefind
    that `indexer_identity()` names now (the caller checks both). When the pages Pagefind
    reads are the same in both, its bundle is linked instead of indexing again.
    """
    if previous is not None and reuse_previous_bundle(folder, previous):
        return
    _run_pagefind(folder, folder / BUNDLE_DIR)


def reindex_in_place(folder: Path) -> None:
    """Index the live site in `folder` again and swap the new bundle in for its `pagefind/`.

    Pagefind reads `folder` and writes into a sibling folder, so the old bundle keeps
    answering searches until the new one, complete, replaces it (two renames); on any
    failure the old bundle stays. The caller makes sure nothing else writes `folder`
    meanwhile. The bundle is the one `index_folder` would write (Pagefind's output does
    not depend on where it goes).
    """
    folder = folder.resolve()
    fresh = Path(tempfile.mkdtemp(prefix=f".{folder.name}.{BUNDLE_DIR}-", dir=folder.parent))
    old = fresh.with_name(fresh.name + ".old")
    try:
        _run_pagefind(folder, fresh / BUNDLE_DIR)
        os.chmod(fresh / BUNDLE_DIR, 0o755)
        live = folder / BUNDLE_DIR
        if live.exists():
            os.replace(live, old)
        os.replace(fresh / BUNDLE_DIR, live)
    finally:
        shutil.rmtree(old, ignore_errors=True)
        shutil.rmtree(fresh, ignore_errors=True)


def link_bundle(previous: Path, folder: Path) -> bool:
    """Link (or copy) `previous`'s bundle into `folder`, as it is; False when it has none."""
    bundle = previous / BUNDLE_DIR
    if not (bundle / "pagefind-ui.js").is_file() or (folder / BUNDLE_DIR).exists():
        return False
    _link_tree(bundle, folder / BUNDLE_DIR)
    return True


def _run_pagefind(site: Path, bundle: Path) -> None:
    """Pagefind over `site`, writing its bundle to `bundle`."""
    command = [str(pagefind_executable()), "--site", str(site), "--output-path", str(bundle), "--silent"]
    try:
        proc = subprocess.run(command, capture_output=True, text=True, timeout=TIMEOUT_SECONDS, env=_quiet_env())
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise SearchIndexError(f"could not run Pagefind: {exc}") from exc
    if proc.returncode != 0:
        detail = (proc.stderr or proc.stdout).strip() or f"exit status {proc.returncode}"
        raise SearchIndexError(f"Pagefind failed to index the site: {detail}")
    if not (bundle / "pagefind-ui.js").is_file():
        raise SearchIndexError(f"Pagefind ran but wrote no {BUNDLE_DIR}/pagefind-ui.js")


def pagefind_executable() -> Path:
    """The binary shipped by the `pagefind[bin]` PyPI package (or PAGEFIND_BINARY_PATH)."""
    try:
        from pagefind.service import get_executable
    except ImportError as exc:
        raise SearchIndexError("Pagefind is not installed: pip install 'pagefind[bin]'") from exc
    executable = get_executable()
    if executable is None or not Path(executable).is_file():
        raise SearchIndexError("the Pagefind binary was not found: pip install 'pagefind[bin]'")
    return Path(executable)


def _quiet_env() -> dict[str, str]:
    # Pagefind reads its options from PAGEFIND_* variables too; keep only the binary override.
    return {k: v for k, v in os.environ.items() if not k.startswith("PAGEFIND_") or k == "PAGEFIND_BINARY_PATH"}


# --- skipping Pagefind when no indexed page changed -------------------------------------


def indexer_identity() -> str:
    """Which Pagefind binary `pagefind_executable()` would run, cheaply (without importing
    its service module): a different binary or version may write a different bundle."""
    override = os.environ.get("PAGEFIND_BINARY_PATH")
    candidates = [override] if override else []
    for package in ("pagefind_bin_extended", "pagefind_bin"):  # get_executable()'s order
        spec = importlib.util.find_spec(package)
        candidates.append(spec.origin if spec else None)
    candidates += [shutil.which("pagefind_extended"), shutil.which("pagefind")]
    parts = []
    for path in candidates:
        stat = os.stat(path) if path and os.path.isfile(path) else None
        # Reinstalling or upgrading a package rewrites its files, so the stamp changes too.
        parts.append(f"{path} {stat.st_size} {stat.st_mtime_ns}" if stat else f"{path} -")
    return "; ".join(parts)


def reuse_previous_bundle(folder: Path, previous: Path) -> bool:
    """Link `previous`'s bundle into `folder` if Pagefind would write the same one; else False."""
    bundle = previous / BUNDLE_DIR
    if not (bundle / "pagefind-ui.js").is_file() or (folder / BUNDLE_DIR).exists():
        return False
    if not same_indexed_pages(_html_pages(folder), _html_pages(previous)):
        return False
    try:
        _link_tree(bundle, folder / BUNDLE_DIR)
    except OSError:
        shutil.rmtree(folder / BUNDLE_DIR, ignore_errors=True)
        return False
    return True


def same_indexed_pages(new: dict[str, Path], old: dict[str, Path]) -> bool:
    """Would Pagefind index the same content from both trees?

    Pages that are the same file (hard-linked by the writer) or byte-identical count as
    unchanged. Any other page matters unless neither version carries the indexed marker
    and some page does (then Pagefind ignores unmarked pages).
    """
    unchanged: list[Path] = []
    changed_unmarked = False
    for rel in new.keys() | old.keys():
        new_page, old_page = new.get(rel), old.get(rel)
        if new_page is not None and old_page is not None and _same_file(new_page, old_page):
            unchanged.append(new_page)
            continue
        for page in (new_page, old_page):
            if page is not None and INDEXED_MARKER in page.read_bytes():
                return False  # an indexed page was added, removed or edited
        changed_unmarked = True
    if not changed_unmarked:
        return True
    return any(INDEXED_MARKER in page.read_bytes() for page in unchanged)


def _same_file(a: Path, b: Path) -> bool:
    stat_a, stat_b = os.stat(a), os.stat(b)
    if (stat_a.st_dev, stat_a.st_ino) == (stat_b.st_dev, stat_b.st_ino):
        return True
    return stat_a.st_size == stat_b.st_size and a.read_bytes() == b.read_bytes()


def _html_pages(folder: Path) -> dict[str, Path]:
    """Every file Pagefind's default glob (**/*.html) reads, outside its own bundle."""
    pages: dict[str, Path] = {}
    pending = [("", folder)]
    while pending:
        prefix, directory = pending.pop()
        with os.scandir(directory) as entries:
            for entry in entries:
                rel = prefix + entry.name
                if entry.is_dir():
                    if rel != BUNDLE_DIR:
                        pending.append((rel + "/", Path(entry.path)))
                elif entry.name.endswith(".html"):
                    pages[rel] = Path(entry.path)
    return pages


def _link_tree(source: Path, target: Path) -> None:
    for folder, _, files in os.walk(source):
        destination = target / Path(folder).relative_to(source)
        destination.mkdir(parents=True, exist_ok=True)
        for name in files:
            try:
                os.link(os.path.join(folder, name), destination / name)
            except OSError:
                shutil.copyfile(os.path.join(folder, name), destination / name)
