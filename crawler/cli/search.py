"""`newsagg search`: full-text search of the archive, Russian word forms included."""

from __future__ import annotations

import csv
import difflib
import io
import json
import shutil
import sys
import textwrap
from datetime import date, tzinfo
from pathlib import Path
from typing import Any

import click

from crawler.cli.options import (
    DateOrTime,
    UsageExit,
    db_option,
    open_archive,
    source_option,
    time_range,
    tz_option,
)

BOLD = ("\x1b[1m", "\x1b[0m")
FORMATS = ("table", "json", "jsonl", "csv")
MAX_OFFSET = 10**9  # far past any archive, and within SQLite's 64-bit integers


# Control characters (C0, DEL, C1) as the table shows them: a stored escape sequence must not
# retitle, recolour or clear the reader's terminal. Line breaks and tabs are spaces; the rest
# are visible marks (U+2400 control pictures; C1 and the bidi controls, which have none:
# U+FFFD).
_BREAKS = "\t\n\v\f\r"
_VISIBLE = {
    **{code: chr(0x2400 + code) for code in range(0x20)},
    **{ord(c): " " for c in _BREAKS},
    0x7F: "\u2421",
    **{code: "\ufffd" for code in range(0x80, 0xA0)},
    # bidi embeddings, overrides and isolates: they would reorder what follows on the line
    # (a URL shown backwards); marks, as C1 (LRM and RLM only mark, and stay)
    **{code: "\ufffd" for code in (*range(0x202A, 0x202F), *range(0x2066, 0x206A))},
}


def _hit_fields() -> list[str]:
    from dataclasses import fields

    from pipelines.archive import SearchHit

    return [f.name for f in fields(SearchHit)]


def _refuse_unknown_options(words: tuple[str, ...]) -> None:
    """Words pass unknown options through (for `-учения`); a misspelled long option
    (`--sinse`) must still be an error, not a query word that finds nothing. Words after
    `--` are query words whatever they look like (`-- --Казахстан`)."""
    ctx = click.get_current_context()
    for word in words[: len(words) - ctx.meta.get(AFTER_DASHES, 0)]:
        name = word.split("=", 1)[0]
        if name.startswith("--") and len(name) > 2:
            known = [opt for p in ctx.command.params for opt in p.opts if opt.startswith("--")]
            close = difflib.get_close_matches(name, known, n=1)
            hint = f" (did you mean {close[0]}?)" if close else ""
            raise click.UsageError(f"no such option: {name}{hint}", ctx)


AFTER_DASHES = "newsagg.search.after_dashes"


class _SearchCommand(click.Command):
    """Counts the words after `--`: click takes them as arguments, the last of WORDS."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if "--" in args:
            ctx.meta[AFTER_DASHES] = len(args) - args.index("--") - 1
        return super().parse_args(ctx, args)


# "пожар -учения" unquoted: a word after "-" is an exclusion, not an unknown option
@click.command(cls=_SearchCommand, context_settings={"ignore_unknown_options": True})
@click.argument("words", nargs=-1, required=True, type=click.UNPROCESSED)
@source_option("Only this source key (e.g. amic).")
@click.option("--agency", help="Only this agency, as stored (e.g. 'ИА Амител').")
@click.option(
    "--since", type=DateOrTime(), help="Published on or after (date, month, year or ISO time)."
)
@click.option(
    "--until",
    type=DateOrTime(end=True),
    help="Published on or before (date, month, year or ISO time).",
)
@click.option("--has-photo-credit", is_flag=True, help="Only articles with a photo credit.")
@click.option(
    "--collapse-stories",
    is_flag=True,
    help="One hit per story (an article and its reprints): the best-ranked one.",
)
@click.option("--limit", type=click.IntRange(1, 10_000), default=20, show_default=True)
@click.option("--offset", type=click.IntRange(0, MAX_OFFSET), default=0, show_default=True)
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="table", show_default=True)
@tz_option
@db_option
def command(
    words: tuple[str, ...],
    source: str | None,
    agency: str | None,
    since: date | None,
    until: date | None,
    has_photo_credit: bool,
    collapse_stories: bool,
    limit: int,
    offset: int,
    fmt: str,
    zone: tzinfo | None,
    db_path: Path,
) -> None:
    """Search the archive; any form of a Russian word finds the others.

    WORDS: words (all must match), "a phrase", prefix*, OR, NOT or -word, (groups),
    headline:word / lead:word / body:word; several arguments are one query.

    \b
    Example:
        newsagg search "Казахстан губернатор" --since 2019-01-01
        newsagg search 'headline:пожар -учения' --source amic --format jsonl
        newsagg search пожар -учения        # -word excludes, quoted or not
        newsagg search -- -учения пожар    # a query that starts with "-" follows "--"
        newsagg search губернатор Барнаул   # the same as "губернатор Барнаул"
        newsagg search Казахстан --collapse-stories   # reprints folded into one hit
    """
    from pipelines.archive import SearchQueryError

    _refuse_unknown_options(words)
    query = " ".join(words)
    since, until = time_range(since, until, zone)
    tty = fmt == "table" and sys.stdout.isatty()
    filters: dict[str, Any] = {
        "source": source,
        "agency": agency,
        "since": since,
        "until": until,
        "has_photo_credit": has_photo_credit,
        "collapse_stories": collapse_stories,
    }
    with open_archive(db_path) as archive:
        try:
            hits = archive.search(
                query, limit=limit, offset=offset, marks=BOLD if tty else ("[", "]"), **filters
            )
            sizes = archive.story_sizes([h.article_id for h in hits]) if collapse_stories else {}
            # an empty page past the last hit: say how many there are
            total = archive.count_matches(query, **filters) if not hits and offset else 0
        except SearchQueryError as exc:
            raise UsageExit(f"cannot read the query: {exc}") from None
    rows = [h.to_dict() for h in hits]
    if collapse_stories:  # how many articles each hit stands for
        rows = [{**row, "story_articles": sizes[row["article_id"]]} for row in rows]
    if not rows:
        click.echo(_no_results(offset, total), err=True)
        if fmt in ("table", "jsonl"):
            return  # json still prints [] and csv its header, for the program reading them
    if fmt == "json":
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
    elif fmt == "jsonl":
        for row in rows:
            click.echo(json.dumps(row, ensure_ascii=False))
    elif fmt == "csv":
        buffer = io.StringIO()
        names = _hit_fields() + (["story_articles"] if collapse_stories else [])
        writer = csv.DictWriter(buffer, fieldnames=names, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
        click.echo(buffer.getvalue(), nl=False)
    else:
        click.echo(render_table(rows, offset=offset, bold=tty))


def _no_results(offset: int, total: int) -> str:
    """Plain "no results", or how many hits there are when --offset went past them all."""
    if not total:
        return "no results"
    return f"no results at --offset {offset} ({total} {'match' if total == 1 else 'matches'})"


def render_table(rows: list[dict[str, Any]], *, offset: int = 0, bold: bool = False) -> str:
    """One block per hit: number and headline, source/date/agency, wrapped snippet, URL.

    Control characters in the stored text are shown as marks (json, jsonl, csv keep them)."""
    width = max(40, min(shutil.get_terminal_size((100, 24)).columns, 120))
    on, off = BOLD if bold else ("", "")
    blocks = []
    for n, row in enumerate(rows, offset + 1):
        meta = " · ".join(
            _line(str(v))
            for v in (
                row["source"],
                (row["published_at"] or "")[:16].replace("T", " "),
                row["agency"],
                f"{row['story_articles']} articles in its story"
                if row.get("story_articles", 1) > 1
                else None,
            )
            if v
        )
        snippet = textwrap.fill(
            _keeping_bold(row["snippet"]) if bold else _visible(row["snippet"]),
            width=width,
            initial_indent="   ",
            subsequent_indent="   ",
        )
        headline, url = _line(row["headline"]), _line(row["url"])
        blocks.append(f"{n:>2}. {on}{headline}{off}\n   {meta}\n{snippet}\n   {url}")
    return "\n\n".join(blocks)


def _visible(text: str) -> str:
    return text.translate(_VISIBLE)


def _line(text: str) -> str:
    """`text` on one line, control characters as marks, runs of spaces as one."""
    return " ".join(_visible(text).split())


def _keeping_bold(snippet: str) -> str:
    """A snippet highlighted with BOLD: its control characters as marks, the marks kept."""
    on, off = BOLD
    return on.join(off.join(map(_visible, part.split(off))) for part in snippet.split(on))
