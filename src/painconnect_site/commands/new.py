"""`new "Title"`: create content/articles/<slug>.md with a complete front-matter skeleton.

The file builds as created. It starts as `draft: true` (placeholder text must
never go live by accident): preview it with `serve --drafts`, and delete the
line to publish.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
import unicodedata
from pathlib import Path

from ..content.config import SITE_FILE, load_config
from ..core.errors import Diagnostics
from ..core.kinds import ARTICLE
from ..core.urls import slugify

EXIT_OK, EXIT_CONTENT, EXIT_USAGE = 0, 1, 2
ARTICLES_DIR = ARTICLE.folder

TEMPLATE = """\
---
title: {title}
# 50-160 characters: shown under the title in search results and link previews.
description: "TODO: say in one or two sentences what this article covers and who it is for."
date: {today}
reviewed: {today}
author: {author}
# reviewer: person-id          # the clinician who checked it (an id under `people` in content/site.yaml)
# updated: YYYY-MM-DD          # when the content last changed in a way readers would notice
# review_due: YYYY-MM-DD       # default: 12 months after `reviewed`
# image: images/example.jpg    # a file under static/ (resized for every screen; also the link preview)
# image_alt: "What the image shows"
# aliases: [/articles/old-slug/]  # earlier URLs of this article: they redirect here
# affiliate: true              # the article contains affiliate links (adds a disclosure)
# lint_ignore:
#   rule-id: "why this check does not apply here"
draft: true                    # delete this line to publish
tags: []                       # e.g. [back-pain, intimacy]
about: []                      # conditions covered, e.g. [Low back pain, Sciatica]
summary: []                    # key takeaways, one line each, e.g.
#  - "Most back pain gets better within a few weeks [@key]."
faq: []                        # questions readers ask, e.g.
#  - q: "Is it safe to exercise with back pain?"
#    a: "For most people, yes. Gentle movement usually helps [@key]."
---

TODO: open with what the reader will learn, in plain words.

## TODO: first section

<!-- Cite research with the key of its entry in references.bib, for example
`[@smith2020]`, or several at once: `[@smith2020; @lee2021]`. Every number,
percentage or study finding needs one; `python build.py check` lists those without. -->

TODO: write this section.
"""


def new_article(source: Path, title: str, today: dt.date | None = None) -> int:
    """Create the article file and print its path; 0, or 1/2 with a one-line message."""
    title = " ".join(title.split())
    slug = article_slug(title)
    if not slug:
        print(f"error: the title '{title}' has no letters or digits to make a file name from", file=sys.stderr)
        return EXIT_USAGE
    if not (source / SITE_FILE).is_file():
        print(f"error: {source / SITE_FILE} not found; run `new` in a site folder or pass --source", file=sys.stderr)
        return EXIT_USAGE
    diags = Diagnostics()
    config = load_config(source, diags)
    if config is None:
        for diagnostic in diags.errors:
            print(diagnostic.format(), file=sys.stderr)
        return EXIT_CONTENT
    author = config.default_author or next(iter(config.people), None)
    if author is None:
        print(f"error: {SITE_FILE} has no `people`; add the author there first", file=sys.stderr)
        return EXIT_CONTENT
    rel = f"{ARTICLES_DIR}/{slug}.md"
    text = TEMPLATE.format(title=yaml_string(title), today=(today or dt.date.today()).isoformat(), author=author)
    try:
        write_new_file(source / rel, text)
    except FileExistsError:
        print(f"error: {rel} already exists; choose another title or edit that file", file=sys.stderr)
        return EXIT_CONTENT
    print(rel)
    print("  draft: preview with `python build.py serve --drafts`; delete `draft: true` to publish", file=sys.stderr)
    return EXIT_OK


def article_slug(title: str) -> str:
    """'Sex & back pain: what helps?' -> 'sex-back-pain-what-helps'; accents folded ('é' -> 'e')."""
    ascii_title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode("ascii")
    return slugify(ascii_title)


def yaml_string(text: str) -> str:
    """A double-quoted YAML scalar: JSON string syntax is valid YAML."""
    return json.dumps(text, ensure_ascii=False)


def write_new_file(path: Path, text: str) -> None:
    """Create `path`; FileExistsError if it exists (exclusive create: no check-then-write race)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("x", encoding="utf-8", newline="\n") as handle:
        handle.write(text)
