"""`newsagg backup`: the whole archive, consistent while another process writes."""

from __future__ import annotations

import os
import shutil
import sqlite3
import stat
from contextlib import closing
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
        shutil.copy(demo_crawl.db, target)  # an older backup, from before the last run
        with closing(sqlite3.connect(target)) as older, older:
            older.execute("DELETE FROM crawl_runs WHERE id = (SELECT MAX(id) FROM crawl_runs)")
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


def test_a_backup_never_replaces_what_is_not_an_older_backup_of_this_archive(
    demo_crawl: Crawl, tmp_path: Path
) -> None:
    """Another region's archive, another program's database and a pipe are left as they
    were (a pipe is not even opened, which would hang); --force replaces a database."""
    fifo = tmp_path / "pipe.db"
    os.mkfifo(fifo)
    piped = run_cli("backup", str(fifo), "--db", str(demo_crawl.db), timeout=60)
    assert piped.returncode == 2 and "not a regular file" in piped.stderr, piped.stderr
    assert stat.S_ISFIFO(fifo.stat().st_mode)

    other = tmp_path / "other-program.db"
    with closing(sqlite3.connect(other)) as conn, conn:
        conn.execute("CREATE TABLE notes (text TEXT)")
        conn.execute("INSERT INTO notes VALUES ('не трогать')")
    refused = run_cli("backup", str(other), "--db", str(demo_crawl.db))
    assert refused.returncode == 2 and "another program" in refused.stderr, refused.stderr
    with closing(sqlite3.connect(other)) as conn:
        assert conn.execute("SELECT text FROM notes").fetchall() == [("не трогать",)]

    # a colleague's archive made from an export of ours, with a reader's -wal and -shm
    dump, region = tmp_path / "all.jsonl", tmp_path / "region.db"
    exported = run_cli("export", "--format", "jsonl", "-o", str(dump), "--db", str(demo_crawl.db))
    assert exported.returncode == 0, exported.stderr
    assert run_cli("import", str(dump), "--db", str(region)).returncode == 0
    for side in ("-wal", "-shm"):
        (tmp_path / f"region.db{side}").write_bytes(b"")
    before = counts(region)
    mixed = run_cli("backup", str(region), "--db", str(demo_crawl.db))
    assert mixed.returncode == 2 and "another newsagg archive" in mixed.stderr, mixed.stderr
    assert counts(region) == before and (tmp_path / "region.db-shm").exists()
    # one made by a version before archive ids, that has crawled on its own
    older = tmp_path / "older.db"
    shutil.copy(demo_crawl.db, older)
    with closing(sqlite3.connect(older)) as conn, conn:
        conn.execute("DROP TABLE archive_meta")
        conn.execute("DELETE FROM _migrations WHERE name = 'm011_archive_id'")
        conn.execute("INSERT INTO crawl_runs (id, started_at) VALUES (9001, '2026-11-01')")
    refused = run_cli("backup", str(older), "--db", str(demo_crawl.db))
    assert refused.returncode == 2 and "another newsagg archive" in refused.stderr

    forced = run_cli("backup", str(other), "--force", "--db", str(demo_crawl.db))
    assert forced.returncode == 0, forced.stderr
    assert counts(other) == counts(demo_crawl.db)


def test_backups_made_before_a_restore_are_still_this_archives(
    demo_crawl: Crawl, tmp_path: Path
) -> None:
    """Restored from Monday's copy, the archive numbers its next run as Tuesday's copy
    numbered another: Tuesday's file is still one of its backups (the archive id says so),
    and the weekly rotation (news-$(date +%a).db) goes on."""
    db, monday, tuesday = tmp_path / "news.db", tmp_path / "mon.db", tmp_path / "tue.db"
    shutil.copy(demo_crawl.db, db)

    def crawl_run(started: str) -> None:
        with closing(sqlite3.connect(db)) as conn, conn:
            conn.execute(
                "INSERT INTO crawl_runs (started_at, status) VALUES (?, 'finished')", (started,)
            )

    assert run_cli("backup", str(monday), "--db", str(db)).returncode == 0
    crawl_run("2026-11-02T00:00:00+00:00")
    assert run_cli("backup", str(tuesday), "--db", str(db)).returncode == 0
    shutil.copy(monday, db)  # the restore
    crawl_run("2026-11-03T00:00:00+00:00")
    again = run_cli("backup", str(tuesday), "--db", str(db))
    assert again.returncode == 0, again.stderr
    assert counts(tuesday) == counts(db)
