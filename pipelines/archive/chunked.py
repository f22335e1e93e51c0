"""Lookups of many values with `IN (...)`, asked a few hundred at a time.

SQLite caps the parameters of one statement (32,766 in current builds, 999 in old ones),
and a batch of a bulk import can ask about more URLs, keys or ids than that.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator
from typing import Any

CHUNK = 400  # values per statement, or the connection's limit if lower


def select_in(conn: sqlite3.Connection, sql: str, values: Iterable[Any]) -> Iterator[Any]:
    """The rows of `sql`, whose `{}` is where the `IN` list goes, for all of `values`
    (each asked once, in order of first appearance)."""
    unique = list(dict.fromkeys(values))
    size = min(CHUNK, conn.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER))
    for start in range(0, len(unique), size):
        chunk = unique[start : start + size]
        yield from conn.execute(sql.format(",".join("?" * len(chunk))), chunk)
