"""Stage 0: site settings from content/site.yaml."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlsplit

from ..core.errors import Diagnostics
from ..core.model import ImageSettings, Language, Organization, Person, SiteConfig
from ..core.schema import BOOL, INT, INT_LIST, MAPPING, TEXT, Field, validate_mapping
from ..core.urls import language_prefix, person_url
from ..core.yaml_lines import YamlError, load_yaml

SITE_FILE = "content/site.yaml"
DEFAULT_STYLE = "american-medical-association"

SITE_FIELDS = {
    "title": Field(TEXT, required=True),
    "base_url": Field(TEXT, required=True),
    "language": Field(TEXT),
    "description": Field(TEXT, required=True),
    "organization": Field(MAPPING, required=True),
    "citation_style": Field(TEXT),
    "default_author": Field(TEXT),
    "people": Field(MAPPING),
    "references": Field(MAPPING),
    "page_size": Field(INT),
    "feed_size": Field(INT),
    "images": Field(MAPPING),
    "languages": Field(MAPPING),
}
# `languages: {es: {name: Español, title: ..., description: ...}}`: the site in more languages than
# `language` (the default, whose pages keep today's URLs); each other one lives under /<code>/.
LANGUAGE_FIELDS = {"name": Field(TEXT), "title": Field(TEXT), "description": Field(TEXT)}
# A BCP 47 language tag as sites use them: a language, then optional script/region/variant subtags.
LANGUAGE_TAG_RE = re.compile(r"^[a-z]{2,3}(?:-[a-z0-9]{2,8})*$", re.IGNORECASE)
# Resized variants of the images pages show (render/images.py); defaults in core.model.ImageSettings.
IMAGES_FIELDS = {"widths": Field(INT_LIST), "sizes": Field(TEXT), "quality": Field(INT)}
MAX_IMAGE_WIDTH = 4000
MAX_QUALITY = 95
DEFAULT_IMAGES = ImageSettings()
# `refs verify` and the reference-verification rules (refs/settings.py gives the defaults).
REFERENCES_FIELDS = {"contact": Field(TEXT), "require_verification": Field(BOOL), "max_age_days": Field(TEXT)}
ORGANIZATION_FIELDS = {"name": Field(TEXT, required=True), "url": Field(TEXT, required=True), "logo": Field(TEXT)}
PERSON_FIELDS = {
    "name": Field(TEXT, required=True),
    "kind": Field(TEXT),
    "credentials": Field(TEXT),
    "role": Field(TEXT),
    "url": Field(TEXT),
    "bio": Field(TEXT),
}
PERSON_KINDS = ("person", "organization")


def load_config(root: Path, diags: Diagnostics, base_url: str | None = None) -> SiteConfig | None:
    """Read and validate site.yaml; None (with diagnostics) when it is unusable."""
    text = read_config_text(root, diags)
    return None if text is None else parse_config(text, root, diags, base_url)


def read_config_text(root: Path, diags: Diagnostics) -> str | None:
    try:
        return (root / SITE_FILE).read_text(encoding="utf-8")
    except FileNotFoundError:
        diags.error(SITE_FILE, 1, "site settings file not found (create content/site.yaml; see README 'Content format')")
    except UnicodeDecodeError as exc:
        diags.error(SITE_FILE, 1, f"file is not valid UTF-8 ({exc.reason} at byte {exc.start})")
    return None


def parse_config(text: str, root: Path, diags: Diagnostics, base_url: str | None = None) -> SiteConfig | None:
    """Validate site.yaml's text (a pure function of its arguments: the build caches it)."""
    try:
        doc = load_yaml(text)
    except YamlError as exc:
        diags.error(SITE_FILE, exc.line, exc.message)
        return None
    lines = doc.lines

    def line_of(key_path: tuple) -> int:
        while key_path and key_path not in lines:
            key_path = key_path[:-1]
        return lines.get(key_path, 1)

    for key_path, line in doc.duplicates:
        diags.error(SITE_FILE, line, f"duplicate key '{key_path[-1]}'")
    values = validate_mapping(doc.data, SITE_FIELDS, rel=SITE_FILE, path=(), line_of=line_of, diags=diags, what="setting")
    org_values = validate_mapping(
        values.get("organization", {}), ORGANIZATION_FIELDS, rel=SITE_FILE, path=("organization",),
        line_of=line_of, diags=diags, what="organization setting",
    ) if "organization" in values else {}
    people = _people(values.get("people", {}), line_of, diags)
    references = _references(values.get("references", {}), line_of, diags)
    images = _images(values.get("images", {}), line_of, diags)
    languages = _languages(values, line_of, diags)

    url = base_url or values.get("base_url", "")
    if url and not _is_absolute_http(url):
        diags.error(SITE_FILE, line_of(("base_url",)), f"base_url '{url}' must be an absolute http(s) URL like https://example.org/")
    default_author = values.get("default_author")
    if default_author and default_author not in people:
        diags.error(SITE_FILE, line_of(("default_author",)), f"default_author '{default_author}' is not in people")
    if diags.has_errors() or "title" not in values or "organization" not in values:
        return None
    return SiteConfig(
        root=root,
        title=values["title"],
        base_url=url.rstrip("/") + "/",
        language=languages[0].code,
        description=values["description"],
        organization=Organization(org_values["name"], org_values["url"], org_values.get("logo")),
        citation_style=values.get("citation_style", DEFAULT_STYLE),
        people=people,
        default_author=default_author,
        lines={key[0]: line for key, line in lines.items() if len(key) == 1},
        references=references,
        **{key: values[key] for key in ("page_size", "feed_size") if key in values},
        images=images,
        languages=languages,
    )


def _people(raw: dict, line_of, diags: Diagnostics) -> dict[str, Person]:
    people: dict[str, Person] = {}
    page_of: dict[str, str] = {}  # person page URL -> the id that has it
    for person_id, entry in raw.items():
        page = person_url(str(person_id))
        if page == person_url(""):
            diags.error(SITE_FILE, line_of(("people", person_id)),
                        f"person id '{person_id}' needs letters or digits: it names the person's page /people/<id>/")
        elif page in page_of:
            diags.error(SITE_FILE, line_of(("people", person_id)),
                        f"person id '{person_id}' gives the same page /{page} as '{page_of[page]}'; rename one")
        page_of.setdefault(page, str(person_id))
        values = validate_mapping(entry, PERSON_FIELDS, rel=SITE_FILE, path=("people", person_id),
                                  line_of=line_of, diags=diags, what="person field")
        kind = values.get("kind", "person")
        if kind not in PERSON_KINDS:
            diags.error(SITE_FILE, line_of(("people", person_id, "kind")), f"person kind '{kind}' must be 'person' or 'organization'")
        if "name" in values:
            people[str(person_id)] = Person(
                id=str(person_id), name=values["name"], kind=kind, credentials=values.get("credentials"),
                role=values.get("role"), url=values.get("url"), bio=values.get("bio"),
            )
    return people


def _languages(values: dict, line_of, diags: Diagnostics) -> tuple[Language, ...]:
    """The default language (`language`, its title and description from the top level, unless
    `languages` gives them), then every other language of `languages`, in site.yaml order."""
    default = values.get("language", "en")
    if not LANGUAGE_TAG_RE.match(default):
        diags.error(SITE_FILE, line_of(("language",)), _bad_tag("language", default))
    title, description = values.get("title", ""), values.get("description", "")
    found = [Language(default, title, description, "", None, line_of(("language",)))]
    raw = values.get("languages", {})
    for code, entry in raw.items():
        code, line = str(code), line_of(("languages", code))
        if not LANGUAGE_TAG_RE.match(code):
            diags.error(SITE_FILE, line, _bad_tag("languages key", code))
            continue
        settings = validate_mapping(entry if entry is not None else {}, LANGUAGE_FIELDS, rel=SITE_FILE,
                                    path=("languages", code), line_of=line_of, diags=diags, what="language setting")
        if code.lower() == default.lower():  # the default language listed too: its name, maybe its title
            found[0] = Language(default, settings.get("title", title), settings.get("description", description),
                                "", settings.get("name"), line)
            continue
        if any(code.lower() == other.code.lower() for other in found):
            diags.error(SITE_FILE, line, f"language '{code}' is listed twice")
            continue
        found.append(Language(code, settings.get("title", title), settings.get("description", description),
                              language_prefix(code), settings.get("name"), line))
    return tuple(found)


def _bad_tag(what: str, code: str) -> str:
    return (f"{what} '{code}' is not a language tag: use a code like 'en', 'es' or 'pt-br' "
            "(two or three letters, then optional subtags after hyphens)")


def _images(raw: dict, line_of, diags: Diagnostics) -> ImageSettings:
    values = validate_mapping(raw, IMAGES_FIELDS, rel=SITE_FILE, path=("images",), line_of=line_of, diags=diags,
                              what="images setting")
    widths = values.get("widths", DEFAULT_IMAGES.widths)
    if any(width > MAX_IMAGE_WIDTH for width in widths):
        diags.error(SITE_FILE, line_of(("images", "widths")),
                    f"images widths must be at most {MAX_IMAGE_WIDTH} pixels, found {max(widths)}")
    quality = values.get("quality", DEFAULT_IMAGES.quality)
    if quality > MAX_QUALITY:
        diags.error(SITE_FILE, line_of(("images", "quality")), f"images quality must be 1-{MAX_QUALITY}, found {quality}")
    return ImageSettings(widths=tuple(sorted(set(widths))), sizes=values.get("sizes", DEFAULT_IMAGES.sizes),
                         quality=quality)


def _references(raw: dict, line_of, diags: Diagnostics) -> dict[str, object]:
    values = validate_mapping(raw, REFERENCES_FIELDS, rel=SITE_FILE, path=("references",),
                              line_of=line_of, diags=diags, what="references setting")
    contact, days = values.get("contact"), values.get("max_age_days")
    if contact and not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", contact):
        diags.error(SITE_FILE, line_of(("references", "contact")),
                    f"references contact '{contact}' must be an e-mail address (the registries' polite pools ask for one)")
        values.pop("contact")
    if days is not None:
        if days.isdigit() and int(days) > 0:
            values["max_age_days"] = int(days)
        else:
            diags.error(SITE_FILE, line_of(("references", "max_age_days")),
                        f"references max_age_days must be a whole number of days, found '{days}'")
            values.pop("max_age_days")
    return values


def _is_absolute_http(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme in ("http", "https") and bool(parts.netloc)
