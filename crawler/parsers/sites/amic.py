"""ИА Амител (www.amic.ru): `div#post` holds h1, lead, the "date, time, agency" line,
the photo and `section.text`; AMP twins (`/amp/news/<id>`) carry the same text in
`div.amp-text`."""

from __future__ import annotations

import re
from datetime import date

from crawler.parsers.base import Figure
from crawler.parsers.page import Page, element_lines, select
from crawler.parsers.selectors import SelectorParser, XPath

# "07 ноября 2019, 16:17, ИА Амител": the date, then who published it
_INFO = re.compile(r"^(?P<date>.*?\d{1,2}:\d{2})\s*(?:[,|•]\s*(?P<agency>.+))?$")


class AmicV1(SelectorParser):
    """The canonical page layout (`main.post-view > div#post`)."""

    key = "amic"
    name = "ИА Амител (amic.ru)"
    agency = "ИА Амител"
    timezone = "Asia/Barnaul"
    domains = ("www.amic.ru", "amic.ru", "m.amic.ru")
    version = "v1"

    ROOT = XPath("(//div[@id='post'] | //main[contains(@class,'post-view')])[1]")
    HEADLINE = XPath(".//h1")
    LEAD = XPath(".//*[contains(@class,'post-lead')]")
    DATE = XPath(".//*[contains(@class,'post-info')]")
    FIGURES = XPath(".//figure[not(ancestor::section[contains(@class,'text')])]"
                    " | .//section[contains(@class,'text')]//figure")  # fmt: skip
    BODY = XPath(".//section[contains(@class,'text')]")
    RUBRIC = XPath("//*[contains(@class,'post-rubric')]//a")
    TAGS = XPath(".//*[contains(@class,'post-tags')]//a")
    AUTHORS = XPath(".//*[contains(@class,'post-author')]")
    LISTING = XPath("//a[re:test(@href, '/news/[a-z0-9-]+-\\d{3,}/?$')]",
                    namespaces={"re": "http://exslt.org/regular-expressions"})  # fmt: skip
    MIN_LISTING_ITEMS = 4

    def _info(self, page: Page) -> re.Match[str] | None:
        text = super().date_text(page)
        return _INFO.match(text) if text else None

    def date_text(self, page: Page) -> str | None:
        info = self._info(page)
        return info.group("date") if info else super().date_text(page)

    def agency_text(self, page: Page) -> str | None:
        info = self._info(page)
        printed = info.group("agency") if info else None
        return printed.strip() if printed else self.agency

    @classmethod
    def detect(cls, page: Page) -> bool:
        return not page.is_amp


class AmicAmp(AmicV1):
    """AMP twin (`/amp/news/<id>`): minimal markup, text in `div.amp-text`."""

    version = "amp"
    valid_from = date(2017, 1, 1)

    ROOT = XPath("(//article[.//h1] | //body)[1]")
    LEAD = XPath(".//*[contains(@class,'post-lead') or contains(@class,'amp-lead')]")
    DATE = XPath(".//*[contains(@class,'post-info') or contains(@class,'amp-info')"
                 " or contains(@class,'amp-date')] | .//time")  # fmt: skip
    FIGURES = XPath(".//figure[not(ancestor::*[contains(@class,'amp-text')])]")
    BODY = XPath(".//*[contains(@class,'amp-text')]")
    # AMP prints the photo as a bare <amp-img> followed by its caption block
    PHOTO = XPath(".//amp-img[not(ancestor::*[contains(@class,'amp-text')])][1]")
    PHOTO_CAPTION = XPath(".//*[contains(@class,'amp-caption')][1]")

    def figures(self, page: Page) -> list[Figure]:
        found = super().figures(page)
        root = self.root(page)
        if found or root is None:
            return found
        imgs = select(self.PHOTO, root)
        captions = select(self.PHOTO_CAPTION, root)
        if not imgs and not captions:
            return []
        url = page.absolute(imgs[0].get("src")) if imgs else None
        return [Figure(url, element_lines(captions[0]) if captions else [])]

    @classmethod
    def detect(cls, page: Page) -> bool:
        return page.is_amp or bool(select(cls.BODY, page.tree))


AmicV1.versions = AmicAmp.versions = (AmicV1, AmicAmp)
