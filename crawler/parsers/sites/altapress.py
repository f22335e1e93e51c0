"""Алтапресс (altapress.ru). Markup known with low confidence (SITES.md): `h1`, a lead,
`time[datetime]`, the story text; photo captions print the caption line, then a credit
line (`Снег в Барнауле.` / `Мария Кузнецова, altapress.ru`). AMP twins (`/amp/story/<id>`)
print the date as `февраль 3, 2024` (nominative month, no time)."""

from __future__ import annotations

from crawler.parsers.page import Page
from crawler.parsers.selectors import SelectorParser, XPath


class AltapressV1(SelectorParser):
    key = "altapress"
    name = "Алтапресс (altapress.ru)"
    agency = "Алтапресс"
    timezone = "Asia/Barnaul"
    domains = ("altapress.ru", "www.altapress.ru")
    version = "v1"

    ROOT = XPath("(//article[.//h1] | //*[contains(@class,'story')][.//h1])[1]")
    HEADLINE = XPath(".//h1")
    LEAD = XPath(".//*[contains(@class,'story-lead') or contains(@class,'lead')]")
    DATE = XPath(".//time[@datetime] | .//*[contains(@class,'story-date')]")
    AUTHORS = XPath(".//*[contains(@class,'story-author') or @itemprop='author'][not(.//a)]"
                    " | .//*[contains(@class,'story-author')]//a")  # fmt: skip
    FIGURES = XPath(".//figure")
    BODY = XPath(".//*[contains(@class,'story-body') or @itemprop='articleBody']")
    RUBRIC = XPath("//*[contains(@class,'story-rubric')]//a")
    TAGS = XPath(".//*[contains(@class,'story-tags')]//a")
    LISTING = XPath("//a[contains(@href,'/story/')]")
    MIN_LISTING_ITEMS = 4

    @classmethod
    def detect(cls, page: Page) -> bool:
        return not page.is_amp


class AltapressAmp(AltapressV1):
    """AMP twin: `amp-img`, the date as printed text without time."""

    version = "amp"
    ROOT = XPath("//body")
    DATE = XPath(".//time[@datetime] | .//*[contains(@class,'date')]")
    BODY = XPath(".//*[contains(@class,'story-body') or contains(@class,'amp-text')"
                 " or @itemprop='articleBody']")  # fmt: skip

    @classmethod
    def detect(cls, page: Page) -> bool:
        return page.is_amp


AltapressV1.versions = AltapressAmp.versions = (AltapressV1, AltapressAmp)
