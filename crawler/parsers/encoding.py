"""Bytes to text: the page's charset as declared, else as detected.

Order: a byte-order mark (it cannot lie), the HTTP `Content-Type` charset, the page's own
`<meta charset>` / `http-equiv` declaration, strict UTF-8, then detection with
charset-normalizer. A declaration is trusted only if the bytes decode under it: servers
often send `utf-8` for windows-1251 pages, and the ngs network sends no charset at all.
A damaged page (a few bad bytes in otherwise valid text) keeps its declared charset, with
the bad bytes replaced, rather than being handed to detection that would misread it.
"""

from __future__ import annotations

import codecs
import re

import charset_normalizer

_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_HEADER_CHARSET = re.compile(r"charset\s*=\s*[\"']?([\w.:-]+)", re.I)
_META_CHARSET = re.compile(rb"<meta[^>]+charset\s*=\s*[\"']?\s*([\w.:-]+)", re.I)
# Share of U+FFFD tolerated before a declared charset is taken for a wrong one.
_DAMAGE_LIMIT = 0.002


def _codec(name: str | None) -> str | None:
    if not name:
        return None
    name = name.strip().lower()
    if name in {"win-1251", "x-cp1251", "cp-1251"}:
        name = "windows-1251"
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def header_charset(content_type: str | None) -> str | None:
    """The charset parameter of an HTTP `Content-Type` header, as a Python codec name."""
    if not content_type:
        return None
    match = _HEADER_CHARSET.search(content_type)
    return _codec(match.group(1)) if match else None


def meta_charset(body: bytes) -> str | None:
    """The charset the page declares in its first 4 KB (`<meta charset>` or http-equiv)."""
    match = _META_CHARSET.search(body[:4096])
    return _codec(match.group(1).decode("ascii", "ignore")) if match else None


def _strict(body: bytes, codec: str) -> str | None:
    try:
        return body.decode(codec)
    except (UnicodeDecodeError, LookupError):
        return None


def _lenient(body: bytes, codec: str) -> str | None:
    # A download cut inside a multi-byte character leaves a broken tail: drop it.
    text = body.decode(codec, errors="replace").rstrip("\ufffd")
    if text.count("\ufffd") <= max(1, int(len(text) * _DAMAGE_LIMIT)):
        return text
    return None


def decode_html(body: bytes, content_type: str | None = None) -> str:
    """Decode a fetched page: BOM → header charset → meta charset → UTF-8 → detection."""
    for bom, codec in _BOMS:
        if body.startswith(bom):
            return body[len(bom) :].decode(codec, errors="replace")
    declared: list[str] = []
    for found in (header_charset(content_type), meta_charset(body)):
        if found and found not in declared:
            declared.append(found)
    utf8 = _strict(body, "utf-8")
    if utf8 is not None and declared and declared[0] != "utf-8" and not body.isascii():
        # Valid multi-byte UTF-8 is next to impossible in real windows-1251/koi8-r text,
        # so a page that decodes as UTF-8 is UTF-8 whatever the server claims.
        return utf8
    for codec in declared:
        text = _strict(body, codec)
        if text is not None:
            return text
    if utf8 is not None:
        return utf8
    for codec in declared:
        text = _lenient(body, codec)
        if text is not None:
            return text
    best = charset_normalizer.from_bytes(body, cp_isolation=None).best()
    if best is not None and best.encoding:
        return str(best)
    return body.decode("utf-8", errors="replace")
