"""Store: batched upserts into the archive, and the record of the crawl run.

Items are written in transactions of NEWS_STORE_BATCH articles, and at least every
NEWS_STORE_FLUSH_SECONDS, so an interrupted crawl loses at most a few seconds of
work; what was stored is committed and stays. Outcomes are counted only after their
transaction commits: an article reported stored is in the archive.

The run is recorded when the spider closes, with its reason ("finished", "shutdown" after
SIGTERM or Ctrl-C, ...); a run killed outright stays "running" until the next crawl marks
it "interrupted" (`pipelines.archive.crawlstate.mark_interrupted`).
"""

from __future__ import annotations

import time
from typing import Any

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.statscollectors import StatsCollector
from twisted.internet import task

from crawler.items import Article
from crawler.runstats import COVERAGE_FIELDS, summarize
from pipelines.archive import Archive


def covered_fields(article: Article) -> list[str]:
    """The coverage fields this article has a value for (health checks watch their share)."""
    return [name for name in COVERAGE_FIELDS if getattr(article, name)]


class StorePipeline:
    def __init__(
        self,
        db_path: str,
        batch: int,
        flush_seconds: float,
        stats: StatsCollector | None,
        crawler: Crawler | None = None,
    ) -> None:
        self.db_path = db_path
        self.batch = batch
        self.flush_seconds = flush_seconds
        self.stats = stats
        self.crawler = crawler
        self.archive: Archive | None = None
        self.pending: list[Article] = []
        self.run_id: int | None = None
        self._last_flush = time.monotonic()
        self._timer: task.LoopingCall | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> StorePipeline:
        settings = crawler.settings
        pipeline = cls(
            settings.get("NEWS_DB"),
            settings.getint("NEWS_STORE_BATCH", 25),
            settings.getfloat("NEWS_STORE_FLUSH_SECONDS", 2.0),
            crawler.stats,
            crawler,
        )
        crawler.signals.connect(pipeline.spider_closed, signal=signals.spider_closed)
        return pipeline

    def open_spider(self) -> None:
        self.archive = Archive.open(self.db_path)
        keys = [s.key for s in getattr(self._spider(), "sources", [])]
        self.run_id = self.archive.start_run(keys)
        if self.stats:
            self.stats.set_value("newsagg/run_id", self.run_id)
        self._timer = task.LoopingCall(self._flush_if_due)
        self._timer.start(self.flush_seconds, now=False)

    def _spider(self) -> Any:
        return self.crawler.spider if self.crawler else None

    def process_item(self, item: Any) -> Any:
        if isinstance(item, Article):
            self.pending.append(item)
            if len(self.pending) >= self.batch:
                self.flush()
        return item

    def _flush_if_due(self) -> None:
        if self.pending and time.monotonic() - self._last_flush >= self.flush_seconds:
            self.flush()

    def flush(self) -> None:
        self._last_flush = time.monotonic()
        if not self.pending or self.archive is None:
            return
        batch, self.pending = self.pending, []
        outcomes = self.archive.store(batch, run_id=self.run_id)
        if self.stats:
            for article, outcome in zip(batch, outcomes, strict=True):
                self.stats.inc_value(f"newsagg/{article.source}/{outcome.status}")
                for name in covered_fields(article):
                    self.stats.inc_value(f"newsagg/{article.source}/has/{name}")

    def close_spider(self) -> None:
        if self._timer and self._timer.running:
            self._timer.stop()
        self.flush()

    def spider_closed(self, reason: str) -> None:
        """After the pipelines closed (everything flushed): record the run and its reason."""
        if self.archive is None:
            return
        if self.run_id is not None and self.stats:
            stats = {**self.stats.get_stats(), "finish_reason": reason}
            self.archive.finish_run(self.run_id, summarize(stats), status=reason)
        self.archive.close()
        self.archive = None
