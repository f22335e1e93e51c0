"""The LSH index of fingerprints in SQLite: which stored articles may be reprints of a text.

A fingerprint's first `BANDS` × `ROWS` MinHash values are cut into bands; each band is folded
into one bucket number, and two texts with an equal bucket in any band are candidates. With
32 bands of 3 values a pair of Jaccard 0.5 is a candidate with probability 0.99 (0.4: 0.88;
0.3: 0.58; 0.1: 0.03). 42 bands find a few more truncated and reworded copies (pair recall
0.969 against 0.960 in bench/dedupe.py) for a third more rows to write and look up.

Rows are `(band, bucket, article_id)`, looked up by `(band, bucket)`. Bucket numbers are
random, so every insert into a large index dirties another page: at 100k articles, writing
42 rows per article straight into one index cost 3.5-6 ms an article (WAL writes of the
dirtied pages; measured on the bare table). The bands therefore live in three levels (an
LSM tree): new rows go into a small `minhash_bands_recent`; every `MERGE_ROWS` rows (2,000
articles) it moves into `minhash_bands_middle` in one sorted pass, and every `MIDDLE_ROWS`
rows (50,000 articles) the middle level moves into `minhash_bands` likewise. A sorted merge
touches about every page of the level it goes into, so the middle level keeps the frequent
merges small: with two levels, each merge at a million articles rewrote ~600 MB of the main
level. Lookups read all three. Everything runs in the caller's transaction, so another
process sees an article's bands as soon as its store commits.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence

import numpy as np

from pipelines.archive.chunked import select_in
from pipelines.archive.fingerprint import Fingerprint, StoredPrints

BANDS, ROWS = 32, 3  # 96 of the 128 values
MERGE_ROWS = 64_000  # 2,000 articles' bands in the recent level
MIDDLE_ROWS = 1_600_000  # 50,000 articles' bands in the middle level
TABLES = ("minhash_bands", "minhash_bands_middle", "minhash_bands_recent")
# Odd 64-bit multipliers folding the ROWS values of a band into one bucket number.
_MIX = np.array([0x9E3779B97F4A7C15, 0xC2B2AE3D27D4EB4F, 0x165667B19E3779F9], dtype=np.uint64)


def bands(fp: Fingerprint) -> list[tuple[int, int]]:
    """(band, bucket) pairs: equal buckets in a band mean ROWS equal MinHash values."""
    rows = fp.hashvalues[: BANDS * ROWS].astype(np.uint64).reshape(BANDS, ROWS)
    buckets = (rows * _MIX[:ROWS]).sum(axis=1, dtype=np.uint64).view(np.int64)
    return list(enumerate(buckets.tolist()))


def bands_many(prints: Sequence[Fingerprint]) -> list[list[tuple[int, int]]]:
    """`bands` of many fingerprints, in one numpy pass."""
    if not prints:
        return []
    values = np.stack([fp.hashvalues[: BANDS * ROWS] for fp in prints]).astype(np.uint64)
    rows = values.reshape(len(prints), BANDS, ROWS)
    buckets = (rows * _MIX[:ROWS]).sum(axis=2, dtype=np.uint64).view(np.int64)
    return [list(enumerate(row)) for row in buckets.tolist()]


def save_many(
    conn: sqlite3.Connection,
    prints: Sequence[tuple[int, Fingerprint]],
    *,
    fresh: bool,
    buckets: Sequence[list[tuple[int, int]]] | None = None,
) -> None:
    """`save` for many articles: one statement per table (`buckets`: their `bands`)."""
    buckets = buckets or [bands(fp) for _, fp in prints]
    if not fresh:
        for article_id, _ in prints:
            forget(conn, article_id)
    conn.executemany(
        "INSERT INTO article_signatures (article_id, text_hash, shingles, numbers, signature) "
        "VALUES (?, ?, ?, ?, ?)",
        [
            (article_id, fp.text_hash, fp.size, " ".join(sorted(fp.numbers)), fp.blob())
            for article_id, fp in prints
        ],
    )
    conn.executemany(
        "INSERT OR IGNORE INTO minhash_bands_recent (band, bucket, article_id) VALUES (?, ?, ?)",
        [
            (band, bucket, article_id)
            for (article_id, _), pairs in zip(prints, buckets, strict=True)
            for band, bucket in pairs
        ],
    )


def forget(conn: sqlite3.Connection, article_id: int) -> None:
    """Remove an article's fingerprint and bands (its text changed)."""
    old = load(conn, [article_id]).get(article_id)
    if old is None:
        return
    rows = [(band, bucket, article_id) for band, bucket in bands(old)]
    for table in TABLES:
        conn.executemany(
            f"DELETE FROM {table} WHERE band = ? AND bucket = ? AND article_id = ?", rows
        )
    conn.execute("DELETE FROM article_signatures WHERE article_id = ?", (article_id,))


def candidates_many(
    conn: sqlite3.Connection, buckets: Sequence[list[tuple[int, int]]]
) -> list[set[int]]:
    """`candidates` of each fingerprint, given as its `bands`, looked up in as few statements
    as SQLite's limit on parameters allows (100 fingerprints a statement at the usual 32,766)."""
    found: list[set[int]] = [set() for _ in buckets]
    per_print = 3 * BANDS * len(TABLES)
    size = max(1, min(100, conn.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER) // per_print))
    for start in range(0, len(buckets), size):
        chunk = buckets[start : start + size]
        triples = [(start + i, b, k) for i, pairs in enumerate(chunk) for b, k in pairs]
        triples.sort(key=lambda t: (t[1], t[2]))  # index order: half the cost of random order
        values = ",".join("(?, ?, ?)" for _ in triples)
        params = [v for triple in triples for v in triple]
        # one list of values for the three levels: binding it once costs a third
        sql = f"WITH q (position, band, bucket) AS (VALUES {values}) " + " UNION ALL ".join(
            f"SELECT q.position, b.article_id FROM q "
            f"JOIN {table} AS b ON b.band = q.band AND b.bucket = q.bucket"
            for table in TABLES
        )
        for index, article_id in conn.execute(sql, params):
            found[index].add(article_id)
    return found


def load(conn: sqlite3.Connection, article_ids: Iterable[int]) -> dict[int, Fingerprint]:
    sql = (
        "SELECT article_id, text_hash, shingles, signature, numbers FROM article_signatures "
        "WHERE article_id IN ({})"
    )
    return {
        article_id: Fingerprint.from_row(digest, size, blob, numbers)
        for article_id, digest, size, blob, numbers in select_in(conn, sql, article_ids)
    }


def load_many(conn: sqlite3.Connection, article_ids: Iterable[int]) -> StoredPrints:
    """The stored fingerprints of `article_ids` as arrays (`fingerprint.reprints`)."""
    sql = (
        "SELECT article_id, shingles, signature, numbers FROM article_signatures "
        "WHERE article_id IN ({})"
    )
    return StoredPrints.from_rows(list(select_in(conn, sql, article_ids)))


def merge_if_due(conn: sqlite3.Connection) -> bool:
    """Move the recent level into the middle one when it holds `MERGE_ROWS` rows or more,
    and then the middle level into the main one when it holds `MIDDLE_ROWS` or more."""
    recent = conn.execute("SELECT COUNT(*) FROM minhash_bands_recent").fetchone()[0]
    if recent < MERGE_ROWS:
        return False
    _move(conn, "minhash_bands_recent", "minhash_bands_middle")
    middle = conn.execute("SELECT COUNT(*) FROM minhash_bands_middle").fetchone()[0]
    if middle >= MIDDLE_ROWS:
        _move(conn, "minhash_bands_middle", "minhash_bands")
    return True


def _move(conn: sqlite3.Connection, source: str, target: str) -> None:
    conn.execute(
        f"INSERT OR IGNORE INTO {target} SELECT band, bucket, article_id "
        f"FROM {source} ORDER BY band, bucket, article_id"
    )
    conn.execute(f"DELETE FROM {source}")
