"""`newsagg demo` as the README's quick start runs it: twice in a row into one archive."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from conftest import run_cli


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
