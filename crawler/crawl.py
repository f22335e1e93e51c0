"""Run a crawl in this process: the library call behind `newsagg crawl` and `newsagg demo`.

Scrapy's reactor can run once per process, so a process runs one crawl (all the
chosen sources together, in one spider). A crawl holds the archive's lock for its whole
length, marks the runs a dead crawl left "running" as interrupted, skips what the archive
already holds, and logs one summary line per source at INFO (logger `newsagg`). A source
whose last run did not finish or lost pages is read in full, so that nothing that run
missed stays behind a 304 or a listing page of known articles (`unfinished_sources`).

SIGTERM or Ctrl-C stop a crawl gracefully (the pages in flight finish, the batch is
written); `CrawlResult.stop_signal` says which signal did, so the CLI can exit 128+N. On a
terminal the first Ctrl-C says so at once, since the pages in flight may take a while.

A backfill (`since`) keeps Scrapy's JOBDIR under `<db dir>/jobs/<hash>/`: stopped by
SIGTERM or Ctrl-C, the same command resumes where it stopped; a finished run removes it.
Scrapy writes a job's queue state only when the spider closes, so a job is resumed only if
the run that left it stopped cleanly (see `open_job`); after kill -9, a power cut, a crash
or a forced stop the backfill starts afresh, and what the archive holds is skipped as usual.
"""

from __future__ import annotations

import hashlib
import logging
import shutil
import signal
import sys
from collections.abc import Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from crawler.runstats import source_line, summarize
from crawler.sources import Source
from crawler.stopping import SignalLatch, signals_held
from pipelines.files import fsync_quietly

logger = logging.getLogger("newsagg")


@dataclass
class CrawlResult:
    summary: dict[str, Any]
    stats: dict[str, Any]
    run_id: int | None = None
    interrupted_before: int = 0  # runs of dead crawls marked "interrupted" at the start
    jobdir: Path | None = None
    lines: list[str] = field(default_factory=list)
    stop_signal: int | None = None  # SIGINT / SIGTERM that stopped the crawl early

    @property
    def finished(self) -> bool:
        """False when the crawl was stopped (a signal, a forced stop) before its end."""
        return self.summary.get("finish_reason") == "finished"


def crawl_settings(db_path: Path, *, local: bool, verbose: bool) -> Any:
    from scrapy.settings import Settings

    from crawler import settings as project_settings

    settings = Settings()
    settings.setmodule(project_settings, priority="project")
    settings.set("NEWS_DB", str(db_path), priority="cmdline")
    if local:
        settings.update(project_settings.local_overrides(), priority="cmdline")
    settings.set("LOG_LEVEL", "DEBUG" if verbose else "WARNING", priority="cmdline")
    return settings


def job_dir(db_path: Path, sources: Sequence[Source], since: date) -> Path:
    """Where a backfill keeps its queue: one folder per archive, set of sources and date
    (two archives in one folder backfilling the same sources keep apart)."""
    spec = f"{db_path.name}:" + ",".join(sorted(s.key for s in sources)) + "@" + since.isoformat()
    digest = hashlib.sha1(spec.encode("utf-8")).hexdigest()[:12]
    return db_path.parent / "jobs" / digest


def legacy_job_dir(db_path: Path, sources: Sequence[Source], since: date) -> Path:
    """Where versions before job folders were named per archive kept the same job. Such a
    folder was never sealed, so it can never be resumed: the next backfill removes it."""
    spec = ",".join(sorted(s.key for s in sources)) + "@" + since.isoformat()
    return db_path.parent / "jobs" / hashlib.sha1(spec.encode("utf-8")).hexdigest()[:12]


JOB_SEAL = "stopped-cleanly"  # in a job dir: the run that left it closed its spider


def open_job(jobdir: Path) -> None:
    """Before a backfill (under the archive's lock): keep its job dir only if the last run
    sealed it, and unseal it while this run uses it.

    Scrapy writes the job's queue and spider state when the spider closes, but the
    fingerprints of the requests it schedules as it goes. After kill -9, a power cut, a
    crash or a forced stop the queue is missing or stale: resuming would skip every request
    that was queued and not fetched (and call the backfill finished), or fail reading the
    queue and hang. Such a job dir is removed, with a warning, and the backfill starts afresh."""
    seal = jobdir / JOB_SEAL
    if seal.exists():
        seal.unlink()
        fsync_quietly(jobdir)
    elif jobdir.exists():
        logger.warning(
            "backfill: %s was left by a crawl that did not stop cleanly (kill -9, power cut, "
            "crash or forced stop), so its queue cannot be trusted: starting the backfill "
            "afresh (articles already archived are skipped as usual)",
            jobdir,
        )
        shutil.rmtree(jobdir)


def seal_job(jobdir: Path, reason: str) -> None:
    """After a clean stop: make Scrapy's saved state durable, then mark the job resumable."""
    for path in sorted(jobdir.rglob("*"), reverse=True):
        fsync_quietly(path)
    (jobdir / JOB_SEAL).write_text(reason + "\n", encoding="utf-8")
    fsync_quietly(jobdir / JOB_SEAL)
    fsync_quietly(jobdir)


def prepare_archive(
    db_path: Path,
    settings: Any,
    incremental: bool,
    keys: Sequence[str] = (),
    backfill: bool = False,
) -> tuple[int, Any]:
    """Under the lock: mark dead runs interrupted; what the crawl may skip, and which of the
    sources `keys` it reads in full because their last run left work undone (a backfill
    reads everything in full anyway)."""
    from pipelines.archive import Archive
    from pipelines.archive.crawlstate import (
        KnownUrls,
        SkipPolicy,
        known_urls,
        mark_interrupted,
        unfinished_sources,
    )

    with Archive.open(db_path) as archive:
        marked = mark_interrupted(archive)
        if not incremental:
            return marked, KnownUrls({}, set())
        policy = SkipPolicy(
            recheck_hours=settings.getfloat("NEWS_RECHECK_HOURS", 24),
            recheck_every_minutes=settings.getfloat("NEWS_RECHECK_EVERY_MINUTES", 60),
            retry_hours=settings.getfloat("NEWS_RETRY_HOURS", 24),
        )
        known = known_urls(archive, policy)
        try:
            if not backfill:
                known.catch_up = unfinished_sources(archive, keys)
        except BaseException:
            known.close()
            raise
        return marked, known


class Progress:
    """A live line on a terminal (pages, articles), rewritten every second."""

    def __init__(self, crawler: Any, stream: Any = None) -> None:
        from twisted.internet import task

        self.crawler = crawler
        self.stream = stream or sys.stderr
        self.ticks = 0
        self.loop = task.LoopingCall(self.show)

    def start(self) -> None:
        self.loop.start(1.0, now=False)

    def show(self) -> None:
        self.ticks += 1
        stats = self.crawler.stats.get_stats() if self.crawler.stats else {}
        pages = int(stats.get("downloader/response_count", 0))
        items = int(stats.get("item_scraped_count", 0))
        self.stream.write(f"\r  {self.ticks:>4} s  {pages} pages  {items} articles ")
        self.stream.flush()

    def stop(self) -> None:
        if self.loop.running:
            self.loop.stop()
        if self.ticks:
            self.stream.write("\r" + " " * 60 + "\r")
            self.stream.flush()


def run_crawl(
    sources: Sequence[Source],
    db_path: Path,
    *,
    local: bool = False,
    verbose: bool = False,
    max_pages: int | None = None,
    incremental: bool = True,
    since: date | None = None,
    recheck_hours: float | None = None,
    progress: bool = False,
    lock: bool = True,
    download_timeout: float | None = None,
) -> CrawlResult:
    """Crawl `sources` into the archive at `db_path`; raises `crawler.lock.ArchiveLocked`
    when another crawl is writing to it. `download_timeout` (seconds) overrides
    DOWNLOAD_TIMEOUT, e.g. for a site that accepts connections and never answers."""
    from crawler.lock import archive_lock

    settings = crawl_settings(db_path, local=local, verbose=verbose)
    if download_timeout is not None:
        settings.set("DOWNLOAD_TIMEOUT", download_timeout, priority="cmdline")
    if recheck_hours is not None:
        settings.set("NEWS_RECHECK_HOURS", recheck_hours, priority="cmdline")
    if since is not None or not incremental:
        settings.set("NEWS_CONDITIONAL_GET", False, priority="cmdline")
    jobdir = job_dir(db_path, sources, since) if since is not None else None
    if jobdir is not None:
        settings.set("JOBDIR", str(jobdir), priority="cmdline")
    db_path.parent.mkdir(parents=True, exist_ok=True)
    guard: AbstractContextManager[Any] = (
        archive_lock(db_path, backfill=since is not None) if lock else nullcontext()
    )
    with signals_held(tell=progress) as latch, guard:
        keys = [s.key for s in sources]
        marked, known = prepare_archive(db_path, settings, incremental, keys, since is not None)
        try:  # `known` reads the archive until the crawl ends; closed last (see ArchivedUrls)
            if marked:
                logger.info("marked %d run(s) of a crawl that died as interrupted", marked)
            if latch.pending is not None:  # stopped while the archive was opened: no crawl
                return _result({}, keys, marked, None, latch.pending)
            for key, why in known.catch_up.items():
                logger.info(
                    "%s: %s: reading its feeds, sitemaps and listings in full, listings to "
                    "their page limit",
                    key,
                    why,
                )
            if jobdir is not None:  # just before the crawl: nothing in between loses the seal
                assert since is not None
                shutil.rmtree(legacy_job_dir(db_path, sources, since), ignore_errors=True)
                open_job(jobdir)
            stats, stop_signal = _run_process(
                settings, sources, known, max_pages, since, verbose, progress, latch
            )
        finally:
            known.close()
        reason = stats.get("finish_reason")  # set once the spider closed (not on a forced stop)
        if jobdir is not None and reason == "finished":
            shutil.rmtree(jobdir, ignore_errors=True)
        elif jobdir is not None and reason and jobdir.exists():
            seal_job(jobdir, str(reason))
    return _result(stats, keys, marked, jobdir, stop_signal)


def _result(
    stats: dict[str, Any],
    keys: list[str],
    marked: int,
    jobdir: Path | None,
    stop_signal: int | None,
) -> CrawlResult:
    """The crawl's summary, also logged: one line per source."""
    summary = summarize(stats, keys)
    lines = [source_line(key, entry) for key, entry in summary["sources"].items()]
    for line in lines:
        logger.info("%s", line)
    run_id = stats.get("newsagg/run_id")
    return CrawlResult(
        summary, stats, int(run_id) if run_id else None, marked, jobdir, lines, stop_signal
    )


def _run_process(
    settings: Any,
    sources: Sequence[Source],
    known: Any,
    max_pages: int | None,
    since: date | None,
    verbose: bool,
    progress: bool,
    latch: SignalLatch,
) -> tuple[dict[str, Any], int | None]:
    """Stats of the crawl, and the signal that stopped it early (None if none did)."""
    from crawler.spiders.news import NewsSpider

    settings.set("LOG_INSTALL_ROOT_HANDLER", verbose, priority="cmdline")
    process = _process_class()(settings, tell=progress)
    # The reactor the settings ask for, before any handler can import the default one: a
    # signal while the crawler was built made `_signal_shutdown` import it, and the crawl
    # then failed Scrapy's reactor check with tracebacks (Scrapy installs it idempotently).
    if settings.get("TWISTED_REACTOR"):
        from scrapy.utils.reactor import install_reactor

        install_reactor(settings["TWISTED_REACTOR"], settings.get("ASYNCIO_EVENT_LOOP"))
    # Scrapy installs its own handlers once the reactor runs; until then (building the
    # crawler takes a second) its graceful stop takes the signals, and waits for the reactor.
    latch.hand_over(process._signal_shutdown)
    if not verbose:
        logging.getLogger("scrapy").setLevel(logging.WARNING)
    crawler = process.create_crawler(NewsSpider)
    process.crawl(
        crawler,
        sources=list(sources),
        known_urls=known.skip,
        recheck_urls=known.recheck,
        lost_urls=known.lost,
        catch_up=set(known.catch_up),
        max_pages=max_pages,
        since=since,
    )
    live = Progress(crawler) if progress and not verbose else None
    if live:
        live.start()
    try:
        process.start()
    finally:
        if live:
            live.stop()
    stats = dict(crawler.stats.get_stats()) if crawler.stats else {}
    return stats, process.stop_signal


def stopping_notice(signum: int) -> str:
    """What a person who pressed Ctrl-C reads at once (the last pages may take seconds)."""
    if signum == signal.SIGINT:
        return "stopping after the pages in flight; press Ctrl-C again to force"
    return f"{signal.Signals(signum).name}: stopping after the pages in flight"


def _process_class() -> Any:
    """CrawlerProcess that remembers the stopping signal (imported late: Scrapy is heavy)."""
    from scrapy.crawler import CrawlerProcess

    class SignalledProcess(CrawlerProcess):
        def __init__(self, settings: Any, *, tell: bool) -> None:
            super().__init__(settings)
            self.stop_signal: int | None = None
            self.tell = tell

        def _signal_shutdown(self, signum: int, frame: Any) -> None:
            from twisted.internet import reactor

            if self.stop_signal is not None:  # a second signal: Scrapy put this handler back
                self._signal_kill(signum, frame)  # when the reactor started after the first
                return
            self.stop_signal = signum
            # not from inside the handler: the stream may be mid-write; and not for a signal
            # that `SignalLatch.hand_over` passes on (no frame): the latch told of it already
            if self.tell and frame is not None:
                reactor.callFromThread(_tell, stopping_notice(signum))
            super()._signal_shutdown(signum, frame)
            reactor.callFromThread(self._drop_queued)

        def _drop_queued(self) -> None:
            """After Scrapy's stop: what waits for a connection is not downloaded."""
            from crawler.stopdownloads import drop_queued

            for crawler in self.crawlers:
                drop_queued(crawler)

    return SignalledProcess


def _tell(message: str) -> None:
    sys.stderr.write("\r" + " " * 60 + "\r" + message + "\n")
    sys.stderr.flush()
