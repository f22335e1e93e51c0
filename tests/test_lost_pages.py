"""A page a finished crawl lost is fetched again by the next run, which stores its article.

A run loses a page when the store cannot write its article (disk full, here a trigger that
fails the insert as a full disk would), or when it could not be downloaded (timed out). Such
a run used to keep the validators of every feed and listing, so the next runs got 304 Not
Modified, never saw the lost article's link again and stored nothing, while exiting 0. An
article listed only on the listing's second page needs more: the next run walks the listing
to its page limit, though its first page shows only known articles.
Each test crawls ngs22 of the demo site three times: losing, recovering, back to 304s.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from conftest import HoldingSite, load_truth, run_cli

from crawler.cli.crawl import EXIT_NOT_WRITTEN
from crawler.demo.server import DemoSite
from pipelines.archive import Archive

# On the first listing page and in the feed of ngs22 (so reached from a conditional GET).
LOST_PATH = "/text/incidents/2026/11/25/73497455/"
# Only on the second listing page: the next run must walk past a first page of known articles.
SECOND_PAGE_PATH = "/text/business/2026/10/09/73433741/"
# amic: only links in other amic articles (and a tag page, which the crawl does not read).
LINKED_PATH = (
    "/news/gubernator-tomenko-nazval-kazahstan-samym-krupnym-vneshnetorgovym-partnerom-575321"
)
ARTICLES = 12  # ngs22's articles on the demo site


def crawl(
    site: DemoSite, db: Path, *extra: str, key: str = "ngs22", code: int = 0
) -> tuple[dict[str, Any], list[tuple[str, int]]]:
    """One crawl of a source, which exits `code`: its summary and what the server was asked
    (path, status)."""
    site.clear_log()
    result = run_cli(
        "crawl",
        key,
        "--base",
        f"{key}={site.bases[key]}",
        "--db",
        str(db),
        "--json",
        "--recheck-hours",
        "0",
        *extra,
    )
    assert result.returncode == code, result.stderr[-3000:]
    if code == EXIT_NOT_WRITTEN:  # cron mails it: the reason is on stderr
        assert "articles could not be written to the archive" in result.stderr
    summary = json.loads(result.stdout.strip().splitlines()[-1])
    return summary["sources"][key], [(r.path, r.status) for r in site.requests]


def fill_the_disk_for(db: Path, path: str) -> sqlite3.Connection:
    """An archive in which storing the article at `path` fails as on a full disk (a trigger);
    the connection that frees the space (`free`)."""
    Archive.open(db).close()
    con = sqlite3.connect(db)
    con.execute(
        "CREATE TRIGGER disk_full BEFORE INSERT ON articles "
        f"WHEN NEW.canonical_url LIKE '%{path}' "
        "BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END"
    )
    con.commit()
    return con


def free(con: sqlite3.Connection) -> None:
    con.execute("DROP TRIGGER disk_full")
    con.commit()
    con.close()


def stored_paths(db: Path, base: str) -> set[str]:
    con = sqlite3.connect(db)
    try:
        return {
            url.removeprefix(base) for (url,) in con.execute("SELECT canonical_url FROM articles")
        }
    finally:
        con.close()


def assert_back_to_not_modified(site: DemoSite, db: Path) -> None:
    """A run that lost nothing keeps its validators again: the next one costs 304s only."""
    entry, asked = crawl(site, db)
    assert entry["new"] == 0 and entry["not_modified"] == 2
    assert sorted(asked) == [("/robots.txt", 200), ("/rss-feeds/rss.xml", 304), ("/text/", 304)]


@pytest.mark.parametrize("lost_path", [LOST_PATH, SECOND_PAGE_PATH], ids=["feed", "page-2"])
def test_an_article_the_store_could_not_write_is_stored_by_the_next_run(
    lost_path: str, tmp_path: Path
) -> None:
    db = tmp_path / "news.db"
    con = fill_the_disk_for(db, lost_path)
    with DemoSite(sources=["ngs22"]) as site:
        base = site.bases["ngs22"]
        lost, _ = crawl(site, db, code=EXIT_NOT_WRITTEN)
        assert lost["dropped"] == {"empty body": 1, "store error": 1}
        assert lost["lost_pages"] == 1
        assert lost["new"] == ARTICLES - 1 and lost_path not in stored_paths(db, base)

        free(con)
        again, asked = crawl(site, db)
        assert ("/rss-feeds/rss.xml", 200) in asked and ("/text/", 200) in asked
        assert (lost_path, 200) in asked
        assert again["new"] == 1 and "lost_pages" not in again
        assert lost_path in stored_paths(db, base)
        assert len(stored_paths(db, base)) == ARTICLES

        assert_back_to_not_modified(site, db)


def test_a_lost_article_only_links_lead_to_is_stored_by_the_next_run(tmp_path: Path) -> None:
    """No feed or listing shows amic's 575321, only links in other articles, which the next
    run does not fetch again (they are archived): it asks for the lost URL itself."""
    db = tmp_path / "news.db"
    con = fill_the_disk_for(db, LINKED_PATH)
    with DemoSite(sources=["amic"]) as site:
        base = site.bases["amic"]
        lost, _ = crawl(site, db, key="amic", code=EXIT_NOT_WRITTEN)
        assert lost["dropped"]["store error"] == 1 and LINKED_PATH not in stored_paths(db, base)
        stored = len(stored_paths(db, base))

        free(con)
        again, asked = crawl(site, db, key="amic")
        assert (LINKED_PATH, 200) in asked
        assert again["new"] == 1 and LINKED_PATH in stored_paths(db, base)
        assert len(stored_paths(db, base)) == stored + 1 == len(load_truth("amic")["articles"])


def test_an_article_that_timed_out_is_stored_by_the_next_run(tmp_path: Path) -> None:
    db = tmp_path / "news.db"
    with HoldingSite(LOST_PATH, hold=3.0, sources=["ngs22"]) as site:
        base = site.bases["ngs22"]
        lost, _ = crawl(site, db, "--timeout", "1")
        assert lost["errors"] == {"timeout": 1} and lost["lost_pages"] == 1
        assert lost["new"] == ARTICLES - 1 and LOST_PATH not in stored_paths(db, base)

        site.released.set()  # the site answers in time again
        again, asked = crawl(site, db)
        assert (LOST_PATH, 200) in asked
        assert again["new"] == 1 and again["errors"] == {}
        assert len(stored_paths(db, base)) == ARTICLES

        assert_back_to_not_modified(site, db)


def test_a_page_too_large_to_download_is_remembered_not_lost(tmp_path: Path) -> None:
    """A page past DOWNLOAD_MAXSIZE (8 MB) is the site's answer, the same on every run. It
    was counted lost, so every later run read the source in full and downloaded it again;
    now it is remembered (413) and tried again after NEWS_RETRY_HOURS."""
    db = tmp_path / "news.db"
    huge = "<html><body><p>" + "Очень длинная страница. " * 400_000 + "</p></body></html>"
    with DemoSite(sources=["ngs22"]) as site:
        site.put("ngs22", LOST_PATH, huge, headers={"Content-Type": "text/html; charset=utf-8"})
        first, asked = crawl(site, db)
        assert (LOST_PATH, 200) in asked
        assert first["errors"] == {"too large": 1} and first.get("lost_pages", 0) == 0
        assert first["new"] == ARTICLES - 1
        second, asked = crawl(site, db)
    assert LOST_PATH not in {path for path, _ in asked}
    assert second.get("lost_pages", 0) == 0 and second.get("errors", {}) == {}
    with sqlite3.connect(db) as conn:
        rows = conn.execute(
            "SELECT status FROM fetch_state WHERE url = ?", (site.bases["ngs22"] + LOST_PATH,)
        ).fetchall()
    assert rows == [(413,)]
