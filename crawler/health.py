"""Is a source still healthy? Pure functions over the recorded crawl runs.

A source is flagged when
- its last run fetched nothing at all (site down, blocked, moved, no network), or a run that
  was to crawl it recorded nothing for it: "down: no page fetched in the last run (DNS
  lookup failed ×3)";
- its last `stale_runs` runs brought no new article and the last new one is older than
  `stale_hours` (a quiet night is not a broken site): "stale";
- the share of its articles with some field (date, agency, credit, lead, ...) in its last
  run fell more than `coverage_drop` below the median of its own earlier runs, which is
  how a changed page layout shows: "coverage drop: agency 95%→40%".

Only runs that finished count; interrupted runs say nothing about the sites.
`newsagg stats` shows the flags and `newsagg crawl --check` exits non-zero on them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from statistics import median
from typing import Any

from crawler.runstats import error_text, http_text

# Item field -> the name people read in stats and flags.
FIELD_LABELS = {
    "published_at": "date",
    "agency": "agency",
    "photo_credits": "credit",
    "lead": "lead",
    "authors": "authors",
    "images": "images",
}
CHECK_EXIT_CODE = 3  # `newsagg crawl --check` when any crawled source is flagged


@dataclass(frozen=True)
class HealthPolicy:
    stale_runs: int = 3
    stale_hours: float = 24.0
    coverage_drop: float = 0.25
    coverage_min_articles: int = 3  # smaller runs are too noisy to judge coverage
    history_runs: int = 10  # earlier runs the coverage median is taken over


def stored_count(entry: dict[str, Any]) -> int:
    """Articles a run stored for a source: the base of its coverage shares."""
    return sum(int(entry.get(k) or 0) for k in ("new", "updated", "unchanged"))


def source_history(runs: Sequence[dict[str, Any]], key: str) -> list[tuple[str, dict[str, Any]]]:
    """(started_at, per-source entry) of the finished runs that crawled `key`, oldest first.
    A run that listed `key` among its sources but recorded nothing for it fetched nothing."""
    history = []
    for run in runs:
        entry = (run.get("stats") or {}).get("sources", {}).get(key)
        if entry is None and key in (run.get("sources") or ()):
            entry = {}
        if run.get("status") == "finished" and isinstance(entry, dict):
            history.append((str(run.get("started_at") or ""), entry))
    return history


def answered(entry: dict[str, Any]) -> bool:
    """Did the source give any page in this run (a `304` is an answer)?"""
    return bool(int(entry.get("pages") or 0) or int(entry.get("not_modified") or 0))


def _parse(moment: str) -> datetime | None:
    try:
        parsed = datetime.fromisoformat(moment.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _down(entry: dict[str, Any]) -> str | None:
    if answered(entry):
        return None
    details = (error_text(entry.get("errors") or {}), http_text(entry.get("http") or {}))
    detail = ", ".join(d for d in details if d)
    return "down: no page fetched in the last run" + (f" ({detail})" if detail else "")


def _stale(
    history: list[tuple[str, dict[str, Any]]], policy: HealthPolicy, now: datetime
) -> str | None:
    if len(history) < policy.stale_runs:
        return None
    if any(int(e.get("new") or 0) for _, e in history[-policy.stale_runs :]):
        return None
    last_new = max((i for i, (_, e) in enumerate(history) if int(e.get("new") or 0)), default=-1)
    since = history[max(last_new, 0)][0]
    moment = _parse(since)
    if moment is None or now - moment < timedelta(hours=policy.stale_hours):
        return None
    quiet = len(history) - 1 - last_new
    return f"stale: no new articles in {quiet} runs since {since}"


def _coverage_drops(history: list[tuple[str, dict[str, Any]]], policy: HealthPolicy) -> list[str]:
    last = history[-1][1]
    if stored_count(last) < policy.coverage_min_articles:
        return []
    earlier = [e for _, e in history[:-1] if stored_count(e)][-policy.history_runs :]
    flags = []
    for name, share in sorted((last.get("coverage") or {}).items()):
        previous = [float(e["coverage"][name]) for e in earlier if name in e.get("coverage", {})]
        if not previous:
            continue
        usual = median(previous)
        if float(share) < usual - policy.coverage_drop:
            label = FIELD_LABELS.get(name, name)
            flags.append(f"coverage drop: {label} {usual:.0%}→{float(share):.0%}")
    return flags


def source_flags(
    runs: Sequence[dict[str, Any]],
    key: str,
    policy: HealthPolicy | None = None,
    now: datetime | None = None,
) -> list[str]:
    """What is wrong with source `key` judging by `runs` (oldest first); [] when healthy."""
    policy = policy or HealthPolicy()
    history = source_history(runs, key)
    if not history:
        return []
    flags = []
    down = _down(history[-1][1])
    if down:
        flags.append(down)
    stale = _stale(history, policy, now or datetime.now(UTC))
    if stale and not down:
        flags.append(stale)
    flags += _coverage_drops(history, policy)
    return flags


def health(
    runs: Sequence[dict[str, Any]],
    keys: Sequence[str] | None = None,
    policy: HealthPolicy | None = None,
    now: datetime | None = None,
) -> dict[str, list[str]]:
    """Source key -> flags, for `keys` or every source the runs crawled."""
    if keys is None:
        seen: dict[str, None] = {}
        for run in runs:
            seen.update(dict.fromkeys(run.get("sources") or ()))
            seen.update(dict.fromkeys((run.get("stats") or {}).get("sources", {})))
        keys = sorted(seen)
    return {key: source_flags(runs, key, policy, now) for key in keys}
