"""Typed intermediate objects passed between pipeline stages.

No I/O and no logic here: each stage takes these objects and returns new ones,
never mutating what an earlier stage produced.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Generic, Hashable, Mapping, Protocol, TypeVar
from urllib.parse import urlsplit

from .kinds import KIND_BY_NAME, DocumentKind


class Memory(Protocol):
    """Where `serve` keeps pure results between rebuilds (incremental.cache.BuildCache): a
    stage given one may recall what it computed from the same inputs in an earlier build."""

    @property
    def remembers(self) -> bool: ...
    def recall(self, key: Hashable) -> object | None: ...
    def remember(self, key: Hashable, value: object) -> None: ...

# --- stage 0: configuration ------------------------------------------------


@dataclass(frozen=True, slots=True)
class Person:
    id: str
    name: str
    kind: str = "person"  # "person" or "organization"
    credentials: str | None = None
    role: str | None = None
    url: str | None = None
    bio: str | None = None

    @property
    def is_organization(self) -> bool:
        return self.kind == "organization"


@dataclass(frozen=True, slots=True)
class Organization:
    name: str
    url: str
    logo: str | None  # path under static/


@dataclass(frozen=True, slots=True)
class ImageSettings:
    """site.yaml `images`: the resized variants of images under static/ (render/images.py)."""

    widths: tuple[int, ...] = (400, 800, 1200)  # variant widths in pixels (never wider than the original)
    # The theme's text column: 36rem of an 18px root (112.5%), 1rem padding either side. `sizes` lengths
    # are read at the browser's initial 16px, so they are given in pixels, not the theme's rem.
    sizes: str = "(min-width: 684px) 648px, calc(100vw - 36px)"
    quality: int = 80  # JPEG and WebP quality, 1-95


@dataclass(frozen=True, slots=True)
class Language:
    """One language the site publishes in: site.yaml `language` (the default) and `languages`."""

    code: str  # the language tag as written in <html lang> and hreflang: "en", "es", "pt-br"
    title: str  # the site's title in this language (site.yaml `title`, or the language's own)
    description: str
    prefix: str = ""  # where its pages live: "" for the default language (today's URLs), "es/" for the others
    name: str | None = None  # the switcher's label (site.yaml `name`); None: the language's strings file names it
    line: int = 1  # of its entry in site.yaml (or of `language`), for diagnostics

    @property
    def is_default(self) -> bool:
        return not self.prefix


@dataclass(frozen=True, slots=True)
class SiteConfig:
    root: Path  # the source folder
    title: str
    base_url: str  # always ends with "/", may carry a path
    language: str
    description: str
    organization: Organization
    citation_style: str
    people: Mapping[str, Person]
    default_author: str | None = None
    lines: Mapping[str, int] = field(default_factory=dict)  # top-level key -> line in site.yaml
    references: Mapping[str, object] = field(default_factory=dict)  # `references:` settings, read by refs/
    page_size: int = 20  # articles per page of the article list, tag and people pages (and on the home page)
    feed_size: int = 20  # newest articles in feed.xml
    images: ImageSettings = ImageSettings()
    # Every language, the default first (content/config.py fills it): one entry on a single-language site.
    languages: tuple[Language, ...] = ()

    @property
    def base_path(self) -> str:
        """The path part of base_url ("/" or "/painconnect/"): prefix of every internal URL."""
        return urlsplit(self.base_url).path or "/"

    @property
    def all_languages(self) -> tuple[Language, ...]:
        """The site's languages, the default first (also for a config built without `languages`)."""
        return self.languages or (Language(self.language, self.title, self.description),)

    @property
    def multilingual(self) -> bool:
        return len(self.languages) > 1

    def language_of(self, code: str) -> Language:
        """The language with this code; the default language for "" (or an unknown code)."""
        languages = self.all_languages
        return next((language for language in languages if language.code == code), languages[0])


# --- stage 1: load -----------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SourceFile:
    path: Path  # absolute
    rel: str  # posix path relative to the source root, used in diagnostics
    text: str
    kind: str  # a DocumentKind name ("article", "page") or BIBLIOGRAPHY_KIND
    folder_lang: str = ""  # "es" for content/es/articles/x.md; "" in the default folders


# --- stage 2: parse ------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class FaqItem:
    question: str
    answer: str  # Markdown
    line: int  # line of the `q:` key in the source file


@dataclass(frozen=True, slots=True)
class DocumentMeta:
    """Validated front matter. Dates are `datetime.date`."""

    title: str
    description: str
    date: dt.date
    author: str
    slug: str
    reviewed: dt.date | None = None
    updated: dt.date | None = None
    review_due: dt.date | None = None
    reviewer: str | None = None
    tags: tuple[str, ...] = ()
    about: tuple[str, ...] = ()
    summary: tuple[str, ...] = ()  # Markdown items
    faq: tuple[FaqItem, ...] = ()
    image: str | None = None
    image_alt: str | None = None
    affiliate: bool = False
    draft: bool = False
    lint_ignore: Mapping[str, str] = field(default_factory=dict)  # rule id -> reason
    lines: Mapping[str, int] = field(default_factory=dict)  # front-matter key -> line
    summary_lines: tuple[int, ...] = ()  # line of each summary item
    aliases: tuple[str, ...] = ()  # earlier URLs of the page, site-relative ("articles/old-slug/")
    alias_lines: tuple[int, ...] = ()  # line of each alias
    lang: str = ""  # its language's code (its folder content/<lang>/, `lang:`, or the default); "": the default
    translation_key: str | None = None  # documents sharing a key are translations of each other


@dataclass(frozen=True, slots=True)
class ParsedDocument:
    source: SourceFile
    kind: str  # a DocumentKind name (see kinds.py)
    meta: DocumentMeta
    body_offset: int  # where the Markdown after the front matter starts in source.text
    body_start_line: int  # line number in the file of the body's first line

    @property
    def body(self) -> str:
        """The Markdown after the front matter, sliced from the source text when read: stored
        once, not twice (a second copy of every body was ~114 MB at 10,000 articles)."""
        return self.source.text[self.body_offset:]


@dataclass(frozen=True, slots=True)
class Reference:
    """One BibTeX entry, LaTeX decoded to Unicode."""

    key: str
    entry_type: str  # lowercase BibTeX type: article, book, online, ...
    line: int  # line of the `@type{key,` in references.bib
    fields: Mapping[str, str]  # decoded field values, lowercase names (note included)
    csl: Mapping[str, object]  # CSL-JSON item (note excluded: it is internal)
    authors: tuple[str, ...]  # display names, "Given Family" or a corporate name
    title: str
    container: str | None  # journal, book title, publisher site
    year: str | None
    doi: str | None
    url: str | None
    pmid: str | None


@dataclass(frozen=True, slots=True)
class Bibliography:
    rel: str  # "references.bib"
    entries: Mapping[str, Reference]
    text: str = ""  # the file as read: the editorial check reads its `% lint-ignore` comments


# --- stage 3: resolve --------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CitationUse:
    key: str
    locator: str | None  # "p. 12"
    line: int  # line in the source file


@dataclass(frozen=True, slots=True)
class CitedGroup:
    """One bracketed citation group as numbered: what the Markdown stage turns into a superscript."""

    id: str  # element id ("cite-3"), the target of the reference list's back links
    runs: tuple[tuple[int, int], ...]  # numbers to show: (n, n) alone, (first, last) for a range
    locators: tuple[tuple[int, str], ...] = ()  # (number, "p. 12")


@dataclass(frozen=True, slots=True)
class Heading:
    level: int
    id: str
    text: str


@dataclass(frozen=True, slots=True)
class Link:
    url: str
    line: int


@dataclass(frozen=True, slots=True)
class RenderedMarkdown:
    html: str
    text: str  # plain text without the citation superscripts, for search, JSON-LD and lint
    headings: tuple[Heading, ...] = ()
    links: tuple[Link, ...] = ()  # every href and img src, as written
    images: tuple[Link, ...] = ()  # of them, the img srcs


@dataclass(frozen=True, slots=True)
class NumberedReference:
    number: int
    reference: Reference
    html: str  # the formatted entry, safe HTML
    backlinks: tuple[str, ...]  # element ids of the places citing it, in order


@dataclass(frozen=True, slots=True)
class RenderedDocument:
    """A document's Markdown rendered, citations numbered: the pure part of resolving.

    A function of the document, the base path and which cited keys exist, so the
    build cache may keep it; the checks and the reference list are redone on
    every build from the current site.
    """

    body: RenderedMarkdown
    summary: tuple[RenderedMarkdown, ...]
    answers: tuple[RenderedMarkdown, ...]  # one per FAQ item
    numbers: tuple[tuple[str, int], ...]  # (cited key, its number), in number order
    backlinks: tuple[tuple[str, ...], ...]  # per numbered key: ids of the groups citing it

    @property
    def parts(self) -> tuple[RenderedMarkdown, ...]:
        """Every rendered part in reading order (summary box, body, FAQ)."""
        return (*self.summary, self.body, *self.answers)


@dataclass(frozen=True, slots=True)
class RenderFacts:
    """What resolving needs of a rendering, without its HTML and text (a tenth of its size):
    the links and images of each part in reading order, for the link checks and image
    sizes, and the citation numbers with their backlinks, for the references list."""

    links: tuple[tuple[Link, ...], ...]
    images: tuple[tuple[Link, ...], ...]
    numbers: tuple[tuple[str, int], ...]
    backlinks: tuple[tuple[str, ...], ...]

    @classmethod
    def of(cls, rendered: RenderedDocument) -> RenderFacts:
        parts = rendered.parts
        return cls(tuple(part.links for part in parts), tuple(part.images for part in parts),
                   rendered.numbers, rendered.backlinks)


T = TypeVar("T")
_UNSET = object()


class Deferred(Generic[T]):
    """A value made on first use, then kept. A document's rendering is one: a build that
    renders no page of it (a no-change build renders none) never reads it from the cache."""

    __slots__ = ("_make", "_value")

    def __init__(self, make: Callable[[], T]) -> None:
        self._make: Callable[[], T] | None = make
        self._value: object = _UNSET

    @classmethod
    def of(cls, value: T) -> Deferred[T]:
        """One already made."""
        done: Deferred[T] = cls.__new__(cls)
        done._make, done._value = None, value
        return done

    def get(self) -> T:
        if self._value is _UNSET:
            assert self._make is not None
            self._value, self._make = self._make(), None
        return self._value  # type: ignore[return-value]

    # Compared, hashed and pickled by the value, as the field it stands for would be.
    def __eq__(self, other: object) -> bool:
        return isinstance(other, Deferred) and self.get() == other.get()

    def __hash__(self) -> int:
        return hash(self.get())

    def __reduce__(self) -> tuple[object, ...]:
        return Deferred.of, (self.get(),)

    def __repr__(self) -> str:
        return f"Deferred({self._value!r})" if self._value is not _UNSET else "Deferred(<not made yet>)"


@dataclass(frozen=True, slots=True)
class ResolvedFaq:
    question: str
    answer_html: str
    answer_text: str
    line: int


@dataclass(frozen=True, slots=True)
class ResolvedDocument:
    parsed: ParsedDocument
    url: str  # site-relative, no leading slash: "articles/slug/" or "about/"
    rendering: Deferred[RenderedDocument]  # body, summary and FAQ answers, read when first shown
    references: tuple[NumberedReference, ...]
    author: Person
    reviewer: Person | None

    @property
    def body(self) -> RenderedMarkdown:
        return self.rendering.get().body

    @property
    def summary(self) -> tuple[RenderedMarkdown, ...]:
        return self.rendering.get().summary

    @property
    def faq(self) -> tuple[ResolvedFaq, ...]:
        answers = self.rendering.get().answers
        return tuple(ResolvedFaq(item.question, answer.html, answer.text, item.line)
                     for item, answer in zip(self.parsed.meta.faq, answers))

    @property
    def document_kind(self) -> DocumentKind:
        return KIND_BY_NAME[self.parsed.kind]

    @property
    def meta(self) -> DocumentMeta:
        return self.parsed.meta

    @property
    def kind(self) -> str:
        return self.parsed.kind

    @property
    def rel(self) -> str:
        return self.parsed.source.rel

    @property
    def lang(self) -> str:
        return self.parsed.meta.lang


@dataclass(frozen=True, slots=True)
class ImageVariant:
    path: str  # output path ("static/variants/photo-1a2b3c4d5e-400.webp")
    width: int
    mime: str  # "image/webp", "image/jpeg", "image/png"


@dataclass(frozen=True, slots=True)
class ImageInfo:
    """An image under static/ that a page shows: its size and its resized variants."""

    path: str  # under static/ ("images/photo.jpg")
    width: int  # as displayed (EXIF orientation applied)
    height: int
    mime: str
    variants: tuple[ImageVariant, ...] = ()  # narrower copies, and WebP ones; empty: shown as it is


@dataclass(frozen=True, slots=True)
class Edition:
    """One language's part of the site: what its home, lists, tags, feed and search show."""

    language: Language
    articles: tuple[ResolvedDocument, ...]  # its listed documents, newest first
    pages: tuple[ResolvedDocument, ...]  # its other documents, by URL
    tags: Mapping[str, tuple[ResolvedDocument, ...]]  # tag slug -> its articles, newest first


@dataclass(frozen=True, slots=True)
class Site:
    config: SiteConfig
    articles: tuple[ResolvedDocument, ...]  # listed documents (kind.listed) of every language, newest first
    pages: tuple[ResolvedDocument, ...]  # the other documents, by URL
    tags: Mapping[str, tuple[ResolvedDocument, ...]]  # tag slug -> articles of every language, newest first
    bibliography: Bibliography
    build_date: dt.date  # from SOURCE_DATE_EPOCH or the newest content date
    related: Mapping[str, tuple[ResolvedDocument, ...]] = field(default_factory=dict)  # article URL -> related
    images: Mapping[str, ImageInfo] = field(default_factory=dict)  # path under static/ -> the image
    editions: tuple[Edition, ...] = ()  # one per language, the default first (content/editions.py)
    # Document URL -> (language code, URL) of every version of it, itself included, in the order of
    # the site's languages; only documents that have a translation are keys.
    translations: Mapping[str, tuple[tuple[str, str], ...]] = field(default_factory=dict)

    @property
    def documents(self) -> tuple[ResolvedDocument, ...]:
        return (*self.articles, *self.pages)

    def edition(self, code: str) -> Edition:
        """The edition of the language with this code (the default one for "")."""
        return next((edition for edition in self.editions if edition.language.code == code), self.editions[0])


# --- stage 4/5: render and write ---------------------------------------------


@dataclass(frozen=True, slots=True)
class OutputFile:
    path: str  # posix path inside the output folder
    data: bytes


@dataclass(frozen=True, slots=True)
class BuildResult:
    out_dir: Path
    files_written: int
    articles: int
    seconds: float
