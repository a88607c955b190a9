"""The site language by language: each language's edition, the translations of each document,
and related articles (of the same language only).

A single-language site has one edition holding every document, so everything built from
editions (home, lists, tags, feed, search) is what it was before languages existed.
"""

from __future__ import annotations

from typing import Callable, Mapping, Sequence

from ..core.model import Edition, ResolvedDocument, SiteConfig
from ..core.urls import slugify
from .related import Positions, Remember, related_articles

Translations = Mapping[str, tuple[tuple[str, str], ...]]  # document URL -> (language code, URL) of each version
RememberByLanguage = Callable[[str, Callable[[], Positions]], Positions]  # (language code, compute) -> positions


def assemble_editions(config: SiteConfig, articles: Sequence[ResolvedDocument], pages: Sequence[ResolvedDocument],
                      remember: RememberByLanguage | None = None,
                      ) -> tuple[tuple[Edition, ...], Mapping[str, tuple[ResolvedDocument, ...]], Translations]:
    """(the editions, the default first; article URL -> related articles; the translations).

    `articles` are newest first and `pages` by URL, as the site lists them; each edition keeps
    that order. `remember`: see related.py (`serve`)."""
    languages = config.all_languages

    def remembering(code: str) -> Remember | None:
        return None if remember is None else (lambda make: remember(code, make))

    if len(languages) == 1:  # the common case: one edition of everything, nothing to link
        edition = Edition(languages[0], tuple(articles), tuple(pages), tag_index(articles))
        return (edition,), related_articles(articles, remembering(languages[0].code)), {}
    editions = []
    related: dict[str, tuple[ResolvedDocument, ...]] = {}
    for language in languages:
        own = [doc for doc in articles if config.language_of(doc.lang) is language]
        editions.append(Edition(language, tuple(own), tuple(doc for doc in pages if config.language_of(doc.lang) is language),
                                tag_index(own)))
        related.update(related_articles(own, remembering(language.code)))
    return tuple(editions), related, translations([*articles, *pages], [language.code for language in languages])


def translations(docs: Sequence[ResolvedDocument], order: Sequence[str]) -> Translations:
    """Documents sharing a `translation_key` (one per language: content/site_index.py checks it)
    are versions of each other; each maps to all of them, in the order of the site's languages."""
    by_key: dict[str, list[ResolvedDocument]] = {}
    for doc in docs:
        if doc.meta.translation_key is not None:
            by_key.setdefault(doc.meta.translation_key, []).append(doc)
    rank = {code: index for index, code in enumerate(order)}
    found: dict[str, tuple[tuple[str, str], ...]] = {}
    for versions in by_key.values():
        if len(versions) > 1:
            linked = tuple(sorted(((doc.lang, doc.url) for doc in versions), key=lambda v: rank.get(v[0], len(rank))))
            found.update((doc.url, linked) for doc in versions)
    return dict(sorted(found.items()))


def tag_index(articles: Sequence[ResolvedDocument]) -> dict[str, tuple[ResolvedDocument, ...]]:
    """Tag slug -> the articles carrying it, in the order given, by slug."""
    tags: dict[str, list[ResolvedDocument]] = {}
    for doc in articles:
        for tag in doc.meta.tags:
            tags.setdefault(slugify(tag), []).append(doc)
    return {slug: tuple(docs) for slug, docs in sorted(tags.items())}
