"""`newsagg extract`: one page (file, URL or stdin) to its Article as JSON."""

from __future__ import annotations

import http.client
import json
import sys
import urllib.error
import urllib.request
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import click

from crawler.cli.options import source_option

FETCH_FAILED_EXIT = 1  # click.ClickException's code
NOT_AN_ARTICLE_EXIT = 3
FETCH_TIMEOUT = 10.0
MAX_PAGE_BYTES = 16 * 2**20  # the crawl's DOWNLOAD_MAXSIZE is 8 MB; a page is never near this
USER_AGENT = "newsagg-extract (+https://github.com/newsagg/newsagg)"


def _fetched_at(value: str | None) -> datetime | None:
    if value is None:
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        message = f"not an ISO 8601 time: {value!r}"
        raise click.BadParameter(message, param_hint="--fetched-at") from None


def _fetch(url: str) -> tuple[bytes, str | None]:
    try:
        request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT})
        with urllib.request.urlopen(request, timeout=FETCH_TIMEOUT) as response:
            return response.read(), response.headers.get("Content-Type")
    # ValueError: a malformed URL ("http://[::1"); HTTPException: a broken answer
    except (urllib.error.URLError, OSError, ValueError, http.client.HTTPException) as exc:
        raise click.ClickException(f"cannot fetch {url}: {exc}") from None


def _read(target: str) -> tuple[bytes, str | None, str | None]:
    """(body, content type, page URL if known) of a path, `-` or an http(s) URL."""
    if target == "-":
        return sys.stdin.buffer.read(), None, None
    if target.startswith(("http://", "https://")):
        body, content_type = _fetch(target)
        return body, content_type, target
    path = Path(target)
    if path.is_dir():
        raise click.BadParameter(f"a directory, not a page: {target}", param_hint="PATH|URL|-")
    if not path.is_file():
        raise click.BadParameter(f"no such file: {target}", param_hint="PATH|URL|-")
    if path.stat().st_size > MAX_PAGE_BYTES:
        raise click.BadParameter(
            f"{target} is larger than {MAX_PAGE_BYTES // 2**20} MB: not a news page",
            param_hint="PATH|URL|-",
        )
    try:
        return path.read_bytes(), None, None
    except OSError as exc:
        raise click.BadParameter(f"cannot read {target}: {exc.strerror or exc}") from None


def _declared(body: bytes, content_type: str | None, target: str) -> str:
    """The URL of a saved page: the one it declares (so that `extract page.html` uses its
    source's parser, as the crawl did), else the file's own."""
    from crawler.parsers import declared_url

    url = declared_url(body, content_type)
    if url:
        return url
    return Path(target).resolve().as_uri() if target != "-" else ""


def _extract(
    body: bytes, url: str, source: str | None, fetched_at: datetime | None, ctype: str | None
) -> dict[str, Any]:
    from crawler.parsers import extract_article  # lxml/trafilatura load only when used
    from crawler.sources import parser_args_for

    article = extract_article(
        body,
        url,
        fetched_at=fetched_at,
        content_type=ctype,
        **parser_args_for(source),
    )
    return article.to_dict()


@click.command("extract")
@click.argument("targets", nargs=-1, required=True, metavar="PATH|URL|-")
@click.option(
    "--url",
    "page_url",
    help="The page's URL, for a file or stdin (default: the URL the page declares itself).",
)
@source_option("Source key (amic, katun24, …); default: by the URL's host.")
@click.option("--fetched-at", help="When the page was fetched (ISO 8601), for relative dates.")
@click.option("--jsonl", is_flag=True, help="Many files: one JSON line per file.")
def command(
    targets: tuple[str, ...],
    page_url: str | None,
    source: str | None,
    fetched_at: str | None,
    jsonl: bool,
) -> None:
    """Extract the article of a page and print it as JSON.

    A page that is not an article (an index, an error page, an empty body)
    exits with status 3 and the reason on stderr. With --jsonl, each file gives
    one line: the article, {"path": ..., "not_an_article": reason} or
    {"path": ..., "error": message} for an input that could not be read.

    Exit status: 0 done; 1 a URL could not be fetched; 2 bad input (a missing
    file, a directory); 3 not an article. With --jsonl the run goes on past a bad
    input and then exits with the status of the first input that could not be
    read (1 or 2); non-articles among many files are only their lines.

    \b
    Example:
        newsagg extract page.html --url https://www.amic.ru/news/slug-575321
        newsagg extract https://ngs22.ru/text/society/2026/11/26/73498120/
        curl -s URL | newsagg extract - --url URL --source katun24
        newsagg extract --jsonl pages/*.html > articles.jsonl
    """
    from crawler.items import NotAnArticle

    when = _fetched_at(fetched_at)
    if not jsonl and len(targets) > 1:
        raise click.UsageError("one page at a time; use --jsonl for many")
    failed = False
    unreadable = 0  # the exit status of the first input that could not be read
    for target in targets:
        try:
            body, content_type, fetched_url = _read(target)
        except (click.ClickException, OSError) as exc:
            if not jsonl:
                raise
            # one unreadable file must not stop a batch: say so on its line, go on
            if isinstance(exc, click.ClickException):
                message, code = exc.format_message(), exc.exit_code
            else:
                message, code = str(exc), FETCH_FAILED_EXIT
            unreadable = unreadable or code
            click.echo(json.dumps({"path": target, "error": message}, ensure_ascii=False))
            continue
        url = page_url or fetched_url or _declared(body, content_type, target)
        if not url:  # stdin, and the page names no URL of its own
            click.echo(
                "note: the page declares no URL of its own, so its site is not known and the "
                "article's url is empty; pass --url (and --source) to name them",
                err=True,
            )
        try:
            # a page fetched now was fetched now: relative dates ("2 часа назад") need it
            moment = when or (datetime.now(UTC) if fetched_url else None)
            data = _extract(body, url, source, moment, content_type)
        except NotAnArticle as exc:
            if not jsonl:
                click.echo(f"not an article: {exc.reason}", err=True)
                sys.exit(NOT_AN_ARTICLE_EXIT)
            failed = True
            data = {"path": target, "not_an_article": exc.reason}
        text = json.dumps(
            data, ensure_ascii=False, **({"sort_keys": True} if jsonl else {"indent": 2})
        )
        click.echo(text.encode("utf-8"))  # UTF-8 whatever the terminal's locale
    if unreadable:
        sys.exit(unreadable)
    if failed and len(targets) == 1:
        sys.exit(NOT_AN_ARTICLE_EXIT)
