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

Those lookups are most of a bulk import's time in its own process (0.64 ms of 1.61 an
article at 100k), while almost every new text finds nothing. A bulk import therefore keeps
`KnownBuckets`, every stored band in memory as a 32-bit key, and asks SQLite only for the
texts with a key in it.
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
    return list(enumerate(bands_many([fp])[0].tolist()))


def bands_many(prints: Sequence[Fingerprint]) -> np.ndarray:
    """The buckets of many fingerprints, in one numpy pass: row i, column b is the bucket
    of print i in band b (as `bands` gives them)."""
    if not prints:
        return np.empty((0, BANDS), dtype=np.int64)
    return _buckets(np.stack([fp.hashvalues[: BANDS * ROWS] for fp in prints]))


def _buckets(values: np.ndarray) -> np.ndarray:
    """The bucket of each band of each row of MinHash values (`bands_many`): rows × BANDS."""
    rows = values[:, : BANDS * ROWS].astype(np.uint64).reshape(len(values), BANDS, ROWS)
    return (rows * _MIX[:ROWS]).sum(axis=2, dtype=np.uint64).view(np.int64)


def _triples(buckets: np.ndarray, first: np.ndarray) -> np.ndarray:
    """(first[i], band, bucket) for every band of every row i: one row a band."""
    n = len(buckets)
    return np.column_stack([np.repeat(first, BANDS), np.tile(np.arange(BANDS), n), buckets.ravel()])


def batch_peers(buckets: np.ndarray) -> dict[int, set[int]]:
    """Row -> the earlier rows of `buckets` (a batch's `bands_many`) that share a bucket of a
    band with it; rows that share none are left out (nearly all of them)."""
    owner, band, flat = _triples(buckets, np.arange(len(buckets))).T
    order = np.lexsort((owner, flat, band))  # by band, bucket, then row
    flat, band, owner = flat[order], band[order], owner[order]
    same = (flat[1:] == flat[:-1]) & (band[1:] == band[:-1])
    runs: list[list[int]] = []  # rows of one bucket of one band, in order
    last = -2
    for i in np.flatnonzero(same).tolist():
        if i != last + 1:
            runs.append([int(owner[i])])
        runs[-1].append(int(owner[i + 1]))
        last = i
    peers: dict[int, set[int]] = {}
    for run in runs:
        for later in range(1, len(run)):
            peers.setdefault(run[later], set()).update(run[:later])
    return peers


def save_many(
    conn: sqlite3.Connection,
    prints: Sequence[tuple[int, Fingerprint]],
    *,
    fresh: bool,
    buckets: np.ndarray | None = None,
) -> None:
    """`save` for many articles: one statement per table (`buckets`: their `bands_many`)."""
    if buckets is None:
        buckets = bands_many([fp for _, fp in prints])
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
        "INSERT OR IGNORE INTO minhash_bands_recent (article_id, band, bucket) VALUES (?, ?, ?)",
        zip(*_triples(buckets, np.array([i for i, _ in prints])).T.tolist(), strict=True),
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


def candidates_many(conn: sqlite3.Connection, buckets: np.ndarray) -> list[set[int]]:
    """`candidates` of each fingerprint, given as its row of `bands_many`, looked up in as few
    statements as SQLite's limit on parameters allows (100 fingerprints a statement at the
    usual 32,766)."""
    found: list[set[int]] = [set() for _ in buckets]
    per_print = 3 * BANDS * len(TABLES)
    size = max(1, min(100, conn.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER) // per_print))
    for start in range(0, len(buckets), size):
        chunk = buckets[start : start + size]
        triples = _triples(chunk, np.arange(start, start + len(chunk)))
        # in index order (band, bucket): half the cost of random order
        params = triples[np.lexsort((triples[:, 2], triples[:, 1]))].ravel().tolist()
        values = ",".join("(?, ?, ?)" for _ in range(len(triples)))
        # one list of values for the three levels: binding it once costs a third
        sql = f"WITH q (position, band, bucket) AS (VALUES {values}) " + " UNION ALL ".join(
            f"SELECT q.position, b.article_id FROM q "
            f"JOIN {table} AS b ON b.band = q.band AND b.bucket = q.bucket"
            for table in TABLES
        )
        for index, article_id in conn.execute(sql, params):
            found[index].add(article_id)
    return found


class KnownBuckets:
    """Every (band, bucket) pair stored in the LSH levels, each as a 32-bit key, to skip the
    lookups of texts that share no bucket with any stored text (nearly all of them). A key
    absent here is absent from the levels, so skipping loses no candidate; a key present
    only sends the text to `candidates_many` (2^32 keys: at a million articles 0.75 % of
    the keys of a new text meet a stored one by chance, and a fifth of texts are looked up).

    Complete only while this connection alone writes: `current` tells, inside a write
    transaction, whether another connection has committed since the last one (a crawl
    storing while the import runs); then the keys are out of date and must be dropped."""

    LOAD_ROWS = 50_000  # signatures read at a time while loading
    # keys of the latest texts, in a set until this many (~55 MB), then merged into the
    # sorted array (a copy of it: ~0.1 s at a million articles, every 30,000 articles)
    RECENT_KEYS = 1_000_000

    def __init__(self, keys: np.ndarray, version: int) -> None:
        self._sorted = np.sort(keys.astype(np.uint32))
        self._recent: set[int] = set()
        self._version = version

    @classmethod
    def load(cls, conn: sqlite3.Connection) -> KnownBuckets:
        """The keys of every stored fingerprint (4 bytes a band: 128 an article)."""
        parts = [np.empty(0, dtype=np.uint32)]
        last = 0
        while True:
            rows = conn.execute(
                "SELECT article_id, signature FROM article_signatures WHERE article_id > ? "
                "ORDER BY article_id LIMIT ?",
                (last, cls.LOAD_ROWS),
            ).fetchall()
            if not rows:
                break
            last = rows[-1][0]
            values = np.frombuffer(b"".join(r[1] for r in rows), dtype="<u4")
            parts.append(_keys(_buckets(values.reshape(len(rows), -1))).ravel())
        return cls(np.concatenate(parts), _data_version(conn))

    def __len__(self) -> int:
        return len(self._sorted) + len(self._recent)

    def current(self, conn: sqlite3.Connection) -> bool:
        """Has no other connection committed since this was last current? Ask inside the
        write transaction: nothing can commit between the answer and the writes."""
        version = _data_version(conn)
        unchanged = version == self._version
        self._version = version
        return unchanged

    def candidates(self, conn: sqlite3.Connection, buckets: np.ndarray) -> list[set[int]]:
        """`candidates_many`, looked up only for the texts with a known key."""
        found: list[set[int]] = [set() for _ in buckets]
        if not len(buckets):
            return found
        keys = _keys(buckets)
        hit = self._contains(keys.ravel()).reshape(keys.shape).any(axis=1)
        chosen = np.flatnonzero(hit)
        for i, ids in zip(chosen.tolist(), candidates_many(conn, buckets[chosen]), strict=True):
            found[i] = ids
        return found

    def add(self, buckets: np.ndarray) -> None:
        """Remember the bands of texts just saved (`save_many`)."""
        self._recent.update(_keys(buckets).ravel().tolist())
        if len(self._recent) >= self.RECENT_KEYS:
            recent = np.sort(np.fromiter(self._recent, np.uint32, len(self._recent)))
            self._sorted = np.insert(self._sorted, np.searchsorted(self._sorted, recent), recent)
            self._recent.clear()

    def _contains(self, keys: np.ndarray) -> np.ndarray:
        inside = np.zeros(len(keys), dtype=bool)
        if len(self._sorted):
            at = np.minimum(np.searchsorted(self._sorted, keys), len(self._sorted) - 1)
            inside = self._sorted[at] == keys
        if self._recent:
            recent = self._recent
            inside |= np.fromiter((k in recent for k in keys.tolist()), bool, len(keys))
        return inside


class ImportBuckets:
    """Whether a bulk import holds `KnownBuckets`, batch by batch.

    Loading costs ~19 µs a stored print (cold, at 100k) and saves ~0.6 ms of lookups an
    imported article, so the keys are loaded once the import has written a `LOAD_RATIO`th
    as many articles as the archive has prints (at once into a new archive), and only up
    to `MAX_PRINTS` (128 bytes an article: 256 MB, plus up to ~55 MB of recent keys; a
    merge briefly holds the sorted keys twice); keys that outgrow it are dropped for the
    rest of the import. Another writer's commit drops them; they load again likewise."""

    LOAD_RATIO = 50
    MAX_PRINTS = 2_000_000

    def __init__(self) -> None:
        self.known: KnownBuckets | None = None
        self.written = 0  # articles written since the keys were last dropped
        self._writes = -1
        self._too_many = False  # the keys outgrew MAX_PRINTS: lookups for the rest

    def for_batch(self, conn: sqlite3.Connection, writes: int) -> KnownBuckets | None:
        """The keys to use in this write transaction, if any (call inside it). `writes`:
        the connection's count of write transactions, this one included; another one on
        the same connection since the last batch (which `current` cannot see) drops them."""
        alone = writes == self._writes + 1
        self._writes = writes
        if self.known is not None and not (self.known.current(conn) and alone):
            self.known, self.written = None, 0
        if self.known is not None and len(self.known) > self.MAX_PRINTS * BANDS:
            self.known, self._too_many = None, True
        if self.known is None and not self._too_many:
            sql = "SELECT COALESCE(MAX(article_id), 0) FROM article_signatures"
            prints = conn.execute(sql).fetchone()[0]  # at most as many (ids only grow)
            if prints <= self.MAX_PRINTS and self.written * self.LOAD_RATIO >= prints:
                self.known = KnownBuckets.load(conn)
        return self.known

    def wrote(self, articles: int) -> None:
        self.written += articles


# band b's bucket k is key (k + b * _BAND_MIX) >> 32: any band, any bucket, 32 bits
_BAND_MIX = np.uint64(0xD6E8FEB86659FD93)


def _keys(buckets: np.ndarray) -> np.ndarray:
    """32-bit keys of a rows × BANDS array of buckets (equal pairs give equal keys)."""
    band = np.arange(buckets.shape[1], dtype=np.uint64) * _BAND_MIX
    mixed = buckets.view(np.uint64) + band  # wraps modulo 2**64, as meant
    return (mixed >> np.uint64(32)).astype(np.uint32)


def _data_version(conn: sqlite3.Connection) -> int:
    return int(conn.execute("PRAGMA data_version").fetchone()[0])


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
