"""The parsers of the sources we know, one module per site; key -> latest version."""

from __future__ import annotations

from crawler.parsers.base import Parser
from crawler.parsers.sites.altapress import AltapressV1
from crawler.parsers.sites.amic import AmicV1
from crawler.parsers.sites.bankfax import BankfaxV1
from crawler.parsers.sites.katun24 import Katun24V2
from crawler.parsers.sites.ngs22 import Ngs22V1
from crawler.parsers.sites.sibkray import SibkrayV1
from crawler.parsers.sites.tolknews import TolknewsV1

PARSERS: dict[str, type[Parser]] = {
    cls.key: cls
    for cls in (AmicV1, Katun24V2, Ngs22V1, AltapressV1, TolknewsV1, SibkrayV1, BankfaxV1)
}
