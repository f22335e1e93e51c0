"""Dedupe: one item per canonical URL within a run.

Across runs the archive's upsert on the canonical URL keeps one row per article
(reporting it as unchanged or updated).
"""

from __future__ import annotations

from typing import Any

from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem
from scrapy.statscollectors import StatsCollector

from crawler.items import Article


class DedupePipeline:
    def __init__(self, stats: StatsCollector | None) -> None:
        self.stats = stats
        self.seen: set[str] = set()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> DedupePipeline:
        return cls(crawler.stats)

    def process_item(self, item: Any) -> Any:
        if not isinstance(item, Article):
            return item
        key = item.canonical_url or item.url
        if key in self.seen:
            if self.stats:
                self.stats.inc_value(f"newsagg/{item.source}/duplicate")
            raise DropItem(f"duplicate: {item.url} is {key}")
        self.seen.add(key)
        return item
