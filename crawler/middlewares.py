"""`FetchStateMiddleware`: conditional GET and the record of what a crawl fetched.

Discovery pages (feeds, sitemaps, listings; `meta["kind"] == "discovery"`) are requested
with If-None-Match / If-Modified-Since from the last run's validators; a 304 reaches the
spider's callback (which then yields nothing) instead of being dropped as an error.
Every discovery and article response is remembered (URL, status, validators, time) and
written to the archive's `fetch_state` in one transaction when the spider closes, after
the store pipeline has flushed its articles, so a record never claims a page whose
article was lost. Validators are kept only from runs that finished: after an interrupted
run, the next one reads every feed and listing again rather than miss what they held.

It sits before the redirect middleware (650 > 600), so it sees every answer as sent,
redirects included. Also counts HTTP errors per source (`newsagg/<source>/http/<status>`).
An article the store could not write (signal `article_lost`) is not recorded, so the next
run fetches it again instead of taking it for a page that gave no article.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from pathlib import Path

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.http import Request, Response
from scrapy.statscollectors import StatsCollector

from crawler.items import Article
from pipelines.archive.crawlstate import FetchRecord, record_fetches, utc_text, validators

logger = logging.getLogger("newsagg.fetchstate")
TRACKED_KINDS = ("discovery", "article")
# Sent by the store pipeline with `article=` when an article could not be written.
article_lost = object()


def _header(response: Response, name: str) -> str | None:
    value = response.headers.get(name)
    return value.decode("latin-1") if value else None


class FetchStateMiddleware:
    def __init__(self, db_path: str, stats: StatsCollector | None, conditional: bool) -> None:
        self.db_path = Path(db_path)
        self.stats = stats
        self.conditional = conditional
        self.validators: dict[str, tuple[str | None, str | None]] = {}
        self.records: dict[str, FetchRecord] = {}
        # article URL -> the URLs that redirected to it (old forms, AMP moves)
        self.redirected_from: dict[str, list[str]] = {}

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> FetchStateMiddleware:
        settings = crawler.settings
        if not settings.getbool("NEWS_FETCH_STATE", True) or not settings.get("NEWS_DB"):
            raise NotConfigured
        middleware = cls(
            settings.get("NEWS_DB"), crawler.stats, settings.getbool("NEWS_CONDITIONAL_GET", True)
        )
        crawler.signals.connect(middleware.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(middleware.spider_closed, signal=signals.spider_closed)
        crawler.signals.connect(middleware.forget, signal=article_lost)
        return middleware

    def forget(self, article: Article) -> None:
        """The article was not stored: claim no fetch of it, nor of the URLs that redirected
        to it, so the next run tries again."""
        for url in (article.url, article.canonical_url):
            if url:
                self.records.pop(url, None)
                for earlier in self.redirected_from.pop(url, ()):
                    self.records.pop(earlier, None)

    def spider_opened(self) -> None:
        if not self.conditional or not self.db_path.exists():
            return
        from pipelines.archive import Archive

        with Archive.open(self.db_path) as archive:
            self.validators = validators(archive)

    def process_request(self, request: Request) -> None:
        if request.meta.get("kind") != "discovery":
            return
        request.meta.setdefault("handle_httpstatus_list", [304])
        etag, modified = self.validators.get(request.url, (None, None))
        if etag:
            request.headers.setdefault("If-None-Match", etag)
        if modified:
            request.headers.setdefault("If-Modified-Since", modified)

    def process_response(self, request: Request, response: Response) -> Response:
        source = request.meta.get("source")
        if source and self.stats and response.status >= 400:
            self.stats.inc_value(f"newsagg/{source}/http/{response.status}")
        kind = request.meta.get("kind")
        if kind not in TRACKED_KINDS:
            return response
        now = utc_text(datetime.now(UTC))
        if kind == "discovery":
            etag, modified = _header(response, "ETag"), _header(response, "Last-Modified")
            if response.status == 304:
                etag, modified = self.validators.get(request.url, (None, None))
            record = FetchRecord(response.url, response.status, etag, modified, now)
            self.records[response.url] = record
            return response
        # a redirect is recorded under the URL that answered it (old forms, AMP moves)
        self.records[request.url] = FetchRecord(request.url, response.status, fetched_at=now)
        if request.meta.get("redirect_urls"):
            self.redirected_from[request.url] = list(request.meta["redirect_urls"])
        return response

    def spider_closed(self, reason: str) -> None:
        records = list(self.records.values())
        if reason != "finished":  # keep no validators: the next run reads everything again
            records = [FetchRecord(r.url, r.status, None, None, r.fetched_at) for r in records]
        if not records:
            return
        from pipelines.archive import Archive

        try:
            with Archive.open(self.db_path) as archive:
                count = record_fetches(archive, records)
        except Exception:  # the crawl's articles are stored; a lost record costs a re-fetch
            logger.exception("could not record the fetch state")
            return
        logger.debug("recorded %d fetches", count)
