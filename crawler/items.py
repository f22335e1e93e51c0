"""The one contract between parsers, pipelines, the archive and every export.

An `Article` is what a parser returns for one page and what flows through the item
pipelines (Scrapy accepts dataclass items). Its field list is documented in
docs/schema.md, and tests/test_items.py checks that the two agree.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from typing import Any


class NotAnArticle(Exception):
    """A page that is not a news article: a section index, a tag page, an error page
    served with status 200, an empty body. `reason` is short and stable (it is counted)."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason
        self.detail = detail


@dataclass
class PhotoCredit:
    """A photo credit as printed, without its caption, split where the page says who."""

    text: str
    photographer: str | None = None
    organisation: str | None = None


@dataclass
class Image:
    url: str
    caption: str | None = None
    credit: str | None = None


@dataclass
class Article:
    """One news article. Timestamps are ISO 8601 strings: with the offset of the page or
    of the source's zone; without an offset only when the zone is truly unknown."""

    url: str
    headline: str
    body: str
    canonical_url: str | None = None
    source: str | None = None
    language: str | None = None
    lead: str | None = None
    published_at: str | None = None
    published_at_raw: str | None = None
    modified_at: str | None = None
    agency: str | None = None
    authors: list[str] = field(default_factory=list)
    photo_credits: list[PhotoCredit] = field(default_factory=list)
    images: list[Image] = field(default_factory=list)
    rubric: str | None = None
    tags: list[str] = field(default_factory=list)
    word_count: int = 0
    fetched_at: str | None = None
    # field name -> layer that produced it: "jsonld", "meta", "source:amic:v1", "generic", ...
    provenance: dict[str, str] = field(default_factory=dict)
    # Not part of the JSON form: the page as fetched, kept by the archive for `reparse`.
    raw_html: bytes | None = field(default=None, repr=False, compare=False)

    def to_dict(self) -> dict[str, Any]:
        """The JSON form: every field but `raw_html`, nested dataclasses as dicts."""
        data = asdict(self)
        data.pop("raw_html", None)
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Article:
        known = {f.name for f in fields(cls)}
        kwargs = {k: v for k, v in data.items() if k in known}
        kwargs["photo_credits"] = [
            c if isinstance(c, PhotoCredit) else PhotoCredit(**c)
            for c in kwargs.get("photo_credits") or []
        ]
        kwargs["images"] = [
            i if isinstance(i, Image) else Image(**i) for i in kwargs.get("images") or []
        ]
        return cls(**kwargs)


ARTICLE_FIELDS: tuple[str, ...] = tuple(f.name for f in fields(Article) if f.name != "raw_html")
