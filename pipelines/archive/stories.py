"""Stories: an article and its reprints across sources, one `stories` row per cluster.

Linking runs in the store transaction, once per new or changed text: the article's
fingerprint finds candidates through the LSH bands of every archived article, each candidate
is verified (`fingerprint.reprints`), and the article joins the candidates' story (stories
that it bridges merge into the oldest). The origin of a story is its earliest published
member (ties: the lowest id); members without a known time come last. A story is never
split again when a member's text is later edited: links record what was once reprinted.
Every article whose story or origin status a link changes is marked changed
(`articles.changed_at`), so an incremental export delivers it again with its new story.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

from pipelines.archive.schema import PUBLISHED as WHEN

if TYPE_CHECKING:  # numpy loads only where fingerprints are made
    from pipelines.archive.fingerprint import Fingerprint
    from pipelines.archive.lsh import KnownBuckets


@dataclass(frozen=True)
class StoryMember:
    article_id: int
    source: str | None
    published_at: str | None
    headline: str
    url: str
    origin: bool


@dataclass(frozen=True)
class StoryCluster:
    id: int
    origin_article_id: int | None
    article_count: int
    latest: str | None
    members: list[StoryMember] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def link(
    conn: sqlite3.Connection,
    articles: Sequence[tuple[int, Fingerprint]],
    now: str,
    *,
    fresh: bool = False,
    stamp: bool = True,
    known: KnownBuckets | None = None,
) -> None:
    """Store the fingerprints of these articles and link their reprints; `fresh`: none of
    them has a stored fingerprint yet (new articles), else older ones are replaced; `stamp`:
    see `join`; `known`: the stored bands in memory (a bulk import), current, kept so.

    The batch is looked up at once; its members are also compared with each other (each
    with those before it), so the result is the same as storing them one by one."""
    from pipelines.archive import lsh
    from pipelines.archive.fingerprint import StoredPrints, reprints

    if not articles:
        return
    ids = {article_id for article_id, _ in articles}
    buckets = lsh.bands_many([p for _, p in articles])
    found = (
        known.candidates(conn, buckets) if known is not None else lsh.candidates_many(conn, buckets)
    )
    stored = lsh.load_many(conn, sorted(set().union(*found) - ids))
    rows = {article_id: i for i, article_id in enumerate(stored.ids)}
    earlier = lsh.batch_peers(buckets)
    links: list[tuple[int, list[int]]] = []
    for position, (article_id, print_) in enumerate(articles):
        keep = [rows[i] for i in sorted(found[position] - ids) if i in rows]
        matches = reprints(print_, StoredPrints.subset(stored, keep)) if keep else []
        if peers := earlier.get(position):
            matches += reprints(print_, StoredPrints.of([articles[p] for p in sorted(peers)]))
        if matches:
            links.append((article_id, matches))
    lsh.save_many(conn, articles, fresh=fresh, buckets=buckets)
    if known is not None:
        known.add(buckets)
    for article_id, matches in links:
        join(conn, article_id, matches, now, stamp=stamp)
    lsh.merge_if_due(conn)


def relink(conn: sqlite3.Connection, article_id: int, body: str, headline: str, now: str) -> None:
    """Fingerprint an article's changed text again and link it (its story links stay)."""
    from pipelines.archive import fingerprint as fp

    print_ = fp.fingerprint(body, headline)
    if print_ is not None:
        link(conn, [(article_id, print_)], now)
    else:
        unlink(conn, [article_id])


def unlink(conn: sqlite3.Connection, article_ids: Sequence[int]) -> None:
    """Drop the fingerprints of articles whose new text is too short to have one: the old
    one would keep matching copies of the text they no longer have (stories stay)."""
    from pipelines.archive import lsh

    for article_id in article_ids:
        lsh.forget(conn, article_id)


def join(
    conn: sqlite3.Connection,
    article_id: int,
    matches: Sequence[int],
    now: str,
    *,
    stamp: bool = True,
) -> int:
    """Put `article_id` and `matches` in one story; returns its id. Every article whose
    story or origin status this changes is changed at `now` (`articles.changed_at`, the key
    of incremental exports) unless not `stamp` (an archive older than that column)."""
    members = [article_id, *matches]
    marks = ",".join("?" * len(members))
    story_ids = sorted(
        {
            row[0]
            for row in conn.execute(
                f"SELECT story_id FROM articles WHERE id IN ({marks}) AND story_id IS NOT NULL",
                members,
            )
        }
    )
    if story_ids:
        story_id, merged = story_ids[0], story_ids[1:]
    else:
        cur = conn.execute(
            "INSERT INTO stories (origin_article_id, created, article_count) VALUES (?, ?, 0)",
            (article_id, now),
        )
        assert cur.lastrowid is not None
        story_id, merged = cur.lastrowid, []
    for other in merged:
        _move(conn, story_id, "story_id = ?", [other], now, stamp)
        conn.execute("DELETE FROM stories WHERE id = ?", (other,))
    where = f"id IN ({marks}) AND story_id IS NOT ?"  # those already in it did not change
    _move(conn, story_id, where, [*members, story_id], now, stamp)
    refresh(conn, story_id, now, stamp=stamp)
    return story_id


def _move(
    conn: sqlite3.Connection,
    story_id: int,
    where: str,
    params: Sequence[Any],
    now: str,
    stamp: bool,
) -> None:
    """Put the articles matching `where` in `story_id`, changed at `now` if `stamp`."""
    sets: list[str] = ["story_id = ?"]
    values: list[Any] = [story_id]
    if stamp:
        sets.append("changed_at = ?")
        values.append(now)
    conn.execute(f"UPDATE articles SET {', '.join(sets)} WHERE {where}", [*values, *params])


def refresh(conn: sqlite3.Connection, story_id: int, now: str, *, stamp: bool = True) -> None:
    """Recount a story and mark its earliest published member as the origin. When the origin
    moves, the old and the new one are changed at `now`: `export --collapse-stories` shows a
    story's origin, so an incremental export must deliver the new one."""
    row = conn.execute(
        f"SELECT id FROM articles WHERE story_id = ? ORDER BY {WHEN} IS NULL, {WHEN}, id LIMIT 1",
        (story_id,),
    ).fetchone()
    origin = row[0] if row else None
    previous = conn.execute("SELECT origin_article_id FROM stories WHERE id = ?", (story_id,))
    before = previous.fetchone()[0]
    count = conn.execute("SELECT COUNT(*) FROM articles WHERE story_id = ?", (story_id,))
    conn.execute(
        "UPDATE stories SET origin_article_id = ?, article_count = ? WHERE id = ?",
        (origin, count.fetchone()[0], story_id),
    )
    if stamp and before != origin:
        conn.execute("UPDATE articles SET changed_at = ? WHERE id IN (?, ?)", (now, before, origin))


def backfill(conn: sqlite3.Connection, now: str, batch: int = 1000) -> int:
    """Fingerprint and link every article without a fingerprint, in id order (an archive
    made before stories existed); returns how many were fingerprinted. Migration m004 runs
    this before `articles.changed_at` exists; m006 then starts every row's change time."""
    from pipelines.archive import fingerprint as fp

    stamp = "changed_at" in {row[1] for row in conn.execute("PRAGMA table_info(articles)")}
    done, last = 0, 0
    while True:
        rows = conn.execute(
            "SELECT id, body, headline FROM articles WHERE id > ? AND id NOT IN "
            "(SELECT article_id FROM article_signatures) ORDER BY id LIMIT ?",
            (last, batch),
        ).fetchall()
        if not rows:
            return done
        prints = [(i, p) for i, body, head in rows if (p := fp.fingerprint(body or "", head or ""))]
        link(conn, prints, now, fresh=True, stamp=stamp)
        done += len(prints)
        last = rows[-1][0]


# -- reading ---------------------------------------------------------------------------


def recent(
    conn: sqlite3.Connection,
    *,
    limit: int = 20,
    source: str | None = None,
    since: str | None = None,
) -> list[StoryCluster]:
    """Stories by their latest member, newest first, with every member (earliest first).

    `source`: only stories with a member from it; `since`: an ISO UTC bound on the latest."""
    having: list[str] = []
    params: list[Any] = []
    if source:
        having.append("SUM(source = ?) > 0")
        params.append(source)
    if since:
        having.append("newest >= ?")
        params.append(since)
    # `latest` is shown as stored (a local time gets no "Z"); with one max() SQLite takes a
    # bare column from the row holding the maximum.
    sql = (
        f"SELECT story_id, COALESCE(published_at_utc, published_at) AS latest, "
        f"MAX({WHEN}) AS newest FROM articles WHERE story_id IS NOT NULL "
        f"GROUP BY story_id {'HAVING ' + ' AND '.join(having) if having else ''} "
        "ORDER BY newest IS NULL, newest DESC, story_id DESC LIMIT ?"
    )
    heads = [row[:2] for row in conn.execute(sql, [*params, limit])]
    if not heads:
        return []
    ids = [h[0] for h in heads]
    marks = ",".join("?" * len(ids))
    origins = dict(
        conn.execute(f"SELECT id, origin_article_id FROM stories WHERE id IN ({marks})", ids)
    )
    members: dict[int, list[StoryMember]] = {i: [] for i in ids}
    for story_id, article_id, src, published, headline, url in conn.execute(
        f"SELECT story_id, id, source, published_at, headline, canonical_url FROM articles "
        f"WHERE story_id IN ({marks}) ORDER BY {WHEN} IS NULL, {WHEN}, id",
        ids,
    ):
        origin = origins.get(story_id) == article_id
        members[story_id].append(StoryMember(article_id, src, published, headline, url, origin))
    return [
        StoryCluster(i, origins.get(i), len(members[i]), latest, members[i]) for i, latest in heads
    ]


def sizes(conn: sqlite3.Connection, article_ids: Sequence[int]) -> dict[int, int]:
    """Article id -> number of articles in its story (1 for an article in no story)."""
    out = dict.fromkeys(article_ids, 1)
    if not out:
        return out
    marks = ",".join("?" * len(out))
    sql = (
        "SELECT a.id, s.article_count FROM articles a JOIN stories s ON s.id = a.story_id "
        f"WHERE a.id IN ({marks})"
    )
    out.update(conn.execute(sql, list(out)))
    return out
