"""newsagg's own Scrapy signals: a page or an article this run lost.

`crawler.middlewares.FetchStateMiddleware` listens, so that nothing lost is recorded as
fetched and the source's feeds and listings keep no validators from this run: the next run
reads them in full and finds the lost articles again.
"""

from __future__ import annotations

from scrapy.http import Request, Response
from twisted.python.failure import Failure

# Sent by the store pipeline with `article=` when an article could not be written.
article_lost = object()
# Sent by the spider's errback with `request=` when a page could not be downloaded (DNS,
# refused, timed out, connection lost, a 5xx after retries); not for robots.txt or a 4xx.
page_lost = object()
# Sent by the spider's errback with `request=` when an article page was larger than
# DOWNLOAD_MAXSIZE: the site's answer, remembered (status 413) so that it is tried again
# after NEWS_RETRY_HOURS, not on every run, which a lost page would make read its source in
# full.
page_too_large = object()


def failed_request(response: Response | Failure) -> Request | None:
    """The request behind Scrapy's `spider_error`: its `response` is the response a callback
    raised on, or the failure an errback raised on."""
    if isinstance(response, Response):
        return response.request
    request = getattr(response, "request", None)
    return request if isinstance(request, Request) else None
