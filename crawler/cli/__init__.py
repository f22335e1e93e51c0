"""The `newsagg` command: a click group whose commands are imported only when run.

Each command lives in its own module (`crawler/cli/<name>.py`, attribute `command`) and
is a thin wrapper over library calls. Lazy loading keeps `newsagg --help` and the
light commands fast: Scrapy and Twisted are imported only by the commands that crawl.
"""

from __future__ import annotations

import importlib
import os
import sys
from typing import Any

import click

# command name -> module under crawler.cli; each module defines `command`
COMMANDS: dict[str, str] = {
    "serve": "serve",
    "search": "search",
    "reparse": "reparse",
    "crawl": "crawl",
    "cron": "cron",
    "demo": "demo",
    "extract": "extract",
    "sources": "sources",
    "stats": "stats",
    "stories": "stories",
    "export": "export",
    "import": "import_",
    "backup": "backup",
}

# commands that never open an archive (so never load sqlite-utils)
WITHOUT_ARCHIVE = frozenset({"sources", "extract"})


SQLITE_IOERR, SQLITE_FULL = 10, 13  # "disk I/O error", "database or disk is full"
EXIT_SIGTERM = 128 + 15
EXIT_SIGINT = 128 + 2


def _stop_cleanly_on_sigterm() -> None:
    """SIGTERM (`timeout`, `kill`, systemd) unwinds like Ctrl-C: open transactions roll back
    and half-written export files are removed, where the default handler just ends the
    process. Commands that crawl install Scrapy's own handlers over this one."""
    import signal

    def stop(signum: int, frame: object) -> None:
        raise SystemExit(EXIT_SIGTERM)

    if signal.getsignal(signal.SIGTERM) is signal.SIG_DFL:
        signal.signal(signal.SIGTERM, stop)


def _clear_unhandled_interrupt() -> None:
    """A KeyboardInterrupt that passed through code run by `exec` or `eval` of a string (each
    dataclass or namedtuple a lazy import makes) leaves CPython's "unhandled interrupt" mark
    set even after we caught it; a `python -m crawler` process then kills itself with SIGINT
    at exit: a parent saw -2, not 130 (the `newsagg` script exits 130 all the same). Running
    a string through `exec` clears the mark first."""
    exec("")


def _load_sqlite_utils_without_pandas() -> None:
    """sqlite-utils imports pandas whenever it is installed (a third of a second, at every
    command, on a researcher's machine) only to take pandas values in inserts, which newsagg
    never passes. Load it with pandas hidden; pandas imports as usual afterwards (a
    Datasette plugin of `newsagg serve` may use it)."""
    if "sqlite_utils" in sys.modules or "pandas" in sys.modules:
        return
    sys.modules["pandas"] = None  # type: ignore[assignment]  # makes `import pandas` fail
    try:
        import sqlite_utils  # noqa: F401
    finally:
        if "pandas" in sys.modules and sys.modules["pandas"] is None:
            del sys.modules["pandas"]


class LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        module_name = COMMANDS.get(cmd_name)
        if module_name is None:
            return None
        module = importlib.import_module(f"crawler.cli.{module_name}")
        command: click.Command = module.command
        return command

    def resolve_command(
        self, ctx: click.Context, args: list[str]
    ) -> tuple[str | None, click.Command | None, list[str]]:
        # here, not in `get_command`: `--help` lists every command through that, and needs
        # no sqlite-utils
        if args and args[0] in COMMANDS and args[0] not in WITHOUT_ARCHIVE:
            _load_sqlite_utils_without_pandas()
        return super().resolve_command(ctx, args)

    def invoke(self, ctx: click.Context) -> Any:
        """Errors of the machine, not of the code, as one line instead of a traceback."""
        import sqlite3

        from crawler.cli.options import UsageExit, busy, busy_exit

        _stop_cleanly_on_sigterm()
        try:
            return super().invoke(ctx)
        except sqlite3.DatabaseError as exc:
            if busy(exc):
                raise busy_exit() from None
            if getattr(exc, "sqlite_errorcode", 0) & 0xFF in (SQLITE_IOERR, SQLITE_FULL):
                raise click.ClickException(  # the disk failed the work, not the user
                    f"{exc}: what was written before is kept; free some space (or check the "
                    "disk) and run again"
                ) from None
            raise UsageExit(f"cannot use the archive: {exc}") from None
        except (FileNotFoundError, IsADirectoryError, NotADirectoryError, PermissionError) as exc:
            where = f" {exc.filename}" if exc.filename else ""
            raise UsageExit(f"cannot use{where}: {exc.strerror or exc}") from None
        except BrokenPipeError:  # `newsagg search ... | head`: the reader has had enough
            devnull = os.open(os.devnull, os.O_WRONLY)  # Python would flush stdout at exit
            os.dup2(devnull, sys.stdout.fileno())
            sys.exit(1)
        except OSError as exc:  # disk full, I/O errors: the work failed
            raise click.ClickException(f"{exc.strerror or exc}") from None
        except KeyboardInterrupt:  # Ctrl-C: 130, as a shell reports it, not click's "Aborted!" 1
            click.echo("\nnewsagg: interrupted; what was written before is kept", err=True)
            _clear_unhandled_interrupt()
            sys.exit(EXIT_SIGINT)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="newsagg")
def cli() -> None:
    """Archive regional news: crawl, extract, deduplicate, search and export.

    \b
    Example:
        newsagg demo                      # crawl the bundled offline demo site
        newsagg crawl amic                # crawl one source into data/news.db
        newsagg search "губернатор" --since 2024-01-01
    """


def main(*args: Any) -> None:
    cli(*args)
