"""`StopDownloadsMiddleware`: after a stop signal, download nothing more.

Scrapy's graceful stop lets every request already handed to the downloader run: those
waiting in a slot's queue for a free connection, those the robots.txt check holds, and the
retries of those that fail. Against a site that hangs, that was minutes of new requests
after SIGTERM (each waiting DOWNLOAD_TIMEOUT, then retried). Once the crawler stops, this
middleware refuses every request that reaches it (`StoppedDownload`), and `drop_queued`
empties the slots' queues, so only the downloads under way finish. A refused request goes
back to the scheduler, which a backfill keeps in its job directory: the resumed backfill
asks for it. It is neither counted as an error nor lost: an interrupted run's next one
reads its sources in full anyway.
"""

from __future__ import annotations

import logging
from typing import Any

from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Request
from twisted.python.failure import Failure

logger = logging.getLogger("newsagg.stop")


class StoppedDownload(IgnoreRequest):
    """A request not downloaded because the crawl is stopping."""


class StopDownloadsMiddleware:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> StopDownloadsMiddleware:
        return cls(crawler)

    def process_request(self, request: Request) -> None:
        if not self.crawler.crawling and self.crawler.engine is not None:
            _keep_for_later(self.crawler, request)
            raise StoppedDownload(f"the crawl is stopping: {request.url} not downloaded")


def _keep_for_later(crawler: Crawler, request: Request) -> None:
    """Back into the scheduler, whose queue a backfill's JOBDIR keeps on disk (the request
    was seen already: only `dont_filter` lets it in again)."""
    scheduler = crawler.engine.scheduler if crawler.engine is not None else None
    if scheduler is not None:
        scheduler.enqueue_request(request.replace(dont_filter=True))


def drop_queued(crawler: Crawler) -> int:
    """Fail the requests waiting in the downloader's slots for a connection; returns how
    many. Reaches into Scrapy's `Downloader.slots` (stable since 1.0): without it they
    would each be downloaded, however long the site takes."""
    downloader: Any = getattr(crawler.engine, "downloader", None)
    dropped = 0
    for slot in list(getattr(downloader, "slots", {}).values()):
        queue = getattr(slot, "queue", None)
        while queue:
            request, deferred = queue.popleft()
            _keep_for_later(crawler, request)
            deferred.errback(Failure(StoppedDownload(f"the crawl is stopping: {request.url}")))
            dropped += 1
    if dropped:
        logger.info("stopping: %d queued requests not downloaded", dropped)
    return dropped
