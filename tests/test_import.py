"""`newsagg import`: JSON Lines into the archive, through the bulk path (`store_many`)."""

from __future__ import annotations

import base64
import gzip
import json
import signal
import sqlite3
import subprocess
import sys
import time
import zlib
from datetime import UTC, datetime
from pathlib import Path

import pytest
from conftest import ROOT, Crawl, run_cli

ICE = {
    "url": "https://www.amic.ru/news/society/led-na-obi-581101",
    "source": "amic",
    "headline": "На Оби встал лед",
    "body": "Ледостав начался у Барнаула на неделю раньше обычного. Выходить на лед "
    "спасатели запрещают: толщина его пока не больше пяти сантиметров.",
}


def rows(db: Path, sql: str) -> list[tuple[object, ...]]:
    with sqlite3.connect(db) as conn:
        return conn.execute(sql).fetchall()


def test_an_export_imports_into_a_new_archive_as_it_was(demo_crawl: Crawl, tmp_path: Path) -> None:
    """Export the demo archive, import it elsewhere: the same articles, the same reprint
    story, searchable in Russian word forms; importing again changes nothing."""
    dump, copy = tmp_path / "all.jsonl", tmp_path / "copy.db"
    exported = run_cli("export", "--format", "jsonl", "-o", str(dump), "--db", str(demo_crawl.db))
    assert exported.returncode == 0, exported.stderr
    lines = dump.read_text(encoding="utf-8").splitlines()

    first = run_cli("import", str(dump), "--db", str(copy), "--batch", "7")
    assert first.returncode == 0, first.stderr
    assert (
        f"imported {len(lines)} articles: {len(lines)} new, 0 updated, 0 unchanged" in first.stderr
    )
    columns = "canonical_url, headline, lead, body, published_at, agency, photo_credits"
    columns += ", first_seen"  # when the original archive first stored it, not the import
    query = f"SELECT {columns} FROM articles ORDER BY canonical_url"
    assert rows(copy, query) == rows(demo_crawl.db, query)
    stories = "SELECT COUNT(*), MAX(article_count) FROM stories"
    assert rows(copy, stories) == rows(demo_crawl.db, stories) == [(1, 2)]

    found = run_cli("search", "Казахстаном", "--format", "json", "--db", str(copy))
    assert found.returncode == 0, found.stderr
    assert any("Казахстан" in hit["headline"] for hit in json.loads(found.stdout))

    again = run_cli("import", str(dump), "--db", str(copy))
    assert again.returncode == 0, again.stderr
    assert f"0 new, 0 updated, {len(lines)} unchanged" in again.stderr
    assert rows(copy, "SELECT COUNT(*) FROM articles") == [(len(lines),)]


def test_pages_exported_with_raw_stay_reparseable_after_import(
    demo_crawl: Crawl, tmp_path: Path
) -> None:
    """`export --with-raw` carries each stored page; the importing archive keeps it byte for
    byte, so `reparse` works there as in the archive the pages were fetched into."""
    dump, copy = tmp_path / "raw.jsonl", tmp_path / "copy.db"
    exported = run_cli(
        "export", "--format", "jsonl", "--with-raw", "-o", str(dump), "--db", str(demo_crawl.db)
    )
    assert exported.returncode == 0, exported.stderr
    imported = run_cli("import", str(dump), "--db", str(copy))
    assert imported.returncode == 0, imported.stderr

    pages = (
        "SELECT a.canonical_url, r.html, r.codec FROM raw_pages r "
        "JOIN articles a ON a.id = r.article_id"
    )
    original = {url: (html, codec) for url, html, codec in rows(demo_crawl.db, pages)}
    moved = {url: (html, codec) for url, html, codec in rows(copy, pages)}
    assert len(original) == rows(demo_crawl.db, "SELECT COUNT(*) FROM articles")[0][0]
    assert moved.keys() == original.keys()
    for url, (html, codec) in original.items():
        assert codec == moved[url][1] == "zlib"
        assert zlib.decompress(moved[url][0]) == zlib.decompress(html), url

    reparsed = run_cli("reparse", "--db", str(copy))
    assert reparsed.returncode == 0, reparsed.stderr
    assert f"pages reparsed: {len(original)}; articles changed: 0" in reparsed.stdout

    refused = run_cli("export", "--format", "csv", "--with-raw", "--db", str(demo_crawl.db))
    assert refused.returncode == 2 and "JSONL" in refused.stderr


def test_a_page_given_as_text_is_kept_and_a_broken_one_skips_its_line(tmp_path: Path) -> None:
    article = dict(ICE)
    page = "<html><body><h1>На Оби встал лед</h1></body></html>"
    lines = [
        json.dumps({**article, "raw_html": page}, ensure_ascii=False),
        json.dumps({**article, "url": article["url"] + "2", "raw_page": {"codec": "zlib"}}),
        json.dumps(
            {**article, "url": article["url"] + "3", "raw_page": {"codec": "zlib", "base64": "@@"}}
        ),
        json.dumps({**article, "url": article["url"] + "4", "raw_html": 12}),
    ]
    dump = tmp_path / "pages.jsonl"
    dump.write_text("\n".join(lines), encoding="utf-8")
    result = run_cli("import", str(dump), "--db", str(tmp_path / "news.db"))
    assert result.returncode == 0, result.stderr
    assert "imported 1 articles" in result.stderr
    assert "unreadable raw_page 3" in result.stderr and "first: line 2" in result.stderr
    stored = rows(tmp_path / "news.db", "SELECT html FROM raw_pages")
    assert [zlib.decompress(html).decode() for (html,) in stored] == [page]


def test_an_exported_page_is_stored_as_it_came_without_compressing_again(
    tmp_path: Path,
) -> None:
    """A page in the codec pages are written with keeps its bytes (compressing it again cost
    an import about a millisecond an article); an uncompressed one is compressed as a
    crawl's. Either way the row records the page's size, and `reparse` reads it."""
    page = (
        "<html><head><title>Ледостав</title></head><body><h1>На Оби встал лед</h1>"
        + "<p>Ледостав начался у Барнаула на неделю раньше обычного.</p>" * 40
        + "</body></html>"
    ).encode()
    best = zlib.compress(page, 9)  # not what the archive writes (level 1): told apart
    assert best != zlib.compress(page, 1)
    article = dict(ICE)
    plain = base64.b64encode(page).decode()
    lines = [
        {**article, "raw_page": {"codec": "zlib", "base64": base64.b64encode(best).decode()}},
        {**article, "url": article["url"] + "-2", "raw_page": {"codec": "none", "base64": plain}},
    ]
    dump = tmp_path / "pages.jsonl"
    dump.write_text("\n".join(json.dumps(line, ensure_ascii=False) for line in lines))
    result = run_cli("import", str(dump), "--db", str(tmp_path / "news.db"))
    assert result.returncode == 0, result.stderr

    stored = rows(
        tmp_path / "news.db",
        "SELECT a.url, r.codec, r.html, r.size FROM raw_pages r "
        "JOIN articles a ON a.id = r.article_id ORDER BY a.id",
    )
    assert stored == [
        (article["url"], "zlib", best, len(page)),
        (article["url"] + "-2", "zlib", zlib.compress(page, 1), len(page)),
    ]
    reparsed = run_cli("reparse", "--db", str(tmp_path / "news.db"))
    assert reparsed.returncode == 0, reparsed.stderr
    assert "pages reparsed: 2" in reparsed.stdout


def test_a_gzipped_export_imports_and_a_cut_one_says_so(demo_crawl: Crawl, tmp_path: Path) -> None:
    dump = tmp_path / "all.jsonl"
    exported = run_cli("export", "--format", "jsonl", "-o", str(dump), "--db", str(demo_crawl.db))
    assert exported.returncode == 0, exported.stderr
    packed = gzip.compress(dump.read_bytes())
    (tmp_path / "all.jsonl.gz").write_bytes(packed)
    whole = run_cli("import", str(tmp_path / "all.jsonl.gz"), "--db", str(tmp_path / "a.db"))
    assert whole.returncode == 0, whole.stderr
    count = len(dump.read_text(encoding="utf-8").splitlines())
    assert f"imported {count} articles: {count} new" in whole.stderr

    (tmp_path / "cut.jsonl.gz").write_bytes(packed[: len(packed) // 2])
    cut = run_cli(
        "import", str(tmp_path / "cut.jsonl.gz"), "--batch", "5", "--db", str(tmp_path / "b.db")
    )
    assert cut.returncode == 1, cut.stderr
    assert "could not be read to its end" in cut.stderr and "Traceback" not in cut.stderr
    stored = rows(tmp_path / "b.db", "SELECT COUNT(*) FROM articles")[0][0]
    assert 0 < stored < count  # the batches before the cut are kept


def test_lines_that_are_not_articles_are_counted_and_skipped(tmp_path: Path) -> None:
    good = {
        "url": "https://www.amic.ru/news/society/sneg-v-barnaule-581001",
        "source": "amic",
        "headline": "В Барнауле выпал первый снег",
        "body": "Снег шел всю ночь, к утру сугробы выросли до десяти сантиметров. "
        "Коммунальщики вывели на улицы сорок единиц техники.",
        "published_at": "2026-11-02T08:15:00+07:00",
    }
    lines = [
        json.dumps(good, ensure_ascii=False),
        "{broken json",
        "[1, 2, 3]",
        '"\\u001b]0;a line of text\\u0007"',  # a JSON string: never a reason of its own
        json.dumps({"url": "https://example.ru/a", "headline": "Без текста"}),  # no body
        json.dumps({**good, "url": "https://www.amic.ru/news/x-581002", "body": "Коротко."}),
        json.dumps({**good, "url": "https://www.amic.ru/news/x-581003", "provenance": [1]}),
        json.dumps({**good, "url": "https://www.amic.ru/news/x-581004", "headline": 5}),
        json.dumps({**good, "url": "javascript:alert(1)"}),
        json.dumps(
            {**good, "url": "https://www.amic.ru/news/x-581005", "published_at": "2024-13-45"}
        ),
        # times that read as ISO but fall off the UTC axis
        json.dumps(
            {
                **good,
                "url": "https://www.amic.ru/news/x-581006",
                "published_at": "0001-01-01T00:00+05:00",
            }
        ),
        json.dumps(
            {
                **good,
                "url": "https://www.amic.ru/news/x-581007",
                "fetched_at": "9999-12-31T23:00-05:00",
            }
        ),
        "",
    ]
    dump = tmp_path / "mixed.jsonl"
    dump.write_text("\n".join(lines), encoding="utf-8")
    result = run_cli("import", str(dump), "--db", str(tmp_path / "news.db"))
    assert result.returncode == 0, result.stderr
    assert "imported 1 articles: 1 new" in result.stderr
    assert "skipped 11 lines" in result.stderr
    for reason in (
        "not JSON 1",
        "not a JSON object 2",
        "not an article (TypeError) 1",  # no body
        "provenance is not an object of text 1",
        "headline is not text 1",
        "url is not an http(s) address 1",
        "published_at is not an ISO 8601 time 2",
        "fetched_at is not an ISO 8601 time 1",
    ):
        assert reason in result.stderr
    assert "short body 1" in result.stderr  # "Коротко.": not empty, under 80 characters
    assert "first: line 2: not JSON" in result.stderr
    assert "a line of text" not in result.stderr and "\x1b" not in result.stderr
    assert rows(tmp_path / "news.db", "SELECT headline FROM articles") == [(good["headline"],)]


def test_a_line_not_in_utf8_is_skipped_and_never_overwrites_good_text(tmp_path: Path) -> None:
    """A line in cp1251 would read as "�" and replace the stored text of its article: it is
    skipped instead; a byte order mark before the first line is no problem."""
    article = {
        "url": "https://www.amic.ru/news/moroz-581201",
        "source": "amic",
        "headline": "В Барнауле ударили морозы",
        "body": "Ночью столбик термометра опустился до минус тридцати градусов. Синоптики "
        "советуют не оставлять автомобили на улице и одеваться теплее.",
    }
    good = json.dumps(article, ensure_ascii=False).encode("utf-8")
    dump, db = tmp_path / "enc.jsonl", tmp_path / "news.db"
    dump.write_bytes(b"\xef\xbb\xbf" + good + b"\n")
    assert run_cli("import", str(dump), "--db", str(db)).returncode == 0
    edited = {**article, "headline": "В Барнауле ударили сильные морозы"}
    dump.write_bytes(json.dumps(edited, ensure_ascii=False).encode("cp1251") + b"\n")
    result = run_cli("import", str(dump), "--db", str(db))
    assert result.returncode == 1, result.stderr
    assert "not UTF-8 1" in result.stderr
    assert rows(db, "SELECT headline FROM articles") == [(article["headline"],)]


def test_an_older_copy_never_replaces_the_newer_text(tmp_path: Path) -> None:
    """Merging another machine's export: its copy fetched before ours leaves our text, page
    and fetch time alone; a copy fetched after ours updates the article, as a crawl would."""
    article = {
        "url": "https://www.amic.ru/news/most-581301",
        "source": "amic",
        "headline": "Мост через Обь закроют на ремонт",
        "body": "С понедельника движение по старому мосту в Барнауле ограничат на два месяца. "
        "Автобусы пустят в объезд по новому мосту.",
        "fetched_at": "2026-11-20T10:00:00Z",
        "raw_html": "<html>наша страница</html>",
    }
    older = {
        **article,
        "headline": "Мост через Обь могут закрыть",
        "raw_html": "<html>старая</html>",
    }
    newer = {**article, "headline": "Мост через Обь закрыли на ремонт", "raw_html": None}
    db = tmp_path / "news.db"
    for name, data in (
        ("ours", article),
        ("older", {**older, "fetched_at": "2026-11-19T09:00:00+07:00"}),
    ):
        (tmp_path / name).write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
        result = run_cli("import", str(tmp_path / name), "--db", str(db))
        assert result.returncode == 0, result.stderr
    assert "0 new, 0 updated, 1 unchanged" in result.stderr
    pages = (
        "SELECT a.headline, a.fetched_at, r.html FROM articles a "
        "JOIN raw_pages r ON r.article_id = a.id"
    )
    ((headline, fetched, page),) = rows(db, pages)
    assert (headline, fetched) == (article["headline"], article["fetched_at"])
    assert zlib.decompress(page).decode() == article["raw_html"]

    (tmp_path / "newer").write_text(
        json.dumps({**newer, "fetched_at": "2026-11-21T08:00:00Z"}, ensure_ascii=False),
        encoding="utf-8",
    )
    result = run_cli("import", str(tmp_path / "newer"), "--db", str(db))
    assert "0 new, 1 updated" in result.stderr, result.stderr
    assert rows(db, "SELECT headline FROM articles") == [(newer["headline"],)]

    # a record of another tool, with url, headline and body alone: which copy is newer is
    # unknown, and replacing the crawled one blanked its date, agency, credits and page
    bare = {k: newer[k] for k in ("url", "headline", "body")} | {"headline": "Мост"}
    (tmp_path / "bare").write_text(json.dumps(bare, ensure_ascii=False), encoding="utf-8")
    result = run_cli("import", str(tmp_path / "bare"), "--db", str(db))
    assert "0 new, 0 updated, 1 unchanged" in result.stderr, result.stderr
    assert rows(db, "SELECT headline, source, fetched_at FROM articles") == [
        (newer["headline"], "amic", "2026-11-21T08:00:00Z")
    ]

    # a fetch time written without an offset (another tool's) is read as UTC: a newer copy
    later = {**newer, "headline": "Мост через Обь откроют в декабре", "fetched_at": "2026-11-25"}
    (tmp_path / "later").write_text(json.dumps(later, ensure_ascii=False), encoding="utf-8")
    result = run_cli("import", str(tmp_path / "later"), "--db", str(db))
    assert "0 new, 1 updated" in result.stderr, result.stderr
    assert rows(db, "SELECT headline FROM articles") == [(later["headline"],)]

    # a stored time from a clock that ran ahead is not believed: it would keep crawls out
    ahead = {
        **article,
        "url": "https://www.amic.ru/news/most-581303",
        "fetched_at": "2099-01-01T00:00:00Z",
    }
    today = {
        **ahead,
        "headline": "Мост через Обь откроют в срок",
        "fetched_at": "2026-11-22T10:00:00Z",
    }
    for name, data in (("ahead", ahead), ("today", today)):
        (tmp_path / name).write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
        result = run_cli("import", str(tmp_path / name), "--db", str(db))
    assert "0 new, 1 updated" in result.stderr, result.stderr


def test_first_seen_comes_from_the_export_and_only_ever_moves_back(tmp_path: Path) -> None:
    """An imported `first_seen` (any offset) replaces the import time when it is earlier than
    what the archive holds; a later one, or one in the future, leaves the stored time."""
    base = {
        "source": "amic",
        "headline": "В Бийске открыли новую школу",
        "body": "Школа на 1100 мест открылась в Бийске. В ней будут учиться дети трёх районов "
        "города, первые уроки прошли в понедельник.",
    }
    old = {
        **base,
        "url": "https://www.amic.ru/news/shkola-1",
        "first_seen": "2019-03-01T09:30:00+07:00",
    }
    ahead = {
        **base,
        "url": "https://www.amic.ru/news/shkola-2",
        "first_seen": "2099-01-01T00:00:00Z",
    }
    bad = {**base, "url": "https://www.amic.ru/news/shkola-3", "first_seen": "вчера"}
    day = {**base, "url": "https://www.amic.ru/news/shkola-4", "first_seen": "2020-05-17"}
    dump, db = tmp_path / "a.jsonl", tmp_path / "news.db"
    dump.write_text(
        "\n".join(json.dumps(a, ensure_ascii=False) for a in (old, ahead, bad, day)),
        encoding="utf-8",
    )
    before = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert run_cli("import", str(dump), "--db", str(db)).returncode == 0
    seen = dict(rows(db, "SELECT url, first_seen FROM articles"))
    assert seen[old["url"]] == "2019-03-01T02:30:00Z"
    assert before <= seen[ahead["url"]] < "2099" and before <= seen[bad["url"]] < "2099"
    assert seen[day["url"]] == "2020-05-17T23:59:59Z"  # a day alone: seen by its end at latest

    later = {**old, "first_seen": "2024-01-01T00:00:00Z"}
    earlier = {**bad, "first_seen": "2018-12-31T23:00:00-01:00"}
    dump.write_text(
        "\n".join(json.dumps(a, ensure_ascii=False) for a in (later, earlier)), encoding="utf-8"
    )
    assert run_cli("import", str(dump), "--db", str(db)).returncode == 0
    seen = dict(rows(db, "SELECT url, first_seen FROM articles"))
    assert seen[old["url"]] == "2019-03-01T02:30:00Z"
    assert seen[bad["url"]] == "2019-01-01T00:00:00Z"


def test_nothing_importable_fails_and_a_missing_file_is_a_usage_error(tmp_path: Path) -> None:
    junk = tmp_path / "junk.jsonl"
    junk.write_text("not json\n", encoding="utf-8")
    result = run_cli("import", str(junk), "--db", str(tmp_path / "news.db"))
    assert result.returncode == 1
    assert "imported 0 articles" in result.stderr and "not JSON 1" in result.stderr
    assert not (tmp_path / "news.db").exists()  # no empty archive made for nothing
    missing = run_cli("import", str(tmp_path / "nope.jsonl"), "--db", str(tmp_path / "news.db"))
    assert missing.returncode == 2
    assert "nope.jsonl" in missing.stderr and "Traceback" not in missing.stderr
    # no FILE: standard input is read only when asked for with "-" (it used to wait silently
    # on a terminal, and to create an empty archive from a script)
    bare = run_cli("import", "--db", str(tmp_path / "bare.db"))
    assert bare.returncode == 2 and "Missing argument 'FILE'" in bare.stderr
    assert not (tmp_path / "bare.db").exists()


def many_articles(path: Path, count: int, *, sentences: int) -> Path:
    """`count` distinct short articles as JSON Lines, for imports that take a while."""
    with path.open("w", encoding="utf-8") as out:
        for i in range(count):
            article = {
                "url": f"https://www.amic.ru/news/society/{700000 + i}",
                "source": "amic",
                "headline": f"Новость номер {i} о ремонте дорог в районе",
                "body": f"В селе номер {i} отремонтировали дорогу. " * sentences,
                "first_seen": "2020-01-01T00:00:00Z",  # stored then by the archive exported
            }
            out.write(json.dumps(article, ensure_ascii=False) + "\n")
    return path


def hear_ctrl_c() -> None:
    """In the child before exec: SIGINT as at a terminal. A shell starts a background job
    (`make test &`, cron scripts) with SIGINT ignored, and an ignored signal stays ignored
    through exec: Python then never raises KeyboardInterrupt, and the import ran to its end."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


@pytest.mark.parametrize("signal_", [signal.SIGKILL, signal.SIGTERM, signal.SIGINT])
def test_a_killed_import_leaves_no_worker_behind(tmp_path: Path, signal_: signal.Signals) -> None:
    """The second process a bulk import stems in ends with the import: before, it waited for
    work forever after kill -9 or SIGTERM (each cron `timeout` leaked one, archive open).
    Stopped by SIGTERM or Ctrl-C, the import says what it stored (Ctrl-C used to print
    "Aborted!" and exit 1, which means "nothing could be imported")."""
    dump = many_articles(tmp_path / "many.jsonl", 20_000, sentences=8)
    log = tmp_path / "stderr.txt"
    with log.open("wb") as stderr:
        importer = subprocess.Popen(
            [sys.executable, "-m", "crawler", "import", str(dump), "--db", str(tmp_path / "n.db")],
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=stderr,
            preexec_fn=hear_ctrl_c,
        )
    children = Path(f"/proc/{importer.pid}/task/{importer.pid}/children")
    deadline = time.monotonic() + 60
    workers: list[int] = []
    while not workers and time.monotonic() < deadline and importer.poll() is None:
        workers = [int(p) for p in children.read_text().split()]
        time.sleep(0.1)
    assert workers, "the import started no worker"
    importer.send_signal(signal_)
    status = importer.wait(timeout=30)
    # SIGTERM unwinds as Ctrl-C does (the batch being written rolls back), exit 128 + N
    assert status == (-signal_ if signal_ == signal.SIGKILL else 128 + signal_)
    if signal_ != signal.SIGKILL:
        said = log.read_text(encoding="utf-8")
        assert "imported " in said and "Traceback" not in said, said[-2000:]
    deadline = time.monotonic() + 10
    while running(workers[0]) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not running(workers[0]), "the worker outlived the import"


def test_a_stop_as_the_worker_starts_ends_the_import(tmp_path: Path) -> None:
    """A Ctrl-C just after the worker was started, before the process pool took note of it
    (the moment a cron `timeout` or an early Ctrl-C can hit): the pool never stopped that
    worker, and multiprocessing's exit handler waited for it forever."""
    dump = many_articles(tmp_path / "many.jsonl", 600, sentences=8)
    driver = tmp_path / "stop_as_worker_starts.py"
    driver.write_text(
        "import multiprocessing.process as process\n"
        "started = process.BaseProcess.start\n"
        "def start(self):\n"
        "    started(self)\n"
        "    raise KeyboardInterrupt  # in the importing process, the worker running\n"
        "process.BaseProcess.start = start\n"
        "from crawler.cli import main\n"
        "main()\n",
        encoding="utf-8",
    )
    result = run_cli("import", str(dump), "--db", str(tmp_path / "n.db"), driver=driver, timeout=60)
    assert result.returncode == 130, result.stderr
    assert "imported 0 articles" in result.stderr and "Traceback" not in result.stderr


def running(pid: int) -> bool:
    """Alive and not a zombie (an init that reaps late must not fail the test)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def test_a_full_disk_stops_the_import_with_what_was_stored(small_disk: Path) -> None:
    """On a full file system (an 8 MB tmpfs) the import says how many articles it stored
    before and why it stopped, exit 1 (it said "cannot use the archive", exit 2, and no
    count); those articles are in the archive."""
    dump = many_articles(small_disk.parent / "many.jsonl", 3000, sentences=30)
    db = small_disk / "news.db"
    result = run_cli("import", str(dump), "--db", str(db))
    assert result.returncode == 1, result.stderr
    assert "database or disk is full" in result.stderr, result.stderr
    assert "what was written before is kept" in result.stderr
    stored = rows(db, "SELECT COUNT(*) FROM articles")[0][0]
    assert 0 < stored < 3000 and stored % 500 == 0  # whole batches
    assert f"imported {stored:,} articles: {stored:,} new" in result.stderr
    # each stored batch has its exported first_seen, written in the batch's own transaction
    assert rows(db, "SELECT DISTINCT first_seen FROM articles") == [("2020-01-01T00:00:00Z",)]


def test_a_lone_surrogate_is_a_skipped_line_not_a_stopped_import(tmp_path: Path) -> None:
    """JSON may escape half of a UTF-16 pair ("\\ud800"); Python reads it into text that is
    no Unicode, which could not be hashed or stored, and the import died with a traceback,
    losing the batch. Such a line is skipped; the lines Python reads and orjson does not
    (NaN) are judged as before."""
    article = {
        "url": "https://www.amic.ru/news/led-581301",
        "source": "amic",
        "headline": "На Оби начался ледостав",
        "body": "Лед встал на реке у Барнаула на неделю раньше обычного. Спасатели просят "
        "не выходить на лед, пока его толщина не достигнет семи сантиметров.",
    }
    broken = {**article, "url": "https://www.amic.ru/news/led-581302"}
    lines = [
        json.dumps(article, ensure_ascii=False),
        json.dumps(broken, ensure_ascii=False).replace("Оби", "\\ud800Оби"),
        json.dumps(
            {**broken, "url": "https://www.amic.ru/news/led-581303", "headline": None}
        ).replace("null", "NaN"),
    ]
    dump, db = tmp_path / "odd.jsonl", tmp_path / "news.db"
    dump.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = run_cli("import", str(dump), "--db", str(db))
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    assert "imported 1 articles: 1 new" in result.stderr
    assert "lone surrogate in text 1" in result.stderr
    assert "headline is not text 1" in result.stderr
    assert rows(db, "SELECT url FROM articles") == [(article["url"],)]


def test_a_source_only_the_archive_knows_filters_like_a_registered_one(tmp_path: Path) -> None:
    """Articles imported from a source newsagg has no spider for (a colleague's archive of
    another region) are found, exported and grouped by --source; a record that names no
    source belongs to the source owning its host, else to the host; a typo is refused."""
    dump, db = tmp_path / "other.jsonl", tmp_path / "news.db"
    theirs = {**ICE, "url": "https://altaitoday.ru/news/2026/11/20/led", "source": "altaitoday"}
    nameless = {k: v for k, v in ICE.items() if k != "source"}
    hosted = {**nameless, "url": "https://www.Doc22.ru/news/led-na-obi"}
    dump.write_text(
        "\n".join(json.dumps(a, ensure_ascii=False) for a in (theirs, nameless, hosted)) + "\n",
        encoding="utf-8",
    )
    assert run_cli("import", str(dump), "--db", str(db)).returncode == 0
    assert dict(rows(db, "SELECT url, source FROM articles")) == {
        theirs["url"]: "altaitoday",
        nameless["url"]: "amic",  # www.amic.ru is amic's
        hosted["url"]: "doc22.ru",
    }

    def urls(*args: str) -> list[str]:
        found = run_cli("search", "спасателей", *args, "--format", "jsonl", "--db", str(db))
        assert found.returncode == 0, found.stderr
        return [json.loads(line)["url"] for line in found.stdout.splitlines()]

    assert urls("--source", "ALTAITODAY") == [theirs["url"]]
    assert urls("--source", "doc22.ru") == [hosted["url"]]
    exported = run_cli("export", "--source", "altaitoday", "--format", "jsonl", "--db", str(db))
    assert exported.returncode == 0, exported.stderr
    assert [json.loads(line)["source"] for line in exported.stdout.splitlines()] == ["altaitoday"]
    assert run_cli("stories", "--source", "altaitoday", "--db", str(db)).returncode == 0

    typo = run_cli("search", "спасателей", "--source", "altaitodya", "--db", str(db))
    assert typo.returncode == 2 and "unknown source 'altaitodya'" in typo.stderr
    assert "altaitoday" in typo.stderr and "amic" in typo.stderr
