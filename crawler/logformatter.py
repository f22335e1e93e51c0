"""Log dropped items, and items a pipeline raised on, as one short line (reason and URL), not
as a dump of the whole item and its page."""

from __future__ import annotations

import logging
from typing import Any

from scrapy import logformatter


class NewsLogFormatter(logformatter.LogFormatter):
    def dropped(self, item: Any, exception: BaseException, response: Any, spider: Any) -> Any:
        return {
            "level": logging.INFO,
            "msg": "dropped: %(exception)s",
            "args": {"exception": exception},
        }

    def item_error(self, item: Any, exception: BaseException, response: Any, spider: Any) -> Any:
        return {
            "level": logging.ERROR,
            "msg": "error processing %(url)s",
            "args": {"url": getattr(item, "url", None) or type(item).__name__},
        }
