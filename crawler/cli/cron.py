"""`newsagg cron`: print a ready crontab entry for scheduled crawls (see docs/cron.md)."""

from __future__ import annotations

import shlex
import shutil
import sys
from pathlib import Path

import click

from crawler.cli.options import db_option
from crawler.lock import EX_TEMPFAIL
from crawler.sources import UnknownSource, get_source

SYSTEM_PATH = "/usr/local/bin:/usr/bin:/bin"
MAIL_LINES = 40  # log lines cron mails when a run fails
# "*/N" in the minute field restarts at every hour (*/7 runs at :56 and again at :00), so N
# must divide an hour; whole hours must divide a day for "*/H" in the hour field.
MINUTE_STEPS = tuple(n for n in range(1, 60) if 60 % n == 0)
HOUR_STEPS = tuple(60 * n for n in range(1, 25) if 24 % n == 0)


def schedule(every: int) -> str:
    """The five time fields for "every N minutes"."""
    if every in MINUTE_STEPS:
        return f"*/{every} * * * *" if every > 1 else "* * * * *"
    if every in HOUR_STEPS:
        hours = every // 60
        return "0 * * * *" if hours == 1 else f"0 */{hours} * * *"
    raise click.BadParameter(
        f"{every} does not give even intervals in cron: give minutes that divide an hour "
        f"({', '.join(map(str, MINUTE_STEPS))}) or hours that divide a day "
        f"({', '.join(map(str, HOUR_STEPS))})",
        param_hint="--every",
    )


def newsagg_executable() -> list[str]:
    """The `newsagg` of the running virtualenv (absolute), else `python -m crawler`."""
    beside = Path(sys.executable).parent / "newsagg"
    if beside.is_file():
        return [str(beside.absolute())]
    found = shutil.which("newsagg")
    if found:
        return [str(Path(found).absolute())]
    return [str(Path(sys.executable).absolute()), "-m", "crawler"]


def crontab_entry(
    every: int, db: Path, log: Path, sources: tuple[str, ...], max_log_mb: int, project: Path
) -> str:
    """One crontab line: rotate the log, crawl with --check into it, and print its tail
    (which cron mails) only when the crawl failed for a reason other than the lock."""
    executable = newsagg_executable()
    venv_bin = str(Path(executable[0]).parent)
    quoted_log = shlex.quote(str(log))
    targets = [*sources] if sources else ["--all"]
    crawl = [*executable, "crawl", *targets, "--check", "--db", str(db)]
    rotate = (
        f"find {quoted_log} -size +{max_log_mb}M "
        f"-exec mv -f {{}} {shlex.quote(str(log) + '.1')} \\; 2>/dev/null"
    )
    command = (
        f"cd {shlex.quote(str(project))} && mkdir -p {shlex.quote(str(log.parent))} && "
        f"{{ {rotate}; "
        f"PATH={shlex.quote(venv_bin + ':' + SYSTEM_PATH)} {shlex.join(crawl)} "
        f">> {quoted_log} 2>&1 || [ $? -eq {EX_TEMPFAIL} ] || tail -n {MAIL_LINES} {quoted_log}; }}"
    )
    # cron reads an unescaped % as the end of the command (the rest goes to its stdin). It
    # has no escape for a backslash, so "\\%" (a path's backslash before its %) would still
    # end the command, and a line break ends the crontab line: such paths are refused.
    if "\\%" in command or "\n" in command or "\r" in command:
        raise click.UsageError(
            "cron cannot run a command whose paths hold a line break or a backslash right "
            f"before '%': {command!r}; use another folder or file name"
        )
    escaped = command.replace("%", "\\%")
    return f"{schedule(every)} {escaped}"


def logrotate_snippet(log: Path) -> str:
    return "\n".join(
        [
            f"{log} {{",
            "    weekly",
            "    rotate 8",
            "    compress",
            "    missingok",
            "    notifempty",
            "    copytruncate",
            "}",
        ]
    )


@click.command()
@click.argument("sources", nargs=-1)
@db_option
@click.option(
    "--every",
    type=click.IntRange(1, 1440),
    default=15,
    show_default=True,
    help="Minutes between crawls: a divisor of 60 (1, 2, 3, 5, 10, 15, 30, ...) or whole "
    "hours that divide a day (60, 120, 180, 240, 360, 480, 720, 1440).",
)
@click.option(
    "--log",
    "log_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Log file the crawls append to [default: crawl.log beside the archive].",
)
@click.option(
    "--max-log-mb",
    type=click.IntRange(1, 10_000),
    default=10,
    show_default=True,
    help="Rotate the log (one old copy, LOG.1) when it grows past this.",
)
def command(
    sources: tuple[str, ...], db_path: Path, every: int, log_path: Path | None, max_log_mb: int
) -> None:
    """Print a crontab entry that crawls SOURCES (default: all) on a schedule.

    The entry uses this virtualenv's `newsagg` by absolute path, runs from the
    current directory, appends to a log file that rotates by size, and runs
    `crawl --check`, so that cron mails you (MAILTO) the end of the log only when
    something is wrong: a source flagged (exit 3) or the crawl failing. A crawl
    skipped because the previous one still runs (exit 75) is not mailed.
    Paste the output into `crontab -e`; docs/cron.md explains every part.

    \b
    Example:
        newsagg cron --every 15 --db /srv/news/news.db
        newsagg cron amic katun24 --log /var/log/newsagg/crawl.log
    """
    try:  # as `crawl` does: a typo here would fail silently at 3 a.m.
        for key in sources:
            get_source(key)
    except UnknownSource as exc:
        raise click.UsageError(str(exc)) from None
    project = Path.cwd().absolute()
    db = db_path if db_path.is_absolute() else project / db_path
    log = log_path or db.parent / "crawl.log"
    log = log if log.is_absolute() else project / log
    entry = crontab_entry(every, db, log, sources, max_log_mb, project)
    lines = [
        f"# newsagg: crawl {' '.join(sources) or 'every source'} every {every} minutes into {db}",
        "# cron mails MAILTO the last log lines only when a crawl fails or --check flags a",
        f"# source; the log is {log} (rotated past {max_log_mb} MB). See docs/cron.md.",
        "MAILTO=you@example.org",
        entry,
        "",
        "# Or rotate with logrotate instead (drop the `find ... ;` part above) in",
        "# /etc/logrotate.d/newsagg:",
        *("# " + line for line in logrotate_snippet(log).splitlines()),
    ]
    click.echo("\n".join(lines))
