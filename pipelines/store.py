"""Store: batched upserts into the archive, and the record of the crawl run.

Items are written in transactions of NEWS_STORE_BATCH articles, and at least every
NEWS_STORE_FLUSH_SECONDS, so an interrupted crawl loses at most a few seconds of
work; what was stored is committed and stays. Outcomes are counted only after their
transaction commits: an article reported stored is in the archive.

A batch leaves `pending` only once written. If its transaction fails (disk full, database
locked past the busy timeout, a bad value), the articles are written one by one, so one bad
article costs itself only; each that still fails is logged with its URL and reason, counted
as `dropped/store error`, and forgotten by the fetch record, so the next run fetches it again.
An exception that is a bug of ours, not the disk's or the database's, goes the way of any
item pipeline's: Scrapy's `item_error`, counted as `dropped/pipeline error`.
The flush timer never dies of an error: it logs it and tries again on its next tick.

The run is recorded when the spider closes, with its reason ("finished", "shutdown" after
SIGTERM or Ctrl-C, ...); a run killed outright stays "running" until the next crawl marks
it "interrupted" (`pipelines.archive.crawlstate.mark_interrupted`).
"""

from __future__ import annotations

import logging
import sqlite3
import time
from typing import Any

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.statscollectors import StatsCollector
from twisted.internet import task
from twisted.python.failure import Failure

from crawler.items import Article
from crawler.runstats import COVERAGE_FIELDS, summarize
from crawler.signals import article_lost
from crawler.sources import url_rules
from pipelines.archive import Archive
from pipelines.archive.writer import StoreOutcome

logger = logging.getLogger("newsagg.store")

# What a write can fail of that is no bug of ours: the disk, the database (locked past the
# busy timeout, full, damaged, a constraint), a value SQLite cannot hold (an int past 64 bits).
NOT_WRITTEN = (sqlite3.DatabaseError, OSError, MemoryError, OverflowError)
# ... except what only our own SQL or values can cause (a value of a type SQLite cannot bind,
# the wrong number of parameters, a statement on a closed connection).
OURS = (sqlite3.InterfaceError, sqlite3.ProgrammingError, sqlite3.NotSupportedError)


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
        sources = getattr(self._spider(), "sources", [])
        self.archive.url_rules = url_rules(sources)
        keys = [s.key for s in sources]
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
        """The timer's tick. An exception here would stop the LoopingCall for good."""
        try:
            # a tick runs a little late, by a different amount each time: measured from
            # the previous flush, one tick in two would be a few ms short of due
            due = self.flush_seconds * 0.9
            if self.pending and time.monotonic() - self._last_flush >= due:
                self.flush()
        except Exception:
            logger.exception("flushing %d articles failed; trying again", len(self.pending))

    def flush(self) -> None:
        self._last_flush = time.monotonic()
        if not self.pending or self.archive is None:
            return
        batch = list(self.pending)
        try:
            stored = list(zip(batch, self.archive.store(batch, run_id=self.run_id), strict=True))
        except Exception as exc:
            logger.warning("could not store %d articles at once (%s); one by one", len(batch), exc)
            stored = self._store_each(batch)
        del self.pending[: len(batch)]
        if self.stats:
            for article, outcome in stored:
                self.stats.inc_value(f"newsagg/{article.source}/{outcome.status}")
                if outcome.status == "duplicate":  # not stored: no part of the coverage
                    continue
                for name in covered_fields(article):
                    self.stats.inc_value(f"newsagg/{article.source}/has/{name}")

    def _store_each(self, batch: list[Article]) -> list[tuple[Article, StoreOutcome]]:
        """After a failed batch: each article in its own transaction; the failures dropped."""
        assert self.archive is not None
        stored = []
        for article in batch:
            try:
                outcomes = self.archive.store([article], run_id=self.run_id)
            except Exception as exc:
                if isinstance(exc, OURS) or not isinstance(exc, NOT_WRITTEN):
                    # a bug of ours, as in any item pipeline: Scrapy's item_error, which
                    # FetchStateMiddleware counts (exit 70, not 74), logs and forgets
                    if self.crawler:
                        self.crawler.signals.send_catch_log(
                            signals.item_error, item=article, failure=Failure()
                        )
                    continue
                logger.error("could not store %s: %s: %s", article.url, type(exc).__name__, exc)
                if self.stats:
                    self.stats.inc_value(f"newsagg/{article.source}/dropped/store error")
                if self.crawler:
                    self.crawler.signals.send_catch_log(article_lost, article=article)
                continue
            stored.append((article, outcomes[0]))
        return stored

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
            keys = [s.key for s in getattr(self._spider(), "sources", [])]
            self.archive.finish_run(self.run_id, summarize(stats, keys), status=reason)
        self.archive.close()
        self.archive = None
