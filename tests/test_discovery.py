"""Feed, sitemap and listing link discovery on small hand-written documents."""

from __future__ import annotations

import gzip

from crawler.discovery import feed_links, page_links, sitemap_links, with_page

RSS = """<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Лента</title>
<item><title>Первая</title><link>https://www.amic.ru/news/pervaya-580001</link>
<pubDate>Tue, 24 Nov 2026 10:15:00 +0700</pubDate></item>
<item><title>Вторая &amp; третья</title><link> /news/vtoraya-580002 </link></item>
<item><title>Без ссылки</title></item>
</channel></rss>""".encode()

ATOM = b"""<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom">
<entry><title>A</title><link rel="alternate" href="https://site.example/a"/>
<published>2026-11-01T10:00:00+07:00</published></entry>
<entry><title>B</title><link href="https://site.example/b"/></entry></feed>"""


def test_rss_items_in_order_with_hints_and_relative_links() -> None:
    links = feed_links(RSS, "https://www.amic.ru/rss/")
    assert [link.url for link in links] == [
        "https://www.amic.ru/news/pervaya-580001",
        "https://www.amic.ru/news/vtoraya-580002",
    ]
    assert links[0].date_hint == "Tue, 24 Nov 2026 10:15:00 +0700"
    assert links[1].title == "Вторая & третья"


def test_atom_entries() -> None:
    links = feed_links(ATOM, "https://site.example/feed")
    assert [link.url for link in links] == ["https://site.example/a", "https://site.example/b"]
    assert links[0].date_hint == "2026-11-01T10:00:00+07:00"


def test_broken_feed_is_read_as_far_as_it_goes() -> None:
    broken = RSS[: RSS.index(b"<item><title>\xd0\x92")]  # cut inside the second item
    assert [link.url for link in feed_links(broken, "https://www.amic.ru/rss/")] == [
        "https://www.amic.ru/news/pervaya-580001"
    ]
    assert feed_links(b"not xml at all", "https://x.example/") == []
    assert feed_links(b"", "https://x.example/") == []


def test_sitemap_urlset_index_and_gzip() -> None:
    urlset = b"""<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
    <url><loc>https://katun24.ru/news/12345</loc><lastmod>2026-11-20T09:00:00+07:00</lastmod></url>
    <url><loc>https://katun24.ru/news/12346</loc></url></urlset>"""
    pages, nested = sitemap_links(gzip.compress(urlset), "https://katun24.ru/sitemap.xml.gz")
    assert [p.url for p in pages] == [
        "https://katun24.ru/news/12345",
        "https://katun24.ru/news/12346",
    ]
    assert pages[0].date_hint == "2026-11-20T09:00:00+07:00" and nested == []
    index = b"""<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
    <sitemap><loc>https://katun24.ru/sitemap-1.xml</loc></sitemap></sitemapindex>"""
    assert sitemap_links(index, "https://katun24.ru/sitemap.xml") == (
        [],
        ["https://katun24.ru/sitemap-1.xml"],
    )


def test_page_links_absolute_unique_without_fragments() -> None:
    html = b"""<html><body><a href="/news/1">a</a><a href="/news/1#comments">b</a>
    <a href="mailto:x@y">m</a><a href="javascript:void(0)">j</a>
    <a href="https://other.example/x">o</a></body></html>"""
    assert page_links(html, "https://katun24.ru/news") == [
        "https://katun24.ru/news/1",
        "https://other.example/x",
    ]
    assert page_links(b"", "https://katun24.ru/") == []


def test_with_page() -> None:
    assert with_page("https://ngs22.ru/text/", "page", 2) == "https://ngs22.ru/text/?page=2"
    assert with_page("https://ngs22.ru/text/?page=2&a=b", "page", 3) == (
        "https://ngs22.ru/text/?a=b&page=3"
    )
    assert with_page("https://ngs22.ru/text/?page=2", "page", 1) == "https://ngs22.ru/text/"
