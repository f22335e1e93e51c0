"""`newsagg backup`: the whole archive, consistent while another process writes."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

from conftest import Crawl, run_cli

TABLES = (
    "articles",
    "article_versions",
    "article_urls",
    "article_keys",
    "raw_pages",
    "stories",
    "crawl_runs",
    "fetch_state",
    "minhash_bands_recent",
)


def counts(db: Path) -> dict[str, int]:
    with sqlite3.connect(db) as conn:
        return {t: conn.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0] for t in TABLES}


def test_a_backup_holds_everything_and_ignores_an_open_write(
    demo_crawl: Crawl, tmp_path: Path
) -> None:
    """A crawl in the middle of a transaction neither blocks the backup nor leaks into it;
    the copy holds every table (versions, spellings, runs, fetch state), not only articles."""
    db = tmp_path / "news.db"
    with sqlite3.connect(demo_crawl.db) as source, sqlite3.connect(db) as copy:
        source.backup(copy)  # a private archive: this test writes into it
    before = counts(db)
    writer = sqlite3.connect(db, isolation_level=None)
    try:
        writer.execute("BEGIN IMMEDIATE")
        writer.execute("DELETE FROM article_urls")  # not committed while the backup runs
        target = tmp_path / "backups" / "news-copy.db"
        target.parent.mkdir()
        with sqlite3.connect(target) as older:  # an older backup, replaced
            older.execute("CREATE TABLE articles (id INTEGER PRIMARY KEY)")
        older.close()
        result = run_cli("backup", str(target), "--db", str(db))
    finally:
        writer.execute("ROLLBACK")
        writer.close()
    assert result.returncode == 0, result.stderr
    assert f"backed up {before['articles']} articles" in result.stderr
    assert counts(target) == before and before["article_urls"] > before["articles"]
    assert [p.name for p in target.parent.iterdir()] == [target.name]  # no temporary left
    found = run_cli("search", "Казахстаном", "--format", "json", "--db", str(target))
    assert found.returncode == 0 and "Казахстан" in found.stdout


def test_a_backup_never_overwrites_the_archive(demo_crawl: Crawl, tmp_path: Path) -> None:
    db = tmp_path / "news.db"
    shutil.copy(demo_crawl.db, db)
    size = db.stat().st_size
    for target in (db, Path(f"{db}-wal"), tmp_path / "missing" / "x.db", tmp_path):
        result = run_cli("backup", str(target), "--db", str(db))
        assert result.returncode == 2, (target, result.stderr)
        assert "Traceback" not in result.stderr
    assert db.stat().st_size == size


def test_a_backup_replaces_only_an_older_backup(demo_crawl: Crawl, tmp_path: Path) -> None:
    """A mistyped name (an export) is not turned into a database, a link stays a link to
    the new copy, and a -wal beside the target that still holds changes (SQLite would replay
    them onto the new copy: "database disk image is malformed") stops the backup."""
    export = tmp_path / "articles.jsonl"
    export.write_text('{"url": "https://amic.ru/news/1"}\n', encoding="utf-8")
    refused = run_cli("backup", str(export), "--db", str(demo_crawl.db))
    assert refused.returncode == 2 and "is not an SQLite database" in refused.stderr
    assert export.read_text(encoding="utf-8").startswith('{"url"')

    monday = tmp_path / "news-monday.db"
    latest = tmp_path / "latest.db"
    latest.symlink_to(monday.name)
    linked = run_cli("backup", str(latest), "--db", str(demo_crawl.db))
    assert linked.returncode == 0, linked.stderr
    assert latest.is_symlink() and counts(monday) == counts(demo_crawl.db)

    # a reader of the old copy left an empty -wal and its -shm: they go with the old file
    (tmp_path / "news-monday.db-wal").write_bytes(b"")
    (tmp_path / "news-monday.db-shm").write_bytes(b"\0" * 32768)
    again = run_cli("backup", str(monday), "--db", str(demo_crawl.db))
    assert again.returncode == 0, again.stderr
    assert not (tmp_path / "news-monday.db-wal").exists()
    assert run_cli("stats", "--db", str(monday)).returncode == 0

    # a -wal with changes in it: the old copy is in use, or was not closed cleanly
    writer = sqlite3.connect(monday, isolation_level=None)
    writer.execute("PRAGMA journal_mode = WAL")
    writer.execute("PRAGMA wal_autocheckpoint = 0")
    writer.execute("DELETE FROM crawl_runs")
    try:
        busy = run_cli("backup", str(monday), "--db", str(demo_crawl.db))
    finally:
        writer.close()
    assert busy.returncode == 2 and "holds changes not written" in busy.stderr, busy.stderr

    # the copy is a rollback-journal database: a writer of it killed mid-transaction leaves
    # a hot -journal, which SQLite would roll back into the new copy
    journal = tmp_path / "news-monday.db-journal"
    journal.write_bytes(b"\xd9\xd5\x05\xf9\x20\xa1\x63\xd7" + b"\0" * 504)
    hot = run_cli("backup", str(monday), "--db", str(demo_crawl.db))
    assert hot.returncode == 2 and "news-monday.db-journal holds changes" in hot.stderr
