"""The structured-metadata layer: JSON-LD, OpenGraph and `article:*` meta, microdata.

Each function returns `(value, layer)` or `(None, None)`; the layer name goes into the
article's provenance. Reads only what `Page` precomputed.
"""

from __future__ import annotations

import re
from typing import Any

from crawler.parsers.page import Page, clean_text

Hit = tuple[Any, str | None]
MISS: Hit = (None, None)
_TITLE_SUFFIX = re.compile(r"\s+[-|—–:]\s+[^-|—–]{2,60}$")


def _str(value: Any) -> str | None:
    if isinstance(value, list):
        value = value[0] if value else None
    if isinstance(value, dict):
        value = value.get("name") or value.get("@id") or value.get("url")
    if value is None or isinstance(value, dict | list):
        return None
    text = clean_text(str(value))
    return text or None


def _first(*hits: Hit) -> Hit:
    for value, layer in hits:
        if value:
            return value, layer
    return MISS


def headline(page: Page) -> Hit:
    og = page.meta.get("og:title")
    if og:
        site = page.meta.get("og:site_name")
        if site and og.endswith(site):
            og = _TITLE_SUFFIX.sub("", og)
    return _first(
        (_str(page.jsonld.get("headline")) or _str(page.jsonld.get("name")), "jsonld"),
        (og, "meta"),
        (page.microdata.get("headline"), "microdata"),
    )


def lead(page: Page) -> Hit:
    return _first(
        (_str(page.jsonld.get("description")), "jsonld"),
        (page.meta.get("og:description"), "meta"),
        (page.meta.get("description"), "meta"),
        (page.microdata.get("description"), "microdata"),
    )


def published(page: Page) -> Hit:
    return _first(
        (_str(page.jsonld.get("datePublished")), "jsonld"),
        (page.meta.get("article:published_time"), "meta"),
        (page.meta.get("og:published_time") or page.meta.get("pubdate"), "meta"),
        (page.meta.get("datepublished"), "microdata"),
        (page.microdata.get("datePublished"), "microdata"),
    )


def modified(page: Page) -> Hit:
    return _first(
        (_str(page.jsonld.get("dateModified")), "jsonld"),
        (page.meta.get("article:modified_time"), "meta"),
        (page.meta.get("og:updated_time"), "meta"),
        (page.meta.get("datemodified"), "microdata"),
        (page.microdata.get("dateModified"), "microdata"),
    )


def _names(value: Any) -> list[str]:
    """Person names of an author value (organisations as authors are not people)."""
    items = value if isinstance(value, list) else [value]
    names = [
        _str(item)
        for item in items
        if not (isinstance(item, dict) and item.get("@type") == "Organization")
    ]
    return [n for n in names if n and not n.startswith(("http://", "https://", "/"))]


def authors(page: Page) -> Hit:
    meta_authors = [a for a in page.meta_all.get("article:author", []) if "://" not in a]
    return _first(
        (_names(page.jsonld.get("author")), "jsonld"),
        (meta_authors, "meta"),
        (_names(page.meta.get("author")), "meta"),
        (_names(page.microdata.get("author")), "microdata"),
    )


def canonical(page: Page) -> Hit:
    jsonld_url = _str(page.jsonld.get("mainEntityOfPage")) or _str(page.jsonld.get("url"))
    return _first(
        (page.absolute(page.links.get("canonical")), "meta"),
        (page.absolute(page.meta.get("og:url")), "meta"),
        (page.absolute(jsonld_url), "jsonld"),
    )


def rubric(page: Page) -> Hit:
    return _first(
        (_str(page.jsonld.get("articleSection")), "jsonld"),
        (page.meta.get("article:section"), "meta"),
        (page.microdata.get("articleSection"), "microdata"),
    )


def tags(page: Page) -> Hit:
    keywords = page.jsonld.get("keywords")
    if isinstance(keywords, str):
        keywords = [k for k in (clean_text(k) for k in keywords.split(",")) if k]
    return _first(
        (page.meta_all.get("article:tag", []), "meta"),
        ([clean_text(str(k)) for k in keywords or [] if clean_text(str(k))], "jsonld"),
    )


def body(page: Page) -> Hit:
    text = page.jsonld.get("articleBody")
    if not isinstance(text, str) or not text.strip():
        return MISS
    paras = [clean_text(p) for p in re.split(r"\n+|<br\s*/?>|</p>", text) if clean_text(p)]
    return paras, "jsonld"


def image_urls(page: Page) -> Hit:
    images = page.jsonld.get("image")
    urls: list[str] = []
    for item in images if isinstance(images, list) else [images] if images else []:
        url = item.get("url") or item.get("contentUrl") if isinstance(item, dict) else item
        if isinstance(url, str) and url.strip():
            urls.append(url.strip())
    return _first(
        ([page.absolute(u) for u in urls], "jsonld"),
        ([page.absolute(u) for u in page.meta_all.get("og:image", [])[:1]], "meta"),
    )


def language(page: Page) -> Hit:
    locale = page.meta.get("og:locale")
    return _first(
        (_lang(page.html_lang), "meta"),
        (_lang(locale), "meta"),
        (_lang(_str(page.jsonld.get("inLanguage"))), "jsonld"),
    )


def publisher(page: Page) -> Hit:
    return _first(
        (page.jsonld_publisher, "jsonld"),
        (page.meta.get("og:site_name"), "meta"),
    )


def _lang(value: str | None) -> str | None:
    if not value:
        return None
    code = re.split(r"[-_]", value.strip())[0].lower()
    return code if re.fullmatch(r"[a-z]{2,3}", code) else None


def is_article_typed(page: Page) -> bool:
    """The page says it is an article (JSON-LD article type or og:type article)."""
    return bool(page.jsonld) or page.meta.get("og:type", "").lower() == "article"
