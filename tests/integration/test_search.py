"""Search results, exactly: the index the build writes, queried by the real client script
(static/js/search.js, run in node by scripts/search_query.js), on a small site.

Stemming, prefixes, ranking, the topic filter and accents; a removed page disappears and an
edited page is found by its new words and not its old ones, after incremental builds; and
the tokenizer gives the same words in Python and in JavaScript.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from conftest import REPO, SITE_YAML, build_site, write_site

from painconnect_site.search import index as search_index
from painconnect_site.search.text import words

NODE = shutil.which("node")
QUERY_JS = REPO / "scripts" / "search_query.js"
CLIENT_JS = REPO / "src/painconnect_site/render/theme/static/js/search.js"

pytestmark = pytest.mark.skipif(NODE is None, reason="the search client tests need node (apt-get install nodejs)")

BIB = """\
@article{smith2020,
  author  = {Smith, Jane},
  title   = {Walking and back pain},
  journal = {Pain Medicine},
  year    = {2020}
}
"""


def article(title: str, body: str, tags: str = "[back-pain]", date: str = "2026-01-10", extra: str = "") -> str:
    return f"""---
title: "{title}"
description: "A test article about {title.lower()}, written for the search tests of this site."
date: {date}
reviewed: {date}
author: team
tags: {tags}
{extra}---

{body}
"""


ARTICLES = {
    "content/articles/walking.md": article(
        "Walking for back pain",
        "## How to start\n\nMost people walked a little more each week. A daily walk helps.\n\n"
        "She walks to the shop. Zebra crossings are a good place to pause [@smith2020].",
        "[back-pain, exercise]", "2026-01-10"),
    "content/articles/physio.md": article(
        "Seeing a physiotherapist",
        "A physiotherapist looks at how you move. Physiotherapy often includes exercises for the back.",
        "[back-pain, treatment]", "2026-01-11"),
    "content/articles/sleep.md": article(
        "Sleep and chronic pain",
        "Poor sleep makes pain worse, and pain makes sleep worse. Good sleep habits help sleep.\n\n"
        "A short walk in the evening may help some people.",
        "[sleep]", "2026-01-12"),
    "content/articles/cafe.md": article(
        "Meeting friends at a café",
        "A café visit with friends can lift your mood on a bad pain day. Naïve plans are fine.",
        "[social]", "2026-01-13"),
}


def make(root: Path, files: dict[str, str | None] | None = None) -> Path:
    return write_site(root, {"content/site.yaml": SITE_YAML, "references.bib": BIB, **ARTICLES, **(files or {})},
                      base={})


def query(out: Path, *queries: str, tag: str = "") -> dict[str, list[str]]:
    """query -> the URLs of its results, best first (every result, not only those shown)."""
    args = [NODE, str(QUERY_JS), str(out), *queries, "--shown", "100"] + (["--tag", tag] if tag else [])
    result = subprocess.run(args, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    return {entry["query"]: [r["url"] for r in entry["results"]] for entry in json.loads(result.stdout)}


def details(out: Path, text: str) -> dict:
    result = subprocess.run([NODE, str(QUERY_JS), str(out), text], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)[0]


WALKING, PHYSIO, SLEEP, CAFE = ("articles/walking/", "articles/physio/", "articles/sleep/", "articles/cafe/")


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    work = tmp_path_factory.mktemp("search")
    source = make(work / "site")
    return source, build_site(source, work / "out")


def test_stemming_finds_every_form_of_a_word(site):
    _, out = site
    found = query(out, "walking ", "walked ", "walks ", "walk ")
    # Title words rank first; every article with a form of "walk" is found by every form.
    assert found == {q: [WALKING, SLEEP] for q in ("walking ", "walked ", "walks ", "walk ")}


def test_the_last_word_is_also_a_prefix_while_typing(site):
    _, out = site
    found = query(out, "physio", "physio ", "zeb", "wal")
    assert found["physio"] == [PHYSIO]  # physiotherapist, physiotherapy
    assert found["physio "] == []  # a finished word is not a prefix: "physio" itself is in no article
    assert found["zeb"] == [WALKING]
    assert found["wal"] == [WALKING, SLEEP]


def test_ranking_puts_articles_with_every_word_and_in_the_title_first(site):
    _, out = site
    found = query(out, "sleep ", "sleep walk ", "back pain ", "exercises ")
    assert found["sleep "] == [SLEEP]
    assert found["sleep walk "] == [SLEEP, WALKING]  # both words first, then one of them
    # All four mention pain; "back" is in two: those come first, the title match leading.
    assert found["back pain "] == [WALKING, PHYSIO, SLEEP, CAFE]
    # A topic counts like a heading (twice): the article tagged "exercise" outranks one word in a text.
    assert found["exercises "] == [WALKING, PHYSIO]


def test_words_no_article_has_and_stop_words_are_ignored(site):
    _, out = site
    found = query(out, "the ", "zebra unicorn ", "and the sleep ")
    assert found["the "] == [] and found["zebra unicorn "] == [WALKING] and found["and the sleep "] == [SLEEP]


def test_accents_and_case_are_folded(site):
    _, out = site
    found = query(out, "cafe ", "CAFÉ ", "naive ", "Naïve ")
    assert all(urls == [CAFE] for urls in found.values()), found


def test_the_topic_filter(site):
    _, out = site
    assert query(out, "pain ", tag="exercise") == {"pain ": [WALKING]}
    assert query(out, "pain ", tag="back-pain") == {"pain ": [WALKING, PHYSIO]}
    assert query(out, "sleep ", tag="exercise") == {"sleep ": []}


def test_results_show_the_title_and_a_highlighted_excerpt(site):
    _, out = site
    found = details(out, "walked ")
    first = found["results"][0]
    assert first["title"] == "Walking for back pain"
    assert "[walked]" in first["excerpt"] and "[walk]" in first["excerpt"] and "[walks]" in first["excerpt"]
    files = [f["file"] for f in found["fetched"]]
    assert files[:2] == ["meta.json", "s/wa.json"] and all(f.startswith("d/") for f in files[2:]), files


def test_a_removed_page_disappears_and_an_edited_page_is_found_by_its_new_words(tmp_path):
    source = make(tmp_path / "site")
    out = build_site(source, tmp_path / "out")
    assert query(out, "zebra ", "walk ") == {"zebra ": [WALKING], "walk ": [WALKING, SLEEP]}

    (source / "content/articles/sleep.md").unlink()
    edited = ARTICLES["content/articles/walking.md"].replace("Zebra crossings", "Giraffe statues")
    write_site(source, {"content/articles/walking.md": edited}, base={})
    build_site(source, out)  # incremental: only what changed is indexed again
    assert query(out, "zebra ", "giraffe ", "walk ", "sleep ") == {
        "zebra ": [], "giraffe ": [WALKING], "walk ": [WALKING], "sleep ": []}

    write_site(source, {"content/articles/sleep.md": ARTICLES["content/articles/sleep.md"]}, base={})
    build_site(source, out)
    assert query(out, "walk ", "sleep ") == {"walk ": [WALKING, SLEEP], "sleep ": [SLEEP]}


def test_a_draft_is_not_searchable(tmp_path):
    source = make(tmp_path / "site", {"content/articles/sleep.md": ARTICLES["content/articles/sleep.md"].replace(
        "author: team\n", "author: team\ndraft: true\n")})
    out = build_site(source, tmp_path / "out")
    assert query(out, "sleep ") == {"sleep ": []}
    assert query(build_site(source, tmp_path / "drafts", "--drafts"), "sleep ") == {"sleep ": [SLEEP]}


def test_python_and_javascript_make_the_same_words():
    samples = ["Don't stop walking; it’s the partner's call.", "Café, NAÏVE façade — Ångström ﬁbre", "x²+y² ½ Ⅻ",
               "Straße İstanbul ΣΊΣΥΦΟΣ", "e-mail follow-up 24/7 covid-19", "naïve", "日本語 テキスト",
               "𝐁𝐨𝐥𝐝 math", "tab\tand\nnewline"]
    script = (f"const c = require({json.dumps(str(CLIENT_JS))});"
              "const input = JSON.parse(require('fs').readFileSync(0, 'utf-8'));"
              "process.stdout.write(JSON.stringify(input.map(c.words)));")
    result = subprocess.run([NODE, "-e", script], input=json.dumps(samples), capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == [words(sample) for sample in samples]


def test_shard_keys_and_files_agree_with_the_client():
    keys = ["wa", "walk", "d", "ça", "日本", "𝐁𝐨𝐥", "pai"]
    splits = ["pa", "pai", "wa", "𝐁𝐨"]
    script = (f"const c = require({json.dumps(str(CLIENT_JS))});"
              f"const splits = new Set({json.dumps(splits)});"
              f"process.stdout.write(JSON.stringify({json.dumps(keys)}.map((k) => [c.shardOf(k, splits), c.shardPath(k)])));")
    result = subprocess.run([NODE, "-e", script], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    expected = [[search_index.shard_of(k, frozenset(splits)),
                 search_index.shard_file(k).removeprefix("search-index/")] for k in keys]
    assert json.loads(result.stdout) == expected


def test_postings_decode_to_the_ids_written():
    ids = [0, 1, 2, 31, 32, 33, 1023, 1024, 1025, 40_000, 1_000_000, 16_777_215]
    script = (f"const c = require({json.dumps(str(CLIENT_JS))});"
              f"process.stdout.write(JSON.stringify(c.decodeIds({json.dumps(search_index.encode_ids(ids))})));")
    result = subprocess.run([NODE, "-e", script], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == ids
