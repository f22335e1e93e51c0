"""Sources that exist only on the bundled demo site (an 'unknown' site for the generic layers)."""

from __future__ import annotations

from crawler.sources import Source

SOURCES = [
    Source(
        key="sibnovosti",
        name="Сибновости (demo: an unknown site, generic layers only)",
        home="https://sibnovosti.example",
        hosts=("www.sibnovosti.example",),
        article_pattern=r"^/news/\d{4}/\d{2}/[a-z0-9-]+\.html$",
        sitemaps=("https://sibnovosti.example/sitemap.xml",),
        parser=None,
        timezone_default="Asia/Novosibirsk",
        region="Новосибирская область",
        demo=True,
    ),
]
