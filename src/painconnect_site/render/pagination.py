"""Pagination of the article list, tag pages and people pages: which items go on which page.

A list of N items becomes ceil(N / page_size) pages: page 1 at the list's own URL
(`articles/`), page n at `<list URL>page/n/` (core/urls.py). Each page gets a
`Pagination` for its template: the previous and next pages (`rel="prev"`/`"next"`)
and a short numbered window (first, last, and two either side of the current
page, gaps marked), so a 1,000-article site never puts 1,000 links on one page,
nor 50 page numbers in one navigation.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Sequence, TypeVar

from ..core.urls import page_count, page_url

T = TypeVar("T")

AROUND = 2  # page numbers shown either side of the current one


@dataclass(frozen=True, slots=True)
class PageLink:
    number: int
    url: str  # site-relative


@dataclass(frozen=True, slots=True)
class Pagination:
    """One page of a paginated list, as its template shows it."""

    list_url: str  # site-relative URL of page 1
    number: int  # 1-based
    count: int  # number of pages
    total: int  # number of items in the whole list
    first: int  # 1-based position of this page's first item (0 on an empty list)
    last: int  # position of its last item
    previous: str | None  # site-relative URL of the previous page
    next: str | None
    links: tuple[PageLink | None, ...]  # the numbered window; None marks a gap

    @property
    def url(self) -> str:
        return page_url(self.list_url, self.number)

    @property
    def facts(self) -> str:
        """What every field follows from, with the page size (page keys)."""
        return f"{self.list_url} {self.number}/{self.count} of {self.total}"


def paginate(list_url: str, items: Sequence[T], page_size: int) -> list[tuple[Sequence[T], Pagination]]:
    """Every page of the list at `list_url`: (its items, its Pagination), page 1 first."""
    return [(items[(pagination.number - 1) * page_size:pagination.number * page_size], pagination)
            for pagination in paginations(list_url, len(items), page_size)]


@lru_cache(maxsize=4096)
def paginations(list_url: str, total: int, page_size: int) -> tuple[Pagination, ...]:
    """The Pagination of every page of a list of `total` items. Remembered: every build
    plans every page of every list (at 10,000 articles, ~13,000 pages a `serve` rebuild)."""
    count = page_count(total, page_size)
    pages = []
    for number in range(1, count + 1):
        start = (number - 1) * page_size
        shown = max(0, min(page_size, total - start))
        pages.append(Pagination(
            list_url=list_url, number=number, count=count, total=total,
            first=start + 1 if shown else 0, last=start + shown,
            previous=page_url(list_url, number - 1) if number > 1 else None,
            next=page_url(list_url, number + 1) if number < count else None,
            links=tuple(None if n is None else PageLink(n, page_url(list_url, n)) for n in window(number, count)),
        ))
    return tuple(pages)


def window(number: int, count: int, around: int = AROUND) -> list[int | None]:
    """Page numbers to show: 1, the last, and `around` either side of `number`; None for a gap.

    A gap of a single page shows that page instead (1 2 3, never 1 … 3).
    """
    shown = sorted({1, count, *range(max(1, number - around), min(count, number + around) + 1)})
    result: list[int | None] = []
    for n in shown:
        if result and n - result[-1] == 2:  # type: ignore[operator]
            result.append(n - 1)
        elif result and n - result[-1] > 2:  # type: ignore[operator]
            result.append(None)
        result.append(n)
    return result
