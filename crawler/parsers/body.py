"""Body text: paragraphs of a container, then the cleanup every layer shares.

Paragraphs are `p`, `blockquote`, `h2`–`h6`, `li` and `pre`, plus loose text runs of a
container split at `<br>`. Teaser cards, figures and ads (`furniture.NOT_BODY`) are never
entered. Cleanup then drops furniture lines, photo credit lines (they belong to
`photo_credits`), a repeated headline or lead and a bare date line; a dateline that opens
a paragraph ("БАРНАУЛ, 14 февраля, ФедералПресс. …") is text and stays.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from lxml import etree

from crawler.parsers.credits import is_credit_line
from crawler.parsers.dates import is_dateline, parse_date
from crawler.parsers.furniture import NOT_BODY, is_furniture
from crawler.parsers.page import clean_text, select

BLOCK_TAGS = frozenset({"p", "blockquote", "h2", "h3", "h4", "h5", "h6", "li", "pre", "dd"})
_CONTAINER_TAGS = frozenset(
    {"div", "section", "article", "main", "ul", "ol", "blockquote", "li", "dl", "center", "font"}
)
_HAS_BLOCK = etree.XPath(
    "boolean(.//*[self::p or self::div or self::blockquote or self::li or self::h2 or self::h3"
    " or self::h4 or self::ul or self::ol or self::section])"
)
_PUNCT = re.compile(r"[\s.!?…:;,\"«»“”—–-]+$")
MIN_BODY_CHARS = 200


def _split_run(text: str) -> list[str]:
    return [line for line in (clean_text(t) for t in text.split("\n")) if line]


def paragraphs(container: etree._Element, skip: Iterable[etree._Element] = ()) -> list[str]:
    """Text paragraphs of a body container, in page order."""
    dropped = set(select(NOT_BODY, container))
    dropped.update(skip)
    # Blocks holding something dropped (a footer swallowed by an unclosed <p>) are walked.
    tainted = {anc for el in dropped for anc in el.iterancestors()}
    out: list[str] = []

    def walk(el: etree._Element) -> None:
        run: list[str] = [el.text or ""]
        for child in el:
            if not isinstance(child.tag, str):
                run.append(child.tail or "")
                continue
            tag = child.tag
            if child in dropped:
                pass
            elif (
                tag in BLOCK_TAGS
                and child not in tainted
                and not (tag in _CONTAINER_TAGS and _HAS_BLOCK(child))
            ):
                out.extend(_split_run("".join(run)))
                run = []
                out.extend(_split_run(etree.tostring(child, method="text", encoding="unicode",
                                                     with_tail=False)))  # fmt: skip
            elif tag in _CONTAINER_TAGS or tag in BLOCK_TAGS:
                out.extend(_split_run("".join(run)))
                run = []
                walk(child)
            else:  # inline: part of the current run of loose text
                run.append(etree.tostring(child, method="text", encoding="unicode",
                                          with_tail=False))  # fmt: skip
            run.append(child.tail or "")
        out.extend(_split_run("".join(run)))

    walk(container)
    return out


def _key(text: str) -> str:
    return _PUNCT.sub("", text).casefold()


def _is_date_line(text: str) -> bool:
    if len(text) > 60 or is_dateline(text):
        return False
    return parse_date(text).value is not None and len(re.findall(r"[^\W\d]{4,}", text)) <= 3


def split_body(
    raw: list[str], headline: str | None = None, lead: str | None = None
) -> tuple[list[str], list[str]]:
    """(body paragraphs, credit lines found among them), furniture and repeats removed."""
    repeats = {_key(t) for t in (headline, lead) if t}
    body: list[str] = []
    credits: list[str] = []
    seen: set[str] = set()
    for text in raw:
        key = _key(text)
        if not key or key in repeats or is_furniture(text):
            continue
        if is_credit_line(text):
            credits.append(text)
            continue
        if _is_date_line(text):
            continue
        if key in seen and len(text) < 200:
            continue  # a credit or a line printed twice
        seen.add(key)
        body.append(text)
    return body, credits


def join_body(body: list[str]) -> str:
    return "\n\n".join(body)


def word_count(body: str) -> int:
    return len(re.findall(r"\w+(?:[-’']\w+)*", body))


def has_blocks(el: etree._Element) -> bool:
    return bool(_HAS_BLOCK(el))
