"""`newsagg extract`: a file, stdin, many files; JSON out; exit 3 for non-articles."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import run_cli

from crawler.cli import cli

GOLDEN = Path(__file__).parent / "golden"
SEED = GOLDEN / "amic" / "seed_575321.html"
SEED_URL = "https://www.amic.ru/news/gubernator-tomenko-575321"


def test_file_with_url_prints_the_article_in_utf8() -> None:
    result = CliRunner().invoke(cli, ["extract", str(SEED), "--url", SEED_URL])
    assert result.exit_code == 0, result.output
    assert "ИА Амител" in result.stdout  # not ASCII-escaped
    data = json.loads(result.stdout)
    assert data["source"] == "amic" and data["published_at"] == "2019-11-07T16:17:00+07:00"


def test_a_saved_page_without_url_is_read_as_the_page_it_says_it_is(tmp_path: Path) -> None:
    """Without --url a file used to get the generic parser (its file:// URL names no site),
    which took the date of the next article of katun24's infinite scroll."""
    page = Path(__file__).parent.parent / "crawler/demo/site/katun24/news/28416.html"
    result = CliRunner().invoke(cli, ["extract", str(page)])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert (data["source"], data["url"]) == ("katun24", "https://katun24.ru/news/28416")
    assert data["published_at"] == "2015-05-20T09:25:00+06:00"  # Barnaul: UTC+6 till 2016
    # a page that declares no URL of its own keeps the file's
    bare = tmp_path / "bare.html"
    paragraphs = [
        "Сквер площадью два гектара на улице Малахова открыли после реконструкции.",
        "Подрядчик высадил 300 деревьев и поставил новые скамейки вдоль главной аллеи.",
        "Вечером сквер освещают 40 фонарей, у входа появилась детская площадка.",
        "Работы обошлись городскому бюджету в 48 миллионов рублей, сообщили в мэрии.",
    ]
    bare.write_text(
        "<html><head><title>Новый сквер</title></head><body><article>"
        "<h1>В Барнауле открыли новый сквер на улице Малахова</h1>"
        + "".join(f"<p>{p}</p>" for p in paragraphs)
        + "</article></body></html>",
        encoding="utf-8",
    )
    result = CliRunner().invoke(cli, ["extract", str(bare)])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["url"] == bare.resolve().as_uri()


def test_a_reprint_is_read_by_its_own_sites_parser_not_its_canonicals() -> None:
    """A reprint names the original as its canonical (the syndication practice search
    engines ask for) and keeps its own og:url; the canonical's site used to pick the parser,
    which read another site's markup."""
    page = Path(__file__).parent.parent / "crawler/demo/site/katun24/news/28416.html"
    html = page.read_text(encoding="utf-8")
    own = '<link rel="canonical" href="https://katun24.ru/news/28416">'
    assert own in html
    reprint = html.replace(own, '<link rel="canonical" href="https://www.amic.ru/news/x-575321">')
    runner = CliRunner()
    original = json.loads(runner.invoke(cli, ["extract", str(page)]).stdout)
    result = runner.invoke(cli, ["extract", "-"], input=reprint.encode("utf-8"))
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert (data["source"], data["url"]) == ("katun24", "https://katun24.ru/news/28416")
    for field in ("headline", "published_at", "body", "photo_credits"):
        assert data[field] == original[field], field
    # a canonical on the same site (another spelling of its host) stays the page's URL
    spelled = html.replace(own, '<link rel="canonical" href="https://www.katun24.ru/news/28416">')
    result = runner.invoke(cli, ["extract", "-"], input=spelled.encode("utf-8"))
    assert json.loads(result.stdout)["url"] == "https://www.katun24.ru/news/28416"


def test_stdin_without_a_url_says_the_site_is_unknown() -> None:
    page = (GOLDEN / "katun24" / "old_layout_28416.html").read_text(encoding="utf-8")
    bare = re.sub(r'<link rel="canonical"[^>]*>|<meta property="og:url"[^>]*>', "", page)
    result = CliRunner().invoke(cli, ["extract", "-"], input=bare.encode("utf-8"))
    assert "declares no URL of its own" in result.stderr and "--url" in result.stderr
    named = CliRunner().invoke(cli, ["extract", "-", "--url", "https://katun24.ru/news/28416"],
                               input=bare.encode("utf-8"))  # fmt: skip
    assert named.exit_code == 0 and "declares no URL" not in named.stderr


def test_stdin_with_source_and_fetched_at() -> None:
    page = (GOLDEN / "katun24" / "old_layout_28416.html").read_bytes()
    args = ["extract", "-", "--url", "http://127.0.0.1/news/28416", "--source", "katun24",
            "--fetched-at", "2026-11-27T03:00:00+00:00"]  # fmt: skip
    result = CliRunner().invoke(cli, args, input=page)
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["agency"] == "Катунь 24"
    assert data["fetched_at"] == "2026-11-27T03:00:00+00:00"


def test_not_an_article_exits_3_with_the_reason() -> None:
    page = GOLDEN / "not_articles" / "error_page_amic.html"
    result = CliRunner().invoke(cli, ["extract", str(page), "--source", "amic"])
    assert result.exit_code == 3
    assert "not an article: error page" in result.stderr


def test_jsonl_gives_one_line_per_file() -> None:
    pages = [str(SEED), str(GOLDEN / "not_articles" / "error_page_amic.html")]
    result = CliRunner().invoke(cli, ["extract", "--jsonl", *pages, "--source", "amic"])
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [line.get("not_an_article") for line in lines] == [None, "error page"]
    assert lines[0]["agency"] == "ИА Амител"


def test_missing_file_is_a_usage_error() -> None:
    result = CliRunner().invoke(cli, ["extract", "no/such/page.html"])
    assert result.exit_code == 2


def test_a_malformed_url_is_a_fetch_failure_not_a_traceback() -> None:
    result = run_cli("extract", "http://[::1")
    assert result.returncode == 1, result.stderr
    assert result.stderr == "Error: cannot fetch http://[::1: Invalid IPv6 URL\n"


@pytest.mark.parametrize(("bad", "code"), [("missing.html", 2), ("http://[::1", 1)])
def test_jsonl_goes_on_past_an_unreadable_input_and_then_fails(
    tmp_path: Path, bad: str, code: int
) -> None:
    missing = str(tmp_path / bad) if bad.endswith(".html") else bad
    result = CliRunner().invoke(cli, ["extract", "--jsonl", missing, str(SEED), "--source", "amic"])
    assert result.exit_code == code, result.output
    first, second = (json.loads(line) for line in result.stdout.splitlines())
    assert first["path"] == missing and "error" in first
    assert second["agency"] == "ИА Амител"


def test_a_fetched_page_says_when_it_was_fetched() -> None:
    """`extract URL` left fetched_at empty, so relative dates had nothing to count from."""
    from datetime import UTC, datetime

    from crawler.demo.server import DemoSite

    before = datetime.now(UTC).replace(microsecond=0)
    with DemoSite(sources=["ngs22"]) as site:
        url = site.bases["ngs22"] + "/text/society/2026/11/26/73498120/"
        result = CliRunner().invoke(cli, ["extract", url, "--source", "ngs22"])
    assert result.exit_code == 0, result.output
    fetched = datetime.fromisoformat(json.loads(result.stdout)["fetched_at"])
    assert before <= fetched <= datetime.now(UTC)
