"""Stage 1 reads every source with one line ending, whatever the editor saved (content/sources.py)."""

from __future__ import annotations

from conftest import write_site

from painconnect_site.content.sources import load_sources
from painconnect_site.core.errors import Diagnostics

ARTICLE = "content/articles/touch.md"


def test_line_endings_and_a_byte_order_mark_are_normalised(tmp_path):
    root = write_site(tmp_path / "site")
    original = (root / ARTICLE).read_text(encoding="utf-8")
    assert "\r" not in original
    for saved in (original, original.replace("\n", "\r\n"), original.replace("\n", "\r"),
                  "\ufeff" + original.replace("\n", "\r\n")):
        (root / ARTICLE).write_bytes(saved.encode("utf-8"))
        sources = {source.rel: source.text for source in load_sources(root, Diagnostics()).documents}
        assert sources[ARTICLE] == original
