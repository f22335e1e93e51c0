"""Pages as fetched, kept compressed beside their article so that `reparse` never refetches.

zlib is in the standard library and cuts a Russian news page to about a fifth; the codec is
recorded per row so that a later version can write zstd without rewriting old rows.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable

CODEC = "zlib"
_LEVEL = 1  # half the time of level 6 for a few per cent more size


class Page(bytes):
    """A page as fetched that knows its stored form already (`stored`: codec, compressed
    bytes), as `export --with-raw` carries it: storing it again compresses nothing. For a
    real 100 KB page that is about a millisecond an article of an import (`read`)."""

    stored: tuple[str, bytes]

    def __reduce__(self) -> tuple[Callable[[str, bytes], bytes], tuple[str, bytes]]:
        # Pickled (to an import's worker) as its stored form, a fifth of the page or less.
        # bytes' own way copies the page, and the pickler keeps every copy of a batch.
        return read, self.stored


def compress(html: bytes) -> tuple[str, bytes]:
    """(codec, compressed bytes) for one page."""
    if isinstance(html, Page):
        return html.stored
    return CODEC, zlib.compress(html, _LEVEL)


def read(codec: str, data: bytes) -> bytes:
    """The page stored as `data` by `codec` (ValueError, zlib.error when it is not one); a
    `Page` keeping `data` when `codec` is the one pages are written with."""
    html = decompress(codec, data)
    if codec != CODEC:  # an uncompressed one is compressed as a crawl's would be
        return html
    page = Page(html)
    page.stored = (codec, data)
    return page


def decompress(codec: str, data: bytes) -> bytes:
    if codec == "zlib":
        return zlib.decompress(data)
    if codec in ("", "none", None):
        return data
    raise ValueError(f"unknown codec of a stored page: {codec!r}")
