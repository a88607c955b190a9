"""write/tree.py `update_site`: patching an output folder in place."""

from __future__ import annotations

import pytest

from painconnect_site.core.model import OutputFile
from painconnect_site.write.tree import KeptFile, OutputPathError, tree_stamps, update_site


@pytest.fixture
def folder(tmp_path):
    out = tmp_path / "out"
    for rel, text in {"a/index.html": "a", "b/index.html": "b", "c.txt": "c", "gone.txt": "x"}.items():
        (out / rel).parent.mkdir(parents=True, exist_ok=True)
        (out / rel).write_text(text, encoding="utf-8")
    return out


def test_kept_files_stay_written_ones_change_and_the_rest_go(folder):
    present = tree_stamps(folder)
    written = update_site([OutputFile("b/index.html", b"new b"), KeptFile("c.txt"), OutputFile("d.txt", b"d")],
                          folder, present, frozenset(present), kept=frozenset({"a/index.html"}))
    assert {p.relative_to(folder).as_posix(): p.read_text() for p in folder.rglob("*") if p.is_file()} == {
        "a/index.html": "a", "b/index.html": "new b", "c.txt": "c", "d.txt": "d"}
    assert written.stamps == tree_stamps(folder)
    assert (written.files, written.rewritten) == (4, 2)


def test_a_file_to_keep_that_was_changed_is_refused_and_nothing_moves(folder):
    present = tree_stamps(folder)
    (folder / "a/index.html").write_text("edited by hand", encoding="utf-8")
    reusable = frozenset(path for path in present if path != "a/index.html")
    with pytest.raises(OutputPathError, match="a/index.html"):
        update_site([OutputFile("b/index.html", b"new b")], folder, present, reusable,
                    kept=frozenset({"a/index.html"}))
    assert (folder / "b/index.html").read_text() == "b" and (folder / "gone.txt").exists()


def test_an_output_claiming_a_kept_path_is_refused(folder):
    present = tree_stamps(folder)
    with pytest.raises(OutputPathError, match="same path 'a/index.html'"):
        update_site([OutputFile("a/index.html", b"again")], folder, present, frozenset(present),
                    kept=frozenset({"a/index.html"}))
