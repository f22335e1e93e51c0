"""Page parsers: pure functions from a fetched page to an `Article`.

`extract_article` is the entry point for the spider, `newsagg extract` and the archive's
`reparse`. The source's parser is found by key, else by the URL's host; any other site
goes through the generic layers. See docs/sources.md for what each parser reads.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from crawler.items import Article, NotAnArticle
from crawler.parsers.base import Parser, SiteInfo
from crawler.parsers.encoding import decode_html
from crawler.parsers.sites import PARSERS

__all__ = [
    "PARSERS",
    "Article",
    "NotAnArticle",
    "Parser",
    "SiteInfo",
    "declared_url",
    "decode_html",
    "extract_article",
    "parser_for",
    "site_info",
]


def _host(url: str) -> str:
    host = urlsplit(url).hostname or ""
    return host.lower()


def parser_for(source: str | None, url: str) -> Parser:
    """The parser of a source key, else of the URL's host, else the generic parser."""
    if source and source in PARSERS:
        return PARSERS[source]()
    host = _host(url)
    for cls in PARSERS.values():
        if host in cls.domains:
            return cls()
    return Parser()


def declared_url(html: bytes | str, content_type: str | None = None) -> str | None:
    """The absolute http(s) URL a page gives itself (canonical link, og:url, JSON-LD), or
    None: where a saved page came from, which picks its source's parser."""
    from crawler.parsers.page import Page

    try:
        page = Page(html, "", content_type=content_type)
    except NotAnArticle:
        return None
    jsonld = page.jsonld.get("mainEntityOfPage") or page.jsonld.get("url")
    canonical, own, described = map(
        _absolute, (page.links.get("canonical"), page.meta.get("og:url"), jsonld)
    )
    # A reprint names the original as its canonical, on the original's site (what search
    # engines ask of syndication), while its og:url stays its own: that one picks the parser.
    if canonical and own and type(parser_for(None, canonical)) is not type(parser_for(None, own)):
        return own
    return canonical or own or described


def _absolute(url: Any) -> str | None:
    """An absolute http(s) URL, or None: a relative canonical ("/news/1") names no site."""
    parts = urlsplit(url.strip()) if isinstance(url, str) else None
    if parts and parts.scheme in ("http", "https") and parts.hostname:
        return str(url).strip()
    return None


def site_info(source_key: str) -> SiteInfo:
    """Agency, time zone, language and domains of a source with a parser (KeyError if none)."""
    return PARSERS[source_key].info()


def extract_article(
    html: bytes | str,
    url: str,
    *,
    source: str | None = None,
    fetched_at: datetime | None = None,
    content_type: str | None = None,
    timezone: str | None = None,
) -> Article:
    """Extract one article from a page; raise `NotAnArticle(reason)` for anything else.

    `content_type` is the HTTP header, if known, for its charset. `timezone` is the
    source's zone, needed only for sites without a parser (the parser knows its own).
    `raw_html` is left None (the spider sets it)."""
    return parser_for(source, url).extract(
        html, url, fetched_at=fetched_at, content_type=content_type, timezone=timezone
    )
