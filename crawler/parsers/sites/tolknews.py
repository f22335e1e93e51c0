"""Толк (tolknews.ru): articles `/<rubric>/<id>-<slug>`. Its HTML is known only loosely:
`h1`, a lead block, a date block printed `10:00, 30 декабря 2016г` (time first, «г»
glued), the text block; the structured layers fill what the selectors miss."""

from __future__ import annotations

from crawler.parsers.selectors import SelectorParser, XPath


class TolknewsV1(SelectorParser):
    key = "tolknews"
    name = "Толк (tolknews.ru)"
    agency = "Толк"
    timezone = "Asia/Barnaul"
    domains = ("tolknews.ru", "www.tolknews.ru")
    version = "v1"

    ROOT = XPath("(//article[.//h1] | //*[contains(@class,'article')][.//h1])[1]")
    HEADLINE = XPath(".//h1")
    LEAD = XPath(".//*[contains(@class,'article__lead') or contains(@class,'lead')]")
    DATE = XPath(".//time[@datetime] | .//*[contains(@class,'article__date')]")
    AUTHORS = XPath(".//*[contains(@class,'article__author')]")
    FIGURES = XPath(".//figure")
    BODY = XPath(".//*[contains(@class,'article__text') or contains(@class,'article__body')"
                 " or @itemprop='articleBody']")  # fmt: skip
    RUBRIC = XPath("//*[contains(@class,'article__rubric')]//a")
    TAGS = XPath(".//*[contains(@class,'article__tags')]//a")
    LISTING = XPath("//a[re:test(@href, '^/[a-z_-]+/\\d+-[a-z0-9-]+/?$')]",
                    namespaces={"re": "http://exslt.org/regular-expressions"})  # fmt: skip
    MIN_LISTING_ITEMS = 4


TolknewsV1.versions = (TolknewsV1,)
