"""bm25 without counting every match: the ranking expression of a search.

FTS5's bm25() needs, for each phrase of a query, the number of documents that contain it
(its IDF), and counts them by walking the phrase's whole posting list, once per query. For
a word found in a third of a million articles that walk alone costs tens of milliseconds,
although the search ranks only the newest matches (`search.RANK_WINDOW`).

`newsagg_bm25` (compiled from `_rank.c`) is the same bm25, with the counts given: a phrase
with fewer than `SAMPLE` matches is counted exactly (cheap), a commoner one is estimated
from how densely its newest `SAMPLE` matches lie among the newest articles:
`SAMPLE × articles / articles since the SAMPLE-th newest match`. For the words where this
applies the IDF is small and changes slowly with the count (1,000 matches estimate it
within a few per cent), and the estimate follows the word's current frequency, which suits
news. Where the module is not built, the search ranks with bm25() itself.
"""

from __future__ import annotations

import re
import sqlite3

from pipelines.archive.schema import FTS_TABLE, RANK_WEIGHTS

try:  # registers newsagg_bm25 on every connection opened from now on
    from pipelines.archive import _rank  # type: ignore[attr-defined]
except ImportError:  # built without a C compiler or SQLite's headers
    _rank = None

SAMPLE = 1000
# One FTS5 phrase as `query.Term.fts` writes it: [column : ]"stems"[ *]
_PHRASE_RE = re.compile(r'(?:(?:headline|lead|body) : )?"(?:[^"]|"")*"(?: \*)?')
_available: bool | None = None


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
        found, oldest = conn.execute(
            f"SELECT COUNT(*), MIN(rowid) FROM (SELECT rowid FROM {FTS_TABLE} "
            f"WHERE {FTS_TABLE} MATCH ? ORDER BY rowid DESC LIMIT ?)",
            (phrase, SAMPLE),
        ).fetchone()
        if found < SAMPLE:
            counts.append(int(found))
        else:
            counts.append(round(SAMPLE * top / max(1, top - oldest + 1)))
    return counts


def expression(conn: sqlite3.Connection, fts_query: str) -> tuple[str, list[float | int]]:
    """The SQL that scores a match (lower is better) and its parameters."""
    if not available(conn):
        return f"{FTS_TABLE}.rank", []
    counts = document_counts(conn, fts_query)
    args = [*RANK_WEIGHTS, *counts]
    return f"newsagg_bm25({FTS_TABLE}, {', '.join('?' * len(args))})", args
