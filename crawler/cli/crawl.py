"""`newsagg crawl`: crawl sources into the archive.

Exit codes (docs/cron.md): 0 done; 1 nothing fetched from any source (no network, every site
down), or the crawl stopped early without a signal; 2 usage error; 3 with `--check`, a
crawled source is flagged (see `crawler.health`); 70 (EX_SOFTWARE) newsagg's own code raised
on some pages or articles (a bug, a missing module), whose articles were not stored; 74
(EX_IOERR) the archive could not write some articles (a full disk, an I/O error), which the
next run fetches again; 75 (EX_TEMPFAIL) another crawl holds the archive's lock; 128+N
stopped by signal N after a graceful shutdown (130 Ctrl-C, 143 SIGTERM). When several apply,
the first in this order wins: signal, nothing fetched, exceptions, not written, flagged.
"""

from __future__ import annotations

import json
import logging
import sys
import time
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import click
from click.core import ParameterSource

from crawler.cli.options import DEMO_DB, DateOrTime, db_option
from crawler.cli.report import crawl_summary
from crawler.health import CHECK_EXIT_CODE, answered
from crawler.runstats import error_text, exception_text, http_text, totals
from crawler.sources import Source, UnknownSource, demo_sources, get_source, real_sources

if TYPE_CHECKING:
    from crawler.crawl import CrawlResult

EXIT_NOTHING_FETCHED = 1  # no source gave a single page: the network or every site is down
EXIT_STOPPED = 1  # stopped early, not by a signal (a signal gives 128 + its number)
EXIT_SOFTWARE = 70  # sysexits.h EX_SOFTWARE: our code raised on pages (a bug, a missing module)
EXIT_NOT_WRITTEN = 74  # sysexits.h EX_IOERR: the archive could not write some articles


def _parse_base(values: tuple[str, ...]) -> dict[str, str]:
    bases: dict[str, str] = {}
    for value in values:
        key, sep, url = value.partition("=")
        if not sep or not url.startswith(("http://", "https://")):
            raise click.BadParameter(f"expected KEY=URL, got {value!r}", param_hint="--base")
        parts = urlsplit(url)
        if not parts.netloc or parts.path.strip("/") or parts.query or parts.fragment:
            # the source's own paths go on the new origin: a path here would be dropped
            raise click.BadParameter(
                f"{url!r} is not an origin: give scheme, host and port only "
                f"(e.g. {key}=http://127.0.0.1:8001); the source's paths are kept",
                param_hint="--base",
            )
        bases[key] = url.rstrip("/")
    return bases


def choose_sources(keys: tuple[str, ...], all_sources: bool, bases: dict[str, str]) -> list[Source]:
    if all_sources and keys:
        raise click.UsageError("give source keys or --all, not both")
    try:
        chosen = real_sources() if all_sources else [get_source(k) for k in keys]
    except UnknownSource as exc:
        raise click.UsageError(str(exc)) from None
    try:  # a typo in --base must not send the crawl to the real site
        based = [get_source(k) for k in bases]
    except UnknownSource as exc:
        raise click.BadParameter(str(exc), param_hint="--base") from None
    if not chosen:
        chosen = based
    if not chosen:
        raise click.UsageError("name at least one source (see `newsagg sources`) or use --all")
    unused = [k for k in bases if k not in {s.key for s in chosen}]
    if unused:
        crawled = ", ".join(s.key for s in chosen)
        message = f"{unused[0]!r} is not a source of this crawl ({crawled})"
        raise click.BadParameter(message, param_hint="--base")
    return [s.with_base(bases[s.key]) if s.key in bases else s for s in chosen]


def choose_demo_sources(
    keys: tuple[str, ...], all_sources: bool, bases: dict[str, str]
) -> list[Source]:
    """The demo site's sources named by `keys` (all of them when none is named)."""
    if all_sources and keys:
        raise click.UsageError("give source keys or --all, not both")
    if bases:
        raise click.UsageError("--demo serves its sources from the bundled site: drop --base")
    available = demo_sources()
    names = [s.key for s in available]
    unknown = [k for k in keys if k not in names]
    if unknown:
        raise click.UsageError(
            f"the demo site has no source {unknown[0]!r}; it has: {', '.join(names)}"
        )
    return [s for s in available if not keys or s.key in keys]


@click.command()
@click.argument("sources", nargs=-1)
@click.option("--all", "all_sources", is_flag=True, help="Crawl every registered source.")
@db_option
@click.option(
    "--base",
    multiple=True,
    metavar="KEY=URL",
    help="Serve a source from another origin (a mirror, a test server): scheme, host "
    "and port, no path.",
)
@click.option(
    "--demo",
    is_flag=True,
    help="Crawl the bundled offline demo site instead: the SOURCES named, or all of its "
    "sources (not with --base).",
)
@click.option(
    "--max-pages",
    type=click.IntRange(1, 1000),
    default=None,
    help="Listing pages to walk per source (default per source, 3).",
)
@click.option(
    "--since",
    type=DateOrTime(),  # any ISO spelling of a day, as search and export take it
    default=None,
    metavar="DATE",
    help="Backfill: walk listings and sitemaps back to this date. Resumable: run the same "
    "command again after an interruption.",
)
@click.option(
    "--recheck-hours",
    type=click.FloatRange(0, None),
    default=None,
    help="Fetch archived articles younger than this again, for edits (default 24; 0: never).",
)
@click.option("--full", is_flag=True, help="Fetch archived articles again (not incremental).")
@click.option(
    "--check",
    is_flag=True,
    help="After the crawl, exit with status 3 if a crawled source is flagged unhealthy "
    "(stale, down, field coverage drop), printing the flags: for cron mail.",
)
@click.option(
    "--timeout",
    type=click.FloatRange(0.1, 600),
    default=None,
    envvar="NEWS_DOWNLOAD_TIMEOUT",
    metavar="SECONDS",
    help="Give up on a page after this long (default 30; 10 on 127.0.0.1). "
    "Env: NEWS_DOWNLOAD_TIMEOUT.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the run summary as JSON.")
@click.option("-v", "--verbose", is_flag=True, help="Show Scrapy's log.")
def command(
    sources: tuple[str, ...],
    all_sources: bool,
    db_path: Path,
    base: tuple[str, ...],
    demo: bool,
    max_pages: int | None,
    since: Any,
    recheck_hours: float | None,
    full: bool,
    check: bool,
    timeout: float | None,
    as_json: bool,
    verbose: bool,
) -> None:
    """Crawl news sources into the archive.

    Fetches feeds, sitemaps and listing pages (conditional GET), then the articles
    not yet archived (and recent ones again, for edits), extracts and stores them.
    Safe to run from cron: one crawl per archive at a time (a second one exits with
    status 75), an interrupted run loses nothing already stored, and every run is
    recorded (`newsagg stats`). Logs one line per source to stderr, download
    failures included. Exits 1 when no source gave any page, 70 when newsagg's
    own code failed on pages (their articles were not stored), 74 when the archive
    could not write some articles (a full disk), 130 / 143 when
    stopped by Ctrl-C / SIGTERM (run it again to go on); see docs/cron.md.

    \b
    Examples:
        newsagg crawl amic katun24
        newsagg crawl --all --check --db /srv/news/news.db   # from cron
        newsagg crawl katun24 --since 2024-01-01             # backfill, resumable
        newsagg crawl --demo              # the bundled offline demo site, into data/demo.db
        newsagg crawl --demo amic         # one source of it
    """
    bases = _parse_base(base)
    options = RunOptions(
        db_path=db_path,
        local=True,
        max_pages=max_pages,
        full=full,
        since=since.date() if isinstance(since, datetime) else since,
        recheck_hours=recheck_hours,
        check=check,
        as_json=as_json,
        verbose=verbose,
        timeout=timeout,
    )
    if demo:
        from crawler.cli.demo import refuse_real_archive
        from crawler.demo.server import DEMO_PORTS, DemoSite

        picked = choose_demo_sources(sources, all_sources, bases)
        context = click.get_current_context()
        if context.get_parameter_source("db_path") == ParameterSource.DEFAULT:
            options.db_path = Path(DEMO_DB)  # never the archive that real crawls fill
        refuse_real_archive(options.db_path)
        with DemoSite(sources=[s.key for s in picked], ports=DEMO_PORTS) as site:
            chosen = [s.with_base(site.bases[s.key]) for s in picked if s.key in site.bases]
            _run(chosen, options)
        return
    chosen = choose_sources(sources, all_sources, bases)
    options.local = all(s.home.startswith(("http://127.", "http://localhost")) for s in chosen)
    _run(chosen, options)


@dataclass
class RunOptions:
    db_path: Path
    local: bool
    max_pages: int | None
    full: bool
    since: date | None
    recheck_hours: float | None
    check: bool
    as_json: bool
    verbose: bool
    timeout: float | None = None


def log_to_stderr(verbose: bool) -> None:
    """Our INFO lines (one per source per run) to stderr, with a time for log files."""
    log = logging.getLogger("newsagg")
    if not log.handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(asctime)s %(message)s", "%Y-%m-%d %H:%M:%S"))
        log.addHandler(handler)
    log.setLevel(logging.DEBUG if verbose else logging.INFO)
    log.propagate = False


def _failures(entry: dict[str, Any]) -> str:
    """What a source's requests met instead of a page: errors, then HTTP statuses."""
    parts = (error_text(entry.get("errors") or {}), http_text(entry.get("http") or {}))
    return ", ".join(p for p in parts if p) or "no answer"


def verdict(result: CrawlResult, flagged: dict[str, list[str]]) -> tuple[int, list[str]]:
    """The exit code of a crawl and the stderr lines that explain it."""
    if not result.finished:
        # no finish reason: the spider never closed, stopped before its first request
        # by one signal, or forced by a second one (or a crash) in the middle of the crawl
        began = bool(result.stats.get("downloader/request_count"))
        reason = result.summary.get("finish_reason") or (
            "before the crawl began" if result.stop_signal and not began else "forced stop"
        )
        stored = totals(result.summary)["stored"]
        message = f"interrupted ({reason}): {stored} articles stored; run again to go on"
        code = 128 + result.stop_signal if result.stop_signal else EXIT_STOPPED
        return code, [message]
    entries = result.summary.get("sources", {})
    if entries and not any(answered(entry) for entry in entries.values()):
        why = "; ".join(f"{key}: {_failures(entry)}" for key, entry in entries.items())
        if any(entry.get("http") for entry in entries.values()):
            cause = "the sites answered with errors: are the addresses right, is newsagg blocked?"
        else:
            cause = "no network, or every site is down"
        message = f"newsagg crawl: nothing fetched from any source ({why}): {cause}"
        return EXIT_NOTHING_FETCHED, [message]
    if result.summary.get("spider_exceptions"):
        raised = "; ".join(
            f"{key}: {exception_text(entry['spider_exceptions'])}"
            for key, entry in entries.items()
            if entry.get("spider_exceptions")
        )
        message = (
            f"newsagg crawl: {result.summary['spider_exceptions']} pages raised an exception in "
            f"newsagg's own code ({raised or 'see the log'}); their articles were not stored, "
            "the first traceback of each kind is in the log"
        )
        return EXIT_SOFTWARE, [message]
    dropped = totals(result.summary)["dropped"]
    if dropped.get("pipeline error"):
        message = (
            f"newsagg crawl: {dropped['pipeline error']} articles were lost to an exception in "
            "newsagg's own item pipelines (see the log); the next run fetches them again"
        )
        return EXIT_SOFTWARE, [message]
    if dropped.get("store error"):
        message = (
            f"newsagg crawl: {dropped['store error']} articles could not be written to the "
            "archive (the reason of each is in the log: a full disk, an I/O error, a value the "
            "archive refused); what was written is kept, and the next run fetches the others "
            "again"
        )
        return EXIT_NOT_WRITTEN, [message]
    return (CHECK_EXIT_CODE if flagged else 0), []


def _run(chosen: list[Source], options: RunOptions) -> None:
    from crawler.crawl import run_crawl
    from crawler.lock import EX_TEMPFAIL, STUCK_HOURS, ArchiveLocked
    from crawler.stopping import signals_held

    log_to_stderr(options.verbose)
    db_path = options.db_path
    progress = sys.stderr.isatty()
    started = time.monotonic()
    try:
        with signals_held(tell=progress):  # a Ctrl-C from the first line on stops it cleanly
            if not options.as_json:
                names = ", ".join(s.key for s in chosen)
                click.echo(f"crawling {names} into {db_path} ...", err=True)
            result = run_crawl(
                chosen,
                db_path,
                local=options.local,
                verbose=options.verbose,
                max_pages=options.max_pages,
                incremental=not options.full,
                since=options.since,
                recheck_hours=options.recheck_hours,
                progress=progress,
                download_timeout=options.timeout,
            )
    except ArchiveLocked as exc:
        click.echo(f"newsagg crawl: {exc}; not starting a second one", err=True)
        hours = exc.held_hours()
        if hours is not None and hours > STUCK_HOURS and not exc.backfill:
            # exit 1, which cron mails (75 is not): a crawl that hangs must not go unseen
            click.echo(
                f"newsagg crawl: that crawl has run for {hours:.1f} hours and may hang (see its "
                "log, `newsagg stats`); stopping it with kill (SIGTERM) stores what it fetched",
                err=True,
            )
            sys.exit(1)
        sys.exit(EX_TEMPFAIL)
    wall = time.monotonic() - started
    flags = _health(db_path, [s.key for s in chosen]) if options.check else {}
    flagged = {key: f for key, f in flags.items() if f}
    if options.as_json:
        payload = {**result.summary, "run_id": result.run_id, "wall_seconds": round(wall, 2)}
        if options.check:
            payload["health"] = flags
        click.echo(json.dumps(payload, ensure_ascii=False))
    else:
        click.echo(crawl_summary(result.summary, wall))
    for key, source_flags in flagged.items():
        for flag in source_flags:
            click.echo(f"newsagg crawl --check: {key}: {flag}", err=True)
    code, messages = verdict(result, flagged)
    for message in messages:
        click.echo(message, err=True)
    if code:
        sys.exit(code)


def _health(db_path: Path, keys: list[str]) -> dict[str, list[str]]:
    from crawler.cli.stats import source_health
    from pipelines.archive import Archive

    with Archive.open(db_path, readonly=True) as archive:
        return source_health(archive, keys)
