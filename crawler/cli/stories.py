"""`newsagg stories`: recent stories, each an article and its reprints across sources."""

from __future__ import annotations

import json
from datetime import date, tzinfo
from pathlib import Path

import click

from crawler.cli.options import (
    DateOrTime,
    db_option,
    in_zone,
    open_archive,
    source_option,
    tz_option,
)


@click.command()
@click.option("--limit", type=click.IntRange(1, 10_000), default=20, show_default=True)
@source_option("Only stories with an article from this source key.")
@click.option("--since", type=DateOrTime(), help="Only stories with an article on or after.")
@click.option("--json", "as_json", is_flag=True, help="Print the stories as JSON.")
@tz_option
@db_option
def command(
    limit: int,
    source: str | None,
    since: date | None,
    as_json: bool,
    zone: tzinfo | None,
    db_path: Path,
) -> None:
    """List recent stories: an article and its reprints in other sources.

    Newest first (by the latest member). Each story shows its origin, the
    earliest published copy (marked *), and every member with its source,
    publication time, headline and URL.

    \b
    Example:
        newsagg stories
        newsagg stories --source ngs22 --since 2026-11-01 --limit 5
        newsagg stories --json --db /srv/news/news.db
    """
    with open_archive(db_path) as archive:
        found = archive.stories(limit=limit, source=source, since=in_zone(since, zone))
    if as_json:
        click.echo(json.dumps([s.to_dict() for s in found], ensure_ascii=False, indent=2))
        return
    if not found:
        asked = source is not None or since is not None
        click.echo(
            "no stories match --source/--since" if asked else "no stories: no reprints linked yet",
            err=True,
        )
        return
    blocks = []
    for story in found:
        lines = [f"story {story.id}: {story.article_count} articles"]
        for m in story.members:
            when = (m.published_at or "")[:16].replace("T", " ")
            mark = "*" if m.origin else " "
            lines.append(f" {mark} {m.source or '':<10} {when:<16}  {m.headline}")
            lines.append(f"   {'':<10} {'':<16}  {m.url}")
        blocks.append("\n".join(lines))
    click.echo("\n\n".join(blocks))
    click.echo("\n* origin: the earliest published copy")
