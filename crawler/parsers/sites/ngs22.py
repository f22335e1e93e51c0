"""НГС22 (ngs22.ru, the ngs network): `article` with hashed class names; body blocks are
`div[class^=uiArticleBlockText_]`, inserts `uiArticleBlockInsert_` are teasers. These sites
send UTF-8 with no charset in the HTTP header."""

from __future__ import annotations

from crawler.parsers.selectors import SelectorParser, XPath


class Ngs22V1(SelectorParser):
    key = "ngs22"
    name = "НГС22 (ngs22.ru)"
    agency = "НГС22"
    timezone = "Asia/Barnaul"
    domains = ("ngs22.ru", "www.ngs22.ru")
    version = "v1"

    ROOT = XPath("(//article[.//h1])[1]")
    HEADLINE = XPath(".//h1")
    LEAD = XPath(".//p[contains(@class,'subtitle')] | .//*[@itemprop='alternativeHeadline']")
    DATE = XPath(".//time[@itemprop='datePublished'] | .//time[@datetime]")
    AUTHORS = XPath(".//*[@itemprop='author' or contains(@class,'author')][not(.//*[@itemprop])]")
    FIGURES = XPath(".//figure")
    BODY = XPath(".//div[starts-with(@class,'uiArticleBlockText_')"
                 " or contains(@class,' uiArticleBlockText_')]")  # fmt: skip
    RUBRIC = XPath("//article//*[contains(@class,'rubric')]//a")
    LISTING = XPath("//a[re:test(@href, '/text/[a-z_-]+/\\d{4}/\\d{2}/\\d{2}/\\d+/?$')]",
                    namespaces={"re": "http://exslt.org/regular-expressions"})  # fmt: skip


Ngs22V1.versions = (Ngs22V1,)
