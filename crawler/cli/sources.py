"""`newsagg sources`: the sources newsagg knows how to crawl."""

from __future__ import annotations

import json

import click

from crawler.cli.report import table
from crawler.sources import SOURCES


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Print the registry as JSON.")
@click.option("--demo", "with_demo", is_flag=True, help="Include demo-only sources.")
def command(as_json: bool, with_demo: bool) -> None:
    """List the registered sources: key, site, agency, time zone and entry points.

    \b
    Example:
        newsagg sources
        newsagg sources --json | jq '.[].key'
    """
    chosen = [s for s in SOURCES.values() if with_demo or not s.demo]
    if as_json:
        data = [
            {
                "key": s.key,
                "name": s.name,
                "home": s.home,
                "agency": s.agency,
                "timezone": s.timezone,
                "language": s.language,
                "region": s.region,
                "feeds": list(s.feeds),
                "sitemaps": list(s.sitemaps),
                "listings": list(s.listings),
                "article_pattern": s.article_pattern,
                "parser": s.parser or "generic",
                "notes": s.notes,
            }
            for s in chosen
        ]
        click.echo(json.dumps(data, ensure_ascii=False, indent=2))
        return
    rows = [
        [
            s.key,
            s.home,
            s.agency or "",
            s.timezone or "?",
            " ".join(
                x
                for x, n in (("rss", s.feeds), ("sitemap", s.sitemaps), ("listing", s.listings))
                if n
            ),
        ]
        for s in chosen
    ]
    click.echo(table(["key", "home", "agency", "time zone", "discovery"], rows))
