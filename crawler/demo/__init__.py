"""The bundled offline demo: fixture copies of regional news sites and the server for them.

See docs/demo-site.md for the contract (URL mapping, headers, markup per source, truth files).
Names are loaded lazily so that `python -m crawler.demo.server` runs without a double import.
"""

from __future__ import annotations

from typing import Any

__all__ = ["REAL_ORIGINS", "SITE_ROOT", "DemoSite", "RequestRecord"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from crawler.demo import server

        return getattr(server, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
