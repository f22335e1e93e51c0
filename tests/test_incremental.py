"""Scheduled crawls fetch only what is new: two real crawls of a private demo site.

Between the runs the site gains one amic article (in the feed only), the amic listing
changes without gaining an article, and one sibnovosti article is edited with a newer
sitemap lastmod. The second run's request log (the server's side) must show exactly that
work: the new article, the edited one, conditional GETs answered 304 for unchanged feeds
and listings, and no archived article fetched again.
"""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from conftest import DEMO_KEYS, SITE_ROOT, crawl_demo, load_truth, run_cli

from crawler.demo.server import DemoSite, RequestRecord
from crawler.items import Article
from crawler.sources import get_source
from pipelines.archive import Archive
from pipelines.archive.crawlstate import (
    LOST,
    FetchRecord,
    SkipPolicy,
    known_urls,
    record_fetches,
    unfinished_sources,
)

NEW_PATH = "/news/v-barnaule-zalili-pervyj-katok-sezona-582001"
OLD_PATH = "/news/v-barnaule-pyanyj-voditel-ustroil-pogonyu-s-policiej-581927"
EDITED_PATH = "/news/2026/11/tolmachevo-rejsy-harbin-urumchi.html"
NEW_HEADLINE = "В Барнауле залили первый каток сезона"
NEW_LEAD = "Каток на площади Сахарова откроется в субботу"
NEW_TEXT = [
    "Коммунальщики залили первый в этом сезоне каток на площади Сахарова в Барнауле. "
    "Лед намораживали три ночи подряд, когда температура опускалась ниже минус 15 градусов.",
    "Каток откроется в субботу в 12:00. Вход будет бесплатным, прокат коньков обойдется "
    "в 200 рублей в час, рассказал директор парка Алексей Гущин.",
    "Всего до Нового года в городе планируют залить еще 24 катка во дворах и парках.",
]


@dataclass
class Runs:
    db: Path
    bases: dict[str, str]
    first: list[RequestRecord]
    second: list[RequestRecord]
    second_summary: dict[str, Any]


def new_amic_article() -> str:
    page = (SITE_ROOT / "amic" / (OLD_PATH.lstrip("/") + ".html")).read_text(encoding="utf-8")
    page = page.replace(OLD_PATH.rsplit("/", 1)[1], NEW_PATH.rsplit("/", 1)[1])
    page = page.replace(
        "В Барнауле пьяный водитель устроил погоню с полицией и врезался в забор", NEW_HEADLINE
    )
    page = page.replace("У 27-летнего мужчины никогда не было водительских прав", NEW_LEAD)
    paragraphs = "".join(f"<p>{p}</p>\n" for p in NEW_TEXT)
    return re.sub(
        r'(<section class="text">).*?(</section>)', rf"\1\n{paragraphs}\2", page, flags=re.S
    )


def feed_with_new_item() -> str:
    feed = (SITE_ROOT / "amic" / "rss" / "index.xml").read_text(encoding="utf-8")
    item = (
        f"<item><title>{NEW_HEADLINE}</title>"
        f"<link>https://www.amic.ru{NEW_PATH}</link>"
        "<pubDate>Thu, 26 Nov 2026 18:00:00 +0700</pubDate>"
        f"<description>{NEW_LEAD}</description></item>\n    "
    )
    return feed.replace("<item>", item + "<item>", 1)


def edited_sibnovosti() -> tuple[str, str]:
    folder = SITE_ROOT / "sibnovosti"
    page = (folder / EDITED_PATH.lstrip("/")).read_text(encoding="utf-8")
    edited = page.replace("дважды в неделю", "трижды в неделю", 1)
    assert edited != page
    sitemap = (folder / "sitemap.xml").read_text(encoding="utf-8")
    # edited after the first run's fetch; archive times are whole seconds, so a minute on
    now = (datetime.now(UTC) + timedelta(minutes=1)).strftime("%Y-%m-%dT%H:%M:%S+00:00")
    sitemap = re.sub(
        r"(<loc>[^<]*" + re.escape(EDITED_PATH) + r"</loc>\s*<lastmod>)[^<]*",
        rf"\g<1>{now}",
        sitemap,
    )
    return edited, sitemap


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Runs]:
    db = tmp_path_factory.mktemp("incremental") / "news.db"
    with DemoSite() as site:
        first = crawl_demo(site, db, "--recheck-hours", "0")
        assert first.returncode == 0, first.stderr[-3000:]
        first_log = list(site.requests)
        site.clear_log()
        site.put("amic", NEW_PATH, new_amic_article())
        site.put("amic", "/rss/", feed_with_new_item())
        listing = (SITE_ROOT / "amic" / "news" / "incident.html").read_text(encoding="utf-8")
        site.put("amic", "/news/incident", listing.replace("</body>", "<!-- v2 --></body>"))
        page, sitemap = edited_sibnovosti()
        site.put("sibnovosti", EDITED_PATH, page)
        site.put("sibnovosti", "/sitemap.xml", sitemap)
        second = crawl_demo(site, db, "--recheck-hours", "0")
        assert second.returncode == 0, second.stderr[-3000:]
        summary = json.loads(second.stdout.strip().splitlines()[-1])
        yield Runs(db, dict(site.bases), first_log, list(site.requests), summary)


def archived_paths(key: str) -> set[str]:
    return {a["path"] for a in load_truth(key)["articles"]}


def test_second_run_fetches_only_the_new_and_the_changed(runs: Runs) -> None:
    fetched = {(r.source, r.path) for r in runs.second if r.status == 200}
    assert ("amic", NEW_PATH) in fetched
    assert ("sibnovosti", EDITED_PATH) in fetched
    again = [
        (key, path)
        for key in DEMO_KEYS
        for path in archived_paths(key)
        if (key, path) in fetched and path != EDITED_PATH
    ]
    assert again == []
    # everything else the second run asked for is robots.txt, a changed feed or listing,
    # or a 304: nothing unchanged came down again
    rest = {
        (r.source, r.path)
        for r in runs.second
        if r.status == 200 and r.path not in ("/robots.txt", NEW_PATH, EDITED_PATH)
    }
    assert rest == {
        ("amic", "/rss/"),
        ("amic", "/news/incident"),
        ("sibnovosti", "/sitemap.xml"),
    }
    assert len(runs.second) < len(runs.first) // 3


def test_unchanged_feeds_and_listings_answer_304(runs: Runs) -> None:
    not_modified = {(r.source, r.path) for r in runs.second if r.status == 304}
    assert {
        ("katun24", "/sitemap.xml"),
        ("katun24", "/news"),
        ("ngs22", "/rss-feeds/rss.xml"),
        ("ngs22", "/text/"),
    } <= not_modified
    conditional = [r for r in runs.second if r.status == 304]
    assert all("If-None-Match" in r.headers for r in conditional)


def test_pagination_stops_at_a_page_of_known_articles(runs: Runs) -> None:
    assert ("amic", "/news/incident?page=2") in {(r.source, r.path) for r in runs.first}
    assert not [r for r in runs.second if r.path.startswith("/news/incident?page=")]


def test_second_run_stores_one_new_and_one_updated(runs: Runs) -> None:
    sources = runs.second_summary["sources"]
    assert sources["amic"]["new"] == 1
    assert sources["sibnovosti"]["updated"] == 1
    assert sum(s.get("new", 0) for s in sources.values()) == 1
    con = sqlite3.connect(runs.db)
    try:
        headline = con.execute(
            "SELECT headline FROM articles WHERE canonical_url = ?",
            (runs.bases["amic"] + NEW_PATH,),
        ).fetchone()
        body, versions = con.execute(
            "SELECT body, (SELECT COUNT(*) FROM article_versions v WHERE v.article_id = a.id) "
            "FROM articles a WHERE canonical_url = ?",
            (runs.bases["sibnovosti"] + EDITED_PATH,),
        ).fetchone()
        total = con.execute("SELECT COUNT(*) FROM articles").fetchone()[0]
    finally:
        con.close()
    assert headline == (NEW_HEADLINE,)
    assert "трижды в неделю" in body and versions == 1
    assert total == sum(len(archived_paths(k)) for k in DEMO_KEYS) + 1


def test_both_runs_are_recorded(runs: Runs) -> None:
    con = sqlite3.connect(runs.db)
    try:
        rows = con.execute(
            "SELECT status, articles_new, stats FROM crawl_runs ORDER BY id"
        ).fetchall()
    finally:
        con.close()
    assert [(status, new) for status, new, _ in rows] == [
        ("finished", sum(len(archived_paths(k)) for k in DEMO_KEYS)),
        ("finished", 1),
    ]
    amic = json.loads(rows[1][2])["sources"]["amic"]
    assert amic["coverage"]["published_at"] == 1.0 and amic["coverage"]["agency"] == 1.0


# -- backfill ---------------------------------------------------------------------


def test_backfill_walks_listings_past_max_pages_down_to_the_date(tmp_path: Path) -> None:
    """katun24's listing items carry dates: page 1 is all newer than 2026-11-10, page 2
    reaches past it, so the walk stops there."""
    db = tmp_path / "news.db"
    with DemoSite(sources=["katun24"]) as site:
        base = ["katun24", "--base", f"katun24={site.bases['katun24']}", "--db", str(db)]
        regular = run_cli("crawl", *base, "--max-pages", "1", "--json")
        assert regular.returncode == 0, regular.stderr[-2000:]
        regular_paths = {r.path for r in site.requests}
        site.clear_log()
        # the unsealed folder versions before 619b1c9 left for this job (named by the sha1
        # of "katun24@2026-11-10"): removed, never resumed
        legacy = tmp_path / "jobs" / "b95066d53fe2"
        (legacy / "requests.queue").mkdir(parents=True)
        (legacy / "requests.seen").write_text("0123456789abcdef\n", encoding="utf-8")
        # any ISO spelling of the day, as search and export take it (YYYY-MM-DD only, before)
        backfill = run_cli("crawl", *base, "--max-pages", "1", "--since", "20261110", "--json")
        assert backfill.returncode == 0, backfill.stderr[-2000:]
        backfill_paths = [r.path for r in site.requests]
    assert "/news?page=2" not in regular_paths
    assert "/news?page=2" in backfill_paths and "/news?page=3" not in backfill_paths
    assert not list((tmp_path / "jobs").glob("*"))  # a finished backfill leaves no job
    con = sqlite3.connect(db)
    try:
        stored = {r[0] for r in con.execute("SELECT canonical_url FROM articles")}
    finally:
        con.close()
    wanted = {
        site.bases["katun24"] + a["path"]
        for a in load_truth("katun24")["articles"]
        if a["published_at"] >= "2026-11-10"
    }
    assert wanted and wanted <= stored


# -- what the archive lets a crawl skip --------------------------------------------


def stored_article(url: str, published: str) -> Article:
    return Article(
        url=url,
        canonical_url=url,
        headline="Заголовок " + url.rsplit("/", 1)[1],
        body="Текст новости о Барнауле. " * 10 + url,
        published_at=published,
        source="amic",
    )


def test_known_urls_keep_young_articles_for_a_recheck(tmp_path: Path) -> None:
    now = datetime.now(UTC)
    young = (now - timedelta(hours=3)).isoformat(timespec="seconds")
    old = (now - timedelta(days=3)).isoformat(timespec="seconds")
    with Archive.open(tmp_path / "news.db") as archive:
        archive.store(
            [
                stored_article("https://a.example/news/1", young),
                stored_article("https://a.example/news/2", old),
            ]
        )
        record_fetches(
            archive,
            [
                FetchRecord("https://a.example/news/1", 200),  # as the crawl that stored it
                FetchRecord("https://a.example/news/404", 404),
                FetchRecord("https://a.example/news/500", 500),
                FetchRecord(
                    "https://a.example/news/old-404", 404, fetched_at="2026-01-01T00:00:00Z"
                ),
            ],
        )
        just_fetched = known_urls(archive, SkipPolicy(recheck_hours=24), now=now)
        later = known_urls(archive, SkipPolicy(recheck_hours=24), now=now + timedelta(hours=2))
        never = known_urls(archive, SkipPolicy(recheck_hours=0), now=now + timedelta(hours=2))
    # fetched a moment ago: even the young article waits for the recheck interval
    assert set(just_fetched.skip) == {
        "https://a.example/news/1",
        "https://a.example/news/2",
        "https://a.example/news/404",
    }
    # two hours on, the young one is due again; the old one and the 4xx stay skipped
    assert later.recheck == {"https://a.example/news/1"}
    assert set(later.skip) == {"https://a.example/news/2", "https://a.example/news/404"}
    assert never.recheck == set() and "https://a.example/news/1" in never.skip


def test_known_urls_bring_back_what_a_run_lost_unless_it_was_stored_since(tmp_path: Path) -> None:
    stored, lost = "https://a.example/news/1", "https://a.example/news/2"
    with Archive.open(tmp_path / "news.db") as archive:
        archive.store([stored_article(stored, "2020-01-01T10:00:00+07:00")])
        record_fetches(archive, [FetchRecord(stored, LOST), FetchRecord(lost, LOST)])
        known = known_urls(archive, SkipPolicy())
    assert known.lost == {lost}
    assert lost not in known.skip and stored in known.skip


def test_known_urls_are_the_archive_as_the_crawl_found_it(tmp_path: Path) -> None:
    """They are read as the crawl meets each URL; what the crawl stores meanwhile (a feed's
    new article, a new spelling) stays unknown to it, so that a listing showing the article
    too still counts as unknown and is walked on."""
    before, during = "https://a.example/news/1", "https://a.example/news/2"
    spelling = "https://a.example/news/1?from=listing"
    with Archive.open(tmp_path / "news.db") as archive:
        archive.store([stored_article(before, "2020-01-01T10:00:00+07:00")])
        known = known_urls(archive, SkipPolicy())
        archive.store([stored_article(during, "2020-01-02T10:00:00+07:00")])
        twin = stored_article(before, "2020-01-01T10:00:00+07:00")
        twin.url = spelling
        archive.store([twin])
        assert spelling in archive.known_urls("amic")
        fresh = known_urls(archive, SkipPolicy())
    try:
        assert before in known.skip and during not in known.skip and spelling not in known.skip
        assert set(known.skip) == {before}
        assert {before, during, spelling} <= set(fresh.skip)
    finally:
        known.close()
        fresh.close()


def test_a_crawl_leaves_everything_in_the_archive_file(tmp_path: Path) -> None:
    """The crawl's URL lookups read through their own connection, which closes last: a
    read-only one left the run's writes in news.db-wal, so a copy of news.db alone (a
    backup by cp, read-only media) missed the last run."""
    db = tmp_path / "news.db"
    with DemoSite(sources=["ngs22"]) as site:
        for _ in range(2):
            result = run_cli("crawl", "ngs22", "--base", f"ngs22={site.bases['ngs22']}",
                             "--db", str(db), "--json")  # fmt: skip
            assert result.returncode == 0, result.stderr[-2000:]
            wal = db.with_name(db.name + "-wal")
            assert not wal.exists() or wal.stat().st_size == 0
            alone = sqlite3.connect(f"{db.resolve().as_uri()}?mode=ro&immutable=1", uri=True)
            try:
                stored = alone.execute("SELECT COUNT(*) FROM articles").fetchone()[0]
                runs = alone.execute("SELECT status FROM crawl_runs").fetchall()
            finally:
                alone.close()
            assert stored == len(load_truth("ngs22")["articles"])
            assert runs and all(status == "finished" for (status,) in runs)


def test_a_spelling_whose_article_is_gone_is_not_known(tmp_path: Path) -> None:
    """An article row deleted by hand (foreign keys off) left its spellings: the lookup
    raised TypeError inside the spider's callbacks, losing the rest of a feed's URLs."""
    url = "https://a.example/news/1"
    with Archive.open(tmp_path / "news.db") as archive:
        archive.store([stored_article(url, "2020-01-01T10:00:00+07:00")])
        archive.db.conn.execute("PRAGMA foreign_keys = OFF")
        archive.db.conn.execute("DELETE FROM articles")
        archive.db.conn.commit()
        known = known_urls(archive, SkipPolicy())
    try:
        assert url not in known.skip and known.lost == set()
    finally:
        known.close()


def test_what_a_crawl_reads_at_its_start_is_indexed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A crawl used to read every article and fetch record of the archive before its first
    request (6-14 s and 500 MB at a million articles). No statement it runs to get ready,
    nor to look a URL up, may read a whole table: it would grow with the archive again."""
    young = datetime.now(UTC).isoformat(timespec="seconds")
    urls = [f"https://a.example/news/{n}" for n in (1, 2, 3)]
    with Archive.open(tmp_path / "news.db") as archive:
        archive.store([stored_article(urls[0], "2020-01-01T10:00:00+07:00")])
        archive.store([stored_article(urls[1], young)])
        record_fetches(archive, [FetchRecord(urls[2], LOST), FetchRecord(urls[1], 200)])
    statements: list[str] = []
    connect = sqlite3.connect

    def traced(*args: Any, **kwargs: Any) -> sqlite3.Connection:
        conn = connect(*args, **kwargs)
        conn.set_trace_callback(statements.append)
        return conn

    monkeypatch.setattr(sqlite3, "connect", traced)
    from crawler.crawl import crawl_settings, prepare_archive

    db = tmp_path / "news.db"
    settings = crawl_settings(db, local=True, verbose=False)
    settings.set("NEWS_RECHECK_EVERY_MINUTES", 0)  # the young article is due at once
    _, known = prepare_archive(db, settings, True, ["amic"])
    try:
        assert known.lost == {urls[2]} and known.recheck == {urls[1]}
        assert urls[0] in known.skip and urls[1] not in known.skip and urls[2] not in known.skip
        with Archive.open(db) as archive:
            from pipelines.archive.crawlstate import validators

            validators(archive)  # read by the fetch-state middleware when the spider opens
            monkeypatch.undo()
            reads = [s for s in statements if s.lstrip().upper().startswith("SELECT")]
            plans = {
                sql: str(archive.db.conn.execute("EXPLAIN QUERY PLAN " + sql).fetchall())
                for sql in reads
            }
    finally:
        known.close()
    assert any("idx_articles_reference" in plan for plan in plans.values())
    assert any("idx_fetch_state_lost" in plan for plan in plans.values())
    assert any("idx_fetch_state_validators" in plan for plan in plans.values())
    whole = [
        sql
        for sql, plan in plans.items()
        # a scan of a table or a whole index; the partial indexes hold only the few rows read
        if re.search(r"SCAN (articles|fetch_state|article_urls)\b", plan)
        and not re.search(r"USING (COVERING )?INDEX idx_fetch_state_(lost|validators)", plan)
    ]
    assert whole == []


def test_a_source_whose_last_run_did_not_finish_or_lost_pages_is_read_in_full(
    tmp_path: Path,
) -> None:
    def run(keys: list[str], status: str, lost: dict[str, int] | None = None) -> None:
        run_id = archive.start_run(keys)
        sources = {key: {"new": 1, "lost_pages": n} for key, n in (lost or {}).items()}
        archive.finish_run(run_id, {"sources": sources}, status=status)

    with Archive.open(tmp_path / "news.db") as archive:
        run(["amic", "katun24", "ngs22", "sibnovosti"], "finished", {"amic": 3, "ngs22": 2})
        run(["amic"], "finished")  # amic caught up
        run(["katun24"], "shutdown")
        run(["sibnovosti"], "finished", {"sibnovosti": 0})
        keys = ["amic", "katun24", "ngs22", "sibnovosti", "altapress"]
        assert unfinished_sources(archive, keys) == {
            "katun24": "its last run did not finish (shutdown)",
            "ngs22": "its last run lost 2 pages",
        }


def test_two_archives_in_one_folder_keep_their_backfill_jobs_apart(tmp_path: Path) -> None:
    from crawler.crawl import job_dir

    sources, since = [get_source("amic")], date(2024, 1, 1)
    first, second = (job_dir(tmp_path / name, sources, since) for name in ("a.db", "b.db"))
    assert first != second and first.parent == second.parent == tmp_path / "jobs"
    assert job_dir(tmp_path / "a.db", sources, since) == first  # the same job when run again
