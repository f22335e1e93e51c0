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

import contextlib
import os
import signal
import threading
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
        self._restoring = False

    def install(self) -> None:
        for signum in HELD:  # the old handler noted first: a signal may land right after
            self._before[signum] = signal.getsignal(signum)
            signal.signal(signum, self._record)

    def restore(self) -> None:
        self._restoring = True
        while self._before:
            signum, handler = self._before.popitem()
            signal.signal(signum, handler)

    def hand_over(self, handler: Handler) -> None:
        """From now on `handler` takes the signals; one that came meanwhile goes to it now."""
        for signum in HELD:
            signal.signal(signum, handler)
        if self.pending is not None:
            handler(self.pending, None)

    def _record(self, signum: int, frame: FrameType | None) -> None:
        if self._restoring:  # the crawl is over: nothing to stop, nothing to raise halfway
            self.pending = self.pending or signum
        elif self.pending is None:
            self.pending = signum
            self._tell(signum)
        elif signum == signal.SIGINT:  # the second one: stop now, unwinding as usual
            raise KeyboardInterrupt
        else:
            raise SystemExit(128 + signum)

    def _tell(self, signum: int) -> None:
        if self.tell:  # os.write: a buffered stream may be in the middle of a write
            name = "Ctrl-C" if signum == signal.SIGINT else signal.Signals(signum).name
            again = "; press Ctrl-C again to force" if signum == signal.SIGINT else ""
            with contextlib.suppress(OSError):  # a terminal gone away must not raise here
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
    if threading.current_thread() is not threading.main_thread():
        yield latch  # only the main thread gets signals (and may set their handlers)
        return
    try:  # installed inside: a second signal meanwhile raises, and the finally undoes it
        _active = latch
        latch.install()
        yield latch
    finally:
        _active = None
        latch.restore()
