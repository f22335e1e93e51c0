"""Photo credits as printed on Russian news pages, split into caption, photographer, organisation.

Formats handled (see SITES.md, "Photo credit formats seen"):

- `Фото: Антон Федотов, altairegion22.ru`         photographer, organisation
- `Туманное утро в Барнауле / Фото: Иван Петров / amic.ru`   caption / credit / site
- `Дождь в Барнауле / Фото Иван Петров / amic.ru`  no colon
- `Закат над Барнаулом / Фото: amic.ru`, `Фото: предоставлено amic.ru`
- `Фото: пресс-служба губернатора`, `Фото из открытых источников`, `Фото: ИА SevastopolMedia`
- `Источник фото: t.me/barnaul22` (the source was on the next line)
- `Фото Андрей КАСПРИШИН`, `… Фото Александра КАДНИКОВА.`, `Текст: редакция. Фото: A42.RU.`
- `Caption. Иван Петров / 74.RU` (ngs figcaption), `Мария Кузнецова, altapress.ru` (altapress)
"""

from __future__ import annotations

import re

from crawler.items import PhotoCredit

_WORD = r"[А-ЯЁA-Z](?:[а-яёa-z]+|[А-ЯЁA-Z]+)(?:-[А-ЯЁA-Z]?[а-яёa-z]+)?"
_NAME = re.compile(rf"^{_WORD}(?: {_WORD}){{1,2}}$")
_DOMAIN = re.compile(r"^(?:https?://)?(?:[\w-]+\.)+(?:ru|рф|su|com|net|org|info|me|tv|io)(?:/\S*)?$",
                     re.I)  # fmt: skip
# "Фото:", "Фото ", "Фото -", "Источник фото:", "Фотография:", "Фото и видео:"
_KEYWORD = re.compile(
    r"(?:(?<=^)|(?<=[\s./(]))(?P<kw>(?:Источник|Автор|ИСТОЧНИК) (?:фото|ФОТО)\s*:\s*"
    r"|(?:Фото|ФОТО)(?:графия)?(?: и видео)?\s*[:—–-]\s*"
    r"|(?:Фото|ФОТО)\s+(?=[А-ЯЁA-Z]|из |с сайта|предоставлен|автора))"
)
_LEADING_VERB = re.compile(r"^(?:предоставлено|предоставлены|предоставил[аи]?)\s+", re.I)
_TAIL_CREDIT = re.compile(  # "Caption text. Иван Петров / 74.RU"
    rf"(?:^|(?<=[.!?…»\"]) )(?P<credit>{_WORD}(?: {_WORD}){{1,2}} ?/ ?\S+)$"
)
_NAME_ORG = re.compile(  # "Мария Кузнецова, altapress.ru"
    rf"^(?P<name>{_WORD}(?: {_WORD}){{1,2}})\s*[,/]\s*(?P<org>\S+\.\S+)$"
)
CREDIT_MAX_LENGTH = 160


def is_domain(text: str) -> bool:
    return bool(_DOMAIN.match(text))


def _who(who: str) -> tuple[str | None, str | None]:
    """Split the part after "Фото:" into (photographer, organisation)."""
    who = _LEADING_VERB.sub("", who.strip().rstrip(".").strip())
    if not who:
        return None, None
    parts = [p.strip() for p in re.split(r"\s*/\s*|,\s+", who) if p.strip()]
    if len(parts) >= 2 and _NAME.match(parts[0]):
        return parts[0], ", ".join(parts[1:])
    if _NAME.match(who) and not who.isupper():
        return who, None
    return None, who


def _credit(text: str) -> PhotoCredit:
    text = text.strip()
    if text.endswith(".") and not text.endswith(".."):
        text = text[:-1].strip()
    match = _KEYWORD.match(text)
    who = text[match.end() :] if match else text
    colon = bool(match and ":" in match.group("kw"))
    if match and not colon and who[:1].islower() and not _LEADING_VERB.match(who):
        return PhotoCredit(text=text)  # "Фото из открытых источников": a phrase, not a name
    photographer, organisation = _who(who)
    return PhotoCredit(text=text, photographer=photographer, organisation=organisation)


def parse_credit(line: str) -> tuple[str | None, PhotoCredit | None]:
    """Split one printed line into (caption, credit); either may be None."""
    line = " ".join(line.split())
    if not line:
        return None, None
    match = _KEYWORD.search(line)
    if match:
        caption = line[: match.start()].strip().rstrip("/").strip() or None
        credit_text = line[match.start() :]
        # "Текст: редакция. Фото: A42.RU." — keep only the photo part
        if caption and caption.lower().startswith("текст:"):
            caption = None
        return caption, _credit(credit_text)
    tail = _TAIL_CREDIT.search(line)
    if tail:
        caption = line[: tail.start()].strip() or None
        return caption, _credit(tail.group("credit"))
    pair = _NAME_ORG.match(line)
    if pair and is_domain(pair.group("org")):
        return None, PhotoCredit(text=line, photographer=pair.group("name"),
                                 organisation=pair.group("org"))  # fmt: skip
    return line, None


def is_credit_line(line: str) -> bool:
    """True for a short line that is only a photo credit (it belongs in photo_credits)."""
    line = " ".join(line.split())
    if not line or len(line) > CREDIT_MAX_LENGTH:
        return False
    caption, credit = parse_credit(line)
    return credit is not None and caption is None


def merge_source_line(lines: list[str]) -> list[str]:
    """Join `Источник фото:` (or a bare `Фото:`) with the line that follows it."""
    out: list[str] = []
    for line in lines:
        if out and re.fullmatch(r"(?:Источник фото|Фото|Автор фото)\s*:", out[-1], re.I):
            out[-1] = f"{out[-1]} {line}"
        else:
            out.append(line)
    return out


def dedupe(credits: list[PhotoCredit]) -> list[PhotoCredit]:
    seen: set[str] = set()
    out: list[PhotoCredit] = []
    for credit in credits:
        key = credit.text.casefold()
        if key not in seen:
            seen.add(key)
            out.append(credit)
    return out
