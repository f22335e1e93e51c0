"""One parsed page, shared by every layer: the lxml tree plus its structured metadata.

The tree is built once; JSON-LD (all blocks, `@graph` flattened), `<meta>` values and
microdata (`itemprop`) are read once here, so that field methods only look things up.
Scripts and styles are removed after JSON-LD is read: text extraction never sees them.
"""

from __future__ import annotations

import json
import re
from datetime import datetime
from functools import cached_property
from typing import Any
from urllib.parse import urljoin

import lxml.html
from lxml import etree

from crawler.items import NotAnArticle
from crawler.parsers.encoding import decode_html

ARTICLE_TYPES = frozenset(
    {"NewsArticle", "Article", "ReportageNewsArticle", "BlogPosting", "AnalysisNewsArticle",
     "OpinionNewsArticle", "Report", "WebPage"}
)  # fmt: skip
_XML_DECL = re.compile(r"^\s*<\?xml[^>]*\?>", re.I)
_TITLE_OPEN = re.compile(r"<title[^>]*>", re.I)
_TITLE_CLOSE = re.compile(r"</title\s*>", re.I)
_CONTROL = dict.fromkeys([*range(0, 9), 11, 12, *range(14, 32)])
_JSONLD = etree.XPath("//script[@type='application/ld+json']")
_META = etree.XPath("//meta[@content]")
_ITEMPROP = etree.XPath("//*[@itemprop]")
_LINK_REL = etree.XPath("//link[@rel][@href]")
_BLOCK_TAGS = frozenset(
    ("p", "div", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote",
     "figcaption", "figure", "section", "article", "header", "footer", "aside", "main", "nav",
     "tr", "table", "dd", "dt", "pre")
)  # fmt: skip
_STRIP_TAGS = ("script", "style", "noscript", "template", "svg", "iframe")


def clean_text(text: str | None) -> str:
    """Collapse all whitespace (nbsp, newlines, tabs) to single spaces and strip."""
    return " ".join(text.replace("\ufffd", " ").split()) if text else ""


def select(path: etree.XPath, node: etree._Element | etree._ElementTree) -> list[etree._Element]:
    """Elements an XPath finds (typed: compiled XPath results are a union in the stubs)."""
    result = path(node)
    return (
        [el for el in result if isinstance(el, etree._Element)] if isinstance(result, list) else []
    )


def element_text(el: etree._Element) -> str:
    """Visible text of an element on one line (`<br>` and block ends count as spaces)."""
    return clean_text(etree.tostring(el, method="text", encoding="unicode", with_tail=False))


def element_lines(el: etree._Element) -> list[str]:
    """Visible text of an element, one item per line (split at `<br>` and block ends)."""
    text = etree.tostring(el, method="text", encoding="unicode", with_tail=False)
    return [line for line in (clean_text(t) for t in text.split("\n")) if line]


def _close_title(text: str) -> str:
    """An unclosed `<title>` swallows the whole page (RCDATA runs to the end): close it
    where its line ends, so that a template bug does not cost the article."""
    start = _TITLE_OPEN.search(text, 0, 8192)
    if start is None or _TITLE_CLOSE.search(text, start.end()):
        return text
    end = text.find("<", start.end())
    newline = text.find("\n", start.end())
    cut = min(i for i in (end, newline, len(text)) if i >= 0)
    return f"{text[:cut]}</title>{text[cut:]}"


def _flatten_jsonld(data: Any, out: list[dict[str, Any]]) -> None:
    if isinstance(data, list):
        for item in data:
            _flatten_jsonld(item, out)
    elif isinstance(data, dict):
        if "@graph" in data:
            _flatten_jsonld(data["@graph"], out)
        if "@type" in data:
            out.append(data)


def _types(obj: dict[str, Any]) -> set[str]:
    kind = obj.get("@type")
    if isinstance(kind, list):
        return {str(k) for k in kind}
    return {str(kind)} if kind else set()


class Page:
    """A decoded, parsed page and its metadata, read once."""

    def __init__(
        self,
        html: bytes | str,
        url: str,
        *,
        fetched_at: datetime | None = None,
        content_type: str | None = None,
    ) -> None:
        text = decode_html(html, content_type) if isinstance(html, bytes) else html
        text = _close_title(_XML_DECL.sub("", text, count=1).translate(_CONTROL))
        if not text.strip():
            raise NotAnArticle("empty page")
        try:
            self.tree: lxml.html.HtmlElement = lxml.html.document_fromstring(text)
        except (etree.ParserError, ValueError) as exc:
            raise NotAnArticle("not html", str(exc)) from None
        self.text = text
        self.url = url
        self.cache: dict[str, Any] = {}  # per-parser memo (the article root, ...)
        self.fetched_at = fetched_at
        self.jsonld_objects: list[dict[str, Any]] = []
        for script in select(_JSONLD, self.tree):
            raw = (script.text or "").strip()
            try:
                _flatten_jsonld(json.loads(raw, strict=False), self.jsonld_objects)
            except ValueError:
                continue
        self.meta: dict[str, str] = {}
        self.meta_all: dict[str, list[str]] = {}
        for el in select(_META, self.tree):
            key = (el.get("property") or el.get("name") or el.get("itemprop") or "").lower()
            value = clean_text(el.get("content"))
            if key and value:
                self.meta.setdefault(key, value)
                self.meta_all.setdefault(key, []).append(value)
        self.links: dict[str, str] = {}
        for el in select(_LINK_REL, self.tree):
            for rel in el.get("rel", "").lower().split():
                self.links.setdefault(rel, el.get("href", ""))
        etree.strip_elements(self.tree, *_STRIP_TAGS, with_tail=False)
        etree.strip_elements(self.tree, etree.Comment, with_tail=False)
        # Source newlines mean nothing in HTML; <br> and block ends do. Turn them into
        # the only newlines left, so that text can be split into lines later.
        for node in self.tree.iter():
            if not isinstance(node.tag, str):
                continue
            if node.text and "\n" in node.text:
                node.text = node.text.replace("\n", " ")
            tail = node.tail.replace("\n", " ") if node.tail else node.tail
            if node.tag == "br" or node.tag in _BLOCK_TAGS:
                tail = "\n" + (tail or "")
            node.tail = tail

    # -- structured metadata ------------------------------------------------------
    @cached_property
    def jsonld(self) -> dict[str, Any]:
        """The page's article object (first NewsArticle-like one), or {}."""
        best: dict[str, Any] = {}
        for obj in self.jsonld_objects:
            kinds = _types(obj)
            if kinds & (ARTICLE_TYPES - {"WebPage"}):
                return obj
            if not best and "WebPage" in kinds and obj.get("headline"):
                best = obj
        return best

    @cached_property
    def jsonld_publisher(self) -> str | None:
        pub = self.jsonld.get("publisher")
        if isinstance(pub, list) and pub:
            pub = pub[0]
        if isinstance(pub, dict):
            return clean_text(str(pub.get("name") or "")) or None
        return clean_text(pub) if isinstance(pub, str) and pub else None

    @cached_property
    def microdata(self) -> dict[str, str]:
        """itemprop -> value (content/datetime/href attribute, else text); first wins."""
        out: dict[str, str] = {}
        for el in select(_ITEMPROP, self.tree):
            if el.tag == "meta":
                continue  # already in self.meta
            value = el.get("content") or el.get("datetime")
            if value is None and el.tag in ("a", "link"):
                value = el.get("href")
            if value is None and el.tag in ("img",):
                value = el.get("src")
            if value is None and len(el) < 20:
                value = element_text(el)
            value = clean_text(value)
            for prop in el.get("itemprop", "").split():
                if value:
                    out.setdefault(prop, value)
        return out

    @cached_property
    def title(self) -> str:
        found = self.tree.find(".//title")
        return clean_text(found.text_content()) if found is not None else ""

    @cached_property
    def html_lang(self) -> str | None:
        lang = self.tree.get("lang") or self.tree.get("xml:lang")
        return lang.strip() or None if lang else None

    @cached_property
    def is_amp(self) -> bool:
        return "amp" in self.tree.attrib or "⚡" in self.tree.attrib

    def absolute(self, href: str | None) -> str | None:
        href = (href or "").strip()
        return urljoin(self.url, href) if href else None
