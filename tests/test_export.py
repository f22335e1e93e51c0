"""Exports read back with each format's own library and compared with the archive.

The archive is built through `Archive.store` from articles whose values we wrote, so the
expected values (UTC times, offsets, lists) are known here, not taken from the exporter.
"""

from __future__ import annotations

import csv
import io
import json
import re
import sqlite3
import time
from collections.abc import Iterable, Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from crawler.items import Article, Image, PhotoCredit
from pipelines.archive import Archive
from pipelines.export import FIELD_NAMES, ExportError, UnknownFieldError, export_articles
from pipelines.export import articles as export_module
from pipelines.export.columns import COLUMNS

BRIDGE_BODY = (
    'Мэр Барнаула Олег Кравцов назвал мост "главной стройкой года".\n'
    "Движение по новому мосту через Обь откроют в субботу, 9 марта; проезд будет бесплатным."
)
ARTICLES = [
    Article(
        url="https://www.amic.ru/news/society/most-cherez-ob-101",
        canonical_url="https://www.amic.ru/news/society/most-cherez-ob-101",
        headline="В Барнауле открыли новый мост через Обь",
        lead="Строительство шло три года.",
        body=BRIDGE_BODY,
        source="amic",
        agency="ИА «Амител»",
        language="ru",
        published_at="2024-03-05T11:10:00+07:00",
        published_at_raw="5 марта 2024, 11:10",
        modified_at="2024-03-05T12:30:00+07:00",
        authors=["Ирина Соколова", "Павел Дёмин"],
        photo_credits=[
            PhotoCredit("Фото: Алексей Петров / ИА «Амител»", "Алексей Петров", "ИА «Амител»")
        ],
        images=[
            Image("https://www.amic.ru/images/most-1.jpg", "Мост через Обь", "Алексей Петров"),
            Image("https://www.amic.ru/images/most-2.jpg", None, None),
        ],
        rubric="Общество",
        tags=["Барнаул", "мосты"],
        fetched_at="2024-03-05T05:00:00+00:00",
        provenance={"headline": "jsonld", "agency": "source:amic:v1"},
    ),
    Article(
        url="https://katun24.ru/news/pogoda-202",
        headline="В Алтайском крае ожидаются морозы до минус 35",
        body="Синоптики Западно-Сибирского УГМС предупредили о похолодании.",
        source="katun24",
        agency="Катунь 24",
        language="ru",
        published_at="2024-03-06T09:00:00",  # the page gives no offset
        published_at_raw="06.03.2024 09:00",
        fetched_at="2024-03-06T03:00:00+00:00",
    ),
    Article(
        url="https://ngs22.ru/text/politics/2024/04/01/303/",
        headline="Губернатор Алтайского края провёл приём граждан",
        lead="Обращения касались дорог и тарифов.",
        body="Губернатор ответил на вопросы жителей Бийска и Рубцовска.",
        source="ngs22",
        agency="НГС22",
        language="ru",
        published_at="2024-04-01T08:00:00+07:00",
        authors=["Мария Лебедева"],
        tags=["власть"],
        fetched_at="2024-04-01T02:00:00+00:00",
    ),
    Article(
        url="https://sibnovosti.ru/news/most-cherez-ob-404",
        headline="В Барнауле открыли новый мост через Обь",
        lead="Строительство шло три года.",
        body=BRIDGE_BODY + "\nСообщает ИА «Амител».",
        source="sibnovosti",
        agency="ИА «Амител»",
        language="ru",
        published_at="2024-03-05T12:40:00+07:00",
        fetched_at="2024-03-05T06:00:00+00:00",
    ),
]
# The truth of the fixture, worked out by hand.
UTC_PUBLISHED = {
    "amic": "2024-03-05T04:10:00Z",
    "katun24": None,
    "ngs22": "2024-04-01T01:00:00Z",
    "sibnovosti": "2024-03-05T05:40:00Z",
}
OFFSETS = {"amic": 420, "katun24": None, "ngs22": 420, "sibnovosti": 420}
TIMESTAMPS = (
    "published_at_utc",
    "modified_at",
    "fetched_at",
    "first_seen",
    "last_seen",
    "changed_at",
)


def build_archive(path: Path, articles: Iterable[Article] = ARTICLES) -> Path:
    with Archive.open(path) as archive:
        archive.store(list(articles))
    return path


def make_story(path: Path, member_sources: list[str], origin: str | None) -> None:
    """Link articles into one story, as the dedupe step does."""
    conn = sqlite3.connect(path)
    with conn:
        ids = {r[1]: r[0] for r in conn.execute("SELECT id, source FROM articles").fetchall()}
        origin_id = ids[origin] if origin else None
        cur = conn.execute(
            "INSERT INTO stories (origin_article_id, article_count) VALUES (?, ?)",
            (origin_id, len(member_sources)),
        )
        for source in member_sources:
            conn.execute(
                "UPDATE articles SET story_id = ? WHERE id = ?", (cur.lastrowid, ids[source])
            )
    conn.close()


@pytest.fixture
def archive_path(tmp_path: Path) -> Path:
    return build_archive(tmp_path / "news.db")


@pytest.fixture
def archive(archive_path: Path) -> Iterator[Archive]:
    with Archive.open(archive_path, readonly=True) as opened:
        yield opened


def db_rows(path: Path) -> dict[int, dict[str, Any]]:
    """The articles as the database holds them, read without the exporter."""
    conn = sqlite3.connect(path)
    conn.row_factory = sqlite3.Row
    rows = {r["id"]: dict(r) for r in conn.execute("SELECT * FROM articles")}
    conn.close()
    return rows


def utc_text(value: str | None) -> str | None:
    """An ISO time with offset as 'YYYY-MM-DDTHH:MM:SSZ'; None without an offset."""
    if not value:
        return None
    moment = datetime.fromisoformat(value)
    if moment.tzinfo is None:
        return None
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def expected_record(row: dict[str, Any]) -> dict[str, Any]:
    """One database row in the export schema, with the JSON spellings (docs/export.md)."""
    return {
        "id": row["id"],
        "canonical_url": row["canonical_url"],
        "url": row["url"],
        "source": row["source"],
        "agency": row["agency"],
        "language": row["language"],
        "headline": row["headline"],
        "lead": row["lead"],
        "body": row["body"],
        "published_at": row["published_at"],
        "published_at_offset_minutes": OFFSETS[row["source"]],
        "published_at_utc": UTC_PUBLISHED[row["source"]],
        "published_at_raw": row["published_at_raw"],
        "modified_at": utc_text(row["modified_at"]),
        "authors": json.loads(row["authors"]),
        "photo_credits": json.loads(row["photo_credits"]),
        "images": json.loads(row["images"]),
        "rubric": row["rubric"],
        "tags": json.loads(row["tags"]),
        "word_count": row["word_count"],
        "fetched_at": utc_text(row["fetched_at"]),
        "first_seen": utc_text(row["first_seen"]),
        "last_seen": utc_text(row["last_seen"]),
        "story_id": row["story_id"],
        "content_hash": row["content_hash"],
        "provenance": json.loads(row["provenance"]),
        "changed_at": utc_text(row["changed_at"]),
    }


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def read_csv(path: Path, encoding: str = "utf-8") -> list[dict[str, str]]:
    with path.open(encoding=encoding, newline="") as fh:
        return list(csv.DictReader(fh))


def test_schema_lists_every_article_column_once() -> None:
    names = [c.name for c in COLUMNS]
    assert len(names) == len(set(names)) == len(FIELD_NAMES)
    for field in ("headline", "body", "published_at", "images", "photo_credits", "provenance"):
        assert field in names


def test_docs_schema_table_names_every_column_in_order() -> None:
    doc = (Path(__file__).resolve().parent.parent / "docs" / "export.md").read_text("utf-8")
    table = doc.split("## Schema", 1)[1].split("\n## ", 1)[0]
    names = re.findall(r"^\| `([a-z_]+)` \|", table, flags=re.M)
    assert names == list(FIELD_NAMES)


def test_jsonl_round_trip(archive: Archive, archive_path: Path, tmp_path: Path) -> None:
    out = tmp_path / "news.jsonl"
    result = export_articles(archive, out, format="jsonl")
    assert result.rows == 4 and result.path == out
    records = read_jsonl(out)
    expected = [expected_record(r) for r in db_rows(archive_path).values()]
    assert records == sorted(expected, key=lambda r: r["id"])
    assert list(records[0]) == list(FIELD_NAMES)


def test_jsonl_is_utf8_not_escaped(archive: Archive, tmp_path: Path) -> None:
    out = tmp_path / "news.jsonl"
    export_articles(archive, out, format="jsonl", fields=["headline"])
    text = out.read_bytes().decode("utf-8")
    assert '{"headline":"В Барнауле открыли новый мост через Обь"}\n' in text
    assert "\\u04" not in text


def test_csv_round_trip(archive: Archive, archive_path: Path, tmp_path: Path) -> None:
    out = tmp_path / "news.csv"
    export_articles(archive, out, format="csv")
    assert not out.read_bytes().startswith(b"\xef\xbb\xbf")
    rows = read_csv(out)
    assert list(rows[0]) == list(FIELD_NAMES)
    by_id = {int(r["id"]): r for r in rows}
    for row_id, row in db_rows(archive_path).items():
        want = expected_record(row)
        got = by_id[row_id]
        for name in ("authors", "photo_credits", "images", "tags", "provenance"):
            assert json.loads(got[name]) == want[name], name
        for name in ("headline", "lead", "body", "published_at", "published_at_utc", "agency"):
            assert got[name] == (want[name] or ""), name
        assert got["published_at_offset_minutes"] == str(want["published_at_offset_minutes"] or "")
        assert got["word_count"] == str(want["word_count"])


def test_csv_keeps_newlines_and_quotes_in_one_cell(archive: Archive, tmp_path: Path) -> None:
    out = tmp_path / "news.csv"
    export_articles(archive, out, format="csv", fields=["source", "body"], source="amic")
    raw = out.read_text(encoding="utf-8")
    assert raw.count("\n") == 3  # header, the row, and the newline inside the quoted body
    assert '"Мэр Барнаула Олег Кравцов назвал мост ""главной стройкой года"".\n' in raw
    assert read_csv(out) == [{"source": "amic", "body": BRIDGE_BODY}]


def test_csv_for_excel_has_bom_and_crlf(archive: Archive, tmp_path: Path) -> None:
    out = tmp_path / "news.csv"
    export_articles(archive, out, format="csv", fields=["id", "body"], source="amic", excel=True)
    data = out.read_bytes()
    assert data.startswith(b"\xef\xbb\xbfid,body\r\n")
    rows = read_csv(out, encoding="utf-8-sig")
    assert rows[0]["body"] == BRIDGE_BODY  # a newline inside a quoted cell stays as it was


def test_parquet_schema_is_typed(archive: Archive, tmp_path: Path) -> None:
    out = tmp_path / "news.parquet"
    export_articles(archive, out, format="parquet")
    schema = pq.read_schema(out)
    assert schema.field("id").type == pa.int64()
    assert schema.field("word_count").type == pa.int32()
    assert schema.field("published_at_offset_minutes").type == pa.int16()
    for name in TIMESTAMPS:
        assert schema.field(name).type == pa.timestamp("us", tz="UTC"), name
    assert schema.field("published_at").type == pa.string()
    assert schema.field("authors").type == pa.list_(pa.string())
    images = schema.field("images").type
    assert pa.types.is_list(images) and images.value_type.names == ["url", "caption", "credit"]
    credits = schema.field("photo_credits").type.value_type
    assert credits.names == ["text", "photographer", "organisation"]
    assert schema.field("provenance").type == pa.string()


def test_parquet_round_trip_with_pyarrow(
    archive: Archive, archive_path: Path, tmp_path: Path
) -> None:
    out = tmp_path / "news.parquet"
    export_articles(archive, out, format="parquet")
    table = pq.read_table(out)
    assert table.num_rows == 4
    records = {r["id"]: r for r in table.to_pylist()}
    for row_id, row in db_rows(archive_path).items():
        want = expected_record(row)
        got = records[row_id]
        for name, value in want.items():
            if name in TIMESTAMPS:
                expect = None if value is None else datetime.fromisoformat(value)
                assert got[name] == expect, name
                assert got[name] is None or got[name].utcoffset().total_seconds() == 0
            elif name == "provenance":
                assert json.loads(got[name]) == value
            else:
                assert got[name] == value, name


def test_parquet_with_pandas(archive: Archive, tmp_path: Path) -> None:
    pd = pytest.importorskip("pandas")
    out = tmp_path / "news.parquet"
    export_articles(archive, out, format="parquet")
    frame = pd.read_parquet(out)
    assert len(frame) == 4
    assert str(frame["published_at_utc"].dtype).startswith("datetime64")
    amic = frame[frame["source"] == "amic"].iloc[0]
    assert amic["published_at_utc"] == pd.Timestamp("2024-03-05T04:10:00Z")
    assert list(amic["authors"]) == ["Ирина Соколова", "Павел Дёмин"]


def test_parquet_with_duckdb(archive: Archive, tmp_path: Path) -> None:
    duckdb = pytest.importorskip("duckdb")
    out = tmp_path / "news.parquet"
    export_articles(archive, out, format="parquet")
    rows = duckdb.sql(
        f"SELECT source, images[1].caption, len(authors) FROM '{out}' ORDER BY id"
    ).fetchall()
    assert rows[0] == ("amic", "Мост через Обь", 2)


def test_parquet_row_groups_stream(
    archive: Archive, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from pipelines.export import parquet

    monkeypatch.setattr(parquet, "ROW_GROUP_ROWS", 3)
    monkeypatch.setitem(
        export_module.WRITERS,
        "parquet",
        lambda rows, columns, fh: parquet.write_parquet(rows, columns, fh, row_group_rows=3),
    )
    out = tmp_path / "news.parquet"
    export_articles(archive, out, format="parquet", fields=["id"])
    assert pq.ParquetFile(out).num_row_groups == 2
    assert pq.read_table(out).column("id").to_pylist() == sorted(db_rows(out.parent / "news.db"))


def test_empty_export_still_has_the_schema(archive: Archive, tmp_path: Path) -> None:
    out = tmp_path / "none.parquet"
    result = export_articles(archive, out, format="parquet", source="no-such-source")
    assert result.rows == 0
    assert pq.read_table(out).num_rows == 0
    assert pq.read_schema(out).names == list(FIELD_NAMES)


def test_fields_choose_and_order_columns(archive: Archive, tmp_path: Path) -> None:
    out = tmp_path / "few.jsonl"
    export_articles(archive, out, format="jsonl", fields=["headline", "id", "published_at_utc"])
    records = read_jsonl(out)
    assert [list(r) for r in records] == [["headline", "id", "published_at_utc"]] * 4
    assert records[2] == {
        "headline": "Губернатор Алтайского края провёл приём граждан",
        "id": 3,
        "published_at_utc": "2024-04-01T01:00:00Z",
    }


def test_unknown_fields_list_the_valid_ones(archive: Archive, tmp_path: Path) -> None:
    with pytest.raises(UnknownFieldError) as info:
        export_articles(archive, tmp_path / "x.jsonl", format="jsonl", fields=["id", "titel"])
    assert "titel" in str(info.value) and "headline" in str(info.value)
    assert not list(tmp_path.glob("*x.jsonl*"))


def sources_of(archive: Archive, tmp_path: Path, **filters: Any) -> list[str]:
    out = tmp_path / "filtered.jsonl"
    export_articles(archive, out, format="jsonl", fields=["source"], **filters)
    return [r["source"] for r in read_jsonl(out)]


def test_filters_match_the_search(archive: Archive, tmp_path: Path) -> None:
    assert sources_of(archive, tmp_path, source="ngs22") == ["ngs22"]
    assert sources_of(archive, tmp_path, agency="ИА «Амител»") == ["amic", "sibnovosti"]
    # "губернатора" finds "Губернатор" by its stem, as the search does.
    assert sources_of(archive, tmp_path, query="губернатора") == ["ngs22"]
    assert sources_of(archive, tmp_path, query="мост", source="sibnovosti") == ["sibnovosti"]
    # The katun24 article has no offset: its local time counts, as in the search.
    assert sources_of(archive, tmp_path, since=date(2024, 3, 6)) == ["katun24", "ngs22"]
    assert sources_of(archive, tmp_path, until=date(2024, 3, 5)) == ["amic", "sibnovosti"]
    moment = datetime(2024, 3, 5, 5, 0, tzinfo=UTC)
    assert sources_of(archive, tmp_path, until=moment) == ["amic"]


def export_plans(archive: Archive, out: Path, **filters: Any) -> list[str]:
    """Export to JSONL with `filters`; the query plan of each statement it read articles by."""
    statements: list[str] = []
    archive.db.conn.set_trace_callback(statements.append)
    try:
        export_articles(archive, out, format="jsonl", **filters)
    finally:
        archive.db.conn.set_trace_callback(None)
    reads = [s for s in statements if "FROM articles" in s]
    return [str(archive.db.conn.execute("EXPLAIN QUERY PLAN " + s).fetchall()) for s in reads]


@pytest.mark.parametrize("zone", [None, "Asia/Barnaul"])
def test_an_export_by_date_reads_the_time_index_not_every_row(
    archive: Archive, tmp_path: Path, zone: str | None
) -> None:
    """A week's articles of a million-article archive are found through the index on
    the publication time (with `--tz` too), not by reading every row."""
    from zoneinfo import ZoneInfo

    since: date | datetime = date(2024, 3, 6)
    if zone is not None:
        since = datetime(2024, 3, 6, tzinfo=ZoneInfo(zone))
    plans = export_plans(archive, tmp_path / "week.jsonl", since=since)
    assert plans
    assert all("idx_articles_published_at_utc" in plan for plan in plans)
    assert [p for p in plans if re.search(r"SCAN articles\b", p)] == []
    assert len((tmp_path / "week.jsonl").read_text().splitlines()) == 2


def test_an_export_of_a_source_by_date_reads_an_index_of_both(
    archive: Archive, tmp_path: Path
) -> None:
    """SQLite took a source's articles from its coverage index and read every row of the
    source to test its date: 15 s for a month of one source at a million articles."""
    plans = export_plans(archive, tmp_path / "amic.jsonl", source="amic", since=date(2024, 3, 1))
    assert plans
    assert all("INDEX idx_articles_source_published_at_utc (source=?)" in plan for plan in plans)
    assert [p for p in plans if re.search(r"SCAN articles\b", p)] == []
    assert [json.loads(line)["source"] for line in (tmp_path / "amic.jsonl").open()] == ["amic"]


def test_an_export_by_query_and_date_is_led_by_the_query(archive: Archive, tmp_path: Path) -> None:
    """The few ids of a query lead and the date only filters them: walking every article
    since 2020 through the time index first would cost a long range for a few rows."""
    plans = export_plans(archive, tmp_path / "q.jsonl", query="мост", since=date(2020, 1, 1))
    assert plans and all("articles_fts" in p and "published_at_utc" not in p for p in plans)
    assert len((tmp_path / "q.jsonl").read_text().splitlines()) == 2


def test_collapse_stories_keeps_the_origin(archive_path: Path, tmp_path: Path) -> None:
    make_story(archive_path, ["amic", "sibnovosti"], origin="sibnovosti")
    with Archive.open(archive_path, readonly=True) as archive:
        assert sources_of(archive, tmp_path, collapse_stories=True) == [
            "katun24",
            "ngs22",
            "sibnovosti",
        ]
        assert len(sources_of(archive, tmp_path)) == 4


def test_collapse_stories_without_origin_keeps_the_earliest(
    archive_path: Path, tmp_path: Path
) -> None:
    make_story(archive_path, ["amic", "sibnovosti"], origin=None)
    with Archive.open(archive_path, readonly=True) as archive:
        collapsed = sources_of(archive, tmp_path, collapse_stories=True)
        assert collapsed == ["amic", "katun24", "ngs22"]
        # Among the matches only: the sibnovosti copy stands for the story in its source.
        assert sources_of(archive, tmp_path, collapse_stories=True, source="sibnovosti") == [
            "sibnovosti"
        ]


def failing_after(count: int) -> Any:
    """A writer that writes `count` rows as JSONL and then fails, as a crash mid-export."""

    def write(rows: Iterable[dict[str, Any]], columns: Any, fh: Any) -> int:
        for n, row in enumerate(rows):
            if n == count:
                raise OSError("disk full")
            fh.write(json.dumps(row, default=str).encode() + b"\n")
        return count

    return write


def test_failed_export_leaves_no_file(
    archive: Archive, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(export_module.WRITERS, "jsonl", failing_after(2))
    out = tmp_path / "news.jsonl"
    with pytest.raises(OSError, match="disk full"):
        export_articles(archive, out, format="jsonl")
    assert sorted(p.name for p in tmp_path.iterdir() if "news.db" not in p.name) == []


def test_failed_export_keeps_the_previous_file(
    archive: Archive, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "news.jsonl"
    export_articles(archive, out, format="jsonl")
    before = out.read_bytes()
    monkeypatch.setitem(export_module.WRITERS, "jsonl", failing_after(3))
    with pytest.raises(OSError):
        export_articles(archive, out, format="jsonl")
    assert out.read_bytes() == before
    assert sorted(p.name for p in tmp_path.glob("*news.jsonl*")) == ["news.jsonl"]


def test_interrupted_export_leaves_no_file(
    archive: Archive, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def interrupted(rows: Iterable[dict[str, Any]], columns: Any, fh: Any) -> int:
        next(iter(rows))
        fh.write(b"partial")
        raise KeyboardInterrupt

    monkeypatch.setitem(export_module.WRITERS, "csv", interrupted)
    with pytest.raises(KeyboardInterrupt):
        export_articles(archive, tmp_path / "news.csv", format="csv")
    assert not list(tmp_path.glob("*news.csv*"))


def test_progress_reports_the_total(archive: Archive, tmp_path: Path) -> None:
    calls: list[tuple[int, int]] = []
    export_articles(
        archive,
        tmp_path / "a.csv",
        format="csv",
        source="amic",
        progress=lambda d, t: calls.append((d, t)),
    )
    assert calls[0] == (0, 1) and calls[-1] == (1, 1)


# -- incremental exports ---------------------------------------------------------------------


def wait_next_second() -> None:
    """Archive timestamps have whole seconds: let the clock reach the next one."""
    time.sleep(1.05 - (time.time() % 1.0))


def incremental(path: Path, out: Path, **kwargs: Any) -> list[str]:
    with Archive.open(path) as archive:
        export_articles(
            archive,
            out,
            format="jsonl",
            fields=["headline"],
            since_last="nightly",
            settle_seconds=0,
            **kwargs,
        )
    return [r["headline"] for r in read_jsonl(out)]


def test_since_last_exports_only_new_and_changed(tmp_path: Path) -> None:
    path = build_archive(tmp_path / "news.db")
    wait_next_second()
    first = incremental(path, tmp_path / "1.jsonl")
    assert len(first) == 4
    assert incremental(path, tmp_path / "2.jsonl") == []
    wait_next_second()
    changed = Article.from_dict({**ARTICLES[1].to_dict(), "body": "Морозы отступят к выходным."})
    fresh = Article(
        url="https://amic.ru/news/incidents/pozhar-505",
        headline="В Рубцовске потушили пожар на складе",
        body="Пострадавших нет.",
        source="amic",
    )
    build_archive(path, [changed, fresh])
    wait_next_second()
    assert incremental(path, tmp_path / "3.jsonl") == [
        "В Алтайском крае ожидаются морозы до минус 35",
        "В Рубцовске потушили пожар на складе",
    ]
    assert incremental(path, tmp_path / "4.jsonl") == []


def test_since_last_names_are_independent(tmp_path: Path) -> None:
    path = build_archive(tmp_path / "news.db")
    wait_next_second()
    assert len(incremental(path, tmp_path / "1.jsonl")) == 4
    with Archive.open(path) as archive:
        other = export_articles(archive, tmp_path / "o.jsonl", format="jsonl", since_last="other")
    assert other.rows == 4 and other.cursor is not None and other.cursor.name == "other"


def test_since_last_on_an_archive_it_cannot_write_fails_before_writing_the_file(
    archive: Archive, tmp_path: Path
) -> None:
    """The cursor is saved in the archive: where that cannot be done (here a read-only
    connection; for a user, an archive owned by another account), nothing is written."""
    out = tmp_path / "new.jsonl"
    with pytest.raises(ExportError, match="cannot be written here"):
        export_articles(archive, out, format="jsonl", since_last="nightly")
    assert [p.name for p in tmp_path.iterdir() if not p.name.startswith("news.db")] == []


def test_since_last_while_another_writer_holds_the_archive_is_a_clear_error(
    archive_path: Path, tmp_path: Path
) -> None:
    with Archive.open(archive_path) as archive:
        archive.db.conn.execute("PRAGMA busy_timeout = 100")
        writer = sqlite3.connect(archive_path)  # a crawl or an import, mid-transaction
        writer.execute("BEGIN IMMEDIATE")
        try:
            with pytest.raises(ExportError, match="the archive is busy"):
                export_articles(archive, tmp_path / "n.jsonl", format="jsonl", since_last="n")
        finally:
            writer.rollback()
            writer.close()
    assert not (tmp_path / "n.jsonl").exists()


def test_failed_since_last_run_does_not_advance(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = build_archive(tmp_path / "news.db")
    wait_next_second()
    monkeypatch.setitem(export_module.WRITERS, "jsonl", failing_after(2))
    with pytest.raises(OSError):
        incremental(path, tmp_path / "1.jsonl")
    monkeypatch.undo()
    assert len(incremental(path, tmp_path / "2.jsonl")) == 4


def test_rows_of_the_unsettled_window_come_again(tmp_path: Path) -> None:
    path = build_archive(tmp_path / "news.db")
    with Archive.open(path) as archive:
        first = export_articles(archive, tmp_path / "1.jsonl", format="jsonl", since_last="n")
        second = export_articles(archive, tmp_path / "2.jsonl", format="jsonl", since_last="n")
    # Stored seconds ago, inside the default settle time: delivered again, never lost.
    assert first.rows == 4 and second.rows == 4
    assert first.cursor is not None and first.cursor.last_id == 0


def test_cursor_table_shape(tmp_path: Path) -> None:
    path = build_archive(tmp_path / "news.db")
    wait_next_second()
    incremental(path, tmp_path / "1.jsonl")
    conn = sqlite3.connect(path)
    row = conn.execute("SELECT name, last_id, rows, filters FROM export_cursors").fetchone()
    columns = [r[1] for r in conn.execute("PRAGMA table_info(export_cursors)")]
    conn.close()
    assert columns == ["name", "last_seen", "last_id", "updated_at", "rows", "filters"]
    assert row[:3] == ("nightly", 4, 4)
    assert json.loads(row[3]) == {  # the filters it is right for: none
        "query": None,
        "source": None,
        "agency": None,
        "since": None,
        "until": None,
        "collapse_stories": False,
    }


def test_stdout_export(archive: Archive, capfdbinary: pytest.CaptureFixture[bytes]) -> None:
    result = export_articles(archive, None, format="jsonl", fields=["source"], agency="НГС22")
    assert result.rows == 1 and result.path is None
    assert capfdbinary.readouterr().out == b'{"source":"ngs22"}\n'


def test_csv_cells_of_a_row_read_with_stdlib(archive: Archive, tmp_path: Path) -> None:
    out = tmp_path / "news.csv"
    export_articles(archive, out, format="csv", fields=["images", "modified_at"], source="amic")
    row = next(csv.reader(io.StringIO(out.read_text(encoding="utf-8").split("\n", 1)[1])))
    assert json.loads(row[0])[0] == {
        "url": "https://www.amic.ru/images/most-1.jpg",
        "caption": "Мост через Обь",
        "credit": "Алексей Петров",
    }
    assert row[1] == "2024-03-05T05:30:00Z"
