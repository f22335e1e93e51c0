"""Exports of the archive for other tools: JSONL, CSV and Parquet, streamed and incremental.

One schema for all formats (`columns.COLUMNS`, documented in docs/export.md).
"""

from pipelines.export.articles import FORMATS, ExportError, ExportResult, export_articles
from pipelines.export.columns import COLUMNS, FIELD_NAMES, UnknownFieldError
from pipelines.export.cursor import ExportCursor

__all__ = [
    "COLUMNS",
    "FIELD_NAMES",
    "FORMATS",
    "ExportCursor",
    "ExportError",
    "ExportResult",
    "UnknownFieldError",
    "export_articles",
]
