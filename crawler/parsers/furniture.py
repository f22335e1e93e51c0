"""Page furniture that is not body text (SITES.md, "Page furniture that is not body").

One compiled pattern for whole paragraphs that are furniture, one for paragraphs that
start a furniture block ("Читайте также: …"), and an XPath for elements never read as
text (teaser cards, ads, share buttons). `Ранее сообщалось…` and `Напомним…` are
editorial text and are deliberately absent.
"""

from __future__ import annotations

import re

from lxml import etree

_EXACT = [
    r"Комментарии(?: \(?\d+\)?)?",
    r"Комментировать",
    r"Лента новостей",
    r"Новости партн[её]ров",
    r"Сейчас читают",
    r"Самое читаемое",
    r"Рассказать новость",
    r"Loading\.*",
    r"Загрузка\.*",
    r"18\+",
    r"Реклама",
    r"Поделиться",
    r"Подписаться",
    r"Top\.Mail\.Ru",
    r"Читайте также:?",
    r"Читайте ещ[её]:?",
    r"Смотрите также:?",
]
_PREFIX = [
    r"Читайте также\b",
    r"Читайте ещ[её]\b",
    r"Смотрите также:",
    r"Самое важное\s*[-–—]\s*в нашем",
    r"Подробности в нашем канале",
    r"Подписывайтесь на (?:наш|нас)",
    r"Подпишитесь на (?:наш|нас)",
    r"Нужно больше информации\?",
    r"Чтобы сообщить нам об опечатке",
    r"Знаете что-то об этом",
    r"Читайте полную версию на сайте",
    r"можно поделиться через",
    r"Новости партн[её]ров",
    r"Мы используем (?:файлы )?cookie",
    r"Этот сайт использует (?:файлы )?cookie",
    r"Сетевое издание .{0,80} зарегистрировано",
    r"Все права защищены",
    r"При (?:полном или частичном )?(?:использовании|копировании) материалов",
]
_FURNITURE = re.compile(
    r"^(?:(?:" + "|".join(_EXACT) + r")[.!]?|(?:" + "|".join(_PREFIX) + r").*)$",
    re.I | re.S,
)

# Elements inside a body container that are never body: teaser cards, inserts, ads.
NOT_BODY = etree.XPath(
    ".//*[self::figure or self::figcaption or self::aside or self::form or self::button"
    " or self::nav or self::footer or self::header or self::table"
    " or contains(concat(' ', normalize-space(@class), ' '), ' inject2 ')"
    " or contains(@class, 'uiArticleBlockInsert')"
    " or contains(@class, 'read-also') or contains(@class, 'readmore')"
    " or contains(@class, 'related') or contains(@class, 'share')"
    " or contains(@class, 'social') or contains(@class, 'adv') or contains(@class, 'banner')"
    " or contains(@class, 'subscribe') or contains(@class, 'photo-source')"
    " or contains(@class, 'incut') or contains(@class, 'teaser')"
    " or contains(@class, 'comments') or contains(@class, 'post-tags')"
    " or contains(@class, 'cookie') or contains(@class, 'infinite-scroll')"
    " or contains(@class, 'widget') or contains(@class, 'weather')]"
)


def is_furniture(paragraph: str) -> bool:
    """True for a whole paragraph that is page furniture, not article text."""
    return bool(_FURNITURE.match(paragraph.strip()))
