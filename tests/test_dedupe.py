"""One row per article however its URL is spelled; edits kept as versions; copies linked.

The texts are ours: a Barnaul city news item as amic would print it.
"""

from __future__ import annotations

import sqlite3
from dataclasses import replace
from pathlib import Path

import pytest
import sqlite_utils
from scrapy.exceptions import DropItem

from crawler.items import Article
from crawler.sources import SOURCES
from pipelines.archive import Archive, schema, writer
from pipelines.dedupe import DedupePipeline
from pipelines.normalize import normalize
from pipelines.urls import UrlRules

BODY = (
    "В Барнауле на проспекте Ленина завершили капитальный ремонт трамвайных путей от площади "
    "Октября до улицы Никитина. Движение трамваев по участку возобновится 14 октября, сообщили "
    "в пресс-службе администрации города.\n\n"
    "Подрядчик заменил 2,3 километра рельсов, шпалы и контактную сеть, а также отремонтировал "
    "6 остановочных платформ. Стоимость работ составила 412 миллионов рублей, из них 380 "
    "миллионов выделил краевой бюджет.\n\n"
    "Как пояснил председатель комитета по дорожному хозяйству Алексей Кедров, ремонт шел с "
    "опережением графика: по контракту подрядчик должен был сдать объект в конце октября."
)
SLUG = "https://www.amic.ru/news/na-prospekte-lenina-zakonchili-remont-tramvajnyh-putej-580468"
RULES = UrlRules({key: s.url_key for key, s in SOURCES.items() if s.url_key})


def amic(url: str, *, canonical: str | None = None, body: str = BODY, **extra: str) -> Article:
    fields = {"headline": "На проспекте Ленина закончили ремонт трамвайных путей", **extra}
    return normalize(
        Article(
            url=url,
            canonical_url=canonical,
            source="amic",
            agency="ИА Амител",
            body=body,
            published_at="2026-10-13T10:20:00+07:00",
            **fields,
        )
    )


@pytest.fixture
def archive(tmp_path: Path) -> Archive:
    opened = Archive.open(tmp_path / "news.db")
    opened.url_rules = RULES
    return opened


def article_count(archive: Archive) -> int:
    return archive.count_articles()


def spellings(archive: Archive, article_id: int) -> set[str]:
    rows = archive.db.execute("SELECT url FROM article_urls WHERE article_id = ?", [article_id])
    return {r[0] for r in rows}


def test_one_article_under_three_spellings_is_one_row(archive: Archive) -> None:
    first = archive.store([amic(SLUG)])[0]
    old_form = archive.store([amic("https://www.amic.ru/news/580468/?utm_source=yxnews")])[0]
    mobile = archive.store([amic("http://m.amic.ru/news/580468", canonical=SLUG + "#comments")])
    assert first.status == "new"
    assert [old_form.article_id, mobile[0].article_id] == [first.article_id] * 2
    assert article_count(archive) == 1
    stored = spellings(archive, first.article_id)
    assert {SLUG, "https://www.amic.ru/news/580468/", "http://m.amic.ru/news/580468"} <= stored
    for url in ("https://www.amic.ru/news/580468/", "http://m.amic.ru/news/580468", SLUG):
        assert archive.has_url(url)
    assert {"https://www.amic.ru/news/580468/", SLUG} <= archive.known_urls("amic")


def test_the_same_page_again_is_no_new_row_and_an_edit_is_kept_as_a_version(
    archive: Archive,
) -> None:
    first = archive.store([amic(SLUG)])[0]
    again = archive.store([amic(SLUG)])[0]
    edited_body = BODY.replace("14 октября", "15 октября")
    edited = archive.store([amic(SLUG, body=edited_body)])[0]
    assert (first.status, again.status, edited.status) == ("new", "unchanged", "updated")
    assert article_count(archive) == 1
    row = archive.get_article(first.article_id)
    assert row is not None and "15 октября" in row["body"]
    versions = archive.versions(first.article_id)
    assert len(versions) == 1 and "14 октября" in versions[0]["body"]
    assert versions[0]["replaced_at"]


def test_an_amp_twin_is_a_spelling_and_never_overwrites_the_text(archive: Archive) -> None:
    first = archive.store([amic(SLUG)])[0]
    # the AMP page drops the last paragraph and points its canonical at the slug URL
    short = BODY.rsplit("\n\n", 1)[0]
    twin = archive.store([amic("https://www.amic.ru/amp/news/580468", canonical=SLUG, body=short)])
    assert twin[0].status == "duplicate" and twin[0].article_id == first.article_id
    row = archive.get_article(first.article_id)
    assert row is not None and row["body"].endswith("в конце октября.")
    assert archive.versions(first.article_id) == []
    assert "https://www.amic.ru/amp/news/580468" in spellings(archive, first.article_id)


def test_a_twin_in_the_same_batch_as_its_page(archive: Archive) -> None:
    twin = amic("https://www.amic.ru/amp/news/580468", canonical=SLUG)
    outcomes = archive.store([twin, amic(SLUG)])
    assert [o.article_id for o in outcomes] == [outcomes[0].article_id] * 2
    assert article_count(archive) == 1


def test_a_new_slug_of_the_same_article_updates_it(archive: Archive) -> None:
    first = archive.store([amic(SLUG)])[0]
    renamed = "https://www.amic.ru/news/remont-tramvajnyh-putej-na-lenina-zavershen-580468"
    edited = archive.store([amic(renamed, body=BODY + " Фото: мэрия.", headline="Ремонт завершен")])
    assert edited[0].article_id == first.article_id and edited[0].status == "updated"
    row = archive.get_article(first.article_id)
    assert row is not None and row["headline"] == "Ремонт завершен"


def test_the_same_text_at_another_url_of_the_site_is_linked(archive: Archive) -> None:
    first = archive.store([amic(SLUG)])[0]
    # republished under another id, with the credit line below that the site adds
    copy = amic("https://www.amic.ru/news/tramvai-580999", body=BODY + "\n\nФото: amic.ru")
    outcome = archive.store([copy])[0]
    assert outcome.status == "duplicate" and outcome.article_id == first.article_id
    assert article_count(archive) == 1
    assert "https://www.amic.ru/news/tramvai-580999" in spellings(archive, first.article_id)


def test_the_same_text_with_another_headline_is_another_article_of_one_story(
    archive: Archive,
) -> None:
    first = archive.store([amic(SLUG)])[0]
    other = archive.store([amic("https://www.amic.ru/news/x-580999", headline="Трамваи вернутся")])
    assert other[0].status == "new"
    story_ids = archive.db.execute("SELECT DISTINCT story_id FROM articles").fetchall()
    assert len(story_ids) == 1 and story_ids[0][0] is not None
    assert first.article_id != other[0].article_id


def test_the_same_text_in_another_source_is_a_reprint_not_a_spelling(archive: Archive) -> None:
    archive.store([amic(SLUG)])
    reprint = replace(amic("https://ngs22.ru/text/transport/2026/10/13/73440001/"), source="ngs22")
    assert archive.store([reprint])[0].status == "new"
    assert article_count(archive) == 2


def test_identity_works_across_processes(tmp_path: Path) -> None:
    path = tmp_path / "news.db"
    with Archive.open(path) as first:
        first.url_rules = RULES
        stored = first.store([amic(SLUG)])[0]
    with Archive.open(path) as second:  # a later crawl, another process
        second.url_rules = RULES
        again = second.store([amic("https://www.amic.ru/news/580468/")])[0]
        assert again.article_id == stored.article_id and again.status == "unchanged"
        assert second.count_articles() == 1


def test_an_archive_made_before_stories_gets_keys_and_stories_on_open(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    db = sqlite_utils.Database(sqlite3.connect(path))
    schema.migrate(db, schema.MIGRATIONS[:2])  # what an earlier version created
    reprint = replace(
        amic(
            "https://ngs22.ru/text/transport/2026/10/13/73440001/",
            body="БАРНАУЛ, 13 октября. " + BODY,
            headline="Трамваи вернутся на проспект Ленина",
        ),
        source="ngs22",
        published_at="2026-10-13T12:00:00+07:00",
    )
    with db.conn:
        # today's writer, less the column an earlier version did not have
        db.conn.execute("ALTER TABLE articles ADD COLUMN changed_at TEXT")
        writer.store_batch(db.conn, [amic(SLUG), reprint], "2026-10-13T06:00:00Z", None)
        db.conn.execute("ALTER TABLE articles DROP COLUMN changed_at")
    db.close()
    with Archive.open(path) as archive:
        assert archive.has_url(SLUG)
        again = archive.store(
            [
                amic(
                    "https://amic.ru/news/na-prospekte-lenina-zakonchili-remont-tramvajnyh-putej-580468/"
                )
            ]
        )
        assert again[0].status == "unchanged"
        stories = archive.stories()
        assert len(stories) == 1 and stories[0].article_count == 2
        assert [m.source for m in stories[0].members if m.origin] == ["amic"]


def test_the_pipeline_drops_only_a_page_met_twice() -> None:
    pipeline = DedupePipeline(None)
    pipeline.process_item(amic(SLUG))
    twin = amic("https://www.amic.ru/amp/news/580468", canonical=SLUG)
    assert pipeline.process_item(twin) is twin  # on to the archive, to record the spelling
    with pytest.raises(DropItem):
        pipeline.process_item(amic(SLUG + "?utm_source=tg"))
