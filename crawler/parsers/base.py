"""The parser contract: site facts, layout versions, and the source layer's field methods.

A source parser subclasses `Parser`, names its site (key, agency as printed, time zone,
domains) and overrides the field methods it can answer from the page's markup; every
method returning None (or []) hands the field to the next layer. Layout changes add a
version (`AmicV2(AmicV1)`), each with the dates it was valid and a `detect` check on the
markup, Fundus-style, because archives keep pages of old layouts.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import ClassVar

from lxml import etree

from crawler.items import Article
from crawler.parsers.page import Page


@dataclass(frozen=True)
class SiteInfo:
    """Facts about a source the crawl and the parser share."""

    key: str
    name: str
    agency: str | None
    timezone: str | None
    language: str
    domains: tuple[str, ...]


@dataclass
class Figure:
    """A photo of the article as printed: image URL and its caption/credit lines."""

    url: str | None
    lines: list[str]


class Parser:
    """Source layer of one site and one layout. Field methods read a parsed `Page`."""

    key: ClassVar[str] = "generic"
    name: ClassVar[str] = "any site"
    agency: ClassVar[str | None] = None
    timezone: ClassVar[str | None] = None
    language: ClassVar[str] = "ru"
    domains: ClassVar[tuple[str, ...]] = ()
    version: ClassVar[str] = "v1"
    valid_from: ClassVar[date | None] = None
    valid_until: ClassVar[date | None] = None
    # All layouts of the site, oldest first; set on the latest version's class.
    versions: ClassVar[tuple[type[Parser], ...]] = ()

    @property
    def layer(self) -> str:
        return "generic" if self.key == "generic" else f"source:{self.key}:{self.version}"

    @classmethod
    def info(cls) -> SiteInfo:
        return SiteInfo(cls.key, cls.name, cls.agency, cls.timezone, cls.language, cls.domains)

    @classmethod
    def detect(cls, page: Page) -> bool:
        """Whether the page has this version's markup (versions are tried newest first)."""
        return True

    def select(self, page: Page) -> Parser:
        """The version of this site's parser that fits the page."""
        family = self.versions or (type(self),)
        when = page.fetched_at.date() if page.fetched_at else None
        for cls in reversed(family):
            if when and cls.valid_from and when < cls.valid_from:
                continue  # the layout did not exist yet when the page was fetched
            if cls.detect(page):
                return cls()
        return self

    def extract(
        self,
        html: bytes | str,
        url: str,
        *,
        fetched_at: datetime | None = None,
        content_type: str | None = None,
        timezone: str | None = None,
    ) -> Article:
        """Parse a page with this site's parser (the fitting version) and the shared layers.
        `timezone` is the source's zone for a site without a parser of its own."""
        from crawler.parsers.assemble import assemble

        page = Page(html, url, fetched_at=fetched_at, content_type=content_type)
        return assemble(self.select(page), page, timezone=timezone)

    # -- the source layer: override what the site's markup answers ---------------------
    def root(self, page: Page) -> etree._Element | None:
        """The element holding this article (None: not found, use generic rules)."""
        return None

    def not_article(self, page: Page) -> str | None:
        """A reason when the markup shows a non-article (listing, error), else None."""
        return None

    def headline(self, page: Page) -> str | None:
        return None

    def lead(self, page: Page) -> str | None:
        return None

    def date_text(self, page: Page) -> str | None:
        """The publish date as printed (or a machine-readable attribute)."""
        return None

    def modified_text(self, page: Page) -> str | None:
        return None

    def agency_text(self, page: Page) -> str | None:
        """The agency as printed on this page; defaults to the site's own agency."""
        return self.agency

    def authors(self, page: Page) -> list[str]:
        return []

    def figures(self, page: Page) -> list[Figure]:
        return []

    def body(self, page: Page) -> list[str] | None:
        """Raw text paragraphs of the body container, or None when it is missing."""
        return None

    def rubric(self, page: Page) -> str | None:
        return None

    def tags(self, page: Page) -> list[str]:
        return []
