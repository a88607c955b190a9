"""A page for every person of site.yaml `people`, and schema.org Person nodes linked by @id."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from conftest import ARTICLE, SITE_YAML, build_site, copy_fixture
from schemaorg import graph_nodes, nodes_by_id, required_problems, validate_jsonld

PEOPLE_YAML = SITE_YAML + """\
  omar:
    name: Omar Reyes
    credentials: MD, PhD
    role: Pain physician
    url: https://omar.example/
    bio: Omar Reyes treats chronic pain at a university hospital.
  newcomer:
    name: Ana Lima
"""

REVIEWED = ARTICLE.replace("author: team\n", "author: jane\nreviewer: omar\n")
SECOND = (ARTICLE.replace('"Touch and chronic pain"', '"Sleep and pain"').replace("date: 2026-01-15", "date: 2026-01-20")
          .replace("author: team\n", "author: team\nreviewer: jane\n"))
DRAFT = SECOND.replace('"Sleep and pain"', '"A draft"').replace("author: team\n", "author: team\ndraft: true\n")


def soup(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def graph_of(path: Path) -> dict:
    return json.loads(soup(path).find("script", type="application/ld+json").string)


@pytest.fixture
def people_site(make_site) -> Path:
    return build_site(make_site({"content/site.yaml": PEOPLE_YAML, "content/articles/touch.md": REVIEWED,
                                 "content/articles/sleep.md": SECOND, "content/articles/draft.md": DRAFT}))


def test_every_person_gets_a_page(people_site: Path):
    for person_id in ("team", "jane", "omar", "newcomer"):
        assert (people_site / "people" / person_id / "index.html").is_file(), person_id


def test_a_person_page_shows_who_they_are_and_what_they_did(people_site: Path):
    page = soup(people_site / "people/omar/index.html")
    assert page.h1.get_text() == "Omar Reyes, MD, PhD"
    assert page.select_one(".lede").get_text() == "Pain physician"
    assert page.select_one(".person-bio").get_text() == "Omar Reyes treats chronic pain at a university hospital."
    assert page.find("a", href="https://omar.example/") is not None
    assert [a.get_text() for a in page.select(".card-title a")] == ["Touch and chronic pain"]
    assert page.select_one(".card-role").get_text() == "Medically reviewed"
    jane = soup(people_site / "people/jane/index.html")
    assert [(card.select_one(".card-title a").get_text(), card.select_one(".card-role").get_text())
            for card in jane.select(".article-card")] == [("Sleep and pain", "Medically reviewed"),
                                                           ("Touch and chronic pain", "Written")]
    assert "A draft" not in (people_site / "people/team/index.html").read_text()  # drafts are not published


def test_a_person_without_articles_says_so(people_site: Path):
    page = soup(people_site / "people/newcomer/index.html")
    assert page.h1.get_text() == "Ana Lima" and "No published articles yet." in page.get_text()


def test_articles_link_their_author_and_reviewer_pages(people_site: Path):
    meta = soup(people_site / "articles/touch/index.html").select_one(".article-meta")
    assert [a["href"] for a in meta.find_all("a")] == ["/people/jane/", "/people/omar/"]


def test_person_nodes_are_linked_by_id_from_every_article(people_site: Path):
    graph = graph_of(people_site / "articles/touch/index.html")
    by_id = nodes_by_id(graph)
    article = next(n for n in graph_nodes(graph) if n["@type"] == "Article")
    webpage = next(n for n in graph_nodes(graph) if n["@type"] == "MedicalWebPage")
    assert article["author"] == [{"@id": "https://test.example/people/jane/#person"}]
    assert webpage["reviewedBy"] == {"@id": "https://test.example/people/omar/#person"}
    omar = by_id["https://test.example/people/omar/#person"]
    assert omar == {"@type": "Person", "@id": "https://test.example/people/omar/#person", "name": "Omar Reyes",
                    "url": "https://test.example/people/omar/", "sameAs": "https://omar.example/",
                    "honorificSuffix": "MD, PhD", "jobTitle": "Pain physician",
                    "description": "Omar Reyes treats chronic pain at a university hospital."}
    profile = graph_of(people_site / "people/omar/index.html")
    page = next(n for n in graph_nodes(profile) if n["@type"] == "ProfilePage")
    assert page["mainEntity"] == webpage["reviewedBy"]  # the same @id on the person's page
    assert nodes_by_id(profile)[page["mainEntity"]["@id"]] == omar


def test_an_organization_author_is_an_organization_node(people_site: Path):
    profile = graph_of(people_site / "people/team/index.html")
    node = nodes_by_id(profile)["https://test.example/people/team/#organization"]
    assert node["@type"] == "Organization" and node["name"] == "Test Health Editorial Team"


def test_every_page_of_the_people_site_is_valid_schema_org(people_site: Path):
    for path in sorted(people_site.rglob("*.html")):
        blocks = soup(path).find_all("script", type="application/ld+json")
        for block in blocks:
            data = json.loads(block.string)
            assert validate_jsonld(data) + required_problems(data) == [], path


def test_the_site_organization_as_a_person_is_the_organization_node(make_site):
    yaml = SITE_YAML.replace("    name: Test Health Editorial Team\n", "    name: Test Health\n")
    out = build_site(make_site({"content/site.yaml": yaml}))
    profile = graph_of(out / "people/team/index.html")
    page = next(n for n in graph_nodes(profile) if n["@type"] == "ProfilePage")
    assert page["mainEntity"] == {"@id": "https://test.example/#organization"}
    assert validate_jsonld(profile) == []


def test_people_pages_are_in_the_sitemap_and_paginated(make_site):
    articles = {f"content/articles/a{n}.md": ARTICLE.replace('"Touch and chronic pain"', f'"Article {n}"')
                .replace("date: 2026-01-15", f"date: 2026-01-{10 + n}") for n in range(3)}
    out = build_site(make_site({**articles, "content/site.yaml": SITE_YAML + "page_size: 2\n"}))
    # four articles by the team (touch.md and three more), two to a page
    assert (out / "people/team/page/2/index.html").is_file() and not (out / "people/team/page/3").exists()
    sitemap = (out / "sitemap.xml").read_text()
    assert "https://test.example/people/team/page/2/" in sitemap and "https://test.example/people/jane/" in sitemap
    second = soup(out / "people/team/page/2/index.html")
    assert second.h1.get_text() == "Test Health Editorial Team (page 2 of 2)"
    assert second.select_one(".person-bio") is None  # the bio is on the first page


def test_the_repository_example_has_its_editorial_team_page(tmp_path):
    out = build_site(copy_fixture("example", tmp_path / "source"), tmp_path / "out")
    page = soup(out / "people/editorial-team/index.html")
    assert page.h1.get_text() == "PainConnect Editorial Team"
    assert len(page.select(".article-card")) == len(list((out / "articles").glob("*/index.html")))
