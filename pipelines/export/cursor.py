"""Named cursors for incremental exports (`--since-last NAME`).

A cursor is the largest (change key, id) pair a named export has delivered. The change key is
`articles.changed_at`: the time anything an export shows of the article last changed (text,
dates, images, credits, its story or its origin status; see `writer.update` and
`stories.join`). A crawl that sees an article again unchanged does not move it, so such an
article is not delivered again. An archive older than that column (opened without its
migrations) falls back to `last_seen` (or `first_seen`). The cursor moves only after the
export file is in place.

Why the settle time: a writer stamps its rows with the time before its transaction commits
(it may wait up to the busy timeout for the lock), so rows stamped a little before an export
can still arrive after it. The cursor therefore never moves past `export start - settle`;
rows stamped within that window are delivered again by the next run rather than lost.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import sqlite_utils

from pipelines.archive.schema import immediate

TABLE = "export_cursors"
CHANGE_COLUMN = "changed_at"  # indexed: an incremental run reads only the rows it delivers
LEGACY_KEY = "COALESCE(articles.last_seen, articles.first_seen, '')"
# Longer than a write transaction can wait for the lock (the archive's busy timeout, 30 s).
SETTLE_SECONDS = 120.0
TIME_FORMAT = "%Y-%m-%dT%H:%M:%SZ"


@dataclass(frozen=True)
class ExportCursor:
    name: str
    last_seen: str  # the change key of the last row delivered
    last_id: int
    updated_at: str | None = None
    rows: int | None = None  # rows delivered by the run that saved it
    # the filters of the runs that moved it (`Filters.saved`); None: saved before
    # they were remembered
    filters: str | None = None


def change_key(conn: sqlite3.Connection) -> str:
    """The SQL expression of a row's change key: the bare column, so that its index serves."""
    names = {row[1] for row in conn.execute("PRAGMA table_info(articles)")}
    return f"articles.{CHANGE_COLUMN}" if CHANGE_COLUMN in names else LEGACY_KEY


def utc_now() -> datetime:
    return datetime.now(UTC)


def settled_before(started: datetime, settle_seconds: float) -> str:
    """The change key before which rows are final when an export starts at `started`."""
    return (started - timedelta(seconds=settle_seconds)).strftime(TIME_FORMAT)


def advance(last_seen: str, last_id: int, settled: str) -> tuple[str, int]:
    """Where the next run starts after delivering up to (last_seen, last_id): there exactly
    when that key is settled, else at the settle line (whose rows come again)."""
    if last_seen < settled:
        return last_seen, last_id
    return settled, 0


def ensure_table(db: sqlite_utils.Database) -> None:
    db.table(TABLE).create(
        {
            "name": str,
            "last_seen": str,
            "last_id": int,
            "updated_at": str,
            "rows": int,
            "filters": str,
        },
        pk="name",
        if_not_exists=True,
    )


def load(conn: sqlite3.Connection, name: str) -> ExportCursor | None:
    """The saved cursor `name`, or None on a first run (or an archive without the table)."""
    try:
        row = conn.execute(f"SELECT * FROM {TABLE} WHERE name = ?", (name,)).fetchone()
        names = [d[0] for d in conn.execute(f"SELECT * FROM {TABLE} LIMIT 0").description]
    except sqlite3.OperationalError:  # no such table: nothing was exported incrementally yet
        return None
    if row is None:
        return None
    saved = dict(zip(names, row, strict=True))
    return ExportCursor(
        saved["name"],
        saved["last_seen"] or "",
        int(saved["last_id"] or 0),
        saved["updated_at"],
        saved["rows"],
        saved.get("filters"),
    )


def writable(conn: sqlite3.Connection) -> bool:
    """Can this connection write the archive (where the cursor is saved)? Asked before an
    incremental export writes its file, so a read-only archive fails before, not after.
    A table is made and rolled back: SQLite refuses it on a file it may only read. Raises
    `sqlite3.OperationalError` when another writer holds the archive past the timeout."""
    try:
        conn.execute("BEGIN IMMEDIATE")
        try:
            conn.execute("CREATE TABLE _newsagg_write_probe (x)")
        finally:
            if conn.in_transaction:  # SQLite rolled back itself on a full disk
                conn.execute("ROLLBACK")
    except sqlite3.OperationalError as exc:
        if "readonly" in str(exc) or "read-only" in str(exc):
            return False
        raise
    return True


def save(db: sqlite_utils.Database, cursor: ExportCursor) -> ExportCursor:
    """Write `cursor` in one transaction; returns it with `updated_at` filled in."""
    saved = ExportCursor(
        cursor.name,
        cursor.last_seen,
        cursor.last_id,
        utc_now().strftime(TIME_FORMAT),
        cursor.rows,
        cursor.filters,
    )
    with immediate(db.conn) as conn:
        ensure_table(db)
        conn.execute(
            f"INSERT OR REPLACE INTO {TABLE} "
            "(name, last_seen, last_id, updated_at, rows, filters) VALUES (?, ?, ?, ?, ?, ?)",
            (
                saved.name,
                saved.last_seen,
                saved.last_id,
                saved.updated_at,
                saved.rows,
                saved.filters,
            ),
        )
    return saved
