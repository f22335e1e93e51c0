"""`newsagg reparse`: run today's parsers over the pages kept in the archive."""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path
from typing import Any

import click

from crawler.cli.options import DateOrTime, db_option, open_archive, require_archive, source_option
from crawler.items import Article


@click.command()
@source_option("Only pages of this source key.")
@click.option("--since", type=DateOrTime(), help="Only pages fetched on or after this date.")
@click.option("--dry-run", is_flag=True, help="Count the changes; write nothing.")
@db_option
def command(source: str | None, since: date | None, dry_run: bool, db_path: Path) -> None:
    """Re-extract stored pages with the current parsers; report which fields changed.

    A changed text becomes a new version of the article; other fields are overwritten.

    \b
    Example:
        newsagg reparse --source amic --since 2024-01-01 --dry-run
    """
    from crawler.cli.report import table
    from pipelines.archive.reparse import reparse

    require_archive(db_path)
    progress = None
    if sys.stderr.isatty():

        def progress(done: int, total: int) -> None:
            click.echo(f"\r{done}/{total} pages", err=True, nl=done == total)

    with open_archive(db_path, readonly=False) as archive:
        report = reparse(
            archive,
            extract_as_crawled,
            source=source,
            since=since,
            dry_run=dry_run,
            progress=progress,
        )
    verb = "would change" if dry_run else "changed"
    click.echo(f"pages reparsed: {report.pages}; articles {verb}: {report.changed_articles}")
    if not dry_run:
        click.echo(f"new text versions: {report.new_versions}")
    if report.fields:
        click.echo(table(["field", "articles"], sorted(report.fields.items())))
    if report.without_page:
        click.echo(
            f"articles without a stored page, not reparsed: {report.without_page} (imported "
            "without --with-raw, or stored by another tool)"
        )
    if report.stale:
        click.echo(
            f"left alone, stored anew while being parsed (run reparse again): {report.stale}"
        )
    for reason, count in sorted(report.not_articles.items()):
        click.echo(f"no longer read as an article ({reason}): {count}")
    for article_id, message in report.errors[:10]:
        click.echo(f"parser error on article {article_id}: {message}", err=True)
    if len(report.errors) > 10:
        click.echo(f"... and {len(report.errors) - 10} more parser errors", err=True)


def extract_as_crawled(
    html: bytes | str, url: str, *, source: str | None = None, **kwargs: Any
) -> Article:
    """The parser call the crawl made for this source (`Source.parser_args`)."""
    from crawler.parsers import extract_article
    from crawler.sources import parser_args_for

    return extract_article(html, url, **parser_args_for(source), **kwargs)
