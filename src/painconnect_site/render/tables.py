"""Markdown tables made accessible: a name, column labels and a keyboard-scrollable frame."""

from __future__ import annotations

import html
import re

# Python-Markdown writes every table as a bare `<table>` at the start of a line.
_TABLE_RE = re.compile(r"(?:<p>Table: (?P<caption>(?:(?!</?p>).)*)</p>\s*)?<table>(?P<body>.*?)</table>", re.DOTALL)
_HEADING_RE = re.compile(r"<h[2-6][^>]*>(.*?)</h[2-6]>", re.DOTALL)
_HEADER_CELL_RE = re.compile(r"<th[^>]*>(.*?)</th>", re.DOTALL)
_ROW_RE = re.compile(r"<tr>(.*?)</tr>", re.DOTALL)
_TAG_RE = re.compile(r"<[^>]+>")
# Python-Markdown aligns columns with inline styles, which `style-src 'self'` blocks.
_ALIGN_STYLE_RE = re.compile(r'style="text-align: (left|right|center);?"')
# Explicit roles keep table semantics for screen readers when narrow screens restyle
# the rows as stacked cards (display: block drops them in some browsers).
_TABLE_ROLES = (("<thead>", '<thead role="rowgroup">'), ("<tbody>", '<tbody role="rowgroup">'),
                ("<tr>", '<tr role="row">'), ("<th ", '<th role="columnheader" '), ("<th>", '<th role="columnheader">'))


def accessible_tables(body: str) -> str:
    """Give every table a name, per-cell column labels and a keyboard-scrollable frame.

    A paragraph `Table: words` just before a table becomes its <caption> (Pandoc's
    syntax); a table without one is named after the heading above it. Each cell
    carries its column header in `data-label`, which the phone layout shows above
    the cell; the frame is a focusable, labelled region so keyboard users can scroll
    a table that is still wider than the screen.
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
            label = f'aria-label="{_attr(_table_name(body[: match.start()], count))}"'
            head = ""
        return (f'<div class="table-scroll" role="region" tabindex="0" {label}>'
                f'<table role="table">{head}{_label_cells(match.group("body"))}</table></div>')

    return _TABLE_RE.sub(wrap, body)


def _label_cells(table: str) -> str:
    headers = [_plain(cell) for cell in _HEADER_CELL_RE.findall(table)]

    def label_row(row: re.Match[str]) -> str:
        columns = iter(headers)
        cells = re.sub(r"<td(?=[ >])", lambda _: f'<td role="cell" data-label="{_attr(next(columns, ""))}"', row.group(1))
        return f"<tr>{cells}</tr>"

    labelled = _ALIGN_STYLE_RE.sub(r'class="align-\1"', _ROW_RE.sub(label_row, table))
    for plain, with_role in _TABLE_ROLES:
        labelled = labelled.replace(plain, with_role)
    return labelled


def _table_name(html_before: str, number: int) -> str:
    headings = _HEADING_RE.findall(html_before)
    heading = _plain(headings[-1]) if headings else ""
    return f"Table: {heading}" if heading else f"Table {number}"


def _plain(fragment: str) -> str:
    return html.unescape(_TAG_RE.sub("", fragment)).strip()


def _attr(text: str) -> str:
    return html.escape(text, quote=True)
