"""One spelling per article URL, and one identity key per article whatever its spelling."""

from __future__ import annotations

import re

import pytest

from crawler.sources import SOURCES
from pipelines.urls import UrlRules, canonicalize_url, normalize_url, url_key


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("HTTPS://WWW.Amic.RU/news/x-1?utm_source=tg&utm_medium=x", "https://www.amic.ru/news/x-1"),
        ("https://ngs22.ru:443/text/a/?fbclid=1&yclid=2#comments", "https://ngs22.ru/text/a/"),
        ("http://127.0.0.1:8001/news/1?b=2&a=1", "http://127.0.0.1:8001/news/1?a=1&b=2"),
        ("http://site.example:80", "http://site.example/"),
    ],
)
def test_normalize_url(url: str, expected: str) -> None:
    assert normalize_url(url) == expected


def test_canonical_link_trusted_only_on_the_same_site() -> None:
    page = "https://www.amic.ru/amp/news/580001"
    assert (
        canonicalize_url("https://amic.ru/news/x-580001", page) == "https://amic.ru/news/x-580001"
    )
    # a reprint pointing its canonical at another outlet keeps its own URL
    assert canonicalize_url("https://www.amic.ru/news/x-1", "https://ngs22.ru/text/b/1/") == (
        "https://ngs22.ru/text/b/1/"
    )
    assert canonicalize_url(None, page + "?utm_source=x") == page


# Spellings of one page: scheme, www., m., amp. host, trailing slash, default port, fragment,
# tracking parameters, an AMP path.
SAME_PAGE = [
    "https://ngs22.ru/text/business/2019/11/07/65512345/",
    "http://ngs22.ru/text/business/2019/11/07/65512345",
    "https://www.ngs22.ru/text/business/2019/11/07/65512345/#comments",
    "https://m.ngs22.ru:443/text/business/2019/11/07/65512345/?utm_source=vk&utm_medium=social",
    "https://ngs22.ru/text/business/2019/11/07/65512345/?fbclid=IwAR0&yclid=42&from=rss",
    "https://amp.ngs22.ru/text/business/2019/11/07/65512345/",
    "https://ngs22.ru/amp/text/business/2019/11/07/65512345/",
    "https://ngs22.ru/text/business/2019/11/07/65512345/amp/",
    "HTTPS://NGS22.RU/text/business/2019/11/07/65512345/?ysclid=lq1&gclid=x",
]


@pytest.mark.parametrize("spelling", SAME_PAGE[1:])
def test_every_spelling_of_a_page_has_its_key(spelling: str) -> None:
    assert url_key(spelling) == "ngs22.ru/text/business/2019/11/07/65512345"


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("https://ngs22.ru/text/a/1/", "https://ngs22.ru/text/a/2/"),  # another article
        ("https://ngs22.ru/text/a/1/", "https://ngs24.ru/text/a/1/"),  # another site
        ("https://site.example/news?id=1", "https://site.example/news?id=2"),  # a real query
        ("http://127.0.0.1:8001/news/1", "http://127.0.0.1:8002/news/1"),  # another port
        ("https://site.example/ampere/1", "https://site.example/1"),  # "amp" only as a segment
    ],
)
def test_different_pages_keep_different_keys(a: str, b: str) -> None:
    assert url_key(a) != url_key(b)


RULES = UrlRules({key: source.url_key for key, source in SOURCES.items() if source.url_key})


@pytest.mark.parametrize(
    ("source", "spellings", "expected"),
    [
        (
            "amic",
            [
                "https://www.amic.ru/news/gubernator-tomenko-nazval-kazahstan-samym-krupnym-"
                "vneshnetorgovym-partnerom-575321",
                "https://www.amic.ru/news/575321/",  # the old form
                "https://www.amic.ru/news/575321",
                "https://www.amic.ru/amp/news/575321",  # the AMP twin
                "http://m.amic.ru/news/575321/?utm_source=yxnews&utm_medium=desktop",
            ],
            "amic:575321",
        ),
        (
            "katun24",
            [
                "https://katun24.ru/news/104651",
                "https://katun24.ru/node/104651",  # Drupal's own path of the same node
                "https://www.katun24.ru/news/104651/",
                "https://katun24.ru/projects/104651",
            ],
            "katun24:104651",
        ),
        (
            "altapress",
            [
                "https://altapress.ru/zhizn/story/v-barnaule-otkryli-most-312345",
                "https://altapress.ru/amp/story/312345",
                "https://altapress.ru/story/312345/",
            ],
            "altapress:312345",
        ),
        (
            "ngs22",
            [
                "https://ngs22.ru/text/business/2019/11/07/65512345/",
                "https://ngs22.ru/text/economics/2019/11/07/65512345/",  # moved to a rubric
            ],
            "ngs22:65512345",
        ),
    ],
)
def test_old_and_new_url_forms_of_one_article_share_the_source_key(
    source: str, spellings: list[str], expected: str
) -> None:
    assert [RULES.key(url, source) for url in spellings] == [expected] * len(spellings)


def test_pages_that_are_not_articles_fall_back_to_the_url_key() -> None:
    assert RULES.key("https://www.amic.ru/news/incident", "amic") == "amic.ru/news/incident"
    # no rule for the source: the generic key
    assert RULES.key("https://sibnovosti.example/news/2026/10/a.html", "sibnovosti") == (
        "sibnovosti.example/news/2026/10/a.html"
    )


def test_every_url_key_rule_captures_an_id_of_an_article_url() -> None:
    for key, source in SOURCES.items():
        if source.url_key:
            assert re.compile(source.url_key).groups >= 1, key
