"""Small file-system helpers shared by the exports and the crawl's backfill jobs (no heavy
imports: the crawl loads this)."""

from __future__ import annotations

import os
from pathlib import Path


def fsync_quietly(path: Path) -> None:
    """Flush a file or a directory (a rename in it) to disk; best effort, as not every
    platform can open a directory."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
