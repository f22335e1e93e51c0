"""The archive's schema, built only by migrations recorded in the database.

Each migration is a function of a `sqlite_utils.Database`, applied once, in order, inside a
transaction, and recorded by name in `_migrations`. An archive made by any earlier version
upgrades in place the next time it is opened read-write. Never edit a released migration:
append a new one.

Column order in `articles` matters for speed: the columns that filters and ranking read
(source, agency, dates, credit count) come before the long text, so SQLite finds them on the
row's first page without reading the body.
"""

from __future__ import annotations

import contextlib
import logging
import sqlite3
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime

import sqlite_utils

from pipelines.archive.stemming import shadow

Migration = Callable[[sqlite_utils.Database], None]
FTS_TABLE = "articles_fts"
# bm25 weights of headline, lead, body: a word in the headline counts most.
RANK_WEIGHTS = (10.0, 4.0, 1.0)
RANK = f"bm25({', '.join(map(str, RANK_WEIGHTS))})"
REINDEX_NOTICE = 20_000  # articles: a migration that indexes again says so from this many

logger = logging.getLogger("newsagg.archive")

# An article's publication time as date filters and orders compare it: UTC when the page gave
# an offset, else the page's own time written the same way ("2024-03-05" and "2024-03-05
# 12:00" become "2024-03-05T00:00:00Z", "2024-03-05T12:00:00Z"; as stored, "2024-03-05" sorted
# before the bound "2024-03-05T00:00:00Z" of its own day). Text that SQLite cannot read as a
# time is compared as it is.
# The page's own time (no offset known), written the same way: what `PUBLISHED` falls back to.
PUBLISHED_LOCAL = (
    "COALESCE(strftime('%Y-%m-%dT%H:%M:%SZ', articles.published_at), articles.published_at)"
)
PUBLISHED = f"COALESCE(articles.published_at_utc, {PUBLISHED_LOCAL})"


def m001_core(db: sqlite_utils.Database) -> None:
    """Articles, their URLs, versions, images, credits, sources, runs, fetch state, stories."""
    db.table("sources").create(
        {"key": str, "agency": str, "first_seen": str, "last_seen": str}, pk="key"
    )
    db.table("crawl_runs").create(
        {
            "id": int,
            "started_at": str,
            "finished_at": str,
            "status": str,
            "sources": str,  # JSON list
            "pages_fetched": int,
            "articles_new": int,
            "articles_updated": int,
            "articles_unchanged": int,
            "items_dropped": int,
            "errors": int,
            "stats": str,  # JSON object, everything the crawl counted
        },
        pk="id",
    )
    db.table("stories").create(
        {"id": int, "origin_article_id": int, "created": str, "article_count": int},
        pk="id",
    )
    db.table("articles").create(
        {
            "id": int,
            "canonical_url": str,
            "url": str,
            "source": str,
            "agency": str,
            "published_at_utc": str,
            "photo_credit_count": int,
            "story_id": int,
            "language": str,
            "headline": str,
            "published_at": str,
            "published_at_raw": str,
            "modified_at": str,
            "rubric": str,
            "word_count": int,
            "fetched_at": str,
            "first_seen": str,
            "last_seen": str,
            "first_run_id": int,
            "last_run_id": int,
            "content_hash": str,
            "authors": str,  # JSON list of names
            "photo_credits": str,  # JSON list of {text, photographer, organisation}
            "images": str,  # JSON list of {url, caption, credit}
            "tags": str,  # JSON list
            "provenance": str,  # JSON object field -> layer
            "lead": str,
            "body": str,
        },
        pk="id",
        not_null={"canonical_url", "url", "headline"},
        foreign_keys=[("story_id", "stories", "id")],
    )
    db.table("articles").create_index(["canonical_url"], unique=True)
    db.table("articles").create_index(["source", "published_at_utc"])
    db.table("articles").create_index(["published_at_utc"])
    db.table("articles").create_index(["story_id"])
    db.table("article_urls").create(
        {"url": str, "article_id": int, "first_seen": str},
        pk="url",
        foreign_keys=[("article_id", "articles", "id")],
    )
    db.table("article_urls").create_index(["article_id"])
    db.table("article_versions").create(
        {
            "id": int,
            "article_id": int,
            "headline": str,
            "lead": str,
            "body": str,
            "content_hash": str,
            "modified_at": str,
            "seen_from": str,
            "replaced_at": str,
        },
        pk="id",
        foreign_keys=[("article_id", "articles", "id")],
    )
    db.table("article_versions").create_index(["article_id"])
    db.table("images").create(
        {"article_id": int, "position": int, "url": str, "caption": str, "credit": str},
        pk=("article_id", "position"),
        foreign_keys=[("article_id", "articles", "id")],
    )
    db.table("photo_credits").create(
        {
            "article_id": int,
            "position": int,
            "text": str,
            "photographer": str,
            "organisation": str,
        },
        pk=("article_id", "position"),
        foreign_keys=[("article_id", "articles", "id")],
    )
    db.table("photo_credits").create_index(["photographer"])
    db.table("raw_pages").create(
        {
            "article_id": int,
            "codec": str,  # "zlib"; room for "zstd" later
            "html": bytes,
            "content_type": str,
            "fetched_at": str,
            "size": int,
        },
        pk="article_id",
        foreign_keys=[("article_id", "articles", "id")],
    )
    db.table("fetch_state").create(
        {"url": str, "etag": str, "last_modified": str, "last_fetched": str, "status": int},
        pk="url",
    )


def m002_search(db: sqlite_utils.Database) -> None:
    """The full-text index of stemmed headline, lead and body; fills it for existing rows.

    `content=[articles]` makes Datasette and sqlite-utils find the index by themselves; the
    indexed values are the stemmed shadow text, written by the archive (no triggers).
    """
    db.execute(
        f"CREATE VIRTUAL TABLE [{FTS_TABLE}] USING FTS5 (headline, lead, body, "
        "tokenize='unicode61 remove_diacritics 0', content=[articles], content_rowid=[id])"
    )
    db.execute(f"INSERT INTO [{FTS_TABLE}]([{FTS_TABLE}], rank) VALUES ('rank', '{RANK}')")
    rows = db.execute("SELECT id, headline, lead, body FROM articles").fetchall()
    db.conn.executemany(
        f"INSERT INTO [{FTS_TABLE}](rowid, headline, lead, body) VALUES (?, ?, ?, ?)",
        [(r[0], shadow(r[1]), shadow(r[2]), shadow(r[3])) for r in rows],
    )


def m003_stories(db: sqlite_utils.Database) -> None:
    """Identity keys of article URLs, text fingerprints and their LSH bands, for one row per
    article however its URL is spelled and reprints linked into stories (see
    `pipelines.archive.identity`, `fingerprint`, `lsh`, `stories`); fills the keys of the
    articles already stored (their fingerprints and stories: m004)."""
    from pipelines.archive import identity  # numpy: only when needed

    db.execute(
        "CREATE TABLE article_keys (key TEXT PRIMARY KEY, "
        "article_id INTEGER NOT NULL REFERENCES articles(id)) WITHOUT ROWID"
    )
    db.execute("CREATE INDEX idx_article_keys_article_id ON article_keys (article_id)")
    db.execute(
        "CREATE TABLE article_signatures (article_id INTEGER PRIMARY KEY REFERENCES articles(id), "
        "text_hash TEXT NOT NULL, shingles INTEGER NOT NULL, numbers TEXT NOT NULL, "
        "signature BLOB NOT NULL)"
    )
    db.execute("CREATE INDEX idx_article_signatures_text_hash ON article_signatures (text_hash)")
    for table in ("minhash_bands", "minhash_bands_recent"):
        db.execute(
            f"CREATE TABLE {table} (band INTEGER NOT NULL, bucket INTEGER NOT NULL, "
            "article_id INTEGER NOT NULL, PRIMARY KEY (band, bucket, article_id)) WITHOUT ROWID"
        )
    identity.backfill_keys(db.conn)
    # The stories of the articles already stored are linked by m004, once the LSH levels
    # that today's code writes all exist (this migration used to do it itself).


def m004_lsh_middle(db: sqlite_utils.Database) -> None:
    """A middle level for the LSH bands (see `pipelines.archive.lsh`): merging the recent
    level straight into the main one rewrote most of the main level every 2,000 articles,
    which at a million articles made each merge write ~600 MB. Then fingerprints and
    stories for articles stored before stories existed (nothing to do where m003 did it)."""
    from pipelines.archive import stories
    from pipelines.archive.rows import now_utc

    db.execute(
        "CREATE TABLE minhash_bands_middle (band INTEGER NOT NULL, bucket INTEGER NOT NULL, "
        "article_id INTEGER NOT NULL, PRIMARY KEY (band, bucket, article_id)) WITHOUT ROWID"
    )
    stories.backfill(db.conn, now_utc())


def m005_stems(db: sqlite_utils.Database) -> None:
    """Index every article again: stems now join fleeting vowels ("поселок" and "поселка")
    and ignore stress marks (`stemming`), so the stems of stored text must be written anew
    for queries to meet them."""
    total = db.conn.execute("SELECT COUNT(*) FROM articles").fetchone()[0]
    if total >= REINDEX_NOTICE:
        logger.warning(
            "upgrading the search index of %s articles (once; about ten minutes a million)", total
        )
    index_all(db.conn)


def m006_changed_at(db: sqlite_utils.Database) -> None:
    """`articles.changed_at`: when anything an export shows of the article last changed (the
    key of `export --since-last`). `last_seen` served before, but reparse and story links
    never moved it while a crawl that saw an article again unchanged did. Existing rows start
    at their old key, so a saved export cursor goes on where it stopped."""
    from pipelines.archive.rows import now_utc

    total = db.conn.execute("SELECT COUNT(*) FROM articles").fetchone()[0]
    if total >= REINDEX_NOTICE:
        logger.warning(
            "upgrading the change times of %s articles (once; about a minute a million)", total
        )
    db.execute("ALTER TABLE articles ADD COLUMN changed_at TEXT")
    # never NULL: a row without a key would never be exported again (rows other tools wrote
    # without either time count as changed now)
    db.execute("UPDATE articles SET changed_at = COALESCE(last_seen, first_seen, ?)", [now_utc()])
    db.execute("CREATE INDEX idx_articles_changed_at ON articles (changed_at)")


def m007_stats_indexes(db: sqlite_utils.Database) -> None:
    """Indexes that let `newsagg stats` read no article row and no page: its per-source
    counts, time span and field shares (the expressions of `Archive.stats`, which must stay
    the same for SQLite to use the index), and the count of stored pages. At a million
    articles it read 5 GB of rows and 5 GB of pages: 25 s from a cold cache, 4 s warm."""
    total = db.conn.execute("SELECT COUNT(*) FROM articles").fetchone()[0]
    if total >= REINDEX_NOTICE:
        logger.warning(
            "indexing the coverage of %s articles (once; about half a minute a million)", total
        )
    db.execute(
        "CREATE INDEX idx_articles_coverage ON articles (source, "
        "COALESCE(published_at_utc, published_at), published_at IS NOT NULL, "
        "COALESCE(agency, '') <> '', photo_credit_count > 0, COALESCE(lead, '') <> '')"
    )
    db.execute("CREATE INDEX idx_raw_pages_fetched_at ON raw_pages (fetched_at)")


def m008_crawl_lookups(db: sqlite_utils.Database) -> None:
    """Indexes for what an incremental crawl reads at its start. It read every article and
    fetch record to know what it may skip (6-14 s and 500 MB at a million articles, on every
    run); now it asks URL by URL (`crawlstate.ArchivedUrls`) and reads only the young
    articles (`idx_articles_reference`, on `crawlstate.REFERENCE`), the lost pages and the
    validators of feeds and listings (partial indexes of `fetch_state`)."""
    total = db.conn.execute("SELECT COUNT(*) FROM articles").fetchone()[0]
    if total >= REINDEX_NOTICE:
        logger.warning("indexing %s articles (once; a few seconds a million)", total)
    db.execute(
        "CREATE INDEX idx_articles_reference ON articles (COALESCE(published_at_utc, first_seen))"
    )
    db.execute("CREATE INDEX idx_fetch_state_lost ON fetch_state (url) WHERE status = 0")
    db.execute(
        "CREATE INDEX idx_fetch_state_validators ON fetch_state (url, etag, last_modified) "
        "WHERE etag IS NOT NULL OR last_modified IS NOT NULL"
    )


def m009_accents(db: sqlite_utils.Database) -> None:
    """Index again the articles with a stress mark whose other words lost their accents to
    it ("Gdańsk" indexed as "gdansk" beside "за́мок"): see `accents`. Reads every article's
    text once; writes only those few."""
    from pipelines.archive import accents

    total = db.conn.execute("SELECT COUNT(*) FROM articles").fetchone()[0]
    if total >= REINDEX_NOTICE:
        logger.warning("checking the search index of %s articles (once)", total)
    accents.reindex_stressed(db.conn, FTS_TABLE)


def m010_cursor_filters(db: sqlite_utils.Database) -> None:
    """`export_cursors.filters`: the filters of the named incremental export that saved the
    cursor. A cursor moved by `--source amic` runs has passed other sources' rows, so a run
    of the same name with other filters must be refused, not quietly skip them. The table
    exists only once an incremental export ran; older cursors keep NULL (no check)."""
    if "export_cursors" in db.table_names():
        db.execute("ALTER TABLE export_cursors ADD COLUMN filters TEXT")


def m011_archive_id(db: sqlite_utils.Database) -> None:
    """`archive_meta`: the archive's own id, made once. Its backups (`VACUUM INTO`) and a
    restored copy carry it, so `newsagg backup` tells an older backup of this archive from
    another archive by it, even after a restore made run numbers start again."""
    db.execute("CREATE TABLE archive_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
    db.execute("INSERT INTO archive_meta (key, value) VALUES ('id', ?)", [uuid.uuid4().hex])


def archive_id(conn: sqlite3.Connection) -> str | None:
    """The id `m011_archive_id` gave the archive; None for one made before it."""
    try:
        row = conn.execute("SELECT value FROM archive_meta WHERE key = 'id'").fetchone()
    except sqlite3.OperationalError:  # no such table
        return None
    return str(row[0]) if row else None


def index_all(conn: sqlite3.Connection, batch: int = 2000) -> int:
    """Empty the full-text index and index every article again, reading slices of ids so that
    memory stays flat at any archive size; returns how many were indexed."""
    from pipelines.archive.writer import index_stemmed  # the writer imports this module

    conn.execute(f"INSERT INTO [{FTS_TABLE}]([{FTS_TABLE}]) VALUES ('delete-all')")
    last = done = 0
    while True:
        rows = conn.execute(
            "SELECT id, headline, lead, body FROM articles WHERE id > ? ORDER BY id LIMIT ?",
            (last, batch),
        ).fetchall()
        if not rows:
            return done
        index_stemmed(conn, [(r[0], shadow(r[1]), shadow(r[2]), shadow(r[3])) for r in rows])
        last, done = rows[-1][0], done + len(rows)


MIGRATIONS: list[Migration] = [
    m001_core,
    m002_search,
    m003_stories,
    m004_lsh_middle,
    m005_stems,
    m006_changed_at,
    m007_stats_indexes,
    m008_crawl_lookups,
    m009_accents,
    m010_cursor_filters,
    m011_archive_id,
]


# Migrations an archive that cannot be upgraded (on read-only media) is read without: those
# that only add indexes (it reads right, only slower), m009, without which a few rows
# are found as the versions before it found them, m010, which only incremental exports
# use (and they need a writable archive), and m011, which only backups use.
READ_WITHOUT = frozenset(
    {
        "m007_stats_indexes",
        "m008_crawl_lookups",
        "m009_accents",
        "m010_cursor_filters",
        "m011_archive_id",
    }
)


@contextlib.contextmanager
def immediate(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """One write transaction, committed at the end and rolled back on any error, unless
    SQLite ended it already: on a full disk it rolls back itself, and a second ROLLBACK
    ("cannot rollback - no transaction is active") would hide why."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield conn
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


def applied(db: sqlite_utils.Database) -> list[str]:
    if "_migrations" not in db.table_names():
        return []
    return [r[0] for r in db.execute("SELECT name FROM _migrations ORDER BY rowid").fetchall()]


def pending(db: sqlite_utils.Database, migrations: list[Migration] | None = None) -> list[str]:
    done = set(applied(db))
    return [m.__name__ for m in (migrations or MIGRATIONS) if m.__name__ not in done]


def migrate(db: sqlite_utils.Database, migrations: list[Migration] | None = None) -> list[str]:
    """Apply what is missing, each migration in its own transaction; returns their names."""
    conn = db.conn
    done: list[str] = []
    for migration in migrations or MIGRATIONS:
        with immediate(conn):
            conn.execute(
                "CREATE TABLE IF NOT EXISTS _migrations (name TEXT PRIMARY KEY, applied_at TEXT)"
            )
            seen = conn.execute(
                "SELECT 1 FROM _migrations WHERE name = ?", (migration.__name__,)
            ).fetchone()
            if seen is None:
                migration(db)
                conn.execute(
                    "INSERT INTO _migrations (name, applied_at) VALUES (?, ?)",
                    (migration.__name__, datetime.now(UTC).isoformat(timespec="seconds")),
                )
                done.append(migration.__name__)
    return done
