"""News sites of Siberia beyond Altai Krai."""

from __future__ import annotations

from crawler.sources import Source

SOURCES = [
    Source(
        key="sibkray",
        name="Сибкрай (sibkray.ru)",
        home="https://sibkray.ru",
        hosts=("www.sibkray.ru",),
        article_pattern=r"^/news/\d+/\d+/?$|^/news/[a-z0-9-]+-\d+/?$",
        feeds=("https://sibkray.ru/rss/",),
        listings=("https://sibkray.ru/news/",),
        parser="sibkray",
        region="Новосибирская область",
    ),
]
