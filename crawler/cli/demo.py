"""`newsagg demo`: the real crawl on the bundled offline demo site, then a search."""

from __future__ import annotations

import contextlib
import sqlite3
import sys
import time
from pathlib import Path

import click

from crawler.cli.options import UsageExit, demo_db_option
from crawler.cli.report import crawl_summary, table
from crawler.runstats import totals

EXAMPLE_QUERY = "Казахстан"


def real_articles(db_path: Path) -> int:
    """Articles in the archive at `db_path` that were not fetched from 127.0.0.1."""
    if not db_path.is_file():
        return 0
    try:
        with contextlib.closing(
            sqlite3.connect(f"{db_path.resolve().as_uri()}?mode=ro", uri=True)
        ) as conn:
            row = conn.execute(
                "SELECT COUNT(*) FROM articles WHERE url NOT LIKE 'http://127.0.0.1:%' "
                "AND url NOT LIKE 'http://localhost:%'"
            ).fetchone()
    except sqlite3.Error:  # no archive (yet): the crawl says what is wrong with the file
        return 0
    return int(row[0])


def refuse_real_archive(db_path: Path) -> None:
    """Exit 2 when the archive holds real articles: the demo's would overwrite them."""
    real = real_articles(db_path)
    if real:
        raise UsageExit(
            f"{db_path} holds {real} articles from real sites; the demo's made-up articles "
            "use the same sources and article ids and would overwrite them: "
            "give the demo another --db"
        )


@click.command()
@demo_db_option
@click.option(
    "--query",
    default=EXAMPLE_QUERY,
    show_default=True,
    help="The example search to run after the crawl.",
)
@click.option("-v", "--verbose", is_flag=True, help="Show Scrapy's log.")
def command(db_path: Path, query: str, verbose: bool) -> None:
    """Crawl the bundled demo site (offline, 127.0.0.1) and show a search.

    Serves the demo sources (amic-, katun24-, ngs22-like and an unknown site) on
    free local ports, runs the real spider and pipelines into the archive, prints
    what was fetched and stored, then the top results of one Russian search.

    \b
    Example:
        newsagg demo
        newsagg demo --db /tmp/demo.db --query "губернатор"

    The demo's articles go to data/demo.db (not the archive of `newsagg crawl`),
    and it refuses an archive that holds articles from the real sites: its
    made-up articles carry the real sources' names and article ids.
    """
    from crawler.cli.crawl import verdict
    from crawler.crawl import run_crawl
    from crawler.demo.server import DEMO_PORTS, DemoSite
    from crawler.lock import EX_TEMPFAIL, ArchiveLocked
    from crawler.sources import demo_sources
    from pipelines.archive import Archive

    refuse_real_archive(db_path)
    started = time.monotonic()
    with DemoSite(ports=DEMO_PORTS) as site:
        if site.moved:
            click.echo(
                f"note: ports of {', '.join(site.moved)} were busy; their URLs differ from "
                "earlier demo runs, so this run stores their articles again",
                err=True,
            )
        chosen = [s.with_base(site.bases[s.key]) for s in demo_sources() if s.key in site.bases]
        click.echo(f"demo site: {len(chosen)} sources on 127.0.0.1", err=True)
        for source in chosen:
            click.echo(f"  {source.key:<12} {source.home}", err=True)
        click.echo(f"crawling into {db_path} ...", err=True)
        try:
            result = run_crawl(chosen, db_path, local=True, verbose=verbose)
        except ArchiveLocked as exc:
            click.echo(f"newsagg demo: {exc}", err=True)
            sys.exit(EX_TEMPFAIL)
    wall = time.monotonic() - started
    click.echo(crawl_summary(result.summary, wall))
    code, messages = verdict(result, {})
    for message in messages:
        click.echo(message, err=True)
    if code:
        sys.exit(code)
    done = totals(result.summary)
    if not done["new"] and not done["updated"]:
        click.echo(
            "nothing new: the demo site has not changed since the last run into this archive "
            "(feeds and listings answered 304 Not Modified)"
        )
    with Archive.open(db_path) as archive:
        click.echo(f"articles in the archive: {archive.count_articles()}")
        hits = archive.search(query, limit=5)
    click.echo(f"\nsearch {query!r}: {len(hits)} shown")
    if hits:
        rows = [
            [h.source, (h.published_at or "")[:16], _cut(h.headline, 60), _cut(h.snippet, 70)]
            for h in hits
        ]
        click.echo(table(["source", "published", "headline", "snippet"], rows))
    click.echo(f"\nnext: newsagg search {query!r} --db {db_path}")


def _cut(text: str | None, width: int) -> str:
    """`text` in `width` characters, keeping the first highlighted word in view."""
    text = " ".join((text or "").split())
    mark = text.find("[")
    if mark > width // 2:
        text = "…" + text[mark - width // 4 :].lstrip()
    return text if len(text) <= width else text[: width - 1] + "…"
