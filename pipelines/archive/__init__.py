"""The SQLite archive: schema and migrations, storing, Russian full-text search, reparse.

Everything outside this package talks to the archive through `Archive`.
"""

from pipelines.archive.archive import Archive, ArchiveNotFound, NotAnArchive
from pipelines.archive.query import SearchQueryError
from pipelines.archive.search import SearchHit
from pipelines.archive.writer import StoreOutcome

__all__ = [
    "Archive",
    "ArchiveNotFound",
    "NotAnArchive",
    "SearchHit",
    "SearchQueryError",
    "StoreOutcome",
]
