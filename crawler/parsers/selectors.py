"""A source layer made of compiled XPath class constants: most sites need nothing more.

Paths marked "in root" are evaluated on the article's own element, so that a second
article appended by infinite scroll, a sidebar or a teaser never answers a field.
"""

from __future__ import annotations

from typing import ClassVar

from lxml import etree

from crawler.parsers.base import Figure, Parser
from crawler.parsers.body import has_blocks, paragraphs
from crawler.parsers.page import Page, element_lines, element_text, select

XPath = etree.XPath


class SelectorParser(Parser):
    ROOT: ClassVar[XPath | None] = None  # the article element, on the whole tree
    HEADLINE: ClassVar[XPath | None] = None  # in root
    LEAD: ClassVar[XPath | None] = None  # in root
    DATE: ClassVar[XPath | None] = None  # in root: an element (its @datetime, else its text)
    MODIFIED: ClassVar[XPath | None] = None  # in root
    AUTHORS: ClassVar[XPath | None] = None  # in root
    BODY: ClassVar[XPath | None] = None  # in root: the body container(s), in order
    FIGURES: ClassVar[XPath | None] = None  # in root: figure-like elements
    FIGURE_IMG: ClassVar[XPath] = XPath(".//img | .//amp-img")
    FIGURE_TEXT: ClassVar[XPath] = XPath(
        ".//figcaption | .//*[contains(@class,'photo-source') or contains(@class,'caption')]"
    )
    RUBRIC: ClassVar[XPath | None] = None  # on the whole tree
    TAGS: ClassVar[XPath | None] = None  # in root
    LISTING: ClassVar[XPath | None] = None  # on the whole tree: teaser items of a listing
    MIN_LISTING_ITEMS: ClassVar[int] = 2

    def _first_text(self, path: XPath | None, page: Page) -> str | None:
        root = self.root(page)
        if path is None or root is None:
            return None
        for el in select(path, root):
            text = element_text(el)
            if text:
                return text
        return None

    def root(self, page: Page) -> etree._Element | None:
        key = f"root:{self.key}:{self.version}"
        if key not in page.cache:
            found = select(self.ROOT, page.tree) if self.ROOT is not None else []
            page.cache[key] = found[0] if found else None
        cached: etree._Element | None = page.cache[key]
        return cached

    def not_article(self, page: Page) -> str | None:
        if self.root(page) is not None or self.LISTING is None:
            return None
        if len(select(self.LISTING, page.tree)) >= self.MIN_LISTING_ITEMS:
            return "index page"
        return None

    def headline(self, page: Page) -> str | None:
        return self._first_text(self.HEADLINE, page)

    def lead(self, page: Page) -> str | None:
        root = self.root(page)
        if self.LEAD is None or root is None:
            return None
        for el in select(self.LEAD, root):
            # an unclosed lead <div> swallows the text after it: keep its first line only
            text = (element_lines(el) or [""])[0] if has_blocks(el) else element_text(el)
            if text:
                return text
        return None

    def _date(self, path: XPath | None, page: Page) -> str | None:
        root = self.root(page)
        if path is None or root is None:
            return None
        for el in select(path, root):
            value = (el.get("datetime") or el.get("content") or "").strip() or element_text(el)
            if value:
                return value
        return None

    def date_text(self, page: Page) -> str | None:
        return self._date(self.DATE, page)

    def modified_text(self, page: Page) -> str | None:
        return self._date(self.MODIFIED, page)

    def authors(self, page: Page) -> list[str]:
        root = self.root(page)
        if self.AUTHORS is None or root is None:
            return []
        names = [element_text(el) for el in select(self.AUTHORS, root)]
        return list(dict.fromkeys(n for n in names if n))

    def body(self, page: Page) -> list[str] | None:
        root = self.root(page)
        if self.BODY is None or root is None:
            return None
        containers = select(self.BODY, root)
        if not containers:
            return None
        out: list[str] = []
        for container in containers:
            out.extend(paragraphs(container))
        return out

    def figures(self, page: Page) -> list[Figure]:
        root = self.root(page)
        if self.FIGURES is None or root is None:
            return []
        out: list[Figure] = []
        for el in select(self.FIGURES, root):
            imgs = select(self.FIGURE_IMG, el)
            url = page.absolute(imgs[0].get("src") or imgs[0].get("data-src")) if imgs else None
            lines: list[str] = []
            for text_el in select(self.FIGURE_TEXT, el):
                lines.extend(element_lines(text_el))
            if url or lines:
                out.append(Figure(url, lines))
        return out

    def rubric(self, page: Page) -> str | None:
        if self.RUBRIC is None:
            return None
        for el in select(self.RUBRIC, page.tree):
            text = element_text(el)
            if text:
                return text
        return None

    def tags(self, page: Page) -> list[str]:
        root = self.root(page)
        if self.TAGS is None or root is None:
            return []
        return list(
            dict.fromkeys(t for t in (element_text(a) for a in select(self.TAGS, root)) if t)
        )
