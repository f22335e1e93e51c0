"""CSV for spreadsheets and R: a header row, JSON text for lists and objects.

QUOTE_MINIMAL quotes every cell that holds a comma, a quote or a newline, which Excel and
LibreOffice read back as one cell. `excel=True` adds the UTF-8 byte order mark (without it
Excel reads the file as the local code page) and CRLF line ends.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from typing import Any, BinaryIO

import orjson
import pyarrow as pa

from pipelines.export.columns import Column

BOM = "\ufeff"


def iso_utc(moment: datetime) -> str:
    """The same spelling as the JSONL export: 2024-03-05T04:10:00Z."""
    return moment.isoformat().replace("+00:00", "Z")


def _cell(column: Column) -> Callable[[Any], Any]:
    if column.is_json:
        return lambda v: orjson.dumps(v).decode("utf-8")
    if pa.types.is_timestamp(column.arrow_type):
        return lambda v: "" if v is None else iso_utc(v)
    return lambda v: v  # csv writes None as an empty cell


def write_csv(
    rows: Iterable[dict[str, Any]],
    columns: Sequence[Column],
    out: BinaryIO,
    *,
    excel: bool = False,
) -> int:
    """Write the header and a line per row; returns the number of rows written."""
    text = io.TextIOWrapper(out, encoding="utf-8", newline="", write_through=False)
    try:
        if excel:
            text.write(BOM)
        writer = csv.writer(text, lineterminator="\r\n" if excel else "\n")
        writer.writerow([c.name for c in columns])
        cells = [(c.name, _cell(c)) for c in columns]
        count = 0
        for row in rows:
            writer.writerow([convert(row[name]) for name, convert in cells])
            count += 1
        text.flush()
    finally:
        text.detach()  # leave `out` open: its owner closes (or renames) it
    return count
