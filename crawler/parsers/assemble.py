"""The extraction cascade, in one function: per field, the first layer with an answer wins.

Layers: structured metadata (`jsonld`, `meta`, `microdata`) → the source's parser
(`source:<key>:<version>`) → generic rules (`generic`, `generic:trafilatura`).
The source goes first where the page's own markup is more exact than its metadata:
headline (JSON-LD headlines are often cut to 110 characters), lead, body, agency (as
printed), figures and credits. Dates in body datelines are never a date source.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any, TypeVar

from crawler.items import Article, Image, NotAnArticle, PhotoCredit
from crawler.parsers import generic, structured
from crawler.parsers.base import Parser
from crawler.parsers.body import MIN_BODY_CHARS, join_body, split_body, word_count
from crawler.parsers.credits import dedupe, merge_source_line, parse_credit
from crawler.parsers.dates import ParsedDate, parse_date
from crawler.parsers.page import Page, clean_text

T = TypeVar("T")
Layer = tuple[str, Callable[[], Any]]


def _first(provenance: dict[str, str], name: str, layers: list[Layer]) -> Any:
    for layer, get in layers:
        value = get()
        if value:
            provenance[name] = layer
            return value
    return None


def _hit(hit: tuple[Any, str | None]) -> Callable[[], Any]:
    return lambda: hit[0]


def _structured(getter: Callable[[Page], tuple[Any, str | None]], page: Page) -> Layer:
    value, layer = getter(page)
    return (layer or "meta", lambda: value)


def _date(
    provenance: dict[str, str], name: str, layers: list[Layer], tz: str | None, page: Page
) -> ParsedDate | None:
    """The first layer whose date text parses; its raw text is kept beside the value."""
    for layer, get in layers:
        raw = get()
        if not raw:
            continue
        parsed = parse_date(raw, tz=tz, fetched_at=page.fetched_at)
        if parsed.value is not None:
            provenance[name] = layer
            return parsed
    return None


def _iso(parsed: ParsedDate | None) -> str | None:
    """RFC 3339 form (seconds always written), the page's or the source zone's offset."""
    if parsed is None or parsed.value is None:
        return None
    return parsed.value.isoformat(timespec="seconds")


def _is_excerpt(lead: str, headline: str, body: list[str]) -> bool:
    """og:description is often the headline plus the body's first sentences, not a lead."""
    stem = lead.rstrip(".… ").casefold()
    if stem.startswith(headline.rstrip(".…!? ").casefold()):
        return True
    if not body:
        return False
    text = " ".join(body).casefold()
    if body[0].casefold().startswith(stem):
        return True
    sentences = [s for s in re.split(r"(?<=[.!?…])\s+", stem) if len(s) >= 30]
    return any(s.rstrip(".… ") in text for s in sentences)


def assemble(parser: Parser, page: Page, *, timezone: str | None = None) -> Article:
    """Build the Article of a page, or raise NotAnArticle with a short stable reason.
    `timezone` (the crawl's zone of the source) applies to dates printed without offset."""
    tz = timezone or parser.timezone
    src = parser.layer
    reason = generic.error_reason(page) or parser.not_article(page)
    source_root = parser.root(page)
    if reason is None and source_root is None:
        reason = generic.index_reason(page, generic.has_article_root(page))
    if reason:
        raise NotAnArticle(reason)

    prov: dict[str, str] = {}
    headline = _first(
        prov,
        "headline",
        [
            (src, lambda: parser.headline(page)),
            _structured(structured.headline, page),
            ("generic", lambda: generic.headline(page)),
        ],
    )
    if not headline:
        raise NotAnArticle("no headline")
    headline = clean_text(headline)

    body_prov: dict[str, str] = {}
    raw_body: list[str] = (
        _first(
            body_prov,
            "body",
            [
                (src, lambda: parser.body(page)),
                _structured(structured.body, page),
                ("generic:trafilatura", lambda: generic.body(page)),
            ],
        )
        or []
    )

    lead_candidates: list[Layer] = [(src, lambda: parser.lead(page))]
    sd_lead, sd_layer = structured.lead(page)
    if sd_lead and not _is_excerpt(sd_lead, headline, raw_body):
        lead_candidates.append((sd_layer or "meta", lambda: sd_lead))
    lead_candidates.append(("generic", lambda: generic.lead(page)))
    lead = _first(prov, "lead", lead_candidates)
    lead = clean_text(lead) or None

    body, body_credits = split_body(raw_body, headline, lead)
    text = join_body(body)
    if len(text) < MIN_BODY_CHARS:
        raise NotAnArticle("empty body")
    prov.update(body_prov)

    published = _date(
        prov,
        "published_at",
        [
            _structured(structured.published, page),
            (src, lambda: parser.date_text(page)),
            ("generic", lambda: generic.date_text(page)),
        ],
        tz,
        page,
    )
    modified = _date(
        prov,
        "modified_at",
        [
            _structured(structured.modified, page),
            (src, lambda: parser.modified_text(page)),
        ],
        tz,
        page,
    )

    images, credits = _images_and_credits(prov, parser, page, body_credits)

    article = Article(
        url=page.url,
        headline=headline,
        body=text,
        canonical_url=_first(prov, "canonical_url", [_structured(structured.canonical, page)]),
        source=parser.key if parser.key != "generic" else None,
        language=_first(
            prov,
            "language",
            [
                _structured(structured.language, page),
                (src, lambda: parser.language),
            ],
        ),
        lead=lead,
        published_at=_iso(published),
        published_at_raw=published.raw if published else None,
        modified_at=_iso(modified),
        agency=_first(
            prov,
            "agency",
            [
                (src, lambda: parser.agency_text(page)),
                _structured(structured.publisher, page),
            ],
        ),
        authors=_first(
            prov,
            "authors",
            [
                _structured(structured.authors, page),
                (src, lambda: parser.authors(page)),
                ("generic", lambda: generic.authors(page)),
            ],
        )
        or [],
        photo_credits=credits,
        images=images,
        rubric=_first(
            prov,
            "rubric",
            [
                _structured(structured.rubric, page),
                (src, lambda: parser.rubric(page)),
                ("generic", lambda: generic.rubric(page)),
            ],
        ),
        tags=_first(
            prov,
            "tags",
            [
                _structured(structured.tags, page),
                (src, lambda: parser.tags(page)),
                ("generic", lambda: generic.tags(page)),
            ],
        )
        or [],
        word_count=word_count(text),
        fetched_at=page.fetched_at.isoformat() if page.fetched_at else None,
        provenance={},
    )
    if published:
        prov["published_at_raw"] = prov["published_at"]
    if article.photo_credits:
        prov.setdefault("photo_credits", src)
    prov["word_count"] = prov["body"]
    article.provenance = dict(sorted(prov.items()))
    return article


def _images_and_credits(
    prov: dict[str, str], parser: Parser, page: Page, body_credits: list[str]
) -> tuple[list[Image], list[PhotoCredit]]:
    credits: list[PhotoCredit] = []
    images: list[Image] = []
    figures = parser.figures(page)
    if figures:
        prov["images"] = parser.layer
        for figure in figures:
            caption_parts: list[str] = []
            credit_text: str | None = None
            for line in merge_source_line(figure.lines):
                caption, credit = parse_credit(line)
                if caption:
                    caption_parts.append(caption)
                if credit:
                    credits.append(credit)
                    credit_text = credit_text or credit.text
            if figure.url:
                images.append(Image(figure.url, " ".join(caption_parts) or None, credit_text))
    else:
        for url, caption, credit_line in generic.images(page):
            images.append(Image(url, caption, credit_line))
        if images:
            prov["images"] = "generic"
        else:
            urls, layer = structured.image_urls(page)
            images = [Image(u) for u in urls or [] if u]
            if images:
                prov["images"] = layer or "meta"
        layer_credits = [parse_credit(line)[1] for line in generic.credit_lines(page)]
        credits.extend(c for c in layer_credits if c)
        if credits:
            prov["photo_credits"] = "generic"
    for line in body_credits:
        credit = parse_credit(line)[1]
        if credit:
            credits.append(credit)
            prov.setdefault("photo_credits", parser.layer)
    return images, dedupe(credits)
