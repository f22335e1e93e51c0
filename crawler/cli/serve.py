"""`newsagg serve`: browse and search the archive in Datasette (the optional `serve` extra)."""

from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path

import click

from crawler.cli.options import UsageExit, db_option, require_archive


def datasette_args(db_path: Path, host: str, port: int) -> list[str]:
    """The Datasette command line: read-only (immutable is not used: a crawl may write)."""
    return [sys.executable, "-m", "datasette", "serve", str(db_path), "--host", host,
            "--port", str(port)]  # fmt: skip


@click.command()
@click.option("--port", type=click.IntRange(0, 65535), default=8001, show_default=True)
@click.option("--host", default="127.0.0.1", show_default=True)
@db_option
def command(port: int, host: str, db_path: Path) -> None:
    """Open the archive in Datasette, with word-form search as in `newsagg search`.

    The search box on `articles` and the ranked query `search` read the query language
    of `newsagg search` (newsagg's Datasette plugin, `crawler/datasette_plugin.py`).

    \b
    Example:
        pip install 'newsagg[serve]'
        newsagg serve --port 8001
    """
    if importlib.util.find_spec("datasette") is None:
        raise UsageExit("Datasette is not installed: pip install 'newsagg[serve]'")
    require_archive(db_path)
    from pipelines.archive import Archive

    Archive.open(db_path).close()  # upgrade the schema before Datasette reads it
    args = datasette_args(db_path, host, port)
    # Become Datasette (no child left behind): a signal to this process (systemd, kill, a
    # terminal's Ctrl-C) reaches the server itself.
    sys.stdout.flush()
    sys.stderr.flush()
    os.execv(args[0], args)
