"""Writing articles: batched inserts of new ones, in-place updates with versions of old ones.

Everything runs inside the caller's transaction. New articles of a batch are collected and
written with one `executemany` per table (ids are assigned here: the caller holds the write
lock), which is most of the speed of a bulk import; updates are rare and written one by one.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from crawler.items import Article
from pipelines.archive import rawstore, stories
from pipelines.archive.chunked import select_in
from pipelines.archive.rows import SEEN_COLUMNS, article_columns, to_utc
from pipelines.archive.schema import FTS_TABLE as FTS
from pipelines.archive.stemming import shadow

if TYPE_CHECKING:  # numpy loads only where articles are fingerprinted
    from pipelines.archive.derive import Derived

Status = Literal["new", "updated", "unchanged", "duplicate"]  # duplicate: see identity.py


@dataclass(frozen=True)
class StoreOutcome:
    article_id: int
    status: Status
    canonical_url: str


@dataclass
class _Pending:
    """Rows of new articles waiting for one executemany per table."""

    articles: list[list[Any]] = field(default_factory=list)
    columns: list[str] = field(default_factory=list)
    fts: list[tuple[int, str, str, str]] = field(default_factory=list)  # stemmed already
    ids: set[int] = field(default_factory=set)


def index_stemmed(conn: sqlite3.Connection, rows: Sequence[tuple[int, str, str, str]]) -> None:
    """Add (id, headline, lead, body) already stemmed (`stemming.shadow`) to the index."""
    conn.executemany(f"INSERT INTO {FTS} (rowid, headline, lead, body) VALUES (?, ?, ?, ?)", rows)


def unindex(conn: sqlite3.Connection, row: tuple[int, str | None, str | None, str | None]) -> None:
    # An external-content FTS5 table forgets a row only when given the values it indexed.
    i, h, ld, b = row
    conn.execute(
        f"INSERT INTO {FTS} ({FTS}, rowid, headline, lead, body) VALUES ('delete', ?, ?, ?, ?)",
        (i, shadow(h), shadow(ld), shadow(b)),
    )


def lookup(conn: sqlite3.Connection, urls: list[str]) -> dict[str, int]:
    found: dict[str, int] = dict(
        select_in(conn, "SELECT url, article_id FROM article_urls WHERE url IN ({})", urls)
    )
    missing = [u for u in urls if u not in found]
    sql = "SELECT canonical_url, id FROM articles WHERE canonical_url IN ({})"
    found.update(select_in(conn, sql, missing))
    return found


def store_batch(
    conn: sqlite3.Connection,
    articles: Sequence[Article],
    now: str,
    run_id: int | None,
    derived: Sequence[Derived | None] | None = None,
) -> list[StoreOutcome]:
    """Upsert `articles` on canonical URL (or URL); see `Archive.store`. `derived` holds
    their stemmed text and compressed pages when computed already (`derive.derive`)."""
    extras = derived or [None] * len(articles)
    # Children of new articles are written before their parents: check the links at commit.
    conn.execute("PRAGMA defer_foreign_keys = ON")
    keys = [a.canonical_url or a.url for a in articles]
    known = lookup(conn, list(dict.fromkeys([*keys, *(a.url for a in articles)])))
    next_id = int(conn.execute("SELECT COALESCE(MAX(id), 0) FROM articles").fetchone()[0]) + 1
    pending = _Pending()
    outcomes: list[StoreOutcome] = []
    for article, key, extra in zip(articles, keys, extras, strict=True):
        cols = dict(extra.columns) if extra is not None else article_columns(article)
        article_id = known.get(key) or known.get(article.url)
        if article_id is None:
            article_id, next_id = next_id, next_id + 1
            cols.update(
                id=article_id,
                canonical_url=key,
                first_seen=now,
                last_seen=now,
                changed_at=now,
                first_run_id=run_id,
                last_run_id=run_id,
            )
            pending.columns = list(cols)
            pending.articles.append(list(cols.values()))
            pending.fts.append((article_id, *_stemmed(article, extra)))
            pending.ids.add(article_id)
            known[key] = known[article.url] = article_id
            _add_children(conn, article_id, article, now, key, fresh=True, extra=extra)
            outcomes.append(StoreOutcome(article_id, "new", key))
            continue
        if article_id in pending.ids:  # the same article twice in one batch
            _flush(conn, pending)
        status: Status = "unchanged"
        if _older_than_stored(conn, article_id, article, now):
            # a copy fetched before the stored one (an import of an older export): its
            # spellings are kept, never its text, images or page over the newer ones
            _add_urls(conn, article_id, article, now, key)
        else:
            status = update(conn, article_id, article, cols, now, run_id, extra=extra)
            _add_children(conn, article_id, article, now, key, fresh=False, extra=extra)
        stored = conn.execute("SELECT canonical_url FROM articles WHERE id = ?", (article_id,))
        outcomes.append(StoreOutcome(article_id, status, stored.fetchone()[0]))
    _flush(conn, pending)
    _touch_sources(conn, articles, now)
    return outcomes


def _flush(conn: sqlite3.Connection, pending: _Pending) -> None:
    if pending.articles:
        names = ", ".join(pending.columns)
        marks = ", ".join("?" * len(pending.columns))
        conn.executemany(f"INSERT INTO articles ({names}) VALUES ({marks})", pending.articles)
        index_stemmed(conn, pending.fts)
    pending.articles.clear()
    pending.fts.clear()
    pending.ids.clear()


def backdate(conn: sqlite3.Connection, first_seen: Sequence[tuple[int, str]], now: str) -> int:
    """Move `first_seen` of these (article id, UTC time) pairs back to the earlier of the
    stored and the given time; returns how many rows moved. A moved row is changed at
    `now` (`first_seen` is exported)."""
    before = conn.total_changes
    conn.executemany(
        "UPDATE articles SET first_seen = ?1, changed_at = ?3 WHERE id = ?2 "
        "AND (first_seen IS NULL OR first_seen > ?1)",
        [(moment, article_id, now) for article_id, moment in first_seen],
    )
    return conn.total_changes - before


def _touch_sources(conn: sqlite3.Connection, articles: Sequence[Article], now: str) -> None:
    agencies = {a.source: a.agency for a in articles if a.source}
    conn.executemany(
        "INSERT INTO sources (key, agency, first_seen, last_seen) VALUES (?, ?, ?, ?) "
        "ON CONFLICT(key) DO UPDATE SET last_seen = excluded.last_seen, "
        "agency = COALESCE(excluded.agency, sources.agency)",
        [(key, agency, now, now) for key, agency in agencies.items()],
    )


def update(
    conn: sqlite3.Connection,
    article_id: int,
    article: Article,
    cols: dict[str, Any],
    now: str,
    run_id: int | None,
    *,
    seen: bool = True,
    extra: Derived | None = None,
) -> Literal["updated", "unchanged"]:
    """Write fresh columns over a stored article; keep the old text as a version."""
    old = conn.execute(
        "SELECT headline, lead, body, content_hash, modified_at, first_seen, story_id, "
        "published_at_utc, published_at FROM articles WHERE id = ?",
        (article_id,),
    ).fetchone()
    changed = old[3] != cols["content_hash"]
    if changed:
        # the old text was current from the last replacement (or the first sighting) to now
        conn.execute(
            "INSERT INTO article_versions (article_id, headline, lead, body, content_hash, "
            "modified_at, seen_from, replaced_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, COALESCE("
            "(SELECT MAX(replaced_at) FROM article_versions WHERE article_id = ?1), ?7), ?8)",
            (article_id, old[0], old[1], old[2], old[3], old[4], old[5], now),
        )
        unindex(conn, (article_id, old[0], old[1] or "", old[2]))
        index_stemmed(conn, [(article_id, *_stemmed(article, extra))])
    cols = dict(cols)
    cols.pop("url", None)  # the first URL seen stays; every spelling is in article_urls
    if seen:
        cols.update(last_seen=now, last_run_id=run_id)
    stamp, stamp_params = _changed_at(cols, now)
    sets = ", ".join([*(f"{name} = ?" for name in cols), stamp])
    conn.execute(
        f"UPDATE articles SET {sets} WHERE id = ?", [*cols.values(), *stamp_params, article_id]
    )
    if old[6] is not None and (old[7], old[8]) != (cols["published_at_utc"], cols["published_at"]):
        stories.refresh(conn, old[6], now)  # a new time may make another member the origin
    return "updated" if changed else "unchanged"


def _changed_at(cols: dict[str, Any], now: str) -> tuple[str, list[Any]]:
    """The SET term that moves `changed_at` to `now` only when a column other than the
    `SEEN_COLUMNS` gets another value (or it has none yet). SET terms read the row as it
    was, so the comparison costs no query of its own: this runs for every article a crawl
    sees again."""
    compared = [name for name in cols if name not in SEEN_COLUMNS]
    differs = "".join(f" OR {name} IS NOT ?" for name in compared)
    term = f"changed_at = CASE WHEN changed_at IS NULL{differs} THEN ? ELSE changed_at END"
    return term, [*(cols[name] for name in compared), now]


def _stemmed(article: Article, extra: Derived | None) -> tuple[str, str, str]:
    if extra is not None:
        return extra.shadows
    return shadow(article.headline), shadow(article.lead), shadow(article.body)


def _older_than_stored(
    conn: sqlite3.Connection, article_id: int, article: Article, now: str
) -> bool:
    """Was `article` fetched before the stored copy? A stored time ahead of `now` (a copy
    from a machine whose clock ran ahead) is not believed: it would keep out every crawl.
    A copy that says nothing of when it was fetched (a record of another tool, imported with
    url, headline and body alone) counts as older than a stored copy that does: replacing
    a crawled article with it would blank its date, agency, credits and page."""
    row = conn.execute("SELECT fetched_at FROM articles WHERE id = ?", (article_id,)).fetchone()
    incoming, stored = _fetch_time(article.fetched_at), _fetch_time(row[0] if row else None)
    if stored is None or stored > now:  # texts in one format compare
        return False
    return incoming is None or incoming < stored


def _fetch_time(value: str | None) -> str | None:
    """A fetch time in UTC; one written without an offset ("2026-11-25T10:00:00", or a day,
    as another tool may) is read as UTC: a moment fetched was a moment somewhere."""
    if not value:
        return None
    return to_utc(value) or to_utc(
        f"{value}T00:00:00+00:00" if len(value) == 10 else f"{value}+00:00"
    )


def _add_urls(
    conn: sqlite3.Connection, article_id: int, article: Article, now: str, key: str
) -> None:
    conn.executemany(
        "INSERT OR IGNORE INTO article_urls (url, article_id, first_seen) VALUES (?, ?, ?)",
        [(u, article_id, now) for u in dict.fromkeys((key, article.url))],
    )


def _add_children(
    conn: sqlite3.Connection,
    article_id: int,
    article: Article,
    now: str,
    key: str,
    *,
    fresh: bool,
    extra: Derived | None,
) -> None:
    _add_urls(conn, article_id, article, now, key)
    write_children(conn, article_id, article, fresh=fresh, raw=extra.raw if extra else None)


def write_children(
    conn: sqlite3.Connection,
    article_id: int,
    article: Article,
    *,
    fresh: bool,
    raw: tuple[str, bytes] | None = None,
) -> None:
    """Images, photo credits and the raw page of one article."""
    if not fresh:
        conn.execute("DELETE FROM images WHERE article_id = ?", (article_id,))
        conn.execute("DELETE FROM photo_credits WHERE article_id = ?", (article_id,))
    if article.images:
        conn.executemany(
            "INSERT INTO images (article_id, position, url, caption, credit) VALUES (?,?,?,?,?)",
            [(article_id, i, m.url, m.caption, m.credit) for i, m in enumerate(article.images)],
        )
    if article.photo_credits:
        conn.executemany(
            "INSERT INTO photo_credits (article_id, position, text, photographer, organisation) "
            "VALUES (?,?,?,?,?)",
            [
                (article_id, i, c.text, c.photographer, c.organisation)
                for i, c in enumerate(article.photo_credits)
            ],
        )
    if article.raw_html:
        codec, data = raw or rawstore.compress(article.raw_html)
        conn.execute(
            "INSERT OR REPLACE INTO raw_pages (article_id, codec, html, content_type, "
            "fetched_at, size) VALUES (?, ?, ?, ?, ?, ?)",
            (article_id, codec, data, None, article.fetched_at, len(article.raw_html)),
        )
