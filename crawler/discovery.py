"""Finding article links in feeds, sitemaps and listing pages.

Pure functions over bytes (no Scrapy, no I/O), so the spider stays a navigator and
these can be tested on their own. Feeds and sitemaps are read with lxml in recover
mode: real feeds are often not well-formed XML.
"""

from __future__ import annotations

import gzip
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

from lxml import etree, html


@dataclass(frozen=True)
class Link:
    url: str
    date_hint: str | None = None  # pubDate / lastmod as written: a hint, the page wins
    title: str | None = None


def _xml_root(body: bytes) -> etree._Element | None:
    if body[:2] == b"\x1f\x8b":
        try:
            body = gzip.decompress(body)
        except OSError:
            return None
    parser = etree.XMLParser(recover=True, resolve_entities=False, no_network=True, huge_tree=False)
    try:
        return etree.fromstring(body.strip(), parser=parser)
    except (etree.XMLSyntaxError, ValueError):
        return None


def _local(tag: object) -> str:
    return etree.QName(tag).localname if isinstance(tag, str) else ""


def _child_text(node: etree._Element, *names: str) -> str | None:
    for child in node:
        if _local(child.tag) in names and child.text and child.text.strip():
            return child.text.strip()
    return None


def feed_links(body: bytes, base_url: str) -> list[Link]:
    """Item links of an RSS 2.0, RSS 1.0 or Atom feed, in feed order."""
    root = _xml_root(body)
    if root is None:
        return []
    links: list[Link] = []
    for node in root.iter():
        name = _local(node.tag)
        if name == "item":
            url = _child_text(node, "link") or _child_text(node, "guid")
            date = _child_text(node, "pubDate", "date", "published", "updated")
        elif name == "entry":
            url = None
            for child in node:
                if _local(child.tag) == "link" and child.get("rel", "alternate") == "alternate":
                    url = child.get("href")
                    break
            date = _child_text(node, "published", "updated")
        else:
            continue
        if url:
            title = _child_text(node, "title")
            links.append(Link(urljoin(base_url, url.strip()), date, title))
    return links


def sitemap_links(body: bytes, base_url: str) -> tuple[list[Link], list[str]]:
    """(page links, nested sitemap URLs) of a sitemap or sitemap index."""
    root = _xml_root(body)
    if root is None:
        return [], []
    pages: list[Link] = []
    nested: list[str] = []
    kind = _local(root.tag)
    for node in root:
        loc = _child_text(node, "loc")
        if not loc:
            continue
        url = urljoin(base_url, loc)
        if kind == "sitemapindex":
            nested.append(url)
        else:
            pages.append(Link(url, _child_text(node, "lastmod")))
    return pages, nested


def page_links(body: bytes | str, base_url: str) -> list[str]:
    """Every `a[href]` of an HTML page, absolute, fragment removed, in page order, unique."""
    if not body or not body.strip():
        return []
    try:
        doc = html.fromstring(body)
    except (etree.ParserError, ValueError):
        return []
    seen: dict[str, None] = {}
    hrefs = doc.xpath("//a/@href")
    for raw in hrefs if isinstance(hrefs, list) else ():
        href = str(raw).strip()
        if not href or href.startswith(("#", "mailto:", "javascript:", "tel:")):
            continue
        url = urljoin(base_url, href).split("#", 1)[0]
        seen.setdefault(url, None)
    return list(seen)


def with_page(url: str, param: str, page: int) -> str:
    """`url` with its page parameter set to `page` (page 1 drops the parameter)."""
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != param]
    if page > 1:
        query.append((param, str(page)))
    return urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(query), ""))
