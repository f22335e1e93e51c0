"""The sources registry: URL patterns of the real sites, base overrides."""

from __future__ import annotations

import pytest

from crawler.sources import SOURCES, UnknownSource, get_source


@pytest.mark.parametrize(
    ("key", "url", "is_article"),
    [
        ("amic", "https://www.amic.ru/news/gubernator-tomenko-nazval-kazahstan-575321", True),
        ("amic", "https://www.amic.ru/news/575321/", True),
        ("amic", "https://www.amic.ru/amp/news/575321", True),
        ("amic", "https://www.amic.ru/news/incident", False),
        ("amic", "https://www.amic.ru/tags/barnaul", False),
        ("amic", "https://evil.example/news/x-575321", False),
        ("katun24", "https://katun24.ru/news/123456", True),
        ("katun24", "https://katun24.ru/node/123456", True),
        ("katun24", "https://katun24.ru/news", False),
        ("ngs22", "https://ngs22.ru/text/society/2026/11/20/73412345/", True),
        ("ngs22", "https://ngs22.ru/text/society/", False),
        ("altapress", "https://altapress.ru/zhizn/story/novyy-most-301234", True),
        ("altapress", "https://altapress.ru/amp/story/301234", True),
        ("tolknews", "https://tolknews.ru/obschestvo/81234-v-barnaule-otkryli-park", True),
        ("bankfax", "https://bankfax.ru/news/156789/", True),
        ("bankfax", "https://bankfax.ru/news/", False),
    ],
)
def test_article_patterns(key: str, url: str, is_article: bool) -> None:
    assert SOURCES[key].is_article_url(url) is is_article


def test_with_base_moves_every_entry_point() -> None:
    amic = get_source("amic").with_base("http://127.0.0.1:8123/")
    assert amic.feeds == ("http://127.0.0.1:8123/rss/",)
    assert amic.listings == ("http://127.0.0.1:8123/news/incident",)
    assert amic.is_article_url("http://127.0.0.1:8123/news/x-575321")
    assert not amic.is_article_url("https://www.amic.ru/news/x-575321")


def test_every_source_has_a_way_in_and_a_zone() -> None:
    for source in SOURCES.values():
        assert source.feeds or source.sitemaps or source.listings, source.key
        assert source.timezone, source.key
        assert source.agency or source.demo, source.key


def test_unknown_source_names_the_known_ones() -> None:
    with pytest.raises(UnknownSource) as info:
        get_source("nope")
    assert "amic" in str(info.value) and "sibnovosti" not in str(info.value)
