"""The fast path of date parsing: compiled patterns for the shapes our sources print.

`scan(text)` reads the *shape* of a date string into `Fields` without looking at the clock or
at any time zone, so its result depends on the text alone and can be cached on it. Anchoring
(a missing year, "вчера", "5 минут назад") and zones are applied later by `dates.parse_date`.
`scan` returns None when no known shape is present (the caller may then try dateparser) and
`Fields` with `error` set when a shape is present but its values are impossible, so that such
text never reaches a parser that would "fix" it.
"""

from __future__ import annotations

import calendar
import re
from email.utils import parsedate_tz
from typing import NamedTuple

_NOMINATIVE = "январь февраль март апрель май июнь июль август сентябрь октябрь ноябрь декабрь"
_GENITIVE = "января февраля марта апреля мая июня июля августа сентября октября ноября декабря"
_PREPOSITIONAL = "январе феврале марте апреле мае июне июле августе сентябре октябре ноябре декабре"
_ABBREVIATED = "янв фев мар апр май июн июл авг сен окт ноя дек"
_ABBREVIATED_LONG = "янва февр март апре май июнь июль авгу сент октя нояб дека"
_ENGLISH = "january february march april may june july august september october november december"
_ENGLISH_SHORT = "jan feb mar apr may jun jul aug sep oct nov dec"

MONTHS: dict[str, int] = {
    word: number
    for row in (
        _NOMINATIVE,
        _GENITIVE,
        _PREPOSITIONAL,
        _ABBREVIATED,
        _ABBREVIATED_LONG,
        _ENGLISH,
        _ENGLISH_SHORT,
    )
    for number, word in enumerate(row.split(), start=1)
}
MONTHS["sept"] = 9

# Offsets of zone names that feeds print; anything else is treated as "no offset in the text".
_ZONE_NAMES = {"z": 0, "ut": 0, "utc": 0, "gmt": 0, "мск": 3 * 3600, "msk": 3 * 3600}


class Fields(NamedTuple):
    """What the text says, before any anchoring. `kind` is one of:
    "absolute" (a calendar date, maybe without year or time), "day" (сегодня/вчера: `shift`
    days back from the fetch date), "ago" (`shift` seconds before the fetch time),
    "epoch" (`epoch` seconds since 1970, UTC)."""

    kind: str
    year: int | None = None
    month: int = 1
    day: int = 1
    hour: int | None = None
    minute: int = 0
    second: int = 0
    microsecond: int = 0
    two_digit_year: bool = False
    offset: int | None = None  # seconds east of UTC, only when the text states it
    shift: int = 0
    epoch: float = 0.0
    error: str | None = None


_SEP = r"\s*(?:[,/|•·–—-]\s*)?"
_TIME = r"(\d{1,2}):(\d{2})(?::(\d{2}))?"
_TIME_AFTER = re.compile(_SEP + r"(?:в\s+)?" + _TIME + r"(?!\d)")
_TIME_BEFORE = re.compile(r"(?<![\d:])" + _TIME + r"\s*(?:[,/|•·–—-]\s*)?$")
_OFFSET = re.compile(
    r"\s*(?:\(?(мск|msk|utc|gmt|z)\)?(?![a-zа-я])\s*)?"
    r"(?:([+-])(\d{2}):?(\d{2})(?!\d))?"
)
_OFFSET_FIRST = frozenset("+-(zumgм")
_EPOCH = re.compile(r"(\d{9,10}(?:\.\d+)?|\d{12,13})")
_ISO = re.compile(
    r"(?<![\d.])(\d{4})([-/.])(\d{1,2})\2(\d{1,2})"
    r"(?:[t\s]+(\d{1,2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?)?"
    r"(?:\s*(z|[+-]\d{2}(?::?\d{2})?)(?![\d:]))?(?![\d.])"
)
_RFC822 = re.compile(
    r"(?:[a-z]{3},?\s+)?\d{1,2}\s+[a-z]{3}\s+\d{2,4}\s+\d{1,2}:\d{2}(?::\d{2})?\s*([a-z]+|[+-]\d{4})?"
)
_AGO = re.compile(
    r"(?<![a-zа-я\d])(?:(\d+)\s*"
    r"(секунд\w*|сек\.?|минут\w*|мин\.?|час\w*|ч\.|дн[ейя]\w*|день|сут\w*|недел\w*|месяц\w*|год\w*|лет)"
    r"|(пол)?(секунду|минуту|минуты|часа|час|день|сутки|неделю|месяц|год))"
    r"\s+назад"
)
_AGO_UNIT = {"с": 1, "м": 60, "ч": 3600, "д": 86400, "н": 7 * 86400}  # by first letter
_JUST_NOW = re.compile(r"только\s+что|just\s+now")
_DAY_WORD = re.compile(r"(позавчера|вчера|сегодня|завтра|today|yesterday|tomorrow)(?![а-яa-z])")
_DAY_SHIFT = {"сегодня": 0, "today": 0, "вчера": 1, "yesterday": 1, "позавчера": 2}
_DMY = re.compile(
    r"(?<![\d.:])(\d{1,2})(?:-?(?:го|е))?\s*([a-zа-я]{3,9})(?![a-zа-я])\.?"
    r"(?:(?:\s*,\s*|\s+)(\d{4})\d{0,7}(?!\d)(?:\s*(?:года|год|г)\.?(?![a-zа-я]))?)?"
)
_MDY = re.compile(
    r"(?<![a-zа-я])([a-zа-я]{3,9})\.?\s+(\d{1,2})(?:st|nd|rd|th)?(?!\d)(?:\s*,\s*|\s+)(\d{4})(?!\d)"
)
_NUMERIC = re.compile(
    r"(?<![\d.])(\d{1,2})\.(\d{1,2})\.(\d{4}|\d{2})(?!\d|\.\d)(?:\s*(?:года|г)\.?(?![а-я]))?"
)


def normalize(text: str) -> str:
    """Lower case, `ё` as `е`, every kind of space as one plain space."""
    return " ".join(text.lower().replace("ё", "е").split())


def scan(text: str) -> Fields | None:
    """Read a normalized date string (see `normalize`); None when no known shape is in it."""
    if _EPOCH.fullmatch(text):
        number = float(text)
        return Fields("epoch", epoch=number / 1000 if len(text) >= 12 else number)
    for reader in (_read_iso, _read_rfc822, _read_relative, _read_dmy, _read_mdy, _read_numeric):
        fields = reader(text)
        if fields is not None:
            return fields
    return None


def _read_iso(text: str) -> Fields | None:
    if "-" not in text and "/" not in text and "." not in text:
        return None
    m = _ISO.search(text)
    if m is None:
        return None
    year, _sep, month, day, hour, minute, second, fraction, zone = m.groups()
    offset = None
    if zone == "z":
        offset = 0
    elif zone:  # "+07:00", "+0700" or "+07"
        offset = _offset_seconds(zone[0], zone[1:3], zone[-2:] if len(zone) > 3 else "00")
    return _absolute(
        int(year),
        int(month),
        int(day),
        int(hour) if hour else None,
        int(minute or 0),
        int(second or 0),
        int((fraction or "0")[:6].ljust(6, "0")),
        False,
        offset,
    )


def _read_rfc822(text: str) -> Fields | None:
    m = _RFC822.fullmatch(text)
    if m is None:
        return None
    parts = parsedate_tz(text)
    if parts is None:
        return None
    year, month, day, hour, minute, second = parts[:6]
    zone = m.group(1)
    offset: int | None = None
    if zone in _ZONE_NAMES:
        offset = _ZONE_NAMES[zone]
    elif zone is not None and zone != "-0000":  # RFC 2822: "-0000" means "offset unknown"
        # email.utils gives 0 for zone names it does not know: only trust a nonzero answer.
        offset = parts[9] if zone[0] in "+-" or parts[9] else None
    return _absolute(year, month, day, hour, minute, second, 0, False, offset)


def _read_relative(text: str) -> Fields | None:
    if ("что" in text or "just" in text) and _JUST_NOW.search(text):
        return Fields("ago", shift=0)
    m = _AGO.search(text) if "назад" in text else None
    if m is not None:
        count, counted_unit, half, single_unit = m.groups()
        unit = counted_unit or single_unit
        if unit.startswith(("месяц", "год", "лет")):
            return Fields("ago", error="imprecise")
        unit_seconds = 86400 if unit.startswith("сут") else _AGO_UNIT[unit[0]]
        seconds = unit_seconds * (int(count) if count else 1)
        return Fields("ago", shift=seconds // 2 if half else seconds)
    m = _DAY_WORD.search(text)
    if m is None:
        return None
    if m.group(1) in ("завтра", "tomorrow"):  # an announcement, never a publish time
        return Fields("day", error="future")
    clock = _TIME_AFTER.match(text, m.end()) or _TIME_BEFORE.search(text, 0, m.start())
    hour, minute, second = _clock(clock)
    error = _clock_error(hour, minute, second)
    return Fields(
        "day",
        hour=hour,
        minute=minute,
        second=second,
        shift=_DAY_SHIFT[m.group(1)],
        offset=_zone_after(text, clock),
        error=error,
    )


def _read_dmy(text: str) -> Fields | None:
    m = _DMY.search(text)
    while m is not None:
        month = MONTHS.get(m.group(2))
        if month is not None:
            return _with_clock(text, m, m.group(3), month, int(m.group(1)))
        m = _DMY.search(text, m.start() + 1)
    return None


def _read_mdy(text: str) -> Fields | None:
    m = _MDY.search(text)
    while m is not None:
        month = MONTHS.get(m.group(1))
        if month is not None:
            return _with_clock(text, m, m.group(3), month, int(m.group(2)))
        m = _MDY.search(text, m.start() + 1)
    return None


def _read_numeric(text: str) -> Fields | None:
    m = _NUMERIC.search(text)
    if m is None:
        return None
    return _with_clock(text, m, m.group(3), int(m.group(2)), int(m.group(1)))


def _with_clock(text: str, m: re.Match[str], year: str | None, month: int, day: int) -> Fields:
    """A calendar date found by `m`, with the time printed right after or right before it."""
    clock = _TIME_AFTER.match(text, m.end()) or _TIME_BEFORE.search(text, 0, m.start())
    hour, minute, second = _clock(clock)
    return _absolute(
        int(year) if year else None,
        month,
        day,
        hour,
        minute,
        second,
        0,
        year is not None and len(year) == 2,
        _zone_after(text, clock),
    )


def _clock(m: re.Match[str] | None) -> tuple[int | None, int, int]:
    if m is None:
        return None, 0, 0
    hour, minute, second = m.groups()
    return int(hour), int(minute), int(second) if second else 0


def _zone_after(text: str, clock: re.Match[str] | None) -> int | None:
    """An offset printed right after the time: `+0700`, `+07:00`, `UTC+07:00`, `GMT`, `(МСК)`."""
    if clock is None:
        return None
    rest = text[clock.end() : clock.end() + 3].lstrip()
    if not rest or rest[0] not in _OFFSET_FIRST:  # the usual case: ", ИА Амител" or nothing
        return None
    m = _OFFSET.match(text, clock.end())
    if m is None or m.end() == clock.end():
        return None
    name, sign, hours, minutes = m.groups()
    if sign:
        return _offset_seconds(sign, hours, minutes)
    return _ZONE_NAMES.get(name) if name else None


def _offset_seconds(sign: str, hours: str, minutes: str) -> int:
    seconds = int(hours) * 3600 + int(minutes) * 60
    return -seconds if sign == "-" else seconds


def _absolute(
    year: int | None,
    month: int,
    day: int,
    hour: int | None,
    minute: int,
    second: int,
    microsecond: int,
    two_digit_year: bool,
    offset: int | None,
) -> Fields:
    """Fields of a calendar date, with `error` set when the calendar or the clock forbids it."""
    error = _clock_error(hour, minute, second)
    if offset is not None and abs(offset) > 14 * 3600:
        error = "impossible date"
    # Without a year, 29 February is possible (checked again once the year is known).
    leap_year = 2000 if year is None or two_digit_year else year
    if not 1 <= month <= 12 or not 1 <= day <= _days_in(leap_year, month):
        error = "impossible date"
    return Fields(
        "absolute", year, month, day, hour, minute, second, microsecond, two_digit_year, offset,
        0, 0.0, error,
    )  # fmt: skip


def _clock_error(hour: int | None, minute: int, second: int) -> str | None:
    if (hour or 0) > 23 or minute > 59 or second > 59:
        return "impossible date"
    return None


_MONTH_DAYS = (0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def _days_in(year: int, month: int) -> int:
    if month == 2 and calendar.isleap(year):
        return 29
    return _MONTH_DAYS[month]


def days_in_month(year: int, month: int) -> int:
    """Number of days in `month` of `year` (for the caller's check once a year is chosen)."""
    return _days_in(year, month)
