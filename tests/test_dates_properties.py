"""Round trips: any datetime rendered the way our sources print it parses back exactly."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone
from email.utils import format_datetime
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from crawler.parsers.dates import parse_date

BARNAUL = ZoneInfo("Asia/Barnaul")
FETCHED = datetime(2031, 6, 1, tzinfo=UTC)
EXAMPLES = settings(max_examples=200, deadline=None)

NOMINATIVE = [
    "январь",
    "февраль",
    "март",
    "апрель",
    "май",
    "июнь",
    "июль",
    "август",
    "сентябрь",
    "октябрь",
    "ноябрь",
    "декабрь",
]
GENITIVE = [
    "января",
    "февраля",
    "марта",
    "апреля",
    "мая",
    "июня",
    "июля",
    "августа",
    "сентября",
    "октября",
    "ноября",
    "декабря",
]
THREE_LETTER = ["янв", "фев", "мар", "апр", "май", "июн", "июл", "авг", "сен", "окт", "ноя", "дек"]

minutes = st.datetimes(min_value=datetime(1995, 1, 1), max_value=datetime(2030, 12, 31)).map(
    lambda dt: dt.replace(second=0, microsecond=0)
)
views = st.integers(min_value=0, max_value=99_999)


def amic(dt: datetime, n: int) -> str:
    return f"{dt:%d} {GENITIVE[dt.month - 1]} {dt.year}, {dt:%H:%M}, ИА Амител"


def katun(dt: datetime, n: int) -> str:
    return f"{dt.day} {GENITIVE[dt.month - 1]} {dt.year} / {dt:%H:%M}"


def katun_old(dt: datetime, n: int) -> str:
    return f"{dt:%d} {GENITIVE[dt.month - 1]} {dt.year}, {dt:%H:%M}"


def time_first(dt: datetime, n: int) -> str:
    return f"{dt:%H:%M}, {dt.day} {GENITIVE[dt.month - 1]} {dt.year}г, Общество {n}"


def time_first_capitalised(dt: datetime, n: int) -> str:
    return f"{dt:%H:%M}, {dt.day} {GENITIVE[dt.month - 1].capitalize()} {dt.year}"


def three_letter(dt: datetime, n: int) -> str:
    return f"{dt:%d} {THREE_LETTER[dt.month - 1]} {dt.year}, {dt:%H:%M}"


def upper_with_goda(dt: datetime, n: int) -> str:
    return f"{dt.day} {GENITIVE[dt.month - 1].upper()} {dt.year} ГОДА, {dt.hour}:{dt:%M}"


def numeric_short_year(dt: datetime, n: int) -> str:
    return f"{dt:%d.%m.%y}, {dt:%H:%M}"


def numeric_full_year(dt: datetime, n: int) -> str:
    return f"{dt:%d.%m.%Y} {dt:%H:%M}"


def nominative_with_views(dt: datetime, n: int) -> str:
    return f"{dt.day} {NOMINATIVE[dt.month - 1].capitalize()} {dt.year} {n}"


def altapress(dt: datetime, n: int) -> str:
    return f"{NOMINATIVE[dt.month - 1]} {dt.day}, {dt.year}"


def agency_first(dt: datetime, n: int) -> str:
    return f"ИА Атмосфера • {dt.day} {GENITIVE[dt.month - 1]}, {dt.year}"


WITH_TIME: list[Callable[[datetime, int], str]] = [
    amic,
    katun,
    katun_old,
    time_first,
    time_first_capitalised,
    three_letter,
    upper_with_goda,
    numeric_short_year,
    numeric_full_year,
]
DATE_ONLY: list[Callable[[datetime, int], str]] = [nominative_with_views, altapress, agency_first]


@EXAMPLES
@given(dt=minutes, n=views, render=st.sampled_from(WITH_TIME))
def test_russian_formats_with_time_round_trip(
    dt: datetime, n: int, render: Callable[[datetime, int], str]
) -> None:
    parsed = parse_date(render(dt, n), tz="Asia/Barnaul", fetched_at=FETCHED)
    assert parsed.value == dt.replace(tzinfo=BARNAUL)
    assert parsed.offset_known


@EXAMPLES
@given(dt=minutes, n=views, render=st.sampled_from(DATE_ONLY))
def test_russian_date_only_formats_round_trip(
    dt: datetime, n: int, render: Callable[[datetime, int], str]
) -> None:
    parsed = parse_date(render(dt, n), tz="Asia/Barnaul", fetched_at=FETCHED)
    assert parsed.value == datetime(dt.year, dt.month, dt.day, tzinfo=BARNAUL)


@EXAMPLES
@given(dt=minutes, days_later=st.integers(min_value=0, max_value=330))
def test_missing_year_comes_from_the_fetch_time(dt: datetime, days_later: int) -> None:
    expected = dt.replace(tzinfo=BARNAUL)
    fetched = expected.astimezone(UTC) + timedelta(days=days_later)
    text = f"{dt.day} {GENITIVE[dt.month - 1]}, {dt:%H:%M}"
    assert parse_date(text, tz="Asia/Barnaul", fetched_at=fetched).value == expected


@EXAMPLES
@given(fetched=minutes, ago=st.integers(min_value=1, max_value=59))
def test_minutes_ago_resolve_against_the_fetch_time(fetched: datetime, ago: int) -> None:
    fetched_at = fetched.replace(tzinfo=UTC)
    parsed = parse_date(f"{ago} минут назад", tz="Asia/Barnaul", fetched_at=fetched_at)
    assert parsed.utc() == fetched_at - timedelta(minutes=ago)


aware = st.builds(
    lambda dt, offset: dt.replace(tzinfo=timezone(timedelta(minutes=offset))),
    st.datetimes(min_value=datetime(1995, 1, 2), max_value=datetime(2030, 12, 30)),
    st.integers(min_value=-12 * 60, max_value=14 * 60),
)


@EXAMPLES
@given(dt=aware)
def test_iso_8601_round_trip_keeps_the_offset(dt: datetime) -> None:
    parsed = parse_date(dt.isoformat(), tz="Asia/Barnaul", fetched_at=FETCHED)
    assert parsed.value == dt
    assert parsed.value is not None and parsed.value.utcoffset() == dt.utcoffset()


@EXAMPLES
@given(dt=aware)
def test_rfc_822_round_trip(dt: datetime) -> None:
    dt = dt.replace(microsecond=0)  # RFC 822 has whole seconds
    parsed = parse_date(format_datetime(dt), tz="Asia/Barnaul", fetched_at=FETCHED)
    assert parsed.value == dt
    assert parsed.value is not None and parsed.value.utcoffset() == dt.utcoffset()


@EXAMPLES
@given(dt=aware)
def test_epoch_seconds_and_milliseconds_round_trip(dt: datetime) -> None:
    seconds = int(dt.timestamp())
    expected = datetime.fromtimestamp(seconds, UTC)
    assert parse_date(str(seconds), fetched_at=FETCHED).value == expected
    assert parse_date(str(seconds * 1000), fetched_at=FETCHED).value == expected


@EXAMPLES
@given(text=st.text(max_size=60))
def test_any_text_gives_a_value_or_a_reason_never_an_exception(text: str) -> None:
    parsed = parse_date(text, tz="Asia/Barnaul", fetched_at=FETCHED)
    assert (parsed.value is None) != (parsed.reason is None)
    assert parsed.reason is None or not parsed.reason.startswith("error")
