"""`newsagg export`: the archive as JSONL, CSV or Parquet for pandas, R, DuckDB, spreadsheets."""

from __future__ import annotations

import itertools
import os
import sys
from datetime import date, tzinfo
from pathlib import Path
from typing import Any

import click

from crawler.cli.options import (
    DateOrTime,
    UsageExit,
    db_option,
    open_archive,
    require_archive,
    source_option,
    time_range,
    tz_option,
)

ARCHIVE_SUFFIXES = ("", "-wal", "-shm", "-journal")  # the database and SQLite's own files


def overwrites_archive(out: Path, db_path: Path) -> bool:
    """Whether writing `out` would replace the archive or one of SQLite's files beside it."""
    target = os.path.realpath(out)
    # SQLite names its files after the database's real path (links followed) or as given
    for base, suffix in itertools.product(
        {str(db_path), os.path.realpath(db_path)}, ARCHIVE_SUFFIXES
    ):
        candidate = base + suffix
        if os.path.realpath(candidate) == target:
            return True
        try:
            if os.path.samefile(out, candidate):  # a hard link, another name of it
                return True
        except OSError:  # one of them does not exist
            pass
    return False


class _Bar:
    """A click progress bar on stderr, made when the export knows its row count."""

    def __init__(self) -> None:
        self.bar: Any = None
        self.shown = 0

    def __call__(self, done: int, total: int) -> None:
        if self.bar is None:
            self.bar = click.progressbar(length=total, label="exporting", file=sys.stderr)
            self.bar.__enter__()
        self.bar.update(done - self.shown)
        self.shown = done

    def close(self) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)


@click.command()
@click.argument("query", required=False)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["jsonl", "csv", "parquet"]),
    required=True,
    help="File format.",
)
@click.option(
    "-o",
    "--output",
    default="-",
    show_default=True,
    help="File to write, replaced atomically (a FIFO or device is written into); - is "
    "standard output (not for Parquet).",
)
@source_option()
@click.option("--agency", help="Only articles of this agency.")
@click.option(
    "--since",
    type=DateOrTime(),
    help="Published on or after this date (2024-03-05), month (2024-03) or time.",
)
@click.option(
    "--until",
    type=DateOrTime(end=True),
    help="Published on or before this date, month (its last day) or time.",
)
@click.option(
    "--collapse-stories", is_flag=True, help="One article per story (its origin or earliest)."
)
@click.option("--fields", help="Comma-separated columns, in this order (default: all).")
@click.option("--excel", is_flag=True, help="CSV for Excel: UTF-8 byte order mark, CRLF.")
@click.option(
    "--with-raw",
    is_flag=True,
    help="JSONL: add each stored page (raw_page), so `newsagg import` keeps it re-parseable.",
)
@click.option(
    "--since-last",
    metavar="NAME",
    help="Incremental: only what arrived or changed since the last run of export NAME.",
)
@tz_option
@db_option
def command(
    query: str | None,
    fmt: str,
    output: str,
    source: str | None,
    agency: str | None,
    since: date | None,
    until: date | None,
    collapse_stories: bool,
    fields: str | None,
    excel: bool,
    with_raw: bool,
    since_last: str | None,
    zone: tzinfo | None,
    db_path: Path,
) -> None:
    """Export articles (all, or those matching QUERY and the filters) to a file.

    The columns are the same in every format (see docs/export.md). A file is written under
    a temporary name and renamed when complete, so a killed export leaves no half file.

    \b
    Example:
        newsagg export --format parquet -o news.parquet
        newsagg export "губернатор" --source amic --since 2024-01-01 --format jsonl > gov.jsonl
        newsagg export --format csv --excel --fields id,published_at_utc,headline -o news.csv
        newsagg export --format jsonl --since-last nightly -o new-$(date +%F).jsonl
        newsagg export --format jsonl --with-raw -o move.jsonl   # then: newsagg import
    """
    from pipelines.archive import SearchQueryError
    from pipelines.export import ExportError, UnknownFieldError, export_articles

    out = None if output == "-" else Path(output)
    since, until = time_range(since, until, zone)
    require_archive(db_path)
    if out is not None and overwrites_archive(out, db_path):
        raise UsageExit(f"-o {output} would overwrite the archive {db_path}: choose another file")
    if since_last is not None and not since_last.strip():
        raise UsageExit("--since-last needs a name, e.g. --since-last nightly")
    field_list = fields.split(",") if fields else None
    bar = _Bar() if sys.stderr.isatty() else None
    try:
        # A cursor is saved in the archive, so an incremental export opens it writable.
        with open_archive(db_path, readonly=since_last is None) as archive:
            result = export_articles(
                archive,
                out,
                format=fmt,
                fields=field_list,
                query=query,
                source=source,
                agency=agency,
                since=since,
                until=until,
                collapse_stories=collapse_stories,
                since_last=since_last,
                excel=excel,
                with_raw=with_raw,
                progress=bar,
            )
    except (UnknownFieldError, ExportError, SearchQueryError) as exc:
        raise UsageExit(str(exc)) from exc
    except (FileNotFoundError, IsADirectoryError, NotADirectoryError, PermissionError) as exc:
        raise UsageExit(f"cannot write {output}: {exc.strerror or exc}") from exc
    except BrokenPipeError:  # `newsagg export ... | head`: the reader has had enough
        # Python would flush stdout again at exit and complain; point it at /dev/null.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        sys.exit(1)
    finally:
        if bar is not None:
            bar.close()
    where = str(result.path) if result.path else "standard output"
    noun = "article" if result.rows == 1 else "articles"
    click.echo(f"exported {result.rows} {noun} to {where}", err=True)
