"""`serve` takes a source the watcher has not reported since it was read as it was (content/sources.py)."""

from __future__ import annotations

import os
from pathlib import Path

from conftest import write_site

from painconnect_site.content.sources import SeenSources, load_sources
from painconnect_site.core.errors import Diagnostics
from painconnect_site.incremental.cache import BuildCache

ARTICLE = "content/articles/touch.md"


def texts(root: Path, cache: BuildCache, seen: SeenSources) -> dict[str, str]:
    return {source.rel: source.text for source in load_sources(root, Diagnostics(), cache, seen).documents}


def edit_unseen(path: Path, text: str) -> None:
    """A save whose notification was lost: new bytes, and a stamp unlike the old one."""
    path.write_text(text, encoding="utf-8")
    stamp = path.stat().st_mtime + 5
    os.utime(path, (stamp, stamp))


def setup(tmp_path: Path, trusted: bool = True) -> tuple[Path, BuildCache, SeenSources]:
    root = write_site(tmp_path / "site")
    cache, seen = BuildCache(tmp_path / "cache", "fp", remember=True), SeenSources(root)
    if trusted:
        seen.trust()
    texts(root, cache, seen)
    return root, cache, seen


def test_an_unreported_file_is_taken_as_read_and_a_reported_one_is_read_again(tmp_path):
    root, cache, seen = setup(tmp_path)
    edit_unseen(root / ARTICLE, "changed")
    assert texts(root, cache, seen)[ARTICLE] != "changed"  # not even stat'ed
    seen.report([str(root / ARTICLE)])
    assert texts(root, cache, seen)[ARTICLE] == "changed"


def test_missed_names_a_file_that_changed_unreported_until_it_is_read(tmp_path):
    root, cache, seen = setup(tmp_path)
    assert seen.missed() == []
    edit_unseen(root / ARTICLE, "changed")
    assert seen.missed() == [str(root / ARTICLE)]
    seen.report(seen.missed())
    assert seen.missed() == []  # reported: the next build reads it
    assert texts(root, cache, seen)[ARTICLE] == "changed"
    assert seen.missed() == []


def test_new_and_removed_files_are_seen_without_a_report(tmp_path):
    root, cache, seen = setup(tmp_path)
    write_site(root, {"content/articles/new.md": "new"}, base={})
    (root / "content/pages/about.md").unlink()
    found = texts(root, cache, seen)
    assert found["content/articles/new.md"] == "new" and "content/pages/about.md" not in found
    assert seen.missed() == []  # the removed file is no longer one the build read


def test_nothing_is_taken_unseen_before_the_watcher_watches(tmp_path):
    root, cache, seen = setup(tmp_path, trusted=False)
    edit_unseen(root / ARTICLE, "changed")
    assert seen.missed() == []  # every build stats every file: nothing to miss
    assert texts(root, cache, seen)[ARTICLE] == "changed"


def test_a_report_outside_the_site_trusts_nothing_read_so_far(tmp_path):
    root, cache, seen = setup(tmp_path)
    edit_unseen(root / ARTICLE, "changed")
    seen.report([str(tmp_path / "elsewhere" / "touch.md")])
    assert texts(root, cache, seen)[ARTICLE] == "changed"
