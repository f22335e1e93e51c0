"""Plain-text tables and the crawl summary, for people reading a terminal or cron mail."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import click

from crawler.runstats import error_text, exception_text, totals


def table(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    cells = [[("" if v is None else str(v)) for v in row] for row in rows]
    widths = [len(h) for h in headers]
    for row in cells:
        for i, value in enumerate(row):
            widths[i] = max(widths[i], len(value))

    def line(values: Sequence[str]) -> str:
        return "  ".join(v.ljust(w) for v, w in zip(values, widths, strict=False)).rstrip()

    out = [line(list(headers)), line(["-" * w for w in widths])]
    out += [line(row) for row in cells]
    return "\n".join(out)


def crawl_summary(summary: dict[str, Any], wall_seconds: float) -> str:
    rows = []
    for key, s in summary.get("sources", {}).items():
        dropped = sum(s.get("dropped", {}).values())
        rows.append(
            [
                key,
                s.get("pages", 0),
                s.get("new", 0),
                s.get("updated", 0),
                s.get("unchanged", 0),
                s.get("duplicate", 0),
                dropped,
            ]
        )
    t = totals(summary)
    rows.append(
        [
            "total",
            summary.get("pages", 0),
            t["new"],
            t["updated"],
            t["unchanged"],
            t["duplicate"],
            sum(t["dropped"].values()),
        ]
    )
    text = table(["source", "pages", "new", "updated", "unchanged", "duplicate", "dropped"], rows)
    lines = [text]
    if t["dropped"]:
        reasons = ", ".join(f"{reason} {n}" for reason, n in t["dropped"].items())
        lines.append(f"dropped by reason: {reasons}")
    if summary.get("http_errors"):
        errors = ", ".join(f"HTTP {code}: {n}" for code, n in summary["http_errors"].items())
        lines.append(f"HTTP errors: {errors}")
    failed = {k: s["errors"] for k, s in summary.get("sources", {}).items() if s.get("errors")}
    if failed:
        parts = "; ".join(f"{key}: {error_text(errors)}" for key, errors in failed.items())
        lines.append(f"download errors: {parts}")
    raised = {
        k: s["spider_exceptions"]
        for k, s in summary.get("sources", {}).items()
        if s.get("spider_exceptions")
    }
    if raised:
        parts = "; ".join(f"{key}: {exception_text(names)}" for key, names in raised.items())
        lines.append(f"spider exceptions: {parts}")
    lines.append(f"wall time: {wall_seconds:.1f} s")
    return "\n".join(lines)


def echo_err(message: str) -> None:
    click.echo(message, err=True)
