"""Export benchmark: rows/s per format and the peak memory of each export.

Builds an archive of N generated articles (~3,000-character Russian bodies, images, credits,
authors, tags; rows written straight into `articles`, without the full-text index, which an
export without a query does not read), then exports it to JSONL, CSV and Parquet, each in a
fresh child process that reports its own time and peak RSS (`ru_maxrss`). Seeded.

    .venv/bin/python bench/export.py                          # 100k articles
    .venv/bin/python bench/export.py --sizes 100000,1000000 --keep /tmp/export-bench
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from pipelines.archive import Archive
from pipelines.archive.rows import content_hash, dumps

FORMATS = ("jsonl", "csv", "parquet")


def _words(text: str) -> list[str]:
    return text.split()


SOURCES = [("amic", "ИА «Амител»"), ("katun24", "Катунь 24"), ("ngs22", "НГС22")]
WORDS = _words(
    "губернатор района города края министр депутаты закона бюджета проекта завода аэропорта "
    "моста вокзала суда пожара урожая фермеры турнира стадиона театра фестиваля музея "
    "университета врачи пациентов автобусы трамвая маршрута ремонта дома парка водители "
    "Барнаула Новосибирска Бийска Рубцовска Алтайского области дороги больницы школы полиции "
    "администрации программы выставки компании пенсии зарплаты цены погоды команды площади "
    "улицы реки воды правительства министерства собрания предприятия строительства решения "
    "заявил сообщила рассказал отметила подписали открыли построили провели начали завершили "
    "в на по с для из о к у за при после до около"
)
NAMES = ["Ирина Соколова", "Павел Дёмин", "Мария Лебедева", "Олег Кравцов", "Анна Фомина"]
BATCH = 2000
VARIANTS = 1000  # distinct bodies; each row adds its own sentence


def bodies(rng: random.Random) -> list[str]:
    out = []
    for _ in range(VARIANTS):
        paragraphs = [
            " ".join(rng.choices(WORDS, k=rng.randint(40, 70))).capitalize() + "." for _ in range(6)
        ]
        out.append("\n".join(paragraphs))
    return out


def generate(n: int, seed: int = 7) -> Iterator[dict[str, Any]]:
    rng = random.Random(seed)
    texts = bodies(rng)
    start = datetime(2023, 1, 1, tzinfo=UTC)
    for i in range(1, n + 1):
        source, agency = SOURCES[i % len(SOURCES)]
        local = start + timedelta(minutes=7 * i)
        published = local.astimezone(UTC).replace(tzinfo=None).isoformat() + "+07:00"
        headline = " ".join(rng.choices(WORDS, k=8)).capitalize() + f" №{i}"
        lead = " ".join(rng.choices(WORDS, k=20)).capitalize() + "."
        body = texts[i % VARIANTS] + f"\nСообщение {i}."
        author = NAMES[i % len(NAMES)]
        seen = (local + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
        yield {
            "canonical_url": f"https://www.{source}.ru/news/{i}",
            "url": f"https://www.{source}.ru/news/{i}",
            "source": source,
            "agency": agency,
            "published_at_utc": (local - timedelta(hours=7)).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "photo_credit_count": 1,
            "language": "ru",
            "headline": headline,
            "published_at": published,
            "published_at_raw": local.strftime("%d.%m.%Y %H:%M"),
            "modified_at": None,
            "rubric": "Общество",
            "word_count": len(body.split()),
            "fetched_at": seen,
            "first_seen": seen,
            "last_seen": seen,
            "changed_at": seen,
            "content_hash": content_hash(headline, lead, body),
            "authors": dumps([author]),
            "photo_credits": dumps(
                [{"text": f"Фото: {author}", "photographer": author, "organisation": agency}]
            ),
            "images": dumps(
                [
                    {
                        "url": f"https://www.{source}.ru/img/{i}.jpg",
                        "caption": headline[:40],
                        "credit": author,
                    }
                ]
            ),
            "tags": dumps(["Барнаул", "общество"]),
            "provenance": dumps({"headline": "jsonld", "body": "generic"}),
            "lead": lead,
            "body": body,
        }


def build(path: Path, n: int) -> float:
    started = time.perf_counter()
    with Archive.open(path) as archive:
        conn = archive.db.conn
        rows = generate(n)
        while True:
            batch = [r for _, r in zip(range(BATCH), rows, strict=False)]
            if not batch:
                break
            names = list(batch[0])
            conn.execute("BEGIN")
            conn.executemany(
                f"INSERT INTO articles ({', '.join(names)}) VALUES ({', '.join('?' * len(names))})",
                [list(r.values()) for r in batch],
            )
            conn.execute("COMMIT")
    return time.perf_counter() - started


def child(db: str, fmt: str, out: str) -> None:
    """One export, measured from inside the process that does it."""
    from pipelines.export import export_articles

    base_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    with Archive.open(db, readonly=True) as archive:
        result = export_articles(archive, Path(out), format=fmt)
    seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(
        json.dumps({"rows": result.rows, "seconds": seconds, "peak_kb": peak, "base_kb": base_rss})
    )


def measure(db: Path, fmt: str, out: Path) -> dict[str, Any]:
    proc = subprocess.run(
        [sys.executable, __file__, "--child", str(db), fmt, str(out)],
        capture_output=True,
        text=True,
        check=True,
    )
    data: dict[str, Any] = json.loads(proc.stdout.strip().splitlines()[-1])
    data["file_mb"] = out.stat().st_size / 2**20
    return data


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="100000", help="comma-separated article counts")
    parser.add_argument("--keep", type=Path, help="build (or reuse) archives in this directory")
    parser.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(*args.child)
        return
    sizes = [int(s) for s in args.sizes.split(",")]
    with tempfile.TemporaryDirectory(prefix="export-bench-") as tmp:
        workdir = args.keep or Path(tmp)
        workdir.mkdir(parents=True, exist_ok=True)
        print("| articles | format | seconds | rows/s | peak RSS MB | after imports MB | file MB |")
        print("| ---: | --- | ---: | ---: | ---: | ---: | ---: |")
        for n in sizes:
            db = workdir / f"bench-{n}.db"
            if not db.exists():
                seconds = build(db, n)
                print(f"built {n} articles in {seconds:.0f} s ({db.stat().st_size / 2**20:.0f} MB)",
                      file=sys.stderr)  # fmt: skip
            for fmt in FORMATS:
                out = workdir / f"bench-{n}.{fmt}"
                r = measure(db, fmt, out)
                assert r["rows"] == n, r
                print(
                    f"| {n:,} | {fmt} | {r['seconds']:.1f} | {n / r['seconds']:,.0f} | "
                    f"{r['peak_kb'] / 1024:.0f} | {r['base_kb'] / 1024:.0f} | {r['file_mb']:.0f} |",
                    flush=True,
                )
                out.unlink()


if __name__ == "__main__":
    main()
