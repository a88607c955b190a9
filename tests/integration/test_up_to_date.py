"""A repeat `build` stops before the stages when its inputs and output carry the recorded stamps
(pipeline/up_to_date.py), and builds in full after any change that could alter the output."""

from __future__ import annotations

import os
import time

import pytest

from painconnect_site import pipeline
from painconnect_site.commands.cli import main
from painconnect_site.pipeline import up_to_date
from conftest import build_site

UP_TO_DATE = "(nothing changed since the last build)"


def files(folder):
    return {path.relative_to(folder).as_posix(): path.read_bytes() for path in folder.rglob("*") if path.is_file()}


@pytest.fixture
def settled(monkeypatch):
    """Files written by the test count as settled (however fast it runs, on whatever clock
    granularity): the snapshot trusts every stamp."""
    monkeypatch.setattr(up_to_date, "file_system_now", lambda folder: time.time_ns() + 10**15)


def build(site, *args: str) -> bool:
    """One `build` through the CLI; True when it stopped early (nothing changed)."""
    import contextlib
    import io

    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert main(["build", "--source", str(site), *args]) == 0
    return out.getvalue().rstrip().endswith(UP_TO_DATE)


def test_a_repeat_build_runs_no_stage(make_site, settled, monkeypatch):
    site = make_site()
    assert not build(site)
    before = files(site / "_site")

    def no_stages(*args, **kwargs):
        raise AssertionError("the stages ran for an unchanged site")

    monkeypatch.setattr(pipeline, "run_build", no_stages)
    assert build(site)
    assert files(site / "_site") == before


def test_the_previous_builds_warnings_are_printed_again(make_site, settled, style_fails_for_lee, capsys):
    site = make_site()
    assert not build(site)
    first = capsys.readouterr().err
    assert "warning: the citation style could not format 'lee2019'" in first
    assert build(site)
    assert capsys.readouterr().err == first


def _edit_keeping_size_and_mtime(path):
    """A change no size or modification time shows (one letter swapped, the old mtime restored)."""
    stat = path.stat()
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("lower pain", "lower PAIN", 1), encoding="utf-8")
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert path.stat().st_size == stat.st_size and path.stat().st_mtime_ns == stat.st_mtime_ns


CHANGES = {
    "same size and mtime": lambda site: _edit_keeping_size_and_mtime(site / "content/articles/touch.md"),
    "new article": lambda site: (site / "content/articles/new.md").write_text(
        (site / "content/articles/touch.md").read_text(encoding="utf-8").replace('title: "', 'title: "New ', 1)
        .replace("slug: touch\n", ""), encoding="utf-8"),
    "page removed": lambda site: (site / "content/pages/about.md").unlink(),
    "bibliography": lambda site: (site / "references.bib").write_text(
        (site / "references.bib").read_text(encoding="utf-8").replace("Journal of Pain", "Pain Journal"),
        encoding="utf-8"),
    "site template": lambda site: (site / "templates").mkdir() or (site / "templates/footer_extra.html").write_text(
        "<p>extra</p>", encoding="utf-8"),
    "static file": lambda site: (site / "static/robots-extra.txt").write_text("x", encoding="utf-8"),
    "reference lock": lambda site: (site / "references.lock.json").write_text('{"format": 1, "entries": {}}',
                                                                           encoding="utf-8"),
    "output page deleted": lambda site: (site / "_site/index.html").unlink(),
    "output page edited": lambda site: (site / "_site/index.html").write_text("stale", encoding="utf-8"),
}


@pytest.mark.parametrize("change", list(CHANGES))
def test_any_change_builds_in_full(make_site, settled, change, tmp_path):
    site = make_site()
    assert not build(site)
    assert build(site)
    CHANGES[change](site)
    assert not build(site)
    assert files(site / "_site") == files(build_site(site, tmp_path / "clean", "--no-cache"))


@pytest.mark.parametrize("args, env", [(("--drafts",), {}), (("--base-url", "https://other.example/"), {}),
                                       ((), {"SOURCE_DATE_EPOCH": "1893456000"})])
def test_another_request_builds_in_full(make_site, settled, monkeypatch, args, env):
    site = make_site()
    assert not build(site)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    assert not build(site, *args)
    assert build(site, *args)


def test_no_cache_always_builds(make_site, settled):
    site = make_site()
    assert not build(site)
    assert not build(site, "--no-cache")


def test_inputs_stamped_in_the_snapshots_tick_are_not_trusted(make_site, monkeypatch):
    # A write in the same clock tick as the snapshot could leave the same stamps: the build
    # after one whose inputs were that fresh runs in full (and records again).
    site = make_site()
    monkeypatch.setattr(up_to_date, "file_system_now", lambda folder: 0)  # every file as fresh as that
    assert not build(site)
    assert not build(site)


def test_the_file_systems_clock_is_read_from_a_marker_write(tmp_path):
    clock = up_to_date.file_system_now(tmp_path / ".cache")
    path = tmp_path / "written-after.md"
    path.write_text("x", encoding="utf-8")
    assert path.stat().st_mtime_ns >= clock  # a write after it is never stamped before it
    assert (tmp_path / ".cache" / up_to_date.CLOCK).is_file()
    read_only = tmp_path / "file"
    read_only.write_text("", encoding="utf-8")
    clock = up_to_date.file_system_now(read_only / "cache")  # cannot be written: the clock less a margin
    assert clock <= time.time_ns() - up_to_date.RACY_NS


def test_the_stamps_cover_every_input_folder_and_the_package(make_site):
    site = make_site({"templates/base_extra.html": "x", "references.lock.json": "{}"})
    options = pipeline.BuildOptions(site)
    stamped = set(up_to_date.take_snapshot(options).stamps)
    for rel in ("content/site.yaml", "content/articles/touch.md", "static/images/logo.png",
                "templates/base_extra.html", "references.bib", "references.lock.json"):
        assert str(site / rel) in stamped
    assert str(up_to_date.PACKAGE_DIR / "render/theme/templates/article.html") in stamped
    assert not any("__pycache__" in path for path in stamped)
