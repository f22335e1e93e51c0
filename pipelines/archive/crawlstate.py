"""What scheduled crawls remember between runs, kept in the archive.

Functions over an `Archive` (the archive module stays about articles): which URLs a crawl
may skip, the validators for conditional GET, the fetch records a run leaves behind, the
runs a dead crawl left "running", the sources whose last run left work undone, and the run
history that health checks read.

Times are UTC strings `YYYY-MM-DDTHH:MM:SSZ`, like every timestamp of the archive, so they
compare as text.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pipelines.archive import Archive


def utc_text(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass(frozen=True)
class SkipPolicy:
    """When an already fetched URL is fetched again.

    recheck_hours: archived articles published (or, undated, first seen) this recently are
        fetched again to catch edits, ...
    recheck_every_minutes: ... but not more often than this.
    retry_hours: a URL that gave no article (not an article, a redirect, a 4xx) is tried
        again after this long; server errors (5xx) and pages a run lost (`LOST`) are tried
        again on the next run.
    """

    recheck_hours: float = 24.0
    recheck_every_minutes: float = 60.0
    retry_hours: float = 24.0


# fetch_state.status of an article page a run lost (not stored, not downloaded, raised on):
# no answer to remember, only that the next run must ask for it again.
LOST = 0


@dataclass(frozen=True)
class FetchRecord:
    url: str
    status: int
    etag: str | None = None
    last_modified: str | None = None
    fetched_at: str | None = None


@dataclass
class KnownUrls:
    """skip: URL -> when last fetched, for every URL the next crawl need not fetch (the time
    lets a feed pubDate or sitemap lastmod newer than that fetch bring an article back);
    recheck: archived URLs to fetch again now (young articles, for edits);
    lost: article URLs an earlier run lost and nothing has stored since, to fetch again
    whether or not a feed or listing still shows them;
    catch_up: source key -> why it is read in full (`unfinished_sources`)."""

    skip: dict[str, str]
    recheck: set[str]
    lost: set[str] = field(default_factory=set)
    catch_up: dict[str, str] = field(default_factory=dict)


def known_urls(archive: Archive, policy: SkipPolicy, now: datetime | None = None) -> KnownUrls:
    """What the archive already holds or recently tried, for an incremental crawl."""
    now = now or datetime.now(UTC)
    young = utc_text(now - timedelta(hours=policy.recheck_hours))
    due = utc_text(now - timedelta(minutes=policy.recheck_every_minutes))
    retry = utc_text(now - timedelta(hours=policy.retry_hours))
    db = archive.db
    fetched: dict[str, tuple[str, int]] = {
        url: (when or "", int(status or 0))
        for url, when, status in db.execute("SELECT url, last_fetched, status FROM fetch_state")
    }
    spellings: dict[int, list[str]] = {}
    for url, article_id in db.execute("SELECT url, article_id FROM article_urls"):
        spellings.setdefault(article_id, []).append(url)
    skip: dict[str, str] = {}
    recheck: set[str] = set()
    rows = db.execute(
        "SELECT id, canonical_url, COALESCE(published_at_utc, first_seen), last_seen FROM articles"
    )
    for article_id, canonical, reference, last_seen in rows:
        urls = [canonical, *spellings.get(article_id, ())]
        last = max([last_seen or "", *(fetched.get(u, ("", 0))[0] for u in urls)])
        if policy.recheck_hours > 0 and (reference or "") >= young and last <= due:
            recheck.update(urls)  # young and not looked at lately: fetch it again
            continue
        for url in urls:
            skip[url] = last
    lost: set[str] = set()
    for url, (when, status) in fetched.items():
        if url in skip or url in recheck:  # a recheck due is fetched however recent its fetch
            continue
        if status == LOST:
            lost.add(url)
        elif status < 500 and when >= retry:
            skip[url] = when
    return KnownUrls(skip, recheck, lost)


def validators(archive: Archive) -> dict[str, tuple[str | None, str | None]]:
    """URL -> (ETag, Last-Modified) of the discovery pages fetched before."""
    sql = (
        "SELECT url, etag, last_modified FROM fetch_state "
        "WHERE etag IS NOT NULL OR last_modified IS NOT NULL"
    )
    return {url: (etag, modified) for url, etag, modified in archive.db.execute(sql)}


def record_fetches(archive: Archive, records: Iterable[FetchRecord]) -> int:
    """Write fetch records in one transaction (the last record of a URL wins)."""
    now = utc_text(datetime.now(UTC))
    rows = {r.url: (r.url, r.etag, r.last_modified, r.fetched_at or now, r.status) for r in records}
    if not rows:
        return 0
    conn = archive.db.conn
    conn.execute("BEGIN IMMEDIATE")
    try:
        conn.executemany(
            "INSERT OR REPLACE INTO fetch_state (url, etag, last_modified, last_fetched, status) "
            "VALUES (?, ?, ?, ?, ?)",
            list(rows.values()),
        )
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")
    return len(rows)


def mark_interrupted(archive: Archive) -> int:
    """Runs still "running" when no crawl holds the lock died (kill -9, power loss):
    call this holding the archive lock. Returns how many were marked."""
    conn = archive.db.conn
    conn.execute("BEGIN IMMEDIATE")
    try:
        cur = conn.execute(
            "UPDATE crawl_runs SET status = 'interrupted', "
            "finished_at = COALESCE(finished_at, ?) WHERE status = 'running'",
            (utc_text(datetime.now(UTC)),),
        )
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")
    return cur.rowcount


def unfinished_sources(archive: Archive, keys: Iterable[str], limit: int = 200) -> dict[str, str]:
    """Source key -> why its last run (of the last `limit`) left work undone: it did not
    finish (killed, stopped, crashed) or it lost pages (`lost_pages` in its summary: an article
    not stored, a page not downloaded, an exception in a callback).

    Such a run may have stored the articles of a listing's first page and not those of its
    second, or not fetched an article it had found; the incremental rules of the next run
    (a 304, pagination that stops at a page of known articles) would never lead back to
    them, so that run reads the source in full (`NewsSpider.catch_up`)."""
    wanted = set(keys)
    reasons: dict[str, str] = {}
    for run in reversed(run_history(archive, limit)):  # newest first
        for key in [k for k in run["sources"] if k in wanted]:
            wanted.discard(key)
            entry = (run["stats"].get("sources") or {}).get(key) or {}
            lost = int(entry.get("lost_pages") or 0)
            if run["status"] != "finished":
                reasons[key] = f"its last run did not finish ({run['status']})"
            elif lost:
                reasons[key] = f"its last run lost {lost} page" + ("" if lost == 1 else "s")
        if not wanted:
            break
    return reasons


def run_history(archive: Archive, limit: int = 50) -> list[dict[str, Any]]:
    """The last `limit` runs, oldest first, with their stats JSON parsed."""
    rows = archive.db.execute(
        "SELECT id, started_at, finished_at, status, sources, stats FROM crawl_runs "
        "ORDER BY id DESC LIMIT ?",
        (limit,),
    ).fetchall()
    runs = []
    for run_id, started, finished, status, sources, stats in reversed(rows):
        runs.append(
            {
                "id": run_id,
                "started_at": started,
                "finished_at": finished,
                "status": status,
                "sources": json.loads(sources or "[]"),
                "stats": json.loads(stats or "{}"),
            }
        )
    return runs
