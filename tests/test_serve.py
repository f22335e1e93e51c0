"""The Datasette plugin: the search box and the `search` query read word forms like the CLI."""

from __future__ import annotations

import asyncio
import json
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
from conftest import ROOT

from crawler.items import Article
from pipelines.archive import Archive

datasette_app = pytest.importorskip("datasette.app")

# texts written for these tests; each form below appears only where its comment says
ARTICLES = {
    "grain": Article(
        url="https://www.amic.ru/news/economy/500001",
        source="amic",
        agency="ИА Амител",
        headline="Алтайские аграрии нарастили поставки зерна",
        lead="Главный покупатель — соседние области Казахстана",  # only "Казахстана"
        body="Экспорт пшеницы за год вырос на треть, сообщили в министерстве сельского "
        "хозяйства края. Перевозят зерно по железной дороге.",
        published_at="2024-02-01T10:00:00+07:00",
    ),
    "bridge": Article(
        url="https://katun24.ru/news/20240301-most",
        source="katun24",
        agency="Катунь 24",
        headline="В Бийске открыли мост после ремонта",
        lead="Движение по мосту восстановили раньше срока",
        body="Губернатор осмотрел мост и поблагодарил строителей.",
        published_at="2024-03-01T09:00:00+07:00",
    ),
    "flood": Article(
        url="https://ngs22.ru/text/city/2024/04/10/1/",
        source="ngs22",
        agency="НГС22",
        headline="Паводок в Барнауле: вода подошла к домам",
        lead="Жителей Затона просят не выходить к реке",
        body="Уровень Оби поднялся за сутки на полметра. Губернатора попросили о помощи.",
        published_at="2024-04-10T08:00:00+07:00",
    ),
}


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """Datasette on an archive (`news`) and on a plain database with FTS (`other`)."""
    folder = tmp_path_factory.mktemp("serve")
    with Archive.open(folder / "news.db") as archive:
        outcomes = archive.store(list(ARTICLES.values()))
    ids = {key: o.article_id for key, o in zip(ARTICLES, outcomes, strict=True)}
    other = sqlite3.connect(folder / "other.db")
    other.executescript(
        "CREATE TABLE docs (id INTEGER PRIMARY KEY, text TEXT);"
        "CREATE VIRTUAL TABLE docs_fts USING fts5(text, content=[docs], content_rowid=[id]);"
        "INSERT INTO docs VALUES (1, 'Поставки в Казахстан');"
        "INSERT INTO docs_fts(rowid, text) VALUES (1, 'Поставки в Казахстан');"
    )
    other.commit()
    other.close()
    ds = datasette_app.Datasette([str(folder / "news.db"), str(folder / "other.db")])
    return ds, {v: k for k, v in ids.items()}


def get(ds: Any, *paths: str) -> list[Any]:
    async def fetch() -> list[Any]:
        return [await ds.client.get(p) for p in paths]

    return asyncio.run(fetch())


def found(served: Any, query: str, **extra: str) -> set[str]:
    ds, names = served
    params = {"_search": query, "_shape": "array", **extra}
    (response,) = get(ds, "/news/articles.json?" + urlencode(params))
    assert response.status_code == 200, response.text
    return {names[row["id"]] for row in response.json()}


def test_the_plugin_is_installed_as_an_entry_point() -> None:
    from datasette.plugins import pm

    assert "crawler.datasette_plugin" in {p.__name__ for p in pm.get_plugins()}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("Казахстаном", {"grain"}),  # the text says "Казахстана"
        ("Казахстан", {"grain"}),
        ("губернатор", {"bridge", "flood"}),  # "Губернатор", "Губернатора"
        ("губерн* мост", {"bridge"}),
        ("мосты OR паводок", {"bridge", "flood"}),
        ("губернатор -паводок", {"bridge"}),
        ('"железные дороги"', {"grain"}),
        ("headline:мост", {"bridge"}),
        ('"Казахстана', {"grain"}),  # an unbalanced quote is dropped, as in the CLI
    ],
)
def test_search_box_reads_word_forms(served: Any, query: str, expected: set[str]) -> None:
    assert found(served, query) == expected


def test_column_search_and_raw_mode(served: Any) -> None:
    assert found(served, "Ремонтом", _search_headline="Ремонтом") == {"bridge"}
    # raw mode still sends FTS5 syntax over the stems, as typed
    assert found(served, "казахст*", _searchmode="raw") == {"grain"}


@pytest.mark.parametrize("query", ["OR", '"', "*", "-паводок", "()", "NOT NOT", "headline:"])
def test_unreadable_query_is_a_clear_400(served: Any, query: str) -> None:
    ds, _ = served
    args = urlencode({"_search": query})
    html, data = get(ds, f"/news/articles?{args}", f"/news/articles.json?{args}")
    assert html.status_code == data.status_code == 400
    message = data.json()["error"]
    assert message.startswith("Search: ")  # then the message `newsagg search` prints
    assert message.removeprefix("Search: ") in html.text


def test_search_page_is_html_with_the_hit(served: Any) -> None:
    ds, _ = served
    (response,) = get(ds, "/news/articles?" + urlencode({"_search": "Казахстаном"}))
    assert response.status_code == 200
    assert "Алтайские аграрии нарастили поставки зерна" in response.text
    assert "В Бийске открыли мост" not in response.text


def test_canned_search_query_ranks_and_cuts_snippets(served: Any) -> None:
    ds, names = served
    ok, empty, hostile, database = get(
        ds,
        "/news/search.json?" + urlencode({"q": "губернатор", "_shape": "array"}),
        "/news/search.json?_shape=array&q=",
        "/news/search.json?_shape=array&q=OR",
        "/news",
    )
    rows = ok.json()
    assert [names[r["id"]] for r in rows] == ["bridge", "flood"]  # both in the body: shorter first
    assert "[Губернатора]" in rows[1]["snippet"]
    assert empty.status_code == hostile.status_code == 200
    assert empty.json() == hostile.json() == []
    assert "/news/search" in database.text


def test_plain_browsing_and_other_databases(served: Any) -> None:
    ds, _ = served
    table, row, other, other_miss, other_queries = get(
        ds,
        "/news/articles.json?_shape=array",
        "/news/articles/1",
        "/other/docs.json?" + urlencode({"_search": "Казахстан", "_shape": "array"}),
        "/other/docs.json?" + urlencode({"_search": "Казахстаном", "_shape": "array"}),
        "/other.json",
    )
    assert len(table.json()) == len(ARTICLES)
    assert row.status_code == 200
    # another database keeps Datasette's own search (words as typed) and gets no `search`
    assert [r["id"] for r in other.json()] == [1]
    assert other_miss.json() == []
    assert "search" not in {q["name"] for q in other_queries.json()["queries"]}


def test_newsagg_serve_becomes_datasette_with_the_stemmed_search(served: Any) -> None:
    """The command a user runs: the archive served over HTTP, searched in another word form,
    and the server gone when its process is terminated (no Datasette child left behind)."""
    ds, names = served
    db = Path(ds.files[0])
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen(
        [sys.executable, "-m", "crawler", "serve", "--port", str(port), "--db", str(db)],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    url = f"http://127.0.0.1:{port}/news/articles.json?" + urlencode(
        {"_search": "Казахстаном", "_shape": "array"}
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(url, timeout=5) as response:
                    rows = json.load(response)
                break
            except OSError:
                assert server.poll() is None, server.stderr.read() if server.stderr else ""
                assert time.monotonic() < deadline, "Datasette did not answer within 60 s"
                time.sleep(0.2)
        assert {names[row["id"]] for row in rows} == {"grain"}
    finally:
        server.terminate()
        server.wait(timeout=30)
    assert server.returncode is not None
    with pytest.raises(OSError):
        urllib.request.urlopen(url, timeout=2)
