"""JSON Lines: one UTF-8 JSON object per line, Cyrillic as it is, timestamps as ISO UTC."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, BinaryIO

import orjson

from pipelines.export.columns import Column

OPTIONS = orjson.OPT_UTC_Z | orjson.OPT_APPEND_NEWLINE


def write_jsonl(rows: Iterable[dict[str, Any]], columns: Sequence[Column], out: BinaryIO) -> int:
    """Write each row as a line with the columns in order; returns the number written."""
    names = [c.name for c in columns]
    dumps = orjson.dumps
    count = 0
    for row in rows:
        out.write(dumps({n: row[n] for n in names}, option=OPTIONS))
        count += 1
    return count
