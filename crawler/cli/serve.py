"""`newsagg serve`: browse and search the archive in Datasette (the optional `serve` extra)."""

from __future__ import annotations

import errno
import importlib.util
import os
import socket
import sys
from pathlib import Path

import click

from crawler.cli.options import UsageExit, db_option, require_archive


def datasette_args(db_path: Path, host: str, port: int) -> list[str]:
    """The Datasette command line: read-only (immutable is not used: a crawl may write)."""
    return [sys.executable, "-m", "datasette", "serve", str(db_path), "--host", host,
            "--port", str(port)]  # fmt: skip


def check_listen(host: str, port: int) -> None:
    """Exit 2 when Datasette could not listen on host:port (a busy port, an unknown host):
    its own exit code after the exec would be 1 or 3, codes that mean other things here."""
    if port == 0:  # any free port
        return
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except socket.gaierror as exc:
        raise UsageExit(f"cannot listen on {host}: {exc.strerror}") from None
    family, kind, proto, _, address = infos[0]
    with socket.socket(family, kind, proto) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as the server does
        try:
            probe.bind(address)
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                raise UsageExit(f"port {port} on {host} is in use: choose another --port") from None
            raise UsageExit(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None


@click.command()
@click.option("--port", type=click.IntRange(0, 65535), default=8001, show_default=True)
@click.option("--host", default="127.0.0.1", show_default=True)
@db_option
def command(port: int, host: str, db_path: Path) -> None:
    """Open the archive in Datasette, with word-form search as in `newsagg search`.

    The search box on `articles` and the ranked query `search` read the query language
    of `newsagg search` (newsagg's Datasette plugin, `crawler/datasette_plugin.py`).
    A port in use or a host it cannot listen on exits with status 2 before Datasette starts.

    \b
    Example:
        pip install 'newsagg[serve]'
        newsagg serve --port 8001
    """
    if importlib.util.find_spec("datasette") is None:
        raise UsageExit("Datasette is not installed: pip install 'newsagg[serve]'")
    require_archive(db_path)
    check_listen(host, port)
    from pipelines.archive import Archive

    Archive.open(db_path).close()  # upgrade the schema before Datasette reads it
    args = datasette_args(db_path, host, port)
    # Become Datasette (no child left behind): a signal to this process (systemd, kill, a
    # terminal's Ctrl-C) reaches the server itself.
    sys.stdout.flush()
    sys.stderr.flush()
    os.execv(args[0], args)
