"""One crawl per archive: a second one exits at once with 75; a dead holder's lock is taken."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from conftest import ROOT, run_cli

from crawler.demo.server import DemoSite
from crawler.lock import EX_TEMPFAIL, ArchiveLocked, archive_lock, holder_alive, lock_path_for
from pipelines.archive import Archive


def test_a_second_crawl_exits_with_tempfail_and_says_why(tmp_path: Path) -> None:
    db = tmp_path / "news.db"
    with archive_lock(db):
        result = run_cli("crawl", "amic", "--base", "amic=http://127.0.0.1:9", "--db", str(db))
    assert result.returncode == EX_TEMPFAIL == 75
    assert "another crawl is writing to this archive" in result.stderr
    assert f"pid {os.getpid()}" in result.stderr
    assert "not starting a second one" in result.stderr
    assert not db.exists()  # it touched nothing


def test_every_name_of_the_archive_takes_the_same_lock(tmp_path: Path) -> None:
    """A crawl through a link (`/srv/news/current.db`, a linked folder) and one through the
    file itself are the same archive: the second waits for the first."""
    real = tmp_path / "archives" / "news.db"
    real.parent.mkdir()
    (tmp_path / "current.db").symlink_to(real)
    (tmp_path / "linked").symlink_to(real.parent)
    for name in (tmp_path / "current.db", tmp_path / "linked" / "news.db"):
        with archive_lock(real), pytest.raises(ArchiveLocked), archive_lock(name):
            pass
        with archive_lock(name):
            assert holder_alive(real)
    with archive_lock(tmp_path / "current.db"):
        second = run_cli("crawl", "amic", "--base", "amic=http://127.0.0.1:9", "--db", str(real))
    assert second.returncode == EX_TEMPFAIL, second.stderr


def test_a_crawl_holding_the_lock_for_hours_is_reported_as_maybe_hung(tmp_path: Path) -> None:
    """Cron does not mail exit 75; a lock held for more than STUCK_HOURS exits 1 instead,
    so that a hung crawl, which would skip every later run, is seen."""
    db = tmp_path / "news.db"
    with archive_lock(db):
        lock_path_for(db).write_text(f"pid {os.getpid()} since 2026-01-01T00:00:00+00:00\n")
        result = run_cli("crawl", "amic", "--base", "amic=http://127.0.0.1:9", "--db", str(db))
    assert result.returncode == 1, result.stderr
    assert "not starting a second one" in result.stderr and "may hang" in result.stderr
    with archive_lock(db, backfill=True):  # a backfill may take days: no mail every run
        text = f"pid {os.getpid()} since 2026-01-01T00:00:00+00:00 (backfill)\n"
        lock_path_for(db).write_text(text)
        result = run_cli("crawl", "amic", "--base", "amic=http://127.0.0.1:9", "--db", str(db))
    assert result.returncode == EX_TEMPFAIL, result.stderr


def test_lock_is_exclusive_within_a_process_too(tmp_path: Path) -> None:
    db = tmp_path / "news.db"
    with archive_lock(db), pytest.raises(ArchiveLocked), archive_lock(db):
        pass
    with archive_lock(db):  # released: free again
        assert holder_alive(db)
    assert not holder_alive(db)


def test_a_lock_left_by_a_killed_crawl_is_taken_over(tmp_path: Path) -> None:
    db = tmp_path / "news.db"
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time\n"
            "from pathlib import Path\n"
            "from crawler.lock import archive_lock\n"
            f"with archive_lock(Path({str(db)!r})):\n"
            "    print('held', flush=True)\n"
            "    time.sleep(60)\n",
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        assert holder_alive(db)
    finally:
        holder.send_signal(signal.SIGKILL)
        holder.wait(timeout=10)
    stale = lock_path_for(db).read_text(encoding="utf-8")
    assert stale.startswith(f"pid {holder.pid} ")  # kill -9 left its mark in the file ...
    assert not holder_alive(db)
    with DemoSite(sources=["sibnovosti"]) as site:  # ... which does not stop the next crawl
        result = run_cli(
            "crawl",
            "sibnovosti",
            "--base",
            f"sibnovosti={site.bases['sibnovosti']}",
            "--db",
            str(db),
            "--json",
        )
    assert result.returncode == 0, result.stderr[-2000:]
    assert f"taking over a stale lock: pid {holder.pid}" in result.stderr
    assert lock_path_for(db).read_text(encoding="utf-8") == ""  # a clean exit leaves it empty


def _hold_exclusively(db: Path) -> sqlite3.Connection:
    """Another program's connection that keeps the whole archive locked (an exclusive
    locking mode and an open write), so that even a reader has to wait."""
    conn = sqlite3.connect(db, isolation_level=None, check_same_thread=False)
    conn.execute("PRAGMA locking_mode = EXCLUSIVE")
    conn.execute("BEGIN EXCLUSIVE")
    conn.execute("UPDATE crawl_runs SET status = status")
    return conn


def test_a_locked_archive_is_waited_for_then_a_try_again_later(tmp_path: Path) -> None:
    """Every command waits the busy timeout from its first statement (the check that the
    file is an archive used to give up after sqlite3's own 5 s), then exits 75 with what
    to do, not 2 ("cannot use the archive") as for a bad file."""
    db = tmp_path / "news.db"
    Archive.open(db).close()
    holder = _hold_exclusively(db)
    try:
        quick = {"NEWSAGG_BUSY_TIMEOUT": "0.5"}
        for args in (("stats",), ("search", "пожар"), ("export", "--format", "jsonl")):
            result = run_cli(*args, "--db", str(db), env=quick)
            assert result.returncode == EX_TEMPFAIL, (args, result.stderr)
            assert "is busy: another program has held it locked for 0.5 s" in result.stderr
        # released within the timeout: the command goes on as if nothing happened
        threading.Timer(6.5, holder.close).start()
        waited = run_cli("stats", "--db", str(db), env={"NEWSAGG_BUSY_TIMEOUT": "30"})
    finally:
        holder.close()
    assert waited.returncode == 0, waited.stderr
    forever = run_cli("stats", "--db", str(db), env={"NEWSAGG_BUSY_TIMEOUT": "inf"})
    assert forever.returncode == 0, forever.stderr  # as long as SQLite can wait, no crash
