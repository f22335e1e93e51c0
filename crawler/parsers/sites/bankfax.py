"""ИА Банкфакс (bankfax.ru): HTML layout unknown, so the parser names the site (agency,
zone, domains) and leaves every field to the structured and generic layers."""

from __future__ import annotations

from crawler.parsers.base import Parser


class BankfaxV1(Parser):
    key = "bankfax"
    name = "ИА Банкфакс (bankfax.ru)"
    agency = "ИА Банкфакс"
    timezone = "Asia/Barnaul"
    domains = ("bankfax.ru", "www.bankfax.ru")
    version = "v1"


BankfaxV1.versions = (BankfaxV1,)
