"""A stop asked for while a crawl is being set up, held until the crawl can honour it.

From `newsagg crawl` printing "crawling ..." to Scrapy's handlers taking over, the process
opens the archive and imports and builds the crawler (a second or more). Python's default
handlers raise KeyboardInterrupt (or our SystemExit for SIGTERM) wherever the main thread
happens to be then, and two places are common and bad:

- inside a Twisted Deferred, which turns the exception into a Failure: the signal is lost
  and the crawl runs to its end, exit 0;
- inside code that a library runs through `exec` or `eval` (every dataclass and namedtuple
  made while importing): CPython then marks the interrupt "unhandled" even when we catch
  it, and kills itself with SIGINT at exit (`-2` to a parent, not our 130).

`SignalLatch` records the first SIGINT or SIGTERM instead of raising; the crawl checks it
before it starts and hands it to Scrapy's graceful stop (`hand_over`). A second signal forces
the stop at once, as a second Ctrl-C does mid-crawl.
"""

from __future__ import annotations

import os
import signal
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import FrameType
from typing import Any

Handler = Callable[[int, FrameType | None], Any]
HELD = (signal.SIGINT, signal.SIGTERM)


class SignalLatch:
    """Keeps the first stopping signal; `pending` is it, or None."""

    def __init__(self, tell: bool = False) -> None:
        self.pending: int | None = None
        self.tell = tell  # say at once that the stop was heard (a person at a terminal)
        self._before: dict[int, Any] = {}

    def install(self) -> None:
        for signum in HELD:
            self._before[signum] = signal.signal(signum, self._record)

    def restore(self) -> None:
        for signum, handler in self._before.items():
            signal.signal(signum, handler)
        self._before.clear()

    def hand_over(self, handler: Handler) -> None:
        """From now on `handler` takes the signals; one that came meanwhile goes to it now."""
        for signum in HELD:
            signal.signal(signum, handler)
        if self.pending is not None:
            handler(self.pending, None)

    def _record(self, signum: int, frame: FrameType | None) -> None:
        if self.pending is not None:  # the second one: stop now, unwinding as usual
            if signum == signal.SIGINT:
                raise KeyboardInterrupt
            raise SystemExit(128 + signum)
        self.pending = signum
        if self.tell:  # os.write: a buffered stream may be in the middle of a write
            name = "Ctrl-C" if signum == signal.SIGINT else signal.Signals(signum).name
            again = "; press Ctrl-C again to force" if signum == signal.SIGINT else ""
            os.write(2, f"\n{name}: stopping before the crawl begins{again}\n".encode())


_active: SignalLatch | None = None


@contextmanager
def signals_held(tell: bool = False) -> Iterator[SignalLatch]:
    """Hold SIGINT and SIGTERM for the block (main thread only). Nested blocks share the
    outer latch, so a signal caught before an inner block began is not forgotten."""
    global _active
    if _active is not None:
        yield _active
        return
    latch = SignalLatch(tell)
    latch.install()
    _active = latch
    try:
        yield latch
    finally:
        _active = None
        latch.restore()
