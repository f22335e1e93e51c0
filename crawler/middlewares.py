"""`FetchStateMiddleware`: conditional GET and the record of what a crawl fetched.

Discovery pages (feeds, sitemaps, listings; `meta["kind"] == "discovery"`) are requested
with If-None-Match / If-Modified-Since from the last run's validators, unless the spider set
`meta["conditional"] = False` (a source that catches up on an unfinished run); a 304 reaches
the spider's callback (which then yields nothing) instead of being dropped as an error.
Every discovery and article response is remembered (URL, status, validators, time) and
written to the archive's `fetch_state` in one transaction when the spider closes, after
the store pipeline has flushed its articles, so a record never claims a page whose
article was lost. Validators are kept only from runs that finished: after an interrupted
run, the next one reads every feed and listing again rather than miss what they held.

It sits before the redirect middleware (650 > 600), so it sees every answer as sent,
redirects included. Also counts HTTP errors per source (`newsagg/<source>/http/<status>`).

A page is lost when the store could not write its article (signal `article_lost`), when
another item pipeline raised on its article (Scrapy's `item_error`, counted as dropped
`pipeline error`), when it could not be downloaded (signal `page_lost`, from the spider's
errback) or when a callback raised on it (Scrapy's `spider_error`). A lost page is not
recorded, nor are the URLs that redirected to it, so the next run fetches it again instead
of taking it for a page that gave no article; and its source keeps no validators from this
run, since a 304 next time would hide the feed item or listing entry that leads to it. A lost
article page is recorded as such instead (status `LOST`, under the URL first asked for), and
the next run asks for it whatever leads to it (a link in an article it does not fetch again,
say). Lost pages are counted per source (`newsagg/<source>/lost_pages`), which makes the next run
read that source in full (`pipelines.archive.crawlstate.unfinished_sources`). A page past
DOWNLOAD_MAXSIZE is no lost page but an answer (signal `page_too_large`): recorded as 413.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.http import Request, Response
from scrapy.statscollectors import StatsCollector
from scrapy.utils.log import failure_to_exc_info
from twisted.python.failure import Failure

from crawler.items import Article
from crawler.signals import article_lost, failed_request, page_lost, page_too_large
from pipelines.archive.crawlstate import LOST, FetchRecord, record_fetches, utc_text, validators

__all__ = ["FetchStateMiddleware", "article_lost", "page_lost"]

logger = logging.getLogger("newsagg.fetchstate")
TRACKED_KINDS = ("discovery", "article")
TOO_LARGE_STATUS = 413  # fetch_state.status of a page past DOWNLOAD_MAXSIZE ("Content Too Large")


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
        self.source_of: dict[str, str] = {}  # discovery page URL -> its source
        self.lost: dict[str, int] = {}  # source -> pages lost in this run
        self.lost_urls: set[str] = set()  # article pages lost, as first asked for
        self.pipeline_errors: set[str] = set()  # exception types logged with a traceback

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
        crawler.signals.connect(middleware.page_failed, signal=page_lost)
        crawler.signals.connect(middleware.too_large, signal=page_too_large)
        crawler.signals.connect(middleware.spider_error, signal=signals.spider_error)
        crawler.signals.connect(middleware.item_error, signal=signals.item_error)
        return middleware

    def forget(self, article: Article) -> None:
        """The article was not stored: claim no fetch of it, nor of the URLs that redirected
        to it, so the next run tries again."""
        if article.url:
            self.lost_urls.add(self.redirected_from.get(article.url, [article.url])[0])
        for url in (article.url, article.canonical_url):
            if url:
                self._forget(url)
        self._lose(article.source)

    def item_error(self, item: Any, failure: Failure) -> None:
        """An item pipeline raised on the article (a bug): it was not stored. Counted and
        logged like a store error (the first traceback of each type in full)."""
        if not isinstance(item, Article):
            return
        name = type(failure.value).__name__
        first = name not in self.pipeline_errors
        self.pipeline_errors.add(name)
        logger.error(
            "could not store %s: %s in a pipeline: %s",
            item.url,
            name,
            failure.value,
            exc_info=failure_to_exc_info(failure) if first else None,
        )
        if self.stats and item.source:
            self.stats.inc_value(f"newsagg/{item.source}/dropped/pipeline error")
        self.forget(item)

    def too_large(self, request: Request) -> None:
        """An article page past DOWNLOAD_MAXSIZE: no response reached `process_response`,
        but it is an answer; remembered as 413, it is tried again after NEWS_RETRY_HOURS."""
        if request.meta.get("kind") == "article":
            now = utc_text(datetime.now(UTC))
            self.records[request.url] = FetchRecord(request.url, TOO_LARGE_STATUS, fetched_at=now)

    def page_failed(self, request: Request) -> None:
        """The page could not be downloaded: as for an article the store lost."""
        self._forget_request(request)

    def spider_error(self, failure: Failure, response: Response | Failure) -> None:
        """A callback raised on the page: whatever it held is lost."""
        request = failed_request(response)
        if request is not None:
            self._forget_request(request)

    def _forget_request(self, request: Request) -> None:
        redirects = request.meta.get("redirect_urls") or []
        if request.meta.get("kind") == "article":
            self.lost_urls.add(redirects[0] if redirects else request.url)
        for url in (request.url, *redirects):
            self._forget(url)
        self._lose(request.meta.get("source"))

    def _forget(self, url: str) -> None:
        self.records.pop(url, None)
        for earlier in self.redirected_from.pop(url, ()):
            self.records.pop(earlier, None)

    def _lose(self, source: str | None) -> None:
        if not source:
            return
        self.lost[source] = self.lost.get(source, 0) + 1
        if self.stats:
            self.stats.inc_value(f"newsagg/{source}/lost_pages")

    def spider_opened(self) -> None:
        if not self.conditional or not self.db_path.exists():
            return
        from pipelines.archive import Archive

        with Archive.open(self.db_path) as archive:
            self.validators = validators(archive)

    def process_request(self, request: Request) -> None:
        if request.meta.get("kind") != "discovery" or request.meta.get("conditional") is False:
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
            if source:
                self.source_of[response.url] = source
            return response
        # a redirect is recorded under the URL that answered it (old forms, AMP moves)
        self.records[request.url] = FetchRecord(request.url, response.status, fetched_at=now)
        if request.meta.get("redirect_urls"):
            self.redirected_from[request.url] = list(request.meta["redirect_urls"])
        return response

    def spider_closed(self, reason: str) -> None:
        """Write the records; validators only from a finished run, and only for the sources
        that lost no page (the next run reads the others in full)."""
        records = [
            r
            if reason == "finished" and self.source_of.get(r.url) not in self.lost
            else FetchRecord(r.url, r.status, None, None, r.fetched_at)
            for r in self.records.values()
        ]
        now = utc_text(datetime.now(UTC))
        records += [
            FetchRecord(u, LOST, fetched_at=now) for u in self.lost_urls - set(self.records)
        ]
        for source, count in sorted(self.lost.items()):
            logger.info(
                "%s: %d %s lost (not stored or not downloaded): the next run reads its feeds, "
                "sitemaps and listings in full",
                source,
                count,
                "page" if count == 1 else "pages",
            )
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
