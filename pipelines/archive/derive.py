"""What storing an article computes from the article alone, before the write transaction.

Stemmed index text, the text hash and fingerprint that find copies and reprints, the
compressed page and the row's columns are most of the CPU time of a store and need no
database. Computing them here, for a whole batch at once, lets a bulk import do it in
another process while the previous batch is written (`Archive.store_many`); the crawl
computes them in line.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from crawler.items import Article
from pipelines.archive import fingerprint, rawstore
from pipelines.archive.fingerprint import Fingerprint
from pipelines.archive.rows import article_columns
from pipelines.archive.stemming import shadow


@dataclass(frozen=True)
class Derived:
    shadows: tuple[str, str, str]  # stemmed headline, lead, body: what the index holds
    text_hash: str | None  # `fingerprint.text_hash`: the same text whatever its furniture
    print_: Fingerprint | None  # None when the body is too short to compare
    raw: tuple[str, bytes] | None  # (codec, compressed page)
    columns: dict[str, Any]  # `rows.article_columns`: hashes, UTC time and JSON of the row


def derive(articles: Sequence[Article]) -> list[Derived]:
    """The derived values of each article (pure: no I/O, safe in a worker process)."""
    tokens = [fingerprint.words(a.body or "") for a in articles]
    hashes = [fingerprint.text_hash(t, a.headline) for t, a in zip(tokens, articles, strict=True)]
    chosen = [i for i, h in enumerate(hashes) if h is not None]
    prints: list[Fingerprint | None] = [None] * len(articles)
    for i, print_ in zip(
        chosen,
        fingerprint.of_words_many([(tokens[i], hashes[i] or "") for i in chosen]),
        strict=True,
    ):
        prints[i] = print_
    return [
        Derived(
            shadows=(shadow(a.headline), shadow(a.lead), shadow(a.body)),
            text_hash=hashes[i],
            print_=prints[i],
            raw=rawstore.compress(a.raw_html) if a.raw_html else None,
            columns=article_columns(a),
        )
        for i, a in enumerate(articles)
    ]
