"""`NewsSpider`: one generic spider driven by `Source` definitions.

It only navigates: feeds, sitemaps and listing pages yield article requests; article
responses go to the pure parser (`crawler.parsers.extract_article`) and come out as
`Article` items for the item pipelines. Non-articles are counted with their reason.

Incremental: URLs in `known_urls` (URL -> when last fetched) are not fetched again, unless
a feed pubDate or sitemap lastmod is newer than that fetch; `recheck_urls` are archived
articles fetched again on purpose (young ones, for edits) that still count as known for
pagination, which stops at the first page without unknown articles. A 304 answer to a
conditional GET (see `crawler.middlewares`) yields nothing. Both rules assume the last run
read everything it found; for the sources in `catch_up`, whose last run did not finish or
lost pages, the discovery pages are fetched without validators and listings are walked to
their page limit, since what that run missed may sit behind pages of articles it stored.
`lost_urls`, article pages an earlier run lost, are asked for at the start, whatever leads
to them.

Every request has an errback: a page that could not be downloaded (DNS lookup failed,
connection refused, timed out, a 5xx after retries) is counted per source as
`errors/<kind>`, so a source that never answered shows up in the run summary and its health;
unless robots.txt forbade it, it is also reported lost (signal `page_lost`), so the next run
reads its source's feeds and listings in full and tries it again.
An exception raised in a callback (a bug, a missing module) is counted per source as
`spider_exceptions/<type>` and logged, its first traceback per type included: it cost a page,
so the crawl exits non-zero (`crawler.cli.crawl`).

Backfill (`since`): listings are walked past `max_pages` down to that date, and sitemap
entries last modified before it are left alone. Callback arguments are plain values, so
requests survive Scrapy's JOBDIR and an interrupted backfill resumes.

    scrapy crawl news -a source=amic
    scrapy crawl news -a source=amic,katun24 -a base=amic=http://127.0.0.1:8001
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Collection, Iterable, Iterator, Mapping
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import scrapy
from scrapy import signals
from scrapy.http import Response
from scrapy.utils.log import failure_to_exc_info
from twisted.python.failure import Failure

from crawler import discovery
from crawler.backfill import hint_time, listing_dates, newer_than, since_moment
from crawler.failedpages import FailedPages
from crawler.items import Article, NotAnArticle
from crawler.signals import failed_request, page_lost, page_too_large
from crawler.sources import Source, UnknownSource, get_source
from crawler.spiders.failures import STOPPED, TOO_LARGE, failure_kind

log = logging.getLogger("newsagg.spider")
BACKFILL_MAX_PAGES = 1000  # listing pages per listing in a backfill; NEWS_BACKFILL_MAX_PAGES
OFF_SITE = "redirected off site"  # the reason an article page that left its site is dropped


def parse_bases(spec: str | None) -> dict[str, str]:
    """`"amic=http://127.0.0.1:8001,katun24=http://..."` -> {key: base URL}."""
    bases: dict[str, str] = {}
    for part in (spec or "").split(","):
        if "=" in part:
            key, url = part.split("=", 1)
            bases[key.strip()] = url.strip()
    return bases


class NewsSpider(scrapy.Spider):
    name = "news"

    def __init__(
        self,
        source: str | None = None,
        sources: Iterable[Source] | None = None,
        base: str | None = None,
        known_urls: Mapping[str, str] | Iterable[str] | None = None,
        recheck_urls: Collection[str] | None = None,
        catch_up: Collection[str] | str | None = None,
        lost_urls: Collection[str] | None = None,
        max_pages: int | str | None = None,
        since: date | str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        chosen = list(sources or [])
        if source:
            chosen += [get_source(key.strip()) for key in source.split(",") if key.strip()]
        if not chosen:
            raise ValueError("NewsSpider needs a source: -a source=KEY[,KEY...]")
        bases = parse_bases(base)
        self.sources = [s.with_base(bases[s.key]) if s.key in bases else s for s in chosen]
        self.by_key = {s.key: s for s in self.sources}
        if isinstance(known_urls, Mapping):  # read as asked: an archive's may hold millions
            self.known_urls: Mapping[str, str] = known_urls
        else:
            self.known_urls = dict.fromkeys(known_urls or (), "")
        self.recheck_urls = set(recheck_urls or ())
        if isinstance(catch_up, str):  # `-a catch_up=amic,ngs22`
            catch_up = [key.strip() for key in catch_up.split(",") if key.strip()]
        self.catch_up = set(catch_up or ())  # source keys read in full (see the module doc)
        self.lost_urls = set(lost_urls or ())
        self.max_pages = int(max_pages) if max_pages else None
        self.since = date.fromisoformat(since) if isinstance(since, str) else since
        self.follow_depth = 1  # article -> linked article; NEWS_FOLLOW_DEPTH overrides
        self.backfill_max_pages = BACKFILL_MAX_PAGES
        self.failed = FailedPages(None)

    @classmethod
    def from_crawler(cls, crawler: Any, *args: Any, **kwargs: Any) -> NewsSpider:
        try:
            spider = super().from_crawler(crawler, *args, **kwargs)
        except UnknownSource as exc:  # `scrapy crawl news -a source=nosuch`: a line, no traceback
            logging.getLogger("newsagg").error("scrapy crawl news: %s", exc)
            raise SystemExit(2) from None
        settings = crawler.settings
        spider.follow_depth = settings.getint("NEWS_FOLLOW_DEPTH", 1)
        spider.backfill_max_pages = settings.getint("NEWS_BACKFILL_MAX_PAGES", BACKFILL_MAX_PAGES)
        if settings.get("NEWS_DB"):
            db = Path(settings.get("NEWS_DB"))
            spider.failed = FailedPages(  # per archive: the demo's never mix with a real one's
                db.parent / "failed" / db.stem,
                settings.getint("NEWS_FAILED_PAGES_MAX", 20),
                settings.getint("NEWS_FAILED_PAGES_KEEP", 200),
            )
        crawler.signals.connect(spider.spider_error, signal=signals.spider_error)
        return spider

    # -- discovery ----------------------------------------------------------------
    async def start(self) -> AsyncIterator[scrapy.Request]:
        for request in self._entry_requests():
            yield request

    def _discovery_meta(self, key: str) -> dict[str, Any]:
        """The meta of a feed, sitemap or listing request: without validators for a source
        that catches up, since a 304 would hide what its last run did not get to."""
        meta: dict[str, Any] = {"source": key, "kind": "discovery"}
        if key in self.catch_up:
            meta["conditional"] = False
        return meta

    def _entry_requests(self) -> Iterator[scrapy.Request]:
        for url in sorted(self.lost_urls):
            owner = next((s for s in self.sources if s.is_article_url(url)), None)
            if owner is not None:
                yield from self._article_request(url, owner, None)
        for src in self.sources:
            meta = self._discovery_meta(src.key)
            key = {"key": src.key}
            entries = ((src.feeds, self.parse_feed), (src.sitemaps, self.parse_sitemap))
            for urls, callback in entries:
                for url in urls:
                    yield scrapy.Request(
                        url,
                        callback,
                        cb_kwargs=key,
                        meta=meta,
                        dont_filter=True,
                        errback=self.download_failed,
                    )
            for url in src.listings:
                yield scrapy.Request(
                    url,
                    self.parse_listing,
                    cb_kwargs={**key, "page": 1, "first": url},
                    meta=meta,
                    dont_filter=True,
                    errback=self.download_failed,
                )

    def _discovery_page(self, response: Response, src: Source) -> bool:
        """Count the page; False for a 304 (nothing changed since the last run)."""
        if response.status == 304:
            self._count(src, "not_modified")
            return False
        self._count(src, "pages")
        return True

    def parse_feed(self, response: Response, key: str) -> Iterator[scrapy.Request]:
        src = self.by_key[key]
        if not self._discovery_page(response, src):
            return
        links = discovery.feed_links(response.body, response.url)
        self._count(src, "feed_links", len(links))
        for link in links:
            yield from self._article_request(link.url, src, link.date_hint)

    def parse_sitemap(self, response: Response, key: str) -> Iterator[scrapy.Request]:
        src = self.by_key[key]
        if not self._discovery_page(response, src):
            return
        pages, nested = discovery.sitemap_links(response.body, response.url)
        self._count(src, "sitemap_links", len(pages))
        for url in nested:
            if src.owns(url):
                yield scrapy.Request(
                    url,
                    self.parse_sitemap,
                    cb_kwargs={"key": key},
                    meta=self._discovery_meta(key),
                    errback=self.download_failed,
                )
        floor = self._since(src)
        for link in pages:
            modified = hint_time(link.date_hint)
            if floor and modified and modified < floor:
                self._count(src, "skipped_old")
                continue
            yield from self._article_request(link.url, src, link.date_hint)

    def parse_listing(
        self, response: Response, key: str, page: int, first: str
    ) -> Iterator[scrapy.Request]:
        src = self.by_key[key]
        if not self._discovery_page(response, src):
            return
        urls = [
            u for u in discovery.page_links(response.body, response.url) if src.is_article_url(u)
        ]
        self._count(src, "listing_links", len(urls))
        dates = listing_dates(response.body, response.url) if self.since else {}
        floor = self._since(src)
        for url in urls:
            listed = hint_time(dates.get(url))
            if floor and listed and listed < floor:
                self._count(src, "skipped_old")
                continue
            for request in self._article_request(url, src, dates.get(url)):
                request.meta["listing"] = first
                yield request
        if src.page_param and self._walk_on(src, urls, dates, page, first):
            yield scrapy.Request(
                discovery.with_page(first, src.page_param, page + 1),
                self.parse_listing,
                cb_kwargs={"key": key, "page": page + 1, "first": first},
                meta=self._discovery_meta(key),
                errback=self.download_failed,
            )

    def _walk_on(
        self, src: Source, urls: list[str], dates: dict[str, str], page: int, first: str
    ) -> bool:
        """Regular runs walk on while a page brings articles we do not know, up to
        max_pages (a source that catches up: while the page lists articles at all); a
        backfill walks on while the page still reaches back to `since`."""
        floor = self._since(src)
        if floor is None:
            limit = self.max_pages or src.max_pages
            if src.key in self.catch_up:
                return bool(urls) and page < limit
            fresh = [u for u in urls if u not in self.known_urls and u not in self.recheck_urls]
            return bool(fresh) and page < limit
        if not urls or page >= self.backfill_max_pages or first in self._past_since():
            return False
        stamps = [t for t in (hint_time(dates.get(u)) for u in urls) if t]
        return not stamps or min(stamps) >= floor

    def _article_request(
        self, url: str, src: Source, date_hint: str | None
    ) -> Iterator[scrapy.Request]:
        if not src.is_article_url(url):
            return
        if url in self.known_urls:
            if not newer_than(date_hint, self.known_urls[url]):
                self._count(src, "skipped_known")
                return
            self._count(src, "changed_hint")
        yield scrapy.Request(
            url,
            self.parse_article,
            cb_kwargs={"key": src.key},
            meta={"source": src.key, "kind": "article", "date_hint": date_hint},
            errback=self.download_failed,
        )

    def download_failed(self, failure: Failure) -> None:
        """Errback of every request: count the failure under its source and kind."""
        request = getattr(failure, "request", None)
        kind = failure_kind(failure)
        if request is None or kind in (None, STOPPED):  # a stop: the next run reads in full
            return
        src = self.by_key.get(request.meta.get("source", ""))
        if src is None:
            return
        self._count(src, f"errors/{kind}")
        self.logger.info("could not download %s: %s (%s)", request.url, kind, failure.value)
        if not self.crawler or kind in ("robots", "ignored"):  # left out on purpose: not lost
            return
        if kind == TOO_LARGE:
            self.crawler.signals.send_catch_log(page_too_large, request=request)
        else:
            self.crawler.signals.send_catch_log(page_lost, request=request)

    def spider_error(self, failure: Failure, response: Response | Failure) -> None:
        """A callback raised (a bug, a missing module): the page is lost, so count it under
        its source and say so, with the traceback of the first of each type."""
        request = failed_request(response)
        if request is None:
            return
        src = self.by_key.get(request.meta.get("source", ""))
        if src is None:
            return
        name = type(failure.value).__name__
        key = f"spider_exceptions/{name}"
        stats = self.crawler.stats if self.crawler else None
        first = not (stats and stats.get_value(f"newsagg/{src.key}/{key}"))
        self._count(src, key)
        log.log(
            logging.ERROR if first else logging.DEBUG,
            "%s: %s on %s: %s",
            src.key,
            name,
            request.url,
            failure.value,
            exc_info=failure_to_exc_info(failure) if first else None,
        )

    # -- articles -----------------------------------------------------------------
    def parse_article(self, response: Response, key: str) -> Iterator[Article | scrapy.Request]:
        from crawler.parsers import extract_article  # heavy import, once per process

        src = self.by_key[key]
        self._count(src, "pages")
        self._count(src, "article_pages")
        if not src.owns(response.url):  # redirected to another site: not this source's
            self._count(src, f"dropped/{OFF_SITE}")
            first = (response.meta.get("redirect_urls") or [response.url])[0]
            self.logger.warning(
                "not an article of %s: %s redirected off the site to %s (if the agency moved, "
                "its source needs the new host)",
                src.key,
                first,
                response.url,
            )
            return
        fetched_at = datetime.now(UTC)
        content_type = response.headers.get(b"Content-Type")
        try:
            article = extract_article(
                response.body,
                response.url,
                fetched_at=fetched_at,
                content_type=content_type.decode("latin-1") if content_type else None,
                **src.parser_args(),
            )
        except NotAnArticle as exc:
            self._count(src, f"dropped/{exc.reason}")
            self.logger.info("not an article: %s (%s)", response.url, exc.reason)
            self.failed.save(src.key, response.url, response.body, exc.reason)
            return
        missing = [name for name in ("headline", "published_at") if not getattr(article, name)]
        if missing:
            self.failed.save(src.key, response.url, response.body, "no " + ", no ".join(missing))
        article.source = src.key
        article.fetched_at = article.fetched_at or fetched_at.isoformat(timespec="seconds")
        article.raw_html = response.body
        self._note_backfill_date(response, src, article)
        yield article
        yield from self._linked_articles(response, src)

    def _linked_articles(self, response: Response, src: Source) -> Iterator[scrapy.Request]:
        """Articles linked from an article (teaser cards, "read also"): a shallow step
        that finds what feeds and listings no longer show."""
        depth = int(response.meta.get("article_depth", 0))
        if depth >= self.follow_depth:
            return
        for url in discovery.page_links(response.body, response.url):
            for request in self._article_request(url, src, None):
                request.meta["article_depth"] = depth + 1
                yield request

    # -- backfill -----------------------------------------------------------------
    def _since(self, src: Source) -> datetime | None:
        if self.since is None:
            return None
        zone = src.timezone
        return since_moment(self.since, ZoneInfo(zone) if zone else None)

    def _past_since(self) -> list[str]:
        """Listings known to reach back past `since` (kept in the JOBDIR spider state)."""
        state: dict[str, Any] | None = getattr(self, "state", None)
        if state is None:
            state = self.__dict__.setdefault("_state", {})
        past: list[str] = state.setdefault("past_since", [])
        return past

    def _note_backfill_date(self, response: Response, src: Source, article: Article) -> None:
        """Listings without item dates stop at the first page whose articles are older."""
        floor, listing = self._since(src), response.meta.get("listing")
        published = hint_time(article.published_at)
        if floor and listing and published and published < floor:
            past = self._past_since()
            if listing not in past:
                past.append(listing)

    def _count(self, src: Source, key: str, count: int = 1) -> None:
        if self.crawler and self.crawler.stats:
            self.crawler.stats.inc_value(f"newsagg/{src.key}/{key}", count)
