"""write/tree.py: patching an output folder in place (`update_site`) and assembling a new one
(`write_site`), with kept files taken as one set."""

from __future__ import annotations

import pytest

from painconnect_site.core.model import OutputFile
from painconnect_site.write.tree import KeptFiles, OutputPathError, tree_stamps, update_site, write_site


@pytest.fixture
def folder(tmp_path):
    out = tmp_path / "out"
    for rel, text in {"a/index.html": "a", "b/index.html": "b", "c.txt": "c", "gone.txt": "x"}.items():
        (out / rel).parent.mkdir(parents=True, exist_ok=True)
        (out / rel).write_text(text, encoding="utf-8")
    return out


def test_kept_files_stay_written_ones_change_and_the_rest_go(folder):
    present = tree_stamps(folder)
    written = update_site([KeptFiles(frozenset({"a/index.html"})), OutputFile("b/index.html", b"new b"),
                           KeptFiles(frozenset({"c.txt"})), OutputFile("d.txt", b"d")],
                          folder, present, frozenset(present))
    assert {p.relative_to(folder).as_posix(): p.read_text() for p in folder.rglob("*") if p.is_file()} == {
        "a/index.html": "a", "b/index.html": "new b", "c.txt": "c", "d.txt": "d"}
    assert written.stamps == tree_stamps(folder)
    assert (written.files, written.rewritten) == (4, 2)


def test_a_file_to_keep_that_was_changed_is_refused_and_nothing_moves(folder):
    present = tree_stamps(folder)
    (folder / "a/index.html").write_text("edited by hand", encoding="utf-8")
    reusable = frozenset(path for path in present if path != "a/index.html")
    with pytest.raises(OutputPathError, match="a/index.html"):
        update_site([OutputFile("b/index.html", b"new b"), KeptFiles(frozenset({"a/index.html"}))], folder, present,
                    reusable)
    assert (folder / "b/index.html").read_text() == "b" and (folder / "gone.txt").exists()


def test_an_output_claiming_a_kept_path_is_refused(folder):
    present = tree_stamps(folder)
    with pytest.raises(OutputPathError, match="same path 'a/index.html'"):
        update_site([KeptFiles(frozenset({"a/index.html"})), OutputFile("a/index.html", b"again")], folder, present,
                    frozenset(present))


def test_a_new_tree_links_the_kept_files_and_writes_the_rest(folder):
    present = tree_stamps(folder)
    kept_inode = (folder / "a/index.html").stat().st_ino
    written = write_site([KeptFiles(frozenset({"a/index.html", "c.txt"})), OutputFile("b/index.html", b"new b")],
                         folder, reusable=frozenset(present))
    assert {p.relative_to(folder).as_posix(): p.read_text() for p in folder.rglob("*") if p.is_file()} == {
        "a/index.html": "a", "b/index.html": "new b", "c.txt": "c"}
    assert (folder / "a/index.html").stat().st_ino == kept_inode  # linked, not written again
    assert (written.files, written.rewritten) == (3, 1)


def test_an_output_claiming_a_path_kept_later_is_refused(folder):
    present = tree_stamps(folder)
    with pytest.raises(OutputPathError, match="same path 'c.txt'"):
        update_site([OutputFile("c.txt", b"again"), KeptFiles(frozenset({"c.txt"}))], folder, present,
                    frozenset(present))


def test_a_kept_path_from_a_tampered_record_cannot_leave_the_folder(folder):
    present = {**tree_stamps(folder), "../outside.txt": (1, 1, 1)}
    with pytest.raises(OutputPathError, match="escapes the output folder"):
        write_site([KeptFiles(frozenset({"../outside.txt"}))], folder, reusable=frozenset(present))
    assert (folder / "a/index.html").read_text() == "a"  # the old output stays
