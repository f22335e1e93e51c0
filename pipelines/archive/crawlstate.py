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
import sqlite3
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pipelines.archive.chunked import select_in
from pipelines.archive.schema import immediate

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

    skip: Mapping[str, str]
    recheck: set[str]
    lost: set[str] = field(default_factory=set)
    catch_up: dict[str, str] = field(default_factory=dict)

    def close(self) -> None:
        """Let go of the archive (`ArchivedUrls` reads it while the crawl runs)."""
        if isinstance(self.skip, ArchivedUrls):
            self.skip.close()


def known_urls(archive: Archive, policy: SkipPolicy, now: datetime | None = None) -> KnownUrls:
    """What the archive already holds or recently tried, for an incremental crawl.

    Only the young articles due for a recheck and the lost pages are read now; whether any
    other URL may be skipped is asked of the archive when the crawl meets the URL
    (`ArchivedUrls`): a crawl meets a few hundred URLs, the archive holds millions (loading
    them all took 6-14 s and 500 MB at a million articles, on every run)."""
    now = now or datetime.now(UTC)
    skip = ArchivedUrls(archive.path, policy, now)
    try:
        return _known(skip, policy, now)
    except BaseException:
        skip.close()
        raise


def _known(skip: ArchivedUrls, policy: SkipPolicy, now: datetime) -> KnownUrls:
    due = utc_text(now - timedelta(minutes=policy.recheck_every_minutes))
    recheck: set[str] = set()
    if policy.recheck_hours > 0:
        young = utc_text(now - timedelta(hours=policy.recheck_hours))
        rows = skip.conn.execute(
            # `+id`: the range is the index's; an id range would read every row
            f"SELECT id FROM articles WHERE {REFERENCE} >= ? AND +id <= ?",
            (young, skip.last_article),
        )
        for (article_id,) in rows.fetchall():
            urls, last = skip.article(article_id)
            if last <= due:  # young and not looked at lately: fetch it again
                recheck.update(urls)
                skip.rechecked.add(article_id)
    # LOST is a literal, so that SQLite reads the partial index `idx_fetch_state_lost`
    lost_rows = skip.conn.execute(f"SELECT url FROM fetch_state WHERE status = {LOST}")
    lost = {url for (url,) in lost_rows if skip.article_of(url) is None}
    return KnownUrls(skip, recheck, lost)


# When an article counts as young (for rechecks): published, else first seen. The expression
# of the index `idx_articles_reference` (migration m008).
REFERENCE = "COALESCE(published_at_utc, first_seen)"


class ArchivedUrls(Mapping[str, str]):
    """URL -> when last fetched, for every URL an incremental crawl need not fetch, read from
    the archive as the crawl asks (indexed lookups, remembered):

    - a spelling of an archived article (not one due for a recheck) maps to the latest of the
      article's `last_seen` and the fetches of its spellings;
    - any other URL fetched before maps to that fetch, if it answered below 500 within
      `retry_hours` (a lost page, `LOST`, never does).

    The archive as it was when this was made counts: articles and spellings a crawl stores
    while it runs (rows added since) stay unknown to it, as they were when it started, so that
    a listing walks on past articles a feed brought in the same run. Iterating reads every
    URL of the archive (tests, small archives); a crawl only looks URLs up."""

    def __init__(self, path: Path, policy: SkipPolicy, now: datetime) -> None:
        # Read-write, though it only reads (query_only): it closes after the crawl's writers,
        # and the last connection to close folds the WAL into the archive file, which a
        # read-only one cannot (a copy of news.db alone would then miss the last run).
        self.conn = sqlite3.connect(path)
        try:
            self.conn.execute("PRAGMA query_only = ON")
            self.conn.execute("PRAGMA busy_timeout = 30000")
            # the last rows at the start: ids and rowids only grow (rows are never deleted)
            self.last_article, self.last_spelling = self.conn.execute(
                "SELECT (SELECT COALESCE(MAX(id), 0) FROM articles), "
                "(SELECT COALESCE(MAX(rowid), 0) FROM article_urls)"
            ).fetchone()
        except BaseException:
            self.conn.close()
            raise
        self.retry = utc_text(now - timedelta(hours=policy.retry_hours))
        self.rechecked: set[int] = set()  # article ids due for a recheck: not skipped
        self._answers: dict[str, str | None] = {}

    def close(self) -> None:
        self.conn.close()

    def article_of(self, url: str) -> int | None:
        """The archived article `url` is a spelling of, as the archive was at the start."""
        row = (
            self.conn.execute(  # a spelling whose article row is gone counts for nothing
                "SELECT u.article_id FROM article_urls u JOIN articles a ON a.id = u.article_id "
                "WHERE u.url = ? AND u.rowid <= ?",
                (url, self.last_spelling),
            ).fetchone()
            or self.conn.execute(
                "SELECT id FROM articles WHERE canonical_url = ? AND id <= ?",
                (url, self.last_article),
            ).fetchone()
        )
        return int(row[0]) if row else None

    def article(self, article_id: int) -> tuple[list[str], str]:
        """The spellings of an article, and the latest of its `last_seen` and their fetches."""
        canonical, last_seen = self.conn.execute(
            "SELECT canonical_url, last_seen FROM articles WHERE id = ?", (article_id,)
        ).fetchone()
        spellings = [
            url
            for (url,) in self.conn.execute(
                "SELECT url FROM article_urls WHERE article_id = ? AND rowid <= ?",
                (article_id, self.last_spelling),
            )
        ]
        urls = list(dict.fromkeys([canonical, *spellings]))
        fetched = select_in(
            self.conn, "SELECT last_fetched FROM fetch_state WHERE url IN ({})", urls
        )
        return urls, max([last_seen or "", *(when or "" for (when,) in fetched)])

    def _answer(self, url: str) -> str | None:
        if url in self._answers:
            return self._answers[url]
        article_id = self.article_of(url)
        answer: str | None = None
        if article_id is not None:
            if article_id not in self.rechecked:
                answer = self.article(article_id)[1]
        else:
            row = self.conn.execute(
                "SELECT last_fetched, status FROM fetch_state WHERE url = ?", (url,)
            ).fetchone()
            if row is not None:
                when, status = row[0] or "", int(row[1] or 0)
                if status != LOST and status < 500 and when >= self.retry:
                    answer = when
        self._answers[url] = answer
        return answer

    def __getitem__(self, url: str) -> str:
        answer = self._answer(url)
        if answer is None:
            raise KeyError(url)
        return answer

    def __contains__(self, url: object) -> bool:
        return isinstance(url, str) and self._answer(url) is not None

    def __iter__(self) -> Iterator[str]:
        candidates = self.conn.execute(
            "SELECT url FROM article_urls UNION SELECT canonical_url FROM articles "
            "UNION SELECT url FROM fetch_state"
        ).fetchall()  # rows added since are left out by `article_of`
        return (url for (url,) in candidates if url in self)

    def __len__(self) -> int:
        return sum(1 for _ in self)


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
    with immediate(archive.db.conn) as conn:
        conn.executemany(
            "INSERT OR REPLACE INTO fetch_state (url, etag, last_modified, last_fetched, status) "
            "VALUES (?, ?, ?, ?, ?)",
            list(rows.values()),
        )
    return len(rows)


def mark_interrupted(archive: Archive) -> int:
    """Runs still "running" when no crawl holds the lock died (kill -9, power loss):
    call this holding the archive lock. Returns how many were marked."""
    with immediate(archive.db.conn) as conn:
        cur = conn.execute(
            "UPDATE crawl_runs SET status = 'interrupted', "
            "finished_at = COALESCE(finished_at, ?) WHERE status = 'running'",
            (utc_text(datetime.now(UTC)),),
        )
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
