"""Word stems for the full-text index: the same function for indexed text and for queries.

Text is cut into words the way SQLite's `unicode61` tokenizer cuts it (runs of letters and
digits), lower-cased, ё folded to е, and each word stemmed with Snowball: Russian for words
written in Cyrillic, English for words in Latin letters, nothing for numbers and mixed words.
The index holds the stems joined by spaces (the "shadow" text), so FTS5 sees one token per
word of the original and phrase queries keep their positions.

Snowball's Russian stemmer cuts `-ан/-ян` nouns unevenly ("Казахстан" -> "казахста" but
"Казахстаном" -> "казахстан"); `_fix_russian` trims the final `н` of such stems so that every
form of the word meets on one stem. It also knows nothing of fleeting vowels: "поселок" stems
to "поселок" but "поселка" to "поселк" (likewise "участок", "рынок", "площадок", "отец",
"продавец", "владелец"), so the vowel is dropped from stems ending in a consonant and
`-ок`, `-ек` or `-ец`. Such a rule is a function of the stem, so it can only join stems, never
part forms that met before; measured on the OpenCorpora lexicon (pymorphy3-dicts-ru, 164k
lexemes), it lifts the lexemes whose forms all meet on one stem from 58.9 % to 64.4 % and
leaves fewer stems shared by different words. Stress marks (U+0301, U+0300), which Russian
teaching and some headlines use, are dropped from Cyrillic letters before words are cut, and
so is the dot above left by lower-casing "İ". The same marks on other letters are letters'
accents ("café", "Gdańsk") and stay, whatever else the text holds.

Changing what `shadow` produces needs a migration that indexes every article again.
"""

from __future__ import annotations

import re
import threading
import unicodedata

import Stemmer

# Runs of letters and digits: what unicode61 keeps as a token (underscore separates).
WORD_RE = re.compile(r"[^\W_]+")
_CYRILLIC_RE = re.compile(r"[а-я]+")
_LATIN_RE = re.compile(r"[a-z]+")
_CACHE_LIMIT = 300_000

_local = threading.local()


class _StemCache(dict[str, str]):
    """word -> stem; a miss stems the word (so lookups stay in C for known words)."""

    def __missing__(self, word: str) -> str:
        if len(self) >= _CACHE_LIMIT:
            self.clear()
        value = self[word] = _stem_uncached(word)
        return value


_cache = _StemCache()


class _TokenCache(dict[str, str]):
    """A whitespace-separated token, folded ("края,", "усть-кута") -> its stems joined by
    spaces ("" for bare punctuation). `str.split` and one lookup per token are several times
    faster than a regex over the text, and tokens repeat as much as words do."""

    def __missing__(self, token: str) -> str:
        if len(self) >= _CACHE_LIMIT:
            self.clear()
        value = self[token] = " ".join(map(_cache.__getitem__, WORD_RE.findall(token)))
        return value


class _RawTokenCache(dict[str, str]):
    """The same for a token as written ("Края,"): folding token by token gives what folding
    the whole text gives (folding never makes or removes whitespace, and neither lower(),
    NFC nor the stress marks' letters read across it), and the text need not be folded at
    all when its tokens are known."""

    def __missing__(self, token: str) -> str:
        if len(self) >= _CACHE_LIMIT:
            self.clear()
        value = self[token] = _tokens[fold(token)]
        return value


_tokens = _TokenCache()
_raw_tokens = _RawTokenCache()


def _stemmers() -> tuple[Stemmer.Stemmer, Stemmer.Stemmer]:
    # PyStemmer objects are not thread-safe: one pair per thread.
    pair: tuple[Stemmer.Stemmer, Stemmer.Stemmer] | None = getattr(_local, "pair", None)
    if pair is None:
        pair = (Stemmer.Stemmer("russian"), Stemmer.Stemmer("english"))
        _local.pair = pair
    return pair


# Combining marks dropped from folded text: stress marks (grave, acute) and the dot above
# that lower-casing leaves of "İ" ("İstanbul" -> "i\u0307stanbul"), which would cut a word.
MARKS = "\u0300\u0301\u0307"
# What betrays them in text as written: the marks, and the letters NFC composes of е/и and
# a grave accent ("пѐсню"), which are no Russian letters of their own.
MARKED = MARKS + "ѐѝЀЍ"
_STRESS = str.maketrans("", "", MARKS)
# a Cyrillic letter and the combining marks on it, in NFD text (stress marks may follow
# others: "й" is и and a breve)
_CYRILLIC_MARKED_RE = re.compile(
    "([\u0400-\u0482\u048a-\u052f\u1c80-\u1c88\ua640-\ua66e\ua680-\ua69d])"
    "([\u0300-\u036f\u0483-\u0489\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f"
    "\u2de0-\u2dff\ua66f-\ua67d\ua69e\ua69f]+)"
)
# е and и with a grave accent, which NFC makes one letter ("пѐсню"): no Russian letters
_GRAVE_LETTERS = str.maketrans("ѐѝЀЍ", "еиЕИ")
_CONSONANTS = "бвгджзклмнпрстфхцчшщ"
# a fleeting о/е before a final к or ц after a consonant: поселок/поселка, отец/отца
_FLEETING_RE = re.compile(f"(?<=[{_CONSONANTS}])[ое](?=к$)|(?<=[{_CONSONANTS}])е(?=ц$)")


def marked(text: str) -> bool:
    """Does `text` hold a stress mark (`MARKED`)? Rare in news."""
    return any(mark in text for mark in MARKED)


def fold(text: str) -> str:
    """Lower case, NFC, ё -> е, no stress marks: the spelling the index and queries use.

    A word folds alike whatever the rest of its text holds (the index is cut token by token,
    `shadow`): stress marks go only from Cyrillic letters, and "Gdańsk" keeps its accent
    beside a stressed "за́мок" as it does alone."""
    text = unicodedata.normalize("NFC", text)
    # The marks NFC leaves apart from their letter: "ќ" (к and an acute) is a letter of
    # Macedonian, one character, and stays so. Looked for after NFC, which makes U+0341 an
    # acute (U+0301).
    if marked(text):  # rare; the pattern costs more than the rest of a body's fold
        text = _CYRILLIC_MARKED_RE.sub(_unstressed, text.translate(_GRAVE_LETTERS))
        text = unicodedata.normalize("NFC", text)  # и, a breve and a stress mark: й
    text = text.lower().replace("ё", "е")
    if "\u0307" in text:  # "İ" lower-cased
        text = text.replace("\u0307", "")
    return text


def _unstressed(match: re.Match[str]) -> str:
    return match[1] + match[2].translate(_STRESS)


def _fix_russian(stem: str) -> str:
    if len(stem) > 3 and stem[-1] == "н" and stem[-2] in "ая":
        return stem[:-1]
    if len(stem) >= 4 and stem[-1] in "кц":
        if stem.endswith("лец"):  # владелец/владельца, жилец/жильца
            return stem[:-3] + "льц"
        if stem.endswith("ец") and stem[-3] in "аеиоуыэюя":  # боец/бойца
            return stem[:-2] + "йц"
        return _FLEETING_RE.sub("", stem)
    return stem


def fleeting_prefixes(fragment: str) -> tuple[str, ...]:
    """What the index holds for words that begin with `fragment` (folded) when it ends in a
    vowel `_fix_russian` drops: "челове" begins "человек", indexed as "человк"; so a prefix
    search for "челове*" must also look for "человк*" (and "посело*" for "поселк*")."""
    if len(fragment) < 3 or fragment[-1] not in "ое":
        return ()
    base, before, vowel = fragment[:-1], fragment[-2], fragment[-1]
    if before in _CONSONANTS:
        if vowel == "о":
            return (base + "к",)  # поселок -> поселк
        return (base + "к", base + ("ьц" if before == "л" else "ц"))  # человек, владелец
    if vowel == "е" and before in "аеиоуыэюя":
        return (base + "йц",)  # боец -> бойц
    return ()


def _stem_uncached(word: str) -> str:
    russian, english = _stemmers()
    if _CYRILLIC_RE.fullmatch(word):
        return _fix_russian(russian.stemWord(word))
    if _LATIN_RE.fullmatch(word):
        return english.stemWord(word)
    return word


def stem(word: str) -> str:
    """The stem of one already folded word (cached: news text repeats its words a lot)."""
    return _cache[word]


# endings Snowball takes for a perfective gerund's ("сделав", "открыв") and cuts from nouns
# too: "взрыв" is indexed as "взр" while "взрыва", "взрывом" are "взрыв"
_GERUND_LIKE = ("ав", "яв", "ив", "ыв")


def variants(word: str) -> tuple[str, ...]:
    """The stems the forms of one folded word are indexed under: its own, and for a noun
    in -ав/-ив/-ыв/-яв ("взрыв", "архив", "состав", "Ярослав") the stem of its other forms,
    which Snowball splits in two. A query looks for both; the index stays as it is."""
    own = stem(word)
    if not _CYRILLIC_RE.fullmatch(word):
        return (own,)
    if own.endswith(_GERUND_LIKE):  # "взрыва" -> "взрыв"; the bare noun is "взр"
        other = stem(own)
    elif word.endswith(_GERUND_LIKE):  # "взрыв" -> "взр"; its other forms are "взрыв"
        other = word
    else:
        return (own,)
    return (own,) if other == own else (own, other)


def words(text: str) -> list[str]:
    """The folded words of `text`, in order."""
    return WORD_RE.findall(fold(text))


def stems(text: str) -> list[str]:
    """The stems of the words of `text`, in order."""
    return list(map(_cache.__getitem__, WORD_RE.findall(fold(text))))


def shadow(text: str | None) -> str:
    """The stemmed text that goes into the index in place of `text`."""
    if not text:
        return ""
    return " ".join(filter(None, map(_raw_tokens.__getitem__, text.split())))
