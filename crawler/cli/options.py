"""Option bundles shared by the commands (Datasette's habit)."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

F = TypeVar("F", bound=Callable[..., Any])

DEFAULT_DB = "data/news.db"


def default_db() -> str:
    return os.environ.get("NEWSAGG_DB") or DEFAULT_DB


def db_option(func: F) -> F:
    """`--db PATH`: the archive; `NEWSAGG_DB` or data/news.db by default."""
    return click.option(
        "--db",
        "db_path",
        type=click.Path(dir_okay=False, path_type=Path),
        default=default_db,
        show_default="data/news.db or $NEWSAGG_DB",
        help="SQLite archive to use.",
    )(func)
