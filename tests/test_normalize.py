"""Text cleaning of every stored article (`pipelines.normalize`)."""

from __future__ import annotations

import re
import unicodedata

from hypothesis import given
from hypothesis import strategies as st

from crawler.items import Article
from pipelines.normalize import clean_body, clean_line, normalize


def test_clean_line_drops_invisible_characters_and_folds_spaces() -> None:
    assert clean_line("Бар\u00adнаул\u200b  и\u00a0Бийск\t\u2009") == "Барнаул и Бийск"
    assert clean_line("  \u3000 ") is None
    assert clean_line(None) is None
    assert clean_line("ёлка") == "ёлка"


def test_clean_line_composes_letters() -> None:
    # "й" typed as "и" + breve, "ё" as "е" + diaeresis: one letter each afterwards
    assert clean_line("Бийск и е\u0308лка") == "Бийск и ёлка"


def test_clean_body_keeps_paragraphs_and_joins_broken_lines() -> None:
    body = "Первый абзац\r\nпродолжение.\n\n \n\u00a0Второй\u2002абзац.  \n\n\n"
    assert clean_body(body) == "Первый абзац продолжение.\n\nВторой абзац."


def test_normalize_counts_words_and_fills_the_canonical_url() -> None:
    article = normalize(
        Article(
            url="https://www.amic.ru/news/1?utm_source=vk",
            headline=" Новость\u00a0дня ",
            body="Раз  два\n\nтри",
            tags=["Барнаул", "Барнаул\u200b", ""],
        )
    )
    assert (article.headline, article.body, article.word_count) == (
        "Новость дня",
        "Раз два\n\nтри",
        3,
    )
    assert article.tags == ["Барнаул"]
    assert article.canonical_url is not None and "utm_source" not in article.canonical_url


_CHARS = st.sampled_from(
    list(" \t\n\r\u000b\u00a0\u2000\u2007\u200a\u202f\u205f\u3000\u200b\u200d\u2060\ufeff\u00ad")
    + list("аеиоуй\u0306\u0308\u0301ab.,")
)


@given(st.text(_CHARS, max_size=40))
def test_clean_line_is_the_two_substitutions_however_they_are_skipped(text: str) -> None:
    # `clean_line` looks for what would change before running its patterns; the result must
    # be what running them always gives
    spaces = r"[ \t\u00a0\u2000-\u200a\u202f\u205f\u3000]+"
    invisible = r"[\u200b-\u200d\u2060\ufeff\u00ad]"
    expected = re.sub(spaces, " ", unicodedata.normalize("NFC", re.sub(invisible, "", text)))
    assert clean_line(text) == (expected.strip() or None)
