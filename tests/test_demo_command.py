"""`newsagg demo` as the README's quick start runs it: twice in a row into one archive."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

from conftest import ROOT, run_cli

from crawler.items import Article
from pipelines.archive import Archive


def test_demo_twice_keeps_one_row_per_article(tmp_path: Path) -> None:
    db = tmp_path / "news.db"
    first = run_cli("demo", "--db", str(db))
    assert first.returncode == 0, first.stderr[-2000:]
    assert "articles in the archive: 46" in first.stdout
    assert "search 'Казахстан'" in first.stdout and "[Казахстан]" in first.stdout
    second = run_cli("demo", "--db", str(db))
    assert second.returncode == 0, second.stderr[-2000:]
    assert "articles in the archive: 46" in second.stdout
    assert "nothing new" in second.stdout
    with sqlite3.connect(db) as con:
        (rows,) = con.execute("select count(*) from articles").fetchone()
        (runs,) = con.execute("select count(*) from crawl_runs").fetchone()
    assert (rows, runs) == (46, 2)


def real_archive(path: Path) -> list[tuple[str, str]]:
    """An archive holding one article fetched from the real amic.ru (what a user keeps)."""
    with Archive.open(path) as archive:
        archive.store(
            [
                Article(
                    url="https://www.amic.ru/news/nastoyashchaya-statya-581336",
                    source="amic",
                    headline="Настоящая статья",
                    body="Текст настоящей статьи, которую пользователь хранит в своем архиве "
                    "уже несколько лет и не хочет потерять из-за демонстрации.",
                )
            ]
        )
    return headlines(path)


def headlines(path: Path) -> list[tuple[str, str]]:
    with sqlite3.connect(path) as con:
        return con.execute("SELECT url, headline FROM articles ORDER BY id").fetchall()


def test_demo_refuses_an_archive_with_real_articles(tmp_path: Path) -> None:
    """The demo's sources are amic, katun24 and ngs22 with the real article ids: crawled into
    a real archive, its made-up texts would replace real ones."""
    db = tmp_path / "news.db"
    before = real_archive(db)
    for command in (["demo"], ["crawl", "--demo"]):
        result = run_cli(*command, "--db", str(db))
        assert result.returncode == 2, result.stderr
        assert "holds 1 articles from real sites" in result.stderr
        assert headlines(db) == before


def test_demo_keeps_to_its_own_file_whatever_newsagg_db_says(tmp_path: Path) -> None:
    real = tmp_path / "srv" / "news.db"
    before = real_archive(real)
    result = subprocess.run(
        [sys.executable, "-m", "crawler", "demo"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=240,
        env={**os.environ, "NEWSAGG_DB": str(real), "PYTHONPATH": str(ROOT)},
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert headlines(real) == before
    assert len(headlines(tmp_path / "data" / "demo.db")) == 46
