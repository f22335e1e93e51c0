"""Ranked full-text search over the archive, with snippets cut from the original text.

FTS5 finds and ranks (`rank` is configured as bm25 with the headline weighted above lead and
body; recency breaks ties). Snippets are not FTS5's: the index holds stems, so the snippet
is cut here from the stored text, and a word is highlighted when its stem is one the query
asked for. The reader sees "Казахстаном" highlighted for the query "Казахстан".
"""

from __future__ import annotations

import sqlite3
import unicodedata
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from pipelines.archive.query import ParsedQuery, parse_query
from pipelines.archive.schema import FTS_TABLE
from pipelines.archive.stemming import word_spans

DEFAULT_MARKS = ("[", "]")
SNIPPET_WORDS = 30
# A date filter compares this: UTC when the offset was known, the page's local time if not.
WHEN = "COALESCE(articles.published_at_utc, articles.published_at)"


@dataclass
class SearchHit:
    article_id: int
    url: str
    canonical_url: str
    source: str | None
    agency: str | None
    headline: str
    published_at: str | None
    snippet: str
    score: float

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def utc_bound(value: datetime | date, *, end: bool = False) -> str:
    """An ISO UTC string for a filter bound; a date's `until` bound is the next midnight."""
    if isinstance(value, datetime):
        moment = value if value.tzinfo else value.replace(tzinfo=UTC)
    else:
        day = value + timedelta(days=1) if end else value
        moment = datetime.combine(day, time(0), tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def filter_sql(
    *,
    source: str | None = None,
    agency: str | None = None,
    since: datetime | date | None = None,
    until: datetime | date | None = None,
    has_photo_credit: bool = False,
) -> tuple[list[str], list[Any]]:
    """WHERE conditions on `articles` and their parameters, shared by search and export."""
    where: list[str] = []
    params: list[Any] = []
    if source:
        where.append("articles.source = ?")
        params.append(source)
    if agency:
        where.append("articles.agency = ?")
        params.append(agency)
    if since is not None:
        where.append(f"{WHEN} >= ?")
        params.append(utc_bound(since))
    if until is not None:
        # A date includes its whole day; a moment is inclusive.
        op = "<" if not isinstance(until, datetime) else "<="
        where.append(f"{WHEN} {op} ?")
        params.append(utc_bound(until, end=True))
    if has_photo_credit:
        where.append("articles.photo_credit_count > 0")
    return where, params


def _is_match(stem: str, query: ParsedQuery) -> bool:
    return stem in query.stems or any(stem.startswith(p) for p in query.prefixes)


def highlight(text: str, query: ParsedQuery, marks: tuple[str, str] = DEFAULT_MARKS) -> str:
    """`text` with every word that the query matches wrapped in `marks`."""
    return snippet(text, query, marks, words=None)


def snippet(
    text: str | None,
    query: ParsedQuery,
    marks: tuple[str, str] = DEFAULT_MARKS,
    *,
    words: int | None = SNIPPET_WORDS,
) -> str:
    """The passage of `words` words with the most query words in it, highlighted.

    `words=None` keeps the whole text (for headlines).
    """
    if not text:
        return ""
    text = unicodedata.normalize("NFC", text)
    spans = list(word_spans(text))
    if not spans:
        return text[:200] if words else text
    hits = [i for i, (_, _, s) in enumerate(spans) if _is_match(s, query)]
    first, last = 0, len(spans) - 1
    if words is not None and len(spans) > words:
        first = _best_window(spans, hits, query, words)
        last = min(first + words, len(spans)) - 1
    start = 0 if first == 0 else spans[first][0]
    end = len(text) if last == len(spans) - 1 else spans[last][1]
    out: list[str] = ["…" if start > 0 else ""]
    cursor = start
    for i in hits:
        s, e, _ = spans[i]
        if s < start or e > end:
            continue
        out += [text[cursor:s], marks[0], text[s:e], marks[1]]
        cursor = e
    out.append(text[cursor:end])
    if end < len(text):
        out.append("…")
    return " ".join("".join(out).split()) if words is not None else "".join(out)


def _best_window(
    spans: list[tuple[int, int, str]], hits: list[int], query: ParsedQuery, words: int
) -> int:
    """Index of the first word of the window that holds the most distinct matched stems."""
    if not hits:
        return 0
    best, best_score = hits[0], -1
    for i, first_hit in enumerate(hits):
        inside = [h for h in hits[i:] if h < first_hit + words]
        score = len({spans[h][2] for h in inside}) * 1000 + len(inside)
        if score > best_score:
            best, best_score = first_hit, score
    # Start a few words before the first hit, so that the reader sees its context.
    return max(0, min(best - 4, len(spans) - words))


def run_search(
    conn: sqlite3.Connection,
    query: str | ParsedQuery,
    *,
    source: str | None = None,
    agency: str | None = None,
    since: datetime | date | None = None,
    until: datetime | date | None = None,
    has_photo_credit: bool = False,
    limit: int = 20,
    offset: int = 0,
    marks: tuple[str, str] = DEFAULT_MARKS,
) -> list[SearchHit]:
    parsed = query if isinstance(query, ParsedQuery) else parse_query(query)
    where, params = filter_sql(
        source=source, agency=agency, since=since, until=until, has_photo_credit=has_photo_credit
    )
    # Only the id and the rank go through the sort; the texts are read for the page shown.
    sql = (
        f"SELECT {FTS_TABLE}.rowid, {FTS_TABLE}.rank FROM {FTS_TABLE} "
        f"JOIN articles ON articles.id = {FTS_TABLE}.rowid "
        f"WHERE {FTS_TABLE} MATCH ? {''.join(' AND ' + w for w in where)} "
        f"ORDER BY {FTS_TABLE}.rank, articles.published_at_utc DESC LIMIT ? OFFSET ?"
    )
    ranked = conn.execute(
        sql, [parsed.fts, *params, max(0, int(limit)), max(0, int(offset))]
    ).fetchall()
    if not ranked:
        return []
    return _hits(conn, ranked, parsed, marks)


def _hits(
    conn: sqlite3.Connection,
    ranked: Sequence[tuple[int, float]],
    parsed: ParsedQuery,
    marks: tuple[str, str],
) -> list[SearchHit]:
    ids = [r[0] for r in ranked]
    marks_sql = ",".join("?" * len(ids))
    rows = {
        r[0]: r
        for r in conn.execute(
            "SELECT id, url, canonical_url, source, agency, headline, published_at, lead, body "
            f"FROM articles WHERE id IN ({marks_sql})",
            ids,
        )
    }
    hits: list[SearchHit] = []
    for article_id, rank in ranked:
        row = rows[article_id]
        text = "\n".join(t for t in (row[7], row[8]) if t)
        hits.append(
            SearchHit(
                article_id=article_id,
                url=row[1],
                canonical_url=row[2],
                source=row[3],
                agency=row[4],
                headline=row[5],
                published_at=row[6],
                snippet=snippet(text, parsed, marks),
                score=-float(rank),
            )
        )
    return hits
