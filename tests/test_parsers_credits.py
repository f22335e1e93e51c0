"""Photo credits in every format of SITES.md ("Photo credit formats seen")."""

from __future__ import annotations

import pytest

from crawler.items import PhotoCredit
from crawler.parsers.credits import dedupe, is_credit_line, merge_source_line, parse_credit

CASES = [
    # line, caption, credit text, photographer, organisation
    ("Фото: Антон Федотов, altairegion22.ru", None,
     "Фото: Антон Федотов, altairegion22.ru", "Антон Федотов", "altairegion22.ru"),
    ("Туманное утро в Барнауле / Фото: Иван Петров / amic.ru", "Туманное утро в Барнауле",
     "Фото: Иван Петров / amic.ru", "Иван Петров", "amic.ru"),
    ("Дождь в Барнауле / Фото Иван Петров / amic.ru", "Дождь в Барнауле",
     "Фото Иван Петров / amic.ru", "Иван Петров", "amic.ru"),
    ("Небо в Барнауле / Фото: Иван Петров, amic.ru", "Небо в Барнауле",
     "Фото: Иван Петров, amic.ru", "Иван Петров", "amic.ru"),
    ("Закат над Барнаулом / Фото: amic.ru", "Закат над Барнаулом",
     "Фото: amic.ru", None, "amic.ru"),
    ("Фото: предоставлено amic.ru", None, "Фото: предоставлено amic.ru", None, "amic.ru"),
    ("Фото из открытых источников", None, "Фото из открытых источников", None, None),
    ("Фото: пресс-служба губернатора", None, "Фото: пресс-служба губернатора", None,
     "пресс-служба губернатора"),
    ("Источник фото: t.me/barnaul22", None, "Источник фото: t.me/barnaul22", None,
     "t.me/barnaul22"),
    ("Мария Кузнецова, altapress.ru", None, "Мария Кузнецова, altapress.ru", "Мария Кузнецова",
     "altapress.ru"),
    ("Фото Андрей КАСПРИШИН", None, "Фото Андрей КАСПРИШИН", "Андрей КАСПРИШИН", None),
    ("Открытие сезона. Фото Александра КАДНИКОВА.", "Открытие сезона.",
     "Фото Александра КАДНИКОВА", "Александра КАДНИКОВА", None),
    ("Текст: редакция. Фото: A42.RU.", None, "Фото: A42.RU", None, "A42.RU"),
    ("Фото: ИА SevastopolMedia", None, "Фото: ИА SevastopolMedia", None, "ИА SevastopolMedia"),
    ("Часть экспонатов покажут впервые. Иван Петров / 74.RU",
     "Часть экспонатов покажут впервые.", "Иван Петров / 74.RU", "Иван Петров", "74.RU"),
]  # fmt: skip


@pytest.mark.parametrize(("line", "caption", "text", "photographer", "organisation"), CASES)
def test_credit_formats(
    line: str, caption: str | None, text: str, photographer: str | None, organisation: str | None
) -> None:
    assert parse_credit(line) == (caption, PhotoCredit(text, photographer, organisation))


@pytest.mark.parametrize(
    "line",
    [
        "Снег в Барнауле.",
        "Фотовыставка открылась в музее «Город»",
        "Фотография как искусство развивается в Барнауле",
        "Сотрудники сделали фото места ДТП.",
    ],
)
def test_captions_and_text_are_not_credits(line: str) -> None:
    assert parse_credit(line) == (line, None)
    assert not is_credit_line(line)


def test_source_on_the_next_line_is_joined() -> None:
    lines = ["Источник фото:", "t.me/barnaul22"]
    assert merge_source_line(lines) == ["Источник фото: t.me/barnaul22"]


def test_a_credit_printed_twice_is_kept_once() -> None:
    credit = PhotoCredit(
        "Фото: Антон Федотов, altairegion22.ru", "Антон Федотов", "altairegion22.ru"
    )
    twin = PhotoCredit("Фото: Антон Федотов, altairegion22.ru", "Антон Федотов", "altairegion22.ru")
    assert dedupe([credit, twin]) == [credit]
