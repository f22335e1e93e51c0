"""`NewsSpider`: one generic spider driven by `Source` definitions.

It only navigates: feeds, sitemaps and listing pages yield article requests; article
responses go to the pure parser (`crawler.parsers.extract_article`) and come out as
`Article` items for the item pipelines. Non-articles are counted with their reason.

    scrapy crawl news -a source=amic
    scrapy crawl news -a source=amic,katun24 -a base=amic=http://127.0.0.1:8001
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable, Iterator
from datetime import UTC, datetime
from typing import Any

import scrapy
from scrapy.http import Response

from crawler import discovery
from crawler.items import Article, NotAnArticle
from crawler.sources import Source, get_source


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
        known_urls: Iterable[str] | None = None,
        max_pages: int | str | None = None,
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
        self.known_urls: set[str] = set(known_urls or ())
        self.max_pages = int(max_pages) if max_pages else None
        self.follow_depth = 1  # article -> linked article; NEWS_FOLLOW_DEPTH overrides

    @classmethod
    def from_crawler(cls, crawler: Any, *args: Any, **kwargs: Any) -> NewsSpider:
        spider = super().from_crawler(crawler, *args, **kwargs)
        spider.follow_depth = crawler.settings.getint("NEWS_FOLLOW_DEPTH", 1)
        return spider

    # -- discovery ----------------------------------------------------------------
    async def start(self) -> AsyncIterator[scrapy.Request]:
        for request in self._entry_requests():
            yield request

    def _entry_requests(self) -> Iterator[scrapy.Request]:
        for src in self.sources:
            meta = {"source": src.key, "kind": "discovery"}
            for url in src.feeds:
                yield scrapy.Request(
                    url, self.parse_feed, cb_kwargs={"src": src}, meta=meta, dont_filter=True
                )
            for url in src.sitemaps:
                yield scrapy.Request(
                    url, self.parse_sitemap, cb_kwargs={"src": src}, meta=meta, dont_filter=True
                )
            for url in src.listings:
                yield scrapy.Request(
                    url,
                    self.parse_listing,
                    cb_kwargs={"src": src, "page": 1, "first": url},
                    meta=meta,
                    dont_filter=True,
                )

    def parse_feed(self, response: Response, src: Source) -> Iterator[scrapy.Request]:
        self._count(src, "pages")
        links = discovery.feed_links(response.body, response.url)
        self._count(src, "feed_links", len(links))
        for link in links:
            yield from self._article_request(link.url, src, link.date_hint)

    def parse_sitemap(self, response: Response, src: Source) -> Iterator[scrapy.Request]:
        self._count(src, "pages")
        pages, nested = discovery.sitemap_links(response.body, response.url)
        self._count(src, "sitemap_links", len(pages))
        for url in nested:
            if src.owns(url):
                yield scrapy.Request(url, self.parse_sitemap, cb_kwargs={"src": src})
        for link in pages:
            yield from self._article_request(link.url, src, link.date_hint)

    def parse_listing(
        self, response: Response, src: Source, page: int, first: str
    ) -> Iterator[scrapy.Request]:
        self._count(src, "pages")
        urls = [
            u for u in discovery.page_links(response.body, response.url) if src.is_article_url(u)
        ]
        fresh = [u for u in urls if u not in self.known_urls]
        self._count(src, "listing_links", len(urls))
        for url in urls:
            yield from self._article_request(url, src, None)
        # Walk on while the page still brings articles we have not archived.
        limit = self.max_pages or src.max_pages
        if src.page_param and fresh and page < limit:
            next_url = discovery.with_page(first, src.page_param, page + 1)
            yield scrapy.Request(
                next_url,
                self.parse_listing,
                cb_kwargs={"src": src, "page": page + 1, "first": first},
                meta={"source": src.key, "kind": "discovery"},
            )

    def _article_request(
        self, url: str, src: Source, date_hint: str | None
    ) -> Iterator[scrapy.Request]:
        if not src.is_article_url(url):
            return
        if url in self.known_urls:
            self._count(src, "skipped_known")
            return
        yield scrapy.Request(
            url,
            self.parse_article,
            cb_kwargs={"src": src},
            meta={"source": src.key, "kind": "article", "date_hint": date_hint},
        )

    # -- articles -----------------------------------------------------------------
    def parse_article(self, response: Response, src: Source) -> Iterator[Article | scrapy.Request]:
        from crawler.parsers import extract_article  # heavy import, once per process

        self._count(src, "pages")
        self._count(src, "article_pages")
        fetched_at = datetime.now(UTC)
        content_type = response.headers.get(b"Content-Type")
        try:
            article = extract_article(
                response.body,
                response.url,
                source=src.parser or src.key,
                fetched_at=fetched_at,
                content_type=content_type.decode("latin-1") if content_type else None,
                timezone=src.timezone,
            )
        except NotAnArticle as exc:
            self._count(src, f"dropped/{exc.reason}")
            self.logger.info("not an article: %s (%s)", response.url, exc.reason)
            return
        article.source = src.key
        article.fetched_at = article.fetched_at or fetched_at.isoformat(timespec="seconds")
        article.raw_html = response.body
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

    def _count(self, src: Source, key: str, count: int = 1) -> None:
        if self.crawler and self.crawler.stats:
            self.crawler.stats.inc_value(f"newsagg/{src.key}/{key}", count)
