"""`export_articles`: the archive to a JSONL, CSV or Parquet file, streamed.

The steps: choose the columns, select the rows with the search's filters (and a named
cursor for incremental runs), stream them through the format's writer into a temporary
file, rename it into place, and only then move the cursor.
"""

from __future__ import annotations

import contextlib
import functools
import sqlite3
from collections.abc import Callable, Generator, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

import sqlite_utils

from pipelines.export import cursor as cursors
from pipelines.export.atomic import atomic_output, stdout_output
from pipelines.export.columns import RAW_PAGE, Column, select_columns, source_columns
from pipelines.export.csv_writer import write_csv
from pipelines.export.jsonl import write_jsonl
from pipelines.export.parquet import write_parquet
from pipelines.export.selection import KEY_ALIAS, Filters, described, narrower_or_same, select

FORMATS = ("jsonl", "csv", "parquet")
PROGRESS_EVERY = 1000
# progress(rows written so far, rows in the export), first with 0 before any row is read.
Progress = Callable[[int, int], None]
Writer = Callable[..., int]

WRITERS: dict[str, Writer] = {"jsonl": write_jsonl, "csv": write_csv, "parquet": write_parquet}


class ExportError(ValueError):
    """An export that cannot be done as asked (the message says why)."""


@dataclass(frozen=True)
class ExportResult:
    rows: int
    path: Path | None  # None: written to standard output
    cursor: cursors.ExportCursor | None  # the saved cursor of a `since_last` export


def database(archive: Any) -> sqlite_utils.Database:
    """The database of an `Archive`, a `sqlite_utils.Database` or a sqlite3 connection."""
    if isinstance(archive, sqlite_utils.Database):
        return archive
    if isinstance(archive, sqlite3.Connection):
        return sqlite_utils.Database(archive)
    db = getattr(archive, "db", None)
    if isinstance(db, sqlite_utils.Database):
        return db
    raise TypeError(f"cannot export from {type(archive).__name__}: pass an Archive or a database")


def export_articles(
    archive: Any,
    out: Path | None,
    *,
    format: str,
    fields: Sequence[str] | None = None,
    query: str | None = None,
    source: str | None = None,
    agency: str | None = None,
    since: datetime | date | None = None,
    until: datetime | date | None = None,
    collapse_stories: bool = False,
    since_last: str | None = None,
    excel: bool = False,
    with_raw: bool = False,
    progress: Progress | None = None,
    settle_seconds: float = cursors.SETTLE_SECONDS,
) -> ExportResult:
    """Export the matching articles to `out` (None: standard output; not for Parquet).

    Raises `UnknownFieldError` for a bad field name, `ExportError` for an impossible
    combination, `SearchQueryError` for a query that cannot be read. With `since_last`, only
    rows changed since that named export's last successful run are written, and the archive
    must be writable (the cursor is saved in it); rows stamped less than `settle_seconds`
    before the start are delivered again by the next run (see cursor.py). `with_raw` adds
    the stored page of each article (`columns.RAW_PAGE`; JSONL only).
    """
    columns = select_columns(fields)
    if with_raw:
        if format != "jsonl":
            raise ExportError("--with-raw is for JSONL, the format that `newsagg import` reads")
        columns.append(RAW_PAGE)
    writer = _writer(format, out, excel)
    db = database(archive)
    conn = db.conn
    settled = cursors.settled_before(cursors.utc_now(), settle_seconds)
    try:
        can_save = not since_last or cursors.writable(conn)
    except sqlite3.OperationalError as exc:  # locked past the busy timeout by another writer
        raise ExportError(f"the archive is busy ({exc}); try --since-last again later") from None
    if not can_save:
        raise ExportError(
            f"--since-last {since_last} saves where it got to in the archive, and the archive "
            "cannot be written here: export without --since-last, or as the archive's owner"
        )
    key = cursors.change_key(conn) if since_last else None
    after = cursors.load(conn, since_last) if since_last else None
    filters = Filters(query, source, agency, since, until, collapse_stories)
    if after is not None and after.filters and not narrower_or_same(after.filters, filters):
        # the cursor passed rows of other filters: this run would never deliver those
        raise ExportError(
            f"--since-last {since_last} was saved by exports with "
            f"{described(after.filters)}, and this one has {described(filters.saved())} "
            "(days and times read in UTC, or in --tz / NEWSAGG_TZ): articles changed before "
            "its cursor would be skipped. Give this export its own name (each name keeps "
            "its own cursor)"
        )
    selection = select(filters, after=after, key=key)
    total = selection.count(conn) if progress is not None else 0
    if progress is not None:
        progress(0, total)
    tracker = _Tracker(after)
    rows = _export_rows(
        selection.rows(conn, source_columns(columns)), columns, tracker, progress, total
    )
    target = atomic_output(out) if out is not None else stdout_output()
    with contextlib.closing(rows), target as fh:
        written = writer(rows, columns, fh)
    saved = None
    if since_last:
        last_seen, last_id = cursors.advance(tracker.key, tracker.last_id, settled)
        saved = cursors.save(
            db,
            cursors.ExportCursor(
                since_last, last_seen, last_id, rows=written, filters=filters.saved()
            ),
        )
    return ExportResult(written, out, saved)


def _writer(format: str, out: Path | None, excel: bool) -> Callable[..., int]:
    if format not in WRITERS:
        raise ExportError(f"unknown format {format!r}: choose one of {', '.join(FORMATS)}")
    if format == "parquet" and out is None:
        raise ExportError("Parquet cannot be written to standard output: give -o FILE")
    if excel and format != "csv":
        raise ExportError("--excel applies to the CSV format only")
    if excel:
        return functools.partial(WRITERS[format], excel=True)
    return WRITERS[format]


class _Tracker:
    """The largest (change key, id) delivered: where the next incremental run starts."""

    def __init__(self, after: cursors.ExportCursor | None) -> None:
        self.key = after.last_seen if after else ""
        self.last_id = after.last_id if after else 0

    def see(self, key: str | None, row_id: int) -> None:
        # None: a row another tool wrote without a change time; it cannot place the cursor
        if key is not None and (key, row_id) > (self.key, self.last_id):
            self.key, self.last_id = key, row_id


def _export_rows(
    source: Iterator[dict[str, Any]],
    columns: Sequence[Column],
    tracker: _Tracker,
    progress: Progress | None,
    total: int,
) -> Generator[dict[str, Any], None, None]:
    done = 0
    try:
        for src in source:
            if KEY_ALIAS in src:
                tracker.see(src[KEY_ALIAS], src["id"])
            yield {c.name: c.read(src) for c in columns}
            done += 1
            if progress is not None and done % PROGRESS_EVERY == 0:
                progress(done, total)
        if progress is not None:
            progress(done, total)
    finally:
        close = getattr(source, "close", None)
        if close is not None:
            close()
