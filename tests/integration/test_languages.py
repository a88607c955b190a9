"""Multilingual sites (site.yaml `languages`): URLs, hreflang, the switcher, JSON-LD, feeds,
sitemap, tags, search and theme strings per language, on tests/fixtures/multilingual/;
every validation error with its exact `path:line` line; and a single-language site with
no trace of any of it.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from conftest import ARTICLE, REPO, SITE_YAML, build_site, copy_fixture, write_site
from lxml import etree
from schemaorg import graph_nodes, required_problems, validate_jsonld
from test_errors import assert_bad_input_reported, tree_digest

from painconnect_site.commands.cli import main

BASE = "https://multilingual.example/"
NODE = shutil.which("node")
QUERY_JS = REPO / "scripts" / "search_query.js"
ATOM = "{http://www.w3.org/2005/Atom}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
XHTML = "{http://www.w3.org/1999/xhtml}"

ENGLISH_ARTICLES = ["articles/touch-and-pain/", "articles/back-pain-and-sex/", "articles/headache-and-sex/"]
SPANISH_ARTICLES = ["es/articles/sexualidad-y-dolor-en-mujeres/", "es/articles/contacto-y-dolor/",
                    "es/articles/dolor-de-espalda-y-sexo/"]  # newest first
PAGES = {
    "", "articles/", *ENGLISH_ARTICLES, "about/", "tags/", "tags/back-pain/", "tags/chronic-pain/",
    "tags/headache/", "tags/intimacy/", "tags/touch/", "search/", "people/jane/", "people/team/",
    "es/", "es/articles/", *SPANISH_ARTICLES, "es/quienes-somos/", "es/tags/", "es/tags/abrazos/",
    "es/tags/dolor/", "es/tags/espalda/", "es/tags/intimidad/", "es/search/",
}
# Each page that exists in both languages: English URL -> Spanish URL.
VERSIONS = {
    "": "es/", "articles/": "es/articles/", "tags/": "es/tags/", "search/": "es/search/",
    "articles/touch-and-pain/": "es/articles/contacto-y-dolor/",
    "articles/back-pain-and-sex/": "es/articles/dolor-de-espalda-y-sexo/",
    "about/": "es/quienes-somos/",
}


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    work = tmp_path_factory.mktemp("multilingual")
    return build_site(copy_fixture("multilingual", work / "source"), work / "out")


def page(out: Path, rel: str) -> BeautifulSoup:
    path = out / (rel if rel.endswith(".html") else rel + "index.html")
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def html_pages(out: Path) -> dict[str, BeautifulSoup]:
    return {path.relative_to(out).as_posix().removesuffix("index.html"): BeautifulSoup(
        path.read_text(encoding="utf-8"), "html.parser") for path in sorted(out.rglob("*.html"))}


def hreflang(doc: BeautifulSoup) -> dict[str, str]:
    return {link["hreflang"]: link["href"] for link in doc.find_all("link", rel="alternate", hreflang=True)}


def language_of(rel: str) -> str:
    return "es" if rel.startswith("es/") else "en"


# --- URLs, <html lang>, hreflang, the switcher --------------------------------------------


def test_each_language_has_its_pages_under_its_prefix(site):
    assert set(html_pages(site)) == PAGES | {"404.html"}
    assert (site / "feed.xml").is_file() and (site / "es/feed.xml").is_file()


def test_every_page_says_its_language(site):
    for rel, doc in html_pages(site).items():
        assert doc.html["lang"] == language_of(rel), rel
        assert doc.find("meta", property="og:locale")["content"] == language_of(rel), rel


def test_hreflang_alternates_are_absolute_reciprocal_and_name_the_default(site):
    pages = html_pages(site)
    for rel, doc in pages.items():
        found = hreflang(doc)
        english = next((en for en, es in VERSIONS.items() if rel in (en, es)), None)
        if english is None:
            assert found == {}, f"{rel} has no other version, so no hreflang: {found}"
            continue
        expected = {"en": BASE + english, "es": BASE + VERSIONS[english], "x-default": BASE + english}
        assert found == expected, rel
        assert doc.find("link", rel="canonical")["href"] == found[language_of(rel)]  # itself, as canonical
        other = VERSIONS[english] if rel == english else english
        assert hreflang(pages[other]) == found, f"{rel} and {other} must list each other"
        locales = [m["content"] for m in doc.find_all("meta", property="og:locale:alternate")]
        assert locales == ["es" if language_of(rel) == "en" else "en"], rel


def test_the_language_switcher_links_the_translation_or_the_other_home(site):
    for rel, doc in html_pages(site).items():
        switcher = doc.find("nav", class_="language-switcher")
        assert switcher is not None and switcher.parent.name == "div", rel
        links = switcher.find_all("a")
        assert [(a["lang"], a["hreflang"], a.get_text()) for a in links] == [
            ("en", "en", "English"), ("es", "es", "Español")], rel
        current = [a for a in links if a.get("aria-current") == "page"]
        assert len(current) == 1 and current[0]["lang"] == language_of(rel), rel
        own = "/" + (rel if rel != "404.html" else "404.html")
        if rel != "404.html":
            assert current[0]["href"] == own, rel
        english = next((en for en, es in VERSIONS.items() if rel in (en, es)), None)
        other = next(a for a in links if a is not current[0])
        if english is not None:
            assert other["href"] == "/" + (VERSIONS[english] if rel == english else english), rel
        else:
            assert other["href"] == ("/" if language_of(rel) == "es" else "/es/"), rel
    assert page(site, "es/").find("nav", class_="language-switcher")["aria-label"] == "Idioma"
    assert page(site, "").find("nav", class_="language-switcher")["aria-label"] == "Language"


# --- structured data -----------------------------------------------------------------------


def test_json_ld_says_each_pages_language_and_stays_valid(site):
    for rel, doc in html_pages(site).items():
        block = doc.find("script", type="application/ld+json")
        if rel == "404.html":
            assert block is None
            continue
        graph = json.loads(block.string)
        assert validate_jsonld(graph) + required_problems(graph) == [], rel
        nodes = graph_nodes(graph)
        languages = {node["inLanguage"] for node in nodes if "inLanguage" in node}
        assert languages == {language_of(rel)}, rel
        website = next(node for node in nodes if node["@type"] == "WebSite")
        prefix = "es/" if language_of(rel) == "es" else ""
        assert website["@id"] == f"{BASE}{prefix}#website" and website["url"] == BASE + prefix, rel
        assert website["name"] == ("Dolor y cercanía" if prefix else "Pain and Closeness"), rel
        page_node = next(node for node in nodes if "isPartOf" in node)
        assert page_node["isPartOf"] == {"@id": website["@id"]}, rel


def test_breadcrumbs_are_in_the_pages_language(site):
    crumbs = page(site, "es/articles/contacto-y-dolor/").find("nav", class_="breadcrumbs")
    assert [(a.get_text(), a["href"]) for a in crumbs.find_all("a")] == [("Inicio", "/es/"), ("Artículos", "/es/articles/")]
    graph = json.loads(page(site, "es/articles/contacto-y-dolor/").find("script", type="application/ld+json").string)
    trail = next(n for n in graph_nodes(graph) if n["@type"] == "BreadcrumbList")["itemListElement"]
    assert [(c["name"], c["item"]) for c in trail[:2]] == [("Inicio", BASE + "es/"), ("Artículos", BASE + "es/articles/")]


# --- lists, tags, related, people ------------------------------------------------------------


def listed(doc: BeautifulSoup) -> list[str]:
    return [a["href"].lstrip("/") for a in doc.select(".article-list .card-title a")]


def test_home_list_and_tags_hold_their_own_language(site):
    assert listed(page(site, "")) == listed(page(site, "articles/")) == ENGLISH_ARTICLES
    assert listed(page(site, "es/")) == listed(page(site, "es/articles/")) == SPANISH_ARTICLES
    english_tags = [a["href"] for a in page(site, "tags/").select(".tag-list a")]
    assert english_tags == ["/tags/back-pain/", "/tags/chronic-pain/", "/tags/headache/", "/tags/intimacy/", "/tags/touch/"]
    spanish = page(site, "es/tags/")
    assert [a["href"] for a in spanish.select(".tag-list a")] == [
        "/es/tags/abrazos/", "/es/tags/dolor/", "/es/tags/espalda/", "/es/tags/intimidad/"]
    assert "(2 artículos)" in spanish.select_one(".tag-list").get_text()
    assert listed(page(site, "tags/intimacy/")) == ["articles/back-pain-and-sex/", "articles/headache-and-sex/"]
    assert listed(page(site, "es/tags/intimidad/")) == [SPANISH_ARTICLES[0], SPANISH_ARTICLES[2]]
    tag_links = [a["href"] for a in page(site, "es/articles/contacto-y-dolor/").select(".tag-line a")]
    assert tag_links == ["/es/tags/dolor/", "/es/tags/abrazos/"]


def test_related_articles_are_of_the_same_language(site):
    related = [a["href"] for a in page(site, "es/articles/contacto-y-dolor/").select(".related a")]
    assert related == ["/" + SPANISH_ARTICLES[0]]  # shares "dolor"; the English version shares nothing
    assert [a["href"] for a in page(site, "articles/back-pain-and-sex/").select(".related a")] == [
        "/articles/headache-and-sex/"]


def test_people_pages_list_what_a_person_did_in_every_language(site):
    jane = page(site, "people/jane/")
    assert jane.html["lang"] == "en"
    assert set(listed(jane)) == {"articles/touch-and-pain/", "articles/headache-and-sex/",
                                 "es/articles/contacto-y-dolor/", "es/articles/sexualidad-y-dolor-en-mujeres/"}


def test_the_footer_lists_the_pages_of_the_pages_language(site):
    assert [a["href"] for a in page(site, "es/").select(".footer-links a")] == ["/es/quienes-somos/", "/es/feed.xml"]
    assert [a["href"] for a in page(site, "").select(".footer-links a")] == ["/about/", "/feed.xml"]
    # The theme's "About" link leads to the page's own language's version.
    assert page(site, "es/").select_one('nav[aria-label="Principal"] li:nth-child(4) a')["href"] == "/es/quienes-somos/"


# --- theme strings -------------------------------------------------------------------------


def test_spanish_pages_speak_spanish(site):
    doc = page(site, "es/articles/contacto-y-dolor/")
    assert doc.find("h2", id="references-title").get_text() == "Referencias"
    assert doc.find("h2", id="key-takeaways-title").get_text() == "Puntos clave"
    assert doc.find("h2", id="disclaimer-title").get_text() == "Aviso médico"
    assert doc.find("a", class_="skip-link").get_text() == "Saltar al contenido principal"
    assert doc.find("time", datetime="2026-03-05").get_text() == "5 de marzo de 2026"
    assert doc.select_one("sup.cite a")["aria-label"] == "Referencia 1"
    assert doc.find("dt", string="Revisado médicamente") is not None
    english = page(site, "articles/touch-and-pain/")
    assert english.find("h2", id="references-title").get_text() == "References"
    assert english.select_one("sup.cite a")["aria-label"] == "Reference 1"
    assert english.find("time", datetime="2026-03-02").get_text() == "2 March 2026"
    search = page(site, "es/search/").find("form", id="search-form")
    assert search["data-index"] == "/search-index/es/"
    assert search["data-text-found-other"] == "{count} artículos encontrados para “{query}”{where}."
    assert page(site, "search/").find("form", id="search-form")["data-index"] == "/search-index/"


def test_a_site_overrides_theme_strings_per_language(tmp_path):
    source = copy_fixture("multilingual", tmp_path / "source")
    write_site(source, {"content/i18n/es.yaml": "references: Bibliografía\nmonths: [ene, feb, mar, abr, may, jun, "
                                                "jul, ago, sep, oct, nov, dic]\n"}, base={})
    out = build_site(source, tmp_path / "out")
    doc = page(out, "es/articles/contacto-y-dolor/")
    assert doc.find("h2", id="references-title").get_text() == "Bibliografía"
    assert doc.find("time", datetime="2026-03-05").get_text() == "5 de mar de 2026"
    assert page(out, "articles/touch-and-pain/").find("h2", id="references-title").get_text() == "References"


def test_a_language_the_theme_has_no_strings_for_speaks_english_with_a_warning(tmp_path, capsys):
    source = copy_fixture("multilingual", tmp_path / "source")
    yaml = (source / "content/site.yaml").read_text(encoding="utf-8")
    write_site(source, {"content/site.yaml": yaml.replace("people:\n", "  fr:\n    name: Français\npeople:\n"),
                        "content/fr/pages/a-propos.md": "---\ntitle: \"À propos\"\ndescription: \"Qui écrit ce "
                        "site et comment nous choisissons nos sources, en quelques mots.\"\ndate: 2026-01-01\n"
                        "translation_key: about\n---\n\nNous sommes une petite équipe.\n"}, base={})
    capsys.readouterr()
    out = build_site(source, tmp_path / "out")
    warnings = [line for line in capsys.readouterr().err.splitlines() if "warning" in line]
    assert len(warnings) == 1 and re.fullmatch(
        r"content/site\.yaml:19: warning: the theme has no strings for language 'fr': its pages show \d+ "
        r"string\(s\) in English until content/i18n/fr\.yaml translates them", warnings[0]), warnings
    doc = page(out, "fr/a-propos/")
    assert doc.html["lang"] == "fr" and doc.find("a", class_="skip-link").get_text() == "Skip to main content"
    assert [a.get_text() for a in doc.select(".language-switcher a")] == ["English", "Español", "Français"]
    assert hreflang(page(out, "about/"))["fr"] == BASE + "fr/a-propos/"
    assert (out / "search-index/fr/meta.json").is_file()  # a language without articles still has its (empty) index


# --- feeds and sitemap ---------------------------------------------------------------------------


def test_each_language_has_its_feed(site):
    for feed, language, articles in (("feed.xml", "en", ENGLISH_ARTICLES), ("es/feed.xml", "es", SPANISH_ARTICLES)):
        root = etree.parse(str(site / feed)).getroot()
        assert root.get("{http://www.w3.org/XML/1998/namespace}lang") == language
        entries = [entry.find(f"{ATOM}link").get("href") for entry in root.findall(f"{ATOM}entry")]
        assert entries == [BASE + url for url in articles], feed
        assert root.find(f"{ATOM}link[@rel='self']").get("href") == BASE + feed
    assert etree.parse(str(site / "es/feed.xml")).getroot().find(f"{ATOM}title").text == "Dolor y cercanía"


def test_the_sitemap_lists_every_version_of_each_page(site):
    root = etree.parse(str(site / "sitemap.xml")).getroot()
    found = {}
    for url in root.findall(f"{SITEMAP}url"):
        loc = url.find(f"{SITEMAP}loc").text
        found[loc] = {link.get("hreflang"): link.get("href") for link in url.findall(f"{XHTML}link")}
        assert all(link.get("rel") == "alternate" for link in url.findall(f"{XHTML}link"))
    # Every page but the topics and search pages, as on a single-language site.
    assert set(found) == {BASE + rel for rel in PAGES - {"tags/", "es/tags/", "search/", "es/search/"}}
    for english, spanish in VERSIONS.items():
        if BASE + english in found:
            expected = {"en": BASE + english, "es": BASE + spanish, "x-default": BASE + english}
            assert found[BASE + english] == found[BASE + spanish] == expected
    assert found[BASE + "articles/headache-and-sex/"] == {} and found[BASE + SPANISH_ARTICLES[0]] == {}


# --- search ------------------------------------------------------------------------------------


def query(out: Path, language: str, *queries: str) -> dict[str, list[str]]:
    args = [NODE, str(QUERY_JS), str(out), *queries, "--shown", "100"] + (["--language", language] if language else [])
    result = subprocess.run(args, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    return {entry["query"]: [r["url"] for r in entry["results"]] for entry in json.loads(result.stdout)}


@pytest.mark.skipif(NODE is None, reason="the search client tests need node (apt-get install nodejs)")
def test_each_language_searches_its_own_articles_with_its_own_stems(site):
    spanish = query(site, "es", "sexuales ", "posición ", "hugs ", "el ")
    # "sexuales" also finds the article that only says "sexual" and "sexualidad" (Spanish stems: "sexual");
    # English words are in the English index only; "el" is a Spanish stop word.
    assert sorted(spanish.pop("sexuales ")) == ["es/articles/contacto-y-dolor/", "es/articles/sexualidad-y-dolor-en-mujeres/"]
    assert spanish == {"posición ": ["es/articles/dolor-de-espalda-y-sexo/"], "hugs ": [], "el ": []}
    english = query(site, "", "hugging ", "abrazos ", "positions ")
    assert english == {"hugging ": ["articles/touch-and-pain/"], "abrazos ": [], "positions ": ["articles/back-pain-and-sex/"]}
    assert json.loads((site / "search-index/meta.json").read_text())["n"] == 3
    assert json.loads((site / "search-index/es/meta.json").read_text())["n"] == 3


# --- a single-language site ----------------------------------------------------------------------


def test_a_single_language_site_has_no_trace_of_languages(make_site, tmp_path):
    out = build_site(make_site())
    for rel, doc in html_pages(out).items():
        assert hreflang(doc) == {} and doc.find(class_="language-switcher") is None, rel
        assert doc.find("meta", property="og:locale:alternate") is None
    assert not any(path.relative_to(out).as_posix().startswith("es/") for path in out.rglob("*"))
    assert sorted(p.name for p in (out / "search-index").iterdir()) == ["d", "meta.json", "s", "t"]
    assert b"xhtml" not in (out / "sitemap.xml").read_bytes()
    assert (out / "articles/touch/index.html").is_file() and (out / "about/index.html").is_file()
    # Listing only the default language under `languages:` changes nothing.
    listed_site = write_site(tmp_path / "listed", {"content/site.yaml": SITE_YAML + "languages:\n  en:\n    name: English\n"})
    assert tree_digest(build_site(listed_site, tmp_path / "listed-out")) == tree_digest(out)


def test_the_same_slug_may_be_used_in_two_languages(make_site):
    out = build_site(make_site({"content/site.yaml": ES_SITE, "content/es/articles/touch.md": ARTICLE}))
    assert page(out, "articles/touch/").html["lang"] == "en" and page(out, "es/articles/touch/").html["lang"] == "es"


def test_a_lang_key_puts_a_document_in_that_language(make_site):
    out = build_site(make_site({"content/site.yaml": ES_SITE,
                                "content/articles/touch.md": ARTICLE.replace("author: team\n", "author: team\nlang: es\n")}))
    assert page(out, "es/articles/touch/").html["lang"] == "es" and not (out / "articles/touch").exists()


# --- validation: one exact line each, exit 1, previous output untouched ----------------------------

ES_SITE = SITE_YAML + "languages:\n  es:\n    name: Español\n    title: Salud de prueba\n"  # `languages` on line 17


def fm(front: str, body: str = "Body text.\n") -> str:
    return f"---\n{front}---\n\n{body}"


FRONT = ('title: "T"\ndescription: "A description that is long enough to pass every check here."\n'
         "date: 2026-01-15\nreviewed: 2026-02-01\nauthor: team\n")  # the next field is on line 7

ERRORS = {
    "bad-language-tag": (
        {"content/site.yaml": SITE_YAML + "languages:\n  spanish:\n    name: Español\n"},
        "content/site.yaml:18: error: languages key 'spanish' is not a language tag: use a code like 'en', 'es' or "
        "'pt-br' (two or three letters, then optional subtags after hyphens)"),
    "bad-default-language": (
        {"content/site.yaml": SITE_YAML + "language: english\n"},
        "content/site.yaml:17: error: language 'english' is not a language tag: use a code like 'en', 'es' or "
        "'pt-br' (two or three letters, then optional subtags after hyphens)"),
    "unknown-language-setting": (
        {"content/site.yaml": SITE_YAML + "languages:\n  es:\n    nombre: Español\n"},
        "content/site.yaml:19: error: unknown language setting 'nombre' (did you mean 'name'?)"),
    "folder-of-no-language": (
        {"content/fr/articles/a.md": fm(FRONT)},
        "content/fr/articles/a.md:1: error: folder 'content/fr/' is not a language of the site: the site has one "
        "language; list the others under `languages:` in content/site.yaml"),
    "folder-of-an-unlisted-language": (
        {"content/site.yaml": ES_SITE, "content/fr/pages/a.md": fm('title: "T"\ndescription: "D"\ndate: 2026-01-15\n')},
        "content/fr/pages/a.md:1: error: folder 'content/fr/' is not a language of the site: the site's languages "
        "are en, es (content/site.yaml `languages`)"),
    "unknown-lang": (
        {"content/site.yaml": ES_SITE, "content/articles/a.md": fm(FRONT + "lang: fr\n")},
        "content/articles/a.md:7: error: unknown language 'fr' in 'lang' (the site's languages: en, es)"),
    "lang-against-folder": (
        {"content/site.yaml": ES_SITE, "content/es/articles/a.md": fm(FRONT + "lang: en\n")},
        "content/es/articles/a.md:7: error: 'lang: en' contradicts the file's folder content/es/; remove the field "
        "or move the file"),
    "translation-key-twice-in-one-language": (
        {"content/site.yaml": ES_SITE, "content/articles/a.md": fm(FRONT + "translation_key: care\n"),
         "content/articles/b.md": fm(FRONT + "translation_key: care\n")},
        "content/articles/b.md:7: error: translation_key 'care' is already used by content/articles/a.md, in the "
        "same language ('en'); translations of one document share a key across languages, one each"),
    "page-slug-is-a-language-folder": (
        {"content/site.yaml": ES_SITE, "content/pages/es.md": fm('title: "T"\ndescription: "D"\ndate: 2026-01-15\n')},
        "content/pages/es.md:1: error: page slug 'es' is the folder of the 'es' pages (/es/); choose another"),
    "reserved-slug-in-a-language": (
        {"content/site.yaml": ES_SITE, "content/es/pages/tags.md": fm('title: "T"\ndescription: "D"\ndate: 2026-01-15\n')},
        "content/es/pages/tags.md:1: error: page slug 'tags' is reserved by the generator; choose another"),
    "alias-on-a-language-home": (
        {"content/site.yaml": ES_SITE, "content/articles/a.md": fm(FRONT + "aliases: [/es/]\n")},
        "content/articles/a.md:7: error: alias '/es/' is a page or file the generator writes; choose another"),
    "unknown-string": (
        {"content/site.yaml": ES_SITE, "content/i18n/es.yaml": "# ours\nreferencias: Bibliografía\n"},
        "content/i18n/es.yaml:2: error: unknown string 'referencias' (not in the theme's en.yaml) (did you mean 'references'?)"),
    "unknown-placeholder": (
        {"content/site.yaml": ES_SITE, "content/i18n/es.yaml": 'tag_title: "Artículos sobre {tema}"\n'},
        "content/i18n/es.yaml:1: error: string 'tag_title' uses {tema}, which is not one of its placeholders ({tag})"),
    "unpaired-brace": (
        {"content/i18n/en.yaml": 'tag_title: "About {tag"\n'},
        "content/i18n/en.yaml:1: error: string 'tag_title' has a '{' or '}' that does not pair up; write {{ and }} for a brace"),
    "plural-given-as-text": (
        {"content/site.yaml": ES_SITE, "content/i18n/es.yaml": 'article_count: "{count} artículos"\n'},
        "content/i18n/es.yaml:1: error: string 'article_count' has plural forms: give 'one' and 'other' (text for a "
        "count of 1, and for any other count)"),
    "months-not-twelve": (
        {"content/i18n/en.yaml": "months: [Jan, Feb]\n"},
        "content/i18n/en.yaml:1: error: 'months' must list the twelve month names, January first"),
    "strings-of-no-language": (
        {"content/site.yaml": ES_SITE, "content/i18n/de.yaml": "references: Literatur\n"},
        "content/i18n/de.yaml:1: error: strings for 'de', which is not a language of the site (en, es); name the file "
        "after one (content/i18n/<lang>.yaml)"),
    "template-asks-for-a-string-the-theme-lacks": (
        {"templates/page.html": "{% extends 'base.html' %}\n{% block content %}\n<p>{{ t('no_such_string') }}</p>\n{% endblock %}\n"},
        "templates/page.html:3: error: template error: unknown theme string 'no_such_string' (not in the theme's i18n/en.yaml)"),
}


@pytest.mark.parametrize("case", sorted(ERRORS))
def test_language_mistakes_give_one_line_and_keep_the_previous_output(case, make_site, capsys):
    assert_bad_input_reported(make_site(), *ERRORS[case], capsys)


def test_a_vanished_tag_page_of_another_language_is_not_a_removed_page(tmp_path, capsys):
    """Without the build's record of documents, `removed-page` tells pages from generated lists by
    their URL; a Spanish tag page is a list page too."""
    source = copy_fixture("multilingual", tmp_path / "source")
    assert main(["build", "--source", str(source), "--no-cache"]) == 0  # no record: URLs alone decide
    path = source / "content/es/articles/contacto-y-dolor.md"
    path.write_text(path.read_text(encoding="utf-8").replace("tags: [dolor, abrazos]", "tags: [dolor]"), encoding="utf-8")
    (source / "content/es/pages/quienes-somos.md").unlink()
    capsys.readouterr()
    main(["check", "--source", str(source)])
    removed = [line for line in capsys.readouterr().err.splitlines() if "[removed-page]" in line]
    assert len(removed) == 1 and "/es/quienes-somos/ was published" in removed[0], removed
