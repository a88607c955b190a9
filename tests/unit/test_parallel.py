"""pipeline/parallel.py: chunks, their order, and how many processes share them."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from painconnect_site.pipeline import parallel
from painconnect_site.pipeline.parallel import _chunks, map_in_order


@pytest.mark.parametrize("count", [1, 5, 60, 10_000, 11_228])
def test_chunks_cover_the_items_in_order_and_shrink(count):
    items = list(range(count))
    chunks = _chunks(items, 2)
    assert [item for chunk in chunks for item in chunk] == items
    assert all(chunks)
    sizes = [len(chunk) for chunk in chunks]
    assert sizes == sorted(sizes, reverse=True)  # large first, small last
    # None smaller than the floor, but the remainder at the end.
    assert min(sizes[:-1] or sizes) >= -(-count // (2 * parallel.SMALLEST_SHARE))


def test_one_worker_is_one_chunk():
    assert _chunks(list(range(7)), 1) == [list(range(7))]
    assert _chunks([], 2) == []


def _with_pid(chunk):
    return [(os.getpid(), item) for item in chunk]


@pytest.mark.skipif(not parallel.can_fork(), reason="needs fork")
def test_results_come_in_order_and_this_process_is_one_of_the_workers():
    ran = []
    found = [result for part in map_in_order(_with_pid, range(500), 2, meanwhile=lambda: ran.append(True))
             for result in part]
    assert [item for _, item in found] == list(range(500))
    assert ran == [True]
    # Two workers: this process and one forked one, never more.
    assert len({pid for pid, _ in found} - {os.getpid()}) <= 1


# In a fresh interpreter: a thread another test left running makes map_in_order stay in process.
_WORKER_EXIT = """
import multiprocessing, os, time
from painconnect_site.pipeline.parallel import map_in_order
exited = []
def meanwhile():
    deadline = time.monotonic() + 20
    while multiprocessing.active_children() and time.monotonic() < deadline:
        time.sleep(0.02)
    exited.append(not multiprocessing.active_children())
found = [r for part in map_in_order(lambda chunk: [(os.getpid(), i) for i in chunk], range(500), 2, meanwhile)
         for r in part]
assert [i for _, i in found] == list(range(500))
print(exited == [True], {pid for pid, _ in found} != {os.getpid()})
"""


@pytest.mark.skipif(not parallel.can_fork(), reason="needs fork")
def test_a_forked_worker_exits_when_no_chunk_is_left_not_when_this_process_is_done():
    """The main process's own work (`meanwhile`) may be long (the search index at the end
    of a cold build): the worker, having done every chunk, must not wait for it."""
    done = subprocess.run([sys.executable, "-c", _WORKER_EXIT], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    # It exited while this process waited, and it was the one doing the chunks.
    assert done.stdout.split() == ["True", "True"]
