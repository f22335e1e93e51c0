"""Run a crawl in this process: the library call behind `newsagg crawl` and `newsagg demo`.

Scrapy's reactor can run once per process, so a process runs one crawl (all the
chosen sources together, in one spider).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from crawler.runstats import summarize
from crawler.sources import Source


@dataclass
class CrawlResult:
    summary: dict[str, Any]
    stats: dict[str, Any]


def crawl_settings(db_path: Path, *, local: bool, verbose: bool) -> Any:
    from scrapy.settings import Settings

    from crawler import settings as project_settings

    settings = Settings()
    settings.setmodule(project_settings, priority="project")
    settings.set("NEWS_DB", str(db_path), priority="cmdline")
    if local:
        settings.update(project_settings.local_overrides(), priority="cmdline")
    settings.set("LOG_LEVEL", "DEBUG" if verbose else "WARNING", priority="cmdline")
    return settings


def known_article_urls(db_path: Path) -> set[str]:
    """URLs already archived: the crawl does not fetch them again."""
    if not db_path.exists():
        return set()
    from pipelines.archive import Archive

    with Archive.open(db_path, readonly=True) as archive:
        return archive.known_urls()


def run_crawl(
    sources: Sequence[Source],
    db_path: Path,
    *,
    local: bool = False,
    verbose: bool = False,
    max_pages: int | None = None,
    incremental: bool = True,
) -> CrawlResult:
    from scrapy.crawler import CrawlerProcess

    from crawler.spiders.news import NewsSpider

    settings = crawl_settings(db_path, local=local, verbose=verbose)
    db_path.parent.mkdir(parents=True, exist_ok=True)
    known = known_article_urls(db_path) if incremental else set()
    settings.set("LOG_INSTALL_ROOT_HANDLER", verbose, priority="cmdline")
    process = CrawlerProcess(settings)
    if not verbose:
        logging.getLogger("scrapy").setLevel(logging.WARNING)
    crawler = process.create_crawler(NewsSpider)
    process.crawl(crawler, sources=list(sources), known_urls=known, max_pages=max_pages)
    process.start()
    stats = dict(crawler.stats.get_stats()) if crawler.stats else {}
    return CrawlResult(summary=summarize(stats), stats=stats)
