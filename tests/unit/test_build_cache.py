"""The build cache's memory (`serve` keeps one cache for every rebuild)."""

from __future__ import annotations

from pathlib import Path

from painconnect_site.incremental.cache import BuildCache


def test_a_remembering_cache_answers_from_memory_what_it_loaded_or_stored(tmp_path: Path):
    writer = BuildCache(tmp_path, "fp")
    writer.store("documents", "a", ("parsed", 1))
    writer.flush()
    cache = BuildCache(tmp_path, "fp", remember=True)
    cache.begin()
    loaded = cache.load("documents", "a")
    assert loaded == ("parsed", 1)
    (tmp_path / "documents" / "a").unlink()  # the next build does not read the file again
    cache.begin()
    assert cache.load("documents", "a") is loaded
    assert BuildCache(tmp_path, "fp").load("documents", "a") is None  # an ordinary cache reads the disk


def test_what_a_build_did_not_use_is_forgotten(tmp_path: Path):
    cache = BuildCache(tmp_path, "fp", remember=True)
    cache.begin()
    cache.store("documents", "old", 1)
    cache.flush()
    cache.prune(["documents"])
    cache.begin()  # a build that no longer uses "old"
    cache.store("documents", "new", 2)
    cache.flush()
    cache.prune(["documents"])
    cache.begin()
    assert cache.load("documents", "old") is None  # gone from memory and from disk
    assert cache.load("documents", "new") == 2


def test_remembered_values_live_while_their_key_is_used(tmp_path: Path):
    cache = BuildCache(tmp_path, "fp", remember=True)
    made: list[object] = []

    def make() -> object:
        made.append(object())
        return made[-1]

    cache.begin()
    first = cache.remembered(("templates", 1), make)
    cache.prune([])
    cache.begin()
    assert cache.remembered(("templates", 1), make) is first
    assert cache.remembered(("templates", 2), make) is not first  # a changed key makes a new one
    cache.prune([])
    cache.begin()
    cache.prune([])  # a build that used neither
    cache.begin()
    assert cache.remembered(("templates", 1), make) is not first
    assert len(made) == 3
    plain = BuildCache(tmp_path, "fp")
    assert plain.remembered("k", make) is not plain.remembered("k", make)  # without memory: made each time
