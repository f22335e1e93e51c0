"""Validate: drop items that cannot be archived, each with a counted reason."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from crawler.items import Article

if TYPE_CHECKING:  # `problem` serves `newsagg import` too, which needs no Scrapy (0.5 s)
    from scrapy.crawler import Crawler
    from scrapy.statscollectors import StatsCollector

MIN_BODY_CHARS = 80


class ValidatePipeline:
    def __init__(self, stats: StatsCollector | None) -> None:
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ValidatePipeline:
        return cls(crawler.stats)

    def process_item(self, item: Any) -> Any:
        if not isinstance(item, Article):
            return item
        reason = problem(item)
        if reason:
            from scrapy.exceptions import DropItem

            if self.stats:
                self.stats.inc_value(f"newsagg/{item.source}/dropped/{reason}")
            raise DropItem(f"{reason}: {item.url}")
        return item


def problem(article: Article) -> str | None:
    """Why `article` cannot be stored, or None."""
    if not article.url:
        return "no url"
    if not (article.headline or "").strip():
        return "no headline"
    body = (article.body or "").strip()
    if not body:
        return "empty body"
    if len(body) < MIN_BODY_CHARS:  # a teaser, a caption: what a parser would not call a body
        return "short body"
    return None
