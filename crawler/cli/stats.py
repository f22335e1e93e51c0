"""`newsagg stats`: what the archive holds, how the recent crawl runs went, which sources
look unwell (see `crawler.health`)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from crawler.cli.options import db_option, open_archive
from crawler.cli.report import table
from crawler.health import health
from crawler.runstats import totals

HISTORY_RUNS = 50  # runs read for the health flags


def run_status(run: dict[str, Any], db_path: Path) -> str:
    """A run left "running" by a crawl that is gone was interrupted (kill -9, power loss)."""
    from crawler.lock import holder_alive

    status = str(run.get("status") or "")
    if status == "running" and not holder_alive(db_path):
        return "interrupted"
    return status


def recent_runs(archive: Any, limit: int) -> list[dict[str, Any]]:
    """The last `limit` runs, newest first, with totals over their sources."""
    from pipelines.archive.crawlstate import run_history

    runs = run_history(archive, limit) if limit else []
    out = [{**r, "status": run_status(r, archive.path), "totals": totals(r["stats"])} for r in runs]
    return list(reversed(out))


def source_health(archive: Any, keys: list[str] | None = None) -> dict[str, list[str]]:
    """Source key -> health flags, from the archive's run history."""
    from pipelines.archive.crawlstate import run_history

    return health(run_history(archive, HISTORY_RUNS), keys)


def last_entries(runs: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Per source, its entry in the newest run that crawled it (runs newest first)."""
    found: dict[str, dict[str, Any]] = {}
    for run in runs:
        for key, entry in (run["stats"].get("sources") or {}).items():
            found.setdefault(key, entry)
    return found


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
    """Show the archive per source, its health, and the recent crawl runs.

    Per source: articles archived, what its last run brought (new, updated,
    duplicate, dropped), the share of articles with a date, agency, photo credit
    and lead, and health flags (stale, down, coverage drop; see docs/cron.md).

    \b
    Example:
        newsagg stats
        newsagg stats --json --runs 20 --db /srv/news/news.db
    """
    with open_archive(db_path) as archive:
        per_source = archive.stats()
        runs = recent_runs(archive, run_count)
        history = recent_runs(archive, HISTORY_RUNS)
        flags = source_health(archive)
    sources = per_source.get("sources", per_source)
    for key, flag_list in flags.items():
        if key in sources:
            sources[key]["health"] = flag_list
    if as_json:
        payload = {"sources": per_source, "health": flags, "runs": runs}
        click.echo(json.dumps(payload, ensure_ascii=False, indent=2, default=str))
        return
    last = last_entries(history)
    rows = []
    for key in sorted(set(sources) | set(flags)):
        s, run = sources.get(key, {}), last.get(key, {})
        rows.append(
            [
                key or "(no source)",  # imported articles of another tool may have none
                s.get("articles", 0),
                run.get("new", ""),
                run.get("updated", ""),
                run.get("duplicate", ""),
                sum((run.get("dropped") or {}).values()) if run else "",
                _pct(s.get("with_date")),
                _pct(s.get("with_agency")),
                _pct(s.get("with_credit")),
                _pct(s.get("with_lead")),
                "; ".join(flags.get(key, [])) or "ok",
            ]
        )
    headers = ["source", "articles", "new", "upd", "dup", "dropped"]
    headers += ["date", "agency", "credit", "lead", "health"]
    click.echo(table(headers, rows))
    click.echo("new…dropped: the source's last run; date…lead: share of archived articles")
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
                r["totals"]["duplicate"],
                sum(r["totals"]["dropped"].values()),
                sum((r["stats"].get("http_errors") or {}).values()),
            ]
            for r in runs
        ]
        click.echo(
            table(
                ["run", "started", "status", "pages", "new", "upd", "dup", "dropped", "http err"],
                run_rows,
            )
        )


def _pct(value: Any) -> str:
    if value is None:
        return ""
    return f"{float(value) * 100:.0f}%"
