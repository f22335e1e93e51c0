"""The command line as a user meets it: help, examples, exit codes, the README."""

from __future__ import annotations

import re
from pathlib import Path

from click.testing import CliRunner

from crawler.cli import COMMANDS, cli

ROOT = Path(__file__).resolve().parent.parent


def test_every_command_has_help_with_an_example() -> None:
    runner = CliRunner()
    top = runner.invoke(cli, ["--help"])
    assert top.exit_code == 0
    for name in COMMANDS:
        assert name in top.output
        result = runner.invoke(cli, [name, "--help"])
        assert result.exit_code == 0, (name, result.output)
        assert "Example" in result.output and f"newsagg {name}" in result.output, name


def test_archive_commands_take_db() -> None:
    runner = CliRunner()
    for name in ("crawl", "demo", "stats", "search", "export", "reparse", "stories"):
        if name in COMMANDS:
            assert "--db" in runner.invoke(cli, [name, "--help"]).output, name


def test_unknown_source_is_a_usage_error() -> None:
    result = CliRunner().invoke(cli, ["crawl", "no-such-source"])
    assert result.exit_code == 2
    assert "unknown source 'no-such-source'" in result.output and "amic" in result.output


def test_crawl_without_sources_says_what_to_do() -> None:
    result = CliRunner().invoke(cli, ["crawl"])
    assert result.exit_code == 2 and "newsagg sources" in result.output


def test_stats_on_a_missing_archive(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["stats", "--db", str(tmp_path / "none.db")])
    assert result.exit_code == 1 and "no archive at" in result.output


def test_readme_quick_start_is_two_make_targets_that_exist() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    commands = re.findall(r"^\s*(make \S+)\s*$", section, flags=re.M)
    assert commands == ["make demo", "make test"]
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    for command in commands:
        target = command.split()[1]
        assert re.search(rf"^{target}:", makefile, flags=re.M), target
    assert "make test" in (ROOT / ".ci" / "run").read_text(encoding="utf-8")
