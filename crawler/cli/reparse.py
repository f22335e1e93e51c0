"""`newsagg reparse`: run today's parsers over the pages kept in the archive."""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

import click

from crawler.cli.options import db_option
from crawler.cli.search import DateOrTime, ExitTwo


@click.command()
@click.option("--source", help="Only pages of this source key.")
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
    from crawler.parsers import extract_article
    from pipelines.archive import Archive
    from pipelines.archive.reparse import reparse

    if not db_path.is_file():
        raise ExitTwo(f"no archive at {db_path}: run newsagg crawl or newsagg demo first")
    progress = None
    if sys.stderr.isatty():

        def progress(done: int, total: int) -> None:
            click.echo(f"\r{done}/{total} pages", err=True, nl=done == total)

    with Archive.open(db_path) as archive:
        report = reparse(
            archive, extract_article, source=source, since=since, dry_run=dry_run, progress=progress
        )
    verb = "would change" if dry_run else "changed"
    click.echo(f"pages reparsed: {report.pages}; articles {verb}: {report.changed_articles}")
    if not dry_run:
        click.echo(f"new text versions: {report.new_versions}")
    if report.fields:
        click.echo(table(["field", "articles"], sorted(report.fields.items())))
    for reason, count in sorted(report.not_articles.items()):
        click.echo(f"no longer read as an article ({reason}): {count}")
    for article_id, message in report.errors[:10]:
        click.echo(f"parser error on article {article_id}: {message}", err=True)
    if len(report.errors) > 10:
        click.echo(f"... and {len(report.errors) - 10} more parser errors", err=True)
