"""`new "Title"`: a complete skeleton that builds, never an overwrite, one-line errors."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from conftest import write_site

from painconnect_site.commands.cli import main
from painconnect_site.core.errors import Diagnostics
from painconnect_site.pipeline import BuildOptions, load_site, run_build, run_check
from painconnect_site.commands.new import article_slug, new_article

TODAY = dt.date(2026, 6, 1)

SITE_YAML = """\
title: Scaffold Test
base_url: https://scaffold.example/
description: A tiny site for the scaffold tests.
organization:
  name: Scaffold Test
  url: https://scaffold.example/
{default_author}people:
  team:
    name: Scaffold Test Editorial Team
    kind: organization
  jane:
    name: Jane Smith
    credentials: MD
"""


def make_site(root: Path, default_author: str | None = "jane") -> Path:
    line = f"default_author: {default_author}\n" if default_author else ""
    return write_site(root, {"content/site.yaml": SITE_YAML.format(default_author=line)}, base={})


def test_new_article_builds_and_has_every_field(tmp_path, capsys):
    site = make_site(tmp_path / "site")
    assert new_article(site, "Back pain and sleep: what helps?", today=TODAY) == 0
    assert capsys.readouterr().out == "content/articles/back-pain-and-sleep-what-helps.md\n"

    text = (site / "content/articles/back-pain-and-sleep-what-helps.md").read_text(encoding="utf-8")
    for line in ('title: "Back pain and sleep: what helps?"', "date: 2026-06-01", "reviewed: 2026-06-01",
                 "author: jane", "tags: []", "about: []", "summary: []", "faq: []", "draft: true",
                 "# reviewer:", "# updated:", "# review_due:", "# image:", "# affiliate:", "`[@smith2020]`"):
        assert line in text, line

    result, _ = run_build(BuildOptions(root=site, out_dir=tmp_path / "out", drafts=True))
    assert result.articles == 1
    assert (tmp_path / "out/articles/back-pain-and-sleep-what-helps/index.html").is_file()
    assert run_check(BuildOptions(root=site, drafts=True), today=TODAY).errors == []


def test_titles_with_yaml_syntax_round_trip(tmp_path):
    site = make_site(tmp_path)
    title = 'He said "sit": ça va? #1 [draft] {x} & more'
    assert new_article(site, title, today=TODAY) == 0
    loaded = load_site(BuildOptions(root=site, drafts=True), Diagnostics())
    assert [doc.meta.title for doc in loaded.site.articles] == [title]
    assert (site / "content/articles/he-said-sit-ca-va-1-draft-x-more.md").is_file()


def test_without_default_author_the_first_person_writes(tmp_path):
    site = make_site(tmp_path, default_author=None)
    assert new_article(site, "Walking", today=TODAY) == 0
    assert "author: team\n" in (site / "content/articles/walking.md").read_text(encoding="utf-8")


def test_never_overwrites(tmp_path, capsys):
    site = make_site(tmp_path)
    target = site / "content/articles/walking.md"
    target.parent.mkdir(parents=True)
    target.write_text("my work", encoding="utf-8")
    assert new_article(site, "Walking", today=TODAY) == 1
    assert target.read_text(encoding="utf-8") == "my work"
    assert capsys.readouterr().err == (
        "error: content/articles/walking.md already exists; choose another title or edit that file\n"
    )


@pytest.mark.parametrize("title", ["!!!", "   ", "🙂"])
def test_a_title_without_letters_or_digits_is_a_usage_error(tmp_path, capsys, title):
    site = make_site(tmp_path)
    assert new_article(site, title, today=TODAY) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: the title") and err.count("\n") == 1
    assert not (site / "content/articles").exists()


def test_outside_a_site_folder_is_one_line(tmp_path, capsys):
    assert main(["new", "Walking", "--source", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "content/site.yaml not found" in err and "Traceback" not in err


def test_cli_new_prints_the_path(tmp_path, capsys):
    site = make_site(tmp_path)
    assert main(["new", "Sex and back pain", "--source", str(site)]) == 0
    assert capsys.readouterr().out == "content/articles/sex-and-back-pain.md\n"


@pytest.mark.parametrize("title, slug", [
    ("Café & crème: über-gentle stretches", "cafe-creme-uber-gentle-stretches"),
    ("  10 tips -- for   BACK pain!  ", "10-tips-for-back-pain"),
])
def test_slugs(title, slug):
    assert article_slug(title) == slug
