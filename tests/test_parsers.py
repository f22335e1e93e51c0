"""The parser framework: registry, layout versions, the seed article, not-article reasons."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from crawler.items import NotAnArticle
from crawler.parsers import PARSERS, extract_article, parser_for, site_info
from crawler.parsers.furniture import is_furniture

GOLDEN = Path(__file__).parent / "golden"
SEED_URL = (
    "https://www.amic.ru/news/"
    "gubernator-tomenko-nazval-kazahstan-samym-krupnym-vneshnetorgovym-partnerom-575321"
)


def test_the_seven_sources_have_parsers() -> None:
    assert set(PARSERS) == {
        "amic", "katun24", "ngs22", "altapress", "tolknews", "sibkray", "bankfax"
    }  # fmt: skip
    info = site_info("amic")
    assert (info.agency, info.timezone, info.language) == ("ИА Амител", "Asia/Barnaul", "ru")
    assert "www.amic.ru" in info.domains
    assert site_info("sibkray").timezone == "Asia/Novosibirsk"


def test_parser_by_key_then_host_then_generic() -> None:
    assert parser_for("ngs22", "https://example.org/").key == "ngs22"
    assert parser_for(None, "https://katun24.ru/news/1").key == "katun24"
    assert parser_for(None, "https://tayga.info/news/1").key == "generic"
    assert parser_for("unknown-key", "https://www.amic.ru/news/x-1").key == "amic"


def test_seed_article_as_the_seed_readme_says() -> None:
    html = (GOLDEN / "amic" / "seed_575321.html").read_bytes()
    article = extract_article(html, SEED_URL, source="amic")
    assert article.headline == (
        "Губернатор Томенко назвал Казахстан самым крупным внешнеторговым партнером Алтайского края"
    )
    assert article.lead == "Алтай экспортировал в соседнюю страну товаров на 360 млн рублей"
    assert article.published_at is not None
    published = datetime.fromisoformat(article.published_at)
    assert published.astimezone(UTC) == datetime(2019, 11, 7, 9, 17, tzinfo=UTC)
    assert published.utcoffset() is not None and published.utcoffset().total_seconds() == 7 * 3600
    assert article.agency == "ИА Амител"
    assert [(c.text, c.photographer, c.organisation) for c in article.photo_credits] == [
        ("Фото: Антон Федотов, altairegion22.ru", "Антон Федотов", "altairegion22.ru")
    ]
    paragraphs = article.body.split("\n\n")
    assert len(paragraphs) == 8
    assert paragraphs[0].startswith("Казахстан – крупнейший внешнеторговый партнер")
    assert paragraphs[-1].endswith("Касым-Жомарта Токаева.")
    for furniture in ("Фото: Антон Федотов", "Комментарии", "Лента новостей", "Новости партнеров"):
        assert furniture not in article.body
    assert article.provenance["headline"] == "source:amic:v1"


def test_old_katun24_layout_is_its_own_version() -> None:
    html = (GOLDEN / "katun24" / "old_layout_28416.html").read_bytes()
    article = extract_article(html, "https://katun24.ru/news/28416")
    assert article.provenance["published_at"] == "source:katun24:v1"
    assert article.published_at_raw == "20 мая 2015, 09:25"
    # infinite scroll appended the next article: only the first counts
    assert article.headline == "В Алтайском крае засеяна треть площадей яровых культур"
    assert "антициклон" not in article.body


def test_amp_twin_points_to_its_canonical_page() -> None:
    html = (GOLDEN / "amic" / "amp_580935.html").read_bytes()
    article = extract_article(html, "https://www.amic.ru/amp/news/580935")
    assert article.canonical_url == (
        "https://www.amic.ru/news/altajskij-kraj-sobral-rekordnyj-urozhaj-grechihi-580935"
    )
    assert article.provenance["body"] == "source:amic:amp"


def test_generic_site_takes_the_crawl_zone_for_naive_dates() -> None:
    html = (GOLDEN / "generic" / "tayga_style_no_jsonld.html").read_bytes()
    article = extract_article(html, "https://tayga.info/news/199021", timezone="Asia/Novosibirsk")
    assert article.published_at == "2024-11-14T12:30:00+07:00"
    assert article.source is None and article.provenance["body"] == "generic:trafilatura"


def test_generic_date_is_never_the_next_article_of_an_infinite_scroll() -> None:
    """The article's own date is printed without `datetime`; the next article, appended
    below by infinite scroll, has a machine-readable one. That one used to be taken."""
    html = (
        "<html><body><main><article class='news'>"
        "<div class='news__date'><time>20 мая 2015, 09:25</time></div>"
        "<h1>В Алтайском крае засеяна треть площадей яровых культур</h1>"
        "<div class='news__body'><p>Аграрии края засеяли 1,7 млн гектаров яровых, около трети "
        "запланированной площади. Темпы сева опережают прошлогодние.</p>"
        "<p>Всего под яровые займут более 5,2 млн гектаров, основная культура — пшеница.</p>"
        "</div></article>"
        "<div class='infinite-scroll'><article class='news'>"
        "<div class='news__date'><time datetime='2026-11-26T10:20:00+07:00'>26 ноября</time>"
        "</div><h1>В крае ожидаются морозы до минус 35 градусов</h1>"
        "<div class='news__body'><p>В выходные в край придет арктический антициклон, ночью "
        "температура опустится до минус 35 градусов.</p></div></article></div>"
        "</main></body></html>"
    )
    article = extract_article(html, "https://news.example/2015/05/sev", timezone="Asia/Barnaul")
    assert article.published_at == "2015-05-20T09:25:00+06:00"  # Barnaul was UTC+6 till 2016
    # a time outside every article (a page-level byline) still counts
    page_level = html.replace(
        "<main>",
        "<main><p class='byline'><time datetime='2015-05-20T09:25:00+07:00'>сегодня</time></p>",
    ).replace("<time>20 мая 2015, 09:25</time>", "")
    article = extract_article(page_level, "https://news.example/2015/05/sev")
    assert article.published_at == "2015-05-20T09:25:00+07:00"


PARAGRAPH = (
    "<p>Жители микрорайона Новая Власиха пожаловались на отсутствие освещения вдоль дороги "
    "к школе. В администрации района обещали установить фонари до конца месяца.</p>"
)


@pytest.mark.parametrize(
    ("html", "reason"),
    [
        ("<html><head><title>404 — Страница не найдена</title></head><body><h1>Ошибка</h1>"
         "<p>Такой страницы нет.</p></body></html>", "error page"),
        ("<html><body><h1>Материал не найден</h1></body></html>", "error page"),
        ("<html><body><article><h1>Свет на улице Малахова</h1><p>Скоро.</p></article>"
         "</body></html>", "empty body"),
        ("<html><body><article>" + PARAGRAPH * 3 + "</article></body></html>", "no headline"),
        ("<html><head><meta property='og:type' content='website'></head><body><h1>Новости</h1>"
         + "".join(f"<h2><a href='/news/{i}'>Новость номер {i} о жизни Барнаула</a></h2>"
                   for i in range(6)) + "</body></html>", "index page"),
        ("", "empty page"),
    ],
)  # fmt: skip
def test_not_an_article_reasons(html: str, reason: str) -> None:
    with pytest.raises(NotAnArticle) as info:
        extract_article(html, "https://tayga.info/news/1")
    assert info.value.reason == reason


@pytest.mark.parametrize(
    "text",
    [
        "Комментарии 0", "Лента новостей", "Новости партнеров", "Читайте также: В Барнауле…",
        "Самое важное - в нашем Telegram-канале", "Подробности в нашем канале в МАХ.",
        "Нужно больше информации? Ищите в Яндексе!", "Loading...", "18+",
        "Чтобы сообщить нам об опечатке, выделите ее мышкой и нажмите Ctrl+Enter",
        "Знаете что-то об этом ДТП? Расскажите нам!", "Рассказать новость",
        "Читайте полную версию на сайте", "можно поделиться через",
    ],
)  # fmt: skip
def test_furniture(text: str) -> None:
    assert is_furniture(text)


@pytest.mark.parametrize(
    "text",
    ["Ранее сообщалось, что мост откроют в 2030 году.", "Напомним, снег выпал в октябре."],
)
def test_editorial_text_is_not_furniture(text: str) -> None:
    assert not is_furniture(text)


def test_the_url_a_saved_page_declares() -> None:
    """`newsagg extract page.html` reads a page as the URL it gives itself; a relative
    canonical says nothing of the site, so an absolute og:url after it counts."""
    from crawler.parsers import declared_url

    head = (
        '<link rel="canonical" href="/news/104812">'
        '<meta property="og:url" content="https://katun24.ru/news/104812">'
    )
    page = f"<html><head>{head}</head><body><h1>Морозы до минус 35</h1></body></html>"
    assert declared_url(page) == "https://katun24.ru/news/104812"
    assert declared_url(page.replace(head, "")) is None
    assert declared_url(page.replace("https://katun24.ru", "ftp://katun24.ru")) is None
