"""Reading an archive on read-only media (a mounted backup disk, a read-only bind mount)."""

from __future__ import annotations

import json
import shutil
import sqlite3
import subprocess
from pathlib import Path

from conftest import Crawl, run_cli


def copy_archive(source: Path, target: Path) -> None:
    """A WAL archive with its -wal folded in, every connection closed (a remount needs it)."""
    src, dst = sqlite3.connect(source), sqlite3.connect(target)
    try:
        src.backup(dst)
        dst.execute("PRAGMA journal_mode = WAL")  # as archives are: readers need -shm
    finally:
        src.close()
        dst.close()


def read_only(media: Path) -> None:
    subprocess.run(["mount", "-o", "remount,ro", str(media)], check=True)


def test_an_archive_on_read_only_media_can_be_searched(demo_crawl: Crawl, mount: Path) -> None:
    """SQLite cannot create the -shm file a WAL reader needs there ("unable to open database
    file" from every read command); with no writer possible, it is read as immutable."""
    db = mount / "news.db"
    copy_archive(demo_crawl.db, db)
    shutil.copy(demo_crawl.db, mount / "unused")  # the file system holds more than the archive
    read_only(mount)
    found = run_cli("search", "Казахстаном", "--format", "json", "--db", str(db))
    assert found.returncode == 0, found.stderr
    assert "Казахстан" in found.stdout
    stats = run_cli("stats", "--db", str(db))
    assert stats.returncode == 0, stats.stderr


def test_unsaved_changes_on_read_only_media_are_a_clear_error(
    demo_crawl: Crawl, mount: Path
) -> None:
    """Read as immutable, an archive whose -wal still holds changes would miss them: the
    reader is told to copy both files instead."""
    db = mount / "news.db"
    copy_archive(demo_crawl.db, db)
    (mount / "news.db-wal").write_bytes(b"\0" * 4096)  # as a crawl cut off by the unmount
    read_only(mount)
    result = run_cli("search", "Казахстан", "--db", str(db))
    assert result.returncode == 2, result.stderr
    assert "copy both files to a writable folder" in result.stderr


ADDED_INDEXES = {
    "idx_articles_coverage",
    "idx_raw_pages_fetched_at",
    "idx_articles_reference",
    "idx_fetch_state_lost",
    "idx_fetch_state_validators",
}


def test_an_archive_of_the_previous_version_on_read_only_media_is_read(
    demo_crawl: Crawl, mount: Path
) -> None:
    """It cannot be upgraded there; what the last upgrades add (indexes for `stats` and the
    crawl) only speeds reading up, and m009 (accents beside stress marks) changes the index
    of a few rows, so it is read without them."""
    db = mount / "news.db"
    copy_archive(demo_crawl.db, db)
    con = sqlite3.connect(db)
    for name in sorted(ADDED_INDEXES):
        con.execute(f"DROP INDEX {name}")
    con.execute(
        "DELETE FROM _migrations "
        "WHERE name IN ('m007_stats_indexes', 'm008_crawl_lookups', 'm009_accents')"
    )
    con.commit()
    count = con.execute("SELECT COUNT(*) FROM articles").fetchone()[0]
    con.close()
    read_only(mount)
    stats = run_cli("stats", "--db", str(db), "--json")
    assert stats.returncode == 0, stats.stderr
    assert json.loads(stats.stdout)["sources"]["articles"] == count > 0
    found = run_cli("search", "Казахстаном", "--format", "json", "--db", str(db))
    assert found.returncode == 0 and "Казахстан" in found.stdout, found.stderr
