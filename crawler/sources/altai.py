"""News sites of Altai Krai (Barnaul). URLs and entry points as known (see docs/sources.md)."""

from __future__ import annotations

from crawler.sources import Source

SOURCES = [
    Source(
        key="amic",
        name="ИА Амител (amic.ru)",
        home="https://www.amic.ru",
        hosts=("amic.ru", "m.amic.ru"),
        # new form /news/<slug>-<id>, old form /news/<id>/, AMP /amp/news/<id>
        article_pattern=r"^/(amp/)?news/(?:[a-z0-9-]+-)?\d{3,}/?$",
        feeds=("https://www.amic.ru/rss/",),
        listings=("https://www.amic.ru/news/incident",),
        parser="amic",
        region="Алтайский край",
    ),
    Source(
        key="katun24",
        name="Катунь 24 (katun24.ru)",
        home="https://katun24.ru",
        hosts=("www.katun24.ru",),
        article_pattern=r"^/(news|node|projects)/\d+/?$",
        sitemaps=("https://katun24.ru/sitemap.xml",),
        listings=("https://katun24.ru/", "https://katun24.ru/news"),
        parser="katun24",
        region="Алтайский край",
        notes="/rss was down in 2026: discovery through the home page, listing and sitemap",
    ),
    Source(
        key="ngs22",
        name="НГС22 (ngs22.ru)",
        home="https://ngs22.ru",
        hosts=("www.ngs22.ru",),
        article_pattern=r"^/text/[a-z_-]+/\d{4}/\d{2}/\d{2}/\d+/?$",
        feeds=("https://ngs22.ru/rss-feeds/rss.xml",),
        listings=("https://ngs22.ru/text/",),
        parser="ngs22",
        region="Алтайский край",
    ),
    Source(
        key="altapress",
        name="Алтапресс (altapress.ru)",
        home="https://altapress.ru",
        hosts=("www.altapress.ru",),
        article_pattern=r"^/(?:[a-z_-]+/)?(amp/)?story/(?:[a-z0-9-]+-)?\d{5,}/?$",
        feeds=("https://altapress.ru/rss",),
        listings=("https://altapress.ru/news",),
        parser="altapress",
        region="Алтайский край",
        notes="RSS location uncertain; the /news listing is the reliable entry point",
    ),
    Source(
        key="tolknews",
        name="Толк (tolknews.ru)",
        home="https://tolknews.ru",
        hosts=("www.tolknews.ru",),
        article_pattern=r"^/[a-z_-]+/\d+-[a-z0-9-]+/?$",
        feeds=("https://tolknews.ru/rss.xml",),
        parser="tolknews",
        region="Алтайский край",
    ),
    Source(
        key="bankfax",
        name="ИА Банкфакс (bankfax.ru)",
        home="https://bankfax.ru",
        hosts=("www.bankfax.ru",),
        article_pattern=r"^/news/\d+/?$",
        feeds=("https://bankfax.ru/rss.xml",),
        parser="bankfax",
        region="Алтайский край",
        notes="HTML layout unknown: fields come mostly from the generic layers",
    ),
]
