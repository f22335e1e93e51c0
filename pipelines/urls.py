"""URL normalisation: one display spelling per URL, one identity key per article.

`normalize_url` gives the spelling that is stored and shown: lower-case scheme and host, no
default port, no fragment, no tracking parameters, sorted query. A canonical link that points
off-site is not trusted (some CMSs point reprints at the original), so the page's own URL is
used instead (`canonicalize_url`).

`url_key` is coarser and only compared, never shown: it also forgets the scheme, the `www.`,
`m.` and `amp.` host prefixes, AMP path segments and the trailing slash, so that every spelling
of one page has one key. `UrlRules` go further where a source defines the forms of its article
URLs (amic `/news/<id>/`, `/news/<slug>-<id>` and `/amp/news/<id>` are one article): the key is
then `<source>:<article id>`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

TRACKING_PARAMS = frozenset(
    {"fbclid", "gclid", "yclid", "ysclid", "from", "utm", "_openstat", "ref", "rss", "amp"}
)
TWIN_HOST_PREFIXES = ("www.", "m.", "amp.")
_AMP_SEGMENT = re.compile(r"^/amp(?=/)|/amp/?$")


def _is_tracking(name: str) -> bool:
    name = name.lower()
    return name in TRACKING_PARAMS or name.startswith("utm_")


def _host_port(scheme: str, hostname: str | None, port: int | None) -> str:
    host = (hostname or "").lower()
    if port and not ((scheme == "http" and port == 80) or (scheme == "https" and port == 443)):
        host = f"{host}:{port}"
    return host


def _clean_query(query: str) -> str:
    pairs = sorted(
        (k, v) for k, v in parse_qsl(query, keep_blank_values=True) if not _is_tracking(k)
    )
    return urlencode(pairs)


def normalize_url(url: str) -> str:
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    host = _host_port(scheme, parts.hostname, parts.port)
    return urlunsplit((scheme, host, parts.path or "/", _clean_query(parts.query), ""))


def site_of(url: str) -> str:
    """The host without its twin prefixes (`www.`, `m.`, `amp.`): one name per site."""
    host = (urlsplit(url).hostname or "").lower()
    for prefix in TWIN_HOST_PREFIXES:
        if host.startswith(prefix):
            host = host[len(prefix) :]
    return host


def same_site(a: str, b: str) -> bool:
    return site_of(a) == site_of(b)


def canonicalize_url(canonical: str | None, page_url: str) -> str:
    """The canonical URL of a page: its declared canonical when on the same site."""
    if canonical and same_site(canonical, page_url):
        return normalize_url(canonical)
    return normalize_url(page_url)


def url_key(url: str) -> str:
    """The comparison key of a URL: `site[:port]/path[?query]`, path without AMP segments and
    trailing slash. `http://m.amic.ru/amp/news/1/?utm_source=x` → `amic.ru/news/1`."""
    parts = urlsplit(url.strip())
    host = site_of(url)
    if parts.port and parts.port not in (80, 443):  # the key forgets the scheme, so both
        host = f"{host}:{parts.port}"
    path = _AMP_SEGMENT.sub("", parts.path).rstrip("/")
    query = _clean_query(parts.query)
    return f"{host}{path}" + (f"?{query}" if query else "")


class UrlRules:
    """Per-source article identities: a regex over the URL path whose first group is the
    article id (from `Source.url_key`). Sources without a rule get the generic `url_key`."""

    def __init__(self, patterns: Mapping[str, str | re.Pattern[str]] | None = None) -> None:
        self.patterns = {key: re.compile(p) for key, p in (patterns or {}).items() if p}

    def key(self, url: str, source: str | None = None) -> str:
        """`<source>:<id>` when the source's rule matches the path, else `url_key(url)`."""
        pattern = self.patterns.get(source or "")
        if pattern is not None:
            match = pattern.search(urlsplit(url.strip()).path)
            if match:
                return f"{source}:{match.group(1)}"
        return url_key(url)

    def keys(self, urls: list[str | None], source: str | None = None) -> list[str]:
        """The distinct keys of some spellings of one article."""
        return list(dict.fromkeys(self.key(u, source) for u in urls if u))

    def __bool__(self) -> bool:
        return bool(self.patterns)
