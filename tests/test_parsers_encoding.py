"""Charset: HTTP header, then the page's declaration, then detection (SITES.md, ngs notes)."""

from __future__ import annotations

import pytest

from crawler.parsers import decode_html

TEXT = (
    "В Барнауле открыли новый корпус детской поликлиники. Там будут наблюдаться почти "
    "пятнадцать тысяч детей из поселка Южного и соседних микрорайонов."
)


def page(charset_meta: str = "") -> str:
    return (
        f"<html><head>{charset_meta}<title>Новости</title></head><body><p>{TEXT}</p></body></html>"
    )


@pytest.mark.parametrize("codec", ["windows-1251", "koi8-r", "utf-8"])
def test_header_charset(codec: str) -> None:
    assert TEXT in decode_html(page().encode(codec), f"text/html; charset={codec}")


@pytest.mark.parametrize("codec", ["windows-1251", "koi8-r"])
def test_meta_charset(codec: str) -> None:
    body = page(f'<meta charset="{codec}">').encode(codec)
    assert TEXT in decode_html(body, "text/html")


def test_http_equiv_charset() -> None:
    meta = '<meta http-equiv="Content-Type" content="text/html; charset=windows-1251">'
    assert TEXT in decode_html(page(meta).encode("cp1251"), None)


@pytest.mark.parametrize("codec", ["windows-1251", "koi8-r", "utf-8"])
def test_no_charset_anywhere_is_detected(codec: str) -> None:
    assert TEXT in decode_html(page().encode(codec), "text/html")


def test_a_server_claiming_utf8_for_windows1251_is_not_believed() -> None:
    body = page('<meta charset="windows-1251">').encode("cp1251")
    assert TEXT in decode_html(body, "text/html; charset=utf-8")


def test_utf8_page_served_as_windows1251_stays_utf8() -> None:
    assert TEXT in decode_html(page().encode("utf-8"), "text/html; charset=windows-1251")


def test_a_download_cut_inside_a_character_keeps_the_rest() -> None:
    body = page().encode("utf-8")
    cut = body[: body.index(TEXT.encode()) + len(TEXT.encode()) - 1]
    text = decode_html(cut, "text/html; charset=utf-8")
    assert TEXT[:-2] in text and "\ufffd" not in text


def test_bom_wins() -> None:
    assert TEXT in decode_html(
        b"\xef\xbb\xbf" + page().encode("utf-8"), "text/html; charset=koi8-r"
    )
