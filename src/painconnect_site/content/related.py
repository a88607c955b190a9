"""Related articles: for each article, the ones sharing the most tags, computed once per site."""

from __future__ import annotations

from typing import Callable, Mapping, Sequence

from ..core.model import ResolvedDocument

RELATED_COUNT = 3
# Positions of each article's related articles, given how to compute them: `serve` passes
# one that remembers them while no front matter changes (the articles' order and tags).
Positions = tuple[tuple[int, ...], ...]
Remember = Callable[[Callable[[], Positions]], Positions]


def related_articles(articles: Sequence[ResolvedDocument],
                     remember: Remember | None = None) -> Mapping[str, tuple[ResolvedDocument, ...]]:
    """Article URL -> up to RELATED_COUNT articles sharing the most tags; ties broken newest
    first (the order of `articles`, newest first)."""
    positions = remember(lambda: related_positions(articles)) if remember else related_positions(articles)
    return {article.url: tuple(articles[i] for i in best) for article, best in zip(articles, positions)}


def related_positions(articles: Sequence[ResolvedDocument]) -> Positions:
    """For each article, the positions in `articles` of its related articles.

    Comparing every pair of articles is quadratic (minutes at 10,000 articles), so each tag
    is a bitmask over article positions and `at_least[j]` marks the articles sharing at
    least j of an article's tags; the lowest set bit is the newest article.
    """
    masks: dict[str, int] = {}
    for position, article in enumerate(articles):
        for tag in set(article.meta.tags):
            masks[tag] = masks.get(tag, 0) | (1 << position)
    return tuple(_related(masks, position, article) for position, article in enumerate(articles))


def _related(masks: Mapping[str, int], position: int, article: ResolvedDocument) -> tuple[int, ...]:
    tag_masks = [masks[tag] for tag in set(article.meta.tags)]
    at_least = [-1] + [0] * len(tag_masks)  # -1: every bit set
    for mask in tag_masks:
        for shared in range(len(tag_masks), 0, -1):
            at_least[shared] |= at_least[shared - 1] & mask
    best: list[int] = []
    seen = 1 << position  # never the article itself
    for shared in range(len(tag_masks), 0, -1):
        fresh = at_least[shared] & ~seen
        seen |= fresh
        while fresh and len(best) < RELATED_COUNT:
            lowest = fresh & -fresh
            best.append(lowest.bit_length() - 1)
            fresh ^= lowest
    return tuple(best)
