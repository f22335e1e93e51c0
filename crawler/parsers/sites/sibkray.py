"""Сибкрай (sibkray.ru, Novosibirsk): `h1`, `time[datetime]`,
`article div[itemprop="articleBody"]` (SITES.md)."""

from __future__ import annotations

from crawler.parsers.selectors import SelectorParser, XPath


class SibkrayV1(SelectorParser):
    key = "sibkray"
    name = "Сибкрай (sibkray.ru)"
    agency = "Сибкрай"
    timezone = "Asia/Novosibirsk"
    domains = ("sibkray.ru", "www.sibkray.ru")
    version = "v1"

    ROOT = XPath("(//article[.//*[@itemprop='articleBody']] | //article[.//h1])[1]")
    HEADLINE = XPath("(.//h1 | //h1)[1]")
    LEAD = XPath(".//*[contains(@class,'lead') or contains(@class,'announce')][not(.//p)]")
    DATE = XPath(".//time[@datetime] | //time[@datetime]")
    AUTHORS = XPath(".//*[contains(@class,'author')][not(.//*[contains(@class,'author')])]")
    FIGURES = XPath(".//figure")
    BODY = XPath(".//div[@itemprop='articleBody']")
    TAGS = XPath(".//*[contains(@class,'tags')]//a")
    LISTING = XPath("//a[re:test(@href, '/news/(\\d+/\\d+|[a-z0-9-]+-\\d+)/?$')]",
                    namespaces={"re": "http://exslt.org/regular-expressions"})  # fmt: skip
    MIN_LISTING_ITEMS = 4


SibkrayV1.versions = (SibkrayV1,)
