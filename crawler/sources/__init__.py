"""The sources registry: what to crawl and how to find its articles.

A `Source` holds crawl facts only (entry points, URL pattern of articles, pagination).
Facts the parser needs as well (agency as printed, time zone, language) live with the
parser (`crawler.parsers.site_info`) and are read from there, so they are said once.
A source's base URL can be swapped (`with_base`), which is how the demo site and the
tests point the real parsers at a local server.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import TypedDict
from urllib.parse import urlsplit, urlunsplit

from pipelines.urls import UrlRules


@dataclass(frozen=True)
class Source:
    key: str
    name: str
    home: str  # origin of the site, e.g. "https://www.amic.ru"
    article_pattern: str  # regex matched against the URL path (with query, if any)
    feeds: tuple[str, ...] = ()
    sitemaps: tuple[str, ...] = ()
    listings: tuple[str, ...] = ()
    page_param: str | None = "page"  # listings paginate as ?page=N when set
    max_pages: int = 3  # listing pages walked per run (backfill walks further)
    hosts: tuple[str, ...] = ()  # other hosts serving the same site (www., m.)
    # regex over the URL path whose group 1 is the article id: all URL forms of one article
    # (old and new, AMP) share the identity `<key>:<id>` (see pipelines.urls.UrlRules)
    url_key: str | None = None
    parser: str | None = None  # parser key; None = generic layers only
    agency_default: str | None = None  # for sources without a parser of their own
    timezone_default: str | None = None
    language_default: str = "ru"
    region: str = ""
    notes: str = ""
    demo: bool = False  # exists only on the bundled demo site
    _pattern: re.Pattern[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_pattern", re.compile(self.article_pattern))

    # -- facts read from the parser --------------------------------------------------
    def _site_attr(self, name: str) -> str | None:
        if self.parser is None:
            return None
        from crawler.parsers import site_info  # parsers are heavy; import on demand

        value = getattr(site_info(self.parser), name, None)
        return str(value) if value else None

    @property
    def agency(self) -> str | None:
        return self._site_attr("agency") or self.agency_default

    @property
    def timezone(self) -> str | None:
        return self._site_attr("timezone") or self.timezone_default

    @property
    def language(self) -> str:
        return self._site_attr("language") or self.language_default

    def parser_args(self) -> ParserArgs:
        """How the parser is called for this source's pages: the crawl, `reparse` and
        `extract` alike (a source on the generic layers has its zone only from here)."""
        return {"source": self.parser or self.key, "timezone": self.timezone}

    # -- URLs -----------------------------------------------------------------------
    @property
    def host(self) -> str:
        return urlsplit(self.home).netloc

    def url(self, path_or_url: str) -> str:
        """An absolute URL on this source's current origin."""
        if path_or_url.startswith(("http://", "https://")):
            return path_or_url
        return self.home.rstrip("/") + "/" + path_or_url.lstrip("/")

    def owns(self, url: str) -> bool:
        netloc = urlsplit(url).netloc.lower()
        return netloc == self.host.lower() or netloc in {h.lower() for h in self.hosts}

    def is_article_url(self, url: str) -> bool:
        parts = urlsplit(url)
        if not self.owns(url):
            return False
        target = parts.path + (f"?{parts.query}" if parts.query else "")
        return bool(self._pattern.search(parts.path) or self._pattern.search(target))

    def with_base(self, base: str) -> Source:
        """The same source served from another origin (the demo site, a test server)."""
        base = base.rstrip("/")

        def move(url: str) -> str:
            parts = urlsplit(url)
            new = urlsplit(base)
            return urlunsplit((new.scheme, new.netloc, parts.path, parts.query, parts.fragment))

        return replace(
            self,
            home=base,
            feeds=tuple(move(u) for u in self.feeds),
            sitemaps=tuple(move(u) for u in self.sitemaps),
            listings=tuple(move(u) for u in self.listings),
            hosts=(),
        )


class ParserArgs(TypedDict):
    source: str | None
    timezone: str | None


class UnknownSource(KeyError):
    def __init__(self, key: str, known: Iterable[str]) -> None:
        super().__init__(key)
        self.key = key
        self.known = sorted(known)

    def __str__(self) -> str:
        return f"unknown source {self.key!r}; known: {', '.join(self.known)}"


def _registry() -> dict[str, Source]:
    from crawler.sources import altai, demo_only, siberia

    sources: dict[str, Source] = {}
    for module in (altai, siberia, demo_only):
        for source in module.SOURCES:
            sources[source.key] = source
    return sources


SOURCES: dict[str, Source] = _registry()


def get_source(key: str) -> Source:
    try:
        return SOURCES[key]
    except KeyError:
        raise UnknownSource(key, (k for k, s in SOURCES.items() if not s.demo)) from None


def key_for_url(url: str) -> str:
    """The source an article URL belongs to when nothing names it (an import from another
    tool): the registered source that owns its host, else the host itself, less `www.`."""
    for source in SOURCES.values():
        if not source.demo and source.owns(url):
            return source.key
    host = (urlsplit(url).hostname or "").lower()
    return host.removeprefix("www.")


def parser_args_for(key: str | None) -> ParserArgs:
    """`Source.parser_args` of a registered key; an unknown key goes to the parser as is."""
    source = SOURCES.get(key or "")
    return source.parser_args() if source else {"source": key, "timezone": None}


def url_rules(sources: Iterable[Source] | None = None) -> UrlRules:
    """The article-id URL forms of these sources (default: all known), for the archive's
    identity keys: one row per article however its URL is spelled."""
    chosen = SOURCES.values() if sources is None else sources
    return UrlRules({s.key: s.url_key for s in chosen if s.url_key})


def real_sources() -> list[Source]:
    return [s for s in SOURCES.values() if not s.demo]


def demo_sources() -> list[Source]:
    """The sources the bundled demo site imitates, in a stable order."""
    return [SOURCES[k] for k in DEMO_SOURCE_KEYS]


DEMO_SOURCE_KEYS: tuple[str, ...] = ("amic", "katun24", "ngs22", "sibnovosti")
