"""Extraction quality and speed: our extractor against trafilatura on the same pages.

    .venv/bin/python bench/extract_quality.py [--repeat N]

Two sets of pages:
- the golden set (tests/golden/<group>/<case>.html, expected JSON reviewed by hand): body
  token precision/recall/F1, exact-match rates of headline, lead, agency, photo credit and
  published_at, median milliseconds per page, per group and overall;
- the demo site's truth files (crawler/demo/site/<key>/_truth.json, written independently of
  the parsers): exact-match rates of the same fields and of the first and last paragraph.

trafilatura runs as `bare_extraction(html, url=..., with_metadata=True)`; it has no photo
credit field, and its `date` is a day without time, so its published_at rate is given at day
precision (marked `day`). Prints tables; asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import re  # noqa: E402

import trafilatura  # noqa: E402

from crawler.parsers import NotAnArticle, decode_html, extract_article  # noqa: E402

GOLDEN = ROOT / "tests" / "golden"
DEMO = ROOT / "crawler" / "demo" / "site"
DEMO_HOSTS = {
    "amic": "https://www.amic.ru",
    "katun24": "https://katun24.ru",
    "ngs22": "https://ngs22.ru",
    "sibnovosti": "https://sibnovosti.example",
}
DEMO_ZONES = {"sibnovosti": "Asia/Novosibirsk"}
FIELDS = ("headline", "lead", "agency", "credit", "published_at")
TOKEN = re.compile(r"\w+")


@dataclass
class Extracted:
    headline: str | None = None
    lead: str | None = None
    agency: str | None = None
    credit: str | None = None
    published_at: str | None = None
    body: str = ""
    ms: float = 0.0


@dataclass
class Score:
    pages: int = 0
    precision: list[float] = field(default_factory=list)
    recall: list[float] = field(default_factory=list)
    hits: Counter[str] = field(default_factory=Counter)
    ms: list[float] = field(default_factory=list)


def tokens(text: str) -> Counter[str]:
    return Counter(t.lower() for t in TOKEN.findall(text or ""))


def prf(got: str, want: str) -> tuple[float, float]:
    g, w = tokens(got), tokens(want)
    common = sum((g & w).values())
    precision = common / sum(g.values()) if g else (1.0 if not w else 0.0)
    recall = common / sum(w.values()) if w else 1.0
    return precision, recall


def f1(p: float, r: float) -> float:
    return 2 * p * r / (p + r) if p + r else 0.0


def instant(value: str | None) -> datetime | None:
    try:
        return datetime.fromisoformat(value) if value else None
    except ValueError:
        return None


def timed(run: Callable[[], Extracted], repeat: int) -> Extracted:
    best = float("inf")
    result = Extracted()
    for _ in range(repeat):
        start = time.perf_counter()
        result = run()
        best = min(best, (time.perf_counter() - start) * 1000)
    result.ms = best
    return result


def ours(page: bytes, meta: dict[str, Any]) -> Extracted:
    fetched = meta.get("fetched_at")
    try:
        article = extract_article(
            page,
            meta["url"],
            source=meta.get("source"),
            fetched_at=datetime.fromisoformat(fetched) if fetched else None,
            content_type=meta.get("content_type"),
            timezone=meta.get("timezone"),
        )
    except NotAnArticle:
        return Extracted()
    credit = article.photo_credits[0].text if article.photo_credits else None
    return Extracted(
        article.headline, article.lead, article.agency, credit, article.published_at, article.body
    )


def theirs(page: bytes, meta: dict[str, Any]) -> Extracted:
    html = decode_html(page, meta.get("content_type"))
    doc = trafilatura.bare_extraction(html, url=meta["url"], with_metadata=True)
    if doc is None:
        return Extracted()
    data = doc.as_dict() if hasattr(doc, "as_dict") else dict(doc)
    return Extracted(
        headline=data.get("title"),
        lead=data.get("description"),
        agency=data.get("sitename"),
        published_at=data.get("date"),
        body=data.get("text") or "",
    )


def same_time(got: str | None, want: str | None, day_only: bool) -> bool:
    if day_only:
        return bool(got and want and want.startswith(got[:10]))
    a, b = instant(got), instant(want)
    return a == b if a and b else got == want


def score_golden(repeat: int) -> dict[str, dict[str, Score]]:
    scores: dict[str, dict[str, Score]] = {}
    for page_path in sorted(GOLDEN.glob("*/*.html")):
        expected = json.loads(page_path.with_suffix(".json").read_text("utf-8"))
        if "not_an_article" in expected:
            continue
        meta = json.loads(page_path.with_suffix(".meta.json").read_text("utf-8"))
        page = page_path.read_bytes()
        credits = expected.get("photo_credits") or []
        want = Extracted(
            expected["headline"], expected.get("lead"), expected.get("agency"),
            credits[0]["text"] if credits else None, expected.get("published_at"),
            expected["body"],
        )  # fmt: skip
        group = page_path.parent.name
        for name, run in (("ours", ours), ("trafilatura", theirs)):
            got = timed(partial(run, page, meta), repeat)
            for key in (group, "all"):
                s = scores.setdefault(key, {}).setdefault(name, Score())
                s.pages += 1
                p, r = prf(got.body, want.body)
                s.precision.append(p)
                s.recall.append(r)
                s.ms.append(got.ms)
                for f in FIELDS:
                    g, w = getattr(got, f), getattr(want, f)
                    if f == "published_at":
                        hit = same_time(g, w, day_only=name == "trafilatura")
                    else:
                        hit = (g or None) == (w or None)
                    s.hits[f] += hit
    return scores


def demo_file(key: str, path: str) -> Path:
    rel = path.lstrip("/")
    if not rel or rel.endswith("/"):
        rel += "index.html"
    elif "." not in rel.rsplit("/", 1)[-1]:
        rel += ".html"
    return DEMO / key / rel


def score_demo() -> dict[str, dict[str, Counter[str]]]:
    out: dict[str, dict[str, Counter[str]]] = {}
    for key, host in DEMO_HOSTS.items():
        truth_file = DEMO / key / "_truth.json"
        if not truth_file.exists():
            continue
        for truth in json.loads(truth_file.read_text("utf-8"))["articles"]:
            page = demo_file(key, truth["path"]).read_bytes()
            meta = {"url": host + truth["path"], "source": key if key != "sibnovosti" else None,
                    "timezone": DEMO_ZONES.get(key)}  # fmt: skip
            for name, run in (("ours", ours), ("trafilatura", theirs)):
                got = run(page, meta)
                paras = [p for p in re.split(r"\n+", got.body) if p.strip()]
                c = out.setdefault(name, {}).setdefault("all", Counter())
                c["pages"] += 1
                want_credit = truth.get("photo_credit")
                checks = {
                    "headline": got.headline == truth["headline"],
                    "lead": got.lead == truth.get("lead"),
                    "agency": got.agency == truth.get("agency"),
                    "credit": (not want_credit and not got.credit)
                    or bool(got.credit and want_credit and want_credit in got.credit),
                    "published_at": same_time(
                        got.published_at, truth["published_at"], name == "trafilatura"
                    ),
                    "first para": bool(paras)
                    and paras[0] == (truth.get("first_paragraph") or truth.get("body_first")),
                    "last para": bool(paras)
                    and paras[-1] == (truth.get("last_paragraph") or truth.get("body_last")),
                }
                for k, v in checks.items():
                    c[k] += bool(v)
    return out


def pct(n: float, d: int) -> str:
    return f"{100 * n / d:5.1f}" if d else "  n/a"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=5, help="timing runs per page (best kept)")
    args = parser.parse_args()
    ours(b"<html><body><h1>warm up</h1></body></html>", {"url": "https://x/"})  # imports
    scores = score_golden(args.repeat)
    print("Golden set (tests/golden): body tokens and exact-match rates in %, ms per page")
    head = f"{'group':<10} {'extractor':<12} {'pages':>5} {'P':>6} {'R':>6} {'F1':>6} "
    head += " ".join(f"{f[:9]:>9}" for f in FIELDS) + f" {'ms p50':>7}"
    print(head)
    print("-" * len(head))
    for group in sorted(scores, key=lambda g: (g == "all", g)):
        for name in ("ours", "trafilatura"):
            s = scores[group][name]
            p, r = statistics.mean(s.precision), statistics.mean(s.recall)
            cells = " ".join(
                f"{pct(s.hits[f], s.pages):>9}"
                + ("d" if f == "published_at" and name == "trafilatura" else "")
                for f in FIELDS
            )
            print(
                f"{group:<10} {name:<12} {s.pages:>5} {p:6.3f} {r:6.3f} {f1(p, r):6.3f} "
                f"{cells} {statistics.median(s.ms):7.2f}"
            )
    known = [ms for g, by in scores.items() if g not in ("all", "generic") for ms in by["ours"].ms]
    print(f"\nours, known-source pages: median {statistics.median(known):.2f} ms")
    demo = score_demo()
    if demo:
        print("\nDemo site truth files (independent of the parsers): exact-match rates in %")
        keys = ["headline", "lead", "agency", "credit", "published_at", "first para", "last para"]
        print(f"{'extractor':<12} {'pages':>5} " + " ".join(f"{k[:12]:>12}" for k in keys))
        for name, by in demo.items():
            c = by["all"]
            print(
                f"{name:<12} {c['pages']:>5} "
                + " ".join(f"{pct(c[k], c['pages']):>12}" for k in keys)
            )
    print("\nd = trafilatura gives a day without time: compared at day precision")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
