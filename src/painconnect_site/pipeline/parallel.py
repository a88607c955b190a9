"""Ordered parallel map over forked worker processes, for the CPU-bound stages.

Rendering Markdown and templates is pure Python, so threads would not help;
processes do. Workers are forked, so they start in milliseconds and inherit
the loaded site instead of receiving it pickled: only the items (small) go
out and the results come back, in the order of the items, so the output does
not depend on which worker finished first.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
from typing import Callable, Iterator, Sequence, TypeVar

from ..incremental.collector import freeze_survivors

Item = TypeVar("Item")
Result = TypeVar("Result")

MIN_ITEMS_PER_WORKER = 24  # below this, starting workers costs more than it saves

_worker_task: Callable[[Sequence], list] | None = None  # set in each worker process only, at its start


def available_cpus() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def worker_count(items: int, requested: int | None = None) -> int:
    """Processes to use for `items` units of work: 1 (no pool) for small jobs.

    `requested` (BuildOptions.workers) forces a count, so tests can run the pool on a small site.
    """
    if requested is not None:
        return max(1, min(requested, items))
    cpus = available_cpus()
    if cpus < 2 or items < 2 * MIN_ITEMS_PER_WORKER:
        return 1
    return min(cpus, items // MIN_ITEMS_PER_WORKER)


def can_fork() -> bool:
    # Forking a process that runs other threads can deadlock the child on a lock one of
    # them held; builds with other threads running stay sequential (serve watches files
    # from a process of its own for this reason: commands/serve/feed.py).
    return "fork" in multiprocessing.get_all_start_methods() and threading.active_count() == 1


def map_in_order(task: Callable[[Sequence[Item]], list[Result]], items: Sequence[Item],
                 workers: int, meanwhile: Callable[[], None] | None = None) -> Iterator[list[Result]]:
    """`task` applied to consecutive chunks of `items`, yielding each chunk's results in order.

    With one worker (or where forking is unsafe) the chunks run in this process.
    `meanwhile`: work of this process's own, run once the workers have their chunks
    (before the first chunk without workers), so it overlaps theirs.
    """
    chunks = _chunks(items, workers * 3 if workers > 1 else 1)
    if workers <= 1 or len(chunks) <= 1 or not can_fork():
        if meanwhile is not None:
            meanwhile()
        for chunk in chunks:
            yield task(chunk)
        return
    # Forked workers receive `task` (a closure over the loaded site) as an initializer
    # argument, which fork passes without pickling; only the chunks and results travel.
    # What is alive now is frozen first: a collection (here or in a worker) writes the header
    # of every object it scans, copying the pages the processes would otherwise share.
    freeze_survivors()
    with multiprocessing.get_context("fork").Pool(workers, initializer=_start_worker, initargs=(task,)) as pool:
        results = pool.imap(_run_chunk, chunks)
        if meanwhile is not None:
            meanwhile()
        yield from results


def _start_worker(task: Callable[[Sequence], list]) -> None:
    global _worker_task
    _worker_task = task


def _run_chunk(chunk: Sequence) -> list:
    assert _worker_task is not None, "worker started without a task"
    return _worker_task(chunk)


def _chunks(items: Sequence[Item], count: int) -> list[Sequence[Item]]:
    """`count` consecutive slices of nearly equal size (none empty)."""
    count = max(1, min(count, len(items)))
    size, extra = divmod(len(items), count)
    chunks, start = [], 0
    for index in range(count):
        end = start + size + (1 if index < extra else 0)
        chunks.append(items[start:end])
        start = end
    return [chunk for chunk in chunks if len(chunk)]
