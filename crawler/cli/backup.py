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
import stat
import sys
import tempfile
import time
from contextlib import closing
from pathlib import Path

import click

from crawler.cli.export import overwrites_archive
from crawler.cli.options import UsageExit, busy, busy_exit, db_option, open_archive
from crawler.lock import holder_alive
from pipelines.archive.archive import peek

SQLITE_HEADER = b"SQLite format 3\x00"


def replaceable(target: Path) -> str | None:
    """Why `target` must not be replaced by anything, or None. Only a regular file is
    replaced (a device or a pipe named by mistake is never touched, nor read), and only an
    SQLite file or an empty one: a mistyped name must not turn an export into a database. A
    non-empty `-wal` beside it holds changes SQLite would replay onto the new copy,
    corrupting it: the old file is in use, or was not closed cleanly."""
    if not target.exists():
        return None
    if not stat.S_ISREG(target.stat().st_mode):
        return f"{target} is not a regular file: give the backup a file name"
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
    if holder_alive(target):
        return f"a crawl is writing to {target}: it is an archive in use, not a backup"
    return None


def foreign(target: Path, archive: sqlite3.Connection) -> str | None:
    """Why the SQLite file at `target` is not an older backup of `archive`, or None.

    An archive has an id of its own (`schema.m011_archive_id`), which its backups and a
    restored copy carry: a target with another id is another archive (a second region's,
    a colleague's). For files older than the id, an older backup holds a past state of this
    archive: each of its crawl runs is one of the archive's (same number, same start) and
    its newest article is the archive's article of that number. Another program's database
    and another archive are replaced only with --force."""
    from pipelines.archive.schema import archive_id

    if not target.exists() or target.stat().st_size == 0:
        return None
    try:
        with peek(target) as old:
            tables = {r[0] for r in old.execute("SELECT name FROM sqlite_master")}
            if not {"_migrations", "articles", "crawl_runs"} <= tables:
                return f"{target} is an SQLite database of another program, not a backup"
            theirs = archive_id(old)
            runs = set(old.execute("SELECT id, started_at FROM crawl_runs"))
            newest = old.execute(
                "SELECT id, canonical_url FROM articles ORDER BY id DESC LIMIT 1"
            ).fetchone()
    except sqlite3.Error as error:
        if busy(error):  # in use: wait no longer, say so (exit 75)
            raise busy_exit(target) from None
        return f"{target} cannot be read as a backup ({error})"
    ours = archive_id(archive)
    if theirs is not None and ours is not None:
        if theirs == ours:
            return None
        return f"{target} is another newsagg archive, not a backup of this one (another id)"
    same_runs = runs <= set(archive.execute("SELECT id, started_at FROM crawl_runs"))
    same_newest = (
        newest is None
        or archive.execute(
            "SELECT 1 FROM articles WHERE id = ? AND canonical_url = ?", newest
        ).fetchone()
    )
    if same_runs and same_newest:
        return None
    return (
        f"{target} is another newsagg archive, or a backup newer than this archive (made "
        "before a restore), by an older version: its crawl runs or articles are not this "
        "archive's"
    )


def backup(db: sqlite3.Connection, target: Path) -> int:
    """Write a checked copy of the open archive to `target` (replacing it); returns the
    number of articles in the copy."""
    fd, name = tempfile.mkstemp(prefix=f".{target.name}.tmp-", dir=target.parent)
    os.close(fd)
    temp = Path(name)
    try:
        temp.unlink()  # VACUUM INTO writes only a file that does not exist
        try:
            db.execute("VACUUM INTO ?", (str(temp),))
            with closing(sqlite3.connect(temp)) as copy:
                verdict = str(copy.execute("PRAGMA quick_check").fetchone()[0])
                articles = int(copy.execute("SELECT COUNT(*) FROM articles").fetchone()[0])
        except sqlite3.Error as error:  # a full disk, an I/O error: the archive is untouched
            raise click.ClickException(f"the copy failed ({error}); nothing written") from None
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
@click.option(
    "--force",
    is_flag=True,
    help="Replace TARGET even when it is another archive or another program's database.",
)
@db_option
def command(target: Path, force: bool, db_path: Path) -> None:
    """Copy the whole archive to TARGET, consistent even while a crawl writes.

    The copy holds everything (articles, text versions, pages, URL spellings,
    stories, crawl runs, fetch state), compacted, and is checked before it
    replaces TARGET. Only an older backup of this archive or an empty file is
    replaced (with --force, any SQLite database not in use); never a device, a
    pipe, a file of another kind, or an archive a crawl is writing to. Through a
    symbolic link, the file it points to is replaced. Open the copy with --db to
    use it, or copy it back to restore. Export and import move articles only.
    Exit status: 0 done, 1 the copy failed (disk full, check failed), 2 bad
    arguments or a TARGET that must not be replaced.

    \b
    Example:
        newsagg backup /mnt/backup/news-$(date +%F).db --db /srv/news/news.db
    """
    if target.exists() and target.is_dir():
        raise UsageExit(f"{target} is a folder: give the backup's file name")
    target = Path(os.path.realpath(target))  # a link (latest.db) stays a link to the new copy
    if overwrites_archive(target, db_path):
        raise UsageExit(f"{target} is the archive itself (or one of its files)")
    refused = replaceable(target)
    if refused:
        raise UsageExit(refused)
    if not target.parent.is_dir():
        raise UsageExit(f"no folder {target.parent} to write the backup into")
    started = time.monotonic()
    with open_archive(db_path) as archive:
        other = None if force else foreign(target, archive.db.conn)
        if other:
            raise UsageExit(f"{other}: give the backup another name, or add --force")
        if sys.stderr.isatty():
            click.echo(f"copying {db_path} ...", err=True)
        articles = backup(archive.db.conn, target)
    size = target.stat().st_size / 1e6
    click.echo(
        f"backed up {articles:,} articles to {target} ({size:,.1f} MB, checked) "
        f"in {time.monotonic() - started:.1f} s",
        err=True,
    )
