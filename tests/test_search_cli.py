"""`newsagg search` and `newsagg serve` as a user meets them: formats, exit codes, messages."""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import ROOT, run_cli

from crawler.cli import cli
from crawler.items import Article, PhotoCredit
from pipelines.archive import Archive

ARTICLES = [
    Article(
        url="https://www.amic.ru/news/society/500001",
        source="amic",
        agency="ИА Амител",
        headline="Губернатор вручил награды учителям Алтайского края",
        body="Церемония прошла в Барнауле. Губернатора поблагодарили за поддержку школ.",
        published_at="2024-10-05T12:00:00+07:00",
        photo_credits=[PhotoCredit("Фото: пресс-служба правительства Алтайского края")],
    ),
    Article(
        url="https://ngs22.ru/text/education/2024/10/06/74002/",
        source="ngs22",
        agency="НГС22",
        headline="В Новоалтайске отремонтировали школу",
        body="Ремонт школы номер 10 завершили к началу учебного года.",
        published_at="2024-10-06T09:00:00+07:00",
    ),
]


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "news.db"
    with Archive.open(path) as archive:
        archive.store(ARTICLES)
    return path


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_json_is_utf8_with_highlighted_original_forms(db: Path) -> None:
    code, out, _ = run("search", "губернатор", "--db", str(db), "--format", "json")
    assert code == 0
    assert "Губернатор" in out  # not \u-escaped
    hits = json.loads(out)
    assert [h["source"] for h in hits] == ["amic"]
    assert "[Губернатора] поблагодарили" in hits[0]["snippet"]
    assert hits[0]["url"] == ARTICLES[0].url


def test_jsonl_and_csv(db: Path) -> None:
    code, out, _ = run("search", "школа", "--db", str(db), "--format", "jsonl")
    assert code == 0
    lines = [json.loads(line) for line in out.splitlines()]
    assert {h["source"] for h in lines} == {"amic", "ngs22"}
    code, out, _ = run("search", "школа", "--db", str(db), "--format", "csv", "--limit", "1")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert code == 0 and len(rows) == 1 and "snippet" in rows[0]


def test_table_and_filters(db: Path) -> None:
    code, out, _ = run(
        "search", "школа", "--db", str(db), "--source", "ngs22", "--since", "2024-10-06"
    )
    assert code == 0
    assert "В Новоалтайске отремонтировали школу" in out
    assert "Губернатор вручил" not in out
    assert "\x1b[" not in out  # no ANSI codes when stdout is not a terminal
    code, out, _ = run("search", "школа", "--db", str(db), "--has-photo-credit")
    assert code == 0 and "Губернатор вручил" in out and "Новоалтайске" not in out


HOSTILE_HEADLINE = "Пожар\nв Бийске\x1b]0;взломано\x07 потушили\r"
HOSTILE_BODY = (
    "Пожар на складе\x07 в Бийске потушили за два часа.\x1b[2J Пострадавших нет,\x9b31m "
    "сообщили в\x7f МЧС по Алтайскому краю. Причину возгорания выясняют дознаватели."
)


def test_table_shows_stored_control_characters_as_marks(tmp_path: Path) -> None:
    """Text with escapes (from an import, a broken page) cannot retitle or clear the terminal,
    and a line break in a headline does not break the layout; json keeps the text exact."""
    db = tmp_path / "news.db"
    hostile = Article(
        url="https://www.amic.ru/news/incidents/500003",
        source="amic",
        headline=HOSTILE_HEADLINE,
        body=HOSTILE_BODY,
        published_at="2024-10-07T10:00:00+07:00\x1b[31m",
    )
    with Archive.open(db) as archive:
        archive.store([hostile])
    code, out, err = run("search", "пожар", "--db", str(db))
    assert code == 0, err
    assert not {"\x1b", "\x07", "\r", "\x7f", "\x9b"} & set(out)
    lines = out.splitlines()
    assert lines[0] == " 1. Пожар в Бийске␛]0;взломано␇ потушили"
    assert "на складе␇ в Бийске потушили за два часа.␛[2J Пострадавших нет,�31m" in out
    assert "сообщили в␡ МЧС" in out
    code, out, err = run("search", "пожар", "--format", "json", "--db", str(db))
    assert code == 0, err
    [hit] = json.loads(out)
    assert (hit["headline"], hit["published_at"]) == (HOSTILE_HEADLINE, hostile.published_at)
    assert "\x1b[2J" in hit["snippet"] and "\x07" in hit["snippet"]


def test_table_on_a_terminal_keeps_only_its_own_bold() -> None:
    from crawler.cli.search import BOLD, render_table

    row = {
        "headline": "Пожар\x1b]0;взломано\x07",
        "source": "amic",
        "published_at": "2024-10-07T10:00:00+07:00",
        "agency": "ИА\x1b[5m Амител",
        "snippet": f"Склад {BOLD[0]}горел{BOLD[1]} два часа\x1b[2J",
        "url": "https://www.amic.ru/news/incidents/500003\x07",
    }
    table = render_table([row], bold=True)
    assert table.count("\x1b") == 4  # bold on and off around the headline, around the match
    assert f"{BOLD[0]}Пожар␛]0;взломано␇{BOLD[1]}" in table
    assert f"Склад {BOLD[0]}горел{BOLD[1]} два часа␛[2J" in table
    assert "ИА␛[5m Амител" in table and "500003␇" in table
    # a right-to-left override would show the rest of its line backwards
    shown = render_table([{**row, "url": "https://amic.ru/\u202egpj.exe", "agency": "А\u2067Б"}])
    assert "https://amic.ru/\ufffdgpj.exe" in shown and "А\ufffdБ" in shown


def test_several_arguments_are_one_query(db: Path) -> None:
    code, out, _ = run("search", "--db", str(db), "--format", "jsonl", "--", "школа", "-ремонт")
    assert code == 0 and [json.loads(line)["source"] for line in out.splitlines()] == ["amic"]


def test_an_exclusion_needs_no_quotes_and_options_still_count(db: Path) -> None:
    """`newsagg search школа -ремонт` used to fail with "No such option: -р"."""
    code, out, err = run("search", "школа", "-ремонт", "--format", "jsonl", "--db", str(db))
    assert code == 0, err
    assert [json.loads(line)["source"] for line in out.splitlines()] == ["amic"]
    code, out, err = run("search", "-ремонт", "школа", "--source", "ngs22", "--db", str(db))
    assert code == 0 and "no results" in (out + err).lower()
    # a misspelled option is still an error, not a query word that finds nothing
    code, out, err = run("search", "школа", "--sinse", "2024-01-01", "--db", str(db))
    assert code == 2 and "no such option: --sinse (did you mean --since?)" in out + err


def test_words_after_a_double_dash_are_query_words_whatever_they_look_like(db: Path) -> None:
    """`--` ends the options: a word after it that begins with "--" is no misspelled
    option ("no such option: --ремонт" was the answer), an option name is a word."""
    code, out, err = run("search", "--db", str(db), "--format", "jsonl", "--", "школа", "--ремонт")
    assert code == 0, out + err
    assert [json.loads(line)["source"] for line in out.splitlines()] == ["amic"]
    code, out, err = run("search", "--format", "jsonl", "--db", str(db), "--", "школа", "--limit")
    assert code == 0 and "no such option" not in out + err


def test_an_index_entry_without_its_article_is_skipped(db: Path) -> None:
    """An article row deleted by hand (foreign keys off) leaves its index entry behind: the
    search shows the other hits, no traceback."""
    conn = sqlite3.connect(db)
    conn.execute("PRAGMA foreign_keys = OFF")
    conn.execute("DELETE FROM articles WHERE url = ?", (ARTICLES[1].url,))
    conn.commit()
    conn.close()
    result = run_cli("search", "школа", "--format", "jsonl", "--db", str(db))
    assert result.returncode == 0 and "Traceback" not in result.stderr, result.stderr
    assert [json.loads(line)["url"] for line in result.stdout.splitlines()] == [ARTICLES[0].url]


def test_no_results_is_not_an_error(db: Path) -> None:
    code, out, err = run("search", "космодром", "--db", str(db))
    assert code == 0 and out == "" and "no results" in err


@pytest.mark.parametrize("command", [("search", "школа"), ("export", "--format", "jsonl")])
def test_since_after_until_exits_2_and_says_so(db: Path, command: tuple[str, ...]) -> None:
    args = (*command, "--since", "2026-01-01", "--until", "2019-01-01", "--db", str(db))
    code, out, err = run(*args)
    assert (code, out) == (2, "")
    assert "--since 2026-01-01 is after --until 2019-01-01: no article can match" in err


@pytest.mark.parametrize(
    ("since", "until"),
    [
        ("2024-10-06", "2024-10-06"),
        ("2024-10-06T02:00:00", "2024-10-06T02:00:00"),
    ],
)
def test_a_range_of_one_day_or_one_moment_is_no_error(db: Path, since: str, until: str) -> None:
    """The ngs22 article was published 2024-10-06 at 09:00 in Barnaul: 02:00 UTC."""
    code, out, err = run(
        "search", "школа", "--since", since, "--until", until, "--format", "jsonl", "--db", str(db)
    )
    assert code == 0, err
    assert [json.loads(line)["source"] for line in out.splitlines()] == ["ngs22"]


@pytest.mark.parametrize(
    ("bounds", "found"),
    [
        (("--since", "2024-10", "--until", "2024-10"), 2),  # October 5th and 6th
        (("--since", "2024", "--until", "2024"), 2),
        (("--until", "2024-09"), 0),
        (("--since", "2024-11"), 0),
        (("--since", "2024-W40", "--until", "2024-W40"), 2),  # Monday 30th to Sunday 6th
        (("--until", "2024-W39"), 0),
    ],
)
def test_a_week_a_month_or_a_year_is_searched_from_its_first_day_to_its_last(
    db: Path, bounds: tuple[str, ...], found: int
) -> None:
    code, out, err = run("search", "школа", *bounds, "--format", "jsonl", "--db", str(db))
    assert code == 0, err
    assert len(out.splitlines()) == found


def test_a_page_past_the_last_hit_says_how_many_there_are(db: Path) -> None:
    code, out, err = run("search", "школа", "--offset", "100", "--db", str(db))
    assert (code, out) == (0, "")
    assert "no results at --offset 100 (2 matches)" in err
    code, out, err = run("search", "школа", "--offset", "2", "--collapse-stories", "--db", str(db))
    assert (code, out) == (0, "") and "no results at --offset 2 (2 matches)" in err
    code, out, err = run(
        "search", "губернатор", "--offset", "1", "--format", "json", "--db", str(db)
    )
    assert (code, json.loads(out)) == (0, []) and "no results at --offset 1 (1 match)" in err
    code, out, err = run("search", "космодром", "--offset", "5", "--db", str(db))
    assert (code, err.strip()) == (0, "no results")


@pytest.mark.parametrize(
    "query", ["*", "-школа", "x" * 2000, "", "OR", "AND NOT", "headline:", "школа title: школа"]
)
def test_bad_query_exits_2_with_a_message(db: Path, query: str) -> None:
    code, _, err = run("search", "--db", str(db), "--", query)  # "--": "-школа" is no option
    assert code == 2
    assert "cannot read the query" in err and "Traceback" not in err


@pytest.mark.parametrize("query", ['"школа', "'; DROP TABLE articles; --", "школа OR", "\x00школа"])
def test_hostile_query_is_read_as_words(db: Path, query: str) -> None:
    code, _, err = run("search", query, "--db", str(db))
    assert code == 0, err
    with Archive.open(db, readonly=True) as archive:
        assert archive.count_articles() == 2


@pytest.mark.parametrize(
    ("option", "value"), [("--offset", "9223372036854775807"), ("--offset", "-1"), ("--limit", "0")]
)
def test_out_of_range_paging_is_a_usage_error(db: Path, option: str, value: str) -> None:
    code, _, err = run("search", "школа", option, value, "--db", str(db))
    assert code == 2 and f"Invalid value for '{option}'" in err, err


def test_missing_archive_and_bad_date(tmp_path: Path) -> None:
    missing = tmp_path / "nothing.db"
    code, _, err = run("search", "школа", "--db", str(missing))
    assert code == 2
    assert f"no archive at {missing}: run newsagg crawl or newsagg demo first" in err
    assert not missing.exists()
    code, _, err = run("search", "школа", "--db", str(missing), "--since", "вчера")
    assert code == 2 and "not a date" in err


@pytest.mark.parametrize(
    ("args", "found"),
    [
        (("search", "школа", "--until", "9999-12-31"), 2),  # the end of that day: no bound
        (("search", "школа", "--until", "9999"), 2),  # the end of that year likewise
        (("search", "школа", "--since", "0001-01-01T00:00+05:00"), 2),  # before year 1 in UTC
        (("search", "школа", "--since", "9999-12-31T23:59:59-05:00"), 0),  # after 9999 in UTC
        (("export", "--format", "jsonl", "--until", "9999-12-31"), 2),
        (("stories", "--json", "--since", "0001-01-01T00:00+05:00"), 0),
        (("reparse", "--dry-run", "--since", "0001-01-01T00:00+05:00"), 0),
    ],
)
def test_dates_at_the_ends_of_the_calendar_are_open_bounds(
    db: Path, args: tuple[str, ...], found: int
) -> None:
    as_lines = ("--format", "jsonl") if args[0] == "search" else ()
    result = CliRunner().invoke(cli, [*args, *as_lines, "--db", str(db)])
    assert result.exit_code == 0 and result.exception is None, result.output
    if args[0] in ("search", "export"):
        assert len(result.stdout.splitlines()) == found


# Times without an offset, as `newsagg import` takes them from another tool's JSON.
NAIVE = {
    "2024-03-05": "ледоход",
    "2024-03-05 12:00:00": "паводок",
    "2024-03-05T12:00": "субботник",
    "2024-03-05T23:30:00": "снегопад",
}


def _imported(tmp_path: Path, published: dict[str, str]) -> Path:
    lines = [
        json.dumps(
            {
                "url": f"https://ngs22.ru/text/spring/{n}/",
                "source": "ngs22",
                "headline": f"Весна: {word}",
                "body": f"Весной в Барнауле ждут {word}. Горожан просят следить за новостями "
                "и сообщениями спасателей.",
                "published_at": when,
            },
            ensure_ascii=False,
        )
        for n, (when, word) in enumerate(published.items())
    ]
    dump = tmp_path / "spring.jsonl"
    dump.write_text("\n".join(lines), encoding="utf-8")
    db = tmp_path / "news.db"
    result = run_cli("import", str(dump), "--db", str(db))
    assert result.returncode == 0, result.stderr
    return db


@pytest.mark.parametrize(
    ("bounds", "found"),
    [
        (("--since", "2024-03-05"), set(NAIVE.values())),
        (("--until", "2024-03-05"), set(NAIVE.values())),
        (("--until", "2024-03-04"), set()),
        (("--since", "2024-03-06"), set()),
        (("--since", "2024-03-05T23:30:00"), {"снегопад"}),  # inclusive
        (("--until", "2024-03-05T12:00:00"), {"ледоход", "паводок", "субботник"}),
    ],
)
def test_times_without_offset_compare_as_times(
    tmp_path: Path, bounds: tuple[str, str], found: set[str]
) -> None:
    """A stored date alone is its midnight, a space or missing seconds change nothing."""
    db = _imported(tmp_path, NAIVE)
    for command in (("search", "весна"), ("export",)):
        code, out, err = run(*command, *bounds, "--format", "jsonl", "--db", str(db))
        assert code == 0, err
        headlines = {json.loads(line)["headline"] for line in out.splitlines()}
        assert headlines == {f"Весна: {word}" for word in found}, command


@pytest.mark.parametrize("day", ["2024-10-06", "20241006", "2024-W40-7"])
def test_any_spelling_of_a_date_is_the_whole_day(db: Path, day: str) -> None:
    code, out, err = run("search", "школа", "--until", day, "--format", "jsonl", "--db", str(db))
    assert code == 0, err
    assert {json.loads(line)["source"] for line in out.splitlines()} == {"amic", "ngs22"}


def test_a_far_date_is_no_traceback(db: Path) -> None:
    result = run_cli("search", "школа", "--until", "9999-12-31", "--db", str(db))
    assert result.returncode == 0 and "Traceback" not in result.stderr, result.stderr


def test_not_an_archive_exits_2(tmp_path: Path) -> None:
    junk = tmp_path / "notes.db"
    junk.write_text("это не база данных, а заметки о поездке в Белокуриху\n" * 100)
    code, _, err = run("search", "школа", "--db", str(junk))
    assert code == 2 and "cannot read the archive" in err and "Traceback" not in err


def test_db_from_environment(db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEWSAGG_DB", str(db))
    result = CliRunner().invoke(cli, ["search", "школа", "--format", "jsonl"])
    assert result.exit_code == 0 and len(result.stdout.splitlines()) == 2


def test_serve_without_datasette_says_how_to_install(
    db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name, *a: None if name == "datasette" else real(name)
    )
    code, _, err = run("serve", "--db", str(db))
    assert code == 2 and "pip install 'newsagg[serve]'" in err


def test_serve_on_a_busy_port_exits_2_before_starting_datasette(db: Path) -> None:
    pytest.importorskip("datasette")
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        # a process of its own: serve becomes Datasette (exec) once the checks pass
        result = run_cli("serve", "--port", str(port), "--db", str(db), timeout=60)
    assert result.returncode == 2, result.stderr
    assert f"port {port} on 127.0.0.1 is in use" in result.stderr


def test_a_field_with_nothing_after_it_says_what_is_missing(db: Path) -> None:
    code, out, err = run("search", "headline:", "--db", str(db))
    assert (code, out) == (2, "")
    assert "headline: needs a word or a phrase right after the colon, e.g. headline:пожар" in err


NOBODY = 65534


def _as_nobody(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups",
         sys.executable, "-m", "crawler", *args],
        cwd="/", capture_output=True, text=True, timeout=120, check=False,
        env={**os.environ, "PYTHONPATH": str(ROOT), "PYTHONIOENCODING": "utf-8"},
    )  # fmt: skip


def test_an_account_that_may_only_read_the_archive() -> None:
    """A journalist's account reading the crawl account's archive, whose folder it may not
    write: while a crawl writes, it searches through the files SQLite keeps beside the
    archive; between crawls SQLite must create them, and the message says what access to
    give (reading the file without them could show a half-written page)."""
    if os.geteuid() != 0 or shutil.which("setpriv") is None:
        pytest.skip("needs root and setpriv to run a command as another account")
    if _as_nobody("--help").returncode != 0:
        pytest.skip("the account 'nobody' cannot run newsagg from this checkout")
    folder = Path(tempfile.mkdtemp(prefix="newsagg-ro-", dir="/tmp"))
    try:
        folder.chmod(0o755)  # others may read, not write
        db = folder / "news.db"
        with Archive.open(db) as archive:
            archive.store([ARTICLES[0]])
        db.chmod(0o644)
        alone = _as_nobody("search", "губернатором", "--format", "json", "--db", str(db))
        assert alone.returncode == 2, alone.stderr
        assert "Traceback" not in alone.stderr
        assert "give it write access to that folder" in alone.stderr
        writer = sqlite3.connect(db)
        try:
            writer.execute("PRAGMA wal_autocheckpoint = 0")
            writer.execute("UPDATE articles SET headline = 'Учителей наградили в Барнауле'")
            writer.commit()
            busy = _as_nobody("search", "губернатором", "--format", "json", "--db", str(db))
        finally:
            writer.close()
        assert busy.returncode == 0, busy.stderr
        assert json.loads(busy.stdout)[0]["headline"] == "Учителей наградили в Барнауле"
    finally:
        shutil.rmtree(folder)


def test_a_reader_that_stops_reading_is_no_error(db: Path) -> None:
    """`newsagg search ... | head -1`: the pipe closes before the hits are written."""
    reader, writer = os.pipe()
    os.close(reader)  # gone before the first write: that write fails with EPIPE
    try:
        done = subprocess.run(
            [sys.executable, "-m", "crawler", "search", "губернатор", "--db", str(db)],
            cwd=ROOT, stdout=writer, stderr=subprocess.PIPE, text=True, timeout=120, check=False,
        )  # fmt: skip
    finally:
        os.close(writer)
    assert done.returncode == 1 and done.stderr == ""


def test_days_can_be_read_in_the_readers_zone(tmp_path: Path) -> None:
    """Night news of Barnaul (UTC+7) is published on the previous UTC day: `--since
    2026-11-01` missed a 02:00 article of November 1st. With --tz (or NEWSAGG_TZ) a day is
    that zone's day, and a time without an offset is that zone's time."""
    db = tmp_path / "news.db"
    night = Article(
        url="https://www.amic.ru/news/society/500100",
        source="amic",
        headline="Ночью в Барнауле выпал первый снег",
        body="Снегопад начался около двух часов ночи, к утру выпало три сантиметра снега.",
        published_at="2026-11-01T02:00:00+07:00",
    )
    # an article whose page gave no offset: its local time is all it has
    local = Article(
        url="https://www.amic.ru/news/society/500101",
        source="amic",
        headline="Вечером в Барнауле начался снегопад",
        body="Снег пошел около восьми вечера, дорожные службы вывели на улицы технику.",
        published_at="2026-10-31T20:00:00",
    )
    with Archive.open(db) as archive:
        archive.store([night, local])

    def found(*args: str, env: dict[str, str] | None = None) -> list[str]:
        result = CliRunner(env=env).invoke(
            cli, ["search", "снег", "--format", "jsonl", "--db", str(db), *args]
        )
        assert result.exit_code == 0, result.output
        return [json.loads(line)["url"] for line in result.stdout.splitlines()]

    assert found("--since", "2026-11-01") == []  # UTC: it is October 31st, 19:00
    assert found("--since", "2026-11-01", "--tz", "Asia/Barnaul") == [night.url]
    assert found("--until", "2026-10-31", "--tz", "Asia/Barnaul") == [local.url]
    assert found("--until", "2026-10-31") == [night.url, local.url]
    assert found("--since", "2026-11-01", env={"NEWSAGG_TZ": "Asia/Barnaul"}) == [night.url]
    # a time without an offset is the zone's: 02:00 in Barnaul, not 02:00 UTC
    assert found("--since", "2026-11-01T02:00", "--tz", "Asia/Barnaul") == [night.url]
    assert found("--since", "2026-11-01T02:01", "--tz", "Asia/Barnaul") == []
    # zone names in any case, as people type them
    assert found("--since", "2026-11-01", "--tz", "asia/barnaul") == [night.url]
    assert found("--since", "2026-11-01", "--tz", "utc") == []
    exported = CliRunner().invoke(
        cli,
        ["export", "--format", "jsonl", "--since", "2026-11-01", "--tz", "Asia/Barnaul",
         "--db", str(db)],
    )  # fmt: skip
    assert exported.exit_code == 0 and night.url in exported.stdout
    stories = CliRunner().invoke(cli, ["stories", "--tz", "Asia/Barnaul", "--db", str(db)])
    assert stories.exit_code == 0, stories.output
    bad = CliRunner().invoke(cli, ["search", "снег", "--tz", "Barnaul", "--db", str(db)])
    assert bad.exit_code == 2 and "is not a time zone" in bad.output
