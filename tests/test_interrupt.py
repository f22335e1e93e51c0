"""Interrupted crawls lose nothing: kill -9 and SIGTERM mid-crawl, then the next run.
A graceful stop says so and exits 128 + the signal, never 0. The same for a backfill
(`--since`), whose Scrapy job directory is trusted only after a clean stop.

The site answers article pages slowly, so a crawl is still running when the test strikes;
the archive is polled (a second reader, as WAL allows) until it holds some articles.
"""

from __future__ import annotations

import json
import re
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from conftest import DEMO_KEYS, ROOT, HoldingSite, crawl_demo, load_truth, run_cli, start_cli

from crawler.crawl import JOB_SEAL
from crawler.demo.server import SITE_ROOT, DemoSite, _Page
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


def start_crawl(site: DemoSite, db: Path, *extra: str) -> subprocess.Popen[str]:
    bases = [arg for key in DEMO_KEYS for arg in ("--base", f"{key}={site.bases[key]}")]
    args = ["crawl", *DEMO_KEYS, *bases, "--db", str(db), "--json", *extra]
    return start_cli(*args)


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


def stop_after_some_articles(
    db: Path, crawl: subprocess.Popen[str], sig: signal.Signals
) -> tuple[str, str]:
    """Send `sig` once the crawl has stored articles; its output (killed if it hangs)."""
    try:
        wait_for_articles(db, crawl)
        crawl.send_signal(sig)
        return crawl.communicate(timeout=60)
    finally:
        if crawl.poll() is None:
            crawl.kill()


@pytest.mark.parametrize("delay", [0.0, 0.4, 0.8, 1.2, 1.6])
def test_ctrl_c_while_the_crawl_starts_exits_130_without_a_traceback(
    site: SlowSite, tmp_path: Path, delay: float
) -> None:
    """Building the crawler takes a second or two, before Scrapy's own signal handlers are
    in place: Ctrl-C there used to raise inside Twisted ("Unhandled error in Deferred",
    tracebacks) and exit 1, which cron reads as "nothing fetched". The delays sweep that
    start, counted from the "crawling ..." line."""
    bases = [arg for key in DEMO_KEYS for arg in ("--base", f"{key}={site.bases[key]}")]
    crawl = start_cli("crawl", *DEMO_KEYS, *bases, "--db", str(tmp_path / "n.db"))
    try:
        assert crawl.stderr is not None
        first = crawl.stderr.readline()
        assert first.startswith("crawling "), first
        time.sleep(delay)
        crawl.send_signal(signal.SIGINT)
        _, err = crawl.communicate(timeout=60)
    finally:
        if crawl.poll() is None:
            crawl.kill()
    assert crawl.returncode == 128 + signal.SIGINT, err[-3000:]
    assert "Traceback" not in err and "Unhandled error" not in err, err[-3000:]
    assert "interrupted" in err


def test_sigterm_stops_gracefully_and_everything_reported_is_stored(
    site: SlowSite, tmp_path: Path
) -> None:
    db = tmp_path / "news.db"
    crawl = start_crawl(site, db)
    out, err = stop_after_some_articles(db, crawl, signal.SIGTERM)
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


# -- an article in flight when the crawl stops --------------------------------------

HELD = "/text/business/2026/10/09/73433741/"  # ngs22: listed on the second listing page only


def stored_count(db: Path) -> int:
    try:
        return count(db) if db.exists() else 0
    except sqlite3.OperationalError:  # tables not created yet
        return 0


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM], ids=["kill-9", "sigterm"])
def test_an_article_in_flight_when_the_crawl_stops_is_stored_by_the_next_run(
    sig: signal.Signals, tmp_path: Path
) -> None:
    """The crawl stops with every ngs22 article stored but one, still in flight. The next
    runs used to find the listing's first page all known, stop walking there (and get 304
    after that), and so never fetch the article, which only the second page lists."""
    db = tmp_path / "news.db"
    articles = len(load_truth("ngs22")["articles"])
    with HoldingSite(HELD, hold=60, sources=["ngs22"]) as site:
        args = ["crawl", "ngs22", "--base", f"ngs22={site.bases['ngs22']}", "--db", str(db)]
        crawl = subprocess.Popen(
            [sys.executable, "-m", "crawler", *args],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        try:
            wait_for(
                lambda: site.asked.is_set() and stored_count(db) == articles - 1,
                crawl,
                "every article stored but the held one",
            )
            crawl.send_signal(sig)
            crawl.communicate(timeout=60)  # SIGTERM: the held page times out first
        finally:
            if crawl.poll() is None:
                crawl.kill()
                crawl.communicate()
        site.released.set()
        assert crawl.returncode == (-sig if sig == signal.SIGKILL else 128 + sig)
        assert stored_count(db) == articles - 1

        again = run_cli(*args, "--json")
        assert again.returncode == 0, again.stderr[-3000:]
        assert count(db) == articles
        assert count(db, f"SELECT COUNT(*) FROM articles WHERE canonical_url LIKE '%{HELD}'") == 1
        assert "ngs22: its last run did not finish" in again.stderr

        site.clear_log()  # the run after that is incremental again: 304s only
        third = run_cli(*args, "--json")
        assert third.returncode == 0, third.stderr[-3000:]
        assert sorted((r.path, r.status) for r in site.requests) == [
            ("/robots.txt", 200),
            ("/rss-feeds/rss.xml", 304),
            ("/text/", 304),
        ]
    first = "interrupted" if sig == signal.SIGKILL else "shutdown"
    assert statuses(db) == [first, "finished", "finished"]


# -- backfill: the job directory after kill -9 ---------------------------------------

BACKFILL = ("--since", "2000-01-01")  # before every demo article: the backfill wants them all
EXTRA_URLS = 500  # sitemap entries that 404: enough requests that requests.seen gets written


def job_files(db: Path, name: str) -> list[Path]:
    jobs = db.parent / "jobs"
    return list(jobs.glob(f"*/{name}")) if jobs.exists() else []


def wait_for(
    condition: Callable[[], bool], crawl: subprocess.Popen[str], what: str, timeout: float = 60
) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert crawl.poll() is None, f"the crawl ended before {what}"
        assert time.monotonic() < deadline, f"no {what} in time"
        time.sleep(0.1)


def test_backfill_killed_with_sigkill_starts_afresh_and_archives_everything(
    site: SlowSite, tmp_path: Path
) -> None:
    """Scrapy writes a job's queue state only when it closes, but the fingerprints of the
    requests it scheduled as it goes: resuming after kill -9 would skip every request that
    was queued and not yet fetched, and call the backfill finished."""
    sitemap = (SITE_ROOT / "sibnovosti" / "sitemap.xml").read_text(encoding="utf-8")
    extra = "".join(
        f"<url><loc>https://sibnovosti.example/news/2020/01/gone-{n}.html</loc></url>"
        for n in range(EXTRA_URLS)
    )
    site.put("sibnovosti", "/sitemap.xml", sitemap.replace("</urlset>", extra + "</urlset>"))
    db = tmp_path / "news.db"
    crawl = start_crawl(site, db, *BACKFILL)
    try:
        wait_for(
            lambda: any(p.stat().st_size for p in job_files(db, "requests.seen")),
            crawl,
            "requests.seen on disk",
        )
        wait_for_articles(db, crawl)
    finally:
        crawl.send_signal(signal.SIGKILL)
        crawl.communicate(timeout=30)
    assert crawl.returncode == -signal.SIGKILL
    assert integrity(db) == "ok"
    stored = count(db)
    assert 0 < stored < ALL_ARTICLES
    assert job_files(db, "requests.queue") and not job_files(db, JOB_SEAL)

    site.slow = False
    again = crawl_demo(site, db, *BACKFILL)
    assert again.returncode == 0, again.stderr[-3000:]
    assert "did not stop cleanly" in again.stderr and "starting the backfill afresh" in again.stderr
    assert "Traceback" not in again.stderr
    summary = json.loads(again.stdout.strip().splitlines()[-1])
    assert sum(s["new"] for s in summary["sources"].values()) == ALL_ARTICLES - stored
    assert count(db) == ALL_ARTICLES
    assert statuses(db) == ["interrupted", "finished"]
    assert integrity(db) == "ok"
    assert not list((tmp_path / "jobs").glob("*"))  # finished: the job is gone


def test_backfill_stopped_by_sigterm_resumes_from_its_job(site: SlowSite, tmp_path: Path) -> None:
    db = tmp_path / "news.db"
    crawl = start_crawl(site, db, *BACKFILL)
    _, err = stop_after_some_articles(db, crawl, signal.SIGTERM)
    assert crawl.returncode == 128 + signal.SIGTERM, err[-3000:]
    assert job_files(db, "requests.queue/active.json")  # Scrapy saved its queue ...
    assert job_files(db, JOB_SEAL)  # ... and the job is marked resumable
    stored = count(db)

    site.slow = False
    again = crawl_demo(site, db, *BACKFILL)
    assert again.returncode == 0, again.stderr[-3000:]
    assert "afresh" not in again.stderr and "Traceback" not in again.stderr
    assert count(db) == ALL_ARTICLES > stored
    assert statuses(db) == ["shutdown", "finished"]
    assert not list((tmp_path / "jobs").glob("*"))
