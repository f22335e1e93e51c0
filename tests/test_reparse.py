"""Reparse: stored pages through a (fake) newer parser, changes counted and written back."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from crawler.items import Article, NotAnArticle
from pipelines.archive import Archive
from pipelines.archive.reparse import changed_fields, reparse

PAGES = {
    "https://www.amic.ru/news/incident/510001": (
        "amic",
        "В Рубцовске задержали угонщика",
        "Полицейские нашли автомобиль через два часа.",
    ),
    "https://katun24.ru/news/20241101-most": (
        "katun24",
        "Мост через Обь в Барнауле закроют на ремонт",
        "Движение ограничат с 5 ноября.",
    ),
}


def stored_article(url: str) -> Article:
    source, headline, body = PAGES[url]
    html = f"<html><h1>{headline}</h1><p>{body}</p><p>Фото: Мария Орлова</p></html>"
    return Article(
        url=url,
        source=source,
        headline=headline,
        body=body,
        published_at="2024-11-01T10:00:00+07:00",
        fetched_at="2024-11-01T03:30:00+00:00",
        raw_html=html.encode(),
    )


def newer_parser(
    html: bytes | str,
    url: str,
    *,
    source: str | None = None,
    fetched_at: datetime | None = None,
    content_type: str | None = None,
    timezone: str | None = None,
) -> Article:
    """A parser that now also reads the agency, and the credit line into the body of amic."""
    text = html.decode() if isinstance(html, bytes) else html
    if "<h1>" not in text:
        raise NotAnArticle("no headline")
    article = stored_article(url)
    extra = " Фото: Мария Орлова" if source == "amic" else ""
    return dataclasses.replace(
        article, agency="ИА Амител" if source == "amic" else "Катунь 24", body=article.body + extra
    )


def article_row(archive: Archive, article_id: int) -> dict[str, Any]:
    row = archive.get_article(article_id)
    assert row is not None
    return row


@pytest.fixture
def archive(tmp_path: Path) -> Iterator[Archive]:
    arch = Archive.open(tmp_path / "news.db")
    arch.store([stored_article(url) for url in PAGES])
    yield arch
    arch.close()


def test_changed_fields() -> None:
    url = next(iter(PAGES))
    old = stored_article(url)
    assert changed_fields(old, old) == []
    assert changed_fields(old, dataclasses.replace(old, lead="", tags=[])) == []
    assert changed_fields(old, dataclasses.replace(old, agency="ИА Амител", tags=["ДТП"])) == [
        "agency",
        "tags",
    ]


def test_dry_run_counts_and_writes_nothing(archive: Archive) -> None:
    report = reparse(archive, newer_parser, dry_run=True)
    assert report.pages == 2 and report.changed_articles == 2
    assert report.fields == {"agency": 2, "body": 1}
    assert article_row(archive, 1)["agency"] is None
    assert archive.versions(1) == []


def test_reparse_writes_fields_and_versions(archive: Archive) -> None:
    report = reparse(archive, newer_parser, source="amic")
    assert report.pages == 1 and report.new_versions == 1
    article = archive.get_article(1)
    assert article is not None
    assert article["agency"] == "ИА Амител" and article["body"].endswith("Фото: Мария Орлова")
    assert [v["body"] for v in archive.versions(1)] == [PAGES[article["url"]][2]]
    assert article_row(archive, 2)["agency"] is None  # other source untouched
    assert len(archive.search("Орловой")) == 1  # the index follows the new body
    again = reparse(archive, newer_parser, source="amic")
    assert again.changed_articles == 0


def test_since_and_not_articles(archive: Archive) -> None:
    assert reparse(archive, newer_parser, since=date(2025, 1, 1)).pages == 0

    def broken(html: bytes | str, url: str, **kwargs: object) -> Article:
        if "katun24" in url:
            raise NotAnArticle("empty body")
        raise ValueError("layout changed")

    report = reparse(archive, broken)
    assert report.not_articles == {"empty body": 1}
    assert report.errors and "layout changed" in report.errors[0][1]
    assert report.changed_articles == 0


def test_reparse_command(archive: Archive, monkeypatch: pytest.MonkeyPatch) -> None:
    import crawler.parsers

    monkeypatch.setattr(crawler.parsers, "extract_article", newer_parser, raising=False)
    from crawler.cli import cli

    path = str(archive.path)
    result = CliRunner().invoke(cli, ["reparse", "--db", path, "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "articles would change: 2" in result.stdout
    assert "agency" in result.stdout and "body" in result.stdout
    result = CliRunner().invoke(cli, ["reparse", "--db", path])
    assert result.exit_code == 0 and "new text versions: 1" in result.stdout
    missing = CliRunner().invoke(cli, ["reparse", "--db", path + ".missing"])
    assert missing.exit_code == 2 and "no archive at" in missing.stderr


def test_articles_without_a_page_are_counted_not_passed_over(archive: Archive) -> None:
    """An archive imported without --with-raw said "pages reparsed: 0" and no more."""
    bare = Article(
        url="https://www.amic.ru/news/incidents/ugon-580101",
        source="amic",
        headline="В Барнауле нашли угнанный автобус",
        body="Автобус нашли во дворе на улице Попова, угонщика задержали.",
        fetched_at="2024-11-02T03:30:00+00:00",
    )
    archive.store([bare])
    report = reparse(archive, newer_parser)
    assert (report.pages, report.without_page) == (len(PAGES), 1)
    assert reparse(archive, newer_parser, source="katun24").without_page == 0
    assert reparse(archive, newer_parser, since=date(2025, 1, 1)).without_page == 0
    from crawler.cli import cli

    result = CliRunner().invoke(cli, ["reparse", "--db", str(archive.path), "--dry-run"])
    assert "articles without a stored page, not reparsed: 1" in result.stdout


def test_reparse_keeps_the_zone_of_a_source_without_a_parser(tmp_path: Path) -> None:
    """sibnovosti is read by the generic layers only; its zone comes from the registry, as in
    the crawl. Reparsing must not turn its +07:00 times into naive ones."""
    from crawler.cli.reparse import extract_as_crawled

    page = (
        "<html lang='ru'><body><article><h1>Снегопад в Новосибирске</h1>"
        "<span class='meta-date'>5 ноября 2026, 14:20</span>"
        + "".join(
            f"<p>Абзац номер {i}: на дорогах города пробки, коммунальщики вывели технику.</p>"
            for i in range(6)
        )
        + "</article></body></html>"
    )
    article = extract_as_crawled(
        page, "https://sibnovosti.example/news/2026/11/sneg.html", source="sibnovosti"
    )
    assert article.published_at == "2026-11-05T14:20:00+07:00"


def test_a_time_written_with_another_offset_is_no_change() -> None:
    from pipelines.archive.reparse import changed_fields

    page = Article(url="https://amic.ru/news/1", headline="Новость", body="Текст.")
    local = dataclasses.replace(page, modified_at="2026-11-02T08:15:00+07:00")
    assert (
        changed_fields(dataclasses.replace(page, modified_at="2026-11-02T01:15:00Z"), local) == []
    )
    later = dataclasses.replace(page, modified_at="2026-11-02T02:15:00Z")
    assert changed_fields(later, local) == ["modified_at"]
    naive = dataclasses.replace(page, published_at="2026-11-02T08:15:00")
    moved = dataclasses.replace(page, published_at="2026-11-02T08:15:00+07:00")
    assert changed_fields(naive, moved) == ["published_at"]


def test_an_article_stored_anew_while_it_is_parsed_keeps_that_text(archive: Archive) -> None:
    """A crawl or import that writes an article while reparse parses its older page wins:
    reparse leaves it and counts it, instead of writing the older page's parse over it."""
    url = "https://www.amic.ru/news/incident/510001"
    edited = dataclasses.replace(
        stored_article(url),
        body="Полицейские нашли автомобиль через час, угонщик задержан.",
        fetched_at="2024-11-02T08:00:00+00:00",
        raw_html=b"<html><h1>edited</h1></html>",
    )

    def parser_meanwhile_crawled(html: bytes | str, url_: str, **kwargs: Any) -> Article:
        if url_ == url:
            with Archive.open(archive.path) as crawl:  # another writer, another connection
                crawl.store([edited])
        return newer_parser(html, url_, **kwargs)

    report = reparse(archive, parser_meanwhile_crawled)
    assert report.stale == 1 and report.changed_articles == 1  # katun24 was written
    rows = {r["url"]: r for r in archive.iter_articles()}
    assert (rows[url]["body"], rows[url]["fetched_at"]) == (edited.body, edited.fetched_at)
    assert rows["https://katun24.ru/news/20241101-most"]["agency"] == "Катунь 24"
