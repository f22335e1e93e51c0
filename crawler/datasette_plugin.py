"""Datasette plugin: the archive's search box understands word forms, as `newsagg search` does.

Why: the FTS5 index holds stemmed shadow text (`pipelines.archive.stemming`), and Datasette
sends the words of `?_search=` as typed, so "Казахстан" (stem "казахста") found nothing.

How: Datasette's search box (`?_search=`, `?_search_<column>=`) and the documented way to
search from a canned query both read the query through the SQL function `escape_fts()`.
On connections to a newsagg archive this plugin registers its own `escape_fts()`, which
returns `parse_query(text).fts`: the same stems, operators and prefixes as `newsagg search`.
Other databases served alongside keep Datasette's function. `?_searchmode=raw` is untouched
(raw FTS5 over the stems). A query that cannot be read gets a 400 page with the reason, the
message `newsagg search` prints, instead of an empty or failing SQL query. Replacing the
function is the one clean seam: a `filters_from_request` hook can only add conditions next
to Datasette's own `_search` clause, not replace it, and a second FTS index over the original
text would double the indexing cost (docs/search.md, "Datasette").

The table page is not ranked (Datasette sorts by key), so the plugin also adds the canned
query `search` to an archive: bm25-ranked over the newest `RANK_WINDOW` matches as
`newsagg search` ranks, with the snippet cut by the project's code (`newsagg_snippet()`).

Loaded through the `datasette` entry point in pyproject.toml, so plain `datasette news.db`
gets it wherever newsagg is installed, and `newsagg serve` needs no `--plugins-dir`.
The archive modules are imported only when an archive is served.
"""

from __future__ import annotations

import sqlite3
from typing import Any

from datasette import hookimpl
from datasette.views.base import DatasetteError

TABLE = "articles"
# An FTS5 expression that is valid and matches nothing (an empty phrase).
NOTHING = '""'


def is_archive(conn: sqlite3.Connection) -> bool:
    """Whether the database is a newsagg archive with the stemmed index."""
    try:
        row = conn.execute("SELECT 1 FROM _migrations WHERE name = 'm002_search'").fetchone()
    except sqlite3.Error:
        return False
    return row is not None


def escape_fts(text: str | None) -> str:
    """The FTS5 expression `newsagg search` would run; matches nothing if it cannot be read."""
    from pipelines.archive.query import SearchQueryError, parse_query

    try:
        return parse_query(text or "").fts
    except SearchQueryError:
        return NOTHING


def search_snippet(lead: str | None, body: str | None, text: str | None) -> str:
    """The passage of lead and body that `newsagg search` shows, matched words in [ ]."""
    from pipelines.archive.query import SearchQueryError, parse_query
    from pipelines.archive.search import join_lead, snippet

    try:
        parsed = parse_query(text or "")
    except SearchQueryError:
        return ""
    return snippet(join_lead(lead, body), parsed)


@hookimpl(trylast=True)  # after Datasette's own escape_fts, so that this one replaces it
def prepare_connection(conn: sqlite3.Connection) -> None:
    if is_archive(conn):
        conn.create_function("escape_fts", 1, escape_fts, deterministic=True)
        conn.create_function("newsagg_snippet", 3, search_snippet, deterministic=True)


@hookimpl
def filters_from_request(request: Any, database: str, table: str, datasette: Any) -> Any:
    """Refuse an unreadable `_search` on `articles` with the reason, as `newsagg search` does."""
    if table != TABLE:
        return None

    async def check() -> None:
        searches = [
            request.args[k] for k in request.args if k == "_search" or k.startswith("_search_")
        ]
        if not searches or _raw_mode(request, datasette, database):
            return None
        if not await datasette.get_database(database).execute_fn(is_archive):
            return None
        from pipelines.archive.query import SearchQueryError, parse_query

        for text in searches:
            try:
                parse_query(text)
            except SearchQueryError as e:
                raise DatasetteError(f"Search: {e}", title="Invalid search", status=400) from e
        return None

    return check


def _raw_mode(request: Any, datasette: Any, database: str) -> bool:
    """Datasette's rule for `searchmode`: the query string wins over the metadata."""
    mode = request.args.get("_searchmode")
    if mode not in ("raw", "escaped"):
        mode = datasette.table_metadata(database, TABLE).get("searchmode")
    return bool(mode == "raw")


@hookimpl
def canned_queries(datasette: Any, database: str) -> Any:
    async def queries() -> dict[str, dict[str, str]]:
        if not await datasette.get_database(database).execute_fn(is_archive):
            return {}
        from pipelines.archive.search import RANK_WINDOW

        return {
            "search": {
                "title": "Search articles: word forms, ranked",
                "description": "q: the query language of `newsagg search`, matched words in [ ]",
                "sql": SEARCH_SQL.format(last=RANK_WINDOW - 1),
            }
        }

    return queries


# `newsagg search` in SQL: FTS5's bm25 (the table's `rank`, weighted to the headline) over
# the newest RANK_WINDOW matches, those from the rowid of the window's last one.
SEARCH_SQL = """
SELECT articles.id, articles.headline, articles.url, articles.source, articles.published_at,
  newsagg_snippet(articles.lead, articles.body, :q) AS snippet
FROM articles_fts JOIN articles ON articles.id = articles_fts.rowid
WHERE articles_fts MATCH escape_fts(:q)
  AND articles_fts.rowid >= COALESCE((
    SELECT rowid FROM articles_fts WHERE articles_fts MATCH escape_fts(:q)
    ORDER BY rowid DESC LIMIT 1 OFFSET {last}), 0)
ORDER BY articles_fts.rank, articles_fts.rowid DESC
LIMIT 50
"""
