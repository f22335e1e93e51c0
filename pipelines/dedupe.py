"""Dedupe: drop a page met twice in one run; everything else is decided by the archive.

The same page yielded twice in a run (a feed and a listing both link it) carries nothing new,
so the second copy is dropped here (counted as `duplicate`). Other duplicates need the
archive's memory and are resolved when stored (`pipelines.archive.identity`): another
spelling of a stored URL, an AMP or mobile twin, the old and new URL forms of one article, the
same text at another URL of the site (all recorded as spellings of one row, outcome
`duplicate`), and reprints across sources (linked into a story).
"""

from __future__ import annotations

from typing import Any

from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem
from scrapy.statscollectors import StatsCollector

from crawler.items import Article
from pipelines.urls import normalize_url


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
        # the fetched URL: a twin at another URL still goes on, to be recorded as a spelling
        key = normalize_url(item.url)
        if key in self.seen:
            if self.stats:
                self.stats.inc_value(f"newsagg/{item.source}/duplicate")
            raise DropItem(f"duplicate: {item.url} was met before in this run")
        self.seen.add(key)
        return item
