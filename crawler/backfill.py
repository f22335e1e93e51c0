"""Dates that steer navigation: feed and sitemap hints, listing item dates, `--since`.

Pure functions (no Scrapy, no I/O). The spider uses them to fetch a known article again
when its feed pubDate or sitemap lastmod is newer than our last fetch, and, in a backfill
(`newsagg crawl --since DATE`), to walk listings down to DATE and no further.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta, tzinfo
from email.utils import parsedate_to_datetime
from urllib.parse import urljoin

from lxml import etree, html

FUTURE_SLACK = timedelta(hours=1)  # clocks differ; a lastmod further ahead is not believed


def hint_time(text: str | None) -> datetime | None:
    """An aware datetime from a feed pubDate (RFC 822) or a sitemap lastmod / `time@datetime`
    (ISO 8601, possibly a bare date); None when it cannot be read or has no offset."""
    if not text:
        return None
    text = text.strip()
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        try:
            moment = parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError):
            return None
    if moment.tzinfo is None:
        if len(text) == 10:  # a bare date: its start, in UTC
            return moment.replace(tzinfo=UTC)
        return None
    return moment


def newer_than(hint: str | None, last_fetched: str | None, now: datetime | None = None) -> bool:
    """Does the hint say the page changed after `last_fetched` (a UTC archive timestamp)?
    Hints in the future (beyond a little clock slack) are not believed."""
    moment = hint_time(hint)
    last = hint_time(last_fetched) if last_fetched else None
    if moment is None or last is None:
        return False
    return last < moment <= (now or datetime.now(UTC)) + FUTURE_SLACK


def since_moment(day: date, zone: tzinfo | None = None) -> datetime:
    """The start of `day` in the source's zone (UTC when unknown)."""
    return datetime.combine(day, time(0, 0), tzinfo=zone or UTC)


def listing_dates(body: bytes | str, base_url: str) -> dict[str, str]:
    """Article URL -> `time@datetime` of its item on a listing page, where items carry one.

    An item is the smallest ancestor of a `time[@datetime]` (up to four levels up) that holds
    a link; its first link gets the date."""
    if not body or not body.strip():
        return {}
    try:
        doc = html.fromstring(body)
    except (etree.ParserError, ValueError):
        return {}
    found: dict[str, str] = {}
    stamps = doc.xpath("//time[@datetime]")
    for stamp in stamps if isinstance(stamps, list) else ():
        if not isinstance(stamp, html.HtmlElement):
            continue
        node = stamp
        for _ in range(4):
            parent = node.getparent()
            if parent is None:
                break
            node = parent
            hrefs = node.xpath(".//a/@href")
            if isinstance(hrefs, list) and hrefs:
                url = urljoin(base_url, str(hrefs[0]).strip()).split("#", 1)[0]
                found.setdefault(url, str(stamp.get("datetime")))
                break
    return found
