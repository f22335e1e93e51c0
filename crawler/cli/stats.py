"""`newsagg stats`: what the archive holds and how the recent crawl runs went."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from crawler.cli.options import db_option
from crawler.cli.report import table
from crawler.runstats import totals


def _open(db_path: Path) -> Any:
    from pipelines.archive import Archive

    if not db_path.exists():
        raise click.ClickException(
            f"no archive at {db_path}: run `newsagg crawl` or `newsagg demo` first"
        )
    return Archive.open(db_path, readonly=True)


def recent_runs(archive: Any, limit: int) -> list[dict[str, Any]]:
    runs = []
    for row in archive.db["crawl_runs"].rows_where(order_by="id desc", limit=limit):
        stats = json.loads(row.get("stats") or "{}")
        runs.append({**row, "stats": stats, "totals": totals(stats)})
    return runs


@click.command()
@db_option
@click.option(
    "--runs",
    "run_count",
    type=click.IntRange(0, 1000),
    default=5,
    show_default=True,
    help="How many recent crawl runs to show.",
)
@click.option("--json", "as_json", is_flag=True, help="Print everything as JSON.")
def command(db_path: Path, run_count: int, as_json: bool) -> None:
    """Show the archive per source and the recent crawl runs.

    \b
    Example:
        newsagg stats
        newsagg stats --json --runs 20 --db /srv/news/news.db
    """
    with _open(db_path) as archive:
        per_source = archive.stats()
        runs = recent_runs(archive, run_count)
    if as_json:
        click.echo(
            json.dumps(
                {"sources": per_source, "runs": runs}, ensure_ascii=False, indent=2, default=str
            )
        )
        return
    sources = per_source.get("sources", per_source)
    rows = []
    for key, s in sorted(sources.items()):
        rows.append(
            [
                key,
                s.get("articles"),
                s.get("first_published"),
                s.get("last_published"),
                _pct(s.get("with_date")),
                _pct(s.get("with_agency")),
                _pct(s.get("with_credit")),
                _pct(s.get("with_lead")),
            ]
        )
    click.echo(
        table(["source", "articles", "first", "last", "date", "agency", "credit", "lead"], rows)
    )
    if runs:
        click.echo("")
        run_rows = [
            [
                r["id"],
                r.get("started_at"),
                r.get("status"),
                r["stats"].get("pages", ""),
                r["totals"]["new"],
                r["totals"]["updated"],
                sum(r["totals"]["dropped"].values()),
            ]
            for r in runs
        ]
        click.echo(
            table(["run", "started", "status", "pages", "new", "updated", "dropped"], run_rows)
        )


def _pct(value: Any) -> str:
    if value is None:
        return ""
    return f"{float(value) * 100:.0f}%"
