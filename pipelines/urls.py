"""URL normalisation: one spelling per article URL.

Lower-case scheme and host, no default port, no fragment, no tracking parameters,
sorted query. A canonical link that points off-site is not trusted (some CMSs point
reprints at the original), so the page's own URL is used instead.
"""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

TRACKING_PARAMS = frozenset(
    {"fbclid", "gclid", "yclid", "ysclid", "from", "utm", "_openstat", "ref", "rss", "amp"}
)


def _is_tracking(name: str) -> bool:
    name = name.lower()
    return name in TRACKING_PARAMS or name.startswith("utm_")


def normalize_url(url: str) -> str:
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    port = parts.port
    if port and not ((scheme == "http" and port == 80) or (scheme == "https" and port == 443)):
        host = f"{host}:{port}"
    query = sorted(
        (k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not _is_tracking(k)
    )
    path = parts.path or "/"
    return urlunsplit((scheme, host, path, urlencode(query), ""))


def same_site(a: str, b: str) -> bool:
    def site(url: str) -> str:
        host = (urlsplit(url).hostname or "").lower()
        for prefix in ("www.", "m.", "amp."):
            if host.startswith(prefix):
                host = host[len(prefix) :]
        return host

    return site(a) == site(b)


def canonicalize_url(canonical: str | None, page_url: str) -> str:
    """The canonical URL of a page: its declared canonical when on the same site."""
    if canonical and same_site(canonical, page_url):
        return normalize_url(canonical)
    return normalize_url(page_url)
