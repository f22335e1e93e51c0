"""`newsagg export` as a user meets it: outputs, filters, errors and exit codes."""

from __future__ import annotations

import json
import os
import shutil
import stat
import tempfile
import threading
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner, Result
from test_export import build_archive

from crawler.cli import cli


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_archive(tmp_path_factory.mktemp("export-cli") / "news.db")


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, ["export", *args])


def test_jsonl_to_stdout_with_query_and_filters(db: Path) -> None:
    result = run("мост", "--format", "jsonl", "--fields", "source,headline", "--db", str(db))
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert [json.loads(line)["source"] for line in lines] == ["amic", "sibnovosti"]
    assert "В Барнауле открыли новый мост через Обь" in lines[0]  # not ASCII-escaped
    assert result.stderr == "exported 2 articles to standard output\n"  # and no progress bar


def test_csv_file_for_excel(db: Path, tmp_path: Path) -> None:
    out = tmp_path / "news.csv"
    result = run(
        "--format", "csv", "--excel", "-o", str(out), "--fields", "id,source",
        "--since", "2024-03-06", "--db", str(db),
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert out.read_bytes() == b"\xef\xbb\xbfid,source\r\n2,katun24\r\n3,ngs22\r\n"
    assert f"exported 2 articles to {out}" in result.stderr


def test_parquet_file_with_until_time(db: Path, tmp_path: Path) -> None:
    out = tmp_path / "news.parquet"
    result = run(
        "--format", "parquet", "-o", str(out), "--until", "2024-03-05T12:00:00+07:00",
        "--db", str(db),
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert pq.read_table(out, columns=["source"]).column("source").to_pylist() == ["amic"]


@pytest.mark.parametrize(
    ("bounds", "count"),
    [
        (("--since", "2024-03", "--until", "2024-03"), 3),  # all of March, not April 1st
        (("--since", "2024", "--until", "2024"), 4),
        (("--until", "2024-02"), 0),  # February ends before the 5th of March
        (("--since", "2024-04"), 1),
        (("--since", "2023", "--until", "2023"), 0),
        (("--since", "2024-W10", "--until", "2024-W10"), 3),  # Monday 4th to Sunday 10th
        (("--since", "2024W10", "--until", "2024W10"), 3),
        (("--until", "2024-W09"), 0),
        (("--since", "2024-W10-2", "--until", "2024-W10-2"), 2),  # a day of a week: the 5th
        (("--since", "2024-W10-3", "--until", "2024-W10-7"), 1),  # the 6th to the 10th
        (("--until", "9999-W52"), 4),  # its Sunday is past the last day a date can be
    ],
)
def test_a_week_a_month_or_a_year_runs_from_its_first_day_to_its_last(
    db: Path, bounds: tuple[str, ...], count: int
) -> None:
    result = run("--format", "jsonl", *bounds, "--db", str(db))
    assert result.exit_code == 0, result.output
    assert len(result.stdout.splitlines()) == count


def test_since_last_twice(tmp_path: Path) -> None:
    path = build_archive(tmp_path / "news.db")
    args = ("--format", "jsonl", "--since-last", "cron", "--db", str(path))
    first = run(*args, "-o", str(tmp_path / "a.jsonl"))
    assert first.exit_code == 0 and "exported 4 articles" in first.stderr
    # Stored moments ago, so still inside the settle time: delivered again, never lost.
    again = run(*args, "-o", str(tmp_path / "b.jsonl"))
    assert again.exit_code == 0 and "exported 4 articles" in again.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--format", "jsonl", "--fields", "id,titel"), "unknown field: titel; valid fields: id,"),
        (("--format", "parquet"), "Parquet cannot be written to standard output"),
        (("--format", "jsonl", "--excel"), "--excel applies to the CSV format only"),
        (("--format", "jsonl", "--since", "5 марта"), "is not a date"),
        (("--format", "jsonl", "--until", "2024-13"), "is not a month"),
        (("--format", "jsonl", "--since", "2024-00"), "is not a month"),
        (("--format", "jsonl", "--since", "0000"), "is not a month or a year"),
        (
            (
                "--format",
                "xml",
            ),
            "Invalid value for '--format'",
        ),
        (("NOT",), "Missing option '--format'"),
    ],
)
def test_usage_errors_exit_2(db: Path, args: tuple[str, ...], message: str) -> None:
    result = run(*args, "--db", str(db))
    assert result.exit_code == 2
    assert message in result.output


def test_unreadable_query_exits_2(db: Path) -> None:
    result = run("-", "--format", "jsonl", "--db", str(db))
    assert result.exit_code == 2 and "no words to search for" in result.output


def test_missing_archive(tmp_path: Path) -> None:
    missing = tmp_path / "none.db"
    result = run("--format", "jsonl", "--db", str(missing))
    assert result.exit_code == 2
    assert f"no archive at {missing}: run newsagg crawl or newsagg demo first" in result.output
    assert not missing.exists()


def test_help_has_examples() -> None:
    result = CliRunner().invoke(cli, ["export", "--help"])
    assert result.exit_code == 0
    assert "newsagg export --format parquet" in result.output and "--since-last" in result.output


@pytest.mark.parametrize("suffix", ["", "-wal", "-journal"])
def test_an_output_that_is_the_archive_is_refused(tmp_path: Path, suffix: str) -> None:
    path = build_archive(tmp_path / "news.db")
    before = path.read_bytes()
    link = tmp_path / "link.db"
    link.symlink_to(path)
    cases = [(f"{path}{suffix}", path), (f"{path}{suffix}", link)]
    cases += [] if suffix else [(str(link), path)]
    for output, db in cases:
        result = run("--format", "jsonl", "-o", output, "--db", str(db))
        assert result.exit_code == 2, result.output
        assert f"-o {output} would overwrite the archive {db}: choose" in result.stderr
    assert path.read_bytes() == before
    assert not Path(f"{path}-journal").exists()


def test_a_symlinked_output_replaces_its_target_and_stays_a_link(db: Path, tmp_path: Path) -> None:
    real, link = tmp_path / "real.jsonl", tmp_path / "link.jsonl"
    real.write_text("old\n", encoding="utf-8")
    link.symlink_to(real)
    result = run("--format", "jsonl", "--fields", "id", "-o", str(link), "--db", str(db))
    assert result.exit_code == 0, result.output
    assert link.is_symlink() and link.resolve() == real
    assert real.read_text(encoding="utf-8") == "".join(f'{{"id":{n}}}\n' for n in range(1, 5))


def test_dev_null_stays_a_device(db: Path) -> None:
    result = run("--format", "csv", "-o", "/dev/null", "--db", str(db))
    assert result.exit_code == 0, result.output
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode)
    assert not list(Path("/dev").glob(".null.tmp-*"))


def test_a_fifo_is_written_into(db: Path, tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    received: list[bytes] = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_bytes()), daemon=True)
    reader.start()
    result = run("--format", "jsonl", "--fields", "id", "-o", str(fifo), "--db", str(db))
    reader.join(timeout=10)
    assert result.exit_code == 0, result.output
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)
    assert received == [b"".join(b'{"id":%d}\n' % n for n in range(1, 5))]
    assert [p.name for p in tmp_path.iterdir()] == ["pipe"]


def test_a_regular_file_under_dev_is_replaced_not_appended_to(db: Path) -> None:
    """/dev/shm is an ordinary folder: a second export replaces the first (a path under /dev
    is not a stream because of where it is)."""
    if not Path("/dev/shm").is_dir() or not os.access("/dev/shm", os.W_OK):
        pytest.skip("no writable /dev/shm")
    out = Path(tempfile.mkdtemp(prefix="newsagg-", dir="/dev/shm")) / "x.jsonl"
    try:
        for _ in range(2):
            result = run("--format", "jsonl", "--fields", "id", "-o", str(out), "--db", str(db))
            assert result.exit_code == 0, result.output
        assert out.read_text(encoding="utf-8") == "".join(f'{{"id":{n}}}\n' for n in range(1, 5))
    finally:
        shutil.rmtree(out.parent)
