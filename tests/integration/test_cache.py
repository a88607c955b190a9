"""The build cache and incremental output: a cached build is byte-identical to a clean one.

For every kind of change, the site is built (filling the cache), changed, built again
with the cache, and compared file by file with a `--no-cache` build of the same input.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import BIB, SITE_YAML, build_site, write_site
from test_errors import tree_digest

from painconnect_site.incremental import cache as build_cache
from painconnect_site.commands.cli import main
from painconnect_site.search import index as search_index

SLEEP = """\
---
title: "Sleep and chronic pain"
description: "How poor sleep and chronic pain feed each other, and what helps to break the cycle."
date: 2026-02-10
reviewed: 2026-02-20
author: team
tags: [chronic-pain, sleep]
summary:
  - "Sleep and pain are linked [@khan2021]."
---

## The cycle

Poor sleep lowers pain thresholds [@khan2021].

Read about [touch](/articles/touch/) too.
"""

SUPPORT = """\
---
title: "Support groups"
description: "What a support group offers people living with chronic pain, and how to find one."
date: 2026-03-01
reviewed: 2026-03-05
author: jane
tags: [chronic-pain, social-support]
---

## Why groups help

Support is linked with less pain [@lee2019].
"""

BACK = """\
---
title: "Back pain basics"
description: "The common causes of back pain, when to see a clinician and what usually helps."
date: 2026-01-20
reviewed: 2026-01-25
author: team
tags: [back-pain]
---

## Causes

Most back pain is not serious [@smith2020].
"""

SITE = {
    "content/articles/sleep.md": SLEEP,
    "content/articles/support.md": SUPPORT,
    "content/articles/back.md": BACK,
}


def assert_cached_equals_clean(site: Path, tmp_path: Path) -> None:
    """Build with the cache into the warm output, then without it into a fresh one."""
    build_site(site, tmp_path / "cached")
    build_site(site, tmp_path / "clean", "--no-cache")
    assert (tmp_path / "clean/search-index/meta.json").is_file()  # the search index is compared too
    assert tree_digest(tmp_path / "cached") == tree_digest(tmp_path / "clean")


@pytest.fixture
def warm_site(tmp_path: Path) -> Path:
    """A small site built once with the cache, so the next build can reuse everything."""
    site = write_site(tmp_path / "site", SITE)
    build_site(site, tmp_path / "cached")
    assert (site / build_cache.DIR_NAME).is_dir()
    return site


def edit(site: Path, rel: str, old: str, new: str) -> None:
    path = site / rel
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {rel}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


CHANGES = {
    "article-edit": lambda site: edit(site, "content/articles/sleep.md", "Poor sleep", "Short, poor sleep"),
    "new-article": lambda site: write_site(site, {"content/articles/new.md": SUPPORT.replace(
        '"Support groups"', '"Peer support online"').replace("2026-03-01", "2026-03-02")}),
    "deleted-article": lambda site: (site / "content/articles/back.md").unlink(),
    "tag-change": lambda site: edit(site, "content/articles/back.md", "[back-pain]", "[back-pain, chronic-pain]"),
    "title-change": lambda site: edit(site, "content/articles/support.md", '"Support groups"', '"Peer support groups"'),
    "bib-entry-edit": lambda site: edit(site, "references.bib", "Sleep and chronic pain", "Sleep, mood and chronic pain"),
    "template-edit": lambda site: write_site(site, {"templates/page.html": (
        "{% extends 'base.html' %}{% block content %}<h1>{{ doc.meta.title }}</h1>{{ body_html }}"
        "<p>Edited template</p>{% endblock %}\n")}),
    "static-css-edit": lambda site: write_site(site, {"static/css/site.css": "body { color: #123; }\n"}),
    "site-yaml-edit": lambda site: edit(site, "content/site.yaml", "name: Jane Smith", "name: Jane Smith-Jones"),
    "draft-toggle": lambda site: edit(site, "content/articles/back.md", "author: team\n", "author: team\ndraft: true\n"),
    "summary-edit": lambda site: edit(site, "content/articles/touch.md", "Touch may help", "Touch can help"),
    "image-added": lambda site: write_site(site, {"static/images/extra.png": (site / "static/images/logo.png").read_bytes()}),
    # issue 14: redirects, pagination, people
    "alias-added": lambda site: edit(site, "content/articles/support.md", "author: jane\n",
                                     "author: jane\naliases: [/articles/groups/, /support.html]\n"),
    "slug-renamed-with-alias": lambda site: edit(site, "content/articles/back.md", "author: team\n",
                                                 "author: team\nslug: back-pain\naliases: [/articles/back/]\n"),
    "page-size-change": lambda site: edit(site, "content/site.yaml", "default_author: team\n",
                                          "default_author: team\npage_size: 1\nfeed_size: 2\n"),
    "person-added": lambda site: write_site(site, {"content/site.yaml": SITE_YAML + "  omar:\n    name: Omar Reyes\n"},
                                            base={}),
    "person-bio-edit": lambda site: edit(site, "content/site.yaml", "role: Physiotherapist\n",
                                         "role: Physiotherapist\n    bio: Jane treats back pain.\n"),
    "reviewer-added": lambda site: edit(site, "content/articles/back.md", "author: team\n", "author: team\nreviewer: jane\n"),
    "author-change": lambda site: edit(site, "content/articles/sleep.md", "author: team\n", "author: jane\n"),
}


@pytest.mark.parametrize("change", sorted(CHANGES))
def test_cached_build_after_a_change_equals_a_clean_build(change, warm_site, tmp_path):
    CHANGES[change](warm_site)
    assert_cached_equals_clean(warm_site, tmp_path)


def test_a_remembering_cache_rebuilds_after_every_change_as_a_clean_build(tmp_path):
    """`serve` keeps one cache in memory across rebuilds: every kind of change, one after
    another through the same cache, must still give what a clean build gives."""
    from painconnect_site.pipeline import BuildOptions, open_cache, run_build

    site = write_site(tmp_path / "site", SITE)
    options = BuildOptions(site, tmp_path / "served", private_output=True)  # as serve builds
    cache = open_cache(options, remember=True)
    run_build(options, cache)
    clean = tmp_path / "clean"

    def assert_like_clean(after: str) -> None:
        run_build(options, cache)
        shutil.rmtree(clean, ignore_errors=True)
        run_build(BuildOptions(site, clean, use_cache=False))
        assert tree_digest(tmp_path / "served") == tree_digest(clean), f"after {after}"

    for change in sorted(CHANGES):
        CHANGES[change](site)
        assert_like_clean(change)
        for name in ("content", "templates", "static", "references.bib"):  # back to the original site
            path = site / name
            shutil.rmtree(path) if path.is_dir() else path.unlink(missing_ok=True)
        write_site(site, SITE)
        assert_like_clean(f"undoing {change}")


def test_rebuilds_told_only_the_changed_paths_equal_clean_builds(tmp_path):
    """`serve` takes a source its watcher did not report as it was (content/sources.py
    SeenSources): told exactly the paths each change touched, as the watcher tells it,
    every kind of change still gives what a clean build gives."""
    from painconnect_site.content.sources import SeenSources
    from painconnect_site.pipeline import BuildOptions, open_cache, run_build

    def stamps() -> dict[str, tuple[int, int, int]]:
        return {str(path): (s.st_size, s.st_mtime_ns, s.st_ino) for path in site.rglob("*")
                if path.is_file() and (s := path.stat())}

    site = write_site(tmp_path / "site", SITE)
    options = BuildOptions(site, tmp_path / "served", private_output=True)
    cache, seen = open_cache(options, remember=True), SeenSources(site)
    seen.trust()
    run_build(options, cache, seen=seen)
    clean = tmp_path / "clean"

    def rebuild_told(make_change, after: str) -> None:
        before = stamps()
        make_change()
        now = stamps()
        seen.report(sorted(path for path in before.keys() | now.keys() if before.get(path) != now.get(path)))
        run_build(options, cache, seen=seen)
        shutil.rmtree(clean, ignore_errors=True)
        run_build(BuildOptions(site, clean, use_cache=False))
        assert tree_digest(tmp_path / "served") == tree_digest(clean), f"after {after}"
        assert seen.missed() == [], after

    def undo() -> None:
        for name in ("content", "templates", "static", "references.bib"):
            path = site / name
            shutil.rmtree(path) if path.is_dir() else path.unlink(missing_ok=True)
        write_site(site, SITE)

    for change in sorted(CHANGES):
        rebuild_told(lambda: CHANGES[change](site), change)
        rebuild_told(undo, f"undoing {change}")


def test_no_change_build_equals_a_clean_build_and_rewrites_nothing(warm_site, tmp_path):
    before = {p: p.stat().st_ino for p in (tmp_path / "cached").rglob("*") if p.is_file()}
    assert_cached_equals_clean(warm_site, tmp_path)
    after = {p: p.stat().st_ino for p in (tmp_path / "cached").rglob("*") if p.is_file()}
    assert after == before  # the same files (inodes): nothing was rendered or written


def test_an_article_edit_rewrites_only_what_depends_on_it(warm_site, tmp_path):
    out = tmp_path / "cached"
    unrelated = out / "articles/back/index.html"  # shares no tag with sleep.md
    about = out / "about/index.html"
    inodes = (unrelated.stat().st_ino, about.stat().st_ino)
    # Lists, tags and the feed show front matter, not bodies: an edit to the text leaves them.
    listings = [out / "index.html", out / "articles/index.html", out / "feed.xml", out / "sitemap.xml",
                *(out / "tags").rglob("index.html")]
    listed = [path.stat().st_ino for path in listings]
    page = (out / "articles/sleep/index.html").stat().st_ino
    CHANGES["article-edit"](warm_site)
    build_site(warm_site, out)
    assert (unrelated.stat().st_ino, about.stat().st_ino) == inodes  # linked from the previous output
    assert [path.stat().st_ino for path in listings] == listed
    assert (out / "articles/sleep/index.html").stat().st_ino != page
    assert "Short, poor sleep" in (out / "articles/sleep/index.html").read_text(encoding="utf-8")


def test_a_new_article_rewrites_only_the_pages_that_list_or_relate_it(warm_site, tmp_path):
    out = tmp_path / "cached"
    # new.md: by jane, tagged chronic-pain and social-support. back.md shares no tag with it,
    # team's page and the sleep, intimacy and back-pain topics do not list it, nor does 404.
    unchanged = ["articles/back/index.html", "about/index.html", "people/team/index.html", "404.html",
                 "tags/sleep/index.html", "tags/intimacy/index.html", "tags/back-pain/index.html"]
    changed = ["articles/sleep/index.html", "articles/touch/index.html",  # it is now a related article of these
               "index.html", "articles/index.html", "tags/index.html", "tags/chronic-pain/index.html",
               "people/jane/index.html", "sitemap.xml", "feed.xml"]
    before = {rel: (out / rel).stat().st_ino for rel in unchanged + changed}
    CHANGES["new-article"](warm_site)
    build_site(warm_site, out)
    assert [rel for rel in unchanged if (out / rel).stat().st_ino != before[rel]] == []
    assert [rel for rel in changed if (out / rel).stat().st_ino == before[rel]] == []
    assert "Peer support online" in (out / "articles/sleep/index.html").read_text(encoding="utf-8")
    assert_cached_equals_clean(warm_site, tmp_path)


# A site template whose every page lists the newest articles: a new article must reach them all.
LATEST = ("{% extends 'base.html' %}{% block content %}{{ body_html }}<ul class=\"latest\">"
          "{% for a in edition.articles[:2] %}<li>{{ a.meta.title }}</li>{% endfor %}</ul>{% endblock %}\n")


def test_a_template_listing_every_article_is_rebuilt_when_one_is_added(tmp_path):
    site = write_site(tmp_path / "site", {**SITE, "templates/page.html": LATEST})
    out = build_site(site, tmp_path / "cached")
    assert "Peer support online" not in (out / "about/index.html").read_text(encoding="utf-8")
    CHANGES["new-article"](site)
    build_site(site, out)
    assert "<li>Peer support online</li>" in (out / "about/index.html").read_text(encoding="utf-8")
    assert_cached_equals_clean(site, tmp_path)


def test_a_rebuild_patches_the_output_in_place_and_leaves_nothing_behind(warm_site, tmp_path):
    out = tmp_path / "cached"
    CHANGES["deleted-article"](warm_site)
    build_site(warm_site, out)
    assert not (out / "articles/back").exists()  # a removed page's folder goes with it
    assert [p.name for p in tmp_path.iterdir() if ".patch-" in p.name or ".staging-" in p.name] == []
    CHANGES["new-article"](warm_site)
    assert_cached_equals_clean(warm_site, tmp_path)


def test_an_article_edit_rewrites_only_the_search_files_it_changes(warm_site, tmp_path):
    out = tmp_path / "cached"
    index = out / "search-index"
    before = {p.relative_to(index).as_posix(): p.stat().st_ino for p in index.rglob("*.json")}
    CHANGES["article-edit"](warm_site)  # sleep.md gains the word "short"
    build_site(warm_site, out)
    after = {p.relative_to(index).as_posix(): p.stat().st_ino for p in index.rglob("*.json")}
    rewritten = sorted(path for path, inode in after.items() if before.get(path) != inode)
    sleep_doc = next(path for path in after if path.startswith("d/")
                     and '"u":"articles/sleep/"' in (index / path).read_text(encoding="utf-8"))
    assert rewritten == sorted(["meta.json", "s/sh.json", sleep_doc]), rewritten  # every other shard linked
    assert set(before) - set(after) == set()


@pytest.mark.parametrize("change", ["article-edit", "new-article", "deleted-article", "draft-toggle", "title-change"])
def test_search_ids_that_collide_stay_identical_to_a_clean_build(change, tmp_path, monkeypatch):
    """With a tiny id space every URL collides with another: ids move when pages come and go."""
    monkeypatch.setattr(search_index, "MIN_ID_BITS", 2)
    monkeypatch.setattr(search_index, "ID_HEADROOM_BITS", 0)
    site = write_site(tmp_path / "site", SITE)
    build_site(site, tmp_path / "cached")
    CHANGES[change](site)
    assert_cached_equals_clean(site, tmp_path)


def test_a_hand_edited_output_file_is_rebuilt_not_trusted(warm_site, tmp_path):
    page = tmp_path / "cached/articles/back/index.html"
    page.write_text(page.read_text(encoding="utf-8").replace("Back pain basics", "Edited by hand"), encoding="utf-8")
    (tmp_path / "cached/stray.html").write_text("<p>not from the build</p>", encoding="utf-8")
    shard = next((tmp_path / "cached/search-index/s").glob("*.json"))
    shard.write_text("{}", encoding="utf-8")
    (tmp_path / "cached/search-index/meta.json").unlink()
    assert_cached_equals_clean(warm_site, tmp_path)


@pytest.mark.parametrize("damage", ["garbage", "truncated", "other-version", "emptied"])
def test_a_damaged_cache_is_ignored(damage, warm_site, tmp_path):
    files = sorted(p for p in (warm_site / build_cache.DIR_NAME).rglob("*") if p.is_file())
    assert files
    for path in files:
        data = path.read_bytes()
        if damage == "garbage":
            path.write_bytes(os.urandom(len(data)))
        elif damage == "truncated":
            path.write_bytes(data[: len(data) // 2])
        elif damage == "other-version":
            path.write_bytes(data.replace(build_cache.MAGIC, build_cache.MAGIC.replace(b"cache", b"cachf"), 1))
        else:
            path.write_bytes(b"")
    CHANGES["article-edit"](warm_site)
    assert_cached_equals_clean(warm_site, tmp_path)


@pytest.mark.parametrize("damage", ["missing", "garbage"])
def test_renderings_lost_from_the_cache_are_rendered_again(damage, warm_site, tmp_path):
    """A document's record is valid but its stored rendering is gone or unreadable: every page
    is rendered again (a new output folder) from the records, the renderings made anew."""
    renderings = sorted((warm_site / build_cache.DIR_NAME / "renderings").iterdir())
    assert renderings
    for path in renderings:
        if damage == "missing":
            path.unlink()
        else:
            path.write_bytes(os.urandom(len(path.read_bytes())))
    shutil.rmtree(tmp_path / "cached")
    assert_cached_equals_clean(warm_site, tmp_path)


def test_a_build_reads_only_the_renderings_of_pages_it_renders(warm_site, tmp_path, monkeypatch):
    read: list[str] = []
    load = build_cache.BuildCache.load

    def spy(self, kind, name):
        if kind == "renderings":
            read.append(name)
        return load(self, kind, name)

    monkeypatch.setattr(build_cache.BuildCache, "load", spy)
    build_site(warm_site, tmp_path / "cached")
    assert read == []  # nothing changed: no page is rendered, no rendering read
    CHANGES["article-edit"](warm_site)  # its text is rendered anew; the lists show front matter only
    build_site(warm_site, tmp_path / "cached")
    assert read == []
    CHANGES["template-edit"](warm_site)  # every plain page is rendered again: each reads its own
    build_site(warm_site, tmp_path / "cached")
    assert read and len(read) == len(set(read))
    assert_cached_equals_clean(warm_site, tmp_path)


def test_another_base_url_reuses_every_parse_and_rendering(warm_site, tmp_path, monkeypatch):
    # `serve` builds with a local base URL: it must not parse and render the site again.
    from painconnect_site.pipeline import load

    rendered: list[int] = []
    render = load.DocumentRendering.render
    monkeypatch.setattr(load.DocumentRendering, "render", lambda self, docs: rendered.append(len(docs)) or render(self, docs))
    parsed: list[str] = []
    parse = load.parse_source
    monkeypatch.setattr(load, "parse_source", lambda source, *a: parsed.append(source.rel) or parse(source, *a))
    out = build_site(warm_site, tmp_path / "local", "--base-url", "http://127.0.0.1:8000/")
    assert parsed == [] and sum(rendered) == 0
    assert '<link rel="canonical" href="http://127.0.0.1:8000/' in (out / "articles/sleep/index.html").read_text()
    shutil.rmtree(tmp_path / "clean", ignore_errors=True)
    clean = build_site(warm_site, tmp_path / "clean", "--no-cache", "--base-url", "http://127.0.0.1:8000/")
    assert tree_digest(out) == tree_digest(clean)


def test_a_cache_from_other_code_is_not_found(warm_site, tmp_path, monkeypatch):
    monkeypatch.setattr(build_cache, "environment_fingerprint", lambda: "another version of the generator")
    assert_cached_equals_clean(warm_site, tmp_path)


def test_a_planted_pickle_cannot_run_code(tmp_path):
    marker = tmp_path / "planted"

    class Exploit:
        def __reduce__(self):
            return (os.system, (f"touch {marker}",))

    cache = build_cache.BuildCache(tmp_path / "cache", "fingerprint")
    cache.store("documents", "x", Exploit())
    cache.flush()
    assert (tmp_path / "cache/documents/x").is_file()
    assert build_cache.BuildCache(tmp_path / "cache", "fingerprint").load("documents", "x") is None
    assert not marker.exists()


def test_no_cache_reads_and_writes_no_cache(tmp_path):
    site = write_site(tmp_path / "site", SITE)
    build_site(site, tmp_path / "clean", "--no-cache")
    assert not (site / build_cache.DIR_NAME).exists()


def test_an_error_in_a_cached_articles_input_is_still_reported(warm_site, tmp_path, capsys):
    """sleep.md is unchanged and cached, but the entry it cites is gone."""
    before = tree_digest(tmp_path / "cached")
    bib = BIB.split("@article{khan2021")[0]
    write_site(warm_site, {"references.bib": bib})
    capsys.readouterr()
    assert main(["build", "--source", str(warm_site), "--output", str(tmp_path / "cached")]) == 1
    err = capsys.readouterr().err.splitlines()
    for line in (9, 14):  # the summary item and the body
        assert any(e.startswith(f"content/articles/sleep.md:{line}: error: unknown citation key 'khan2021'") for e in err), err
    assert tree_digest(tmp_path / "cached") == before


def test_a_cached_parse_replays_its_warnings(tmp_path, capsys):
    """Diagnostics of cached work are replayed: a warning shows on every build."""
    bib = BIB + "\n@misc{odd2020, title = {A thing}, author = {Doe, J.}, year = {2020}, month = {Smarch}}\n"
    site = write_site(tmp_path / "site", {**SITE, "references.bib": bib})
    outs = []
    for _ in range(2):
        capsys.readouterr()
        build_site(site, tmp_path / "cached")
        outs.append([line for line in capsys.readouterr().err.splitlines() if "warning" in line])
    assert outs[0] and outs[0] == outs[1]


PARALLEL_SCRIPT = """
import sys
from pathlib import Path
sys.path[:0] = [sys.argv[2], sys.argv[3]]
from conftest import ARTICLE, write_site
from test_errors import tree_digest
from test_cache import SITE, edit
from painconnect_site.pipeline import parallel
from painconnect_site.pipeline import BuildOptions, run_build

tmp = Path(sys.argv[1])
files = dict(SITE)
for i in range(8):  # enough articles for two workers to share
    files[f"content/articles/extra-{i}.md"] = ARTICLE.replace(
        '"Touch and chronic pain"', f'"Extra article {i}"').replace("2026-01-15", f"2026-01-{10 + i}")
site = write_site(tmp / "site", files)
assert parallel.can_fork() and parallel.worker_count(11, requested=2) == 2
run_build(BuildOptions(site, tmp / "pool", use_cache=False, workers=2))
run_build(BuildOptions(site, tmp / "sequential", use_cache=False, workers=1))
assert tree_digest(tmp / "pool") == tree_digest(tmp / "sequential"), "clean builds differ"
# The pool also renders a cached build's changed pages.
run_build(BuildOptions(site, tmp / "pool", workers=2))
edit(site, "content/site.yaml", "title: Test Health", "title: Test Health Site")
run_build(BuildOptions(site, tmp / "pool", workers=2))
run_build(BuildOptions(site, tmp / "sequential", use_cache=False, workers=1))
assert tree_digest(tmp / "pool") == tree_digest(tmp / "sequential"), "cached builds differ"
# A cold build parses in the workers too: a draft stays out, and the errors of files parsed
# there are the sequential build's, in the same order.
edit(site, "content/articles/extra-1.md", "title:", "draft: true\\ntitle:")
run_build(BuildOptions(site, tmp / "pool", use_cache=False, workers=2))
run_build(BuildOptions(site, tmp / "sequential", use_cache=False, workers=1))
assert tree_digest(tmp / "pool") == tree_digest(tmp / "sequential"), "builds with a draft differ"
edit(site, "content/articles/extra-2.md", "title:", "date: someday\\ntitle:")
edit(site, "content/articles/extra-6.md", "title:", "tags: [\\ntitle:")
from painconnect_site.core.errors import BuildError
reported = []
for workers in (2, 1):
    try:
        run_build(BuildOptions(site, tmp / f"broken-{workers}", use_cache=False, workers=workers))
    except BuildError as exc:
        reported.append([diagnostic.format() for diagnostic in exc.diagnostics])
assert len(reported) == 2 and reported[0] == reported[1] and len(reported[0]) >= 2, reported
print("identical")
"""


def test_parallel_and_sequential_builds_are_identical(tmp_path):
    # In a fresh process: forking is (rightly) refused while other threads run, and
    # earlier tests in this process may have left some (browser, server threads).
    tests = Path(__file__).resolve().parents[1]
    src = tests.parent / "src"
    result = subprocess.run(
        [sys.executable, "-c", PARALLEL_SCRIPT, str(tmp_path), str(tests), str(src)],
        capture_output=True, text=True, timeout=300,
        env={**os.environ, "PYTHONPATH": os.pathsep.join([str(tests / "integration"), str(tests), str(src)])},
    )
    assert result.returncode == 0 and result.stdout.strip() == "identical", result.stderr


def test_site_yaml_errors_are_reported_with_a_warm_cache(warm_site, tmp_path, capsys):
    write_site(warm_site, {"content/site.yaml": SITE_YAML.replace("  jane:\n", "  janet:\n")})
    capsys.readouterr()
    assert main(["build", "--source", str(warm_site), "--output", str(tmp_path / "cached")]) == 1
    assert "unknown person 'jane'" in capsys.readouterr().err


# --- sequences: a change, then its undoing or a second change, each build compared with a clean one ---

def _photo(width: int, shade: int) -> bytes:
    import io

    from PIL import Image

    image = Image.new("RGB", (width, width * 2 // 3))
    image.putdata([((x * 7 + shade) % 256, (y * 5) % 256, (x * y) % 256) for y in range(width * 2 // 3)
                   for x in range(width)])
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=85)
    return buffer.getvalue()


SMALL_IMAGES = "images:\n  widths: [100, 200]\n"
SEQUENCES = {
    "alias-added-then-removed": [
        lambda site: edit(site, "content/articles/support.md", "author: jane\n", "author: jane\naliases: [/old/]\n"),
        lambda site: edit(site, "content/articles/support.md", "aliases: [/old/]\n", ""),
    ],
    "page-size-down-then-up": [
        lambda site: edit(site, "content/site.yaml", "default_author: team\n", "default_author: team\npage_size: 1\n"),
        lambda site: edit(site, "content/site.yaml", "page_size: 1\n", "page_size: 3\n"),
    ],
    "image-shown-edited-resized-removed": [
        lambda site: (write_site(site, {"static/images/photo.jpg": _photo(300, 0)}, base={}),
                      edit(site, "content/site.yaml", "default_author: team\n", "default_author: team\n" + SMALL_IMAGES),
                      edit(site, "content/articles/sleep.md", "## The cycle\n",
                           "## The cycle\n\n![A bed](/static/images/photo.jpg)\n")),
        lambda site: write_site(site, {"static/images/photo.jpg": _photo(260, 90)}, base={}),  # new bytes, new size
        lambda site: edit(site, "content/site.yaml", "widths: [100, 200]", "widths: [150]"),
        lambda site: edit(site, "content/articles/sleep.md", "![A bed](/static/images/photo.jpg)\n", ""),
    ],
    "hero-image-added-then-replaced": [
        lambda site: (write_site(site, {"static/images/hero.jpg": _photo(240, 10)}, base={}),
                      edit(site, "content/articles/support.md", "author: jane\n",
                           "author: jane\nimage: images/hero.jpg\nimage_alt: A support group\n")),
        lambda site: write_site(site, {"static/images/hero.jpg": _photo(200, 50)}, base={}),
    ],
    "person-renamed-then-removed-from-articles": [
        lambda site: edit(site, "content/site.yaml", "name: Jane Smith", "name: Jane Smith-Jones"),
        lambda site: edit(site, "content/articles/support.md", "author: jane\n", "author: team\n"),
    ],
}


def assert_each_step_equals_clean(site: Path, steps, tmp_path: Path) -> None:
    """Apply each change in turn; after each, the cached build equals a clean one."""
    for number, change in enumerate(steps):
        change(site)
        build_site(site, tmp_path / "cached")
        build_site(site, tmp_path / f"clean-{number}", "--no-cache")
        assert tree_digest(tmp_path / "cached") == tree_digest(tmp_path / f"clean-{number}"), f"after step {number + 1}"


@pytest.mark.parametrize("sequence", sorted(SEQUENCES))
def test_cached_builds_along_a_sequence_of_changes_equal_clean_builds(sequence, warm_site, tmp_path):
    assert_each_step_equals_clean(warm_site, SEQUENCES[sequence], tmp_path)


# --- multilingual sites (site.yaml `languages`): every kind of language change -----------------

ES_SITE_YAML = SITE_YAML + "languages:\n  es:\n    name: Español\n    title: Salud de prueba\n"

ES_SLEEP = """\
---
title: "El sueño y el dolor crónico"
description: "Cómo el mal sueño y el dolor crónico se alimentan entre sí, y qué ayuda a romper el ciclo."
date: 2026-02-12
reviewed: 2026-02-20
author: team
tags: [dolor, sueno]
translation_key: sleep
summary:
  - "El sueño y el dolor están relacionados [@khan2021]."
---

## El ciclo

Dormir mal baja el umbral del dolor [@khan2021].

Lea también sobre el [contacto](/articles/touch/).
"""

ES_GROUPS = """\
---
title: "Grupos de apoyo"
description: "Lo que ofrece un grupo de apoyo a las personas que viven con dolor crónico y cómo encontrar uno."
date: 2026-03-03
reviewed: 2026-03-05
author: jane
tags: [dolor, apoyo]
---

## Por qué ayudan los grupos

El apoyo se relaciona con menos dolor [@lee2019].
"""

MULTILINGUAL = {
    **SITE,
    "content/site.yaml": ES_SITE_YAML,
    "content/articles/sleep.md": SLEEP.replace("author: team\n", "author: team\ntranslation_key: sleep\n"),
    "content/es/articles/sueno.md": ES_SLEEP,
    "content/es/articles/grupos.md": ES_GROUPS,
}


def move(site: Path, old: str, new: str) -> None:
    (site / new).parent.mkdir(parents=True, exist_ok=True)
    (site / old).rename(site / new)


LANGUAGE_CHANGES = {
    "translation-added": lambda site: (
        edit(site, "content/articles/support.md", "author: jane\n", "author: jane\ntranslation_key: groups\n"),
        edit(site, "content/es/articles/grupos.md", "author: jane\n", "author: jane\ntranslation_key: groups\n")),
    "translation-key-changed": lambda site: edit(site, "content/es/articles/sueno.md", "translation_key: sleep",
                                                 "translation_key: sleeping"),
    "moved-to-another-language": lambda site: move(site, "content/articles/back.md", "content/es/articles/back.md"),
    "moved-back-to-the-default-language": lambda site: move(site, "content/es/articles/grupos.md",
                                                            "content/articles/grupos.md"),
    "lang-key-added": lambda site: edit(site, "content/articles/back.md", "author: team\n", "author: team\nlang: es\n"),
    "spanish-article-edited": lambda site: edit(site, "content/es/articles/sueno.md", "Dormir mal", "Dormir poco y mal"),
    "i18n-strings-added": lambda site: write_site(site, {"content/i18n/es.yaml": "references: Bibliografía\n"}, base={}),
    "language-settings-edited": lambda site: edit(site, "content/site.yaml", "title: Salud de prueba",
                                                  "title: Salud para probar"),
    "language-added": lambda site: edit(site, "content/site.yaml", "    title: Salud de prueba\n",
                                        "    title: Salud de prueba\n  fr:\n    name: Français\n"),
    "default-language-switched": lambda site: switch_to_spanish(site),
}


def switch_to_spanish(site: Path) -> None:
    """One language again, Spanish: the same URLs, other stems and strings."""
    import shutil

    shutil.rmtree(site / "content/es")
    write_site(site, {"content/site.yaml": SITE_YAML + "language: es\n"}, base={})


@pytest.fixture
def warm_multilingual(tmp_path: Path) -> Path:
    site = write_site(tmp_path / "site", MULTILINGUAL)
    build_site(site, tmp_path / "cached")
    return site


@pytest.mark.parametrize("change", sorted(LANGUAGE_CHANGES))
def test_cached_build_after_a_language_change_equals_a_clean_build(change, warm_multilingual, tmp_path):
    LANGUAGE_CHANGES[change](warm_multilingual)
    assert_cached_equals_clean(warm_multilingual, tmp_path)


LANGUAGE_SEQUENCES = {
    "i18n-strings-added-edited-removed": [
        lambda site: write_site(site, {"content/i18n/es.yaml": "references: Bibliografía\n"}, base={}),
        lambda site: edit(site, "content/i18n/es.yaml", "Bibliografía", "Fuentes"),
        lambda site: (site / "content/i18n/es.yaml").unlink(),
    ],
    "translation-linked-unlinked-relinked": [
        lambda site: edit(site, "content/es/articles/sueno.md", "translation_key: sleep\n", ""),
        lambda site: edit(site, "content/es/articles/sueno.md", "author: team\n", "author: team\ntranslation_key: sleep\n"),
    ],
    "article-moved-to-spanish-and-back": [
        lambda site: move(site, "content/articles/support.md", "content/es/articles/support.md"),
        lambda site: move(site, "content/es/articles/support.md", "content/articles/support.md"),
    ],
}


@pytest.mark.parametrize("sequence", sorted(LANGUAGE_SEQUENCES))
def test_cached_builds_along_language_changes_equal_clean_builds(sequence, warm_multilingual, tmp_path):
    assert_each_step_equals_clean(warm_multilingual, LANGUAGE_SEQUENCES[sequence], tmp_path)


def test_a_spanish_edit_rewrites_only_spanish_search_files(warm_multilingual, tmp_path):
    index = tmp_path / "cached/search-index"
    before = {p.relative_to(index).as_posix(): p.stat().st_ino for p in index.rglob("*.json")}
    LANGUAGE_CHANGES["spanish-article-edited"](warm_multilingual)  # sueno.md gains the word "poco"
    build_site(warm_multilingual, tmp_path / "cached")
    after = {p.relative_to(index).as_posix(): p.stat().st_ino for p in index.rglob("*.json")}
    rewritten = sorted(path for path, inode in after.items() if before.get(path) != inode)
    sueno = next(path for path in after if path.startswith("es/d/")
                 and '"u":"es/articles/sueno/"' in (index / path).read_text(encoding="utf-8"))
    assert rewritten == sorted(["es/meta.json", "es/s/po.json", sueno]), rewritten  # the English index is untouched
    assert set(after) - set(before) == {"es/s/po.json"}  # the first word of the index starting "po"


def test_a_body_edit_keeps_the_people_pages(warm_site, tmp_path):
    """A person's page shows front matter only: a body edit links it from the previous output."""
    out = tmp_path / "cached"
    people = out / "people/team/index.html"
    inode = people.stat().st_ino
    CHANGES["article-edit"](warm_site)
    build_site(warm_site, out)
    assert people.stat().st_ino == inode
    edit(warm_site, "content/articles/sleep.md", '"Sleep and chronic pain"', '"Sleep, and chronic pain"')
    build_site(warm_site, out)
    assert people.stat().st_ino != inode and "Sleep, and chronic pain" in people.read_text(encoding="utf-8")
