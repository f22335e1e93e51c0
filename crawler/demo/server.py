"""Serve the demo fixture site: one local HTTP origin per demo source.

Each source folder under `site/` gets its own threaded server on a free 127.0.0.1 port, so every
source has its own origin and its own robots.txt. Pages are stored with the real hosts in them
and rewritten to the local origins on the way out, so the same files serve as golden pages.
The contract (URL mapping, `_headers.json`, conditional GET, misbehaving paths) is
docs/demo-site.md.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import threading
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from email.utils import formatdate, parsedate_to_datetime
from functools import cache
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

SITE_ROOT = Path(__file__).parent / "site"

# Real hosts written in the pages of each demo source; all of them are rewritten when served.
REAL_ORIGINS: dict[str, list[str]] = {
    "amic": ["www.amic.ru", "amic.ru"],
    "katun24": ["katun24.ru", "www.katun24.ru"],
    "ngs22": ["ngs22.ru", "www.ngs22.ru"],
    "sibnovosti": ["sibnovosti.example", "www.sibnovosti.example"],
}

# Sources whose real site sends HTML as UTF-8 without a charset in the Content-Type header.
HTML_WITHOUT_CHARSET = frozenset({"ngs22"})

MAX_SLOW_SECONDS = 30.0
HUGE_PAGE_BYTES = 5 * 1024 * 1024

_TEXT_TYPES = ("text/", "xml", "json")
_CONTENT_TYPES = {
    ".xml": "application/xml",
    ".txt": "text/plain; charset=utf-8",
    ".json": "application/json",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".png": "image/png",
    ".gif": "image/gif",
    ".svg": "image/svg+xml",
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
}
_NOT_FOUND = (
    '<!DOCTYPE html><html lang="ru"><head><meta charset="utf-8">'
    "<title>404 — страница не найдена</title></head>"
    "<body><h1>Страница не найдена</h1><p>Ошибка 404.</p></body></html>"
).encode()


@dataclass(frozen=True)
class RequestRecord:
    """One request as the server saw it: what tests count to know what the spider fetched."""

    source: str
    method: str
    path: str  # path with query, as sent
    status: int
    headers: dict[str, str]


@dataclass
class _Page:
    status: int
    headers: dict[str, str]
    body: bytes
    conditional: bool = False  # answer If-None-Match / If-Modified-Since with 304


@dataclass
class _StoredPage:
    body: bytes
    headers: dict[str, Any]
    mtime: float = field(default_factory=time.time)


def page_key(raw_path: str) -> str:
    """Normalise a request path for lookups: decoded path, plus `?page=N` if present."""
    split = urlsplit(raw_path)
    path = unquote(split.path) or "/"
    page = parse_qs(split.query).get("page")
    if page and page[0].isdigit():
        return f"{path}?page={page[0]}"
    return path


def file_candidates(key: str) -> list[str]:
    """Relative file names that may hold the page for a normalised key (first existing wins).

    `/` adds `index.html` (or `index.xml`), a last segment without a dot adds `.html`, and
    `?page=N` inserts `.page-N` before the extension (`?page=1` falls back to the page without
    it). Segments starting with `_` are private, as are `.` and `..`.
    """
    path, _, page = key.partition("?page=")
    rel = path.lstrip("/")
    if not rel or rel.endswith("/"):
        names = [rel + "index.html", rel + "index.xml"]
    elif "." not in rel.rsplit("/", 1)[-1]:
        names = [rel + ".html"]
    else:
        names = [rel]
    if page:
        paged = [f"{stem}.page-{page}.{ext}" for stem, _, ext in (n.rpartition(".") for n in names)]
        names = paged + names if page == "1" else paged  # `?page=1` is usually the first page
    segments = rel.split("/")[:-1] if rel.endswith("/") else rel.split("/")
    if any(s.startswith("_") or s in (".", "..") or (s == "" and rel) for s in segments):
        return []
    return names


def _content_type(source: str, name: str, body: bytes) -> str:
    suffix = Path(name).suffix.lower()
    if suffix in (".html", ".htm"):
        return "text/html" if source in HTML_WITHOUT_CHARSET else "text/html; charset=utf-8"
    if suffix == ".xml" and b"<rss" in body[:1024]:
        return "application/rss+xml"
    return _CONTENT_TYPES.get(suffix, "application/octet-stream")


def _get(headers: Mapping[str, Any], name: str) -> Any:
    lowered = name.lower()
    return next((v for k, v in headers.items() if k.lower() == lowered), None)


def _apply(headers: dict[str, str], overrides: Mapping[str, Any]) -> int | None:
    """Merge header overrides (null removes a header); return the overriding status, if any."""
    status = None
    for name, value in overrides.items():
        if name.lower() == "status":
            status = int(value)
            continue
        for existing in [k for k in headers if k.lower() == name.lower()]:
            del headers[existing]
        if value is not None:
            headers[name] = str(value)
    return status


def _not_modified(request: Mapping[str, str], headers: Mapping[str, str]) -> bool:
    if_none_match = _get(request, "If-None-Match")
    if if_none_match is not None:
        etag = _get(headers, "ETag")
        tags = [t.strip().removeprefix("W/") for t in if_none_match.split(",")]
        return etag is not None and ("*" in tags or etag.removeprefix("W/") in tags)
    since, modified = _get(request, "If-Modified-Since"), _get(headers, "Last-Modified")
    if not since or not modified:
        return False
    try:
        return parsedate_to_datetime(modified) <= parsedate_to_datetime(since)
    except (TypeError, ValueError):
        return False


def _small_page(title: str) -> bytes:
    return (
        f'<!DOCTYPE html><html lang="ru"><head><meta charset="utf-8"><title>{title}</title>'
        f"</head><body><h1>{title}</h1></body></html>"
    ).encode()


@cache
def _huge_page() -> bytes:
    head = '<!DOCTYPE html><html lang="ru"><head><meta charset="utf-8"><title>Огромная страница'
    head += "</title></head><body><h1>Огромная страница</h1>\n"
    para = "<p>Этот абзац повторяется, чтобы страница весила пять мегабайт.</p>\n".encode()
    start, end = head.encode(), b"</body></html>\n"
    count = (HUGE_PAGE_BYTES - len(start) - len(end)) // len(para) + 1
    return start + para * count + end


# Truncated, never closed, with a NUL byte and bytes that are not UTF-8.
_BROKEN_PAGE = (
    b'<!DOCTYPE html>\n<html lang="ru"><head><meta charset="utf-8"><title>'
    + "Сломанная страница".encode()
    + b'\x00</title>\n<body><div id="post" class="post"><h1>'
    + "Обрыв ".encode()
    + b"\xff\xfe\xc0\xaf"
    + "<p>Текст обрывается на полусло".encode()
    + "в".encode()[:1]
)


class _SourceServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, site: DemoSite, source: str, port: int = 0) -> None:
        super().__init__(("127.0.0.1", port), _Handler)
        self.site = site
        self.source = source


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    timeout = MAX_SLOW_SECONDS + 5  # idle keep-alive connections do not hold threads forever

    def do_GET(self) -> None:
        self._respond(send_body=True)

    def do_HEAD(self) -> None:
        self._respond(send_body=False)

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: the request log lives in `DemoSite.requests`."""

    def _respond(self, *, send_body: bool) -> None:
        server = self.server
        assert isinstance(server, _SourceServer)
        request_headers = dict(self.headers.items())
        page = server.site._resolve(server.source, self.path)
        status, body = page.status, page.body
        if page.conditional and status == 200 and _not_modified(request_headers, page.headers):
            status, body = 304, b""
        record = RequestRecord(server.source, self.command, self.path, status, request_headers)
        server.site._log(record)
        try:
            self.send_response(status)
            for name, value in page.headers.items():
                self.send_header(name, value)
            if status not in (204, 304):
                self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if send_body and status not in (204, 304):
                self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True  # the client gave up (timeouts, size limits): fine


DEMO_PORTS: dict[str, int] = {"amic": 8601, "katun24": 8602, "ngs22": 8603, "sibnovosti": 8604}


class DemoSite:
    """Serves crawler/demo/site/<key>/ per source, each on its own free 127.0.0.1 port."""

    def __init__(
        self,
        root: Path | None = None,
        *,
        sources: Iterable[str] | None = None,
        ports: Mapping[str, int] | None = None,
    ) -> None:
        self.root = Path(root) if root is not None else SITE_ROOT
        # Preferred ports (the demo's own, so that its URLs stay the same from run to run and
        # a second `newsagg demo` finds the articles already archived); a busy one falls
        # back to a free port, listed in `moved`.
        self.ports: dict[str, int] = dict(ports or {})
        self.moved: list[str] = []
        available = sorted(
            p.name for p in self.root.iterdir() if p.is_dir() and p.name[0] not in "._"
        )
        wanted = list(sources) if sources is not None else available
        unknown = sorted(set(wanted) - set(available))
        if unknown:
            raise ValueError(f"no demo source folder for: {', '.join(unknown)}")
        self.sources: list[str] = wanted
        self.bases: dict[str, str] = {}
        self.requests: list[RequestRecord] = []
        self._lock = threading.Lock()
        self._stored: dict[tuple[str, str], _StoredPage] = {}
        self._overrides = {source: self._load_overrides(source) for source in wanted}
        self._servers: list[tuple[_SourceServer, threading.Thread]] = []
        self._origin_re: re.Pattern[bytes] | None = None
        self._host_bases: dict[bytes, bytes] = {}

    # lifecycle
    def start(self) -> dict[str, str]:
        """Bind every source to a free port and serve in daemon threads; return the bases."""
        if self._servers:
            return dict(self.bases)
        for source in self.sources:
            try:
                server = _SourceServer(self, source, self.ports.get(source, 0))
            except OSError:  # the preferred port is taken: any free one will do
                server = _SourceServer(self, source)
                self.moved.append(source)
            self.bases[source] = f"http://127.0.0.1:{server.server_address[1]}"
            thread = threading.Thread(
                target=server.serve_forever,
                kwargs={"poll_interval": 0.05},
                name=f"demo-{source}",
                daemon=True,
            )
            self._servers.append((server, thread))
        self._compile_rewriter()
        for _, thread in self._servers:
            thread.start()
        return dict(self.bases)

    def stop(self) -> None:
        for server, thread in self._servers:
            server.shutdown()
            server.server_close()
            thread.join(timeout=5)
        self._servers.clear()

    def __enter__(self) -> DemoSite:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # test helpers
    def requests_for(self, source: str) -> list[RequestRecord]:
        with self._lock:
            return [r for r in self.requests if r.source == source]

    def clear_log(self) -> None:
        with self._lock:
            self.requests.clear()

    def put(
        self,
        source: str,
        path: str,
        body: bytes | str,
        headers: dict[str, str] | None = None,
    ) -> None:
        """Add or replace a page at run time; it wins over the file and `_headers.json`.

        `headers` may hold `status` and any header; without a Content-Type it is guessed from
        the path like for files. Models new or changed articles between crawls.
        """
        if source not in self._overrides:
            raise KeyError(f"unknown demo source: {source}")
        data = body.encode("utf-8") if isinstance(body, str) else bytes(body)
        with self._lock:
            self._stored[(source, page_key(path))] = _StoredPage(data, dict(headers or {}))

    # serving
    def _log(self, record: RequestRecord) -> None:
        with self._lock:
            self.requests.append(record)

    def _load_overrides(self, source: str) -> dict[str, dict[str, Any]]:
        path = self.root / source / "_headers.json"
        if not path.exists():
            return {}
        raw: dict[str, dict[str, Any]] = json.loads(path.read_text(encoding="utf-8"))
        return {page_key(key): value for key, value in raw.items()}

    def _compile_rewriter(self) -> None:
        self._host_bases = {
            host.encode(): self.bases[source].encode()
            for source, hosts in REAL_ORIGINS.items()
            if source in self.bases
            for host in hosts
        }
        if not self._host_bases:
            self._origin_re = None
            return
        hosts = sorted(self._host_bases, key=len, reverse=True)
        alternatives = b"|".join(re.escape(h) for h in hosts)
        # not followed by more host characters: `amic.ru` must not match `amic.ru.example`
        self._origin_re = re.compile(rb"https?://(" + alternatives + rb")(?![\w-]|\.\w)", re.I)

    def rewrite(self, data: bytes) -> bytes:
        """Real origins of every served source -> their local origins (bytes, any charset)."""
        if self._origin_re is None:
            return data
        return self._origin_re.sub(lambda m: self._host_bases[m.group(1).lower()], data)

    def _resolve(self, source: str, raw_path: str) -> _Page:
        key = page_key(raw_path)
        if key.startswith("/__"):
            return self._misbehave(source, key)
        with self._lock:
            stored = self._stored.get((source, key))
        if stored is not None:
            name = next(iter(file_candidates(key)), key)  # the file it stands for: content type
            return self._serve(source, name, stored.body, stored.mtime, stored.headers)
        overrides = self._overrides[source].get(key, {})
        folder = self.root / source
        for name in file_candidates(key):
            path = folder / name
            if path.is_file():
                return self._serve(source, name, path.read_bytes(), path.stat().st_mtime, overrides)
        if overrides.get("status"):  # a redirect or an error with no file behind it
            headers = {"Content-Type": "text/html; charset=utf-8"}
            status = _apply(headers, overrides) or 200
            location = _get(headers, "Location")
            if location:
                _apply(headers, {"Location": self.rewrite(location.encode()).decode()})
            return _Page(status, headers, _small_page(f"Ошибка {status}"))
        return _Page(404, {"Content-Type": "text/html; charset=utf-8"}, _NOT_FOUND)

    def _serve(
        self, source: str, name: str, body: bytes, mtime: float, overrides: Mapping[str, Any]
    ) -> _Page:
        content_type = _get(overrides, "Content-Type") or _content_type(source, name, body)
        if any(marker in content_type for marker in _TEXT_TYPES):
            body = self.rewrite(body)
        headers = {
            "Content-Type": content_type,
            "ETag": '"' + hashlib.sha1(body).hexdigest()[:20] + '"',
            "Last-Modified": formatdate(mtime, usegmt=True),
        }
        status = _apply(headers, overrides)  # may also drop the validators (null values)
        location = _get(headers, "Location")
        if location:
            _apply(headers, {"Location": self.rewrite(location.encode()).decode()})
        return _Page(status or 200, headers, body, conditional=True)

    def _misbehave(self, source: str, key: str) -> _Page:
        """Robustness routes, the same on every source (see docs/demo-site.md)."""
        html = {"Content-Type": "text/html; charset=utf-8"}
        parts = key.split("?", 1)[0].strip("/").split("/")
        route, arg = parts[0], (parts[1] if len(parts) > 1 else "")
        if route == "__status" and arg.isdigit() and 100 <= int(arg) <= 599:
            status = int(arg)
            return _Page(status, html, b"" if status in (204, 304) else _small_page(f"Ответ {arg}"))
        if route == "__slow":
            try:
                seconds = min(max(float(arg or "1"), 0.0), MAX_SLOW_SECONDS)
            except ValueError:
                seconds = 1.0
            time.sleep(seconds)
            return _Page(200, html, _small_page("Медленная страница"))
        if route == "__huge":
            return _Page(200, html, _huge_page())
        if route == "__broken":
            return _Page(200, html, _BROKEN_PAGE)
        if route == "__redirect-loop":
            target = "/__redirect-loop" if arg else "/__redirect-loop/next"
            headers = {**html, "Location": self.bases[source] + target}
            return _Page(302, headers, _small_page("Перенаправление"))
        return _Page(404, html, _NOT_FOUND)


def main(argv: list[str] | None = None) -> None:
    """Serve the demo site in the foreground and print one base URL per source."""
    parser = argparse.ArgumentParser(description=main.__doc__)
    parser.add_argument("--root", type=Path, default=None, help="site folder (default: bundled)")
    parser.add_argument("--source", action="append", help="serve only this source (repeatable)")
    args = parser.parse_args(argv)
    site = DemoSite(args.root, sources=args.source)
    with site:
        for source, base in site.bases.items():
            print(f"{source:12} {base}/", flush=True)
        print("Ctrl+C to stop.", flush=True)
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            pass


if __name__ == "__main__":
    main()
