"""`newsagg cron`: the printed crontab line, run by `sh` as cron would, with a stand-in
crawler whose exit status the test picks: what lands in the log, what cron would mail."""

from __future__ import annotations

import os
import shlex
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import ROOT

from crawler.cli import cli
from crawler.cli.cron import newsagg_executable


def cron_output(*args: str) -> str:
    result = CliRunner().invoke(cli, ["cron", *args])
    assert result.exit_code == 0, result.output
    return result.output


def entry_line(output: str) -> str:
    lines = [line for line in output.splitlines() if line and not line.startswith(("#", "MAILTO"))]
    assert len(lines) == 1, output
    return lines[0]


def test_the_entry_names_the_schedule_the_venv_and_the_archive(tmp_path: Path) -> None:
    db, log = tmp_path / "news.db", tmp_path / "logs" / "crawl.log"
    output = cron_output("--every", "15", "--db", str(db), "--log", str(log), "amic", "ngs22")
    line = entry_line(output)
    assert line.startswith("*/15 * * * * ")
    executable = newsagg_executable()[0]
    assert Path(executable).is_absolute() and os.access(executable, os.X_OK)
    assert f"{executable} crawl amic ngs22 --check --db {db}" in line
    assert f"PATH={Path(executable).parent}:" in line
    assert f">> {log} 2>&1" in line
    assert "MAILTO=" in output and "logrotate" in output


def test_hourly_schedules_and_impossible_ones() -> None:
    assert entry_line(cron_output("--every", "120")).startswith("0 */2 * * * ")
    assert entry_line(cron_output("--every", "60")).startswith("0 * * * * ")
    assert "--all" in entry_line(cron_output())
    assert entry_line(cron_output("--every", "20")).startswith("*/20 * * * * ")
    for uneven in ("7", "45", "420"):  # */7 would run at :56 and then at :00
        result = CliRunner().invoke(cli, ["cron", "--every", uneven])
        assert result.exit_code == 2 and "--every" in result.output
        assert "(1, 2, 3, 4, 5, 6, 10, 12, 15, 20, 30)" in result.output


def test_an_unknown_source_is_a_usage_error_as_for_crawl() -> None:
    result = CliRunner().invoke(cli, ["cron", "amic", "nosuch"])
    assert result.exit_code == 2
    assert "unknown source 'nosuch'; known: " in result.output
    assert "amic" in result.output.split("known: ")[1]
    assert "* * * *" not in result.output


@pytest.fixture
def stub_line(tmp_path: Path) -> tuple[str, Path]:
    """The cron line with the crawler replaced by a script that logs its arguments and
    exits with $STUB_RC."""
    stub = tmp_path / "newsagg-stub"
    stub.write_text('#!/bin/sh\necho "stub crawl $*"\nexit "$STUB_RC"\n', encoding="utf-8")
    stub.chmod(0o755)
    log = tmp_path / "logs" / "crawl.log"
    line = entry_line(
        cron_output(
            "--db", str(tmp_path / "news.db"), "--log", str(log), "--max-log-mb", "1", "amic"
        )
    )
    command = line.split(" ", 5)[5]
    command = command.replace(shlex.join(newsagg_executable()), str(stub))
    return command, log


def run_as_cron(command: str, rc: int) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["/bin/sh", "-c", command],
        capture_output=True,
        text=True,
        env={"STUB_RC": str(rc), "HOME": str(ROOT)},
        timeout=30,
        check=False,
    )


def test_cron_mails_only_real_failures(stub_line: tuple[str, Path], tmp_path: Path) -> None:
    command, log = stub_line
    quiet = run_as_cron(command, 0)
    assert (quiet.stdout, quiet.stderr) == ("", "")
    assert log.read_text(encoding="utf-8") == (
        f"stub crawl crawl amic --check --db {tmp_path / 'news.db'}\n"
    )
    busy = run_as_cron(command, 75)  # the previous crawl still runs: not worth a mail
    assert (busy.stdout, busy.stderr) == ("", "")
    flagged = run_as_cron(command, 3)  # --check flagged a source: mail the log's tail
    assert flagged.stdout.splitlines()[-1].startswith("stub crawl crawl amic --check")
    assert len(log.read_text(encoding="utf-8").splitlines()) == 3


def test_the_log_rotates_past_its_size(stub_line: tuple[str, Path]) -> None:
    command, log = stub_line
    log.parent.mkdir(parents=True)
    log.write_bytes(b"old line\n" * 150_000)  # 1.35 MB > 1 MB
    assert run_as_cron(command, 0).returncode == 0
    assert log.with_name("crawl.log.1").stat().st_size == 1_350_000
    assert log.read_text(encoding="utf-8").startswith("stub crawl")


def as_cron_reads_it(line: str) -> str:
    """The command cron hands to sh, read as cronie's do_command.c reads it: a `\\%` is a
    `%`, a backslash before any other character stays and escapes it (so `\\\\%` is a
    backslash and then an unescaped `%`), and an unescaped `%` ends the command."""
    command: list[str] = []
    escaped = False
    for ch in line:
        if escaped:
            if ch == "%":
                command[-1] = "%"
            else:
                command.append(ch)
            escaped = False
            continue
        if ch == "%":
            break
        command.append(ch)
        escaped = ch == "\\"
    return "".join(command)


def test_percent_signs_in_paths_are_escaped_for_cron(tmp_path: Path) -> None:
    stub = tmp_path / "newsagg-stub"
    stub.write_text('#!/bin/sh\necho "stub crawl $*"\n', encoding="utf-8")
    stub.chmod(0o755)
    db, log = tmp_path / "news-%F.db", tmp_path / "logs-%d" / "crawl.log"
    line = entry_line(cron_output("--db", str(db), "--log", str(log), "amic"))
    command = as_cron_reads_it(line.split(" ", 5)[5])
    result = run_as_cron(command.replace(shlex.join(newsagg_executable()), str(stub)), 0)
    assert result.returncode == 0, result.stderr
    assert log.read_text(encoding="utf-8") == f"stub crawl crawl amic --check --db {db}\n"


@pytest.mark.parametrize("name", ["news\\%F.db", "news\n.db"])
def test_paths_cron_cannot_run_are_refused(tmp_path: Path, name: str) -> None:
    """A backslash right before % (cron has no escape for the backslash: the % would still
    end the command) or a line break (it would end the crontab line) gives exit 2."""
    result = CliRunner().invoke(cli, ["cron", "--db", str(tmp_path / name)])
    assert result.exit_code == 2, result.output
    assert "cron cannot run" in result.output
    assert isinstance(result.exception, SystemExit)  # a usage error, not a crash
