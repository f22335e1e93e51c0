"""Date strings as our sources print them (../shared/SITES.md, "Date formats"), machine formats
from feeds, sitemaps and attributes, and bad input. Expected values are worked out by hand from
the calendar and the zone history of Asia/Barnaul (UTC+6 in winter and UTC+7 in summer from
1995 to 2011, UTC+7 from 2011, UTC+6 from October 2014 to March 2016, UTC+7 since)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from crawler.parsers.dates import ParsedDate, is_dateline, parse_date, prefer_page

BARNAUL = "Asia/Barnaul"
# 2024-11-28 14:00 in Barnaul: the fetch time of most rows.
FETCHED = datetime(2024, 11, 28, 7, 0, tzinfo=UTC)
# 2024-11-29 01:00 in Barnaul, still the 28th in UTC: relative days must follow the source.
AFTER_LOCAL_MIDNIGHT = datetime(2024, 11, 28, 18, 0, tzinfo=UTC)
IN_2026 = datetime(2026, 1, 10, 3, 0, tzinfo=UTC)
DECEMBER = datetime(2024, 12, 10, 5, 0, tzinfo=UTC)
MARCH_2025 = datetime(2025, 3, 1, 5, 0, tzinfo=UTC)

# (input, tz, fetched_at, expected ISO string or None, expected reason)
ROWS: list[tuple[str | int | float | None, str | None, datetime, str | None, str | None]] = [
    # SITES.md: amic, katun24, altapress and the other printed forms
    ("07 ноября 2019, 16:17, ИА Амител", BARNAUL, FETCHED, "2019-11-07T16:17+07:00", None),
    ("10 февраля 2022 / 15:43", BARNAUL, FETCHED, "2022-02-10T15:43+07:00", None),
    ("4 мая 2021 / 13:25", BARNAUL, FETCHED, "2021-05-04T13:25+07:00", None),
    ("20 мая 2015, 09:25", BARNAUL, FETCHED, "2015-05-20T09:25+06:00", None),
    ("февраль 3, 2024", BARNAUL, FETCHED, "2024-02-03T00:00+07:00", None),
    ("10:00, 30 декабря 2016г, Общество 1734", BARNAUL, FETCHED, "2016-12-30T10:00+07:00", None),
    ("ИА Атмосфера • 12 сентября, 2018", BARNAUL, FETCHED, "2018-09-12T00:00+07:00", None),
    ("ИА Атмосфера • 12 сентября", BARNAUL, FETCHED, "2024-09-12T00:00+07:00", None),
    ("4 Декабря , 12:28", BARNAUL, FETCHED, "2023-12-04T12:28+07:00", None),
    ("4 Декабря , 12:28", BARNAUL, DECEMBER, "2024-12-04T12:28+07:00", None),
    ("20:15, 19 Июня 2019", BARNAUL, FETCHED, "2019-06-19T20:15+07:00", None),
    ("27 Ноябрь 2024 443", BARNAUL, FETCHED, "2024-11-27T00:00+07:00", None),
    ("27 Ноябрь 2024443", BARNAUL, FETCHED, "2024-11-27T00:00+07:00", None),
    ("22.12.25, 18:20", BARNAUL, IN_2026, "2025-12-22T18:20+07:00", None),
    ("12 ноя 2024, 09:05", BARNAUL, FETCHED, "2024-11-12T09:05+07:00", None),
    ("03 дек 2023, 23:59", BARNAUL, FETCHED, "2023-12-03T23:59+07:00", None),
    ("сегодня, 12:30", BARNAUL, FETCHED, "2024-11-28T12:30+07:00", None),
    ("вчера в 9:05", BARNAUL, FETCHED, "2024-11-27T09:05+07:00", None),
    ("5 минут назад", BARNAUL, FETCHED, "2024-11-28T13:55+07:00", None),
    ("час назад", BARNAUL, FETCHED, "2024-11-28T13:00+07:00", None),
    # more Russian shapes
    ("7 НОЯБРЯ 2019 ГОДА, 16:17", BARNAUL, FETCHED, "2019-11-07T16:17+07:00", None),
    ("7 ноября 2019 г. в 16:17", BARNAUL, FETCHED, "2019-11-07T16:17+07:00", None),
    ("Опубликовано: 5 марта 2024 в 10:12", BARNAUL, FETCHED, "2024-03-05T10:12+07:00", None),
    ("5 сент. 2023", BARNAUL, FETCHED, "2023-09-05T00:00+07:00", None),
    ("вторник, 5 марта 2024, 10:12", BARNAUL, FETCHED, "2024-03-05T10:12+07:00", None),
    ("07.11.2019 16:17", BARNAUL, FETCHED, "2019-11-07T16:17+07:00", None),
    ("16:17 07.11.2019", BARNAUL, FETCHED, "2019-11-07T16:17+07:00", None),
    ("07.11.2019", BARNAUL, FETCHED, "2019-11-07T00:00+07:00", None),
    ("7 ноября 2019, 12:17 (МСК)", BARNAUL, FETCHED, "2019-11-07T12:17+03:00", None),
    ("07 ноября 2019, 16:17", "Asia/Novosibirsk", FETCHED, "2019-11-07T16:17+07:00", None),
    ("07 ноября 2019, 16:17", "Europe/Moscow", FETCHED, "2019-11-07T16:17+03:00", None),
    ("07 ноября 2019, 16:17", "+07:00", FETCHED, "2019-11-07T16:17+07:00", None),
    ("29 февраля", BARNAUL, MARCH_2025, "2024-02-29T00:00+07:00", None),
    # relative forms, resolved in the source's zone
    ("вчера в 23:30", BARNAUL, AFTER_LOCAL_MIDNIGHT, "2024-11-28T23:30+07:00", None),
    ("сегодня, 00:30", BARNAUL, AFTER_LOCAL_MIDNIGHT, "2024-11-29T00:30+07:00", None),
    ("вчера", BARNAUL, FETCHED, "2024-11-27T00:00+07:00", None),
    ("позавчера, 18:40", BARNAUL, FETCHED, "2024-11-26T18:40+07:00", None),
    ("полчаса назад", BARNAUL, FETCHED, "2024-11-28T13:30+07:00", None),
    ("3 часа назад", BARNAUL, FETCHED, "2024-11-28T11:00+07:00", None),
    ("2 дня назад", BARNAUL, FETCHED, "2024-11-26T14:00+07:00", None),
    ("только что", BARNAUL, FETCHED, "2024-11-28T14:00+07:00", None),
    ("5 минут назад", None, FETCHED, "2024-11-28T06:55+00:00", None),
    # machine formats: ISO 8601, <time datetime>, JSON-LD, article:*_time, sitemap lastmod
    ("2019-11-07T16:17:00+07:00", BARNAUL, FETCHED, "2019-11-07T16:17+07:00", None),
    ("2019-11-07T09:17:00Z", BARNAUL, FETCHED, "2019-11-07T09:17+00:00", None),
    ("2019-11-07T09:17:00.250Z", None, FETCHED, "2019-11-07T09:17:00.250000+00:00", None),
    ("2019-11-07T16:17:30+0700", None, FETCHED, "2019-11-07T16:17:30+07:00", None),
    ("2024-03-05T10:12:00+03:00", BARNAUL, FETCHED, "2024-03-05T10:12+03:00", None),
    ("2019-11-07T16:17+07:00", None, FETCHED, "2019-11-07T16:17+07:00", None),
    ("2019-11-07 16:17:00", BARNAUL, FETCHED, "2019-11-07T16:17+07:00", None),
    ("2019-11-07", BARNAUL, FETCHED, "2019-11-07T00:00+07:00", None),
    # RFC 822 in feeds
    ("Thu, 07 Nov 2019 16:17:00 +0700", BARNAUL, FETCHED, "2019-11-07T16:17+07:00", None),
    ("Thu, 07 Nov 2019 09:17:00 GMT", BARNAUL, FETCHED, "2019-11-07T09:17+00:00", None),
    ("Thu, 7 Nov 2019 12:17:00 MSK", BARNAUL, FETCHED, "2019-11-07T12:17+03:00", None),
    ("Thu, 07 Nov 2019 16:17:00 -0000", BARNAUL, FETCHED, "2019-11-07T16:17+07:00", None),
    ("Tue, 05 Mar 2024 10:12:00 -0500", None, FETCHED, "2024-03-05T10:12-05:00", None),
    # Unix epochs in data attributes
    ("1573118220", BARNAUL, FETCHED, "2019-11-07T16:17+07:00", None),
    ("1573118220000", BARNAUL, FETCHED, "2019-11-07T16:17+07:00", None),
    (1573118220, None, FETCHED, "2019-11-07T09:17+00:00", None),
    (1573118220.5, None, FETCHED, "2019-11-07T09:17:00.500000+00:00", None),
    # an unknown site and no zone in the text: the offset stays unknown
    ("07 ноября 2019, 16:17", None, FETCHED, "2019-11-07T16:17", None),
    ("07 ноября 2019, 16:17", "Mars/Olympus_Mons", FETCHED, "2019-11-07T16:17", None),
    # bad input: None and a reason, never a wrong date
    (None, BARNAUL, FETCHED, None, "empty"),
    ("", BARNAUL, FETCHED, None, "empty"),
    ("   ", BARNAUL, FETCHED, None, "empty"),
    ("garbage", BARNAUL, FETCHED, None, "unparseable"),
    ("Комментарии 12", BARNAUL, FETCHED, None, "unparseable"),
    ("12:30", BARNAUL, FETCHED, None, "unparseable"),
    ("март 2024", BARNAUL, FETCHED, None, "unparseable"),
    ("32 февраля 2020", BARNAUL, FETCHED, None, "impossible date"),
    ("31 июня 2020, 10:00", BARNAUL, FETCHED, None, "impossible date"),
    ("29 февраля 2023", BARNAUL, FETCHED, None, "impossible date"),
    ("25:61, 5 марта 2024", BARNAUL, FETCHED, None, "impossible date"),
    ("13.13.2020", BARNAUL, FETCHED, None, "impossible date"),
    ("2019-02-30T10:00:00Z", BARNAUL, FETCHED, None, "impossible date"),
    ("Sat, 32 Nov 2019 16:17:00 +0700", BARNAUL, FETCHED, None, "impossible date"),
    ("5 марта 1975", BARNAUL, FETCHED, None, "out of range"),
    ("1970-01-01T00:00:00Z", BARNAUL, FETCHED, None, "out of range"),
    (0, BARNAUL, FETCHED, None, "out of range"),
    ("2054-01-01", BARNAUL, FETCHED, None, "future"),
    ("5 марта 2030", BARNAUL, FETCHED, None, "future"),
    ("22.12.25, 18:20", BARNAUL, FETCHED, None, "future"),
    ("завтра в 10:00", BARNAUL, FETCHED, None, "future"),
    ("несколько часов назад", BARNAUL, FETCHED, None, "unparseable"),
    ("месяц назад", BARNAUL, FETCHED, None, "imprecise"),
]


@pytest.mark.parametrize(("text", "tz", "fetched_at", "expected", "reason"), ROWS)
def test_parse_date_table(
    text: str | int | float | None,
    tz: str | None,
    fetched_at: datetime,
    expected: str | None,
    reason: str | None,
) -> None:
    parsed = parse_date(text, tz=tz, fetched_at=fetched_at)
    assert parsed.isoformat() == expected
    assert parsed.reason == reason
    has_offset = expected is not None and ("+" in expected[10:] or "-" in expected[10:])
    assert parsed.offset_known == has_offset


def test_table_covers_enough_strings() -> None:
    assert len(ROWS) >= 60


def test_seed_article_date_in_utc() -> None:
    # ../shared/seed/README.md: published 2019-11-07 16:17 Barnaul time, i.e. 09:17 UTC.
    parsed = parse_date("07 ноября 2019, 16:17, ИА Амител", tz=BARNAUL, fetched_at=FETCHED)
    assert parsed.utc() == datetime(2019, 11, 7, 9, 17, tzinfo=UTC)
    assert parsed.raw == "07 ноября 2019, 16:17, ИА Амител"


def test_raw_string_is_kept_stripped() -> None:
    parsed = parse_date("  \n 10 февраля 2022 / 15:43\t", tz=BARNAUL, fetched_at=FETCHED)
    assert parsed.raw == "10 февраля 2022 / 15:43"


def test_explicit_offset_is_kept_as_given() -> None:
    parsed = parse_date("2024-03-05T10:12:00+03:00", tz=BARNAUL, fetched_at=FETCHED)
    assert parsed.value is not None
    assert parsed.value.utcoffset() == timedelta(hours=3)
    assert parsed.utc() == datetime(2024, 3, 5, 7, 12, tzinfo=UTC)


def test_unknown_offset_has_no_utc() -> None:
    parsed = parse_date("07 ноября 2019, 16:17", fetched_at=FETCHED)
    assert parsed.value == datetime(2019, 11, 7, 16, 17)
    assert parsed.utc() is None


def test_tzinfo_object_is_accepted() -> None:
    parsed = parse_date("07.11.2019 16:17", tz=timezone(timedelta(hours=7)), fetched_at=FETCHED)
    assert parsed.utc() == datetime(2019, 11, 7, 9, 17, tzinfo=UTC)


def test_missing_year_is_never_in_the_future() -> None:
    # Fetched on 2 January in Barnaul: "31 декабря" is the day before yesterday, last year.
    fetched = datetime(2025, 1, 2, 3, 0, tzinfo=UTC)
    parsed = parse_date("31 декабря, 18:00", tz=BARNAUL, fetched_at=fetched)
    assert parsed.isoformat() == "2024-12-31T18:00+07:00"


def test_two_digit_year_of_the_last_century() -> None:
    parsed = parse_date("22.12.98, 18:20", tz=BARNAUL, fetched_at=FETCHED)
    assert parsed.isoformat() == "1998-12-22T18:20+06:00"  # Barnaul's winter time then


def test_human_text_beyond_the_fast_path_goes_to_dateparser() -> None:
    parsed = parse_date("3-го марта 2024 года", tz=BARNAUL, fetched_at=FETCHED)
    assert parsed.isoformat() == "2024-03-03T00:00+07:00"
    english = parse_date("March 5th, 2024", tz=BARNAUL, fetched_at=FETCHED)
    assert english.isoformat() == "2024-03-05T00:00+07:00"


def test_too_long_text_is_not_a_date() -> None:
    paragraph = "В Барнауле 5 марта 2024 года прошёл фестиваль. " * 10
    assert parse_date(paragraph, tz=BARNAUL, fetched_at=FETCHED).reason == "too long"


def test_default_fetch_time_is_now() -> None:
    assert parse_date("5 марта 2999", tz=BARNAUL).reason == "future"
    assert parse_date("5 марта 2019", tz=BARNAUL).isoformat() == "2019-03-05T00:00+07:00"


def test_isoformat_of_missing_value() -> None:
    assert ParsedDate(None, "x", "unparseable").isoformat() is None
    assert ParsedDate(None, "x", "unparseable").utc() is None


DATELINES = [
    ("БАРНАУЛ, 14 февраля, ФедералПресс. Губернатор Алтайского края провёл совещание.", True),
    ("Барнаул, 12 сентября - ИА Амител. В краевой столице открылась ярмарка.", True),
    ("Барнаул. 4 марта. ИНТЕРФАКС-СИБИРЬ - Суд арестовал директора фирмы.", True),
    ("НОВОСИБИРСК, 5 мар — РИА Новости. Метро закрыло вестибюль.", True),
    ("Горно-Алтайск, 3 января 2024 г. — Снегопад парализовал движение.", True),
    ("Новосибирск, 12 сентября.", True),
    ("07 ноября 2019, 16:17, ИА Амител", False),
    ("В Барнауле 14 февраля прошёл фестиваль ледовых скульптур.", False),
    ("Вчера, 14 февраля, в Барнауле выпал снег.", False),
    ("Напомним, 12 сентября в городе открылась ярмарка.", False),
    ("Иван Петров, 45 лет, работает водителем.", False),
    ("Ярмарка пройдёт 12 сентября на площади Сахарова.", False),
    ("", False),
]


@pytest.mark.parametrize(("paragraph", "expected"), DATELINES)
def test_is_dateline(paragraph: str, expected: bool) -> None:
    assert is_dateline(paragraph) is expected


def test_prefer_page_over_feed_and_sitemap() -> None:
    page = parse_date("07 ноября 2019, 16:17", tz=BARNAUL, fetched_at=FETCHED)
    feed = parse_date("Thu, 07 Nov 2019 09:20:00 GMT", tz=BARNAUL, fetched_at=FETCHED)
    missing = parse_date("", tz=BARNAUL, fetched_at=FETCHED)
    assert prefer_page(page, feed) is page
    assert prefer_page(missing, feed) is feed
    assert prefer_page(missing, None) is missing
    assert prefer_page(None) is None
