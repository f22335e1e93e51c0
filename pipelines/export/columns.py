"""The export schema: one list of columns shared by JSONL, CSV and Parquet.

Each column names the `articles` columns it reads and turns them into one export value:
timestamps become aware UTC datetimes, JSON text becomes lists and dicts. The writers only
decide how such a value is spelled in their format (docs/export.md has the table).
"""

from __future__ import annotations

import base64
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import orjson
import pyarrow as pa

UTC_TIMESTAMP = pa.timestamp("us", tz="UTC")
PHOTO_CREDIT = pa.struct(
    [("text", pa.string()), ("photographer", pa.string()), ("organisation", pa.string())]
)
IMAGE = pa.struct([("url", pa.string()), ("caption", pa.string()), ("credit", pa.string())])

Reader = Callable[[dict[str, Any]], Any]


class UnknownFieldError(ValueError):
    """`--fields` named a column the export does not have; the message lists the valid ones."""

    def __init__(self, unknown: Sequence[str]) -> None:
        self.unknown = list(unknown)
        super().__init__(
            f"unknown field{'s' if len(unknown) > 1 else ''}: {', '.join(unknown)}; "
            f"valid fields: {', '.join(FIELD_NAMES)}"
        )


@dataclass(frozen=True)
class Column:
    name: str
    arrow_type: pa.DataType
    reads: tuple[str, ...]  # the `articles` columns it needs
    read: Reader
    doc: str

    @property
    def is_json(self) -> bool:
        """Lists and objects: JSON text in a CSV cell; provenance is JSON text in Parquet too."""
        return self.name in JSON_VALUED


def utc_time(value: str | None) -> datetime | None:
    """An ISO time with an offset as an aware UTC datetime; None when the offset is unknown
    (a naive time cannot honestly be placed on the UTC axis) or the text is no time."""
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    if moment.tzinfo is None:
        return None
    return moment.astimezone(UTC)


def offset_minutes(value: str | None) -> int | None:
    """The UTC offset written in an ISO time, in minutes (+07:00 -> 420); None if naive."""
    if not value:
        return None
    try:
        offset = datetime.fromisoformat(value).utcoffset()
    except ValueError:
        return None
    return None if offset is None else int(offset.total_seconds() // 60)


def _json(value: str | bytes | None, empty: Any) -> Any:
    if not value:
        return empty
    try:
        return orjson.loads(value)
    except orjson.JSONDecodeError:
        return empty


def _strings(value: str | None) -> list[str]:
    data = _json(value, [])
    return [str(x) for x in data if x is not None] if isinstance(data, list) else []


def _structs(keys: tuple[str, ...]) -> Callable[[str | None], list[dict[str, Any]]]:
    def read(value: str | None) -> list[dict[str, Any]]:
        data = _json(value, [])
        if not isinstance(data, list):
            return []
        return [{k: item.get(k) for k in keys} for item in data if isinstance(item, dict)]

    return read


def _object(value: str | None) -> dict[str, Any]:
    data = _json(value, {})
    return data if isinstance(data, dict) else {}


def _plain(name: str) -> Reader:
    return lambda row: row[name]


def _via(name: str, convert: Callable[[Any], Any]) -> Reader:
    return lambda row: convert(row[name])


def _col(name: str, arrow_type: pa.DataType, doc: str, read: Reader | None = None) -> Column:
    return Column(name, arrow_type, (name,), read or _plain(name), doc)


def _ts(name: str, doc: str) -> Column:
    return _col(name, UTC_TIMESTAMP, doc, _via(name, utc_time))


_credits = _structs(("text", "photographer", "organisation"))
_images = _structs(("url", "caption", "credit"))

COLUMNS: tuple[Column, ...] = (
    _col("id", pa.int64(), "archive id of the article; stable, use it to upsert"),
    _col("canonical_url", pa.string(), "the article's canonical URL (unique)"),
    _col("url", pa.string(), "the URL it was first fetched from"),
    _col("source", pa.string(), "source key, e.g. amic"),
    _col("agency", pa.string(), "the news agency that published it"),
    _col("language", pa.string(), "language code, e.g. ru"),
    _col("headline", pa.string(), "headline"),
    _col("lead", pa.string(), "lead paragraph"),
    _col("body", pa.string(), "main text, paragraphs separated by newlines"),
    _col("published_at", pa.string(), "publication time as on the page (ISO 8601, with offset)"),
    Column(
        "published_at_offset_minutes",
        pa.int16(),
        ("published_at",),
        _via("published_at", offset_minutes),
        "UTC offset of published_at in minutes (+07:00 -> 420); null when unknown",
    ),
    _ts("published_at_utc", "publication time in UTC; null when the page's offset is unknown"),
    _col("published_at_raw", pa.string(), "the date text exactly as printed"),
    _ts("modified_at", "last modification time in UTC; null when unknown or without offset"),
    _col("authors", pa.list_(pa.string()), "author names", _via("authors", _strings)),
    _col(
        "photo_credits",
        pa.list_(PHOTO_CREDIT),
        "photo credits: {text, photographer, organisation}",
        _via("photo_credits", _credits),
    ),
    _col("images", pa.list_(IMAGE), "images: {url, caption, credit}", _via("images", _images)),
    _col("rubric", pa.string(), "section of the site"),
    _col("tags", pa.list_(pa.string()), "tags", _via("tags", _strings)),
    _col("word_count", pa.int32(), "words in the body"),
    _ts("fetched_at", "when the page was fetched, UTC"),
    _ts("first_seen", "when the archive first stored it, UTC"),
    _ts("last_seen", "when a crawl last saw it, UTC"),
    _col("story_id", pa.int64(), "story cluster id shared by reprints; null if alone"),
    _col("content_hash", pa.string(), "SHA-1 of headline, lead and body"),
    _col(
        "provenance",
        pa.string(),
        "field -> extraction layer (a JSON object; JSON text in CSV and Parquet)",
        _via("provenance", _object),
    ),
    # Last, so that a table made from the files of earlier versions takes it by ADD COLUMN.
    _ts(
        "changed_at",
        "when a value of this row last changed, UTC (what --since-last goes by; not moved "
        "by a crawl that only sees the article again)",
    ),
)


def _raw_page(row: dict[str, Any]) -> dict[str, str] | None:
    data = row["raw_data"]
    if data is None:
        return None
    return {"codec": row["raw_codec"], "base64": base64.b64encode(data).decode("ascii")}


# The page as fetched, as stored (compressed): only on request (`--with-raw`), for moving
# articles to another archive with `newsagg import`, which keeps them re-parseable.
RAW_PAGE = Column(
    "raw_page",
    pa.struct([("codec", pa.string()), ("base64", pa.string())]),
    ("raw_codec", "raw_data"),
    _raw_page,
    "the page as fetched: {codec, base64 of the compressed bytes}; null if not kept",
)

BY_NAME: dict[str, Column] = {c.name: c for c in COLUMNS}
FIELD_NAMES: tuple[str, ...] = tuple(BY_NAME)
JSON_VALUED = frozenset({"authors", "photo_credits", "images", "tags", "provenance"})


def select_columns(fields: Sequence[str] | None) -> list[Column]:
    """The columns of an export, in the order asked for; all of them when `fields` is None."""
    if not fields:
        return list(COLUMNS)
    names = [f.strip() for f in fields if f.strip()]
    unknown = [n for n in names if n not in BY_NAME]
    if unknown:
        raise UnknownFieldError(unknown)
    return [BY_NAME[n] for n in dict.fromkeys(names)]


def source_columns(columns: Sequence[Column]) -> list[str]:
    """The `articles` columns to SELECT for these export columns, each once."""
    return list(dict.fromkeys(src for c in columns for src in c.reads))


def arrow_schema(columns: Sequence[Column]) -> pa.Schema:
    fields = [pa.field(c.name, c.arrow_type, metadata={"doc": c.doc}) for c in columns]
    return pa.schema(fields, metadata={"producer": "newsagg export"})
