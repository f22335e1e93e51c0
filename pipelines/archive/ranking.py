"""bm25 without counting every match: the ranking expression of a search.

FTS5's bm25() needs, for each phrase of a query, the number of documents that contain it
(its IDF), and counts them by walking the phrase's whole posting list, once per query. For
a word found in a third of a million articles that walk alone costs tens of milliseconds,
although the search ranks only the newest matches (`search.RANK_WINDOW`).

`newsagg_bm25` (compiled from `_rank.c`) is the same bm25, with the counts given: a phrase
with fewer than `SAMPLE` matches is counted exactly (cheap), a commoner one is estimated
from its matches in `SLICES` runs of `SLICE_IDS` article ids spread evenly over the archive.
The IDF is a logarithm of the count, so the sampling error (a few per cent of the count for
the commonest words, ~10 % for words in 1 % of the archive) moves it by a few per cent.
Where the module is not built, the search ranks with bm25() itself.
"""

from __future__ import annotations

import re
import sqlite3

from pipelines.archive.schema import FTS_TABLE, RANK_WEIGHTS

try:  # registers newsagg_bm25 on every connection opened from now on
    from pipelines.archive import _rank  # type: ignore[attr-defined]
except ImportError:  # built without a C compiler or SQLite's headers
    _rank = None

SAMPLE = 1000  # phrases with fewer matches are counted exactly
SLICES, SLICE_IDS = 8, 1000  # a commoner one: sampled in 8 runs of 1,000 article ids
# One FTS5 phrase as `query.Term.fts` writes it: [column : ]"stems"[ *]
_PHRASE_RE = re.compile(r'(?:(?:headline|lead|body) : )?"(?:[^"]|"")*"(?: \*)?')
_available: bool | None = None
# (archive file, newest article id, phrase) -> estimated count, for this process: a
# long-running reader (`newsagg serve`, a notebook) samples each common word once per
# archive size; a one-off `newsagg search` samples every time (~1-3 ms a word at 1M).
_estimates: dict[tuple[str, int, str], int] = {}
_CACHED = 10_000


def available(conn: sqlite3.Connection) -> bool:
    """Is `newsagg_bm25` registered (on connections of this process)?"""
    global _available
    if _available is None:
        try:
            conn.execute(
                f"SELECT newsagg_bm25({FTS_TABLE}) FROM {FTS_TABLE} "
                f"WHERE {FTS_TABLE} MATCH 'x' LIMIT 0"
            )
            _available = True
        except sqlite3.OperationalError as exc:
            if "no such function" not in str(exc):
                return False  # not a verdict on the function (no index here): ask again later
            _available = False
    return _available


def phrases(fts_query: str) -> list[str]:
    """The phrases of an FTS5 expression written by `query.parse_query`, in FTS5's order."""
    return _PHRASE_RE.findall(fts_query)


def document_counts(conn: sqlite3.Connection, fts_query: str) -> list[int]:
    """For each phrase: how many articles contain it (exact below `SAMPLE`, else estimated)."""
    top = conn.execute("SELECT MAX(id) FROM articles").fetchone()[0] or 0
    counts = []
    for phrase in phrases(fts_query):
        found = conn.execute(
            f"SELECT COUNT(*) FROM (SELECT 1 FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH ? LIMIT ?)",
            (phrase, SAMPLE),
        ).fetchone()[0]
        if found < SAMPLE:
            counts.append(int(found))
            continue
        key = (_file(conn), top, phrase)
        if key not in _estimates:
            if len(_estimates) >= _CACHED:
                _estimates.clear()
            _estimates[key] = _estimate(conn, phrase, top)
        counts.append(_estimates[key])
    return counts


def _file(conn: sqlite3.Connection) -> str:
    return str(conn.execute("PRAGMA database_list").fetchone()[2])


def _estimate(conn: sqlite3.Connection, phrase: str, top: int) -> int:
    """The phrase's share of `SLICES` runs of `SLICE_IDS` article ids spread evenly over the
    archive, times the articles: FTS5 seeks to each run, so this reads a few thousand
    postings however common the phrase, and old and new articles count alike."""
    width = max(1, min(SLICE_IDS, top // SLICES))
    hits = 0
    for i in range(SLICES):
        start = 1 + (top - width) * i // max(1, SLICES - 1)
        hits += conn.execute(
            f"SELECT COUNT(*) FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH ? AND rowid BETWEEN ? AND ?",
            (phrase, start, start + width - 1),
        ).fetchone()[0]
    return max(SAMPLE, round(hits * top / (width * SLICES)))


def expression(conn: sqlite3.Connection, fts_query: str) -> tuple[str, list[float | int]]:
    """The SQL that scores a match (lower is better) and its parameters."""
    if not available(conn):
        return f"{FTS_TABLE}.rank", []
    counts = document_counts(conn, fts_query)
    args = [*RANK_WEIGHTS, *counts]
    return f"newsagg_bm25({FTS_TABLE}, {', '.join('?' * len(args))})", args
