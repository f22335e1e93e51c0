"""`newsagg crawl`: crawl sources into the archive."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import click

from crawler.cli.options import db_option
from crawler.cli.report import crawl_summary
from crawler.sources import Source, UnknownSource, demo_sources, get_source, real_sources


def _parse_base(values: tuple[str, ...]) -> dict[str, str]:
    bases: dict[str, str] = {}
    for value in values:
        key, sep, url = value.partition("=")
        if not sep or not url.startswith(("http://", "https://")):
            raise click.BadParameter(f"expected KEY=URL, got {value!r}", param_hint="--base")
        bases[key] = url.rstrip("/")
    return bases


def choose_sources(keys: tuple[str, ...], all_sources: bool, bases: dict[str, str]) -> list[Source]:
    if all_sources and keys:
        raise click.UsageError("give source keys or --all, not both")
    try:
        chosen = real_sources() if all_sources else [get_source(k) for k in keys]
    except UnknownSource as exc:
        raise click.UsageError(str(exc)) from None
    if not chosen and bases:
        chosen = [get_source(k) for k in bases]
    if not chosen:
        raise click.UsageError("name at least one source (see `newsagg sources`) or use --all")
    return [s.with_base(bases[s.key]) if s.key in bases else s for s in chosen]


@click.command()
@click.argument("sources", nargs=-1)
@click.option("--all", "all_sources", is_flag=True, help="Crawl every registered source.")
@db_option
@click.option(
    "--base",
    multiple=True,
    metavar="KEY=URL",
    help="Serve a source from another origin (a mirror, a test server).",
)
@click.option("--demo", is_flag=True, help="Crawl the bundled offline demo site instead.")
@click.option(
    "--max-pages",
    type=click.IntRange(1, 1000),
    default=None,
    help="Listing pages to walk per source (default per source, 3).",
)
@click.option("--full", is_flag=True, help="Fetch archived articles again (not incremental).")
@click.option("--json", "as_json", is_flag=True, help="Print the run summary as JSON.")
@click.option("-v", "--verbose", is_flag=True, help="Show Scrapy's log.")
def command(
    sources: tuple[str, ...],
    all_sources: bool,
    db_path: Path,
    base: tuple[str, ...],
    demo: bool,
    max_pages: int | None,
    full: bool,
    as_json: bool,
    verbose: bool,
) -> None:
    """Crawl news sources into the archive.

    Fetches feeds, sitemaps and listing pages, then the articles not yet archived,
    extracts them and stores them. Safe to run from cron.

    \b
    Examples:
        newsagg crawl amic katun24
        newsagg crawl --all --db /srv/news/news.db
        newsagg crawl --demo              # the bundled offline demo site
    """
    bases = _parse_base(base)
    if demo:
        from crawler.demo.server import DemoSite

        with DemoSite() as site:
            chosen = [s.with_base(site.bases[s.key]) for s in demo_sources() if s.key in site.bases]
            _run(chosen, db_path, True, max_pages, full, as_json, verbose)
        return
    chosen = choose_sources(sources, all_sources, bases)
    local = all(s.home.startswith(("http://127.", "http://localhost")) for s in chosen)
    _run(chosen, db_path, local, max_pages, full, as_json, verbose)


def _run(
    chosen: list[Source],
    db_path: Path,
    local: bool,
    max_pages: int | None,
    full: bool,
    as_json: bool,
    verbose: bool,
) -> None:
    from crawler.crawl import run_crawl
    from crawler.lock import EX_TEMPFAIL, ArchiveLocked, archive_lock

    if not as_json:
        names = ", ".join(s.key for s in chosen)
        click.echo(f"crawling {names} into {db_path} ...", err=True)
    started = time.monotonic()
    try:
        with archive_lock(db_path):
            result = run_crawl(
                chosen,
                db_path,
                local=local,
                verbose=verbose,
                max_pages=max_pages,
                incremental=not full,
            )
    except ArchiveLocked as exc:
        click.echo(f"newsagg crawl: {exc}; not starting a second one", err=True)
        sys.exit(EX_TEMPFAIL)
    wall = time.monotonic() - started
    if as_json:
        click.echo(
            json.dumps({**result.summary, "wall_seconds": round(wall, 2)}, ensure_ascii=False)
        )
    else:
        click.echo(crawl_summary(result.summary, wall))
