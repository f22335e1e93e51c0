"""The archive: migrations, upserts with versions, raw pages, runs, URLs, reading back."""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import sqlite_utils

from crawler.items import Article, Image, PhotoCredit
from pipelines.archive import Archive, ArchiveNotFound, writer
from pipelines.archive import schema as schema_mod

SEED_URL = "https://www.amic.ru/news/economy/gubernator-tomenko-nazval-kazahstan-439521"


def seed_article(**changes: object) -> Article:
    data: dict[str, object] = {
        "url": SEED_URL + "?utm_source=rss",
        "canonical_url": SEED_URL,
        "source": "amic",
        "agency": "ИА Амител",
        "language": "ru",
        "headline": "Губернатор Томенко назвал Казахстан самым крупным внешнеторговым "
        "партнером Алтайского края",
        "lead": "Алтай экспортировал в соседнюю страну товаров на 360 млн рублей",
        "body": "Казахстан – крупнейший внешнеторговый партнер Алтайского края, на долю этой "
        "страны приходится более 30% экспорта из региона.\n\nОб этом заявил губернатор "
        "Виктор Томенко на XVI Форуме межрегионального сотрудничества Казахстана и России.",
        "published_at": "2019-11-07T16:17:00+07:00",
        "published_at_raw": "07 ноября 2019, 16:17",
        "authors": [],
        "photo_credits": [
            PhotoCredit(
                "Фото: Антон Федотов, altairegion22.ru", "Антон Федотов", "altairegion22.ru"
            )
        ],
        "images": [
            Image("https://www.amic.ru/images/tomenko.jpg", "Виктор Томенко", "Антон Федотов")
        ],
        "tags": ["экономика"],
        "fetched_at": "2019-11-07T10:00:00+00:00",
        "provenance": {"headline": "jsonld"},
        "raw_html": "<html><h1>Губернатор Томенко назвал Казахстан</h1></html>".encode(),
    }
    data.update(changes)
    return Article(**data)  # type: ignore[arg-type]


def fire_article() -> Article:
    return Article(
        url="https://katun24.ru/news/20240115-pozhar",
        source="katun24",
        agency="Катунь 24",
        headline="В Бийске потушили пожар на складе пиломатериалов",
        lead="Пострадавших нет",
        body="Пожар на складе в Бийске ликвидировали за три часа. Площадь возгорания "
        "составила 400 квадратных метров, сообщили в МЧС по Алтайскому краю.",
        published_at="2024-01-15T08:30:00+07:00",
    )


def article_row(archive: Archive, article_id: int) -> dict[str, Any]:
    row = archive.get_article(article_id)
    assert row is not None
    return row


@pytest.fixture
def archive(tmp_path: Path) -> Iterator[Archive]:
    arch = Archive.open(tmp_path / "sub" / "news.db")
    yield arch
    arch.close()


def test_open_creates_parents_wal_and_foreign_keys(archive: Archive, tmp_path: Path) -> None:
    assert (tmp_path / "sub" / "news.db").is_file()
    assert archive.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert archive.db.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    expected = {"articles", "article_urls", "article_versions", "images", "photo_credits"}
    expected |= {"sources", "crawl_runs", "fetch_state", "stories", "raw_pages", "_migrations"}
    assert expected <= set(archive.db.table_names())


def test_migrations_are_recorded_and_idempotent(tmp_path: Path) -> None:
    path = tmp_path / "news.db"
    Archive.open(path).close()
    first = schema_mod.applied(sqlite_utils.Database(path))
    assert first == [m.__name__ for m in schema_mod.MIGRATIONS]
    Archive.open(path).close()
    db = sqlite_utils.Database(path)
    assert schema_mod.applied(db) == first
    assert schema_mod.migrate(db) == []


def test_archive_of_the_first_schema_upgrades_in_place(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    conn = sqlite3.connect(path)
    old = sqlite_utils.Database(conn)
    schema_mod.migrate(old, schema_mod.MIGRATIONS[:1])
    conn.execute(
        "INSERT INTO articles (id, canonical_url, url, source, headline, body) "
        "VALUES (1, 'https://ngs22.ru/text/1/', 'https://ngs22.ru/text/1/', 'ngs22', "
        "'Губернатора Алтайского края наградили', 'Церемония прошла в Барнауле.')"
    )
    conn.commit()
    conn.close()
    assert "articles_fts" not in sqlite_utils.Database(path).table_names()
    with Archive.open(path) as archive:
        assert schema_mod.pending(archive.db) == []
        hits = archive.search("губернатор")
        assert [h.article_id for h in hits] == [1]
        assert article_row(archive, 1)["headline"] == "Губернатора Алтайского края наградили"


def test_an_index_of_older_stems_is_built_again_on_upgrade(tmp_path: Path) -> None:
    """Archives indexed before stems joined fleeting vowels hold "поселок" where queries now
    look for "поселк": opening one with this version indexes every article again."""
    path = tmp_path / "old.db"
    conn = sqlite3.connect(path)
    schema_mod.migrate(sqlite_utils.Database(conn), schema_mod.MIGRATIONS[:4])
    conn.execute(
        "INSERT INTO articles (id, canonical_url, url, source, headline, body) "
        "VALUES (7, 'https://www.amic.ru/news/1/', 'https://www.amic.ru/news/1/', 'amic', "
        "'Поселок Южный остался без света', 'Свет в поселок вернули к вечеру.')"
    )
    conn.execute(  # the stems the earlier versions wrote for this text
        "INSERT INTO articles_fts (rowid, headline, lead, body) VALUES "
        "(7, 'поселок южн оста без свет', '', 'свет в поселок вернул к вечер')"
    )
    conn.commit()
    conn.close()
    with Archive.open(path) as archive:
        assert "m005_stems" in schema_mod.applied(archive.db)
        assert [h.article_id for h in archive.search("поселка")] == [7]
        assert [h.article_id for h in archive.search("поселок Южном")] == [7]


def archive_of_m008_with_stress_marks(path: Path) -> None:
    """An archive as the versions up to m008 left it: article 1 indexed with the accents its
    stress marks stripped, 2 (the same text) with today's index text, as m005 writes it when
    it runs in the same upgrade, 3 without stress marks, and 4 not indexed at all (a row
    another tool wrote)."""
    conn = sqlite3.connect(path)
    schema_mod.migrate(sqlite_utils.Database(conn), schema_mod.MIGRATIONS[:8])
    headline, body = "Моряки из Gdańsk осмотрели за́мок", "Гость рассказал о café «Słowo» у о́зера."
    plain = "Моряки из Gdańsk осмотрели порт"
    for article_id, text in ((1, headline), (2, headline), (3, plain), (4, headline)):
        url = f"https://ngs22.ru/text/{article_id}/"
        conn.execute(
            "INSERT INTO articles (id, canonical_url, url, source, headline, body) "
            "VALUES (?, ?, ?, 'ngs22', ?, ?)",
            (article_id, url, url, text, body),
        )
    index = "INSERT INTO articles_fts (rowid, headline, lead, body) VALUES (?, ?, '', ?)"
    today = "гост рассказа о café słowo у озер"
    conn.execute(index, (1, "моряк из gdansk осмотрел замк", "гост рассказа о cafe słowo у озер"))
    conn.execute(index, (2, "моряк из gdańsk осмотрел замк", today))
    conn.execute(index, (3, "моряк из gdańsk осмотрел порт", today))
    conn.commit()
    conn.close()


def test_accents_beside_stress_marks_are_indexed_again_on_upgrade(tmp_path: Path) -> None:
    """Up to m008 a stress mark in a text stripped the accents of all its letters ("Gdańsk"
    indexed as "gdansk"); upgrading indexes such rows again."""
    path = tmp_path / "old.db"
    archive_of_m008_with_stress_marks(path)
    with Archive.open(path) as archive:
        assert "m009_accents" in schema_mod.applied(archive.db)
        assert sorted(h.article_id for h in archive.search("Gdańsk")) == [1, 2, 3]
        assert sorted(h.article_id for h in archive.search("café")) == [1, 2, 3]
        assert archive.search("Gdansk") == []
        # the index holds exactly today's text of each row: forgetting all three with it
        # leaves no word behind
        conn = archive.db.conn
        for article_id in (1, 2, 3):
            row = conn.execute(
                "SELECT id, headline, lead, body FROM articles WHERE id = ?", (article_id,)
            ).fetchone()
            writer.unindex(conn, row)
        conn.execute("CREATE VIRTUAL TABLE temp.words USING fts5vocab(main, articles_fts, row)")
        assert conn.execute("SELECT term FROM temp.words").fetchall() == []


def test_only_rows_that_hold_the_old_index_text_are_indexed_again(tmp_path: Path) -> None:
    """FTS5 forgets a row only when given what it indexed: a row that holds today's text
    already (2), never had a stress mark (3) or is not in the index (4) is not written."""
    from pipelines.archive import accents

    path = tmp_path / "old.db"
    archive_of_m008_with_stress_marks(path)
    conn = sqlite3.connect(path)
    with conn:
        assert accents.reindex_stressed(conn, schema_mod.FTS_TABLE) == 1
        assert accents.reindex_stressed(conn, schema_mod.FTS_TABLE) == 0  # now 1 holds it too
    conn.close()


def test_each_version_was_current_from_the_one_before_to_its_replacement(
    archive: Archive, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Three texts stored at three times: the first version ran from the first sighting to
    the second store, the second from there to the third (it said `first_seen` for all)."""
    times = iter(["2026-01-01T10:00:00Z", "2026-01-02T10:00:00Z", "2026-01-03T10:00:00Z"])
    monkeypatch.setattr("pipelines.archive.archive.now_utc", lambda: next(times))
    for ending in ("", " Дополнено.", " Дополнено снова."):
        archive.store([seed_article(body=seed_article().body + ending)])
    (article_id,) = [r[0] for r in archive.db.execute("SELECT id FROM articles")]
    spans = [(v["seen_from"], v["replaced_at"]) for v in archive.versions(article_id)]
    assert sorted(spans) == [
        ("2026-01-01T10:00:00Z", "2026-01-02T10:00:00Z"),
        ("2026-01-02T10:00:00Z", "2026-01-03T10:00:00Z"),
    ]


def test_store_new_unchanged_updated_with_versions(archive: Archive) -> None:
    first = archive.store([seed_article(), fire_article()], run_id=None)
    assert [o.status for o in first] == ["new", "new"]
    assert first[0].canonical_url == SEED_URL
    again = archive.store([seed_article(), fire_article()])
    assert [o.status for o in again] == ["unchanged", "unchanged"]
    assert [o.article_id for o in again] == [o.article_id for o in first]

    edited_body = seed_article().body + "\n\nФорум проходит в Омске."
    updated = archive.store([seed_article(body=edited_body)])
    assert updated[0].status == "updated" and updated[0].article_id == first[0].article_id
    assert archive.count_articles() == 2
    stored = archive.get_article(first[0].article_id)
    assert stored is not None and stored["body"].endswith("Форум проходит в Омске.")
    versions = archive.versions(first[0].article_id)
    assert len(versions) == 1 and versions[0]["body"] == seed_article().body
    # the index follows the text: the new sentence is found, the article once only
    assert [h.article_id for h in archive.search("Омске")] == [first[0].article_id]
    assert [h.article_id for h in archive.search("Казахстан")] == [first[0].article_id]


def test_same_article_twice_in_one_batch(archive: Archive) -> None:
    outcomes = archive.store([seed_article(), seed_article(lead="Новый лид")])
    assert [o.status for o in outcomes] == ["new", "updated"]
    assert outcomes[0].article_id == outcomes[1].article_id
    assert archive.count_articles() == 1


def test_other_url_spelling_finds_the_stored_article(archive: Archive) -> None:
    archive.store([seed_article()])
    plain = seed_article(canonical_url=None, url=SEED_URL)
    assert archive.store([plain])[0].status == "unchanged"
    assert archive.has_url(SEED_URL + "?utm_source=rss")
    assert archive.has_url(SEED_URL)
    assert not archive.has_url("https://www.amic.ru/news/other")
    assert archive.known_urls("amic") == {SEED_URL, SEED_URL + "?utm_source=rss"}
    assert archive.known_urls("katun24") == set()


def test_images_credits_and_raw_page(archive: Archive) -> None:
    article_id = archive.store([seed_article()])[0].article_id
    credits = list(archive.db["photo_credits"].rows)
    assert credits[0]["photographer"] == "Антон Федотов"
    assert credits[0]["organisation"] == "altairegion22.ru"
    assert next(iter(archive.db["images"].rows))["caption"] == "Виктор Томенко"
    assert archive.raw_html(article_id) == seed_article().raw_html
    stored = archive.db.execute("SELECT html FROM raw_pages").fetchone()[0]
    assert stored != seed_article().raw_html  # compressed, not as fetched
    row = archive.get_article(article_id)
    assert row is not None
    assert row["published_at_utc"] == "2019-11-07T09:17:00Z"
    assert row["photo_credits"][0]["text"] == "Фото: Антон Федотов, altairegion22.ru"
    assert row["tags"] == ["экономика"] and row["provenance"] == {"headline": "jsonld"}


def test_runs_record_stats(archive: Archive) -> None:
    run_id = archive.start_run(["amic", "katun24"])
    archive.store([seed_article()], run_id=run_id)
    summary = {
        "pages": 12,
        "exceptions": 1,
        "http_errors": {"404": 2},
        "sources": {
            "amic": {"new": 1, "updated": 0, "unchanged": 3, "dropped": {"error page": 2}},
            "katun24": {"new": 4, "updated": 1, "unchanged": 0, "dropped": {}},
        },
    }
    archive.finish_run(run_id, summary)
    run = archive.db.table("crawl_runs").get(run_id)
    assert run["status"] == "finished" and run["finished_at"]
    assert (run["pages_fetched"], run["articles_new"], run["articles_updated"]) == (12, 5, 1)
    assert (run["articles_unchanged"], run["items_dropped"], run["errors"]) == (3, 2, 3)
    assert article_row(archive, 1)["first_run_id"] == run_id


def test_stats_per_source(archive: Archive) -> None:
    archive.store([seed_article(), fire_article()])
    stats = archive.stats()
    assert stats["articles"] == 2
    amic = stats["sources"]["amic"]
    assert amic["articles"] == 1 and amic["with_credit"] == 1.0 and amic["with_lead"] == 1.0
    assert amic["first_published"] == "2019-11-07T09:17:00Z"
    assert stats["sources"]["katun24"]["with_credit"] == 0.0


def reads_of(conn: sqlite3.Connection, sql: str) -> dict[str, int]:
    """Table or index name -> how many columns the compiled `sql` reads from it."""
    names = {root: name for name, root in conn.execute("SELECT name, rootpage FROM sqlite_master")}
    program = conn.execute("EXPLAIN " + sql).fetchall()
    cursors = {row[2]: names.get(row[3], "?") for row in program if row[1] == "OpenRead"}
    reads: dict[str, int] = {}
    for row in program:
        if row[1] == "Column":
            reads[cursors[row[2]]] = reads.get(cursors[row[2]], 0) + 1
    return reads


def test_stats_reads_an_index_not_the_rows(archive: Archive) -> None:
    """At a million articles, reading every row (bodies included) took 25 s from a cold
    cache; each expression of the stats query must be one of the coverage index."""
    archive.store([seed_article(), fire_article()])
    statements: list[str] = []
    archive.db.conn.set_trace_callback(statements.append)
    try:
        archive.stats()
    finally:
        archive.db.conn.set_trace_callback(None)
    coverage = [s for s in statements if "FROM articles" in s]
    assert len(coverage) == 1
    assert set(reads_of(archive.db.conn, coverage[0])) == {"idx_articles_coverage"}
    counts = [s for s in statements if "raw_pages" in s]
    assert counts and all("articles" not in reads_of(archive.db.conn, s) for s in counts)
    plans = [archive.db.conn.execute("EXPLAIN QUERY PLAN " + s).fetchall() for s in counts]
    assert all("idx_raw_pages_fetched_at" in str(plan) for plan in plans)


def test_iter_articles_streams_with_filters(archive: Archive) -> None:
    archive.store([seed_article(), fire_article()])
    every = list(archive.iter_articles(batch_size=1))
    assert [a["source"] for a in every] == ["amic", "katun24"]
    assert [a["source"] for a in archive.iter_articles(source="katun24")] == ["katun24"]
    found = list(archive.iter_articles(query="пожар", batch_size=1))
    assert [a["source"] for a in found] == ["katun24"]


def test_iter_articles_by_date_reads_the_time_index_not_every_row(archive: Archive) -> None:
    archive.store([seed_article(), fire_article()])
    statements: list[str] = []
    archive.db.conn.set_trace_callback(statements.append)
    try:
        every = list(archive.iter_articles(since=date(2019, 1, 1), batch_size=1))
        found = list(archive.iter_articles(since=date(2024, 1, 1), batch_size=1))
        until = list(archive.iter_articles(until=date(2019, 12, 31), source="amic"))
    finally:
        archive.db.conn.set_trace_callback(None)
    assert [a["source"] for a in every] == ["amic", "katun24"]  # in id order, batch by batch
    assert ([a["source"] for a in found], [a["source"] for a in until]) == (["katun24"], ["amic"])
    reads = [s for s in statements if "FROM articles" in s]
    plans = [str(archive.db.conn.execute("EXPLAIN QUERY PLAN " + s).fetchall()) for s in reads]
    dated = [p for s, p in zip(reads, plans, strict=True) if "published_at_utc" in s]
    assert len(dated) == 3  # once a listing: the ids, then their rows by id
    assert "INDEX idx_articles_published_at_utc" in dated[0] and dated[0] == dated[1]
    assert "INDEX idx_articles_source_published_at_utc (source=?)" in dated[2]
    assert [p for p in plans if re.search(r"SCAN articles\b", p)] == []


def test_fetch_state_for_conditional_get(archive: Archive) -> None:
    url = "https://www.amic.ru/rss/"
    assert archive.fetch_state(url) is None
    archive.record_fetch(
        url, etag='"abc"', last_modified="Thu, 07 Nov 2019 09:00:00 GMT", status=200
    )
    state = archive.fetch_state(url)
    assert state is not None and state["etag"] == '"abc"' and state["status"] == 200


def test_readonly_needs_an_existing_file(tmp_path: Path) -> None:
    with pytest.raises(ArchiveNotFound, match="no archive at"):
        Archive.open(tmp_path / "missing.db", readonly=True)
    assert not (tmp_path / "missing.db").exists()
    Archive.open(tmp_path / "news.db").close()
    with Archive.open(tmp_path / "news.db", readonly=True) as archive:
        assert archive.count_articles() == 0
        with pytest.raises(sqlite3.OperationalError):
            archive.store([fire_article()])


def test_datasette_and_sqlite_utils_find_the_index(archive: Archive) -> None:
    archive.store([fire_article()])
    assert archive.db.table("articles").detect_fts() == "articles_fts"
    # Datasette's own search SQL over the FTS table (an already stemmed word matches)
    rows = archive.db.execute(
        "select id from articles where rowid in "
        "(select rowid from articles_fts where articles_fts match 'пожар')"
    ).fetchall()
    assert rows == [(1,)]


def test_rebuild_index_restores_stemmed_search(archive: Archive) -> None:
    archive.store([seed_article(), fire_article()])
    assert archive.rebuild_index() == 2
    assert len(archive.search("Казахстана")) == 1
    assert len(archive.search("пожаром")) == 1


def test_new_archive_uses_large_pages(archive: Archive) -> None:
    assert archive.db.execute("PRAGMA page_size").fetchone()[0] == 16384


def test_a_batch_larger_than_sqlites_parameter_limit(archive: Archive) -> None:
    """Lookups of a batch's URLs, keys and ids go in chunks: 600 articles in one batch on a
    connection that allows 250 parameters a statement store, and are all found again."""
    archive.db.conn.setlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER, 250)
    articles = [
        Article(
            url=f"https://www.amic.ru/news/society/zametka-{580000 + n}",
            source="amic",
            headline=f"Заметка номер {n}",
            body=f"Текст заметки номер {n}: в Барнауле прошло заседание городской думы.",
        )
        for n in range(600)
    ]
    first = archive.store(articles)
    assert [o.status for o in first] == ["new"] * 600
    again = archive.store(articles)
    assert [o.status for o in again] == ["unchanged"] * 600
    assert [o.article_id for o in again] == [o.article_id for o in first]
    assert archive.count_articles() == 600
