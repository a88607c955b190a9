"""Markdown tables made accessible: a name and a keyboard-scrollable frame, native semantics kept."""

from __future__ import annotations

import html
import re

# Python-Markdown writes every table as a bare `<table>` at the start of a line.
_TABLE_RE = re.compile(r"(?:<p>Table: (?P<caption>(?:(?!</?p>).)*)</p>\s*)?<table>(?P<body>.*?)</table>", re.DOTALL)
_HEADING_RE = re.compile(r"<h[2-6][^>]*>(.*?)</h[2-6]>", re.DOTALL)
_TAG_RE = re.compile(r"<[^>]+>")
# Python-Markdown aligns columns with inline styles, which `style-src 'self'` blocks.
_ALIGN_STYLE_RE = re.compile(r'style="text-align: (left|right|center);?"')


def accessible_tables(body: str, named: str = "Table: {name}", numbered: str = "Table {number}") -> str:
    """Give every table a name and a keyboard-scrollable frame; the table stays a native table.

    A paragraph `Table: words` just before a table becomes its <caption> (Pandoc's
    syntax); a table without one is named after the heading above it. The frame is a
    focusable, labelled region, so keyboard users can scroll a table wider than the
    screen. No ARIA roles on the table's own elements: the HTML standard forbids
    restating them, and the CSS never changes a table's display, so nothing is lost.
    `named` and `numbered` name a table without a caption, in the page's language.
    """
    count = 0

    def wrap(match: re.Match[str]) -> str:
        nonlocal count
        count += 1
        caption = match.group("caption")
        if caption is not None:
            caption_id = f"table-caption-{count}"
            label = f'aria-labelledby="{caption_id}"'
            head = f'<caption id="{caption_id}">{caption}</caption>'
        else:
            label = f'aria-label="{_attr(_table_name(body[: match.start()], count, named, numbered))}"'
            head = ""
        cells = _ALIGN_STYLE_RE.sub(r'class="align-\1"', match.group("body"))
        return f'<div class="table-scroll" role="region" tabindex="0" {label}><table>{head}{cells}</table></div>'

    return _TABLE_RE.sub(wrap, body)


def _table_name(html_before: str, number: int, named: str, numbered: str) -> str:
    headings = _HEADING_RE.findall(html_before)
    heading = _plain(headings[-1]) if headings else ""
    return named.format(name=heading) if heading else numbered.format(number=number)


def _plain(fragment: str) -> str:
    return html.unescape(_TAG_RE.sub("", fragment)).strip()


def _attr(text: str) -> str:
    return html.escape(text, quote=True)
