"""Option bundles and error types shared by the commands (Datasette's habit).

Exit codes across the CLI: 0 done; 1 the work failed (see the message); 2 bad input
(usage, a query, a date, a path, a missing or unreadable archive); 3 a page that is not
an article (extract) or a source flagged by a health check (crawl --check); 75 another
crawl holds the archive's lock, or another program kept the archive locked past the busy
timeout (`NEWSAGG_BUSY_TIMEOUT`, 30 s): try again later.
"""

from __future__ import annotations

import os
import re
import sqlite3
import stat
import sys
from collections.abc import Callable
from datetime import date, datetime, time, timedelta, tzinfo
from pathlib import Path
from typing import Any, TypeVar

import click

F = TypeVar("F", bound=Callable[..., Any])

DEFAULT_DB = "data/news.db"


class UsageExit(click.ClickException):
    """A request that cannot be carried out as given: exit status 2, like a usage error."""

    exit_code = 2


def default_db() -> str:
    return os.environ.get("NEWSAGG_DB") or DEFAULT_DB


def archive_path_problem(path: Path) -> str | None:
    """Why `path` can never hold an archive (a device, a FIFO, a path under a file), or None."""
    try:
        mode = path.stat().st_mode
    except (FileNotFoundError, NotADirectoryError):
        mode = None
    except OSError as exc:
        return exc.strerror or str(exc)
    if mode is not None:
        # a directory is click's to report; /dev/null, a FIFO, a socket are no database files
        return None if stat.S_ISREG(mode) or stat.S_ISDIR(mode) else "not a regular file"
    for parent in path.parents:  # the nearest that exists must be a directory
        if parent.exists():
            return None if parent.is_dir() else f"{parent} is not a directory"
    return None


def _usable_db(ctx: click.Context, param: click.Parameter, value: Path) -> Path:
    if ctx.resilient_parsing or any(a in ("--help", "-h") for a in sys.argv[1:]):
        return value  # read first (eager): a bad --db must not hide the help asked for
    problem = archive_path_problem(value)
    if problem:
        raise UsageExit(f"cannot use the archive at {value}: {problem}")
    return value


DEMO_DB = "data/demo.db"


def _archive_option(default: Any, shown: str | bool, help: str) -> Callable[[F], F]:
    def decorate(func: F) -> F:
        return click.option(
            "--db",
            "db_path",
            type=click.Path(dir_okay=False, path_type=Path),
            default=default,
            callback=_usable_db,
            is_eager=True,  # read before --source, which may name a source only it holds
            show_default=shown,
            help=help,
        )(func)

    return decorate


# `--db PATH`: the archive; `NEWSAGG_DB` or data/news.db by default.
db_option = _archive_option(default_db, "data/news.db or $NEWSAGG_DB", "SQLite archive to use.")
# The demo's `--db`: its own file, whatever `NEWSAGG_DB` says, so that the demo's made-up
# articles never mix with a real archive.
demo_db_option = _archive_option(DEMO_DB, True, "SQLite archive for the demo's articles.")


class DateOrTime(click.ParamType):
    """`2024-03-05` (a whole day) or an ISO time `2024-03-05T10:00+07:00` (UTC if naive).

    Every spelling of a date that ISO allows (`20240305`, `2024-W10-2`) is a whole day too,
    never the moment at its midnight: `--until 20240305` includes the 5th. A week
    (`2024-W10`), a month (`2024-03`) or a year (`2024`) is its first day, or with `end` (an
    `--until`) its last: `--since 2024-03 --until 2024-03` is all of March."""

    name = "DATE"

    def __init__(self, *, end: bool = False) -> None:
        self.end = end

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if isinstance(value, date):
            return value
        text = str(value).strip()
        try:
            day = date.fromisoformat(text)
        except ValueError:
            pass
        else:  # a week (2024-W10) is its Monday, or with `end` its Sunday (9999's last day)
            if self.end and _WEEK.fullmatch(text):
                return day + timedelta(days=min(6, (date.max - day).days))
            return day
        if period := _PERIOD.fullmatch(text):
            year, month = int(period[1]), int(period[2] or 0)
            if year == 0 or (period[2] is not None and not 1 <= month <= 12):
                self.fail(f"{value!r} is not a month or a year (2024-03, 2024)", param, ctx)
            first = date(year, month or 1, 1)
            if not self.end:
                return first
            if month in (0, 12):
                return date(year, 12, 31)
            return date(year, month + 1, 1) - timedelta(days=1)
        try:
            return datetime.fromisoformat(text)
        except ValueError:
            self.fail(
                f"{value!r} is not a date (2024-03-05), a month (2024-03) or an ISO time",
                param,
                ctx,
            )


# ISO's reduced precision: a year, or a year and month (never "202403", which ISO forbids)
_PERIOD = re.compile(r"(\d{4})(?:-(\d{2}))?", re.ASCII)
_WEEK = re.compile(r"\d{4}-?W\d{2}", re.ASCII)  # a week without its day (2024-W10, 2024W10)


class Zone(click.ParamType):
    """An IANA time zone name (`Asia/Barnaul`)."""

    name = "ZONE"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

        if isinstance(value, tzinfo):
            return value
        name = str(value).strip()
        try:
            return ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            pass
        # the names are file names, in their case: "utc" or "asia/barnaul" mean the same
        spelled = {zone.lower(): zone for zone in available_timezones()}.get(name.lower())
        if spelled:
            return ZoneInfo(spelled)
        self.fail(f"{value!r} is not a time zone (e.g. Asia/Barnaul, Europe/Moscow)", param, ctx)


def tz_option(f: F) -> F:
    return click.option(
        "--tz",
        "zone",
        type=Zone(),
        envvar="NEWSAGG_TZ",
        default=None,
        help="The zone of --since/--until days and of times without an offset (e.g. "
        "Asia/Barnaul; env NEWSAGG_TZ). Default: UTC.",
    )(f)


def in_zone(value: date | None, zone: tzinfo | None, *, end: bool = False) -> date | None:
    """A `--since` (or, with `end`, `--until`) bound read in `zone`: a day runs from its
    local midnight to its last second; a time without an offset is local. Without a zone
    the value is left as it is (the filters read it as UTC)."""
    if value is None or zone is None:
        return value
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=zone)
    try:
        if end:  # the day's last second: the filter takes a moment inclusively
            return datetime.combine(value + timedelta(days=1), time(0), zone) - timedelta(seconds=1)
        return datetime.combine(value, time(0), zone)
    except OverflowError:  # 9999-12-31: no bound on that side, as without a zone
        return value


def time_range(
    since: date | None, until: date | None, zone: tzinfo | None
) -> tuple[date | None, date | None]:
    """`--since` and `--until` read in `zone` (`in_zone`); exit 2 when --since is after
    --until: nothing could match, and an empty result would hide the slip."""
    from pipelines.archive.search import empty_range

    since, until = in_zone(since, zone), in_zone(until, zone, end=True)
    if empty_range(since, until):
        assert since is not None and until is not None
        raise UsageExit(
            f"--since {since.isoformat()} is after --until {until.isoformat()}: "
            "no article can match"
        )
    return since, until


def _archived_sources(db_path: Path | None) -> set[str]:
    """The source keys an archive holds articles of (imported ones included); none when
    there is no readable archive: the command then says what is wrong with it."""
    if db_path is None or not db_path.is_file():
        return set()
    from pipelines.archive.archive import peek

    try:
        with peek(db_path) as db:
            return {str(row[0]) for row in db.execute("SELECT key FROM sources") if row[0]}
    except sqlite3.Error as exc:
        if busy(exc):
            raise busy_exit(db_path) from None
        return set()


def _known_source(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    if value is None:
        return None
    from crawler.sources import SOURCES

    key = value.strip().lower()
    if key in SOURCES:
        return key
    archived = _archived_sources(ctx.params.get("db_path"))
    for stored in archived:  # a source only the archive knows (imported, or since removed)
        if stored.lower() == key:
            return stored
    known = ", ".join(sorted(set(SOURCES) | archived))
    raise click.BadParameter(f"unknown source {value!r}; known: {known}")


def source_option(help_text: str = "Only articles of this source key (e.g. amic).") -> Any:
    """`--source KEY`, checked against the registry and the sources the archive holds, so
    that a typo is not an empty result."""
    return click.option("--source", callback=_known_source, help=help_text)


EX_TEMPFAIL = 75  # sysexits.h: try again later (as for a crawl that finds the lock held)
SQLITE_BUSY, SQLITE_LOCKED = 5, 6


def busy(exc: BaseException) -> bool:
    """Did SQLite give up waiting for another connection's lock?"""
    return getattr(exc, "sqlite_errorcode", 0) & 0xFF in (SQLITE_BUSY, SQLITE_LOCKED)


class BusyExit(click.ClickException):
    """The archive stayed locked by another program: exit 75, like a crawl's held lock."""

    exit_code = EX_TEMPFAIL


def busy_exit(db_path: Path | None = None) -> BusyExit:
    """Exit 75 (try again later): another program held the archive past the busy timeout."""
    from pipelines.archive.archive import busy_timeout

    where = f" at {db_path}" if db_path else ""
    return BusyExit(
        f"the archive{where} is busy: another program has held it locked for "
        f"{busy_timeout():g} s (a long write, or a program that keeps a transaction open); "
        "what was written before is kept, try again later (NEWSAGG_BUSY_TIMEOUT sets the wait)"
    )


def missing_archive(db_path: Path) -> UsageExit:
    hint = "run newsagg crawl or newsagg demo first"
    if Path(DEMO_DB).is_file() and db_path.resolve() != Path(DEMO_DB).resolve():
        hint += f" (the demo's archive is {DEMO_DB}: add --db {DEMO_DB})"
    return UsageExit(f"no archive at {db_path}: {hint}")


def require_archive(db_path: Path) -> None:
    """Exit 2 with what to do when there is no archive at `db_path` (or an empty file)."""
    if not db_path.is_file() or db_path.stat().st_size == 0:
        raise missing_archive(db_path)


def open_archive(db_path: Path, *, readonly: bool = True) -> Any:
    """The archive, or exit 2 with what to do when there is none or it is unreadable."""
    from pipelines.archive import Archive, ArchiveNotFound

    if readonly:
        require_archive(db_path)
    try:
        return Archive.open(db_path, readonly=readonly)
    except ArchiveNotFound:
        raise missing_archive(db_path) from None
    except (sqlite3.DatabaseError, RuntimeError) as exc:
        if busy(exc):
            raise busy_exit(db_path) from None
        if readonly and "readonly database" in str(exc):
            # WAL: even a reader needs to create or write <db>-shm and <db>-wal beside it
            raise UsageExit(
                f"cannot read the archive at {db_path}: SQLite must create or update "
                f"{db_path.name}-shm and {db_path.name}-wal in {db_path.parent} even to read "
                "it, and this account may not; give it write access to that folder (e.g. a "
                "group shared with the crawl's account, see docs/cron.md)"
            ) from None
        raise UsageExit(f"cannot read the archive at {db_path}: {exc}") from None
