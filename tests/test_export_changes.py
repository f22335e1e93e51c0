"""`export --since-last` delivers every article whose exported values changed, whatever
changed them (a crawl, `reparse`, a reprint joining its story, an import moving `first_seen`),
and not an article a crawl merely saw again.

Each test runs the incremental export "nightly" twice around one change and reads the second
file: the articles in it, and their values, are what a consumer upserting on `id` gets.
"""

from __future__ import annotations

import dataclasses
import sqlite3
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import sqlite_utils
from click.testing import CliRunner
from test_export import ARTICLES, build_archive, read_jsonl, wait_next_second
from test_stories import ORIGIN, ORIGINAL, article

from crawler.cli import cli as main_cli
from crawler.items import Article, Image
from pipelines.archive import Archive
from pipelines.archive import schema as schema_mod
from pipelines.archive.reparse import reparse
from pipelines.export import ExportError, export_articles
from pipelines.export.cursor import ExportCursor, change_key
from pipelines.export.selection import Filters, select

FIELDS = ["id", "source", "headline", "agency", "body", "images", "first_seen", "story_id"]
PAGE_URL = "https://www.amic.ru/news/incident/510001"


def delivered(path: Path, out: Path, **kwargs: Any) -> dict[int, dict[str, Any]]:
    """The rows the next run of the incremental export "nightly" writes, by id. It starts in
    a later second than the last change (archive times have whole seconds)."""
    wait_next_second()
    with Archive.open(path) as archive:
        export_articles(
            archive,
            out,
            format="jsonl",
            fields=FIELDS,
            since_last="nightly",
            settle_seconds=0,
            **kwargs,
        )
    return {row["id"]: row for row in read_jsonl(out)}


def ids_by_source(path: Path) -> dict[str, int]:
    conn = sqlite3.connect(path)
    ids = dict(conn.execute("SELECT source, id FROM articles").fetchall())
    conn.close()
    return ids


# -- reparse ---------------------------------------------------------------------------------


def page_article(headline: str, agency: str | None = None) -> Article:
    html = "<html><h1>В Рубцовске задержали угонщика</h1><p>Машину нашли.</p></html>"
    return Article(
        url=PAGE_URL,
        source="amic",
        agency=agency,
        headline=headline,
        body="Полицейские нашли автомобиль через два часа после угона.",
        published_at="2024-11-01T10:00:00+07:00",
        fetched_at="2024-11-01T03:30:00+00:00",
        raw_html=html.encode(),
    )


def fixed_parser(html: bytes | str, url: str, **kwargs: Any) -> Article:
    """Today's parser: reads the headline the old one cut short, and the agency."""
    return page_article("В Рубцовске задержали угонщика", agency="ИА Амител")


def test_reparsed_articles_are_exported_again(tmp_path: Path) -> None:
    path = tmp_path / "news.db"
    with Archive.open(path) as archive:
        archive.store([page_article("В Рубцовске задержали")])
    assert len(delivered(path, tmp_path / "1.jsonl")) == 1
    with Archive.open(path) as archive:
        report = reparse(archive, fixed_parser)
    assert report.changed_articles == 1 and report.new_versions == 1
    rows = list(delivered(path, tmp_path / "2.jsonl").values())
    assert [(r["headline"], r["agency"]) for r in rows] == [
        ("В Рубцовске задержали угонщика", "ИА Амител")
    ]


def test_a_reparse_of_fields_other_than_the_text_is_exported_again(tmp_path: Path) -> None:
    """No new version (the text stays), yet the exported agency changes."""
    path = tmp_path / "news.db"
    with Archive.open(path) as archive:
        archive.store([page_article("В Рубцовске задержали угонщика")])
    delivered(path, tmp_path / "1.jsonl")
    with Archive.open(path) as archive:
        report = reparse(archive, fixed_parser)
    assert report.changed_articles == 1 and report.new_versions == 0
    rows = list(delivered(path, tmp_path / "2.jsonl").values())
    assert [r["agency"] for r in rows] == ["ИА Амител"]


# -- stories ---------------------------------------------------------------------------------


def test_an_older_article_is_exported_again_when_a_reprint_joins_it(tmp_path: Path) -> None:
    path = tmp_path / "news.db"
    with Archive.open(path) as archive:
        archive.store([ORIGINAL])
    first = delivered(path, tmp_path / "1.jsonl")
    assert [r["story_id"] for r in first.values()] == [None]
    reprint = article("ngs22", 2, "Трамваи вернутся на Ленина", ORIGIN, "2026-10-12T13:05+07:00")
    with Archive.open(path) as archive:
        archive.store([reprint])
    ids = ids_by_source(path)
    second = delivered(path, tmp_path / "2.jsonl")
    assert sorted(second) == sorted(ids.values())
    story = second[ids["amic"]]["story_id"]
    assert story is not None and second[ids["ngs22"]]["story_id"] == story


def test_a_new_origin_and_the_old_one_are_exported_again(tmp_path: Path) -> None:
    """An earlier copy becomes the story's origin: `--collapse-stories` now shows it instead
    of the old origin. The member whose story and status stay is not delivered again."""
    path = tmp_path / "news.db"
    copies = [
        article("ngs22", 2, "Трамваи вернутся на Ленина", ORIGIN, "2026-10-12T13:05+07:00"),
        article("katun24", 3, "Ремонт путей закончен", ORIGIN, "2026-10-12T14:40+07:00"),
    ]
    with Archive.open(path) as archive:
        archive.store(copies)
    assert len(delivered(path, tmp_path / "1.jsonl")) == 2
    with Archive.open(path) as archive:
        archive.store([ORIGINAL])  # published at 11:20, before both
    ids = ids_by_source(path)
    second = delivered(path, tmp_path / "2.jsonl")
    assert sorted(second) == sorted([ids["amic"], ids["ngs22"]])


def test_collapsed_incremental_export_delivers_the_new_origin(tmp_path: Path) -> None:
    path = tmp_path / "news.db"
    late = article("ngs22", 2, "Трамваи вернутся на Ленина", ORIGIN, "2026-10-12T13:05+07:00")
    with Archive.open(path) as archive:
        archive.store([late])
    delivered(path, tmp_path / "1.jsonl", collapse_stories=True)
    with Archive.open(path) as archive:
        archive.store([ORIGINAL])
    second = delivered(path, tmp_path / "2.jsonl", collapse_stories=True)
    assert [r["source"] for r in second.values()] == ["amic"]


# -- crawls and imports ----------------------------------------------------------------------


def recrawled(articles: list[Article]) -> list[Article]:
    """The same pages fetched again later, unchanged."""
    return [dataclasses.replace(a, fetched_at="2024-06-01T00:00:00+00:00") for a in articles]


def test_an_unchanged_recrawl_is_not_exported_again(tmp_path: Path) -> None:
    path = build_archive(tmp_path / "news.db")
    assert len(delivered(path, tmp_path / "1.jsonl")) == len(ARTICLES)
    with Archive.open(path) as archive:
        outcomes = archive.store(recrawled(ARTICLES))
        seen_again = archive.db.execute(
            "SELECT COUNT(*) FROM articles WHERE last_seen > first_seen"
        )
        assert seen_again.fetchone()[0] == len(ARTICLES)  # the crawl did see them, later
    assert {o.status for o in outcomes} == {"unchanged"}
    assert delivered(path, tmp_path / "2.jsonl") == {}


def test_a_recrawl_with_new_images_is_exported_again(tmp_path: Path) -> None:
    path = build_archive(tmp_path / "news.db")
    delivered(path, tmp_path / "1.jsonl")
    photo = Image("https://www.amic.ru/images/most-3.jpg", "Первые машины на мосту", None)
    edited = dataclasses.replace(ARTICLES[0], images=[*ARTICLES[0].images, photo])
    with Archive.open(path) as archive:
        outcomes = archive.store(recrawled([edited, *ARTICLES[1:]]))
    assert [o.status for o in outcomes] == ["unchanged"] * len(ARTICLES)  # the text is the same
    rows = list(delivered(path, tmp_path / "2.jsonl").values())
    assert [(r["source"], r["images"][-1]["url"]) for r in rows] == [("amic", photo.url)]


def test_an_import_moving_first_seen_back_is_exported_again(tmp_path: Path) -> None:
    path = build_archive(tmp_path / "news.db")
    delivered(path, tmp_path / "1.jsonl")
    amic = ids_by_source(path)["amic"]
    with Archive.open(path) as archive:
        assert archive.backdate([(amic, "2024-03-05T06:00:00Z")]) == 1
    rows = list(delivered(path, tmp_path / "2.jsonl").values())
    assert [(r["id"], r["first_seen"]) for r in rows] == [(amic, "2024-03-05T06:00:00Z")]


def test_an_incremental_run_finds_the_changed_rows_through_the_index(tmp_path: Path) -> None:
    """Not by reading every row: at a million articles that takes minutes for a few rows."""
    path = build_archive(tmp_path / "news.db")
    after = ExportCursor("nightly", "2024-01-01T00:00:00Z", 0)
    with Archive.open(path) as archive:
        conn = archive.db.conn
        selection = select(Filters(source="amic"), after=after, key=change_key(conn))
        plan = conn.execute(
            f"EXPLAIN QUERY PLAN SELECT articles.id FROM articles WHERE {selection.where} "
            "ORDER BY articles.id",
            selection.params,
        ).fetchall()
    assert any("idx_articles_changed_at" in step[3] for step in plan), plan


# -- upgrade ---------------------------------------------------------------------------------

BEFORE_CHANGED_AT = schema_mod.MIGRATIONS[:5]  # m001_core to m005_stems
OLD_ROWS = [  # id, last_seen, first_seen: what earlier versions wrote
    (1, "2024-05-01T10:00:00Z", "2024-04-01T10:00:00Z"),
    (2, None, "2024-05-02T10:00:00Z"),
    (3, "2024-05-03T10:00:00Z", "2024-05-03T10:00:00Z"),
    (4, None, None),  # written by another tool
]


def old_archive(path: Path) -> None:
    """An archive of the version before `changed_at`, exported up to article 2 by the
    incremental export "nightly" of that version (its key was last_seen, else first_seen)."""
    conn = sqlite3.connect(path)
    schema_mod.migrate(sqlite_utils.Database(conn), BEFORE_CHANGED_AT)
    conn.executemany(
        "INSERT INTO articles (id, canonical_url, url, source, headline, body, last_seen, "
        "first_seen) VALUES (?, ?, ?, 'ngs22', 'Заголовок', 'Текст.', ?, ?)",
        [(i, f"https://ngs22.ru/text/{i}/", f"https://ngs22.ru/text/{i}/", last, first)
         for i, last, first in OLD_ROWS],
    )  # fmt: skip
    conn.execute(
        "CREATE TABLE export_cursors (name TEXT PRIMARY KEY, last_seen TEXT, last_id INTEGER, "
        "updated_at TEXT, rows INTEGER)"
    )
    conn.execute("INSERT INTO export_cursors VALUES ('nightly', '2024-05-02T10:00:00Z', 2, '', 2)")
    conn.commit()
    conn.close()


def test_upgrade_starts_each_change_time_at_the_old_key(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    old_archive(path)
    started = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    with Archive.open(path) as archive:
        assert "m006_changed_at" in schema_mod.applied(archive.db)
        rows = dict(archive.db.execute("SELECT id, changed_at FROM articles").fetchall())
        indexes = {i.name: i.columns for i in archive.db["articles"].indexes}
    assert [rows[1], rows[2], rows[3]] == [
        "2024-05-01T10:00:00Z",
        "2024-05-02T10:00:00Z",
        "2024-05-03T10:00:00Z",
    ]
    assert rows[4] is not None and rows[4] >= started  # no key before: counts as changed now
    assert ["changed_at"] in indexes.values()


def test_an_incremental_export_goes_on_where_it_stopped_before_the_upgrade(
    tmp_path: Path,
) -> None:
    path = tmp_path / "old.db"
    old_archive(path)
    Archive.open(path).close()  # the upgrade, a second before the export
    assert sorted(delivered(path, tmp_path / "1.jsonl")) == [3, 4]
    assert delivered(path, tmp_path / "2.jsonl") == {}


def test_a_named_export_keeps_to_its_filters(tmp_path: Path) -> None:
    """A cursor moved by `--source amic` runs has passed the other sources' rows: a run of
    the same name for katun24 would never deliver katun24's older articles. It is refused
    with what to do; the same filters go on; a cursor saved before filters were remembered
    takes the next run's."""
    path = build_archive(tmp_path / "news.db")
    sources = ids_by_source(path)
    assert sorted(delivered(path, tmp_path / "1.jsonl", source="amic")) == [sources["amic"]]
    with pytest.raises(ExportError, match="saved by exports with --source amic, and this one"):
        delivered(path, tmp_path / "2.jsonl", source="katun24")
    assert delivered(path, tmp_path / "3.jsonl", source="amic") == {}
    # the same day spelled as a date or as its midnight, a start that moves later (a cron
    # line's "the last 30 days"): rows they select were all the cursor's; an earlier start
    # would reach rows it passed
    since = datetime(2020, 1, 1, tzinfo=UTC)
    assert delivered(path, tmp_path / "4.jsonl", source="amic", since=since.date()) == {}
    assert delivered(path, tmp_path / "5.jsonl", source="amic", since=since) == {}
    assert (
        delivered(path, tmp_path / "6.jsonl", source="amic", since=since.replace(year=2021)) == {}
    )
    with pytest.raises(ExportError, match="--since 2021-01-01T00:00:00Z, and this one"):
        delivered(path, tmp_path / "7.jsonl", source="amic", since=since)
    other = build_archive(tmp_path / "other.db")
    export = ["export", "--format", "jsonl", "--since-last", "nightly", "--db", str(other)]
    first = CliRunner().invoke(main_cli, [*export, "--source", "amic"])
    assert first.exit_code == 0, first.output
    refused = CliRunner().invoke(main_cli, export)  # all sources, under amic's cursor
    assert refused.exit_code == 2 and "Give this export its own name" in refused.output


def test_a_cursor_from_before_the_filters_were_remembered_takes_the_next_runs(
    tmp_path: Path,
) -> None:
    path = tmp_path / "old.db"
    old_archive(path)
    assert sorted(delivered(path, tmp_path / "1.jsonl", source="ngs22")) == [3, 4]
    with pytest.raises(ExportError, match="--source ngs22"):
        delivered(path, tmp_path / "2.jsonl")
