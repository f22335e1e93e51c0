"""Shared helpers for the throwaway demo-site generators."""
from __future__ import annotations

import html
import json
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

BARNAUL = ZoneInfo("Asia/Barnaul")
MONTHS = ["января", "февраля", "марта", "апреля", "мая", "июня", "июля", "августа",
          "сентября", "октября", "ноября", "декабря"]


def dt(y: int, mo: int, d: int, h: int, mi: int) -> datetime:
    return datetime(y, mo, d, h, mi, tzinfo=BARNAUL)


def ru_date(d: datetime) -> str:
    return f"{d.day} {MONTHS[d.month - 1]} {d.year}"


def t(s: str) -> str:
    return html.escape(s, quote=False)


def a(s: str) -> str:
    return html.escape(s, quote=True)


def write(root: Path, rel: str, text: str, encoding: str = "utf-8") -> None:
    p = root / rel
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_bytes(text.encode(encoding))


def write_json(root: Path, rel: str, data: object) -> None:
    write(root, rel, json.dumps(data, ensure_ascii=False, indent=2) + "\n")
