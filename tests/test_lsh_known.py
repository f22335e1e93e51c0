"""A bulk import keeps the stored LSH bands in memory (`lsh.KnownBuckets`) and asks SQLite
only for texts that share a band with them: it must find every reprint the lookups find."""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from test_stories import COPIES, ORIGINAL, story_of, traffic_notes, weather_notes

from crawler.items import Article
from pipelines.archive import Archive, lsh
from pipelines.normalize import normalize

TEXT = (
    "совет депутатов утвердил бюджет района на следующий год в нем предусмотрены расходы "
    "на ремонт школ дорог и больниц а также на строительство нового моста через реку "
    "фермеры края собрали рекордный урожай пшеницы несмотря на засуху летом аграрии "
    "получили субсидии на покупку техники и семян спортсмены выиграли турнир по хоккею"
)


def unrelated(count: int) -> list[Article]:
    """Texts of shuffled words: no two share a run of five words, let alone a band."""
    rng = random.Random(5)
    words = TEXT.split(" ")
    return [
        normalize(
            Article(
                url=f"https://amic.example/news/{900 + i}",
                source="amic",
                headline=f"Новость номер {i}",
                body=" ".join(rng.sample(words, len(words))),
            )
        )
        for i in range(count)
    ]


def test_the_keys_find_every_stored_article_from_its_own_bands(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Whatever level its bands are in, each stored article is a candidate of its own
    bands, asked through the keys."""
    monkeypatch.setattr(lsh, "MERGE_ROWS", 2 * lsh.BANDS)
    monkeypatch.setattr(lsh, "MIDDLE_ROWS", 4 * lsh.BANDS)
    with Archive.open(tmp_path / "news.db") as archive:
        for note in [ORIGINAL, *weather_notes(), *traffic_notes()[:1]]:  # 7: 4, 2, 1 a level
            archive.store([note])
        conn = archive.db.conn
        levels = [conn.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0] for t in lsh.TABLES]
        assert all(levels)  # bands in the main, middle and recent levels
        rows = conn.execute(
            " UNION ALL ".join(f"SELECT article_id, band, bucket FROM {t}" for t in lsh.TABLES)
        ).fetchall()
        bands: dict[int, list[tuple[int, int]]] = {}
        for article_id, band, bucket in rows:
            bands.setdefault(article_id, []).append((band, bucket))
        ids = sorted(bands)
        assert len(ids) == 7
        known = lsh.KnownBuckets.load(conn)
        rows = np.array([[bucket for _, bucket in sorted(bands[i])] for i in ids])
        found = known.candidates(conn, rows)
        missed = [i for i, ids_ in zip(ids, found, strict=True) if i not in ids_]
        assert missed == []


@pytest.mark.parametrize("recent_keys", [1_000_000, 40])  # 40: merged every batch or two
def test_texts_sharing_no_band_are_not_looked_up_and_reprints_still_link(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, recent_keys: int
) -> None:
    monkeypatch.setattr(lsh.KnownBuckets, "RECENT_KEYS", recent_keys)
    asked: list[int] = []
    lookup = lsh.candidates_many

    def spy(conn: object, buckets: np.ndarray) -> list[set[int]]:
        asked.append(len(buckets))
        return lookup(conn, buckets)  # type: ignore[arg-type]

    monkeypatch.setattr(lsh, "candidates_many", spy)
    others = unrelated(8)
    with Archive.open(tmp_path / "news.db") as archive:  # new: the keys load at once
        list(archive.store_many(iter([ORIGINAL, *others, *COPIES]), batch=2, worker=False))
        assert sum(asked) == len(COPIES)  # only the copies share a band with a stored text
        stories = story_of(archive)
        assert stories[ORIGINAL.url] is not None
        assert {stories[a.url] for a in COPIES} == {stories[ORIGINAL.url]}
        assert {stories[a.url] for a in others} == {None}


def test_an_article_another_writer_stores_during_an_import_is_found(tmp_path: Path) -> None:
    """A crawl that commits between two batches of an import adds bands the import's keys
    lack; the import must notice and still link its reprint of that article."""
    path = tmp_path / "news.db"
    crawl = Archive.open(path)

    def stream() -> Iterator[Article]:
        yield from weather_notes()[:2]  # the first batch: the keys are loaded
        crawl.store([ORIGINAL])  # committed by another connection meanwhile
        yield COPIES[1]

    with Archive.open(path) as archive:
        outcomes = list(archive.store_many(stream(), batch=2, worker=False))
        assert [o.status for o in outcomes] == ["new"] * 3
        stories = story_of(archive)
    crawl.close()
    assert stories[COPIES[1].url] is not None
    assert stories[COPIES[1].url] == stories[ORIGINAL.url]


def test_a_store_on_the_same_archive_between_batches_is_seen(tmp_path: Path) -> None:
    """The same connection writing between two batches changes no `data_version`; the
    import must still find the article it stored."""
    with Archive.open(tmp_path / "news.db") as archive:

        def stream() -> Iterator[Article]:
            yield from weather_notes()[:2]
            archive.store([ORIGINAL])
            yield COPIES[1]

        list(archive.store_many(stream(), batch=2, worker=False))
        stories = story_of(archive)
    assert stories[COPIES[1].url] is not None
    assert stories[COPIES[1].url] == stories[ORIGINAL.url]


def test_batch_peers_are_the_earlier_rows_sharing_a_bucket_of_a_band() -> None:
    """Against the definition, on buckets drawn from a few values so that rows share
    buckets in runs of every length, and equal buckets in different bands do not count."""
    rng = np.random.default_rng(3)
    buckets = rng.integers(0, 6, size=(40, lsh.BANDS), dtype=np.int64) * 1_000_003
    buckets[:, 1::2] += 7  # odd bands take other values than even ones
    buckets[5, 0] = buckets[5, 1]  # and a value of band 1 in band 0 shares nothing more
    expected = {
        row: {
            earlier
            for earlier in range(row)
            if any(buckets[row, b] == buckets[earlier, b] for b in range(lsh.BANDS))
        }
        for row in range(len(buckets))
    }
    assert lsh.batch_peers(buckets) == {row: set_ for row, set_ in expected.items() if set_}
    distinct = np.arange(3 * lsh.BANDS, dtype=np.int64).reshape(3, lsh.BANDS)
    assert lsh.batch_peers(distinct) == {}


def test_keys_that_outgrow_their_limit_are_dropped_for_the_rest_of_the_import(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    loads: list[int] = []
    load = lsh.KnownBuckets.load.__func__  # type: ignore[attr-defined]

    def counted(cls: type[lsh.KnownBuckets], conn: object) -> lsh.KnownBuckets:
        loads.append(1)
        return load(cls, conn)  # type: ignore[no-any-return]

    monkeypatch.setattr(lsh.KnownBuckets, "load", classmethod(counted))
    monkeypatch.setattr(lsh.ImportBuckets, "MAX_PRINTS", 8)
    first = unrelated(6)
    # edited texts add their new bands to the keys: more keys than 8 prints have, though
    # the archive still holds 6 prints (within the limit, so loading would be allowed)
    edited = [replace(a, body=f"{a.body} Дополнено {n}.") for n in (1, 2) for a in first]
    with Archive.open(tmp_path / "news.db") as archive:
        articles = [*first, *edited, ORIGINAL, *COPIES]
        outcomes = list(archive.store_many(iter(articles), batch=2, worker=False))
        stories = story_of(archive)
    assert [o.status for o in outcomes].count("updated") == len(edited)
    assert loads == [1]  # loaded into the new archive, dropped when too many, never again
    assert {stories[a.url] for a in COPIES} == {stories[ORIGINAL.url]} != {None}
