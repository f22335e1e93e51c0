"""The index text is cut token by token through caches; it must be what cutting the whole
folded text gives, or stored rows could no longer be unindexed (FTS5 forgets a row only when
given the values it indexed)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipelines.archive.stemming import fold, shadow, stems

EXAMPLES = settings(max_examples=400, deadline=None)

# letters and marks where folding word by word could differ from folding the whole text:
# stress marks, "İ" (its lower case is two characters), final sigma, spaces that NFC
# rewrites (U+2000), separators that are not ASCII, precomposed accents, ligatures
TRICKY = [
    *"абвежзийклмнопрстуфхцчшщъыьэюяЁёЖЯabcXYZ019 ,.-_«»\n\t",
    "\u0301", "\u0300", "\u0307", "\u0308", "İ", "Σ", "ς", "\u00a0", "\u2000", "\u3000",
    "\x1c", "\x85", "\u200b", "\ufeff", "ѐ", "Ѝ", "é", "ń", "ż", "Ύ", "ﬁ", "ß", "ǅ",
    # Macedonian ќ, ѓ (к, г and an acute); marks NFC turns into an acute or more; a
    # combining mark of Cyrillic's own block
    "ќ", "Ѓ", "\u0340", "\u0341", "\u0344", "\u0483", "\u0306",
]  # fmt: skip


def folded_whole(text: str) -> str:
    """What the index held before texts were cut by token: the stems of the whole text."""
    return " ".join(stems(text))


@pytest.mark.parametrize(
    "text",
    [
        "Губернатор Алтайского края заявил: «Казахстан — партнёр».",
        "ОДИССЕΥΣ Σ ΣΑΣ: final sigma",
        "İstanbul\u2000и\u00a0Усть-Кут",
        "Гда́ньск и Gdańsk, café",  # a stress mark and other accents
        "Gdańsk и café без ударений",
        "за́мок и ќе, Ќе́, за\u0341мок",  # a letter that NFD would cut; an acute once in NFC
        "пѐсню\x1cрека\x85берег",
        "",
        "   ",
    ],
)
def test_index_text_is_the_stems_of_the_folded_text(text: str) -> None:
    assert shadow(text) == folded_whole(text)


@EXAMPLES
@given(st.lists(st.sampled_from(TRICKY), max_size=40).map("".join))
def test_index_text_is_the_stems_of_the_folded_text_for_any_text(text: str) -> None:
    assert shadow(text) == folded_whole(text)
    assert shadow(text) == shadow(text)  # the second time from the caches


def test_stress_marks_go_from_cyrillic_letters_only() -> None:
    assert fold("Гда́ньск и Gdańsk, café, Żary") == "гданьск и gdańsk, café, żary"
    assert fold("ЗА\u0301МОК, пѐсня, йо\u0301д") == "замок, песня, йод"
    assert fold("и\u0306\u0301") == "й"  # a stress mark after the breve of "й"
    assert fold("Ќе и ќе́") == "ќе и ќе"  # "ќ" is a letter (Macedonian), not к and a mark
    assert fold("за\u0341мок") == "замок"  # U+0341 is an acute once in NFC


@EXAMPLES
@given(
    st.lists(st.sampled_from(TRICKY), max_size=12).map("".join),
    st.sampled_from(["за́мок", "пѐсню", "Каза\u0300хстан", ""]),
)
def test_a_word_folds_alike_whatever_else_its_text_holds(text: str, stressed: str) -> None:
    # a search for "Gdańsk" must find it beside "за́мок" as it does alone
    assert shadow(f"{stressed} {text}").split()[len(shadow(stressed).split()) :] == (
        shadow(text).split()
    )
