"""The Article's field list is documented once (docs/schema.md) and the code agrees."""

from __future__ import annotations

import re
from pathlib import Path

from crawler.items import ARTICLE_FIELDS

SCHEMA = Path(__file__).resolve().parent.parent / "docs" / "schema.md"


def documented_fields() -> list[str]:
    """Field names of the Article table: rows starting with "| `name` |"."""
    text = SCHEMA.read_text("utf-8")
    section = text.split("## Article", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"^\| `([a-z_]+)` \|", section, flags=re.M)


def test_schema_documents_every_article_field_in_order() -> None:
    assert documented_fields() == list(ARTICLE_FIELDS)
