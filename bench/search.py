"""Archive benchmark: insert rate with stemming and indexing, search latency, size on disk.

Builds archives of generated Russian articles (~3 KB bodies: 1,700 Cyrillic characters; words
drawn with a Zipf law from real Russian nouns, adjectives and verbs in their inflected forms, plus
invented surnames and real place names), then times 1-3 word searches with ranking and
snippets, warm (the archive in the page cache, as on a server that searches it often) and
cold ("cold" rows: before each search the archive's pages are dropped from the OS page cache
with posix_fadvise and a new connection opens it, as the first search after a reboot finds
it). Seeded: the same arguments build the same archives.

Two insert rates: a bulk import (`Archive.store_many`: 500 articles a transaction, the CPU
work of the next batch done in a second process meanwhile), and a crawl's writes on the
built archive (`Archive.store`, 25 a transaction, everything in one process). Both include
everything a store does: rows, stemmed index, raw pages, URL keys, fingerprints and story
linking. The articles are generated first and written to a file; the timed store reads them
back (as `newsagg import` reads an export), so generating them costs neither process time
while the other works. Beside them, the issue's
yardstick on the same articles: sqlite-utils inserting them into a plain table with FTS5
triggers, unstemmed ("reference"). This machine's speed drifts from day to day (by a
third between two sessions); the reference, taken in the same run, shows how fast it was.

    .venv/bin/python bench/search.py --sizes 100000
    .venv/bin/python bench/search.py --sizes 2000 --queries 50      # a smoke run
"""

from __future__ import annotations

import argparse
import itertools
import os
import pickle
import random
import statistics
import sys
import tempfile
import time
import zlib
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from crawler.items import Article, PhotoCredit
from pipelines.archive import Archive


def _words(text: str) -> list[str]:
    return text.split()


MASCULINE = _words(
    "губернатор район город край регион министр депутат закон бюджет проект рынок завод "
    "аэропорт мост вокзал суд прокурор пожар урожай экспорт импорт фермер спортсмен "
    "турнир матч стадион театр концерт фестиваль музей университет студент врач пациент "
    "автобус трамвай маршрут ремонт дом парк лес пассажир водитель двигатель договор "
    "налог кредит мэр сенатор инвестор предприниматель банк магазин рубль доллар миллион "
    "Казахстан Узбекистан Китай Барнаул Новосибирск Бийск Рубцовск Томск Кемерово "
)
FEMININE = _words(
    "область страна дорога больница школа поликлиника полиция власть администрация "
    "программа выставка встреча компания продукция пенсия зарплата цена погода неделя "
    "команда победа площадь улица река вода квартира семья работа система служба "
    "делегация граница таможня электричка скорая помощь "
)
NEUTER = _words(
    "правительство министерство собрание предприятие строительство производство "
    "сотрудничество соглашение решение заседание здание учреждение отделение происшествие "
    "движение лечение образование село озеро место время "
)
ADJECTIVES = _words(
    "алтайский краевой городской новый крупный главный местный российский федеральный "
    "региональный сельский внешнеторговый международный районный спортивный областной "
    "новосибирский барнаульский медицинский транспортный "
)
VERBS = _words(
    "заявил заявила сообщил сообщила рассказал рассказали отметил отметила подписали "
    "открыли построили провели выделили получили планирует планируют начнут завершили "
    "произошел произошло задержали выросла выросли снизилась снизились составил составила "
    "превысил превышает экспортировал поставляет обсудили утвердили "
)
FUNCTION = _words(
    "в на и с по из за для о об от до при что как это также более около уже не его их "
    "этого этой который которые которая году года лет тысяч процентов "
)
# Roots of the long tail of names (people, villages, firms) that regional news is full of.
NAME_ROOTS = _words(
    "бел красн черн нов стар зелен сух быстр тих гор лес пол рек озер берез дуб сосн кедр "
    "камен песч глин рыб вол медвед лис сокол орл ворон голуб журавл лебед кузнец гончар "
    "плотник мельник пахар пастух рыбак охот топор молот колокол покров троиц никол петр "
    "иван алекс михайл серге андре дмитри павл степан семен григор федор матве кирил "
    "макар тимоф филипп лук ром богдан тарас захар зимн летн весен осен солов снегир "
    "тополь ольх рябин калин малин смород ярослав влад свет мир добр слав "
)
NAME_ENDINGS = {
    "ов": ["ов", "ова", "ову", "овым", "ове"],
    "ин": ["ин", "ина", "ину", "иным", "ине"],
    "ский": ["ский", "ского", "скому", "ским", "ская", "ской"],
    "ск": ["ск", "ска", "ску", "ском", "ске"],
    "ово": ["ово", "ова", "ову", "овом", "ове"],
    "иха": ["иха", "ихи", "ихе", "иху", "ихой"],
    "енко": ["енко"],
}
TAIL_LEXEMES = 40_000


# ~3 KB of UTF-8 (Cyrillic is two bytes a letter); the seed article's body is 3.9 KB.
BODY_CHARS = 1500


def declined(word: str) -> list[str]:
    """A noun or adjective in its main case forms (regular patterns; enough for stemming)."""
    if word.endswith(("ый", "ий", "ой")):
        stem = word[:-2]
        soft = "и" if stem[-1] in "кгхжшчщ" else "ы"
        return [word, stem + "ого", stem + "ому", stem + soft + "м", stem + "ом", stem + "ая",
                stem + "ой", stem + "ую", stem + soft + "е", stem + soft + "х"]  # fmt: skip
    if word.endswith("ие"):
        stem = word[:-1]
        return [word, stem + "я", stem + "ю", stem + "ем", stem + "и", stem + "й"]
    if word.endswith("й"):
        stem = word[:-1]
        return [word, stem + "я", stem + "ю", stem + "ем", stem + "е", stem + "и", stem + "ев"]
    if word.endswith(("о", "е")):
        stem = word[:-1]
        return [word, stem + "а", stem + "у", stem + "ом", stem + "е"]
    if word.endswith("ь"):
        stem = word[:-1]
        return [word, stem + "и", stem + "ью", stem + "ей", stem + "ям"]
    if word.endswith(("а", "я")):
        stem = word[:-1]
        soft = "и" if stem[-1] in "кгхжшчщ" else "ы"
        return [word, stem + soft, stem + "е", stem + "у", stem + "ой"]
    return [word, word + "а", word + "у", word + "ом", word + "е", word + "ы", word + "ов"]


def vocabulary(seed: int) -> tuple[list[list[str]], list[float], int]:
    """(lexemes as lists of word forms, Zipf cumulative weights, how many are common words).

    Ranks: function words, then the common real words (shuffled), then the long tail of
    names built as root + "о" + root + ending ("Белогорский", "Кедроозерово").
    """
    rng = random.Random(seed)
    common = [declined(w) for w in MASCULINE + FEMININE + NEUTER + ADJECTIVES]
    common += [[v] for v in VERBS]
    rng.shuffle(common)
    names: set[str] = set()
    tail: list[list[str]] = []
    while len(tail) < TAIL_LEXEMES:
        first, second = rng.choice(NAME_ROOTS), rng.choice(NAME_ROOTS)
        ending = rng.choice(list(NAME_ENDINGS))
        base = (first + "о" + second).capitalize()
        if base + ending not in names:
            names.add(base + ending)
            tail.append([base + e for e in NAME_ENDINGS[ending]])
    lexemes = [[w] for w in FUNCTION] + common + tail
    head = len(FUNCTION) + len(common)
    # Zipf over ranks; names are damped so that they make ~15 % of the words, as in news.
    weights = [(1.0 if r < head else 0.25) / (r + 1) for r in range(len(lexemes))]
    return lexemes, list(itertools.accumulate(weights)), len(FUNCTION) + len(common)


def sentences(rng: random.Random, lexemes: list[list[str]], cum: list[float], chars: int) -> str:
    out: list[str] = []
    size = 0
    while size < chars:
        chosen = rng.choices(lexemes, cum_weights=cum, k=rng.randint(8, 18))
        sentence = " ".join(rng.choice(forms) for forms in chosen)
        sentence = sentence[0].upper() + sentence[1:] + "."
        out.append(sentence)
        size += len(sentence) + 1
    return " ".join(out)


def articles(n: int, seed: int) -> Iterator[Article]:
    rng = random.Random(seed)
    forms, cum, _ = vocabulary(seed)
    start = datetime(2015, 1, 1, tzinfo=UTC)
    sources = [("amic", "ИА Амител"), ("katun24", "Катунь 24"), ("ngs22", "НГС22")]
    for i in range(n):
        source, agency = sources[i % len(sources)]
        body = "\n".join(sentences(rng, forms, cum, BODY_CHARS // 5) for _ in range(5))
        headline = sentences(rng, forms, cum, 60).rstrip(".")
        published = start + timedelta(minutes=5 * i)
        yield Article(
            url=f"https://{source}.example/news/{i}",
            headline=headline,
            lead=sentences(rng, forms, cum, 120),
            body=body,
            source=source,
            agency=agency,
            published_at=published.astimezone().isoformat(timespec="seconds"),
            photo_credits=[PhotoCredit("Фото: Антон Федотов")] if i % 4 == 0 else [],
            fetched_at=published.isoformat(timespec="seconds"),
            raw_html=f"<html><body><h1>{headline}</h1><p>{body}</p></body></html>".encode(),
        )


def generate(path: Path, n: int, seed: int) -> Path:
    """Write `articles(n, seed)` to `path` (zlib-compressed pickles of 500 at a time), once.

    Timing a store fed by the generator would either count the generating (0.5 ms an
    article, more than a store's share of a core) or, subtracting it, flatter the bulk
    import: its worker goes on deriving the next batch while the generator runs."""
    if not path.exists():
        partial = path.with_name(path.name + ".partial")
        with partial.open("wb") as out:
            stream = articles(n, seed)
            while chunk := list(itertools.islice(stream, 500)):
                blob = zlib.compress(pickle.dumps(chunk, pickle.HIGHEST_PROTOCOL), 1)
                out.write(len(blob).to_bytes(8, "little") + blob)
        partial.rename(path)
    return path


def read(path: Path) -> Iterator[Article]:
    """The articles `generate` wrote, in order (reading them is part of a timed store)."""
    with path.open("rb") as file:
        while size := int.from_bytes(file.read(8), "little"):
            yield from pickle.loads(zlib.decompress(file.read(size)))


def build(path: Path, source: Path, batch: int, worker: bool) -> float:
    """Store the articles of `source` (`generate`) as a bulk import does
    (`Archive.store_many`); returns articles per second of wall time."""
    stored = 0
    with Archive.open(path) as archive:
        started = time.perf_counter()
        for _ in archive.store_many(read(source), batch=batch, worker=worker):
            stored += 1
        spent = time.perf_counter() - started
    return stored / spent


def reference_rate(path: Path, source: Path, batch: int) -> float:
    """The issue's yardstick on the same articles: sqlite-utils `insert_all` into a plain
    table whose FTS5 index is kept by triggers, with no stemming, URL keys, pages,
    fingerprints or stories. Printed beside the archive's rates so that figures taken on
    a faster or busier day of the machine can be compared."""
    import sqlite_utils

    rows = (
        {
            "url": a.url,
            "source": a.source,
            "agency": a.agency,
            "published_at": a.published_at,
            "headline": a.headline,
            "lead": a.lead,
            "body": a.body,
        }
        for a in read(source)
    )
    db = sqlite_utils.Database(path)
    db.enable_wal()
    table = db.table("articles")
    table.create(
        {"id": int, "url": str, "source": str, "agency": str, "published_at": str,
         "headline": str, "lead": str, "body": str},
        pk="id",
    )  # fmt: skip
    table.enable_fts(["headline", "lead", "body"], create_triggers=True)
    started = time.perf_counter()
    table.insert_all(rows, batch_size=batch)
    spent = time.perf_counter() - started
    stored = table.count
    db.close()
    return stored / spent


def crawl_rate(path: Path, n: int, seed: int, batch: int = 25) -> float:
    """Store n more articles as a crawl does (`Archive.store`, 25 a transaction); returns
    articles per second of time spent in `store`."""
    extra = [
        replace(a, url=a.url.replace(".example/", ".example/more/")) for a in articles(n, seed)
    ]
    spent = 0.0
    with Archive.open(path) as archive:
        for start in range(0, n, batch):
            started = time.perf_counter()
            archive.store(extra[start : start + batch])
            spent += time.perf_counter() - started
    return n / spent


def queries(count: int, seed: int, kind: str) -> list[str]:
    """1-3 word queries, each word in a random form: `common` words (a regional news
    reader's "губернатор", "пожар"; they match a large share of the archive) or `any` word
    of the lexicon (mostly names: few matches)."""
    rng = random.Random(seed)
    lexemes, _, n_common = vocabulary(seed)
    pool = lexemes[len(FUNCTION) : n_common] if kind == "common" else lexemes[len(FUNCTION) :]
    return [
        " ".join(rng.choice(forms) for forms in rng.sample(pool, rng.randint(1, 3)))
        for _ in range(count)
    ]


def latency(path: Path, texts: list[str]) -> tuple[float, float, float]:
    """p50, p95 (ms) of searches with ranking and snippets, and the mean hits returned."""
    times: list[float] = []
    found: list[int] = []
    with Archive.open(path, readonly=True) as archive:
        for q in texts:
            started = time.perf_counter()
            hits = archive.search(q, limit=20)
            times.append((time.perf_counter() - started) * 1000)
            found.append(len(hits))
    return percentiles(times, found)


def percentiles(times: list[float], found: list[int]) -> tuple[float, float, float]:
    """p50 and p95 of `times` (ms) and the mean of `found` (hits)."""
    times = sorted(times)
    p95 = times[min(len(times) - 1, int(len(times) * 0.95))]
    return statistics.median(times), p95, statistics.mean(found)


def evict(path: Path) -> bool:
    """Drop the archive's pages from the OS page cache (as after a reboot); False where the
    OS cannot be asked (no `posix_fadvise`). Dirty pages stay: checkpoint first."""
    advise = getattr(os, "posix_fadvise", None)
    if advise is None:
        return False
    for file in (path, path.with_name(path.name + "-wal")):
        if file.exists():
            fd = os.open(file, os.O_RDONLY)
            try:
                advise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
            finally:
                os.close(fd)
    return True


def cold_latency(path: Path, texts: list[str]) -> tuple[float, float, float] | None:
    """`latency` with nothing cached: before each search the archive leaves the page cache
    and a new connection opens it (SQLite's cache empty too). None where `evict` cannot."""
    times: list[float] = []
    found: list[int] = []
    for q in texts:
        if not evict(path):
            return None
        started = time.perf_counter()
        with Archive.open(path, readonly=True) as archive:
            hits = archive.search(q, limit=20)
        times.append((time.perf_counter() - started) * 1000)
        found.append(len(hits))
    return percentiles(times, found)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100000", help="comma-separated archive sizes")
    parser.add_argument("--batch", type=int, default=500, help="articles per transaction")
    parser.add_argument("--no-worker", action="store_true", help="derive in the main process")
    parser.add_argument("--crawl-articles", type=int, default=2000, help="then store as a crawl")
    parser.add_argument(
        "--no-reference", action="store_true", help="skip the sqlite-utils yardstick"
    )
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument(
        "--cold-queries", type=int, default=40, help="of each kind, each with nothing cached"
    )
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--dir", type=Path, default=None, help="where to build (default: tmp)")
    parser.add_argument("--reuse", action="store_true", help="query archives already built")
    args = parser.parse_args()
    base = args.dir or Path(tempfile.mkdtemp(prefix="newsagg-bench-"))
    base.mkdir(parents=True, exist_ok=True)
    header = (
        "articles",
        "bulk insert/s",
        "crawl insert/s",
        "reference/s",
        "queries",
        "p50 ms",
        "p95 ms",
        "hits/query",
        "MB/100k",
    )
    print(" | ".join(header))
    print(" | ".join("---" for _ in header))
    for n in (int(s) for s in args.sizes.split(",")):
        path = base / f"bench-{n}.db"
        measure_reference = not args.no_reference and not args.reuse
        measure_build = not args.reuse or not path.exists()
        source = base / f"articles-{n}-{args.seed}.pickle"
        if measure_reference or measure_build:
            generate(source, n, args.seed)
        reference = "-"  # first: the archive's pages stay in the cache for the warm queries
        if measure_reference:
            yardstick = base / f"reference-{n}.db"
            for leftover in base.glob(f"{yardstick.name}*"):
                leftover.unlink()
            reference = f"{reference_rate(yardstick, source, args.batch):,.0f}"
            for built in base.glob(f"{yardstick.name}*"):
                built.unlink()
        if measure_build:
            path.unlink(missing_ok=True)
            rate = f"{build(path, source, args.batch, not args.no_worker):,.0f}"
        else:
            rate = "(reused)"
        source.unlink(missing_ok=True)  # a gigabyte at 1M
        crawl = "-"
        if args.crawl_articles and not args.reuse:
            crawl = f"{crawl_rate(path, args.crawl_articles, args.seed + 2):,.0f}"
        with Archive.open(path) as archive:  # fold the WAL into the file before measuring
            archive.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        size = f"{path.stat().st_size / 1e6 * 100_000 / n:,.0f}"
        for kind in ("common", "any"):
            p50, p95, hits = latency(path, queries(args.queries, args.seed + 1, kind))
            row = (n, rate, crawl, reference, kind, f"{p50:.1f}", f"{p95:.1f}", f"{hits:.1f}", size)
            print(" | ".join(str(v) for v in row), flush=True)
        for kind in ("common", "any") if args.cold_queries else ():
            texts = queries(args.cold_queries, args.seed + 3, kind)
            cold = cold_latency(path, texts)
            if cold is None:
                print(f"{n} | (no posix_fadvise here: cold searches not measured)")
                break
            p50, p95, hits = cold
            row = (
                n,
                rate,
                crawl,
                reference,
                f"{kind}, cold",
                f"{p50:.1f}",
                f"{p95:.1f}",
                f"{hits:.1f}",
                size,
            )
            print(" | ".join(str(v) for v in row), flush=True)


if __name__ == "__main__":
    main()
