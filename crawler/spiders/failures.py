"""What kind of download failure a failed request met: the `errors/<kind>` counted per source.

Scrapy wraps Twisted's errors, and Twisted wraps its own (`ResponseNeverReceived` holds the
reasons), so a failure is classified by the first known exception among its causes. The
kinds are what the run summary, `newsagg stats` and the health flags show: "dns",
"refused", "timeout", "tls", "lost", "http 5xx", "robots", "ignored", "too large" (past
DOWNLOAD_MAXSIZE), else the exception's type name.
"""

from __future__ import annotations

from collections.abc import Iterator

from OpenSSL.SSL import Error as SSLError
from scrapy.exceptions import (
    CannotResolveHostError,
    DownloadCancelledError,
    DownloadConnectionRefusedError,
    DownloadTimeoutError,
    IgnoreRequest,
    ResponseDataLossError,
)
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.internet import defer
from twisted.internet import error as net_error
from twisted.python.failure import Failure

from crawler.stopdownloads import StoppedDownload

# Download failures (Scrapy's own, and Twisted's under them) -> the kind counted as
# `errors/<kind>`; the first match wins.
FAILURE_KINDS: tuple[tuple[tuple[type[BaseException], ...], str], ...] = (
    ((CannotResolveHostError, net_error.DNSLookupError), "dns"),
    ((DownloadConnectionRefusedError, net_error.ConnectionRefusedError), "refused"),
    (
        (
            DownloadTimeoutError,
            net_error.TimeoutError,
            net_error.TCPTimedOutError,
            defer.TimeoutError,
            TimeoutError,
        ),
        "timeout",
    ),
    ((SSLError,), "tls"),
    ((net_error.ConnectionLost, net_error.ConnectionDone, net_error.ConnectionAborted), "lost"),
    ((ResponseDataLossError,), "lost"),
)


# A request the crawl did not download because it was stopping: no failure of the site's.
STOPPED = "stopped"
# A page past DOWNLOAD_MAXSIZE: an answer of the site's, the same on every run (not lost).
TOO_LARGE = "too large"


def _too_large(exc: BaseException) -> bool:
    """Scrapy cancels a download past DOWNLOAD_MAXSIZE ("... larger than download max size")."""
    return isinstance(exc, DownloadCancelledError) and "max size" in str(exc)


def _causes(exc: BaseException) -> Iterator[BaseException]:
    """The exception, what it was raised from, and what a Twisted wrapper holds."""
    seen: list[BaseException] = []
    todo = [exc]
    while todo and len(seen) < 8:
        current = todo.pop(0)
        seen.append(current)
        yield current
        if current.__cause__ is not None:
            todo.append(current.__cause__)
        for reason in getattr(current, "reasons", None) or ():  # ResponseNeverReceived
            if isinstance(reason, Failure) and isinstance(reason.value, BaseException):
                todo.append(reason.value)


def failure_kind(failure: Failure) -> str | None:
    """The short kind of a download failure; None for a 4xx, an answer counted elsewhere
    (`http/<status>`)."""
    exc = failure.value
    if isinstance(exc, HttpError):
        status = exc.response.status
        return f"http {status // 100}xx" if status >= 500 else None
    if isinstance(exc, StoppedDownload):
        return STOPPED
    if isinstance(exc, IgnoreRequest):
        return "robots" if "robots.txt" in str(exc) else "ignored"
    causes = list(_causes(exc)) if exc is not None else []
    if any(_too_large(cause) for cause in causes):
        return TOO_LARGE
    for types, kind in FAILURE_KINDS:
        if any(isinstance(cause, types) for cause in causes):
            return kind
    return type(exc).__name__
