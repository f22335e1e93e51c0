"""Generic rules, the last layer: what works on a site we have no parser for.

Body: trafilatura (precision first, no comments, no tables). Everything else is our own:
headline from the `h1`, date from `time[datetime]` or a date-like line near the `h1`,
lead from a lead-like element, credits from `figcaption` and "Фото:" lines, and the
not-an-article signals (error pages served with 200, listing pages).
"""

from __future__ import annotations

import re

import trafilatura
from lxml import etree

from crawler.parsers.credits import merge_source_line, parse_credit
from crawler.parsers.page import Page, clean_text, element_lines, element_text, select

ERROR_PAGE = re.compile(
    r"(?:^|\W)(?:404|Страница не найдена|Материал не найден|Новость не найдена|Ошибка 404"
    r"|Page not found|Not Found|Запрашиваемая страница не найдена|Страница удалена)(?:\W|$)",
    re.I,
)
_ROOT = etree.XPath(
    "(//article[not(ancestor::*[contains(@class,'infinite-scroll')])]"
    "[.//h1 or .//*[@itemprop='articleBody']])[1]"
    " | (//*[@itemprop='articleBody']/ancestor::*[.//h1][1])[1]"
)
_H1 = etree.XPath("//h1")
_TIME = etree.XPath(".//time[@datetime]")
# a page-level time: in no article (another article's time is its own: infinite scroll,
# "read also" teasers) and in no infinite-scroll continuation
_PAGE_TIME = etree.XPath(
    "//time[@datetime][not(ancestor::article)]"
    "[not(ancestor::*[contains(@class,'infinite-scroll')])]"
)
_DATE_LIKE = etree.XPath(
    ".//*[contains(@class,'date') or contains(@class,'time') or contains(@class,'posted')"
    " or contains(@class,'published') or contains(@class,'meta')][not(*[contains(@class,'date')])]"
)
_LEAD_LIKE = etree.XPath(
    ".//*[self::p or self::div][contains(@class,'lead') or contains(@class,'subtitle')"
    " or contains(@class,'announce') or contains(@class,'intro') or contains(@class,'anons')"
    " or contains(@class,'summary')][not(.//p)]"
)
_FIGCAPTION = etree.XPath(
    ".//figcaption | .//*[contains(@class,'caption') or contains(@class,'photo-source')"
    " or contains(@class,'credit')][not(.//figcaption)]"
)
_FIGURE_IMG = etree.XPath(".//figure//img | .//figure//amp-img")
_AUTHOR_LIKE = etree.XPath(
    ".//*[contains(@class,'author')][not(.//*[contains(@class,'author')])][not(self::meta)]"
)
_TEASER_LINKS = etree.XPath("//h2//a[@href] | //h3//a[@href] | //*[contains(@class,'news-item')"
                            " or contains(@class,'card')]//a[@href]")  # fmt: skip
_HEADLINE_LINKS = etree.XPath(
    "//a[@href][string-length(normalize-space(.)) >= 30][not(ancestor::nav or ancestor::footer)]"
)
_TEASER_ARTICLES = etree.XPath("//article[not(.//h1)][.//a[@href]]")
_RUBRIC_LIKE = etree.XPath(
    ".//*[contains(@class,'rubric') or contains(@class,'category')"
    " or contains(@class,'section-name')]//a"
)
_TAG_LINKS = etree.XPath(".//*[contains(@class,'tags')]//a")


def root(page: Page) -> etree._Element:
    """The article's own element: the first `article` with an h1, else the page body."""
    found = select(_ROOT, page.tree)
    if found:
        return found[0]
    body = page.tree.find("body")
    return body if body is not None else page.tree


def headline(page: Page) -> str | None:
    for el in select(_H1, root(page)) or select(_H1, page.tree):
        text = element_text(el)
        if text:
            return text
    title = page.title
    if not title:
        return None
    site = page.meta.get("og:site_name")
    parts = re.split(r"\s+[|—–-]\s+", title)
    if len(parts) > 1 and (not site or site in parts[-1] or len(parts[-1]) < 40):
        title = " - ".join(parts[:-1])
    return title or None


def date_text(page: Page) -> str | None:
    """A publish date as printed: the article's `time[datetime]`, else one of the page
    outside any article, else a date-classed element's text in the article. A time in
    another article (the next one of an infinite scroll) is never taken for its date."""
    scope = root(page)
    for el in select(_TIME, scope) or select(_PAGE_TIME, page.tree):
        value = el.get("datetime", "").strip()
        if value:
            return value
    for el in select(_DATE_LIKE, scope):
        text = element_text(el)
        if text and len(text) <= 80 and re.search(r"\d", text):
            return text
    return None


def lead(page: Page) -> str | None:
    for el in select(_LEAD_LIKE, root(page)):
        text = element_text(el)
        if 20 <= len(text) <= 600:
            return text
    return None


def credit_lines(page: Page) -> list[str]:
    lines: list[str] = []
    for el in select(_FIGCAPTION, root(page)):
        lines.extend(merge_source_line(element_lines(el)))
    return lines


def images(page: Page) -> list[tuple[str, str | None, str | None]]:
    """(url, caption, credit) of the article's figures."""
    out: list[tuple[str, str | None, str | None]] = []
    for img in select(_FIGURE_IMG, root(page)):
        url = page.absolute(img.get("src") or img.get("data-src"))
        if not url:
            continue
        figure = next((a for a in img.iterancestors("figure")), None)
        caption = credit = None
        cap = figure.find(".//figcaption") if figure is not None else None
        if cap is not None:
            lines = merge_source_line(element_lines(cap))
            caption_parts: list[str] = []
            for line in lines:
                text, found = parse_credit(line)
                if text:
                    caption_parts.append(text)
                if found and credit is None:
                    credit = found.text
            caption = " ".join(caption_parts) or None
        out.append((url, caption, credit))
    return out


def authors(page: Page) -> list[str]:
    for el in select(_AUTHOR_LIKE, root(page)):
        text = clean_text(re.sub(r"^(?:Автор|Текст)\s*:\s*", "", element_text(el)))
        if 3 <= len(text) <= 60:
            return [text]
    return []


def rubric(page: Page) -> str | None:
    for el in select(_RUBRIC_LIKE, page.tree):
        text = element_text(el)
        if text:
            return text
    return None


def tags(page: Page) -> list[str]:
    return [t for t in (element_text(a) for a in select(_TAG_LINKS, root(page))) if t]


def body(page: Page) -> list[str]:
    """Main text by trafilatura, one paragraph per line of its output."""
    text = trafilatura.extract(
        page.text,
        url=page.url,
        favor_precision=True,
        include_comments=False,
        include_tables=False,
        include_images=False,
        deduplicate=False,
        with_metadata=False,
    )
    return [line for line in (clean_text(t) for t in (text or "").split("\n")) if line]


def error_reason(page: Page) -> str | None:
    h1s = [element_text(h) for h in select(_H1, page.tree)]
    texts = [page.title, *h1s[:1]]
    for text in texts:
        if text and len(text) < 120 and ERROR_PAGE.search(text):
            if text is page.title and h1s and not ERROR_PAGE.search(h1s[0]) and len(h1s[0]) > 40:
                continue  # an article whose title happens to mention 404
            return "error page"
    return None


def index_reason(page: Page, has_article_root: bool) -> str | None:
    """A listing (section index, tag page): many teaser links and no article container."""
    if has_article_root:
        return None
    if page.meta.get("og:type", "").lower() == "article" or page.jsonld:
        return None
    if len(select(_TEASER_LINKS, page.tree)) >= 4 or len(select(_TEASER_ARTICLES, page.tree)) >= 2:
        return "index page"
    headline_links = len(select(_HEADLINE_LINKS, page.tree))
    if headline_links >= 8 or (headline_links >= 4 and page.meta.get("og:type") == "website"):
        return "index page"
    return None


def has_article_root(page: Page) -> bool:
    return bool(select(_ROOT, page.tree))
