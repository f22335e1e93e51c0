"""Scrapy's flat counters -> the per-source run summary and its one log line."""

from __future__ import annotations

from crawler.runstats import source_line, summarize, totals

STATS = {
    "downloader/response_count": 30,
    "downloader/response_status_count/200": 25,
    "downloader/response_status_count/301": 1,
    "downloader/response_status_count/304": 2,
    "downloader/response_status_count/404": 2,
    "newsagg/amic/pages": 22,
    "newsagg/amic/not_modified": 2,
    "newsagg/amic/new": 3,
    "newsagg/amic/updated": 1,
    "newsagg/amic/unchanged": 1,
    "newsagg/amic/dropped/error page": 1,
    "newsagg/amic/dropped/empty body": 1,
    "newsagg/amic/http/404": 2,
    "newsagg/amic/has/published_at": 5,
    "newsagg/amic/has/agency": 5,
    "newsagg/amic/has/photo_credits": 4,
    "newsagg/amic/has/lead": 5,
    "newsagg/run_id": 7,
}


def test_summary_per_source() -> None:
    summary = summarize(STATS)
    assert summary["pages"] == 30
    assert summary["http_errors"] == {"404": 2}  # redirects and 304s are not errors
    amic = summary["sources"]["amic"]
    assert (amic["new"], amic["updated"], amic["unchanged"], amic["duplicate"]) == (3, 1, 1, 0)
    assert amic["dropped"] == {"error page": 1, "empty body": 1}
    assert amic["http"] == {"404": 2}
    assert amic["not_modified"] == 2
    # shares of the 5 stored articles; a field no article had is 0, not missing
    assert amic["coverage"] == {
        "agency": 1.0,
        "authors": 0.0,
        "images": 0.0,
        "lead": 1.0,
        "photo_credits": 0.8,
        "published_at": 1.0,
    }
    assert totals(summary)["stored"] == 5


def test_one_line_per_source() -> None:
    line = source_line("amic", summarize(STATS)["sources"]["amic"])
    assert line == (
        "amic: 22 pages (+2 not modified), 3 new, 1 updated, 0 duplicate, "
        "2 dropped (empty body 1, error page 1), HTTP 404 ×2, "
        "coverage date 100% agency 100% credit 80% lead 100%"
    )


def test_a_source_that_stored_nothing_has_no_coverage() -> None:
    summary = summarize({"newsagg/ngs22/pages": 3, "newsagg/ngs22/skipped_known": 12})
    entry = summary["sources"]["ngs22"]
    assert entry["coverage"] == {}
    assert source_line("ngs22", entry) == "ngs22: 3 pages, 0 new, 0 updated, 0 duplicate, 0 dropped"


def test_a_crawled_source_that_never_answered_has_an_entry_with_its_errors() -> None:
    stats = {
        "downloader/exception_count": 9,
        "newsagg/amic/errors/dns": 3,
        "newsagg/katun24/errors/refused": 2,
        "newsagg/katun24/errors/timeout": 1,
    }
    summary = summarize(stats, ["amic", "katun24", "ngs22"])
    assert sorted(summary["sources"]) == ["amic", "katun24", "ngs22"]
    assert summary["sources"]["amic"]["errors"] == {"dns": 3}
    assert summary["sources"]["ngs22"]["pages"] == 0  # no counter at all, still listed
    assert source_line("amic", summary["sources"]["amic"]) == (
        "amic: 0 pages, DNS lookup failed ×3, 0 new, 0 updated, 0 duplicate, 0 dropped"
    )
    assert source_line("katun24", summary["sources"]["katun24"]).startswith(
        "katun24: 0 pages, connection refused ×2, timed out ×1, 0 new"
    )


def test_exceptions_in_our_callbacks_are_counted_per_source_and_shown() -> None:
    """Scrapy counts them as `spider_exceptions/*`, which the summary used to leave out."""
    stats = {
        "spider_exceptions/count": 12,
        "spider_exceptions/ImportError": 12,
        "newsagg/ngs22/pages": 14,
        "newsagg/ngs22/spider_exceptions/ImportError": 12,
    }
    summary = summarize(stats, ["ngs22"])
    assert summary["spider_exceptions"] == 12
    entry = summary["sources"]["ngs22"]
    assert entry["spider_exceptions"] == {"ImportError": 12}
    assert source_line("ngs22", entry) == (
        "ngs22: 14 pages, spider exceptions ImportError ×12, 0 new, 0 updated, 0 duplicate, "
        "0 dropped"
    )
