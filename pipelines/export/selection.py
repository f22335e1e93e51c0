"""Which articles an export reads, as one streaming SQL statement.

The filters are the search's (`filter_sql`, and the same FTS match for a query), so an export
of a query holds exactly the articles the search finds, unranked, in id order. One statement
read with `fetchmany` keeps memory flat and sees one snapshot of a WAL archive even while a
crawl writes.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from pipelines.archive.query import parse_query
from pipelines.archive.schema import FTS_TABLE
from pipelines.archive.search import WHEN, dated_ids, filter_sql, utc_bound
from pipelines.export.cursor import ExportCursor

FETCH_ROWS = 500
KEY_ALIAS = "_change_key"
# Source columns that are not in `articles`: the stored page (see columns.RAW_PAGE).
_RAW = "(SELECT {} FROM raw_pages WHERE raw_pages.article_id = articles.id)"
JOINED = {"raw_codec": _RAW.format("codec"), "raw_data": _RAW.format("html")}


@dataclass(frozen=True)
class Filters:
    query: str | None = None
    source: str | None = None
    agency: str | None = None
    since: datetime | date | None = None
    until: datetime | date | None = None
    collapse_stories: bool = False

    def saved(self) -> str:
        """What a named incremental export remembers with its cursor (JSON), which is only
        right for these filters: the query with its spaces tidied, bounds in UTC (a day
        and its midnight, any zone, are one bound)."""
        return json.dumps(
            {
                "query": " ".join(self.query.split()) if self.query else None,
                "source": self.source,
                "agency": self.agency,
                "since": utc_bound(self.since) if self.since else None,
                "until": utc_bound(self.until, end=True) if self.until else None,
                "collapse_stories": self.collapse_stories,
            },
            ensure_ascii=False,
            sort_keys=True,
        )


def narrower_or_same(saved: str, filters: Filters) -> bool:
    """May a cursor saved with the filters `saved` go on for `filters`? Only when every
    row they select was one the saved filters selected: the same filters, or a later
    --since (a cron line with a moving start). Filters saved in a form this version does
    not read are taken as the same."""
    try:
        before = json.loads(saved)
        now = json.loads(filters.saved())
    except ValueError:
        return True
    if not isinstance(before, dict):
        return True
    later_since = before.get("since") is None or (
        now["since"] is not None and now["since"] >= before["since"]
    )
    rest = {k: v for k, v in now.items() if k != "since"}
    return later_since and rest == {k: v for k, v in before.items() if k != "since"}


def described(saved: str) -> str:
    """Saved filters as the command line gives them (`QUERY 'мост' --source amic`)."""
    try:
        values = json.loads(saved)
    except ValueError:
        return saved
    if not isinstance(values, dict):
        return saved
    parts = [f"QUERY {values['query']!r}"] if values.get("query") else []
    for name in ("source", "agency", "since", "until"):
        if values.get(name):
            parts.append(f"--{name} {values[name]}")
    parts += ["--collapse-stories"] if values.get("collapse_stories") else []
    return " ".join(parts) or "no filters"


@dataclass(frozen=True)
class Selection:
    """The WHERE clause of an export, with the change key when it is incremental."""

    where: str
    params: tuple[Any, ...]
    key: str | None = None

    def count(self, conn: sqlite3.Connection) -> int:
        return int(
            conn.execute(
                f"SELECT COUNT(*) FROM articles WHERE {self.where}", self.params
            ).fetchone()[0]
        )

    def rows(self, conn: sqlite3.Connection, columns: Sequence[str]) -> Iterator[dict[str, Any]]:
        """The selected `articles` columns (plus the change key) of every row, by id."""
        names = list(dict.fromkeys(["id", *columns]))
        select = ", ".join(JOINED.get(n, f"articles.[{n}]") for n in names)
        if self.key:
            select += f", {self.key} AS {KEY_ALIAS}"
            names.append(KEY_ALIAS)
        cur = conn.execute(
            f"SELECT {select} FROM articles WHERE {self.where} ORDER BY articles.id", self.params
        )
        try:
            while batch := cur.fetchmany(FETCH_ROWS):
                for values in batch:
                    yield dict(zip(names, values, strict=True))
        finally:
            cur.close()


def _matching(
    filters: Filters, after: ExportCursor | None, key: str | None
) -> tuple[list[str], list[Any]]:
    where, params = filter_sql(
        source=filters.source, agency=filters.agency, since=filters.since, until=filters.until
    )
    dated = filters.since is not None or filters.until is not None
    if dated and filters.query is None and after is None:
        # (With a query or a cursor, their few ids lead and the dates only filter them.)
        where = [f"articles.id IN ({dated_ids(where, source=bool(filters.source))})"]
    if filters.query is not None:
        where.append(f"articles.id IN (SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH ?)")
        params.append(parse_query(filters.query).fts)
    if after is not None and key is not None:
        # A subquery of ids, so the index of the key finds the few changed rows; compared
        # in the outer query, SQLite would rather scan every row in id order.
        where.append(
            f"articles.id IN (SELECT articles.id FROM articles WHERE ({key}, articles.id) > (?, ?))"
        )
        params += [after.last_seen, after.last_id]
    return where, params


def select(
    filters: Filters, *, after: ExportCursor | None = None, key: str | None = None
) -> Selection:
    """The articles matching `filters` (changed after `after`, by `key`), collapsed per story
    if asked: the story's origin article when it matches, else its earliest published match;
    articles in no story always pass."""
    where, params = _matching(filters, after, key)
    if filters.collapse_stories:
        inner = " AND ".join(["articles.story_id IS NOT NULL", *where])
        where.append(
            "(articles.story_id IS NULL OR articles.id IN (SELECT id FROM ("
            "SELECT articles.id AS id, ROW_NUMBER() OVER (PARTITION BY articles.story_id "
            f"ORDER BY articles.id = stories.origin_article_id DESC, {WHEN} IS NULL, {WHEN}, "
            "articles.id) AS n FROM articles LEFT JOIN stories ON stories.id = articles.story_id "
            f"WHERE {inner}) WHERE n = 1))"
        )
        params = params + params
    return Selection(" AND ".join(where) or "1", tuple(params), key)
