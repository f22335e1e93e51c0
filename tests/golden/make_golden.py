"""Write the expected `<case>.json` of every golden page from the current extractor.

    .venv/bin/python tests/golden/make_golden.py            # all cases
    .venv/bin/python tests/golden/make_golden.py amic/seed_575321

Each case is `<group>/<case>.html` with `<case>.meta.json` ({url, fetched_at, source,
content_type[, timezone]}). Articles are written as `Article.to_dict()` with sorted keys;
non-articles as `{"not_an_article": reason}`. The output is a draft: read every changed
file and fix the parser, not the expectation, where it is wrong (see tests/golden/README.md).
"""

from __future__ import annotations

import json
import sys
from datetime import datetime
from pathlib import Path
from typing import Any

GOLDEN = Path(__file__).resolve().parent
sys.path.insert(0, str(GOLDEN.parents[1]))

from crawler.parsers import NotAnArticle, extract_article  # noqa: E402  (path set up above)


def cases() -> list[Path]:
    """Every golden page, as its `.html` path."""
    return sorted(GOLDEN.glob("*/*.html"))


def load_meta(page: Path) -> dict[str, Any]:
    meta: dict[str, Any] = json.loads(page.with_suffix(".meta.json").read_text("utf-8"))
    return meta


def extract_case(page: Path) -> dict[str, Any]:
    """The expected JSON form of one golden page under the current extractor."""
    meta = load_meta(page)
    fetched = meta.get("fetched_at")
    try:
        article = extract_article(
            page.read_bytes(),
            meta["url"],
            source=meta.get("source"),
            fetched_at=datetime.fromisoformat(fetched) if fetched else None,
            content_type=meta.get("content_type"),
            timezone=meta.get("timezone"),
        )
    except NotAnArticle as exc:
        return {"not_an_article": exc.reason}
    return article.to_dict()


def dump(data: dict[str, Any]) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True) + "\n"


def main(argv: list[str]) -> int:
    selected = [GOLDEN / f"{name}.html" for name in argv] if argv else cases()
    for page in selected:
        target = page.with_suffix(".json")
        text = dump(extract_case(page))
        old = target.read_text("utf-8") if target.exists() else None
        if text != old:
            target.write_text(text, "utf-8")
            print(f"{'updated' if old else 'created'} {target.relative_to(GOLDEN)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
