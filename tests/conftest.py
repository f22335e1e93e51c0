"""Shared fixtures: the demo site on 127.0.0.1 and one real crawl of it.

The crawl runs in a subprocess (`python -m crawler crawl ...`) because Scrapy's
reactor can run only once per process; the tests then read the archive it wrote and
the server's request log.
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from crawler.demo.server import DemoSite, _Page

ROOT = Path(__file__).resolve().parent.parent
SITE_ROOT = ROOT / "crawler" / "demo" / "site"
DEMO_KEYS = ("amic", "katun24", "ngs22", "sibnovosti")


def run_cli(
    *args: str,
    timeout: float = 240,
    env: dict[str, str] | None = None,
    driver: Path | None = None,
) -> subprocess.CompletedProcess[str]:
    """Run `newsagg ARGS` in a fresh interpreter, as a user would; `driver`: a script that
    changes something first, then calls `crawler.cli.main`."""
    program = [str(driver)] if driver is not None else ["-m", "crawler"]
    return subprocess.run(
        [sys.executable, *program, *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, "PYTHONIOENCODING": "utf-8", **(env or {})},
        check=False,
    )


def start_cli(*args: str) -> subprocess.Popen[str]:
    """Start `newsagg ARGS` in a fresh interpreter and return at once (to signal it)."""
    return subprocess.Popen(
        [sys.executable, "-m", "crawler", *args],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONIOENCODING": "utf-8"},
    )


def load_truth(key: str) -> dict[str, Any]:
    path = SITE_ROOT / key / "_truth.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    if isinstance(data, list):
        data = {"articles": data, "not_articles": []}
    for article in data["articles"]:  # the truth files name the body ends two ways
        for short, long in (("body_first", "first_paragraph"), ("body_last", "last_paragraph")):
            if short in article:
                article.setdefault(long, article.pop(short))
    return data


@dataclass
class Crawl:
    db: Path
    bases: dict[str, str]
    summary: dict[str, Any]
    requests: list[Any]


@pytest.fixture(scope="session")
def demo_site() -> Iterator[Any]:
    with DemoSite() as site:
        yield site


class HoldingSite(DemoSite):
    """The demo site answering one page late: `hold` seconds after it is asked for, until
    `released` is set, so a crawl can be stopped, or time out, with that page in flight."""

    def __init__(self, path: str, hold: float, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.held_path, self.hold = path, hold
        self.asked = threading.Event()  # the held page was asked for
        self.released = threading.Event()  # answer it now, and at once from now on

    def _resolve(self, source: str, raw_path: str) -> _Page:
        if raw_path.split("?")[0] == self.held_path and not self.released.is_set():
            self.asked.set()
            self.released.wait(self.hold)
        return super()._resolve(source, raw_path)


def crawl_demo(site: Any, db: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    bases = [arg for key in DEMO_KEYS for arg in ("--base", f"{key}={site.bases[key]}")]
    return run_cli("crawl", *DEMO_KEYS, *bases, "--db", str(db), "--json", *extra)


@pytest.fixture(scope="session")
def demo_crawl(demo_site: Any, tmp_path_factory: pytest.TempPathFactory) -> Crawl:
    db = tmp_path_factory.mktemp("crawl") / "news.db"
    demo_site.clear_log()
    result = crawl_demo(demo_site, db)
    assert result.returncode == 0, result.stderr[-3000:]
    summary = json.loads(result.stdout.strip().splitlines()[-1])
    return Crawl(db, dict(demo_site.bases), summary, list(demo_site.requests))


@contextlib.contextmanager
def tmpfs(folder: Path, size: str) -> Iterator[Path]:
    """A tmpfs of `size` mounted at `folder` (made here); needs the right to mount (root,
    as here and in CI), else the test is skipped with the reason."""
    folder.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(folder)],
        capture_output=True,
        check=False,
    )
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.decode().strip()}")
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], check=False)


@pytest.fixture
def mount(tmp_path: Path) -> Iterator[Path]:
    """A 16 MB file system of the test's own (to remount read-only)."""
    with tmpfs(tmp_path / "media", "16m") as folder:
        yield folder


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """An 8 MB file system, soon full."""
    with tmpfs(tmp_path / "small", "8m") as folder:
        yield folder
