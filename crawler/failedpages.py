"""Pages that failed extraction, kept for a new golden test.

When a page at an article URL turns out not to be an article, or comes out without a
headline or date, the spider hands it here: `<folder>/<source>/<sha1 of URL>.html` and a
`.json` beside it (url, source, reason, fetched_at). One file per URL (a later failure
overwrites it), at most `cap` pages per source per run, and at most `keep` per source in
all (the oldest go first), so neither a broken layout nor years of cron runs fill the
disk. The parser never writes; this is the spider's side.
"""

from __future__ import annotations

import hashlib
import json
import logging
from datetime import UTC, datetime
from pathlib import Path

logger = logging.getLogger("newsagg.failed")


class FailedPages:
    def __init__(self, folder: Path | None, cap: int = 20, keep: int = 200) -> None:
        self.folder = folder
        self.cap = cap
        self.keep = max(keep, 1)
        self.saved: dict[str, int] = {}

    def save(self, source: str, url: str, body: bytes, reason: str) -> Path | None:
        """Keep the page; returns the HTML file's path, or None when off or over the cap."""
        if self.folder is None or self.saved.get(source, 0) >= self.cap:
            return None
        folder = self.folder / source
        name = hashlib.sha1(url.encode("utf-8")).hexdigest()
        meta = {
            "url": url,
            "source": source,
            "reason": reason,
            "fetched_at": datetime.now(UTC).isoformat(timespec="seconds"),
        }
        try:
            folder.mkdir(parents=True, exist_ok=True)
            (folder / f"{name}.html").write_bytes(body)
            (folder / f"{name}.json").write_text(
                json.dumps(meta, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
            )
        except OSError as exc:  # a full disk must not stop the crawl
            logger.warning("could not keep the failed page %s: %s", url, exc)
            return None
        self.saved[source] = self.saved.get(source, 0) + 1
        self._prune(folder)
        return folder / f"{name}.html"

    def _prune(self, folder: Path) -> None:
        """Remove the oldest pages of a source beyond `keep` (the newest show the layout)."""
        try:
            pages = sorted(folder.glob("*.html"), key=lambda p: (p.stat().st_mtime, p.name))
            for old in pages[: max(0, len(pages) - self.keep)]:
                old.unlink(missing_ok=True)
                old.with_suffix(".json").unlink(missing_ok=True)
        except OSError as exc:  # another run pruning at the same time, a read-only file
            logger.warning("could not prune the failed pages in %s: %s", folder, exc)
