"""Exact publish and modify timestamps from whatever a page, feed or sitemap prints.

A wrong date silently ruins an archive, so every answer here is either an exact datetime or
None with a reason, never a guess and never an exception. The cascade:

1. `dates_scan.scan`, compiled patterns for the shapes our sources print (Russian month names in
   any form, ISO 8601, RFC 822, epochs, `DD.MM.YY`, time before or after the date, relative
   forms), cached on the text alone because it reads shape, not clock or zone;
2. dateparser, only for human text that has a month or a relative word in it and that the fast
   path did not recognise, cached on the text and the (minute of the) fetch time;
3. anchoring and checks: a missing year or a relative form is resolved against `fetched_at` in
   the source's zone; the source's zone is applied when the text gives no offset; dates before
   1990 or after the fetch time (plus a day of zone slack) are refused.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from functools import lru_cache
from zoneinfo import ZoneInfo

from crawler.parsers import dates_scan
from crawler.parsers.dates_scan import MONTHS, Fields, normalize

EARLIEST_YEAR = 1990
FUTURE_TOLERANCE = timedelta(days=1)  # zone slack: a site's clock or zone may be off by hours
MAX_LENGTH = 256  # a date string with its junk; longer text is a paragraph, not a date


@dataclass(frozen=True)
class ParsedDate:
    """One timestamp as read: the value, the text it came from, or why there is no value."""

    value: datetime | None  # aware when the offset is known; naive only when the zone is unknown
    raw: str  # the input as given (stripped)
    reason: str | None = None  # why value is None: "empty", "unparseable", "impossible date", ...
    offset_known: bool = False  # True when value is aware

    def isoformat(self) -> str | None:
        """ISO 8601 with the original offset; seconds only when the source gave nonzero ones."""
        if self.value is None:
            return None
        value = self.value
        spec = "auto" if value.microsecond else "seconds" if value.second else "minutes"
        return value.isoformat(timespec=spec)

    def utc(self) -> datetime | None:
        """The same instant in UTC, or None when the value is missing or its offset unknown."""
        if self.value is None or self.value.tzinfo is None:
            return None
        return self.value.astimezone(UTC)


def parse_date(
    text: str | int | float | None,
    *,
    tz: str | tzinfo | None = None,
    fetched_at: datetime | None = None,
) -> ParsedDate:
    """Read one date string (or epoch number). `tz` is the source's zone, used when the text
    has no offset; `fetched_at` (default: now) anchors relative forms and a missing year and
    bounds the result from above. Never raises."""
    raw = "" if text is None else str(text).strip() if isinstance(text, str) else repr(text)
    try:
        return _parse(text, raw, tz, fetched_at)
    except Exception as exc:  # the contract is "never raises": a page must not die on a date
        return ParsedDate(None, raw, f"error: {type(exc).__name__}")


def is_dateline(paragraph: str) -> bool:
    """True for a body paragraph opening with a news dateline ("БАРНАУЛ, 14 февраля,
    ФедералПресс. …"): its date is where the news happened, not when it was published."""
    m = _DATELINE.match(paragraph)
    if m is None:
        return False
    place, month = m.group(1), m.group(2).lower()
    return month in MONTHS and place.split()[0].lower() not in _NOT_PLACES


def prefer_page(page: ParsedDate | None, *hints: ParsedDate | None) -> ParsedDate | None:
    """The page's own date when it has a value, else the first hint (feed, sitemap) that has
    one: feeds and sitemaps are hints, the page wins."""
    for candidate in (page, *hints):
        if candidate is not None and candidate.value is not None:
            return candidate
    return page


_DATELINE = re.compile(
    r"\s*([А-ЯЁ][А-ЯЁа-яё]+(?:(?:-|\s+)[А-ЯЁ][А-ЯЁа-яё]+){0,2})\s*[,.]\s*"
    r"\d{1,2}\s+([А-ЯЁа-яё]{3,9})\.?(?:\s+\d{4}(?:\s*(?:года|г)\.?)?)?"
    r"\s*(?:[,.]|\s[-–—]|$)"
)
# Capitalised words that open ordinary sentences and could look like a place before a date.
_NOT_PLACES = frozenset(
    {"сегодня", "вчера", "завтра", "позавчера", "утром", "днем", "днём", "вечером", "ночью"}
    | {"ранее", "напомним", "также", "тогда", "однако", "например", "итак", "кроме"}
)
_HUMAN_HINT = re.compile(
    r"(?<![a-zа-я])(?:янв|фев|мар|апр|ма[йяе]|июн|июл|авг|сен|окт|ноя|дек|jan|feb|mar|apr|may|"
    r"jun|jul|aug|sep|oct|nov|dec|назад|вчера|сегодня|завтра|ago|yesterday|today|tomorrow)"
)


def _parse(
    text: str | int | float | None, raw: str, tz: str | tzinfo | None, fetched_at: datetime | None
) -> ParsedDate:
    if text is None or not raw:
        return ParsedDate(None, raw, "empty")
    if isinstance(text, bool):
        return ParsedDate(None, raw, "unparseable")
    if isinstance(text, int | float):
        fields: Fields | None = Fields("epoch", epoch=text / 1000 if abs(text) >= 1e11 else text)
    elif len(raw) > MAX_LENGTH:
        return ParsedDate(None, raw, "too long")
    else:
        fields = _scan(raw)
    zone = _zone(tz)
    anchor = datetime.now(UTC) if fetched_at is None else fetched_at
    if anchor.tzinfo is None:
        anchor = anchor.replace(tzinfo=UTC)
    if fields is None:
        return _fallback(raw, zone, anchor)
    if fields.error is not None:
        return ParsedDate(None, raw, fields.error)
    return _resolve(fields, raw, zone, anchor)


def _scan_text(raw: str) -> Fields | None:
    return dates_scan.scan(normalize(raw))


# Module-level names so that bench/dates.py can measure the uncached path by swapping them.
_scan: Callable[[str], Fields | None] = lru_cache(maxsize=8192)(_scan_text)


def _resolve(fields: Fields, raw: str, zone: tzinfo | None, anchor: datetime) -> ParsedDate:
    if fields.kind == "epoch":
        try:
            value = datetime.fromtimestamp(fields.epoch, UTC)
        except (OverflowError, ValueError, OSError):
            return ParsedDate(None, raw, "out of range")
        return _checked(value.astimezone(zone) if zone else value, raw, anchor)
    if fields.kind == "ago":
        value = (anchor - timedelta(seconds=fields.shift)).astimezone(zone or anchor.tzinfo)
        return _checked(value.replace(second=0, microsecond=0), raw, anchor)
    if fields.kind == "day":
        day = _local(anchor, zone).date() - timedelta(days=fields.shift)
        year, month, mday = day.year, day.month, day.day
    else:
        year = _local(anchor, zone).year if fields.year is None else fields.year
        month, mday = fields.month, fields.day
        if fields.two_digit_year:
            year += 2000 if year + 2000 <= _local(anchor, zone).year + 1 else 1900
    built = _build(year, month, mday, fields, zone)
    # No year printed: the fetch year, or the year before when that is in the future (or has
    # no 29 February).
    missing_year = fields.kind == "absolute" and fields.year is None
    if missing_year and (built is None or _is_future(built, anchor)):
        built = _build(year - 1, month, mday, fields, zone)
    if built is None:
        return ParsedDate(None, raw, "impossible date")
    return _checked(built, raw, anchor)


def _local(anchor: datetime, zone: tzinfo | None) -> datetime:
    """The fetch time on the source's wall clock (the anchor's own when the zone is unknown)."""
    return anchor.astimezone(zone) if zone else anchor


def _build(year: int, month: int, day: int, fields: Fields, zone: tzinfo | None) -> datetime | None:
    if day > dates_scan.days_in_month(year, month):  # 29 February of a common year
        return None
    if fields.offset is not None:
        zone = _fixed_zone(fields.offset)
    return datetime(
        year, month, day, fields.hour or 0, fields.minute, fields.second, fields.microsecond, zone
    )


def _checked(value: datetime, raw: str, anchor: datetime) -> ParsedDate:
    if value.year < EARLIEST_YEAR:
        return ParsedDate(None, raw, "out of range")
    if _is_future(value, anchor):
        return ParsedDate(None, raw, "future")
    return ParsedDate(value, raw, None, value.tzinfo is not None)


def _is_future(value: datetime, anchor: datetime) -> bool:
    if value.tzinfo is None:  # zone unknown: compare wall time with UTC, the tolerance absorbs it
        return value > anchor.astimezone(UTC).replace(tzinfo=None) + FUTURE_TOLERANCE
    return value > anchor + FUTURE_TOLERANCE


def _fallback(raw: str, zone: tzinfo | None, anchor: datetime) -> ParsedDate:
    """dateparser for human text the fast path does not know; only when the text names a month
    or a relative day, because dateparser turns a bare number into today's date."""
    if _HUMAN_HINT.search(normalize(raw)) is None:
        return ParsedDate(None, raw, "unparseable")
    base = _local(anchor, zone).replace(tzinfo=None, second=0, microsecond=0)
    found = _dateparse(raw, base)
    if found is None:
        return ParsedDate(None, raw, "unparseable")
    if found.tzinfo is None and zone is not None:
        found = found.replace(tzinfo=zone)
    return _checked(found, raw, anchor)


def _dateparse_text(raw: str, base: datetime) -> datetime | None:
    import dateparser  # imported on first need: it costs ~0.3 s

    settings = {
        "PREFER_DATES_FROM": "past",
        "RELATIVE_BASE": base,
        "REQUIRE_PARTS": ["day", "month"],  # "март 2024" is not a day: do not invent one
    }
    return dateparser.parse(raw, languages=["ru", "en"], settings=settings)


_dateparse: Callable[[str, datetime], datetime | None] = lru_cache(maxsize=2048)(_dateparse_text)

_OFFSET_NAME = re.compile(r"(?:utc|gmt)?\s*([+-])(\d{1,2})(?::?(\d{2}))?", re.IGNORECASE)


@lru_cache(maxsize=64)
def _zone_named(name: str) -> tzinfo | None:
    """An IANA zone or a fixed offset like "+07:00"; None (offset unknown) for anything else."""
    m = _OFFSET_NAME.fullmatch(name.strip())
    if m is not None:
        sign, hours, minutes = m.groups()
        seconds = int(hours) * 3600 + int(minutes or 0) * 60
        return _fixed_zone(-seconds if sign == "-" else seconds)
    try:
        return ZoneInfo(name)
    except (KeyError, ValueError, OSError):  # ZoneInfoNotFoundError is a KeyError
        return None


def _zone(tz: str | tzinfo | None) -> tzinfo | None:
    if tz is None or isinstance(tz, tzinfo):
        return tz
    return _zone_named(tz)


@lru_cache(maxsize=64)
def _fixed_zone(seconds: int) -> tzinfo:
    return UTC if seconds == 0 else timezone(timedelta(seconds=seconds))
