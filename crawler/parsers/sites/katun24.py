"""Катунь 24 (katun24.ru, Drupal): `article.node--news`; infinite scroll appends the next
articles inside `div.infinite-scroll`, so only the first `article` is read."""

from __future__ import annotations

from datetime import date
from typing import ClassVar

from crawler.parsers.page import Page, select
from crawler.parsers.selectors import SelectorParser, XPath


class Katun24V1(SelectorParser):
    """Older pages (to 2016): the date is printed `20 мая 2015, 09:25`, no `datetime`."""

    key = "katun24"
    name = "Катунь 24 (katun24.ru)"
    agency = "Катунь 24"
    timezone = "Asia/Barnaul"
    domains = ("katun24.ru", "www.katun24.ru")
    version = "v1"
    valid_until: ClassVar[date | None] = date(2016, 12, 31)

    ROOT = XPath(
        "(//article[contains(@class,'node--news')]"
        "[not(ancestor::*[contains(@class,'infinite-scroll')])])[1]"
    )
    HEADLINE = XPath(".//h1")
    LEAD = XPath(".//*[contains(@class,'node--news__lead')]")
    DATE = XPath(".//*[contains(@class,'node--news__date')]//time"
                 " | .//*[contains(@class,'node--news__date')]")  # fmt: skip
    FIGURES = XPath(".//*[contains(@class,'node--news__image')]")
    BODY = XPath(".//*[contains(@class,'node--news__body')]")
    TAGS = XPath(".//*[contains(@class,'node--news__tags')]//a")
    LISTING = XPath(
        "//*[contains(@class,'news-main-block-wrapper')]"
        " | //*[contains(@class,'view-content')]//a[starts-with(@href,'/news/')]"
    )
    MIN_LISTING_ITEMS = 1


class Katun24V2(Katun24V1):
    """Current layout: `time[datetime]` with the offset, printed `10 февраля 2022 / 15:43`."""

    version = "v2"
    valid_from = date(2017, 1, 1)
    valid_until = None

    DATE = XPath(".//*[contains(@class,'node--news__date')]//time[@datetime]")

    @classmethod
    def detect(cls, page: Page) -> bool:
        root = select(cls.ROOT, page.tree)
        return not root or bool(select(cls.DATE, root[0]))


Katun24V1.versions = Katun24V2.versions = (Katun24V1, Katun24V2)
