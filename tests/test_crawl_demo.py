"""The real spider and pipelines against the demo site: what the archive must hold.

Expected values come from the demo site's truth files (`_truth.json`), written with
the pages by hand: what a reader of each page sees.
"""

from __future__ import annotations

import json
import sqlite3
from datetime import datetime
from typing import Any

import pytest
from conftest import DEMO_KEYS, Crawl, load_truth


def rows(crawl: Crawl) -> list[dict[str, Any]]:
    con = sqlite3.connect(crawl.db)
    con.row_factory = sqlite3.Row
    try:
        return [dict(r) for r in con.execute("select * from articles")]
    finally:
        con.close()


def url_of(crawl: Crawl, key: str, path: str) -> str:
    return crawl.bases[key] + path


def by_url(crawl: Crawl) -> dict[str, dict[str, Any]]:
    return {r["canonical_url"]: r for r in rows(crawl)}


def paragraphs(body: str) -> list[str]:
    return [p for p in body.split("\n\n") if p.strip()]


def test_every_demo_article_stored_once_and_nothing_else(demo_crawl: Crawl) -> None:
    stored = [r["canonical_url"] for r in rows(demo_crawl)]
    expected = sorted(
        url_of(demo_crawl, key, a["path"]) for key in DEMO_KEYS for a in load_truth(key)["articles"]
    )
    assert len(expected) >= 40
    assert sorted(stored) == expected


@pytest.mark.parametrize("key", DEMO_KEYS)
def test_fields_of_every_article_match_the_page(demo_crawl: Crawl, key: str) -> None:
    stored = by_url(demo_crawl)
    wrong: list[str] = []
    for truth in load_truth(key)["articles"]:
        row = stored.get(url_of(demo_crawl, key, truth["path"]))
        if row is None:
            wrong.append(f"{truth['path']}: not stored")
            continue
        body = paragraphs(row["body"])
        got = {
            "headline": row["headline"],
            "lead": row["lead"],
            "agency": row["agency"],
            "authors": json.loads(row["authors"] or "[]"),
            "first_paragraph": body[0] if body else None,
            "last_paragraph": body[-1] if body else None,
        }
        for field, value in got.items():
            if field in truth and truth[field] != value:
                wrong.append(f"{truth['path']} {field}: {value!r} != {truth[field]!r}")
        expected_time = datetime.fromisoformat(truth["published_at"])
        got_time = datetime.fromisoformat(row["published_at"]) if row["published_at"] else None
        if got_time != expected_time or (
            got_time and got_time.utcoffset() != expected_time.utcoffset()
        ):
            wrong.append(
                f"{truth['path']} published_at: {row['published_at']} != {truth['published_at']}"
            )
        if "photo_credit" in truth:
            credits = [c["text"] for c in json.loads(row["photo_credits"] or "[]")]
            expected_credits = [truth["photo_credit"]] if truth["photo_credit"] else []
            if credits != expected_credits:
                wrong.append(f"{truth['path']} photo_credits: {credits} != {expected_credits}")
    assert not wrong, "\n".join(wrong)


def test_non_articles_are_not_stored_and_counted(demo_crawl: Crawl) -> None:
    stored = by_url(demo_crawl)
    for key in DEMO_KEYS:
        for page in load_truth(key).get("not_articles", []):
            assert url_of(demo_crawl, key, page["path"]) not in stored, page
    dropped = sum(
        n for s in demo_crawl.summary["sources"].values() for n in s.get("dropped", {}).values()
    )
    assert dropped >= 4


def test_coverage_shares_are_shares(demo_crawl: Crawl) -> None:
    for entry in demo_crawl.summary["sources"].values():
        assert all(0 <= share <= 1 for share in entry["coverage"].values()), entry


def test_the_seed_article_exactly(demo_crawl: Crawl) -> None:
    seed = [r for r in rows(demo_crawl) if r["headline"].startswith("Губернатор Томенко назвал")]
    assert len(seed) == 1
    row = seed[0]
    assert row["lead"] == "Алтай экспортировал в соседнюю страну товаров на 360 млн рублей"
    assert row["published_at"] == "2019-11-07T16:17:00+07:00"
    assert row["published_at_utc"].startswith("2019-11-07T09:17:00")
    assert row["agency"] == "ИА Амител"
    body = paragraphs(row["body"])
    assert len(body) == 8
    assert body[0].startswith("Казахстан – крупнейший внешнеторговый партнер")
    assert body[-1].endswith("Касым-Жомарта Токаева.")
    assert "Комментарии" not in row["body"] and "Фото:" not in row["body"]


def test_the_crawl_was_polite(demo_crawl: Crawl) -> None:
    for key in DEMO_KEYS:
        paths = [r.path for r in demo_crawl.requests if r.source == key]
        assert "/robots.txt" in paths, key
        # each article fetched once at most (feeds and listings repeat links)
        article_paths = [p for p in paths if p.startswith(("/news/", "/text/"))]
        assert len(article_paths) == len(set(article_paths)), key
    agents = {r.headers.get("User-Agent", "") for r in demo_crawl.requests}
    assert all(a.startswith("newsagg/") and "+http" in a for a in agents)
