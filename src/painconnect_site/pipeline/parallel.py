"""Ordered parallel map over forked worker processes, for the CPU-bound stages.

Rendering Markdown and templates is pure Python, so threads would not help;
processes do. Workers are forked, so they start in milliseconds and inherit
the loaded site instead of receiving it pickled: only the items (small) go
out and the results come back, in the order of the items, so the output does
not depend on which worker finished first.

This process is one of the workers: once its own work (`meanwhile`) is done it
takes chunks too, from the same counter as the forked ones. A forked worker
inherits the whole heap, and every object it reads (a reference count written)
copies the page holding it, so each worker costs most of the pages it touches:
at 10,000 articles ~200 MiB per template worker. One process fewer saves one
such copy, and on two cores the work is the same.
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

SMALLEST_SHARE = 16  # the smallest chunk is 1/(workers * this) of the items: each chunk costs a little setup
# Set in each worker process only, at its start.
_worker_task: Callable[[Sequence], list] | None = None
_worker_chunks: Sequence[Sequence] = ()
_worker_taken = None  # the shared counter of chunks taken


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
    (before the first chunk without workers), so it overlaps theirs; then this process
    takes the chunks no worker has taken yet.
    """
    chunks = _chunks(items, workers)
    if workers <= 1 or len(chunks) <= 1 or not can_fork():
        if meanwhile is not None:
            meanwhile()
        for chunk in chunks:
            yield task(chunk)
        return
    context = multiprocessing.get_context("fork")
    taken = context.Value("i", 0)  # the next chunk to take, shared by every process
    # What is alive now is frozen first: a collection (here or in a worker) writes the header
    # of every object it scans, copying the pages the processes would otherwise share.
    freeze_survivors()
    # Forked workers receive `task` (a closure over the loaded site), the chunks and the counter
    # as initializer arguments, which fork passes without pickling; only indexes and results travel.
    with context.Pool(workers - 1, initializer=_start_worker, initargs=(task, chunks, taken)) as pool:
        theirs = pool.imap_unordered(_run_next, range(len(chunks)))  # one try per chunk: enough for all
        # Every task is in: each worker exits once its last result is back, while this process
        # may still be at `meanwhile` (the search index, at the end of a cold build), instead
        # of holding its copied pages (~480 MiB at 10,000 articles) until the pool closes.
        pool.close()
        if meanwhile is not None:
            meanwhile()
        done: dict[int, list] = {}
        ready = 0  # chunks before this one are yielded
        while (index := _take(taken)) < len(chunks):
            done[index] = task(chunks[index])
            _collect(theirs, done, wait=False)
            while ready in done:
                yield done.pop(ready)
                ready += 1
        while ready < len(chunks):
            if ready not in done:
                _collect(theirs, done, wait=True)
                continue
            yield done.pop(ready)
            ready += 1


def _take(taken) -> int:
    with taken.get_lock():
        index = taken.value
        taken.value += 1
    return index


def _collect(theirs: Iterator, done: dict[int, list], wait: bool) -> None:
    """Move the workers' finished chunks into `done`: every one finished so far, or (`wait`) at least one."""
    while True:
        try:
            found = theirs.next(timeout=None if wait else 0)  # type: ignore[attr-defined]
        except multiprocessing.TimeoutError:
            return
        except StopIteration:  # every try has come back
            if wait:
                raise RuntimeError("a chunk was taken and never done") from None
            return
        if found is not None:
            done[found[0]] = found[1]
            if wait:
                return


def _start_worker(task: Callable[[Sequence], list], chunks: Sequence[Sequence], taken) -> None:
    global _worker_task, _worker_chunks, _worker_taken
    _worker_task, _worker_chunks, _worker_taken = task, chunks, taken


def _run_next(_: int) -> tuple[int, list] | None:
    """The next chunk nobody has taken, done here: (its index, its results); None when all are taken."""
    assert _worker_task is not None, "worker started without a task"
    index = _take(_worker_taken)
    return (index, _worker_task(_worker_chunks[index])) if index < len(_worker_chunks) else None


def _chunks(items: Sequence[Item], workers: int) -> list[Sequence[Item]]:
    """Consecutive slices, each a share of what is left (none empty): large first, small
    last, so the processes, taking the next one as they come free, finish close together."""
    if workers <= 1:
        return [items] if len(items) else []
    smallest = max(1, -(-len(items) // (workers * SMALLEST_SHARE)))
    chunks, start = [], 0
    while start < len(items):
        size = max(smallest, (len(items) - start) // (2 * workers))
        chunks.append(items[start:start + size])
        start += size
    return chunks
