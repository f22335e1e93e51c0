"""`newsagg import`: JSON Lines into the archive, through the bulk path (`store_many`)."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from conftest import Crawl, run_cli


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
        json.dumps({"url": "https://example.ru/a", "headline": "Без текста"}),  # no body
        json.dumps({**good, "url": "https://www.amic.ru/news/x-581002", "body": "Коротко."}),
        json.dumps({**good, "url": "https://www.amic.ru/news/x-581003", "provenance": [1]}),
        json.dumps({**good, "url": "https://www.amic.ru/news/x-581004", "headline": 5}),
        "",
    ]
    dump = tmp_path / "mixed.jsonl"
    dump.write_text("\n".join(lines), encoding="utf-8")
    result = run_cli("import", str(dump), "--db", str(tmp_path / "news.db"))
    assert result.returncode == 0, result.stderr
    assert "imported 1 articles: 1 new" in result.stderr
    assert "skipped 6 lines" in result.stderr
    for reason in ("not JSON 1", "not a JSON object 1", "not an article (TypeError) 3"):
        assert reason in result.stderr
    assert "empty body 1" in result.stderr
    assert "first: line 2: not JSON" in result.stderr
    assert rows(tmp_path / "news.db", "SELECT headline FROM articles") == [(good["headline"],)]


def test_nothing_importable_fails_and_a_missing_file_is_a_usage_error(tmp_path: Path) -> None:
    junk = tmp_path / "junk.jsonl"
    junk.write_text("not json\n", encoding="utf-8")
    result = run_cli("import", str(junk), "--db", str(tmp_path / "news.db"))
    assert result.returncode == 1
    assert "imported 0 articles" in result.stderr and "not JSON 1" in result.stderr
    missing = run_cli("import", str(tmp_path / "nope.jsonl"), "--db", str(tmp_path / "news.db"))
    assert missing.returncode == 2
    assert "nope.jsonl" in missing.stderr and "Traceback" not in missing.stderr
