"""The build's cycle-collector policy (incremental/collector.py)."""

import gc
import weakref

from painconnect_site.incremental.collector import few_collections, freeze_survivors, loading_acyclic_data


def test_outside_a_build_loading_changes_nothing():
    before = gc.get_freeze_count()
    with loading_acyclic_data():
        assert gc.isenabled()
        data = [(i, str(i)) for i in range(1000)]
    assert gc.get_freeze_count() == before and gc.isenabled()
    assert len(data) == 1000


def test_a_build_freezes_loaded_records_and_releases_them_when_it_ends():
    threshold = gc.get_threshold()
    with few_collections():
        assert gc.get_threshold() != threshold
        with loading_acyclic_data():
            assert not gc.isenabled()  # no pass over half-loaded records
            records = [(i, str(i), (i,)) for i in range(1000)]
        assert gc.isenabled()
        assert gc.get_freeze_count() >= len(records)  # kept out of every later pass
        with few_collections():  # a build inside a build (tests) ...
            pass
        assert gc.get_freeze_count() >= len(records)  # ... leaves the outer one's frozen
    assert gc.get_freeze_count() == 0  # collectable again
    assert gc.get_threshold() == threshold


def test_cyclic_garbage_made_during_a_build_is_collected_after_it():
    class Node:
        pass

    with few_collections():
        with loading_acyclic_data():
            node = Node()
            node.self = node  # a cycle: wrong in a record, but must not leak for good
    alive = weakref.ref(node)
    del node
    gc.collect()
    assert alive() is None


def test_survivors_are_frozen_only_inside_a_build():
    freeze_survivors()
    assert gc.get_freeze_count() == 0
    with few_collections():
        kept = [(i,) for i in range(100)]
        freeze_survivors()
        assert gc.get_freeze_count() >= len(kept)
    assert gc.get_freeze_count() == 0


def test_windows_may_close_in_any_order():
    # `serve` keeps one open from a rebuild until after the reload; the next save's rebuild
    # may open another before it closes.
    from contextlib import ExitStack

    threshold = gc.get_threshold()
    first, second = ExitStack(), ExitStack()
    first.enter_context(few_collections())
    raised = gc.get_threshold()
    second.enter_context(few_collections())
    first.close()
    assert gc.get_threshold() == raised  # the second is still open
    second.close()
    assert gc.get_threshold() == threshold and gc.get_freeze_count() == 0
