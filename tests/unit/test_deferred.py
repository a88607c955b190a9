"""core.model.Deferred: a value made on first use (a document's rendering, read when shown)."""

import pickle

from painconnect_site.core.model import Deferred


def test_made_once_on_first_use_and_never_before():
    made = []
    value = Deferred(lambda: made.append(1) or "rendered")
    assert made == []
    assert value.get() == "rendered" and value.get() == "rendered"
    assert made == [1]


def test_compares_hashes_and_pickles_as_its_value():
    late, done = Deferred(lambda: ("a", 1)), Deferred.of(("a", 1))
    assert late == done and hash(late) == hash(done)
    assert late != Deferred.of(("b", 2))
    assert pickle.loads(pickle.dumps(late)).get() == ("a", 1)
