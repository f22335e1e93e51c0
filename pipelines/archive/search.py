"""Ranked full-text search over the archive, with snippets cut from the original text.

FTS5 finds, bm25 ranks, with the headline weighted above lead and body and recency breaking
ties (`ranking`: FTS5's own bm25 formula, without its walk over every match of a common
word). Snippets are not FTS5's: the index holds stems, so the snippet
is cut here from the stored text, and a word is highlighted when its stem is one the query
asked for. The reader sees "Казахстаном" highlighted for the query "Казахстан".
"""

from __future__ import annotations

import re
import sqlite3
import unicodedata
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass
from datetime import MAXYEAR, UTC, date, datetime, time, timedelta
from functools import lru_cache
from typing import Any, TypedDict, Unpack
from zoneinfo import ZoneInfo

from pipelines.archive import ranking
from pipelines.archive.query import ParsedQuery, parse_query
from pipelines.archive.schema import FTS_TABLE, PUBLISHED, PUBLISHED_LOCAL
from pipelines.archive.stemming import MARKS, WORD_RE, fold, marked, stem

DEFAULT_MARKS = ("[", "]")
# bm25 is computed for every match: a word found in a third of a million-article archive
# would take a second. Ranking runs over the newest RANK_WINDOW matches (by storage order),
# which bounds the cost; `rank_window=None` ranks every match.
RANK_WINDOW = 2000
SNIPPET_WORDS = 30
# A date filter compares this: UTC when the offset was known, the page's local time if not.
WHEN = PUBLISHED
# The order of hits: best score, then the later publication (unknown last), then newer id.
_HIT_ORDER = "r, p IS NULL, p DESC, id DESC"


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
    """An ISO UTC string for a filter bound; a date's `until` bound is the next midnight.

    A bound beyond what `datetime` holds (`--until 9999-12-31`, 0001-01-01 at +05:00) is
    clamped to the first or last representable second: no bound on that side."""
    try:
        if isinstance(value, datetime):
            moment = value if value.tzinfo else value.replace(tzinfo=UTC)
        else:
            day = value + timedelta(days=1) if end else value
            moment = datetime.combine(day, time(0), tzinfo=UTC)
        moment = moment.astimezone(UTC)
    except OverflowError:  # only a bound in year 1 or 9999 leaves the range
        moment = datetime.max if value.year == MAXYEAR else datetime.min
    # not strftime: its %Y does not pad years below 1000 ("1-01-01") on every platform
    return moment.replace(tzinfo=None).isoformat(timespec="seconds") + "Z"


class Filters(TypedDict, total=False):
    """What a search or an export may be narrowed by (`filter_sql`)."""

    source: str | None
    agency: str | None
    since: datetime | date | None
    until: datetime | date | None
    has_photo_credit: bool


def dated_ids(where: list[str], *, source: bool) -> str:
    """SELECT of the ids that meet `where`, filters that bound the publication time, through
    an index that finds them: the time's, or with a `source` filter the one of the source and
    the time, named because SQLite's default took the source's coverage index and read every
    row of the source to test its date (15 s for a month of one source at a million articles).
    As a subquery, it leads an outer query in id order, which would rather read every row."""
    hint = " INDEXED BY idx_articles_source_published_at_utc" if source else ""
    return f"SELECT articles.id FROM articles{hint} WHERE {' AND '.join(where)}"


def filter_sql(**filters: Unpack[Filters]) -> tuple[list[str], list[Any]]:
    """WHERE conditions on `articles` and their parameters, shared by search and export."""
    source, agency = filters.get("source"), filters.get("agency")
    since, until = filters.get("since"), filters.get("until")
    has_photo_credit = filters.get("has_photo_credit", False)
    where: list[str] = []
    params: list[Any] = []
    if source:
        where.append("articles.source = ?")
        params.append(source)
    if agency:
        where.append("articles.agency = ?")
        params.append(agency)
    if since is not None:
        where.append(_compare(">=", since, params))
    if until is not None:
        # A date includes its whole day; a moment is inclusive.
        op = "<" if not isinstance(until, datetime) else "<="
        where.append(_compare(op, until, params, end=True))
    if has_photo_credit:
        where.append("articles.photo_credit_count > 0")
    return where, params


def _compare(op: str, bound: datetime | date, params: list[Any], *, end: bool = False) -> str:
    """`PUBLISHED op bound`, adding the parameters. A bound in a named zone (`--tz`) is a
    moment for articles with a UTC time and a wall-clock time of that zone for the others,
    whose local time is all they have: `--since 2026-11-01 --tz Asia/Barnaul` means local
    midnight for both, not 07:00 for the ones without an offset."""
    utc = utc_bound(bound, end=end)
    wall = utc
    if isinstance(bound, datetime) and isinstance(bound.tzinfo, ZoneInfo):
        wall = bound.replace(tzinfo=None).isoformat(timespec="seconds") + "Z"
    params.extend([utc, wall])
    # `WHEN op ?` spelled so that both sides of the OR can use the index on the UTC time:
    # as an expression (or a CASE) it made an export by date alone read every row.
    return (
        f"(articles.published_at_utc {op} ? OR "
        f"(articles.published_at_utc IS NULL AND {PUBLISHED_LOCAL} {op} ?))"
    )


def empty_range(since: datetime | date | None, until: datetime | date | None) -> bool:
    """Is no time both on or after `since` and on or before `until` (bounds as `filter_sql`
    reads them: a date `until` ends at the next midnight, a moment is inclusive)?"""
    if since is None or until is None:
        return False
    low, high = utc_bound(since), utc_bound(until, end=True)
    return low > high or (low == high and not isinstance(until, datetime))


# a word of the original text with the marks `fold` drops ("Губерна́тор" is one word)
_MARKED_WORD_RE = re.compile(f"(?:[^\\W_]|[{MARKS}])+")


def _is_match(stem: str, query: ParsedQuery) -> bool:
    return stem in query.stems or any(stem.startswith(p) for p in query.prefixes)


@lru_cache(maxsize=256)
def _candidates(query: ParsedQuery) -> re.Pattern[str]:
    """Words that may match: those beginning with a query stem (less its last letter, which
    English Snowball may have changed, "happi" for "happy"). Found in C, checked in Python."""
    heads = {s[:-1] if len(s) > 2 else s for s in query.stems} | set(query.prefixes)
    alternatives = "|".join(sorted((re.escape(h) for h in heads), key=len, reverse=True))
    return re.compile(rf"(?<![^\W_])(?:{alternatives})[^\W_]*")


def _matches(text: str, query: ParsedQuery) -> list[tuple[int, int, str]]:
    """(start, end, stem) of the words of `text` that the query matches."""
    folded = text.lower().replace("ё", "е")
    words: Iterator[tuple[int, int, str]]
    if len(folded) == len(text) and not marked(text):
        # one character for one: positions in both texts agree
        words = ((m.start(), m.end(), m.group()) for m in _candidates(query).finditer(folded))
    else:  # a letter whose lower case is longer ("İ"), a stress mark: fold word by word
        words = _folded_words(text)
    found: list[tuple[int, int, str]] = []
    for start, end, word in words:
        word_stem = stem(word)
        # one mark per word of the text, however many of its folded parts match
        if _is_match(word_stem, query) and (not found or found[-1][0] != start):
            found.append((start, end, word_stem))
    return found


def _folded_words(text: str) -> Iterator[tuple[int, int, str]]:
    """(start, end, folded word) for the words of `text`, positions in `text` itself. A word
    whose folded form splits as the index splits it ("İstanbul": "i", "stanbul") yields each
    part with the whole word's position."""
    for m in _MARKED_WORD_RE.finditer(text):
        for part in WORD_RE.findall(fold(m.group())):
            yield m.start(), m.end(), part


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
    """The passage of about `words` words with the most query words in it, highlighted.

    `words=None` keeps the whole text (for headlines).
    """
    if not text:
        return ""
    text = unicodedata.normalize("NFC", text)
    if words is not None:
        text = " ".join(text.split())
    hits = _matches(text, query) if query.stems or query.prefixes else []
    start, end = 0, len(text)
    if words is not None and text.count(" ") >= words:
        start = _window_start(text, hits, words)
        end = _forward(text, start, words)
        if end == len(text):  # near the end: show a full window that ends with the text
            start = _back(text, end, words)
    out: list[str] = ["…" if start > 0 else ""]
    cursor = start
    for s, e, _ in hits:
        if s < start or e > end:
            continue
        out += [text[cursor:s], marks[0], text[s:e], marks[1]]
        cursor = e
    out.append(text[cursor:end])
    if end < len(text):
        out.append("…")
    return "".join(out)


def _forward(text: str, start: int, words: int) -> int:
    """The end of the `words`-th word from `start` (words counted by spaces)."""
    pos = start
    for _ in range(words):
        pos = text.find(" ", pos + 1)
        if pos < 0:
            return len(text)
    return pos


def _window_start(text: str, hits: list[tuple[int, int, str]], words: int) -> int:
    """Where the window with the most distinct matched stems (then the most matches) begins,
    a few words early. Two pointers over the hits keep this linear in the text: a long body
    with thousands of matches is as quick as a short one, and a rare query word found late
    still wins over a run of a common one."""
    if not hits:
        return 0
    at = _word_numbers(text, hits)
    span = max(words - 4, 1)  # room for the few words of context before the first match
    inside: Counter[str] = Counter()
    best, best_score = hits[0][0], (-1, -1)
    end = 0
    for i, (first, _, word_stem) in enumerate(hits):
        while end < len(hits) and at[end] - at[i] < span:
            inside[hits[end][2]] += 1
            end += 1
        score = (len(inside), end - i)
        if score > best_score:
            best, best_score = first, score
        inside[word_stem] -= 1
        if not inside[word_stem]:
            del inside[word_stem]
    return _back(text, best, 4)  # a few words of context before the first match


def _word_numbers(text: str, hits: list[tuple[int, int, str]]) -> list[int]:
    """For each hit (in text order), how many words come before it: one pass over `text`."""
    numbers: list[int] = []
    count, last = 0, 0
    for start, _, _ in hits:
        count += text.count(" ", last, start)
        last = start
        numbers.append(count)
    return numbers


def _back(text: str, pos: int, words: int) -> int:
    """The start of the word `words` words before `pos`."""
    for _ in range(words):
        pos = text.rfind(" ", 0, max(pos - 1, 0))
        if pos < 0:
            return 0
    return pos + 1


def run_search(
    conn: sqlite3.Connection,
    query: str | ParsedQuery,
    *,
    limit: int = 20,
    offset: int = 0,
    marks: tuple[str, str] = DEFAULT_MARKS,
    rank_window: int | None = RANK_WINDOW,
    collapse_stories: bool = False,
    **filters: Unpack[Filters],
) -> list[SearchHit]:
    parsed = query if isinstance(query, ParsedQuery) else parse_query(query)
    limit, offset = max(0, int(limit)), max(0, int(offset))
    where, params = filter_sql(**filters)
    fts = FTS_TABLE
    # Filters need the articles row of every match; without filters FTS5 ranks alone.
    join = f" JOIN articles ON articles.id = {fts}.rowid" if where else ""
    if rank_window:
        # The rowid of the window's oldest match: FTS5 walks a doclist backwards cheaply.
        oldest = conn.execute(
            f"SELECT {fts}.rowid FROM {fts}{join} WHERE {fts} MATCH ? "
            f"{''.join(' AND ' + w for w in where)} "
            f"ORDER BY {fts}.rowid DESC LIMIT 1 OFFSET ?",
            [parsed.fts, *params, max(rank_window, offset + limit) - 1],
        ).fetchone()
        if oldest is not None:
            where.append(f"{fts}.rowid >= ?")
            params.append(oldest[0])
    # Only ids and scores go through the sort; the texts are read for the page shown. Ties go
    # to the later publication (unknown last), then to the newer article, in SQL, so that
    # every page of a query agrees. The publication time is read only for the matches that
    # can be on the page: those scoring no worse than the page's last.
    score, score_params = ranking.expression(conn, parsed.fts)
    conditions = "".join(" AND " + w for w in where)
    if collapse_stories:  # one hit per story: its best-ranked member
        matches = (
            "SELECT id, r FROM (SELECT id, r, ROW_NUMBER() OVER (PARTITION BY story "
            f"ORDER BY {_HIT_ORDER}) AS n FROM ("
            f"SELECT {fts}.rowid AS id, {score} AS r, {WHEN} AS p, "
            f"COALESCE(articles.story_id, -articles.id) AS story FROM {fts} "
            f"JOIN articles ON articles.id = {fts}.rowid WHERE {fts} MATCH ?{conditions})) "
            "WHERE n = 1"
        )
    else:
        matches = f"SELECT {fts}.rowid AS id, {score} AS r FROM {fts}{join} "
        matches += f"WHERE {fts} MATCH ?{conditions}"
    sql = (
        f"WITH matches AS ({matches}), "
        "cut AS (SELECT r FROM matches ORDER BY r LIMIT 1 OFFSET ?) "
        f"SELECT id, r FROM (SELECT matches.id AS id, r, {WHEN} AS p FROM matches "
        "JOIN articles ON articles.id = matches.id "
        "WHERE r <= COALESCE((SELECT r FROM cut), r)) "
        f"ORDER BY {_HIT_ORDER} LIMIT ? OFFSET ?"
    )
    args = [*score_params, parsed.fts, *params, offset + limit - 1, limit, offset]
    ranked = conn.execute(sql, args).fetchall()
    if not ranked:
        return []
    return _hits(conn, ranked, parsed, marks)


def count_matches(
    conn: sqlite3.Connection,
    query: str | ParsedQuery,
    *,
    collapse_stories: bool = False,
    **filters: Unpack[Filters],
) -> int:
    """How many hits `run_search` pages through (stories, with `collapse_stories`): one
    COUNT over every match, for saying why a page came back empty."""
    parsed = query if isinstance(query, ParsedQuery) else parse_query(query)
    where, params = filter_sql(**filters)
    fts = FTS_TABLE
    counted = "DISTINCT COALESCE(articles.story_id, -articles.id)" if collapse_stories else "*"
    row = conn.execute(
        f"SELECT COUNT({counted}) FROM {fts} JOIN articles ON articles.id = {fts}.rowid "
        f"WHERE {fts} MATCH ?{''.join(' AND ' + w for w in where)}",
        [parsed.fts, *params],
    ).fetchone()
    return int(row[0])


def join_lead(lead: str | None, body: str | None) -> str:
    """Lead and body as one text; a lead without final punctuation gets a dash after it."""
    lead = (lead or "").strip()
    if not lead:
        return body or ""
    glue = " " if lead[-1] in '.!?…»"' else " — "
    return lead + glue + (body or "")


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
    # An index entry whose article row was deleted by hand (foreign keys off) has no text to
    # show: the query above leaves it out once the page is cut (the page is one hit shorter),
    # and so does this, should a row go between the two queries.
    ranked = [r for r in ranked if r[0] in rows]
    hits: list[SearchHit] = []
    for article_id, rank in ranked:
        row = rows[article_id]
        text = join_lead(row[7], row[8])
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
