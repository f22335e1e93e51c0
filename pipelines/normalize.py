"""Normalize: clean text, fill the canonical URL, count words.

Parsers already return clean fields; this stage makes sure of the invariants the
archive relies on whatever produced the item (a parser, a TOML source, a reparse).
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from crawler.items import Article
from pipelines.urls import canonicalize_url

# Spaces that become one plain space, and characters dropped; the patterns are made of the
# same characters that `clean_line` looks for first: `in` scans a body ten times faster than
# a pattern does, and most text has only plain single spaces, which `_SPACES` would replace
# one by one with themselves (a sixth of an import's time in the writing process).
_SPACE_CHARS = " \t\u00a0" + "".join(map(chr, range(0x2000, 0x200B))) + "\u202f\u205f\u3000"
INVISIBLE_CHARS = "\u200b\u200c\u200d\u2060\ufeff\u00ad"
_SPACES = re.compile(f"[{_SPACE_CHARS}]+")
_INVISIBLE = re.compile(f"[{INVISIBLE_CHARS}]")
_SPACE_SIGNS = ("  ", *_SPACE_CHARS[1:])  # what `_SPACES` would change: not one plain space
_BLANK_LINES = re.compile(r"\n\s*\n+")


def clean_line(text: str | None) -> str | None:
    if text is None:
        return None
    if any(char in text for char in INVISIBLE_CHARS):
        text = _INVISIBLE.sub("", text)
    text = unicodedata.normalize("NFC", text)
    if any(sign in text for sign in _SPACE_SIGNS):
        text = _SPACES.sub(" ", text)
    text = text.strip()
    return text or None


def clean_body(text: str) -> str:
    paragraphs = (clean_line(p) for p in _BLANK_LINES.split(text.replace("\r\n", "\n")))
    return "\n\n".join(" ".join(p.split("\n")) for p in paragraphs if p)


def normalize(article: Article) -> Article:
    article.headline = clean_line(article.headline) or ""
    article.lead = clean_line(article.lead)
    article.body = clean_body(article.body)
    article.agency = clean_line(article.agency)
    article.rubric = clean_line(article.rubric)
    article.authors = [a for a in (clean_line(x) for x in article.authors) if a]
    article.tags = list(dict.fromkeys(t for t in (clean_line(x) for x in article.tags) if t))
    article.canonical_url = canonicalize_url(article.canonical_url or article.url, article.url)
    article.word_count = len(article.body.split())
    return article


class NormalizePipeline:
    def process_item(self, item: Any) -> Any:
        return normalize(item) if isinstance(item, Article) else item
