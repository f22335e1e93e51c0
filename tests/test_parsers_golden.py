"""Every golden page extracts exactly to its reviewed expectation (tests/golden/README.md)."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

GOLDEN = Path(__file__).parent / "golden"
_spec = importlib.util.spec_from_file_location("make_golden", GOLDEN / "make_golden.py")
assert _spec is not None and _spec.loader is not None
make_golden = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(make_golden)
CASES: list[Path] = make_golden.cases()


@pytest.mark.parametrize(
    "page", CASES, ids=[str(p.relative_to(GOLDEN).with_suffix("")) for p in CASES]
)
def test_golden_case(page: Path) -> None:
    expected = json.loads(page.with_suffix(".json").read_text("utf-8"))
    assert make_golden.extract_case(page) == expected


def test_every_source_has_three_cases() -> None:
    from crawler.parsers import PARSERS

    for key in [*PARSERS, "generic"]:
        assert len(list((GOLDEN / key).glob("*.html"))) >= 3, key


def test_not_article_cases_have_reasons() -> None:
    reasons = {
        json.loads(p.with_suffix(".json").read_text("utf-8")).get("not_an_article")
        for p in (GOLDEN / "not_articles").glob("*.html")
    }
    assert reasons == {"error page", "empty body", "index page"}
