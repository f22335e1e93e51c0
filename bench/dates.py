"""Speed of `crawler.parsers.dates.parse_date` against plain dateparser, per class of format.

Run: .venv/bin/python bench/dates.py [--repeat N]

For each class: our median µs per parse with the caches off (every call scans the text, and
human text goes to dateparser each time) and on (the steady state of a crawl, where the same
strings recur), plain `dateparser.parse` on the same strings with equivalent settings, the
speedups, and how many strings dateparser read to the same instant as we did.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from crawler.parsers import dates

TZ = "Asia/Barnaul"
FETCHED = datetime(2026, 1, 10, 7, 0, tzinfo=UTC)  # 14:00 in Barnaul

CLASSES: dict[str, list[str]] = {
    "russian month names": [
        "07 ноября 2019, 16:17, ИА Амител",
        "10 февраля 2022 / 15:43",
        "20 мая 2015, 09:25",
        "10:00, 30 декабря 2016г, Общество 1734",
        "20:15, 19 Июня 2019",
        "12 ноя 2024, 09:05",
        "27 Ноябрь 2024 443",
        "7 НОЯБРЯ 2019 ГОДА, 16:17",
        "3-го марта 2024 года",
    ],
    "no year, month first": [
        "ИА Атмосфера • 12 сентября",
        "4 Декабря , 12:28",
        "февраль 3, 2024",
        "ИА Атмосфера • 12 сентября, 2018",
        "March 5th, 2024",
    ],
    "numeric DD.MM.YY": ["22.12.25, 18:20", "07.11.2019 16:17", "16:17 07.11.2019"],
    "ISO 8601": [
        "2019-11-07T16:17:00+07:00",
        "2019-11-07T09:17:00.250Z",
        "2019-11-07 16:17:00",
        "2019-11-07",
    ],
    "RFC 822": ["Thu, 07 Nov 2019 16:17:00 +0700", "Thu, 07 Nov 2019 09:17:00 GMT"],
    "epoch": ["1573118220", "1573118220000"],
    "relative": ["сегодня, 12:30", "вчера в 9:05", "5 минут назад", "час назад"],
    # not in the fast path: these go to dateparser
    "human text, dateparser": ["два дня назад", "3 hours ago", "1st of March 2024", "2 days ago"],
    "bad input": ["32 февраля 2020", "garbage", "Комментарии 12", "5 марта 1975"],
}
KNOWN = [name for name in CLASSES if name not in ("human text, dateparser", "bad input")]


def timed(call: Callable[[], Any], repeat: int) -> list[float]:
    samples = []
    for _ in range(repeat):
        start = time.perf_counter_ns()
        call()
        samples.append((time.perf_counter_ns() - start) / 1000)
    return samples


def ours(text: str) -> Callable[[], dates.ParsedDate]:
    return lambda: dates.parse_date(text, tz=TZ, fetched_at=FETCHED)


def plain_dateparser(text: str) -> Callable[[], Any]:
    import dateparser

    base = FETCHED.astimezone(dates._zone(TZ)).replace(tzinfo=None)
    settings = {
        "PREFER_DATES_FROM": "past",
        "RELATIVE_BASE": base,
        "TIMEZONE": TZ,
        "RETURN_AS_TIMEZONE_AWARE": True,
    }
    return lambda: dateparser.parse(text, languages=["ru", "en"], settings=settings)


def set_caches(enabled: bool) -> None:
    if enabled:
        dates._scan = dates.lru_cache(maxsize=8192)(dates._scan_text)
        dates._dateparse = dates.lru_cache(maxsize=2048)(dates._dateparse_text)
    else:
        dates._scan = dates._scan_text
        dates._dateparse = dates._dateparse_text


def main() -> None:
    options = argparse.ArgumentParser(description="parse_date against plain dateparser")
    options.add_argument("--repeat", type=int, default=2000, help="calls per string (ours)")
    options.add_argument("--dp-repeat", type=int, default=25, help="calls per string (dateparser)")
    args = options.parse_args()

    start = time.perf_counter()
    plain_dateparser("1 января 2020")()
    print(f"dateparser warm-up (first call): {(time.perf_counter() - start) * 1000:.0f} ms")

    header = (
        f"{'class':<24} {'n':>2} {'ours µs':>8} {'cached':>7} {'dateparser':>10} "
        f"{'speedup':>8} {'cached×':>8} {'dp agrees':>9}"
    )
    print(header)
    print("-" * len(header))
    totals: dict[str, list[float]] = {"cold": [], "warm": [], "dp": [], "kcold": [], "kwarm": []}
    known_dp: list[float] = []
    for name, strings in CLASSES.items():
        set_caches(False)
        cold = [s for text in strings for s in timed(ours(text), args.repeat)]
        set_caches(True)
        for text in strings:
            ours(text)()
        warm = [s for text in strings for s in timed(ours(text), args.repeat)]
        dp = [s for text in strings for s in timed(plain_dateparser(text), args.dp_repeat)]
        agree = sum(ours(text)().value == plain_dateparser(text)() for text in strings)
        cold_median, warm_median, dp_median = (statistics.median(x) for x in (cold, warm, dp))
        print(
            f"{name:<24} {len(strings):>2} {cold_median:>8.1f} {warm_median:>7.1f} "
            f"{dp_median:>10.1f} {dp_median / cold_median:>7.0f}× {dp_median / warm_median:>7.0f}× "
            f"{agree:>4}/{len(strings)}"
        )
        totals["cold"] += cold
        totals["warm"] += warm
        totals["dp"] += dp
        if name in KNOWN:
            totals["kcold"] += cold
            totals["kwarm"] += warm
            known_dp += dp
    print("-" * len(header))
    for label, cold, warm, dp in (
        ("known formats", totals["kcold"], totals["kwarm"], known_dp),
        ("overall", totals["cold"], totals["warm"], totals["dp"]),
    ):
        cold_median, warm_median, dp_median = (statistics.median(x) for x in (cold, warm, dp))
        cold_total, warm_total = sum(cold) / len(cold), sum(warm) / len(warm)
        dp_mean = sum(dp) / len(dp)
        print(
            f"{label:<24} {'':>2} {cold_median:>8.1f} {warm_median:>7.1f} {dp_median:>10.1f} "
            f"{dp_median / cold_median:>7.0f}× {dp_median / warm_median:>7.0f}×   (medians)"
        )
        print(
            f"{'':<24} {'':>2} {cold_total:>8.1f} {warm_total:>7.1f} {dp_mean:>10.1f} "
            f"{dp_mean / cold_total:>7.0f}× {dp_mean / warm_total:>7.0f}×   (means)"
        )


if __name__ == "__main__":
    main()
