"""`newsagg backup`: a whole, consistent copy of the archive, safe while a crawl writes.

`newsagg export`/`import` move articles and their pages, not the archive's history (text
versions, every URL spelling, crawl runs, fetch state, export cursors). A backup copies all
of it: SQLite's `VACUUM INTO` reads the archive in one read transaction (a snapshot that a
crawl writing meanwhile does not disturb, where copying the file could catch it half
written) and writes a compacted database. The copy is made under a temporary name beside
the target, checked, then renamed, so an interrupted backup never leaves a half file under
the name a restore would use.
"""

from __future__ import annotations

import os
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

import click

from crawler.cli.export import overwrites_archive
from crawler.cli.options import UsageExit, db_option, open_archive

SQLITE_HEADER = b"SQLite format 3\x00"


def replaceable(target: Path) -> str | None:
    """Why `target` must not be replaced by a backup, or None. Only an older backup (an
    SQLite file) or an empty file is replaced: a mistyped name must not turn an export into
    a database. A non-empty `-wal` beside it holds changes SQLite would replay onto the new
    copy, corrupting it: the old file is in use, or was not closed cleanly."""
    if target.exists():
        with open(target, "rb") as existing:
            head = existing.read(len(SQLITE_HEADER))
        if head and head != SQLITE_HEADER:
            return f"{target} exists and is not an SQLite database: give the backup another name"
    # the copy is a rollback-journal database (VACUUM INTO), so a writer of the old copy
    # killed mid-transaction leaves a -journal, which SQLite would roll back into the new one
    for suffix in ("-wal", "-journal"):
        side = target.with_name(target.name + suffix)
        if side.exists() and side.stat().st_size > 0:
            return (
                f"{side} holds changes not written into {target.name} (it is in use, or was "
                "not closed cleanly): stop what uses it, or give the backup another name"
            )
    return None


def backup(db: sqlite3.Connection, target: Path) -> int:
    """Write a checked copy of the open archive to `target` (replacing it); returns the
    number of articles in the copy."""
    fd, name = tempfile.mkstemp(prefix=f".{target.name}.tmp-", dir=target.parent)
    os.close(fd)
    temp = Path(name)
    try:
        temp.unlink()  # VACUUM INTO writes only a file that does not exist
        db.execute("VACUUM INTO ?", (str(temp),))
        copy = sqlite3.connect(temp)
        try:
            verdict = str(copy.execute("PRAGMA quick_check").fetchone()[0])
            articles = int(copy.execute("SELECT COUNT(*) FROM articles").fetchone()[0])
        finally:
            copy.close()
        if verdict != "ok":
            raise click.ClickException(f"the copy failed its check ({verdict}); nothing written")
        with open(temp, "rb") as written:
            os.fsync(written.fileno())
        # an empty -wal, -shm or -journal left by a reader of the old copy belong to that file
        for stale in ("-wal", "-shm", "-journal"):
            target.with_name(target.name + stale).unlink(missing_ok=True)
        os.replace(temp, target)
        return articles
    finally:  # a failed copy (a full disk) leaves neither it nor its journal
        for leftover in (temp, temp.with_name(temp.name + "-journal")):
            leftover.unlink(missing_ok=True)


@click.command("backup")
@click.argument("target", type=click.Path(dir_okay=False, path_type=Path))
@db_option
def command(target: Path, db_path: Path) -> None:
    """Copy the whole archive to TARGET, consistent even while a crawl writes.

    The copy holds everything (articles, text versions, pages, URL spellings,
    stories, crawl runs, fetch state), compacted, and is checked before it
    replaces TARGET (only an older backup or an empty file is replaced; through
    a symbolic link, the file it points to); open it with --db to use it, or
    copy it back to restore. Export and import move articles only.
    Exit status: 0 done, 1 the copy failed (disk full, check failed), 2 bad
    arguments.

    \b
    Example:
        newsagg backup /mnt/backup/news-$(date +%F).db --db /srv/news/news.db
    """
    if target.exists() and target.is_dir():
        raise UsageExit(f"{target} is a folder: give the backup's file name")
    target = Path(os.path.realpath(target))  # a link (latest.db) stays a link to the new copy
    refused = replaceable(target)
    if refused:
        raise UsageExit(refused)
    if not target.parent.is_dir():
        raise UsageExit(f"no folder {target.parent} to write the backup into")
    if overwrites_archive(target, db_path):
        raise UsageExit(f"{target} is the archive itself (or one of its files)")
    started = time.monotonic()
    with open_archive(db_path) as archive:
        if sys.stderr.isatty():
            click.echo(f"copying {db_path} ...", err=True)
        articles = backup(archive.db.conn, target)
    size = target.stat().st_size / 1e6
    click.echo(
        f"backed up {articles:,} articles to {target} ({size:,.1f} MB, checked) "
        f"in {time.monotonic() - started:.1f} s",
        err=True,
    )
