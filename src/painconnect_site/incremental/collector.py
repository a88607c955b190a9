"""The cycle collector during a build.

A build makes hundreds of thousands of long-lived objects and little cyclic garbage.
With the default thresholds the collector rescans the growing heap again and again
(40% of a cached build's time), so during a build it runs rarely (`few_collections`).
Even so, each young-generation pass over freshly unpickled cache records costs
~50 ms at 10,000 articles (it reads the header of every object they point to, all
over a heap of most of a gigabyte) and finds nothing: records are acyclic data. So
records are loaded with the collector paused, and what is alive then is frozen
(`gc.freeze`: kept out of every later pass) until the build ends.
"""

from __future__ import annotations

import gc
from contextlib import contextmanager
from typing import Iterator

_builds = 0  # builds running in this process (nested: a test may run one inside another)
_thresholds: tuple[int, ...] = ()  # the collector's thresholds before the outermost build began


@contextmanager
def few_collections() -> Iterator[None]:
    """The collector runs rarely while any of these is open. They may close in any order
    (`serve` keeps one open past its rebuild: see `commands/serve/watch.py`): the first to
    open saves the thresholds and the last to close restores them, so the young objects of
    the build are collected soon after that, at the next allocation (5-12 ms at 1,000
    articles, the whole young generation of the build)."""
    global _builds, _thresholds
    if _builds == 0:
        _thresholds = gc.get_threshold()
        gc.set_threshold(100_000, 50, 100)
    _builds += 1
    try:
        yield
    finally:
        _builds -= 1
        if _builds == 0:
            gc.unfreeze()  # back into the oldest generation: collectable again once garbage
            gc.set_threshold(*_thresholds)


@contextmanager
def loading_acyclic_data() -> Iterator[None]:
    """Around code that only makes acyclic, long-lived objects (unpickling a cache record):
    no collections while it runs, and what is alive afterwards frozen for the rest of the
    build. Outside a build (`few_collections`), nothing changes."""
    if _builds == 0 or not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        gc.enable()


def freeze_survivors() -> None:
    """Keep everything alive now out of the collector's later passes until the build ends:
    after the documents are loaded (a cold build receives them from the workers), the
    next pass over them alone took ~0.5 s at 10,000 articles. Outside a build, nothing."""
    if _builds and gc.isenabled():
        gc.freeze()
