"""`newsagg import`: articles from JSON Lines into the archive, as a bulk import.

Reads what `newsagg export --format jsonl` writes (and any JSON objects with at least
`url`, `headline` and `body` in the fields of `crawler.items.Article`), so an archive can
be moved, merged with another machine's, or filled from another tool. Each article goes
through the crawl's normalising and validation, then `Archive.store_many`: the same
identity, deduplication and story linking as a crawl, with the CPU work on a second core.
"""

from __future__ import annotations

import base64
import binascii
import gzip
import itertools
import json
import sqlite3
import sys
import zlib
from collections import Counter
from collections.abc import Iterator
from dataclasses import fields
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any, cast
from urllib.parse import urlsplit

import click

from crawler.cli.options import db_option
from crawler.items import Article

PROGRESS_EVERY = 1000


class _Reader:
    """The articles of a JSONL stream; lines that are not articles are counted by reason."""

    def __init__(self, stream: IO[bytes]) -> None:
        self.stream = stream
        self.skipped: Counter[str] = Counter()
        self.first_problem: str | None = None
        # `first_seen` (UTC) of the articles yielded and not yet stored, by object: the
        # archive the export came from first stored them then, not on the day of the import
        self.first_seen: dict[int, str] = {}

    def _skip(self, number: int, reason: str) -> None:
        self.skipped[reason] += 1
        if self.first_problem is None:
            self.first_problem = f"line {number}: {reason}"

    def __iter__(self) -> Iterator[Article]:
        from crawler.sources import key_for_url
        from pipelines.normalize import normalize
        from pipelines.validate import problem

        for number, raw in enumerate(self.stream, 1):
            try:
                # strictly: a line in another encoding must not replace good text with "�"
                line = raw.decode("utf-8-sig" if number == 1 else "utf-8")
            except UnicodeDecodeError:
                self._skip(number, "not UTF-8")
                continue
            if not line.strip():
                continue
            data, unread = _parsed(line)
            if unread:
                self._skip(number, unread)
                continue
            if not isinstance(data, dict):
                self._skip(number, "not a JSON object")
                continue
            try:
                page = _page(data.pop("raw_page", None), data.pop("raw_html", None))
            except (TypeError, ValueError, KeyError, binascii.Error, zlib.error):
                self._skip(number, "unreadable raw_page")
                continue
            try:
                article = normalize(_typed(Article.from_dict(data)))
            except _FieldError as exc:
                self._skip(number, str(exc))
                continue
            except (TypeError, ValueError, AttributeError) as exc:
                self._skip(number, f"not an article ({type(exc).__name__})")
                continue
            article.raw_html = page
            if not article.source and article.url:  # a record of another tool's
                article.source = key_for_url(article.url)
            reason = problem(article)
            if reason:
                self._skip(number, reason)
                continue
            seen = _first_seen(data.get("first_seen"))
            if seen is not None:
                self.first_seen[id(article)] = seen
            yield article

    def seen_since(self, article: Article) -> str | None:
        """The exported `first_seen` of an article this reader yielded (asked once, as its
        batch is stored: `Archive.store_many`)."""
        return self.first_seen.pop(id(article), None)


def _parsed(line: str) -> tuple[Any, str | None]:
    """(the JSON value of a line, None), or (None, why it has none). orjson reads most lines,
    and faster; what it refuses and Python's reader takes (NaN, 1e400, "\\ud800") is read as
    Python reads it, unless its text holds a lone surrogate: such text is no Unicode, and
    could not be hashed or stored (it stopped the whole import)."""
    import orjson

    try:
        return orjson.loads(line), None
    except orjson.JSONDecodeError:
        pass
    try:
        data = json.loads(line)
    except (ValueError, RecursionError):
        return None, "not JSON"
    try:
        json.dumps(data, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        return None, "lone surrogate in text"
    except (ValueError, RecursionError):  # nested too deep to write again: not an article
        return None, "not JSON"
    return data, None


_TEXT_FIELDS = tuple(
    f.name for f in fields(Article) if f.type in ("str", "str | None") and f.name != "raw_html"
)


def _page(raw_page: Any, raw_html: Any) -> bytes | None:
    """The page as fetched: from `raw_page` (`export --with-raw`: {codec, base64}, checked
    by decompressing it, and stored as it came) or from `raw_html` text (another tool's),
    else None."""
    from pipelines.archive import rawstore

    if raw_page is not None:
        if not isinstance(raw_page, dict):
            raise TypeError("raw_page is not an object")
        data = base64.b64decode(raw_page["base64"], validate=True)
        return rawstore.read(raw_page["codec"], data)
    if raw_html is not None and not isinstance(raw_html, str):
        raise TypeError("raw_html is not text")
    return raw_html.encode("utf-8") if raw_html else None


def _uncompressed(stream: IO[bytes]) -> IO[bytes]:
    """The stream itself, or its gzip content (`export ... | gzip > x.jsonl.gz`). Files and
    standard input arrive buffered, so the first bytes can be looked at without reading."""
    peek = getattr(stream, "peek", None)
    if peek is not None and peek(2)[:2] == b"\x1f\x8b":
        return cast(IO[bytes], gzip.GzipFile(fileobj=stream))
    return stream


class _FieldError(TypeError):
    """A field holds a value of the wrong type (the message names it: a counted reason)."""


def _typed(article: Article) -> Article:
    """`article` if its fields hold what the Article says they hold, else TypeError (JSON
    from another tool may put a number where text belongs, or a list for an object)."""
    for name in _TEXT_FIELDS:
        value = getattr(article, name)
        if value is not None and not isinstance(value, str):
            raise _FieldError(f"{name} is not text")
    for name in ("authors", "tags"):
        value = getattr(article, name)
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise _FieldError(f"{name} is not a list of text")
    provenance = article.provenance
    if not isinstance(provenance, dict) or not all(isinstance(v, str) for v in provenance.values()):
        raise _FieldError("provenance is not an object of text")
    parts = urlsplit(article.url or "")
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise _FieldError("url is not an http(s) address")
    for name in ("published_at", "modified_at", "fetched_at"):
        value = getattr(article, name)
        if value and _iso_time(value) is None:
            raise _FieldError(f"{name} is not an ISO 8601 time")
    return article


def _first_seen(value: Any) -> str | None:
    """An exported `first_seen` as UTC text; None when it is missing, unreadable, or later
    than now (a clock that ran ahead must not make an article look older than a stored
    copy). A day alone (`2024-03-05`, another tool's export) is its last second in UTC: it
    was first seen that day, at the latest then."""
    from datetime import date

    from pipelines.archive.rows import now_utc, to_utc

    if not isinstance(value, str):
        return None
    now = now_utc()
    moment = to_utc(value)
    if moment is None and len(value.strip()) == 10:
        try:  # today: seen by now at the latest
            moment = min(date.fromisoformat(value.strip()).isoformat() + "T23:59:59Z", now)
        except ValueError:
            moment = None
    return moment if moment is not None and moment <= now else None


def _iso_time(text: str) -> datetime | None:
    """The time, or None when it is no ISO 8601 time or has no place on the UTC axis."""
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
        if moment.tzinfo is not None:
            moment.astimezone(UTC)
    except (ValueError, OverflowError):
        return None
    return moment


@click.command("import")
@click.argument("file", type=click.File("rb"))
@click.option(
    "--batch",
    type=click.IntRange(1, 10_000),
    default=500,
    show_default=True,
    help="Articles per write transaction.",
)
@db_option
def command(file: IO[bytes], batch: int, db_path: Path) -> None:
    """Import articles from a JSON Lines FILE (or - for standard input).

    Takes what `newsagg export --format jsonl` writes (with --with-raw, the pages
    too, so that `newsagg reparse` works on them), or any JSON objects with url,
    headline and body (and raw_html text, if the tool kept the page). Articles
    already in the archive (by any spelling of their URL) are updated or left
    unchanged, reprints join their stories, as in a crawl. An exported first_seen
    earlier than the archive's own is kept. Lines that are not articles are
    skipped and counted by reason.
    Exit status: 0 done, 1 nothing could be imported or the disk failed (the
    summary says what was stored), 2 bad arguments, 130 / 143 stopped by Ctrl-C /
    SIGTERM (the batches in the summary are stored: import the file again to go on,
    they come back unchanged).

    \b
    Example:
        newsagg export --format jsonl --with-raw -o all.jsonl --db old.db
        newsagg import all.jsonl --db /srv/news/news.db
        zcat articles.jsonl.gz | newsagg import -    # or: newsagg import articles.jsonl.gz
    """
    from crawler.sources import url_rules
    from pipelines.archive import Archive

    reader = _Reader(_uncompressed(file))
    outcomes: Counter[str] = Counter()
    tty = sys.stderr.isatty()
    broken: str | None = None
    articles = iter(reader)
    try:
        first = next(articles, None)
    except (EOFError, gzip.BadGzipFile, zlib.error) as exc:
        first, broken = None, _unreadable(exc)
    if first is None and not db_path.exists():  # nothing to import: no archive made for it
        _summarise(outcomes, reader, tty)
        _fail_if(broken, outcomes, reader)
        return
    stream = itertools.chain([first] if first is not None else [], articles)
    with Archive.open(db_path) as archive:
        archive.url_rules = url_rules()
        try:
            for outcome in archive.store_many(stream, batch=batch, seen_since=reader.seen_since):
                outcomes[outcome.status] += 1
                if tty and outcomes.total() % PROGRESS_EVERY == 0:
                    click.echo(f"\rimported {outcomes.total():,}", nl=False, err=True)
        except (EOFError, gzip.BadGzipFile, zlib.error) as exc:  # a cut or damaged .gz
            broken = _unreadable(exc)
        except (sqlite3.DatabaseError, KeyboardInterrupt, SystemExit):
            # the disk filled up, Ctrl-C, SIGTERM: say what was stored, then why it stopped
            _summarise(outcomes, reader, tty)
            raise
    _summarise(outcomes, reader, tty)
    _fail_if(broken, outcomes, reader)


def _unreadable(exc: BaseException) -> str:
    """What cut a compressed file short, for the message (`EOFError` has no text)."""
    return f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__


def _fail_if(broken: str | None, outcomes: Counter[str], reader: _Reader) -> None:
    """Exit 1 for a compressed file cut short, or lines read of which none was an article."""
    if broken:
        raise click.ClickException(
            f"the compressed file could not be read to its end ({broken}); the articles of "
            "every batch before that are stored: import the repaired file again"
        )
    if not outcomes and reader.skipped:
        raise SystemExit(1)


def _summarise(outcomes: Counter[str], reader: _Reader, tty: bool) -> None:
    """One line on stderr: the outcomes (whole batches are stored), and the lines skipped."""
    if tty and outcomes.total() >= PROGRESS_EVERY:
        click.echo("", err=True)
    statuses = ", ".join(f"{outcomes[k]:,} {k}" for k in ("new", "updated", "unchanged"))
    line = (
        f"imported {outcomes.total():,} articles: {statuses}, {outcomes['duplicate']:,} duplicate"
    )
    if reader.skipped:
        reasons = ", ".join(f"{reason} {n}" for reason, n in reader.skipped.most_common())
        line += f"; skipped {reader.skipped.total():,} lines ({reasons}; first: "
        line += f"{reader.first_problem})"
    click.echo(line, err=True)
