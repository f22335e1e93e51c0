"""One spelling per article URL."""

from __future__ import annotations

import pytest

from pipelines.urls import canonicalize_url, normalize_url


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
