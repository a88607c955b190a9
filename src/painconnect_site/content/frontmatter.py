"""Stage 2: split the `---` front matter from the body and validate it."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from ..core.errors import Diagnostics, did_you_mean
from ..core.kinds import ARTICLE, PAGE
from ..core.model import DocumentMeta, FaqItem, ParsedDocument, SiteConfig, SourceFile
from ..core.schema import ANY, BOOL, DATE, MAPPING, TEXT, TEXT_LIST, Field, validate_mapping
from ..core.urls import alias_url
from ..core.yaml_lines import YamlError, load_yaml

SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")

PAGE_FIELDS = {
    "title": Field(TEXT, required=True),
    "description": Field(TEXT, required=True),
    "date": Field(DATE, required=True),
    "updated": Field(DATE),
    "author": Field(TEXT),
    "tags": Field(TEXT_LIST),
    "image": Field(TEXT),
    "image_alt": Field(TEXT),
    "affiliate": Field(BOOL),
    "draft": Field(BOOL),
    "slug": Field(TEXT),
    "aliases": Field(TEXT_LIST),  # earlier URLs of the page: redirected to it
    "lint_ignore": Field(MAPPING),
    # A page with clinical content (urgent help, red flags) carries review dates too.
    "reviewed": Field(DATE),
    "review_due": Field(DATE),
    "reviewer": Field(TEXT),
    # Multilingual sites (site.yaml `languages`): the document's language, when its folder does not
    # say it (content/<lang>/...), and the key shared by its translations.
    "lang": Field(TEXT),
    "translation_key": Field(TEXT),
}
ARTICLE_FIELDS = {
    **PAGE_FIELDS,
    "author": Field(TEXT, required=True),
    "reviewed": Field(DATE, required=True),
    "about": Field(TEXT_LIST),
    "summary": Field(TEXT_LIST),
    "faq": Field(ANY),
}
FIELDS_BY_KIND = {ARTICLE.name: ARTICLE_FIELDS, PAGE.name: PAGE_FIELDS}
FAQ_FIELDS = {"q": Field(TEXT, required=True), "a": Field(TEXT, required=True)}


def split_front_matter(text: str) -> tuple[str, str, int] | None:
    """(yaml, body, body_start_line) or None when the file has no `---` block."""
    if not text.startswith("---\n"):
        return None
    end = re.search(r"^---[ \t]*$", text[4:], flags=re.MULTILINE)
    if end is None:
        return None
    yaml_text = text[4 : 4 + end.start()]
    rest = text[4 + end.end() :].removeprefix("\n")
    body_start = yaml_text.count("\n") + 3  # opening ---, yaml lines, closing ---
    return yaml_text, rest, body_start


def parse_document(src: SourceFile, config: SiteConfig, static_files: frozenset[str], diags: Diagnostics) -> ParsedDocument | None:
    split = split_front_matter(src.text)
    if split is None:
        diags.error(src.rel, 1, "missing front matter: the file must start with a '---' line, YAML fields, and a closing '---' line")
        return None
    yaml_text, body, body_start = split
    try:
        doc = load_yaml(yaml_text)
    except YamlError as exc:
        diags.error(src.rel, exc.line + 1, exc.message)
        return None

    def line_of(key_path: tuple) -> int:
        while key_path and key_path not in doc.lines:
            key_path = key_path[:-1]
        return doc.lines[key_path] + 1 if key_path else 1

    for key_path, line in doc.duplicates:
        diags.error(src.rel, line + 1, f"duplicate field '{key_path[-1]}'")
    errors_before = len(diags.errors)
    spec = FIELDS_BY_KIND[src.kind]
    if doc.data is None:
        diags.error(src.rel, 1, "front matter is empty (title, description, date are required)")
        return None
    values = validate_mapping(doc.data, spec, rel=src.rel, path=(), line_of=line_of, diags=diags)
    faq = _faq(values.get("faq"), src.rel, line_of, diags)
    lint_ignore = _lint_ignore(values.get("lint_ignore", {}), src.rel, line_of, diags)
    slug = _slug(values.get("slug"), src, line_of, diags)
    author = values.get("author") or config.default_author
    _check_people(values, author, config, src.rel, line_of, diags)
    _check_dates(values, src.rel, line_of, diags)
    _check_image(values, static_files, src.rel, line_of, diags)
    aliases = _aliases(doc.data.get("aliases") if "aliases" in values else None, src.rel, line_of, diags)
    lang = _language(values.get("lang"), src, config, line_of, diags)
    if len(diags.errors) > errors_before or author is None or slug is None or lang is None:
        if author is None and len(diags.errors) == errors_before:
            diags.error(src.rel, 1, "missing field 'author' (and site.yaml has no default_author)")
        return None
    reviewed = values.get("reviewed")
    meta = DocumentMeta(
        title=values["title"],
        description=values["description"],
        date=values["date"],
        author=author,
        slug=slug,
        reviewed=reviewed,
        updated=values.get("updated"),
        review_due=values.get("review_due") or (add_months(reviewed, 12) if reviewed else None),
        reviewer=values.get("reviewer"),
        tags=values.get("tags", ()),
        about=values.get("about", ()),
        summary=values.get("summary", ()),
        faq=faq,
        image=values.get("image"),
        image_alt=values.get("image_alt"),
        affiliate=values.get("affiliate", False),
        draft=values.get("draft", False),
        lint_ignore=lint_ignore,
        lines={str(k[0]): line_of(k) for k in doc.lines if len(k) == 1},
        summary_lines=tuple(line_of(("summary", i)) for i in range(len(values.get("summary", ())))),
        aliases=tuple(url for url, _ in aliases),
        alias_lines=tuple(line for _, line in aliases),
        lang=lang,
        translation_key=values.get("translation_key"),
    )
    return ParsedDocument(source=src, kind=src.kind, meta=meta, body_offset=len(src.text) - len(body),
                          body_start_line=body_start)


def add_months(day: dt.date, months: int) -> dt.date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    for last_day in (day.day, 30, 29, 28):  # 29 February + 12 months -> 28 February
        try:
            return dt.date(year, month, last_day)
        except ValueError:
            continue
    raise AssertionError("unreachable")


def _faq(raw: Any, rel: str, line_of, diags: Diagnostics) -> tuple[FaqItem, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list):
        diags.error(rel, line_of(("faq",)), "field 'faq' must be a list of {q, a} items")
        return ()
    items = []
    for index, entry in enumerate(raw):
        values = validate_mapping(entry, FAQ_FIELDS, rel=rel, path=("faq", index), line_of=line_of, diags=diags, what="FAQ field")
        if "q" in values and "a" in values:
            items.append(FaqItem(values["q"], values["a"], line_of(("faq", index, "q"))))
    return tuple(items)


def _lint_ignore(raw: dict, rel: str, line_of, diags: Diagnostics) -> dict[str, str]:
    ignores = {}
    for rule, reason in raw.items():
        if not isinstance(reason, str) or not reason.strip():
            diags.error(rel, line_of(("lint_ignore", rule)), f"lint_ignore '{rule}' needs a reason (rule-id: \"why it does not apply\")")
        else:
            ignores[str(rule)] = reason.strip()
    return ignores


def _aliases(raw: Any, rel: str, line_of, diags: Diagnostics) -> list[tuple[str, int]]:
    """(site-relative URL, line) of each alias; collisions are checked site-wide (site_index.py)."""
    if raw is None:
        return []
    items = [(raw, line_of(("aliases",)))] if isinstance(raw, str) else [
        (item, line_of(("aliases", index))) for index, item in enumerate(raw)]
    found = []
    for item, line in items:
        alias = str(item).strip()
        if not alias:
            continue
        url, problem = alias_url(alias)
        if url is None:
            diags.error(rel, line, f"invalid alias '{alias}': {problem}")
        else:
            found.append((url, line))
    return found


def _slug(raw: str | None, src: SourceFile, line_of, diags: Diagnostics) -> str | None:
    slug = raw if raw is not None else src.path.stem
    if SLUG_RE.match(slug):
        return slug
    where = line_of(("slug",)) if raw is not None else 1
    origin = "slug" if raw is not None else "slug from the file name"
    diags.error(src.rel, where, f"invalid {origin} '{slug}': use lowercase letters, digits and single hyphens ([a-z0-9-])")
    return None


def _language(raw: str | None, src: SourceFile, config: SiteConfig, line_of, diags: Diagnostics) -> str | None:
    """The document's language code: its folder's (content/<lang>/...), its `lang`, or the default."""
    codes = {language.code.lower(): language.code for language in config.all_languages}
    known = ", ".join(codes.values())
    folder = src.folder_lang
    if folder and folder.lower() not in codes:
        where = (f"the site's languages are {known} (content/site.yaml `languages`)" if config.multilingual
                 else "the site has one language; list the others under `languages:` in content/site.yaml")
        diags.error(src.rel, 1, f"folder 'content/{folder}/' is not a language of the site: {where}")
        return None
    if raw is not None and raw.lower() not in codes:
        diags.error(src.rel, line_of(("lang",)),
                    f"unknown language '{raw}' in 'lang' (the site's languages: {known}){did_you_mean(raw, codes)}")
        return None
    if folder and raw is not None and raw.lower() != folder.lower():
        diags.error(src.rel, line_of(("lang",)), f"'lang: {raw}' contradicts the file's folder content/{folder}/; "
                                                 f"remove the field or move the file")
        return None
    chosen = folder or raw
    return codes[chosen.lower()] if chosen else config.language


def _check_people(values: dict, author: str | None, config: SiteConfig, rel: str, line_of, diags: Diagnostics) -> None:
    for key, person_id in (("author", author), ("reviewer", values.get("reviewer"))):
        if person_id and person_id not in config.people:
            hint = did_you_mean(person_id, config.people)
            diags.error(rel, line_of((key,)), f"unknown person '{person_id}' in '{key}' (not in content/site.yaml people){hint}")


def _check_dates(values: dict, rel: str, line_of, diags: Diagnostics) -> None:
    date, updated, reviewed, due = (values.get(k) for k in ("date", "updated", "reviewed", "review_due"))
    if date and updated and updated < date:
        diags.error(rel, line_of(("updated",)), f"'updated' ({updated}) is before 'date' ({date})")
    if date and reviewed and reviewed < date:
        diags.error(rel, line_of(("reviewed",)), f"'reviewed' ({reviewed}) is before 'date' ({date})")
    if reviewed and due and due <= reviewed:
        diags.error(rel, line_of(("review_due",)), f"'review_due' ({due}) must be after 'reviewed' ({reviewed})")


def _check_image(values: dict, static_files: frozenset[str], rel: str, line_of, diags: Diagnostics) -> None:
    image = values.get("image")
    if image is None:
        if "image_alt" in values:
            diags.error(rel, line_of(("image_alt",)), "'image_alt' given without 'image'")
        return
    if image.lstrip("/").removeprefix("static/") not in static_files:
        diags.error(rel, line_of(("image",)), f"image '{image}' not found under static/")
    if not values.get("image_alt"):
        diags.error(rel, line_of(("image",)), "'image' needs 'image_alt' (describe the image for readers who cannot see it)")
