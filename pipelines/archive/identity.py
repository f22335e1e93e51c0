"""Which stored article an incoming one is, whatever its URL spelling, before it is written.

An article is known by keys (`pipelines.urls`): the source's article id where the source
defines its URL forms (`amic:575321`), else the URL without scheme, twin host prefix, AMP
segment, trailing slash and tracking parameters; every key ever seen is kept in
`article_keys`. An incoming article whose key is known is that article:

- fetched again at its own URL (or at its own id under a new slug, from a page that calls
  itself canonical): the row is updated, the old text kept as a version (`writer.update`);
- fetched at a twin that points its canonical elsewhere (AMP, mobile): only the spelling is
  recorded (outcome "duplicate"), so a twin's slightly different markup never overwrites the
  text of the page it copies.

An article with unknown keys but the same normalised text as an article of the same source
is a copy at another URL: its spellings are linked to that article ("duplicate"). Anything
else is new. Then new and changed texts are fingerprinted and linked into stories.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from crawler.items import Article
from pipelines.archive import stories, writer
from pipelines.archive.chunked import select_in
from pipelines.archive.derive import Derived, derive
from pipelines.archive.fingerprint import Fingerprint
from pipelines.archive.lsh import KnownBuckets
from pipelines.archive.writer import Status, StoreOutcome
from pipelines.urls import UrlRules, url_key


@dataclass
class _Incoming:
    article: Article  # with canonical_url pointing at the stored row when it is known
    declared: str | None  # the canonical URL as the page declared it (normalised)
    keys: list[str]
    derived: Derived  # its stemmed text, text hash, fingerprint, compressed page
    twin_of: int | None = None  # an archived article id this is only a spelling of
    twin_index: int | None = None  # an earlier article of the same batch, likewise
    spellings: list[str] = field(default_factory=list)


def store_batch(
    conn: sqlite3.Connection,
    articles: Sequence[Article],
    now: str,
    run_id: int | None,
    rules: UrlRules | None = None,
    derived: Sequence[Derived] | None = None,
    known: KnownBuckets | None = None,
) -> list[StoreOutcome]:
    """`writer.store_batch` with identities resolved first and stories linked after;
    `derived`: `derive(articles)` when computed already (in another process); `known`: see
    `stories.link`."""
    rules = rules or UrlRules()
    extras = derive(articles) if derived is None else derived
    items = [_prepare(a, d, rules) for a, d in zip(articles, extras, strict=True)]
    _resolve(conn, items, rules)
    originals = [i for i, it in enumerate(items) if it.twin_of is None and it.twin_index is None]
    written = writer.store_batch(
        conn,
        [items[i].article for i in originals],
        now,
        run_id,
        [items[i].derived for i in originals],
    )
    outcomes: list[StoreOutcome | None] = [None] * len(items)
    for index, outcome in zip(originals, written, strict=True):
        outcomes[index] = outcome
    for index, item in enumerate(items):
        if outcomes[index] is not None:
            continue
        if item.twin_index is not None:
            target = outcomes[item.twin_index]
            assert target is not None  # a batch twin always follows its original
            article_id, canonical = target.article_id, target.canonical_url
        else:
            assert item.twin_of is not None
            article_id = item.twin_of
            row = conn.execute("SELECT canonical_url FROM articles WHERE id = ?", (article_id,))
            canonical = row.fetchone()[0]
        outcomes[index] = StoreOutcome(article_id, "duplicate", canonical)
    done = [o for o in outcomes if o is not None]
    _record(conn, items, done, now)
    _link(conn, items, done, now, known)
    return done


def _link(
    conn: sqlite3.Connection,
    items: list[_Incoming],
    outcomes: list[StoreOutcome],
    now: str,
    known: KnownBuckets | None,
) -> None:
    """Fingerprint the new and changed texts and link them into stories. An article written
    more than once in the batch (new, then changed again) is linked once, with its last text."""
    last: dict[int, tuple[Status, Fingerprint | None]] = {}
    for item, outcome in zip(items, outcomes, strict=True):
        if outcome.status in ("new", "updated"):
            first = last.get(outcome.article_id, (outcome.status, None))[0]
            last[outcome.article_id] = (first, item.derived.print_)
    for status, fresh in (("new", True), ("updated", False)):
        prints = [(i, p) for i, (s, p) in last.items() if s == status and p is not None]
        stories.link(conn, prints, now, fresh=fresh, known=known)
    stories.unlink(conn, [i for i, (s, p) in last.items() if s == "updated" and p is None])


def _prepare(article: Article, derived: Derived, rules: UrlRules) -> _Incoming:
    declared = article.canonical_url
    spellings = list(dict.fromkeys(u for u in (declared, article.url) if u))
    return _Incoming(
        article=article,
        declared=declared,
        keys=rules.keys([declared, article.url], article.source),
        derived=derived,
        spellings=spellings,
    )


def _resolve(conn: sqlite3.Connection, items: list[_Incoming], rules: UrlRules) -> None:
    """Point each item at its stored article (or an earlier item of the batch), or mark it a
    twin; see the module docstring."""
    by_key = _lookup(
        conn,
        "SELECT key, article_id FROM article_keys WHERE key IN ({})",
        [k for item in items for k in item.keys],
    )
    by_text = _lookup(
        conn,
        "SELECT s.text_hash || ' ' || a.source, a.id FROM article_signatures s "
        "JOIN articles a ON a.id = s.article_id WHERE s.text_hash IN ({})",
        [item.derived.text_hash for item in items if item.derived.text_hash],
    )
    stored = _urls(conn, sorted(set(by_key.values())))
    batch_keys: dict[str, int] = {}
    batch_texts: dict[str, int] = {}
    for index, item in enumerate(items):
        text_key = (
            f"{item.derived.text_hash} {item.article.source}" if item.derived.text_hash else None
        )
        known = next((by_key[k] for k in item.keys if k in by_key), None)
        if known is not None:
            url, canonical = stored[known]
            if _authoritative(item, url, canonical, rules):
                item.article = replace(item.article, canonical_url=canonical)
            else:
                item.twin_of = known
            continue
        first = next((batch_keys[k] for k in item.keys if k in batch_keys), None)
        if first is not None:
            root = items[first]
            if _authoritative(item, root.article.url, root.article.canonical_url, rules):
                item.article = replace(item.article, canonical_url=root.article.canonical_url)
            else:
                item.twin_index = first
            continue
        if text_key and text_key in by_text:
            item.twin_of = by_text[text_key]
            continue
        if text_key and text_key in batch_texts:
            item.twin_index = batch_texts[text_key]
            continue
        for key in item.keys:
            batch_keys.setdefault(key, index)
        if text_key:
            batch_texts.setdefault(text_key, index)


def _authoritative(item: _Incoming, url: str, canonical: str | None, rules: UrlRules) -> bool:
    """May this page overwrite the text of the stored article (`url`, `canonical`)?

    Yes when fetched at the stored URL in any spelling, or at the same article id (a new
    slug) from a page that declares itself canonical. A twin that points elsewhere may not."""
    fetched = item.article.url
    mine = {url_key(u) for u in (url, canonical) if u}
    if url_key(fetched) in mine:
        return True
    if item.declared and url_key(item.declared) != url_key(fetched):
        return False
    source = item.article.source
    return rules.key(fetched, source) in {rules.key(u, source) for u in (url, canonical) if u}


def _lookup(conn: sqlite3.Connection, sql: str, values: list[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    for key, article_id in select_in(conn, sql, values):
        found.setdefault(key, article_id)
    return found


def _urls(conn: sqlite3.Connection, ids: list[int]) -> dict[int, tuple[str, str | None]]:
    sql = "SELECT id, url, canonical_url FROM articles WHERE id IN ({})"
    return {row[0]: (row[1], row[2]) for row in select_in(conn, sql, ids)}


def _record(
    conn: sqlite3.Connection, items: list[_Incoming], outcomes: list[StoreOutcome], now: str
) -> None:
    """Every key and every URL spelling seen, for the article each one turned out to be."""
    conn.executemany(
        "INSERT OR IGNORE INTO article_keys (key, article_id) VALUES (?, ?)",
        [(k, o.article_id) for item, o in zip(items, outcomes, strict=True) for k in item.keys],
    )
    conn.executemany(
        "INSERT OR IGNORE INTO article_urls (url, article_id, first_seen) VALUES (?, ?, ?)",
        [
            (u, o.article_id, now)
            for item, o in zip(items, outcomes, strict=True)
            for u in item.spellings
        ],
    )


def backfill_keys(conn: sqlite3.Connection) -> None:
    """Generic keys of every stored spelling (an archive made before keys existed)."""
    rows = conn.execute(
        "SELECT url, article_id FROM article_urls UNION ALL "
        "SELECT canonical_url, id FROM articles UNION ALL SELECT url, id FROM articles"
    ).fetchall()
    conn.executemany(
        "INSERT OR IGNORE INTO article_keys (key, article_id) VALUES (?, ?)",
        [(url_key(url), article_id) for url, article_id in rows if url],
    )
