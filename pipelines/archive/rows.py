"""Between an `Article` and the columns of an `articles` row, both ways."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from typing import Any

import orjson

from crawler.items import Article

JSON_COLUMNS = ("authors", "photo_credits", "images", "tags", "provenance")
# The fields whose change makes a new version of an article.
TEXT_FIELDS = ("headline", "lead", "body")
# Columns that move whenever a crawl sees an article again: their change alone does not move
# `changed_at`, so an unchanged article is not exported again by `export --since-last`.
SEEN_COLUMNS = frozenset({"fetched_at", "last_seen", "last_run_id"})


def now_utc() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def to_utc(value: str | None) -> str | None:
    """'YYYY-MM-DDTHH:MM:SSZ' for an ISO time with an offset; None when the offset is unknown."""
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    if moment.tzinfo is None:
        return None
    try:
        utc = moment.astimezone(UTC)
    except OverflowError:  # 0001-01-01T00:00+05:00 is before the first representable moment
        return None
    # isoformat writes four-digit years (strftime's %Y does not below 1000): texts compare
    return utc.replace(tzinfo=None).isoformat(timespec="seconds") + "Z"


def content_hash(headline: str | None, lead: str | None, body: str | None) -> str:
    text = "\x1f".join(t or "" for t in (headline, lead, body))
    return hashlib.sha1(text.encode("utf-8")).hexdigest()


def dumps(value: Any) -> str:
    """Compact UTF-8 JSON (readable Cyrillic in Datasette and the sqlite3 shell)."""
    return orjson.dumps(value).decode()


def article_columns(article: Article) -> dict[str, Any]:
    """The `articles` columns that come from the article itself (not ids, not bookkeeping)."""
    return {
        "url": article.url,
        "source": article.source,
        "agency": article.agency,
        "published_at_utc": to_utc(article.published_at),
        "photo_credit_count": len(article.photo_credits),
        "language": article.language,
        "headline": article.headline,
        "published_at": article.published_at,
        "published_at_raw": article.published_at_raw,
        "modified_at": article.modified_at,
        "rubric": article.rubric,
        "word_count": article.word_count or len((article.body or "").split()),
        "fetched_at": article.fetched_at,
        "content_hash": content_hash(article.headline, article.lead, article.body),
        # vars() of the small dataclasses: asdict() costs more than the whole insert of a row
        "authors": dumps(list(article.authors)),
        "photo_credits": dumps([vars(c) for c in article.photo_credits]),
        "images": dumps([vars(i) for i in article.images]),
        "tags": dumps(list(article.tags)),
        "provenance": dumps(dict(article.provenance)),
        "lead": article.lead,
        "body": article.body,
    }


def row_to_dict(row: dict[str, Any]) -> dict[str, Any]:
    """An `articles` row with its JSON columns decoded."""
    out = dict(row)
    for name in JSON_COLUMNS:
        if name in out:
            out[name] = json.loads(out[name]) if out[name] else ([] if name != "provenance" else {})
    return out


def row_to_article(row: dict[str, Any]) -> Article:
    """The stored article as an `Article` (for comparing with a fresh parse)."""
    return Article.from_dict(row_to_dict(row))
