"""The command line as a user meets it: help, examples, exit codes, the README."""

from __future__ import annotations

import json
import os
import re
import sqlite3
import stat
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import run_cli

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
    for name in (
        "crawl",
        "demo",
        "stats",
        "search",
        "export",
        "import",
        "reparse",
        "stories",
        "backup",
    ):
        if name in COMMANDS:
            assert "--db" in runner.invoke(cli, [name, "--help"]).output, name


def test_unknown_source_is_a_usage_error() -> None:
    result = CliRunner().invoke(cli, ["crawl", "no-such-source"])
    assert result.exit_code == 2
    assert "unknown source 'no-such-source'" in result.output and "amic" in result.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--base", "nope=http://127.0.0.1:1"), "Invalid value for --base: unknown source 'nope'"),
        (("amic", "--base", "nope=http://127.0.0.1:1"), "unknown source 'nope'; known: "),
        (("amic", "--base", "katun24=http://127.0.0.1:1"), "'katun24' is not a source of this"),
        (("--demo", "amic", "--base", "amic=http://x"), "--demo serves its sources from the"),
        (("--demo", "nope"), "the demo site has no source 'nope'; it has: amic, katun24"),
        # a path would be dropped: the source's own paths go on the new origin
        (("amic", "--base", "amic=http://127.0.0.1:1/mirror/"), "is not an origin"),
        (("amic", "--base", "amic=http://127.0.0.1:1/?site=amic"), "is not an origin"),
    ],
)
def test_crawl_refuses_sources_it_would_ignore(args: tuple[str, ...], message: str) -> None:
    result = CliRunner().invoke(cli, ["crawl", *args])
    assert result.exit_code == 2 and message in result.output, result.output


def test_crawl_demo_crawls_the_sources_named(tmp_path: Path) -> None:
    result = run_cli("crawl", "--demo", "sibnovosti", "--db", str(tmp_path / "d.db"), "--json")
    assert result.returncode == 0, result.stderr[-2000:]
    assert list(json.loads(result.stdout.splitlines()[-1])["sources"]) == ["sibnovosti"]


def test_crawl_without_sources_says_what_to_do() -> None:
    result = CliRunner().invoke(cli, ["crawl"])
    assert result.exit_code == 2 and "newsagg sources" in result.output


@pytest.mark.parametrize("command", [("search", "школа"), ("export", "--format", "jsonl")])
def test_a_db_path_that_can_never_be_an_archive_is_a_usage_error(
    tmp_path: Path, command: tuple[str, ...]
) -> None:
    (tmp_path / "notes.txt").write_text("заметки\n", encoding="utf-8")
    for db, why in ((tmp_path / "notes.txt" / "x.db", "is not a directory"),
                    (Path("/dev/null"), "not a regular file")):  # fmt: skip
        result = CliRunner().invoke(cli, [*command, "--db", str(db)])
        assert result.exit_code == 2, result.output
        assert result.stderr.startswith(f"Error: cannot use the archive at {db}: "), result.stderr
        assert why in result.stderr


def test_crawl_into_a_path_under_a_file_or_a_device_is_a_usage_error(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("заметки\n", encoding="utf-8")
    under_a_file = tmp_path / "notes.txt" / "x.db"
    for db in (under_a_file, Path("/dev/null")):
        result = run_cli("crawl", "amic", "--base", "amic=http://127.0.0.1:9", "--db", str(db))
        assert result.returncode == 2, result.stderr
        assert result.stderr.startswith(f"Error: cannot use the archive at {db}: ")
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode)


def test_stats_on_a_missing_archive(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["stats", "--db", str(tmp_path / "none.db")])
    assert result.exit_code == 2 and "no archive at" in result.output


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


def _archive_with_one_article(tmp_path: Path) -> Path:
    from crawler.items import Article
    from pipelines.archive import Archive

    db = tmp_path / "news.db"
    body = "\n\n".join(
        f"В Барнауле открыли новый сквер, абзац {i}: жители высадили деревья." for i in range(4)
    )
    with Archive.open(db) as archive:
        archive.store(
            [
                Article(
                    url="https://www.amic.ru/news/skver-580001",
                    canonical_url="https://www.amic.ru/news/skver-580001",
                    source="amic",
                    headline="В Барнауле открыли сквер",
                    body=body,
                    published_at="2026-11-20T10:00:00+07:00",
                )
            ]
        )
    return db


def test_search_rejects_an_unknown_source_instead_of_finding_nothing(tmp_path: Path) -> None:
    db = _archive_with_one_article(tmp_path)
    result = CliRunner().invoke(cli, ["search", "сквер", "--source", "amik", "--db", str(db)])
    assert result.exit_code == 2 and "unknown source 'amik'" in result.output
    ok = CliRunner().invoke(cli, ["search", "сквер", "--source", "AMIC", "--db", str(db)])
    assert ok.exit_code == 0 and "skver-580001" in ok.output


def test_empty_search_results_are_still_valid_json_and_csv(tmp_path: Path) -> None:
    db = str(_archive_with_one_article(tmp_path))
    as_json = CliRunner().invoke(cli, ["search", "трамвай", "--format", "json", "--db", db])
    assert as_json.exit_code == 0 and as_json.stdout.strip() == "[]"
    as_csv = CliRunner().invoke(cli, ["search", "трамвай", "--format", "csv", "--db", db])
    assert as_csv.stdout.splitlines()[0].startswith("article_id,")


def test_a_file_that_is_not_an_archive_is_an_error_not_a_traceback(tmp_path: Path) -> None:
    bogus = tmp_path / "news.db"
    bogus.write_text("hello, this is not SQLite\n" * 100)
    for args in (["stats"], ["search", "сквер"], ["export", "--format", "jsonl"], ["reparse"]):
        result = CliRunner().invoke(cli, [*args, "--db", str(bogus)])
        assert result.exit_code == 2, (args, result.output)
        assert "Traceback" not in result.output and "archive" in result.output, args
    assert bogus.read_text().startswith("hello")  # and it was left as it was


def test_another_programs_database_is_refused_and_left_as_it_was(tmp_path: Path) -> None:
    """A --db that names some other SQLite file never gets newsagg's tables added to it,
    by reading commands (which would upgrade an old archive) nor by writing ones."""
    other = tmp_path / "app.db"
    with sqlite3.connect(other) as conn:
        conn.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT)")
    empty = tmp_path / "empty.jsonl"
    empty.write_text("")
    for args in (
        ["stats"],
        ["search", "сквер"],
        ["export", "--format", "jsonl"],
        ["stories"],
        ["import", str(empty)],
    ):
        result = CliRunner().invoke(cli, [*args, "--db", str(other)])
        assert result.exit_code == 2, (args, result.output)
        assert "not a newsagg archive" in result.output, args
    with sqlite3.connect(other) as conn:
        assert [r[0] for r in conn.execute("SELECT name FROM sqlite_master")] == ["notes"]


def test_an_empty_file_is_not_turned_into_an_archive_by_reading(tmp_path: Path) -> None:
    empty = tmp_path / "news.db"
    empty.touch()
    result = CliRunner().invoke(cli, ["stats", "--db", str(empty)])
    assert result.exit_code == 2 and "no archive at" in result.output
    assert empty.stat().st_size == 0


def test_export_to_a_path_that_cannot_be_written(tmp_path: Path) -> None:
    db = str(_archive_with_one_article(tmp_path))
    target = str(tmp_path / "no" / "such" / "dir" / "x.jsonl")
    result = CliRunner().invoke(cli, ["export", "--format", "jsonl", "-o", target, "--db", db])
    assert result.exit_code == 2 and "cannot write" in result.output


def test_extract_jsonl_goes_on_past_a_bad_path(tmp_path: Path) -> None:
    page = tmp_path / "page.html"
    page.write_text(
        "<html><body><article><h1>Заголовок новости</h1>"
        + "".join(f"<p>Первый абзац новости номер {i}, в нем есть текст.</p>" for i in range(8))
        + "</article></body></html>",
        encoding="utf-8",
    )
    result = CliRunner().invoke(
        cli, ["extract", "--jsonl", str(tmp_path / "missing.html"), str(tmp_path), str(page)]
    )
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [sorted(line)[0] for line in lines[:2]] == ["error", "error"]
    assert "no such file" in lines[0]["error"] and "directory" in lines[1]["error"]
    assert lines[2]["headline"] == "Заголовок новости"


def test_stats_names_articles_without_a_source(tmp_path: Path) -> None:
    """Articles another tool's records brought in without a source were a blank row."""
    from crawler.items import Article
    from pipelines.archive import Archive

    db = tmp_path / "news.db"
    with Archive.open(db) as archive:
        archive.store(
            [
                Article(
                    url="https://example.org/news/1",
                    headline="В Барнауле открыли каток",
                    body="Каток на площади Сахарова открыли в субботу, вход бесплатный.",
                )
            ]
        )
    result = CliRunner().invoke(cli, ["stats", "--db", str(db)])
    assert result.exit_code == 0, result.output
    row = next(line for line in result.stdout.splitlines() if line.startswith("(no source)"))
    assert row.split()[2] == "1"


def test_a_backfill_date_that_is_no_date_is_a_usage_error() -> None:
    result = CliRunner().invoke(cli, ["crawl", "amic", "--since", "2024-13-01"])
    assert result.exit_code == 2 and "is not a date" in result.output


STARTUP_PROBE = """
import json, sys
from crawler.cli import cli
try:
    cli(sys.argv[1:])
except SystemExit:
    pass
loaded = {name: name in sys.modules for name in ("scrapy", "datasketch", "pandas")}
import pandas  # hidden from sqlite-utils only while it loaded: a plugin may still use it
import sqlite_utils.db
loaded["sqlite_utils_saw_pandas"] = sqlite_utils.db.pd is not None
print(json.dumps(loaded))
"""


def test_an_import_loads_neither_scrapy_nor_pandas(tmp_path: Path) -> None:
    """Startup is most of a small command's time: `newsagg import` of one article took 2.6 s,
    2.0 of them loading Scrapy (for a drop reason), datasketch with scipy (for 256 numbers)
    and pandas (which sqlite-utils loads when installed)."""
    pytest.importorskip("pandas")
    line = {
        "url": "https://www.amic.ru/news/most-581301",
        "source": "amic",
        "headline": "Мост через Обь закроют на ремонт",
        "body": "С понедельника движение по старому мосту в Барнауле ограничат на два "
        "месяца. Автобусы пустят в объезд по новому мосту, сообщили в мэрии.",
    }
    source = tmp_path / "one.jsonl"
    source.write_text(json.dumps(line, ensure_ascii=False) + "\n", encoding="utf-8")
    db = tmp_path / "news.db"
    probe = tmp_path / "probe.py"
    probe.write_text(STARTUP_PROBE, encoding="utf-8")
    done = run_cli("import", str(source), "--db", str(db), driver=probe, timeout=120)
    assert "1 new" in done.stderr, done.stderr
    loaded = json.loads(done.stdout.strip().splitlines()[-1])
    assert loaded == {
        "scrapy": False,
        "datasketch": False,
        "pandas": False,
        "sqlite_utils_saw_pandas": False,
    }
    assert sqlite3.connect(db).execute("SELECT headline FROM articles").fetchall() == [
        (line["headline"],)
    ]


def test_help_is_shown_whatever_db_is_given() -> None:
    """--db is read before the other options; a bad one must not hide the help."""
    result = run_cli("search", "--db", "/dev/null", "--help")
    assert result.returncode == 0 and "Usage:" in result.stdout, result.stderr
