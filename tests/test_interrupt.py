"""Interrupted crawls lose nothing: kill -9 and SIGTERM mid-crawl, then the next run.
A graceful stop says so and exits 128 + the signal, never 0.

The site answers article pages slowly, so a crawl is still running when the test strikes;
the archive is polled (a second reader, as WAL allows) until it holds some articles.
"""

from __future__ import annotations

import json
import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import DEMO_KEYS, ROOT, crawl_demo, load_truth

from crawler.demo.server import DemoSite, _Page
from crawler.lock import EX_TEMPFAIL, lock_path_for

ARTICLE_DELAY = 1.5  # seconds per article page: a crawl of the demo takes several seconds
ALL_ARTICLES = sum(len(load_truth(k)["articles"]) for k in DEMO_KEYS)


class SlowSite(DemoSite):
    """The demo site with slow article pages, while `slow` is set."""

    slow = True

    def _resolve(self, source: str, raw_path: str) -> _Page:
        if self.slow and re.match(r"^/(news|text)/.", raw_path):
            time.sleep(ARTICLE_DELAY)
        return super()._resolve(source, raw_path)


@pytest.fixture
def site() -> Iterator[SlowSite]:
    with SlowSite() as running:
        yield running


def start_crawl(site: DemoSite, db: Path) -> subprocess.Popen[str]:
    bases = [arg for key in DEMO_KEYS for arg in ("--base", f"{key}={site.bases[key]}")]
    return subprocess.Popen(
        [sys.executable, "-m", "crawler", "crawl", *DEMO_KEYS, *bases, "--db", str(db), "--json"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONIOENCODING": "utf-8"},
    )


def count(db: Path, sql: str = "SELECT COUNT(*) FROM articles") -> int:
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=10)
    try:
        return int(con.execute(sql).fetchone()[0])
    finally:
        con.close()


def wait_for_articles(db: Path, crawl: subprocess.Popen[str], timeout: float = 60) -> int:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert crawl.poll() is None, "the crawl ended before the test could interrupt it"
        if db.exists():
            try:
                stored = count(db)
            except sqlite3.OperationalError:  # tables not created yet
                stored = 0
            if stored:
                return stored
        time.sleep(0.1)
    raise AssertionError("no article stored in time")


def wait_for_lock(db: Path, crawl: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + 30
    while not lock_path_for(db).exists() or f"pid {crawl.pid} " not in lock_path_for(db).read_text(
        encoding="utf-8"
    ):
        assert time.monotonic() < deadline and crawl.poll() is None
        time.sleep(0.05)


def integrity(db: Path) -> str:
    con = sqlite3.connect(db)
    try:
        return str(con.execute("PRAGMA integrity_check").fetchone()[0])
    finally:
        con.close()


def statuses(db: Path) -> list[str]:
    con = sqlite3.connect(db)
    try:
        return [r[0] for r in con.execute("SELECT status FROM crawl_runs ORDER BY id")]
    finally:
        con.close()


def test_kill_9_mid_crawl_keeps_what_was_stored_and_the_next_run_goes_on(
    site: SlowSite, tmp_path: Path
) -> None:
    db = tmp_path / "news.db"
    crawl = start_crawl(site, db)
    try:
        wait_for_lock(db, crawl)
        second = crawl_demo(site, db)  # a concurrent run meets the lock
        assert second.returncode == EX_TEMPFAIL, second.stderr[-2000:]
        assert "another crawl is writing to this archive" in second.stderr
        seen = wait_for_articles(db, crawl)
    finally:
        crawl.send_signal(signal.SIGKILL)
        crawl.communicate(timeout=30)
    assert crawl.returncode == -signal.SIGKILL
    assert integrity(db) == "ok"
    stored = count(db)
    assert seen <= stored < ALL_ARTICLES
    assert statuses(db) == ["running"]

    site.slow = False
    again = crawl_demo(site, db)
    assert again.returncode == 0, again.stderr[-3000:]
    summary = json.loads(again.stdout.strip().splitlines()[-1])
    assert sum(s["new"] for s in summary["sources"].values()) == ALL_ARTICLES - stored
    assert count(db) == ALL_ARTICLES
    assert count(db, "SELECT COUNT(DISTINCT canonical_url) FROM articles") == ALL_ARTICLES
    assert statuses(db) == ["interrupted", "finished"]
    assert integrity(db) == "ok"


def test_sigterm_stops_gracefully_and_everything_reported_is_stored(
    site: SlowSite, tmp_path: Path
) -> None:
    db = tmp_path / "news.db"
    crawl = start_crawl(site, db)
    try:
        wait_for_articles(db, crawl)
        crawl.send_signal(signal.SIGTERM)
        out, err = crawl.communicate(timeout=60)
    finally:
        if crawl.poll() is None:
            crawl.kill()
    assert crawl.returncode == 128 + signal.SIGTERM, err[-3000:]  # 143: not a success
    summary = json.loads(out.strip().splitlines()[-1])
    assert summary["finish_reason"] == "shutdown"
    reported = sum(s["new"] for s in summary["sources"].values())
    assert 0 < reported < ALL_ARTICLES
    # "stored" counts an article fetched again at another spelling of its URL ("unchanged")
    # too, which happens or not depending on where the crawl was when stopped
    seen = sum(
        s.get(k, 0) for s in summary["sources"].values() for k in ("new", "updated", "unchanged")
    )
    assert f"interrupted (shutdown): {seen} articles stored; run again to go on" in err
    assert count(db) == reported
    assert statuses(db) == ["shutdown"]
    assert integrity(db) == "ok"
