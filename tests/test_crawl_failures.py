"""Failed crawls are loud: a source that cannot be reached is in the summary with its
download errors, is flagged down, and the crawl exits non-zero; the store never loses a
batch to one bad article; unknown sources are usage errors everywhere.

Unreachable sources are simulated on 127.0.0.1: a closed port (connection refused) and a
socket that listens but never answers (timeout, with a short `--timeout`).
"""

from __future__ import annotations

import json
import logging
import os
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import ROOT, load_truth, run_cli, start_cli
from scrapy import signals
from scrapy.exceptions import CannotResolveHostError, DownloadTimeoutError
from scrapy.http import Request, Response
from scrapy.signalmanager import SignalManager
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.internet.error import ConnectionLost
from twisted.python.failure import Failure
from twisted.web._newclient import ResponseNeverReceived

import pipelines.store
from crawler.cli.crawl import EXIT_NOT_WRITTEN, EXIT_NOTHING_FETCHED, EXIT_SOFTWARE, verdict
from crawler.crawl import CrawlResult
from crawler.demo.server import DemoSite, _Page
from crawler.health import CHECK_EXIT_CODE
from crawler.items import Article
from crawler.middlewares import FetchStateMiddleware, article_lost
from crawler.runstats import summarize
from crawler.sources import get_source
from crawler.spiders.failures import failure_kind
from pipelines.archive.crawlstate import FetchRecord
from pipelines.archive.writer import StoreOutcome
from pipelines.store import StorePipeline


def entry_requests(key: str) -> int:
    """Feeds, sitemaps and listings of a source: what a crawl asks for first."""
    src = get_source(key)
    return len(src.feeds) + len(src.sitemaps) + len(src.listings)


@pytest.fixture
def closed_port() -> int:
    """A port nothing listens on: bound, then closed."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = int(sock.getsockname()[1])
    sock.close()
    return port


@pytest.fixture
def silent_port() -> Iterator[int]:
    """A port that takes connections (the kernel completes them) and never answers."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(64)
    try:
        yield int(sock.getsockname()[1])
    finally:
        sock.close()


def last_json(stdout: str) -> dict[str, Any]:
    return dict(json.loads(stdout.strip().splitlines()[-1]))


def test_a_refused_source_is_counted_flagged_and_fails_the_crawl(
    closed_port: int, tmp_path: Path
) -> None:
    db = tmp_path / "news.db"
    base = f"amic=http://127.0.0.1:{closed_port}"
    result = run_cli("crawl", "amic", "--base", base, "--db", str(db), "--json", "--check")
    assert result.returncode == EXIT_NOTHING_FETCHED, result.stderr[-3000:]
    refused = entry_requests("amic")
    summary = last_json(result.stdout)
    amic = summary["sources"]["amic"]
    assert (amic["pages"], amic["errors"]) == (0, {"refused": refused})
    down = f"down: no page fetched in the last run (connection refused ×{refused})"
    assert summary["health"] == {"amic": [down]}
    assert f"amic: 0 pages, connection refused ×{refused}, 0 new" in result.stderr
    assert "nothing fetched from any source" in result.stderr
    stats = run_cli("stats", "--db", str(db), "--json")
    assert stats.returncode == 0, stats.stderr
    assert json.loads(stats.stdout)["health"]["amic"] == [down]


def test_a_silent_server_times_out_quickly_with_a_short_timeout(
    silent_port: int, tmp_path: Path
) -> None:
    started = time.monotonic()
    result = run_cli(
        "crawl",
        "amic",
        "--base",
        f"amic=http://127.0.0.1:{silent_port}",
        "--db",
        str(tmp_path / "news.db"),
        "--json",
        env={"NEWS_DOWNLOAD_TIMEOUT": "0.5"},
    )
    assert result.returncode == EXIT_NOTHING_FETCHED, result.stderr[-3000:]
    assert time.monotonic() - started < 30
    amic = last_json(result.stdout)["sources"]["amic"]
    assert (amic["pages"], amic["errors"]) == (0, {"timeout": entry_requests("amic")})
    assert f"amic: 0 pages, timed out ×{entry_requests('amic')}" in result.stderr


def test_a_source_whose_pages_are_all_missing_is_told_apart_from_no_network(
    tmp_path: Path,
) -> None:
    """Feeds that answer 404 (a wrong --base, a site that moved its feeds) are answers:
    the message used to say "no answer ... no network, or every site is down"."""
    with DemoSite(sources=["ngs22"]) as site:  # a server without amic's pages
        base = f"amic={site.bases['ngs22']}"
        result = run_cli("crawl", "amic", "--base", base, "--db", str(tmp_path / "n.db"))
    assert result.returncode == EXIT_NOTHING_FETCHED, result.stderr[-3000:]
    assert f"amic: HTTP 404 ×{entry_requests('amic')}" in result.stderr
    assert "the sites answered with errors" in result.stderr
    assert "no network" not in result.stderr


def test_a_source_that_worked_before_and_stops_answering_is_flagged_down(
    closed_port: int, tmp_path: Path
) -> None:
    db = tmp_path / "news.db"
    keys = ("amic", "katun24")
    with DemoSite(sources=list(keys)) as site:
        bases = [arg for key in keys for arg in ("--base", f"{key}={site.bases[key]}")]
        first = run_cli("crawl", *keys, *bases, "--db", str(db), "--json", "--check")
        assert first.returncode == 0, first.stderr[-3000:]
        dead = ["--base", f"amic={site.bases['amic']}"]
        dead += ["--base", f"katun24=http://127.0.0.1:{closed_port}"]
        second = run_cli("crawl", *keys, *dead, "--db", str(db), "--json", "--check")
    # one source still answers: not "nothing fetched", but --check flags the other
    assert second.returncode == CHECK_EXIT_CODE, second.stderr[-3000:]
    refused = entry_requests("katun24")
    down = f"down: no page fetched in the last run (connection refused ×{refused})"
    assert last_json(second.stdout)["health"] == {"amic": [], "katun24": [down]}
    assert f"newsagg crawl --check: katun24: {down}" in second.stderr
    stats = run_cli("stats", "--db", str(db), "--json")
    assert stats.returncode == 0, stats.stderr[-3000:]
    assert json.loads(stats.stdout)["health"]["katun24"] == [down]


@pytest.fixture
def without_trafilatura(tmp_path: Path) -> dict[str, str]:
    """The environment of a crawl whose parser dependency is missing: every article page
    raises ImportError in the spider's callback (an install gone wrong, a bad upgrade)."""
    hidden = tmp_path / "hidden"
    (hidden / "trafilatura").mkdir(parents=True)
    (hidden / "trafilatura" / "__init__.py").write_text(
        "raise ImportError(\"No module named 'trafilatura' (hidden by the test)\")\n",
        encoding="utf-8",
    )
    return {
        "PYTHONPATH": os.pathsep.join(filter(None, [str(hidden), os.environ.get("PYTHONPATH")]))
    }


def test_an_exception_in_our_own_code_fails_the_crawl_and_the_next_run_stores_the_articles(
    without_trafilatura: dict[str, str], tmp_path: Path
) -> None:
    """It used to exit 0 with `exceptions: 0`, and keep the feed's and listing's validators,
    so the runs after it, with the module back, stored nothing ("304")."""
    db = tmp_path / "news.db"
    with DemoSite(sources=["ngs22"]) as site:
        base = ["--base", f"ngs22={site.bases['ngs22']}"]
        result = run_cli(
            "crawl", "ngs22", *base, "--db", str(db), "--json", env=without_trafilatura
        )
        repaired = run_cli("crawl", "ngs22", *base, "--db", str(db), "--json")
    assert result.returncode == EXIT_SOFTWARE, result.stderr[-3000:]
    summary = last_json(result.stdout)
    ngs22 = summary["sources"]["ngs22"]
    raised = ngs22["spider_exceptions"]["ImportError"]
    assert raised == ngs22["article_pages"] > 0 and ngs22["new"] == 0
    assert summary["spider_exceptions"] == raised
    assert f"ngs22: {ngs22['pages']} pages, spider exceptions ImportError ×{raised}, 0 new" in (
        result.stderr
    )
    assert f"newsagg crawl: {raised} pages raised an exception in newsagg's own code" in (
        result.stderr
    )
    # the traceback once, not once per page
    assert result.stderr.count("Traceback (most recent call last)") == 1
    assert "(hidden by the test)" in result.stderr
    con = sqlite3.connect(db)
    try:
        errors = con.execute("SELECT errors FROM crawl_runs ORDER BY id").fetchone()[0]
    finally:
        con.close()
    assert errors == raised + 1  # and the 404 of the listing page past the last

    assert repaired.returncode == 0, repaired.stderr[-3000:]
    fixed = last_json(repaired.stdout)["sources"]["ngs22"]
    assert (fixed["new"], fixed.get("not_modified", 0)) == (len(load_truth("ngs22")["articles"]), 0)


def test_download_failures_get_a_short_kind() -> None:
    request = Request("http://127.0.0.1/news/1")

    def http_error(status: int) -> Failure:
        return Failure(HttpError(Response(request.url, status=status, request=request), "x"))

    assert failure_kind(Failure(CannotResolveHostError("no such host"))) == "dns"
    assert failure_kind(Failure(DownloadTimeoutError("took too long"))) == "timeout"
    assert failure_kind(Failure(ResponseNeverReceived([Failure(ConnectionLost())]))) == "lost"
    assert failure_kind(http_error(503)) == "http 5xx"
    assert failure_kind(http_error(404)) is None  # an answer, counted as http/404


def test_unknown_sources_are_usage_errors_for_scrapy_crawl_too() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "scrapy", "crawl", "news", "-a", "source=nosuch"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 2, result.stderr[-3000:]
    assert "unknown source 'nosuch'; known: " in result.stderr
    assert "Traceback" not in result.stderr


# -- the store pipeline -------------------------------------------------------------


class Stats:
    def __init__(self) -> None:
        self.values: dict[str, int] = {}

    def inc_value(self, key: str, count: int = 1) -> None:
        self.values[key] = self.values.get(key, 0) + count


class FlakyArchive:
    """Stores in a list; raises for the URLs in `bad`, and for a whole batch while
    `locked_batches` is above zero."""

    def __init__(self, bad: set[str], locked_batches: int = 0) -> None:
        self.bad = bad
        self.locked_batches = locked_batches
        self.stored: list[str] = []

    def store(self, articles: list[Article], *, run_id: int | None = None) -> list[StoreOutcome]:
        if self.locked_batches and len(articles) > 1:
            self.locked_batches -= 1
            raise sqlite3.OperationalError("database is locked")
        for article in articles:
            if article.url in self.bad:
                raise sqlite3.IntegrityError("NOT NULL constraint failed: articles.body")
        self.stored += [a.url for a in articles]
        return [StoreOutcome(len(self.stored), "new", a.url) for a in articles]


class Crawler:
    def __init__(self) -> None:
        self.signals = SignalManager(self)
        self.spider = None


@pytest.fixture
def store_log(caplog: pytest.LogCaptureFixture) -> Iterator[pytest.LogCaptureFixture]:
    """The store's log records (the CLI may have stopped `newsagg` propagating to the root)."""
    parent = logging.getLogger("newsagg")
    propagate, parent.propagate = parent.propagate, True
    try:
        with caplog.at_level(logging.WARNING, logger="newsagg.store"):
            yield caplog
    finally:
        parent.propagate = propagate


def article(n: int) -> Article:
    return Article(url=f"https://amic.ru/news/{n}", headline=f"Новость {n}", body="Текст.")


def pipeline(archive: FlakyArchive) -> tuple[StorePipeline, Stats, Crawler]:
    stats, crawler = Stats(), Crawler()
    store = StorePipeline("unused.db", 3, 60.0, stats, crawler)  # type: ignore[arg-type]
    store.archive = archive  # type: ignore[assignment]
    return store, stats, crawler


def test_one_bad_article_costs_only_itself_and_is_logged(
    store_log: pytest.LogCaptureFixture,
) -> None:
    archive = FlakyArchive(bad={"https://amic.ru/news/2"})
    store, stats, crawler = pipeline(archive)
    fetches = FetchStateMiddleware("unused.db", None, conditional=False)
    crawler.signals.connect(fetches.forget, signal=article_lost)
    for n in (1, 2, 3):
        url = f"https://amic.ru/news/{n}"
        fetches.records[url] = FetchRecord(url, 200)
    for n in (1, 2, 3):
        item = article(n)
        item.source = "amic"
        store.process_item(item)  # the third fills the batch and flushes it
    assert archive.stored == ["https://amic.ru/news/1", "https://amic.ru/news/3"]
    assert store.pending == []
    assert stats.values == {"newsagg/amic/new": 2, "newsagg/amic/dropped/store error": 1}
    errors = [r.getMessage() for r in store_log.records if r.levelno == logging.ERROR]
    assert errors == [
        "could not store https://amic.ru/news/2: IntegrityError: "
        "NOT NULL constraint failed: articles.body"
    ]
    # the lost article is not recorded as fetched: the next run fetches it again
    assert sorted(fetches.records) == ["https://amic.ru/news/1", "https://amic.ru/news/3"]


class BuggyArchive(FlakyArchive):
    """A store whose own code raises on some articles: a bug, not the disk or the database."""

    bug: Exception = TypeError("'NoneType' object is not subscriptable")

    def store(self, articles: list[Article], *, run_id: int | None = None) -> list[StoreOutcome]:
        if any(a.url in self.bad for a in articles):
            raise self.bug
        return super().store(articles, run_id=run_id)


@pytest.mark.parametrize(
    "bug",
    [
        TypeError("'NoneType' object is not subscriptable"),
        sqlite3.ProgrammingError("Error binding parameter 3: type 'dict' is not supported"),
    ],
)
def test_a_bug_in_the_store_is_a_pipeline_error_not_a_write_failure(
    store_log: pytest.LogCaptureFixture, bug: Exception
) -> None:
    """Any exception of the store counted as `store error`, which exits 74 (EX_IOERR): cron
    said "check the disk" for a bug of ours. A bug now exits 70, its traceback in the log."""
    archive = BuggyArchive(bad={"https://amic.ru/news/1", "https://amic.ru/news/2"})
    archive.bug = bug
    store, stats, crawler = pipeline(archive)
    fetches = FetchStateMiddleware("unused.db", stats, conditional=False)  # type: ignore[arg-type]
    crawler.signals.connect(fetches.item_error, signal=signals.item_error)
    for n in (1, 2, 3):
        url = f"https://amic.ru/news/{n}"
        fetches.records[url] = FetchRecord(url, 200)
        item = article(n)
        item.source = "amic"
        store.process_item(item)
    assert archive.stored == ["https://amic.ru/news/3"]
    assert stats.values == {
        "newsagg/amic/new": 1,
        "newsagg/amic/dropped/pipeline error": 2,
        "newsagg/amic/lost_pages": 2,
    }
    assert list(fetches.records) == ["https://amic.ru/news/3"]  # the next run fetches them
    errors = [r for r in store_log.records if r.levelno == logging.ERROR]
    assert [r.getMessage() for r in errors] == [
        f"could not store https://amic.ru/news/{n}: {type(bug).__name__} in a pipeline: {bug}"
        for n in (1, 2)
    ]
    assert [r.exc_info is not None for r in errors] == [True, False]  # one traceback a type


def test_an_article_redirected_to_another_site_is_not_stored_as_the_sources(
    tmp_path: Path,
) -> None:
    """A page that left the source's site (a moved story, a hijacked link) is another
    site's page: dropped with its reason and a warning, not stored under this source."""
    db = tmp_path / "news.db"
    ngs22 = load_truth("ngs22")["articles"]
    with DemoSite(sources=["ngs22", "amic"]) as site:
        elsewhere = site.bases["amic"] + load_truth("amic")["articles"][0]["path"]
        site.put("ngs22", ngs22[0]["path"], "", headers={"status": "301", "Location": elsewhere})
        result = run_cli(
            "crawl", "ngs22", "--base", f"ngs22={site.bases['ngs22']}", "--db", str(db), "--json"
        )
    assert result.returncode == 0, result.stderr[-3000:]
    entry = last_json(result.stdout)["sources"]["ngs22"]
    assert entry["dropped"]["redirected off site"] == 1
    assert entry["new"] == len(ngs22) - 1  # every other article, as without the redirect
    assert "redirected off site 1" in result.stderr  # in the summary line of the source
    with sqlite3.connect(db) as con:
        hosts = {u.split("/")[2] for (u,) in con.execute("SELECT url FROM articles")}
    assert hosts == {site.bases["ngs22"].split("/")[2]}


def test_a_lost_article_reached_by_redirect_is_fetched_again() -> None:
    """An old-form URL that redirected to the article is forgotten with it: recorded as a
    301, it would otherwise keep the next run from asking for the article again."""
    fetches = FetchStateMiddleware("unused.db", None, conditional=False)
    old, new, kept = (f"https://amic.ru/news/{n}" for n in ("news-575321", "575321", "575322"))
    first = Request(old, meta={"kind": "article", "source": "amic"})
    fetches.process_response(first, Response(old, status=301, headers={"Location": new}))
    moved = Request(new, meta={"kind": "article", "source": "amic", "redirect_urls": [old]})
    fetches.process_response(moved, Response(new, status=200))
    other = Request(kept, meta={"kind": "article", "source": "amic"})
    fetches.process_response(other, Response(kept, status=200))
    assert sorted(fetches.records) == sorted([old, new, kept])
    fetches.forget(Article(url=new, headline="Новость", body="Текст."))
    assert list(fetches.records) == [kept]


def test_a_page_that_failed_to_download_is_forgotten_with_its_redirects() -> None:
    """Recorded as a 301, the old URL would keep the next run from asking again for 24 h;
    and the source keeps no validators, so the next run reads its feeds and listings."""
    fetches = FetchStateMiddleware("unused.db", None, conditional=False)
    old, new = "https://amic.ru/news/575321", "https://amic.ru/news/news-575321"
    feed = Request("https://amic.ru/rss/", meta={"kind": "discovery", "source": "amic"})
    fetches.process_response(feed, Response(feed.url, status=200, headers={"ETag": '"1"'}))
    first = Request(old, meta={"kind": "article", "source": "amic"})
    fetches.process_response(first, Response(old, status=301, headers={"Location": new}))
    fetches.page_failed(
        Request(new, meta={"kind": "article", "source": "amic", "redirect_urls": [old]})
    )
    assert list(fetches.records) == [feed.url]
    assert fetches.lost == {"amic": 1}


def test_an_article_a_pipeline_raised_on_is_dropped_and_fetched_again(
    store_log: pytest.LogCaptureFixture,
) -> None:
    """A bug in validate, normalize or dedupe lost the article as a store error does, but
    its page stayed recorded as fetched and the source's validators were kept."""
    stats = Stats()
    fetches = FetchStateMiddleware("unused.db", stats, conditional=False)  # type: ignore[arg-type]
    url = "https://amic.ru/news/581927"
    fetches.process_response(
        Request(url, meta={"kind": "article", "source": "amic"}), Response(url, status=200)
    )
    item = article(581927)
    item.source = "amic"
    try:
        raise ValueError("bad date")
    except ValueError:
        fetches.item_error(item, Failure())
    assert fetches.records == {} and fetches.lost == {"amic": 1}
    assert stats.values == {"newsagg/amic/dropped/pipeline error": 1, "newsagg/amic/lost_pages": 1}
    assert "could not store https://amic.ru/news/581927: ValueError in a pipeline" in (
        store_log.text
    )


class TwinArchive(FlakyArchive):
    """Stores the first article; every later one is a twin URL of it (a duplicate)."""

    def store(self, articles: list[Article], *, run_id: int | None = None) -> list[StoreOutcome]:
        outcomes = []
        for a in articles:
            outcomes.append(StoreOutcome(1, "duplicate" if self.stored else "new", a.url))
            self.stored.append(a.url)
        return outcomes


def test_coverage_counts_the_stored_articles_not_the_duplicates() -> None:
    """A duplicate (a twin URL of a stored article) is not stored again: it counts in neither
    part of a coverage share, which a duplicate used to push above 100 %."""
    store, stats, _ = pipeline(TwinArchive(bad=set()))
    for n in (1, 2, 3):
        item = article(n)
        item.source, item.published_at = "amic", "2026-11-02T08:15:00+07:00"
        store.process_item(item)
    amic = summarize(dict(stats.values))["sources"]["amic"]
    assert (amic["new"], amic["duplicate"]) == (1, 2)
    assert amic["coverage"]["published_at"] == 1.0


def test_a_failed_batch_write_loses_nothing() -> None:
    archive = FlakyArchive(bad=set(), locked_batches=1)
    store, _, _ = pipeline(archive)
    for n in (1, 2):
        store.process_item(article(n))
    store.flush()
    assert archive.stored == ["https://amic.ru/news/1", "https://amic.ru/news/2"]
    assert store.pending == []


def test_the_flush_timer_survives_an_error(store_log: pytest.LogCaptureFixture) -> None:
    store, _, _ = pipeline(FlakyArchive(bad=set()))
    store.pending.append(article(1))

    def broken() -> None:
        raise OSError(28, "No space left on device")

    store.flush = broken  # type: ignore[method-assign]
    store.flush_seconds = 0
    store._flush_if_due()  # a LoopingCall stops for good when its call raises
    assert store.pending == [article(1)]  # kept for the next tick
    assert "No space left on device" in store_log.text


def test_every_tick_of_the_flush_timer_stores_what_waits(monkeypatch: pytest.MonkeyPatch) -> None:
    """The timer ticks every `flush_seconds`, each call a few milliseconds late by its own
    amount; measured from the previous flush, a tick that ran less late than the one before
    found "not yet due", so articles waited two intervals (commits every 4 s, not 2)."""
    archive = FlakyArchive(bad=set())
    store, _, _ = pipeline(archive)
    store.flush_seconds = 2.0
    clock = [0.0]
    monkeypatch.setattr(pipelines.store.time, "monotonic", lambda: clock[0])
    store._last_flush = 0.0
    for n, late in enumerate((0.010, 0.004, 0.009, 0.002, 0.0), start=1):
        store.pending.append(article(n))
        clock[0] = 2.0 * n + late
        store._flush_if_due()
        assert store.pending == [], f"tick {n}"
    assert len(archive.stored) == 5
    store.pending.append(article(6))  # a batch flushed half a tick ago: not due yet
    clock[0] += 1.0
    store._last_flush = clock[0] - 0.5
    store._flush_if_due()
    assert store.pending == [article(6)]


def test_a_crawl_forced_to_stop_midway_is_not_said_to_have_stopped_before_it_began() -> None:
    """A second Ctrl-C forces the stop: the spider never closes, so no finish reason;
    whether pages had been asked for tells a stop before the crawl from one in it."""
    began = CrawlResult(
        summary={"sources": {}}, stats={"downloader/request_count": 40}, stop_signal=2
    )
    code, (message,) = verdict(began, {})
    assert code == 130 and message.startswith("interrupted (forced stop): ")
    early = CrawlResult(summary={"sources": {}}, stats={}, stop_signal=15)
    code, (message,) = verdict(early, {})
    assert code == 143 and message.startswith("interrupted (before the crawl began): ")


def finished_run(counters: dict[str, int]) -> CrawlResult:
    """A finished run of amic whose stats hold these `newsagg/amic/...` counters."""
    stats: dict[str, Any] = {"finish_reason": "finished", "downloader/response_count": 9}
    stats.update({f"newsagg/amic/{name}": n for name, n in counters.items()})
    stats.update({"newsagg/amic/pages": 9, "newsagg/amic/new": 3})
    summary = {**summarize(stats, ["amic"]), "finish_reason": "finished"}
    return CrawlResult(summary=summary, stats=stats)


@pytest.mark.parametrize(
    ("dropped", "flagged", "code", "says"),
    [
        ({}, {}, 0, None),
        ({"dropped/store error": 2}, {}, EXIT_NOT_WRITTEN, "2 articles could not be written"),
        # the disk is full: that matters more than a source's health flags
        ({"dropped/store error": 1}, {"amic": ["stale"]}, EXIT_NOT_WRITTEN, "1 articles could"),
        ({"dropped/pipeline error": 1}, {}, EXIT_SOFTWARE, "own item pipelines"),
        # a page that could not be downloaded is the site's doing: the next run fetches it
        ({"lost_pages": 2}, {}, 0, None),
        ({"dropped/empty body": 4}, {}, 0, None),
    ],
)
def test_articles_the_archive_could_not_write_fail_the_crawl(
    dropped: dict[str, int], flagged: dict[str, list[str]], code: int, says: str | None
) -> None:
    """Such a crawl used to exit 0, so cron mailed nothing while the disk was full."""
    run = finished_run(dropped)
    got, messages = verdict(run, flagged)
    assert got == (code or (CHECK_EXIT_CODE if flagged else 0))
    if says is None:
        assert messages == []
    else:
        assert len(messages) == 1 and says in messages[0]


def test_failed_pages_are_capped_per_run_and_in_all(tmp_path: Path) -> None:
    """Each run kept up to 20 failed pages per source and none was ever removed: years of
    cron runs on a site whose layout broke filled the disk. The oldest go first."""
    from crawler.failedpages import FailedPages

    folder = tmp_path / "failed"
    for run in range(3):
        pages = FailedPages(folder, cap=4, keep=6)
        for n in range(5):  # the fifth is over the run's cap
            saved = pages.save("amic", f"https://amic.ru/news/{run}-{n}", b"<html/>", "no date")
            if saved is not None:  # apart in time, as runs are (mtime decides the order)
                os.utime(saved, (1_700_000_000 + run * 100 + n,) * 2)
        assert pages.saved == {"amic": 4}
    kept = sorted(json.loads(p.read_text())["url"] for p in (folder / "amic").glob("*.json"))
    assert len(list((folder / "amic").glob("*.html"))) == 6
    assert kept == [f"https://amic.ru/news/{r}-{n}" for r, n in ((1, 2), (1, 3))] + [
        f"https://amic.ru/news/2-{n}" for n in range(4)
    ]


class HangingArticles(DemoSite):
    """The demo site whose article pages never come in time; remembers when each was
    asked for."""

    asked: list[float]

    def _resolve(self, source: str, raw_path: str) -> _Page:
        if re.match(r"^/text/.", raw_path):
            self.asked.append(time.monotonic())
            time.sleep(3)
        return super()._resolve(source, raw_path)


def test_after_sigterm_nothing_more_is_downloaded(tmp_path: Path) -> None:
    """Scrapy's graceful stop let every request already handed to the downloader run: the
    article pages queued for a connection were each asked for after SIGTERM, each waiting
    the timeout, minutes against a site that hangs. Now only those under way finish."""
    db = tmp_path / "n.db"
    with HangingArticles(sources=["ngs22"]) as site:
        site.asked, base = [], f"ngs22={site.bases['ngs22']}"
        crawl = start_cli("crawl", "ngs22", "--timeout", "1", "--base", base, "--db", str(db))
        try:
            deadline = time.monotonic() + 60
            while not site.asked:
                assert time.monotonic() < deadline and crawl.poll() is None
                time.sleep(0.05)
            time.sleep(0.2)
            stopped_at = time.monotonic()
            crawl.send_signal(signal.SIGTERM)
            _, err = crawl.communicate(timeout=120)
        finally:
            crawl.kill()
        after = [t for t in site.asked if t > stopped_at]
    assert crawl.returncode == 128 + signal.SIGTERM, err[-3000:]
    assert after == [], f"{len(after)} article pages asked for after SIGTERM"
