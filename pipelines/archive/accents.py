"""Indexing again the articles that an earlier `stemming.fold` stripped of their accents.

Up to version m008 of the schema, a stress mark anywhere in a text (`stemming.MARKED`) made
`fold` strip the acute, grave and dot above from every letter of it: beside "за́мок",
"Gdańsk" was indexed as "gdansk" and "café" as "cafe", while the same words in a text without
a stress mark kept their accents (so did Macedonian "ќ", made "к"). A search for "Gdańsk"
missed the first kind. Now only the marks NFC leaves apart from a Cyrillic letter go, so
such texts are indexed again (`reindex_stressed`).

FTS5 forgets a row only when given the values it indexed, so each row is first asked which
of its two possible index texts it holds: an archive upgraded from before `m005_stems`
indexed every row again with today's `fold` in the same upgrade.
"""

from __future__ import annotations

import sqlite3
import unicodedata

from pipelines.archive.stemming import _STRESS, _tokens, marked, shadow

_COLUMNS = ("headline", "lead", "body")


def _old_fold(text: str) -> str:
    """`stemming.fold` as it was up to m008: a stress mark, looked for before NFC, stripped
    the acute, grave and dot above from every letter of the text."""
    if marked(text):
        text = unicodedata.normalize("NFD", text).translate(_STRESS)
    text = unicodedata.normalize("NFC", text).lower().replace("ё", "е")
    return text.replace("\u0307", "")


def old_shadow(text: str | None) -> str:
    """`stemming.shadow` as it was up to m008."""
    if not text:
        return ""
    return " ".join(filter(None, map(_tokens.__getitem__, _old_fold(text).split())))


def _may_differ(text: str | None) -> bool:
    """Can `old_shadow` and today's `shadow` of this text differ? Only if it holds a stress
    mark, as written or once NFC has made U+0341 an acute."""
    if not text:
        return False
    return marked(text) or marked(unicodedata.normalize("NFC", text))


def reindex_stressed(conn: sqlite3.Connection, fts: str) -> int:
    """Index again the articles whose old index text differs from today's and which hold
    the old one; returns how many. Reads every row's text once (a user function tells the
    marked ones: a third of the time of SQLite's `instr` for each mark)."""
    conn.create_function("newsagg_may_differ", 1, _may_differ, deterministic=True)
    try:  # one call a row, on its three texts at once: 2 s for 100k articles here
        rows = conn.execute(
            "SELECT id, headline, lead, body FROM articles WHERE newsagg_may_differ("
            "COALESCE(headline, '') || ' ' || COALESCE(lead, '') || ' ' || COALESCE(body, ''))"
        )
        done = 0
        for article_id, *texts in rows:  # not all at once: a source may stress every text
            old = tuple(old_shadow(t) for t in texts)
            new = tuple(shadow(t) for t in texts)
            if old == new or not _holds(conn, fts, article_id, old, new):
                continue
            conn.execute(
                f"INSERT INTO [{fts}]([{fts}], rowid, headline, lead, body) "
                "VALUES ('delete', ?, ?, ?, ?)",
                (article_id, *old),
            )
            conn.execute(
                f"INSERT INTO [{fts}](rowid, headline, lead, body) VALUES (?, ?, ?, ?)",
                (article_id, *new),
            )
            done += 1
    finally:
        conn.create_function("newsagg_may_differ", 1, None)
    return done


def _holds(
    conn: sqlite3.Connection,
    fts: str,
    article_id: int,
    old: tuple[str, ...],
    new: tuple[str, ...],
) -> bool:
    """Does the index hold `old` for this row, not `new`? Told by a word only one of them
    has (today's keeps an accent the old one never has). A row the index never had (written
    by another tool) is left as it is. When both texts have the same words (in another
    number), FTS5, which forgets a row word by word, forgets either through the old one."""
    indexed = conn.execute(f"SELECT 1 FROM [{fts}_docsize] WHERE id = ?", (article_id,))
    if indexed.fetchone() is None:
        return False
    for column, before, after in zip(_COLUMNS, old, new, strict=True):
        only_new = set(after.split()) - set(before.split())
        only_old = set(before.split()) - set(after.split())
        for word, means_old in [*((w, False) for w in only_new), *((w, True) for w in only_old)]:
            found = conn.execute(
                f"SELECT 1 FROM [{fts}] WHERE [{fts}] MATCH ? AND rowid = ?",
                (f'{column}:"{word}"', article_id),
            ).fetchone()
            return (found is not None) == means_old
    return True
