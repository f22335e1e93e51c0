"""`Archive`: the one interface to the SQLite archive, for the store pipeline and the CLI.

One connection per `Archive` (open one per thread). The file is in WAL mode, so searches and
exports read while a crawl writes; every write call is one `BEGIN IMMEDIATE` transaction, so
two writers queue on the busy timeout instead of failing half-way.
"""

from __future__ import annotations

import collections
import contextlib
import gc
import itertools
import math
import multiprocessing
import os
import signal
import sqlite3
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import date, datetime
from pathlib import Path
from types import TracebackType
from typing import Any, Literal, Unpack

import sqlite_utils

from crawler.items import Article
from pipelines.archive import rawstore, schema, stories, writer
from pipelines.archive.query import parse_query
from pipelines.archive.rows import (
    article_columns,
    dumps,
    now_utc,
    row_to_dict,
)
from pipelines.archive.search import (
    DEFAULT_MARKS,
    RANK_WINDOW,
    Filters,
    SearchHit,
    count_matches,
    dated_ids,
    filter_sql,
    run_search,
    utc_bound,
)
from pipelines.archive.stories import StoryCluster
from pipelines.archive.writer import StoreOutcome
from pipelines.urls import UrlRules

FTS = schema.FTS_TABLE
BUSY_TIMEOUT_S = 30.0  # NEWSAGG_BUSY_TIMEOUT: how long to wait for another's lock
MAX_BUSY_TIMEOUT_S = 2_000_000.0  # PRAGMA busy_timeout takes a 32-bit count of ms


def busy_timeout() -> float:
    """Seconds a statement waits for another connection's lock, from the first statement
    on (sqlite3.connect's own default is 5 s); `NEWSAGG_BUSY_TIMEOUT` changes it."""
    try:
        seconds = float(os.environ.get("NEWSAGG_BUSY_TIMEOUT", BUSY_TIMEOUT_S))
    except ValueError:
        return BUSY_TIMEOUT_S
    if math.isnan(seconds):
        return BUSY_TIMEOUT_S
    return min(max(0.0, seconds), MAX_BUSY_TIMEOUT_S)  # "inf": as long as SQLite can wait


def peek(path: Path) -> contextlib.closing[sqlite3.Connection]:
    """A read-only connection to an SQLite file that must not be upgraded or changed (a
    backup's target, an archive a callback looks into before the command opens it); it
    waits the busy timeout like the archive's own."""
    uri = f"{path.resolve().as_uri()}?mode=ro"
    return contextlib.closing(sqlite3.connect(uri, uri=True, timeout=busy_timeout()))


PAGE_SIZE = 16_384


def run_numbers(stats: dict[str, Any]) -> dict[str, int]:
    """The crawl_runs columns from a run summary: `pages`, `exceptions`, `spider_exceptions`,
    `http_errors` and per-source `new`/`updated`/`unchanged`/`dropped` counts (as
    `crawler.runstats` writes)."""
    sources = [s for s in (stats.get("sources") or {}).values() if isinstance(s, dict)]

    def total(key: str) -> int:
        return sum(int(s.get(key) or 0) for s in sources) or int(stats.get(key) or 0)

    http_errors = stats.get("http_errors") or {}
    return {
        "pages_fetched": int(stats.get("pages") or 0),
        "articles_new": total("new"),
        "articles_updated": total("updated"),
        "articles_unchanged": total("unchanged"),
        "items_dropped": sum(sum((s.get("dropped") or {}).values()) for s in sources),
        "errors": int(stats.get("exceptions") or 0)
        + int(stats.get("spider_exceptions") or 0)
        + sum(int(v) for v in http_errors.values()),
    }


class ArchiveNotFound(FileNotFoundError):
    """Opening read-only a file that does not exist."""


class NotAnArchive(sqlite3.DatabaseError):
    """An SQLite database of something else: newsagg never adds its tables to it."""


def _foreign(conn: sqlite3.Connection, path: Path) -> None:
    """Raise `NotAnArchive` when the database has tables but not newsagg's migrations."""
    names = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    if names and "_migrations" not in names:
        raise NotAnArchive(f"{path} is an SQLite database but not a newsagg archive")


def _on_read_only_media(path: Path) -> bool:
    """Is the archive on a read-only file system (a mounted backup disk, a read-only bind
    mount) with nothing left in its -wal file, which an immutable reader would not see?"""
    try:
        if not os.statvfs(path).f_flag & os.ST_RDONLY:
            return False
    except OSError:
        return False
    wal = path.with_name(path.name + "-wal")
    if wal.exists() and wal.stat().st_size > 0:
        raise sqlite3.OperationalError(  # read without it, the latest articles would be missing
            f"{path} is on read-only media with unsaved changes in {wal.name}: copy both "
            "files to a writable folder and read the copy"
        )
    return True


def _exit_with_parent(parent: int) -> None:
    """In a bulk import's worker: end when the importing process is gone. A forked worker
    holds both ends of its task pipe, so after kill -9 or SIGTERM of the import it would
    wait for work forever, keeping the archive's files open."""

    # Signals are the importing process's business: the CLI's SIGTERM handler, inherited
    # by fork, could cut the worker mid-reply and leave the result pipe torn (a hang).
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.SIG_IGN)

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(1.0)
        os._exit(0)

    threading.Thread(target=watch, name="exit-with-parent", daemon=True).start()
    # The worker only runs `derive`, which makes no reference cycles; the collector's scans
    # of its word caches cost a fifth of its time (measured: 0.68 -> 0.53 ms an article).
    gc.disable()


class Archive:
    def __init__(self, db: sqlite_utils.Database, path: Path, readonly: bool) -> None:
        self.db = db
        self.path = path
        self.readonly = readonly
        # per-source article ids in URLs (`Source.url_key`), set by whoever knows the sources
        self.url_rules = UrlRules()
        self._writes = 0  # write transactions begun (`lsh.ImportBuckets` counts on it)

    # -- opening -----------------------------------------------------------------------

    @classmethod
    def open(cls, path: str | Path, *, readonly: bool = False) -> Archive:
        """Open (and create or upgrade, unless `readonly`) the archive at `path`."""
        path = Path(path)
        if readonly:
            if not path.is_file():
                raise ArchiveNotFound(f"no archive at {path}")
            if os.access(path, os.W_OK) and os.access(path.parent, os.W_OK):
                cls._upgrade(path)
            # Reading WAL needs <db>-shm beside the file: an account that may not create it
            # gets "attempt to write a readonly database" (the CLI says what to do). Reading
            # the file as immutable instead would let a writer checkpoint under the reader;
            # on read-only media no writer can, so there it is the only way to read.
            immutable = "&immutable=1" if _on_read_only_media(path) else ""
            conn = sqlite3.connect(
                f"{path.resolve().as_uri()}?mode=ro{immutable}",
                uri=True,
                check_same_thread=False,
                timeout=busy_timeout(),
            )
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            fresh = not path.exists() or path.stat().st_size == 0
            conn = sqlite3.connect(path, check_same_thread=False, timeout=busy_timeout())
            if fresh:
                # Before the first table: most article rows fit a 16 KiB page whole, where
                # 4 KiB pages spill each body to overflow pages (measured: 14 % smaller file,
                # faster inserts).
                conn.execute(f"PRAGMA page_size = {PAGE_SIZE}")
        try:
            _foreign(conn, path)
        except sqlite3.DatabaseError:
            conn.close()
            raise
        archive = cls(sqlite_utils.Database(conn), path, readonly)
        archive._configure()
        if readonly:
            if set(schema.pending(archive.db)) - schema.READ_WITHOUT:
                archive.close()
                raise RuntimeError(f"archive at {path} needs an upgrade: open it read-write once")
        else:
            schema.migrate(archive.db)
        return archive

    @classmethod
    def _upgrade(cls, path: Path) -> None:
        conn = sqlite3.connect(path, timeout=busy_timeout())
        try:
            _foreign(conn, path)
            db = sqlite_utils.Database(conn)
            if schema.pending(db):
                conn.execute(f"PRAGMA busy_timeout = {int(busy_timeout() * 1000)}")
                schema.migrate(db)
        finally:
            conn.close()

    def _configure(self) -> None:
        conn = self.db.conn
        conn.execute(f"PRAGMA busy_timeout = {int(busy_timeout() * 1000)}")
        conn.execute("PRAGMA foreign_keys = ON")
        if not self.readonly:
            self.db.enable_wal()
            conn.execute("PRAGMA synchronous = NORMAL")

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> Archive:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    @contextlib.contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        with schema.immediate(self.db.conn) as conn:
            self._writes += 1
            yield conn

    # -- writing -----------------------------------------------------------------------

    def store(
        self, articles: Sequence[Article], *, run_id: int | None = None
    ) -> list[StoreOutcome]:
        """Insert or update articles, their images, credits, raw pages and index entries;
        link URL spellings, same-text copies and reprints (`identity.store_batch`)."""
        from pipelines.archive import identity  # loads numpy

        now = now_utc()
        with self._write() as conn:
            return identity.store_batch(conn, articles, now, run_id, self.url_rules)

    def store_many(
        self,
        articles: Iterable[Article],
        *,
        batch: int = 500,
        run_id: int | None = None,
        worker: bool = True,
        seen_since: Callable[[Article], str | None] | None = None,
    ) -> Iterator[StoreOutcome]:
        """`store` a stream of articles (a bulk import), one transaction per `batch`.

        With `worker`, the CPU work of each batch (stemming, fingerprints, compression:
        `derive.derive`) runs in a second process while the batch before it is written, so
        both cores work; outcomes come back in order, batch by batch. `seen_since`: when
        another archive first stored an article (an import), for `backdate`."""
        from concurrent.futures import Future, ProcessPoolExecutor

        from pipelines.archive import identity
        from pipelines.archive.derive import Derived, derive
        from pipelines.archive.lsh import ImportBuckets

        buckets = ImportBuckets()  # stored bands in memory: most lookups skipped

        def write(chunk: list[Article], derived: Sequence[Derived]) -> list[StoreOutcome]:
            with self._write() as conn:
                now = now_utc()
                known = buckets.for_batch(conn, self._writes)
                done = identity.store_batch(
                    conn, chunk, now, run_id, self.url_rules, derived=derived, known=known
                )
                buckets.wrote(len(chunk))
                if seen_since is not None:  # in the same transaction: all of it or none
                    pairs = [
                        (o.article_id, seen_since(a)) for a, o in zip(chunk, done, strict=True)
                    ]
                    writer.backdate(conn, [(i, t) for i, t in pairs if t is not None], now)
                return done

        stream = iter(articles)
        chunks = iter(lambda: list(itertools.islice(stream, batch)), [])
        if not worker:
            for chunk in chunks:
                yield from write(chunk, derive(chunk))
            return
        # fork: the worker starts at once and never touches this process's connection
        # (spawn would run the caller's main module again, breaking unguarded scripts)
        methods = multiprocessing.get_all_start_methods()
        context = multiprocessing.get_context("fork" if "fork" in methods else "spawn")
        before = set(multiprocessing.active_children())
        try:
            with ProcessPoolExecutor(
                1, mp_context=context, initializer=_exit_with_parent, initargs=(os.getpid(),)
            ) as pool:
                queue: collections.deque[tuple[list[Article], Future[list[Derived]]]]
                queue = collections.deque()
                for chunk in chunks:
                    queue.append((chunk, pool.submit(derive, chunk)))
                    if len(queue) > 1:
                        done, future = queue.popleft()
                        yield from write(done, future.result())
                while queue:
                    done, future = queue.popleft()
                    yield from write(done, future.result())
        except (KeyboardInterrupt, SystemExit):
            # A Ctrl-C or SIGTERM between the worker's start and the pool taking note of it
            # leaves a worker the pool never stops, and multiprocessing's exit handler then
            # waits for it forever (the import hung until killed). It holds only derived
            # values of articles not yet written. (A child another thread started meanwhile
            # would go too: the process is being stopped.)
            for child in set(multiprocessing.active_children()) - before:
                with contextlib.suppress(OSError):
                    child.kill()
                    child.join(5)
            raise

    def replace_article(
        self, article_id: int, article: Article, *, read: tuple[str, str | None] | None = None
    ) -> Literal["updated", "unchanged", "stale"]:
        """Write a fresh parse over a stored article (for `reparse`); its URLs stay. `read`:
        the (content_hash, fetched_at) the parse was made from; if another writer changed
        the article since, nothing is written ("stale"): its newer text must not be lost."""
        with self._write() as conn:
            if read is not None:
                now = conn.execute(
                    "SELECT content_hash, fetched_at FROM articles WHERE id = ?", (article_id,)
                ).fetchone()
                if now is None or tuple(now) != read:
                    return "stale"
            cols = article_columns(article)
            status = writer.update(conn, article_id, article, cols, now_utc(), None, seen=False)
            writer.write_children(conn, article_id, article, fresh=False)
            if status == "updated":
                stories.relink(conn, article_id, article.body, article.headline, now_utc())
            return status

    def backdate(self, first_seen: Sequence[tuple[int, str]]) -> int:
        """Move `first_seen` of these (article id, UTC time) pairs back to the earlier of the
        stored and the given time (an import of another archive's export: an article it first
        stored years ago was not first seen today); returns how many rows moved. A moved row
        is changed (`first_seen` is exported)."""
        with self._write() as conn:
            return writer.backdate(conn, first_seen, now_utc())

    def rebuild_index(self) -> int:
        """Index every article again (after a stemmer change); returns the number indexed."""
        with self._write() as conn:
            return schema.index_all(conn)

    def has_url(self, url: str) -> bool:
        """True when any stored URL or canonical URL equals `url`."""
        return bool(writer.lookup(self.db.conn, [url]))

    def known_urls(self, source: str | None = None) -> set[str]:
        """Every URL spelling of stored articles (of `source`). A crawl does not load these:
        it asks `crawlstate.ArchivedUrls` URL by URL."""
        params: tuple[str, ...] = ()
        if source is None:
            sql = "SELECT url FROM article_urls UNION SELECT canonical_url FROM articles"
        else:
            sql = (
                "SELECT u.url FROM article_urls u JOIN articles a ON a.id = u.article_id "
                "WHERE a.source = ? UNION SELECT canonical_url FROM articles WHERE source = ?"
            )
            params = (source, source)
        return {r[0] for r in self.db.execute(sql, params)}

    # -- runs and fetch state ----------------------------------------------------------

    def start_run(self, sources: Sequence[str]) -> int:
        with self._write() as conn:
            cur = conn.execute(
                "INSERT INTO crawl_runs (started_at, status, sources) VALUES (?, 'running', ?)",
                (now_utc(), dumps(list(sources))),
            )
            assert cur.lastrowid is not None
            return cur.lastrowid

    def finish_run(self, run_id: int, stats: dict[str, Any], *, status: str = "finished") -> None:
        """Record the end of a run: all of `stats` as JSON, the key numbers as columns."""
        numbers = run_numbers(stats)
        sets = ", ".join(f"{k} = ?" for k in numbers)
        with self._write() as conn:
            conn.execute(
                f"UPDATE crawl_runs SET finished_at = ?, status = ?, stats = ?, {sets} "
                "WHERE id = ?",
                [now_utc(), status, dumps(stats), *numbers.values(), run_id],
            )

    def fetch_state(self, url: str) -> dict[str, Any] | None:
        """etag, last_modified, last_fetched and status of a URL, for a conditional GET."""
        rows = list(self.db["fetch_state"].rows_where("url = ?", [url]))
        return rows[0] if rows else None

    def record_fetch(
        self, url: str, *, etag: str | None, last_modified: str | None, status: int
    ) -> None:
        with self._write() as conn:
            conn.execute(
                "INSERT OR REPLACE INTO fetch_state (url, etag, last_modified, last_fetched, "
                "status) VALUES (?, ?, ?, ?, ?)",
                (url, etag, last_modified, now_utc(), status),
            )

    # -- reading -----------------------------------------------------------------------

    def search(
        self,
        query: str,
        *,
        limit: int = 20,
        offset: int = 0,
        marks: tuple[str, str] = DEFAULT_MARKS,
        rank_window: int | None = RANK_WINDOW,
        collapse_stories: bool = False,
        **filters: Unpack[Filters],
    ) -> list[SearchHit]:
        """Ranked hits; raises `SearchQueryError` for a query that cannot be read.

        `filters`: source, agency, since, until, has_photo_credit (`search.Filters`).
        `marks` wrap the matched words in snippets; `rank_window` (see `search.RANK_WINDOW`)
        bounds how many of the newest matches are ranked; `collapse_stories` keeps the best
        hit of each story (see `story_sizes`)."""
        return run_search(
            self.db.conn,
            query,
            limit=limit,
            offset=offset,
            marks=marks,
            rank_window=rank_window,
            collapse_stories=collapse_stories,
            **filters,
        )

    def count_matches(
        self, query: str, *, collapse_stories: bool = False, **filters: Unpack[Filters]
    ) -> int:
        """How many hits `search` with these filters pages through, not only the ranked
        window; raises `SearchQueryError` as `search` does."""
        return count_matches(self.db.conn, query, collapse_stories=collapse_stories, **filters)

    def stories(
        self, *, limit: int = 20, source: str | None = None, since: datetime | date | None = None
    ) -> list[StoryCluster]:
        """Recent stories (reprints linked), newest latest member first, members included."""
        bound = utc_bound(since) if since is not None else None
        return stories.recent(self.db.conn, limit=limit, source=source, since=bound)

    def story_sizes(self, article_ids: Sequence[int]) -> dict[int, int]:
        """Article id -> how many articles its story holds (1: in no story)."""
        return stories.sizes(self.db.conn, article_ids)

    def count_articles(self, source: str | None = None) -> int:
        if source is None:
            return int(self.db.execute("SELECT COUNT(*) FROM articles").fetchone()[0])
        sql = "SELECT COUNT(*) FROM articles WHERE source = ?"
        return int(self.db.execute(sql, (source,)).fetchone()[0])

    def get_article(self, article_id: int) -> dict[str, Any] | None:
        rows = list(self.db["articles"].rows_where("id = ?", [article_id]))
        return row_to_dict(rows[0]) if rows else None

    def versions(self, article_id: int) -> list[dict[str, Any]]:
        """Earlier texts of an article, oldest first."""
        return list(
            self.db["article_versions"].rows_where("article_id = ?", [article_id], order_by="id")
        )

    def iter_articles(
        self,
        *,
        source: str | None = None,
        agency: str | None = None,
        since: datetime | date | None = None,
        until: datetime | date | None = None,
        query: str | None = None,
        batch_size: int = 1000,
    ) -> Iterator[dict[str, Any]]:
        """Articles in id order, read in batches (memory stays flat for any archive size, but
        for the ids of a time span, read first through the index that finds them)."""
        where, params = filter_sql(source=source, agency=agency, since=since, until=until)
        if query is not None:
            where.append(f"articles.id IN (SELECT rowid FROM {FTS} WHERE {FTS} MATCH ?)")
            params.append(parse_query(query).fts)
        elif since is not None or until is not None:
            # sorted here: an ORDER BY id would make SQLite walk every id instead of the index
            found = self.db.execute(dated_ids(where, source=bool(source)), params)
            ids = sorted(r[0] for r in found)
            step = min(batch_size, 500)  # one parameter an id: far below SQLite's limit
            for start in range(0, len(ids), step):
                chunk = ids[start : start + step]
                marks = ",".join("?" * len(chunk))
                sql = f"SELECT * FROM articles WHERE id IN ({marks}) ORDER BY id"
                yield from map(row_to_dict, self.db.query(sql, chunk))
            return
        last = 0
        while True:
            conditions = " AND ".join(["articles.id > ?", *where])
            rows = list(
                self.db.query(
                    f"SELECT * FROM articles WHERE {conditions} ORDER BY articles.id LIMIT ?",
                    [last, *params, batch_size],
                )
            )
            for row in rows:
                yield row_to_dict(row)
            if len(rows) < batch_size:
                return
            last = rows[-1]["id"]

    def raw_html(self, article_id: int) -> bytes | None:
        row = self.db.execute(
            "SELECT codec, html FROM raw_pages WHERE article_id = ?", (article_id,)
        ).fetchone()
        return None if row is None else rawstore.decompress(row[0], row[1])

    def stats(self) -> dict[str, Any]:
        """{"articles": total, "sources": {key: {articles, first_published, last_published,
        with_date, with_agency, with_credit, with_lead}}, ...}; shares are 0..1. Every
        expression is one of the index `idx_articles_coverage` (migration m007), so that
        SQLite reads the index, not the rows."""
        sql = """
            SELECT source, COUNT(*) AS articles,
                   MIN(COALESCE(published_at_utc, published_at)) AS first_published,
                   MAX(COALESCE(published_at_utc, published_at)) AS last_published,
                   AVG(published_at IS NOT NULL) AS with_date,
                   AVG(COALESCE(agency, '') <> '') AS with_agency,
                   AVG(photo_credit_count > 0) AS with_credit,
                   AVG(COALESCE(lead, '') <> '') AS with_lead
            FROM articles GROUP BY source ORDER BY source
        """
        sources = {row.pop("source") or "": row for row in self.db.query(sql)}
        return {
            "articles": sum(s["articles"] for s in sources.values()),
            "sources": sources,
            "versions": self.db["article_versions"].count,
            "raw_pages": self.db["raw_pages"].count,
            "runs": self.db["crawl_runs"].count,
        }
