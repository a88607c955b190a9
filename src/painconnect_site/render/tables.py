"""Markdown tables made accessible: a name and a keyboard-scrollable frame, native semantics kept."""

from __future__ import annotations

import html
import re

# Python-Markdown writes every table as a bare `<table>`; a caption paragraph may come just before.
_CAPTION_RE = re.compile(r"<p>Table: (?P<caption>(?:(?!</?p>).)*)</p>\s*", re.DOTALL)
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
    if "<table>" not in body:
        return body
    parts: list[str] = []
    position = count = 0
    # Found with str.find, not one regular expression: a pattern that may start with the
    # optional caption is tried at every "<" of the page (0.5 ms an article).
    while (start := body.find("<table>", position)) >= 0 and (end := body.find("</table>", start)) >= 0:
        count += 1
        # A caption holds no <p>, so only the last paragraph before the table can be one.
        paragraph = body.rfind("<p>", position, start)
        caption = _CAPTION_RE.fullmatch(body, paragraph, start) if paragraph >= 0 else None
        if caption is not None:
            caption_id = f"table-caption-{count}"
            label = f'aria-labelledby="{caption_id}"'
            head = f'<caption id="{caption_id}">{caption.group("caption")}</caption>'
        else:
            label = f'aria-label="{_attr(_table_name(body[:start], count, named, numbered))}"'
            head = ""
        cells = _ALIGN_STYLE_RE.sub(r'class="align-\1"', body[start + len("<table>"):end])
        parts += [body[position:paragraph if caption is not None else start],
                  f'<div class="table-scroll" role="region" tabindex="0" {label}><table>{head}{cells}</table></div>']
        position = end + len("</table>")
    parts.append(body[position:])
    return "".join(parts)


def _table_name(html_before: str, number: int, named: str, numbered: str) -> str:
    headings = _HEADING_RE.findall(html_before)
    heading = _plain(headings[-1]) if headings else ""
    return named.format(name=heading) if heading else numbered.format(number=number)


def _plain(fragment: str) -> str:
    return html.unescape(_TAG_RE.sub("", fragment)).strip()


def _attr(text: str) -> str:
    return html.escape(text, quote=True)
