"""Run today's parsers over stored pages and write back what they now read differently.

The archive keeps every page as fetched (`raw_pages`), so a parser fix reaches old articles
without fetching again. An article whose text changes gets a new version, as when a site
edits it; other fields are overwritten. The article keeps its id and URLs.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import Any, Protocol

from crawler.items import Article, NotAnArticle
from pipelines.archive import rawstore
from pipelines.archive.archive import Archive
from pipelines.archive.rows import row_to_article, to_utc
from pipelines.archive.search import utc_bound

COMPARED_FIELDS = (
    "headline",
    "lead",
    "body",
    "published_at",
    "published_at_raw",
    "modified_at",
    "agency",
    "authors",
    "photo_credits",
    "images",
    "rubric",
    "tags",
    "language",
)


class Extractor(Protocol):
    def __call__(
        self,
        html: bytes | str,
        url: str,
        *,
        source: str | None = None,
        fetched_at: datetime | None = None,
        content_type: str | None = None,
    ) -> Article: ...


@dataclass
class ReparseReport:
    pages: int = 0
    changed_articles: int = 0
    new_versions: int = 0
    fields: Counter[str] = field(default_factory=Counter)
    not_articles: Counter[str] = field(default_factory=Counter)
    errors: list[tuple[int, str]] = field(default_factory=list)
    stale: int = 0  # changed by another writer while being parsed: left as that writer left it
    without_page: int = 0  # chosen articles with no stored page (imported without one)


TIME_FIELDS = ("published_at", "modified_at")


def changed_fields(stored: Article, fresh: Article) -> list[str]:
    """Names of the compared fields whose values differ between two parses. Times with an
    offset are compared as moments: an imported `modified_at` is stored in UTC (the export
    gives it so), and the same moment written with the page's offset is no change."""
    old, new = stored.to_dict(), fresh.to_dict()
    return [
        name
        for name in COMPARED_FIELDS
        if (old[name] or None) != (new[name] or None)
        and not (name in TIME_FIELDS and _same_moment(old[name], new[name]))
    ]


def _same_moment(a: str | None, b: str | None) -> bool:
    moment = to_utc(a)  # None for a time without an offset: compared as written
    return moment is not None and moment == to_utc(b)


def _parse_time(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None


def reparse(
    archive: Archive,
    extract: Extractor,
    *,
    source: str | None = None,
    since: date | datetime | None = None,
    dry_run: bool = False,
    progress: Callable[[int, int], Any] | None = None,
) -> ReparseReport:
    """Re-extract every stored page (of `source`, fetched since `since`); count what changed."""
    where, params = ["1"], []
    if source:
        where.append("a.source = ?")
        params.append(source)
    if since is not None:
        where.append("COALESCE(r.fetched_at, a.fetched_at) >= ?")
        params.append(utc_bound(since))
    ids = [
        r[0]
        for r in archive.db.execute(
            "SELECT r.article_id FROM raw_pages r JOIN articles a ON a.id = r.article_id "
            f"WHERE {' AND '.join(where)} ORDER BY r.article_id",
            params,
        )
    ]
    report = ReparseReport()
    pageless = [w.replace("COALESCE(r.fetched_at, a.fetched_at)", "a.fetched_at") for w in where]
    report.without_page = archive.db.execute(
        "SELECT COUNT(*) FROM articles a WHERE NOT EXISTS "
        f"(SELECT 1 FROM raw_pages r WHERE r.article_id = a.id) AND {' AND '.join(pageless)}",
        params,
    ).fetchone()[0]
    for done, article_id in enumerate(ids, 1):
        _reparse_one(archive, extract, article_id, report, dry_run)
        if progress is not None:
            progress(done, len(ids))
    return report


def _reparse_one(
    archive: Archive, extract: Extractor, article_id: int, report: ReparseReport, dry_run: bool
) -> None:
    conn = archive.db.conn
    # the row before the page: a store between the two reads then fails the guard in
    # `replace_article` (the other order let the old page's parse through over the new text)
    cursor = conn.execute("SELECT * FROM articles WHERE id = ?", (article_id,))
    names = [d[0] for d in cursor.description]
    row = dict(zip(names, cursor.fetchone(), strict=True))
    codec, data, content_type, fetched_at = conn.execute(
        "SELECT codec, html, content_type, fetched_at FROM raw_pages WHERE article_id = ?",
        (article_id,),
    ).fetchone()
    stored = row_to_article(row)
    report.pages += 1
    try:
        fresh = extract(
            rawstore.decompress(codec, data),
            stored.url,
            source=stored.source,
            fetched_at=_parse_time(fetched_at or stored.fetched_at),
            content_type=content_type,
        )
    except NotAnArticle as exc:
        report.not_articles[exc.reason] += 1
        return
    except Exception as exc:  # a parser bug on one page must not stop the run
        report.errors.append((article_id, f"{type(exc).__name__}: {exc}"))
        return
    diff = changed_fields(stored, fresh)
    if not diff:
        return
    if not dry_run:
        fresh = replace(
            fresh,
            url=stored.url,
            canonical_url=row["canonical_url"],
            source=stored.source,
            fetched_at=stored.fetched_at,
            raw_html=None,
        )
        read = (row["content_hash"], row["fetched_at"])
        status = archive.replace_article(article_id, fresh, read=read)
        if status == "stale":  # stored anew while this page was parsed: that write stands
            report.stale += 1
            return
        report.new_versions += status == "updated"
    report.changed_articles += 1
    report.fields.update(diff)
