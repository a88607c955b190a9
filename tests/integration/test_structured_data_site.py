"""JSON-LD of whole built sites: valid, complete, linked, consistent with the page, and safe."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from conftest import build_site, copy_fixture, write_site
from schemaorg import graph_nodes, nodes_by_id, required_problems, validate_jsonld


HOSTILE = "</script><script>alert(1)</script> \"quoted\" 'single' {{ 7*7 }} \u2028 \u202eevil\u202c \u200f 🙂"


def yq(text: str) -> str:
    """A YAML double-quoted scalar: emoji as themselves, invisible characters as \\u escapes."""
    quoted = json.dumps(text, ensure_ascii=False)
    for char in "\u2028\u202e\u202c\u200f":
        quoted = quoted.replace(char, f"\\u{ord(char):04x}")
    return quoted


def json_ld_blocks(html_path: Path) -> list[dict]:
    page = BeautifulSoup(html_path.read_text(encoding="utf-8"), "html.parser")
    return [json.loads(s.string) for s in page.find_all("script", type="application/ld+json")]


def node_of_type(graph: dict, type_name: str) -> dict:
    return next(n for n in graph_nodes(graph) if n.get("@type") == type_name)


def visible_faq(html_path: Path) -> list[tuple[str, str]]:
    page = BeautifulSoup(html_path.read_text(encoding="utf-8"), "html.parser")
    items = []
    for item in page.select("#faq .faq-item"):
        answer = item.select_one(".faq-answer")
        for sup in answer.select("sup.cite"):
            sup.decompose()
        text = " ".join(answer.get_text(" ").split()).replace(" .", ".").replace(" ,", ",")
        items.append((item.select_one(".faq-question").get_text(strip=True), text))
    return items


@pytest.fixture(scope="module")
def example_site(tmp_path_factory) -> Path:
    """The realistic example site (tests/fixtures/example), built once."""
    work = tmp_path_factory.mktemp("example")
    return build_site(copy_fixture("example", work / "source"), work / "_site")


def test_every_page_has_exactly_one_valid_graph(example_site: Path):
    pages = sorted(example_site.rglob("*.html"))
    assert len(pages) > 10
    for page in pages:
        blocks = json_ld_blocks(page)
        if page.name == "404.html":
            assert blocks == []
            continue
        assert len(blocks) == 1, page
        problems = validate_jsonld(blocks[0]) + required_problems(blocks[0])
        assert problems == [], f"{page.relative_to(example_site)}: {problems}"
        ids = nodes_by_id(blocks[0])
        assert "https://painconnect.example/#organization" in ids


def test_article_graph_matches_the_visible_page(example_site: Path):
    articles = sorted((example_site / "articles").glob("*/index.html"))
    assert len(articles) >= 5
    for path in articles:
        graph = json_ld_blocks(path)[0]
        page = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")
        article = node_of_type(graph, "Article")
        assert article["headline"] == page.h1.get_text()
        assert len(article["citation"]) == len(page.select(".reference-list li"))
        webpage = node_of_type(graph, "MedicalWebPage")
        # The example site has no medical reviewer: its dates are editorial checks, never lastReviewed.
        assert page.find("dt", string="Editorially checked").find_next("dd").time["datetime"]
        assert "lastReviewed" not in webpage and page.find("dt", string="Medically reviewed") is None
        crumbs = node_of_type(graph, "BreadcrumbList")["itemListElement"]
        assert [c["position"] for c in crumbs] == [1, 2, 3]
        assert crumbs[-1]["item"] == page.find("link", rel="canonical")["href"]
        faq = node_of_type(graph, "FAQPage")
        in_json = [(q["name"], q["acceptedAnswer"]["text"]) for q in faq["mainEntity"]]
        assert in_json == visible_faq(path)


HOSTILE_SITE = {
    "content/site.yaml": f"""\
title: Hostile Health
base_url: https://hostile.example/sub/
description: A site whose content tries every trick to break out of its JSON-LD.
organization:
  name: Hostile Health
  url: https://hostile.example/sub/
  logo: images/logo.png
people:
  team:
    name: {yq("Team " + HOSTILE)}
""",
    "references.bib": """\
@article{evil2020,
  author  = {Smith, Jane},
  title   = {</script><script>alert(1)</script> and "quotes"},
  journal = {Journal of Tests},
  year    = {2020},
  doi     = {10.1000/evil}
}
""",
    "content/articles/touch.md": f"""\
---
title: {yq(HOSTILE)}
description: {yq("Description " + HOSTILE)}
date: 2026-01-15
reviewed: 2026-02-01
author: team
tags: [safety]
about: [{yq("Chronic pain " + HOSTILE)}]
faq:
  - q: {yq("Question " + HOSTILE)}
    a: {yq("Answer </script><script>alert(1)</script> {{ 7*7 }} 🙂 [@evil2020].")}
---

Body </script><script>alert(2)</script> <img src=x onerror=alert(3)> [@evil2020].
""",
    "content/pages/about.md": None,
}


def test_hostile_content_round_trips_and_never_executes(tmp_path: Path):
    out = build_site(write_site(tmp_path / "hostile", HOSTILE_SITE))
    path = out / "articles/touch/index.html"
    html = path.read_text(encoding="utf-8")
    page = BeautifulSoup(html, "html.parser")

    scripts = page.find_all("script")
    assert all(s.get("type") == "application/ld+json" or s.get("src") for s in scripts), "no inline executable script"
    assert page.find("img", onerror=True) is None
    assert "alert(2)" in page.select_one(".article-body").get_text()  # shown as text, not run

    raw = page.find("script", type="application/ld+json").string
    assert "<" not in raw and ">" not in raw and "&" not in raw and "'" not in raw and "\u2028" not in raw
    graph = json.loads(raw)
    assert validate_jsonld(graph) == []
    article = node_of_type(graph, "Article")
    assert article["headline"] == HOSTILE
    assert article["description"] == "Description " + HOSTILE
    assert node_of_type(graph, "MedicalWebPage")["about"][0]["name"] == "Chronic pain " + HOSTILE
    faq = node_of_type(graph, "FAQPage")["mainEntity"][0]
    assert faq["name"] == "Question " + HOSTILE
    assert faq["acceptedAnswer"]["text"] == "Answer </script><script>alert(1)</script> {{ 7*7 }} 🙂."
    assert [nodes_by_id(graph)[a["@id"]]["name"] for a in article["author"]] == ["Team " + HOSTILE]
    assert "</script><script>alert(1)</script>" in article["citation"][0]["name"]
    assert page.h1.get_text() == HOSTILE
    assert page.title.get_text().startswith(HOSTILE)
    assert "49" not in page.h1.get_text()  # {{ 7*7 }} was never evaluated
