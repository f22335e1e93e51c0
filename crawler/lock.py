"""One crawl per archive at a time.

The lock is an `flock` on `<db>.lock`, which the kernel releases when the holder dies
(even by kill -9), so a stale lock never blocks: the next run simply takes it over. The
file keeps the holder's PID and start time, for the message a second run prints and for
`holder_alive`, which tells a crawl that is running from one that died mid-run.
"""

from __future__ import annotations

import fcntl
import logging
import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

EX_TEMPFAIL = 75  # sysexits.h: try again later (cron will, in 15 minutes)
STUCK_HOURS = 6.0  # a lock held longer than this is reported as a crawl that may hang

logger = logging.getLogger("newsagg.lock")


class ArchiveLocked(Exception):
    def __init__(self, lock_path: Path, holder: str) -> None:
        super().__init__(f"another crawl is writing to this archive ({holder}); lock: {lock_path}")
        self.lock_path = lock_path
        self.holder = holder

    @property
    def backfill(self) -> bool:
        """The holder is a backfill (`newsagg crawl --since`), which may run for hours."""
        return self.holder.endswith("(backfill)")

    def held_hours(self, now: datetime | None = None) -> float | None:
        """How long the holder has had the lock (None when the lock file does not say)."""
        match = re.search(r"since (\S+)", self.holder)
        if match is None:
            return None
        try:
            since = datetime.fromisoformat(match.group(1))
        except ValueError:
            return None
        if since.tzinfo is None:
            return None
        return ((now or datetime.now(UTC)) - since).total_seconds() / 3600


def lock_path_for(db_path: Path) -> Path:
    """`<db>.lock` beside the archive's real file: every name of it (a symbolic link, a
    path through a linked folder) takes the same lock."""
    real = Path(os.path.realpath(db_path))
    return real.with_name(real.name + ".lock")


def _pid(text: str) -> int | None:
    match = re.match(r"pid (\d+)", text)
    return int(match.group(1)) if match else None


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: alive
        return True
    return True


def holder_alive(db_path: Path) -> bool:
    """Is the process named in the lock file still running? (Read-only; takes no lock.)"""
    try:
        text = lock_path_for(db_path).read_text(encoding="utf-8", errors="replace")
    except OSError:
        return False
    pid = _pid(text)
    return pid is not None and _alive(pid)


@contextmanager
def archive_lock(db_path: Path, *, backfill: bool = False) -> Iterator[Path]:
    """Hold the archive's lock; raises `ArchiveLocked` at once when a live crawl holds it.
    `backfill` is written with the holder: a long backfill is expected to hold it for hours."""
    path = lock_path_for(db_path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 200, 0).decode("utf-8", "replace").strip() or "unknown process"
            raise ArchiveLocked(path, holder) from None
        previous = os.pread(fd, 200, 0).decode("utf-8", "replace").strip()
        if previous:
            logger.info("taking over a stale lock: %s is gone", previous)
        started = datetime.now(UTC).isoformat(timespec="seconds")
        os.ftruncate(fd, 0)
        kind = " (backfill)" if backfill else ""
        os.pwrite(fd, f"pid {os.getpid()} since {started}{kind}\n".encode(), 0)
        try:
            yield path
        finally:
            os.ftruncate(fd, 0)  # a clean exit leaves an empty lock file
    finally:
        os.close(fd)  # closing releases the flock
