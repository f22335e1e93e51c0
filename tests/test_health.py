"""Health flags: pure rules over run histories, then `stats` and `crawl --check` on an archive."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from conftest import load_truth, run_cli

from crawler.demo.server import DemoSite
from crawler.health import CHECK_EXIT_CODE, HealthPolicy, health, source_flags
from pipelines.archive import Archive

NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)
FULL = {"published_at": 1.0, "agency": 0.95, "photo_credits": 0.8, "lead": 1.0}


def entry(new: int = 5, pages: int = 10, **coverage: float) -> dict[str, Any]:
    return {
        "pages": pages,
        "new": new,
        "updated": 0,
        "unchanged": 0,
        "duplicate": 0,
        "dropped": {},
        "coverage": {**FULL, **coverage} if new else {},
    }


def run(hours_ago: float, status: str = "finished", **sources: dict[str, Any]) -> dict[str, Any]:
    started = (NOW - timedelta(hours=hours_ago)).strftime("%Y-%m-%dT%H:%M:%SZ")
    return {"started_at": started, "status": status, "stats": {"sources": sources}}


def test_a_steady_source_is_healthy() -> None:
    runs = [run(h, amic=entry()) for h in (4, 3, 2, 1)]
    assert source_flags(runs, "amic", now=NOW) == []


def test_a_field_falling_well_below_its_history_is_flagged() -> None:
    runs = [run(h, amic=entry()) for h in (5, 4, 3, 2)] + [run(1, amic=entry(agency=0.4))]
    assert source_flags(runs, "amic", now=NOW) == ["coverage drop: agency 95%→40%"]
    # a dip inside the allowed margin is not
    runs[-1] = run(1, amic=entry(agency=0.75))
    assert source_flags(runs, "amic", now=NOW) == []


def test_a_run_too_small_to_judge_raises_no_coverage_flag() -> None:
    runs = [run(h, amic=entry()) for h in (3, 2)] + [run(1, amic=entry(new=2, agency=0.0))]
    assert source_flags(runs, "amic", now=NOW) == []


def test_stale_needs_quiet_runs_and_a_long_time_without_news() -> None:
    quiet = [run(h, amic=entry(new=0)) for h in (20, 10, 1)]
    last_news = (NOW - timedelta(hours=30)).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert source_flags([run(30, amic=entry()), *quiet], "amic", now=NOW) == [
        f"stale: no new articles in 3 runs since {last_news}"
    ]
    # the last news came 5 hours ago: a quiet evening, not a broken site
    evening = [run(h, amic=entry(new=0)) for h in (3, 2, 1)]
    assert source_flags([run(5, amic=entry()), *evening], "amic", now=NOW) == []
    # two quiet runs are not enough
    assert source_flags([run(30, amic=entry()), *quiet[:2]], "amic", now=NOW) == []


def test_a_source_that_answered_nothing_is_down_but_304s_are_answers() -> None:
    down = entry(new=0, pages=0)
    down["http"] = {"503": 3}
    flags = source_flags([run(2, amic=entry()), run(1, amic=down)], "amic", now=NOW)
    assert flags == ["down: no page fetched in the last run (HTTP 503 ×3)"]
    unchanged = {**entry(new=0, pages=0), "not_modified": 3}
    assert source_flags([run(2, amic=entry()), run(1, amic=unchanged)], "amic", now=NOW) == []


def test_download_errors_explain_a_down_source() -> None:
    down = {**entry(new=0, pages=0), "errors": {"dns": 3}}
    flags = source_flags([run(2, amic=entry()), run(1, amic=down)], "amic", now=NOW)
    assert flags == ["down: no page fetched in the last run (DNS lookup failed ×3)"]


def test_a_run_that_recorded_nothing_for_a_crawled_source_counts_as_down() -> None:
    silent = run(1)  # older crawls summarised only the sources that answered
    silent["sources"] = ["amic"]
    runs = [run(2, amic=entry()), silent]
    assert health(runs, now=NOW) == {"amic": ["down: no page fetched in the last run"]}


def test_interrupted_runs_say_nothing_about_the_site() -> None:
    runs = [run(h, amic=entry()) for h in (4, 3, 2)]
    runs.append(run(1, status="interrupted", amic=entry(agency=0.0, pages=0)))
    assert health(runs, now=NOW) == {"amic": []}


def test_policy_is_adjustable() -> None:
    runs = [run(h, amic=entry()) for h in (3, 2)] + [run(1, amic=entry(agency=0.8))]
    assert source_flags(runs, "amic", HealthPolicy(coverage_drop=0.1), now=NOW) == [
        "coverage drop: agency 95%→80%"
    ]


# -- on a real archive --------------------------------------------------------------


def add_run(archive: Archive, started: datetime, sources: dict[str, Any]) -> None:
    run_id = archive.start_run(list(sources))
    archive.finish_run(run_id, {"sources": sources}, status="finished")
    stamp = started.strftime("%Y-%m-%dT%H:%M:%SZ")
    archive.db.execute("UPDATE crawl_runs SET started_at = ? WHERE id = ?", [stamp, run_id])
    archive.db.conn.commit()


def authors_share(key: str) -> float:
    articles = load_truth(key)["articles"]
    return sum(1 for a in articles if a.get("authors")) / len(articles)


@pytest.fixture(scope="module")
def history_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Four earlier runs: amic used to have authors on 90 % of its articles; katun24 has
    brought nothing new for two days."""
    db = tmp_path_factory.mktemp("health") / "news.db"
    now = datetime.now(UTC)
    with Archive.open(db) as archive:
        for days in (2.0, 1.5, 1.0, 0.5):
            started = now - timedelta(days=days)
            katun24 = entry(new=5 if days == 2.0 else 0)
            add_run(archive, started, {"amic": entry(authors=0.9), "katun24": katun24})
    return db


def test_stats_shows_the_flags(history_db: Path) -> None:
    result = run_cli("stats", "--db", str(history_db), "--json")
    assert result.returncode == 0, result.stderr
    flags = json.loads(result.stdout)["health"]
    assert flags["amic"] == []
    assert [f.split(" since ")[0] for f in flags["katun24"]] == ["stale: no new articles in 3 runs"]
    table = run_cli("stats", "--db", str(history_db))
    assert table.returncode == 0, table.stderr
    assert "stale: no new articles in 3 runs" in table.stdout


def test_crawl_check_exits_non_zero_on_a_coverage_drop_and_keeps_failed_pages(
    history_db: Path,
) -> None:
    with DemoSite(sources=["amic", "sibnovosti"]) as site:
        bases = [
            arg for key in ("amic", "sibnovosti") for arg in ("--base", f"{key}={site.bases[key]}")
        ]
        result = run_cli(
            "crawl", "amic", "sibnovosti", *bases, "--db", str(history_db), "--json", "--check"
        )
    assert result.returncode == CHECK_EXIT_CODE, result.stderr[-3000:]
    expected = f"coverage drop: authors 90%→{authors_share('amic'):.0%}"
    assert f"amic: {expected}" in result.stderr
    summary = json.loads(result.stdout.strip().splitlines()[-1])
    assert summary["health"] == {"amic": [expected], "sibnovosti": []}
    # the pages that failed extraction are kept with their reason, for a golden test
    kept = {
        (meta["url"].removeprefix(site.bases["amic"]), meta["reason"])
        for meta in (
            json.loads(p.read_text(encoding="utf-8"))
            for p in (history_db.parent / "failed" / history_db.stem / "amic").glob("*.json")
        )
    }
    truth = {
        (page["path"], page["reason"])
        for page in load_truth("amic")["not_articles"]
        if page["reason"] in ("error page", "empty body")
    }
    assert kept == truth
    for meta_path in (history_db.parent / "failed" / history_db.stem / "amic").glob("*.json"):
        assert meta_path.with_suffix(".html").stat().st_size > 0
