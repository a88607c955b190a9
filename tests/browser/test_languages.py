"""A site in two languages (tests/fixtures/multilingual) in a real browser, with its CSP enforced:
axe-core on Spanish pages, the language switcher by keyboard, and the Spanish search page
finding a Spanish article by a word it only has in another form."""

from __future__ import annotations

from typing import Iterator

import pytest

from .conftest import serving_fixture
from .test_accessibility import BLOCKING_IMPACTS, describe, run_axe
from .test_keyboard import FOCUS_STATE
from .test_search import RESULT_LINK

ENGLISH = "articles/touch-and-pain/"
SPANISH = "es/articles/contacto-y-dolor/"


@pytest.fixture(scope="module")
def two_languages(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with serving_fixture("multilingual", tmp_path_factory) as url:
        yield url


@pytest.mark.parametrize("color_scheme", ["light", "dark"])
@pytest.mark.parametrize("path", ["es/", SPANISH, "es/search/", ENGLISH])
def test_no_serious_accessibility_violations_in_either_language(open_page, two_languages, axe_source, path,
                                                                  color_scheme):
    opened = open_page(path, color_scheme=color_scheme, site=two_languages)
    if path == "es/search/":
        opened.page.get_by_label("Buscar artículos").fill("dolor")
        opened.page.wait_for_selector(".search-result mark")
    blocking = [v for v in run_axe(opened.page, axe_source) if v["impact"] in BLOCKING_IMPACTS]
    assert blocking == [], f"{path} ({color_scheme}):\n{describe(blocking)}"
    opened.assert_clean()


def test_the_language_switcher_works_by_keyboard(open_page, two_languages):
    opened = open_page(ENGLISH, site=two_languages)
    page = opened.page
    switcher = page.get_by_role("navigation", name="Language")
    assert switcher.get_by_role("link", name="English").get_attribute("aria-current") == "page"
    for _ in range(40):  # Tab from the top of the page until the Spanish link has focus
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.getAttribute('hreflang')") == "es":
            break
    else:
        raise AssertionError("Tab never reached the switcher's Spanish link")
    state = page.evaluate(FOCUS_STATE)
    assert state["visibleFocus"] and state["onScreen"], state
    assert page.evaluate("document.activeElement.closest('header') !== null")  # in the header, before the content
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url == two_languages + SPANISH  # the translation, not the Spanish home page
    assert page.evaluate("document.documentElement.lang") == "es"
    current = page.get_by_role("navigation", name="Idioma").locator("[aria-current=page]")
    assert current.inner_text() == "Español" and current.get_attribute("lang") == "es"
    opened.assert_clean()


def test_the_spanish_search_finds_an_article_by_another_form_of_a_word(open_page, two_languages):
    opened = open_page("es/search/", site=two_languages)
    page = opened.page
    box = page.get_by_role("searchbox", name="Buscar artículos")
    box.fill("sexuales")
    page.wait_for_selector(RESULT_LINK)
    titles = page.locator(RESULT_LINK).all_inner_texts()
    # This article says "sexual" and "sexualidad", never "sexuales": found through the Spanish stem.
    assert "Sexualidad y dolor crónico en las mujeres" in titles and len(titles) == 2, titles
    assert all(href.startswith("/es/articles/") for href in
               (a.get_attribute("href") for a in page.locator(RESULT_LINK).all()))
    assert page.get_by_role("status").inner_text() == "2 artículos encontrados para “sexuales”."
    box.fill("hugs")  # an English word: the Spanish page searches the Spanish articles only
    page.get_by_text("No se encontraron artículos para “hugs”").wait_for()
    opened.assert_clean()
