"""One crawl per archive at a time.

The lock is an `flock` on `<db>.lock`, which the kernel releases when the holder dies
(even by kill -9), so a stale lock never blocks: the next run simply takes it. The
file keeps the holder's PID and start time for the message a second run prints.
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

EX_TEMPFAIL = 75  # sysexits.h: try again later (cron will, in 15 minutes)


class ArchiveLocked(Exception):
    def __init__(self, lock_path: Path, holder: str) -> None:
        super().__init__(f"another crawl is writing to this archive ({holder}); lock: {lock_path}")
        self.lock_path = lock_path
        self.holder = holder


def lock_path_for(db_path: Path) -> Path:
    return db_path.with_name(db_path.name + ".lock")


@contextmanager
def archive_lock(db_path: Path) -> Iterator[Path]:
    path = lock_path_for(db_path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 200, 0).decode("utf-8", "replace").strip() or "unknown process"
            raise ArchiveLocked(path, holder) from None
        started = datetime.now(UTC).isoformat(timespec="seconds")
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"pid {os.getpid()} since {started}\n".encode(), 0)
        yield path
    finally:
        os.close(fd)  # closing releases the flock
