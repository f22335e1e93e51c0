"""The demo fixture server: URL mapping, origin rewriting, headers, conditional GET, the log.

Expected values come from the fixture's truth files (`site/<key>/_truth.json`) and from the
contract in docs/demo-site.md, not from the server code.
"""

from __future__ import annotations

import html
import json
import urllib.error
import urllib.request
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from email.message import Message
from typing import Any

import pytest

from crawler.demo.server import SITE_ROOT, DemoSite, file_candidates, page_key

SOURCES = ["amic", "sibnovosti"]
SEED_PATH = (
    "/news/gubernator-tomenko-nazval-kazahstan-samym-krupnym-vneshnetorgovym-partnerom-575321"
)
SEED_HEADLINE = (
    "Губернатор Томенко назвал Казахстан самым крупным внешнеторговым партнером Алтайского края"
)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}), _NoRedirect())


def fetch(
    url: str, headers: dict[str, str] | None = None, method: str = "GET"
) -> tuple[int, Message, bytes]:
    request = urllib.request.Request(url, headers=headers or {}, method=method)
    try:
        with _OPENER.open(request, timeout=10) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        with error:
            return error.code, error.headers, error.read()


def truth(source: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((SITE_ROOT / source / "_truth.json").read_text("utf-8"))
    return data


@pytest.fixture(scope="module")
def site() -> Iterator[DemoSite]:
    with DemoSite(sources=SOURCES) as demo:
        yield demo


def test_each_source_has_its_own_origin(site: DemoSite) -> None:
    assert sorted(site.bases) == SOURCES
    assert len(set(site.bases.values())) == len(SOURCES)
    assert all(base.startswith("http://127.0.0.1:") for base in site.bases.values())


def test_robots(site: DemoSite) -> None:
    status, headers, body = fetch(site.bases["amic"] + "/robots.txt")
    assert status == 200
    assert headers["Content-Type"] == "text/plain; charset=utf-8"
    assert b"Disallow: /search/" in body and b"Disallow: /personal/" in body
    assert b"Disallow: /amp/" not in body
    _, _, sib = fetch(site.bases["sibnovosti"] + "/robots.txt")
    assert f"Sitemap: {site.bases['sibnovosti']}/sitemap.xml".encode() in sib


def test_rss_feed_links_point_to_the_local_origin(site: DemoSite) -> None:
    base = site.bases["amic"]
    status, headers, body = fetch(base + "/rss/")
    assert status == 200
    assert headers["Content-Type"] == "application/rss+xml"
    links = [el.text or "" for el in ET.fromstring(body).iter("link")][1:]  # skip the channel
    assert all(link.startswith(base + "/") for link in links)
    known = truth("amic")
    expected = {a["path"] for a in known["articles"] if "rss" in a["reached_by"]}
    expected |= {n["path"] for n in known["not_articles"] if "rss" in n["reached_by"]}
    assert {link.removeprefix(base) for link in links} == expected
    assert len(links) == 15  # 12 newest, an old-form URL, an AMP URL, an error page


def test_article_is_served_with_origins_rewritten(site: DemoSite) -> None:
    base = site.bases["amic"]
    status, headers, body = fetch(base + SEED_PATH)
    assert status == 200
    assert headers["Content-Type"] == "text/html; charset=utf-8"
    page = body.decode("utf-8")
    assert "https://www.amic.ru" not in page and "http://www.amic.ru" not in page
    assert f'<link rel="canonical" href="{base}{SEED_PATH}">' in page
    assert site.bases["sibnovosti"] + "/news/" in page  # cross-source links work too
    assert f"<h1>{SEED_HEADLINE}</h1>" in page
    assert '<div class="post-info">07 ноября 2019, 16:17, ИА Амител</div>' in page


def test_every_truth_page_is_served(site: DemoSite) -> None:
    for source in SOURCES:
        known = truth(source)
        for article in known["articles"]:
            status, _, body = fetch(site.bases[source] + article["path"])
            assert status == 200, article["path"]
            text = body.decode("utf-8")
            for value in (article["headline"], article["lead"], article["body_last"]):
                assert html.escape(value, quote=False) in text, (article["path"], value)
        for page in known["not_articles"]:
            status, _, _ = fetch(site.bases[source] + page["path"])
            assert status == page.get("status", 200), page["path"]


def test_old_form_url_redirects_to_the_slug_url(site: DemoSite) -> None:
    base = site.bases["amic"]
    redirect = next(n for n in truth("amic")["not_articles"] if n["reason"] == "redirect")
    status, headers, _ = fetch(base + redirect["path"])
    assert status == 301
    assert headers["Location"] in (redirect["same_as"], base + redirect["same_as"])


def test_conditional_get_answers_304(site: DemoSite) -> None:
    url = site.bases["amic"] + SEED_PATH
    status, headers, _ = fetch(url)
    etag, modified = headers["ETag"], headers["Last-Modified"]
    assert status == 200 and etag and modified
    assert fetch(url, {"If-None-Match": etag})[0] == 304
    assert fetch(url, {"If-Modified-Since": modified})[0] == 304
    assert fetch(url, {"If-None-Match": '"something-else"'})[0] == 200
    assert fetch(url, {"If-Modified-Since": "Mon, 01 Jan 1990 00:00:00 GMT"})[0] == 200


def test_put_adds_and_overrides_pages(site: DemoSite) -> None:
    base = site.bases["amic"]
    new = "/news/novaya-statya-582001"
    assert fetch(base + new)[0] == 404
    site.put("amic", new, '<a href="https://www.amic.ru/news/">Новости</a>')
    status, headers, body = fetch(base + new)
    assert status == 200
    assert headers["Content-Type"] == "text/html; charset=utf-8"
    assert body.decode() == f'<a href="{base}/news/">Новости</a>'
    site.put("amic", "/robots.txt", "User-agent: *\nDisallow: /\n")
    assert fetch(base + "/robots.txt")[2] == b"User-agent: *\nDisallow: /\n"
    site.put("amic", "/gone", "", headers={"status": "410"})
    assert fetch(base + "/gone")[0] == 410


def test_windows_1251_page_keeps_its_bytes(site: DemoSite) -> None:
    base = site.bases["amic"]
    page = '<p>Снег в Барнауле</p><a href="https://amic.ru/news/x-1">ещё</a>'
    site.put(
        "amic", "/news/cp1251-575001", page.encode("cp1251"),
        headers={"Content-Type": "text/html; charset=windows-1251"},
    )  # fmt: skip
    status, headers, body = fetch(base + "/news/cp1251-575001")
    assert status == 200
    assert headers["Content-Type"] == "text/html; charset=windows-1251"
    assert body == page.replace("https://amic.ru", base).encode("cp1251")


def test_missing_and_private_files_are_404(site: DemoSite) -> None:
    base = site.bases["amic"]
    for path in ("/news/net-takoj-novosti-1", "/_truth.json", "/_headers.json", "/../amic/x"):
        status, _, body = fetch(base + path)
        assert status == 404, path
        assert "Страница не найдена" in body.decode("utf-8")


def test_head_sends_headers_only(site: DemoSite) -> None:
    url = site.bases["sibnovosti"] + "/sitemap.xml"
    _, get_headers, get_body = fetch(url)
    status, headers, body = fetch(url, method="HEAD")
    assert status == 200 and body == b""
    assert headers["Content-Length"] == str(len(get_body)) == get_headers["Content-Length"]
    assert headers["Content-Type"] == "application/xml"


def test_request_log(site: DemoSite) -> None:
    base = site.bases["sibnovosti"]
    site.clear_log()
    fetch(base + "/sitemap.xml", {"User-Agent": "newsagg-test"})
    fetch(base + "/news/?page=1")
    fetch(base + "/news/2026/13/net.html")
    fetch(site.bases["amic"] + "/robots.txt")
    log = site.requests_for("sibnovosti")
    assert [(r.method, r.path, r.status) for r in log] == [
        ("GET", "/sitemap.xml", 200),
        ("GET", "/news/?page=1", 200),
        ("GET", "/news/2026/13/net.html", 404),
    ]
    assert log[0].headers["User-Agent"] == "newsagg-test"
    assert len(site.requests_for("amic")) == 1
    assert len(site.requests) == 4


def test_listing_pages_and_queries(site: DemoSite) -> None:
    base = site.bases["amic"]
    _, _, page1 = fetch(base + "/news/incident")
    _, _, page2 = fetch(base + "/news/incident?utm_source=vk&page=2")
    assert b'href="/news/incident?page=2"' in page1
    assert b'rel="prev"' in page2 and page1 != page2
    assert fetch(base + "/news/incident?page=3")[0] == 404


def test_misbehaving_paths(site: DemoSite) -> None:
    base = site.bases["sibnovosti"]
    assert fetch(base + "/__status/503")[0] == 503
    assert fetch(base + "/__slow/0.2")[0] == 200
    status, _, huge = fetch(base + "/__huge")
    assert status == 200 and len(huge) >= 5 * 1024 * 1024
    status, _, broken = fetch(base + "/__broken")
    assert status == 200 and b"\x00" in broken and not broken.rstrip().endswith(b"</html>")
    with pytest.raises(UnicodeDecodeError):
        broken.decode("utf-8")
    status, headers, _ = fetch(base + "/__redirect-loop")
    assert status == 302
    status, headers, _ = fetch(headers["Location"])
    assert status == 302 and headers["Location"] == base + "/__redirect-loop"


@pytest.mark.parametrize(
    ("raw", "files"),
    [
        ("/news/123", ["news/123.html"]),
        ("/text/?page=2", ["text/index.page-2.html", "text/index.page-2.xml"]),
        ("/news/incident?page=2&utm_source=x", ["news/incident.page-2.html"]),
        ("/robots.txt?utm_medium=feed", ["robots.txt"]),
        ("/", ["index.html", "index.xml"]),
        (
            "/news/?page=1",
            [
                "news/index.page-1.html",
                "news/index.page-1.xml",
                "news/index.html",
                "news/index.xml",
            ],
        ),
        ("/_truth.json", []),
        ("/news/../_headers.json", []),
    ],
)
def test_url_to_file_mapping(raw: str, files: list[str]) -> None:
    assert file_candidates(page_key(raw)) == files
