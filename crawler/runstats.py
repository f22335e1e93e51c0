"""Turn Scrapy's flat stats into the per-source summary of a crawl run.

Spider and pipelines count under `newsagg/<source>/<key>` (e.g. `newsagg/amic/new`,
`newsagg/amic/dropped/error page`, `newsagg/amic/errors/dns`,
`newsagg/amic/spider_exceptions/ImportError`); this module is the one reader of that scheme.
Every crawled source gets an entry, also one that never answered: a silent source must show
up as such, not vanish from the summary.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime
from typing import Any

OUTCOMES = ("new", "updated", "unchanged", "duplicate")
# Article fields whose share per run health checks watch (counted as `has/<field>`).
COVERAGE_FIELDS = ("published_at", "agency", "photo_credits", "lead", "authors", "images")
# Coverage fields in the one-line summary, with the names people read.
LINE_FIELDS = {
    "published_at": "date",
    "agency": "agency",
    "photo_credits": "credit",
    "lead": "lead",
}
# Download failure kinds (counted as `errors/<kind>` by the spider's errback) -> what people read.
ERROR_LABELS = {
    "dns": "DNS lookup failed",
    "refused": "connection refused",
    "timeout": "timed out",
    "lost": "connection lost",
    "tls": "TLS error",
    "robots": "forbidden by robots.txt",
    "http 5xx": "HTTP 5xx",
}


def error_text(errors: dict[str, int]) -> str:
    """`{"dns": 3}` -> `DNS lookup failed ×3` (kinds in a stable order)."""
    return ", ".join(f"{ERROR_LABELS.get(kind, kind)} ×{n}" for kind, n in sorted(errors.items()))


def http_text(http: dict[str, int]) -> str:
    """`{"404": 2}` -> `HTTP 404 ×2` (codes in order); empty for none."""
    if not http:
        return ""
    return "HTTP " + ", ".join(f"{code} ×{n}" for code, n in sorted(http.items()))


def exception_text(exceptions: dict[str, int]) -> str:
    """`{"ImportError": 12}` -> `ImportError ×12` (types in a stable order)."""
    return ", ".join(f"{name} ×{n}" for name, n in sorted(exceptions.items()))


def _empty_entry() -> dict[str, Any]:
    return {
        "pages": 0,
        "article_pages": 0,
        "errors": {},
        "dropped": {},
        **dict.fromkeys(OUTCOMES, 0),
    }


def summarize(stats: dict[str, Any], keys: Iterable[str] = ()) -> dict[str, Any]:
    """The run summary; `keys` are the sources crawled, each gets an entry even if silent."""
    sources: dict[str, dict[str, Any]] = defaultdict(_empty_entry)
    for key in keys:
        sources.setdefault(key, _empty_entry())
    for name, value in stats.items():
        if not name.startswith("newsagg/") or name.count("/") < 2:
            continue
        _, key, what = name.split("/", 2)
        entry = sources[key]
        if what.startswith("dropped/"):
            reason = what.split("/", 1)[1]
            entry["dropped"][reason] = entry["dropped"].get(reason, 0) + int(value)
        elif what.startswith("http/"):
            entry.setdefault("http", {})[what.split("/", 1)[1]] = int(value)
        elif what.startswith("errors/"):
            entry.setdefault("errors", {})[what.split("/", 1)[1]] = int(value)
        elif what.startswith("spider_exceptions/"):
            entry.setdefault("spider_exceptions", {})[what.split("/", 1)[1]] = int(value)
        elif what.startswith("has/"):
            entry.setdefault("has", {})[what.split("/", 1)[1]] = int(value)
        else:
            entry[what] = int(value)
    start, finish = stats.get("start_time"), stats.get("finish_time")
    elapsed = None
    if isinstance(start, datetime) and isinstance(finish, datetime):
        elapsed = round((finish - start).total_seconds(), 2)
    for entry in sources.values():
        seen = sum(int(entry.get(k, 0)) for k in ("new", "updated", "unchanged"))
        has = entry.pop("has", {})
        names = sorted({*COVERAGE_FIELDS, *has})
        entry["coverage"] = {k: round(has.get(k, 0) / seen, 3) for k in names} if seen else {}
    return {
        "pages": int(stats.get("downloader/response_count", 0)),
        "http_errors": {
            k.rsplit("/", 1)[1]: int(v)
            for k, v in stats.items()
            if k.startswith("downloader/response_status_count/")
            and k.rsplit("/", 1)[1].isdigit()
            and int(k.rsplit("/", 1)[1]) >= 400
        },
        "exceptions": int(stats.get("downloader/exception_count", 0)),
        # raised by our own callbacks (a bug, a missing module): each one cost its page
        "spider_exceptions": int(stats.get("spider_exceptions/count", 0)),
        "elapsed_seconds": elapsed,
        "finish_reason": stats.get("finish_reason"),
        "sources": {k: dict(v) for k, v in sorted(sources.items())},
    }


def totals(summary: dict[str, Any]) -> dict[str, Any]:
    """Sums over sources: new, updated, unchanged, duplicate, dropped by reason."""
    out: dict[str, Any] = dict.fromkeys(OUTCOMES, 0)
    dropped: dict[str, int] = defaultdict(int)
    for entry in summary.get("sources", {}).values():
        for key in OUTCOMES:
            out[key] += int(entry.get(key, 0))
        for reason, n in entry.get("dropped", {}).items():
            dropped[reason] += n
    out["dropped"] = dict(sorted(dropped.items()))
    out["stored"] = out["new"] + out["updated"] + out["unchanged"]
    return out


def source_line(key: str, entry: dict[str, Any]) -> str:
    """One line per source per run, for logs and cron mail:
    `amic: 22 pages, 3 new, 1 updated, 0 duplicate, 2 dropped (error page 1, empty body 1),
    coverage date 100% agency 100% credit 80%`, or for a source that did not answer
    `amic: 0 pages, DNS lookup failed ×3, 0 new, 0 updated, 0 duplicate, 0 dropped`, or
    whose pages our code failed on `amic: 17 pages, spider exceptions ImportError ×16, ...`."""
    pages = int(entry.get("pages", 0))
    parts = [f"{pages} pages"]
    if entry.get("not_modified"):
        parts[0] += f" (+{int(entry['not_modified'])} not modified)"
    if entry.get("errors"):
        parts.append(error_text(entry["errors"]))
    if entry.get("spider_exceptions"):
        parts.append("spider exceptions " + exception_text(entry["spider_exceptions"]))
    parts += [f"{int(entry.get(k, 0))} {k}" for k in ("new", "updated", "duplicate")]
    dropped = entry.get("dropped") or {}
    reasons = ", ".join(f"{reason} {n}" for reason, n in sorted(dropped.items()))
    parts.append(f"{sum(dropped.values())} dropped" + (f" ({reasons})" if reasons else ""))
    if entry.get("http"):
        parts.append(http_text(entry["http"]))
    coverage = entry.get("coverage") or {}
    shown = [
        f"{label} {coverage[name]:.0%}" for name, label in LINE_FIELDS.items() if name in coverage
    ]
    line = f"{key}: " + ", ".join(parts)
    return line + (", coverage " + " ".join(shown) if shown else "")
