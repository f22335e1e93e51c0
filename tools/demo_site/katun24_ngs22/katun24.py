"""Generate crawler/demo/site/katun24 (throwaway generator, not committed)."""
from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from common import a, dt, ru_date, t, write, write_json  # noqa: E402

ROOT = Path("/work/main/crawler/demo/site/katun24")
HOST = "https://katun24.ru"
CP1251_ID = 104651
REDIRECT_ID = 104771

# body items: str -> <p>; ("quote", str) -> blockquote; ("ul", [..]) -> list
ARTICLES = [
    dict(id=104812, date=dt(2026, 11, 26, 10, 20), img="2026-11/moroz.jpg", photo="unsplash.com",
         tag=True,
         headline="В Алтайском крае ожидаются морозы до минус 35 градусов",
         lead="Синоптики предупреждают о резком похолодании в выходные",
         body=[
             "В ближайшие выходные в Алтайский край придет арктический антициклон. По данным Западно-Сибирского УГМС, ночью 28 и 29 ноября температура воздуха в отдельных районах опустится до минус 33–35 градусов.",
             "В Барнауле ночью ожидается до минус 27 градусов, днем – минус 18–20. Наиболее сильные морозы прогнозируются в Кулундинской степи и в предгорных районах края.",
             "Синоптики отмечают, что для конца ноября такие температуры на 10–12 градусов ниже климатической нормы. Похолодание продлится как минимум до середины следующей недели.",
             "Специалисты советуют автомобилистам заранее подготовить машины к морозам, а жителям частного сектора – проверить печи и отопительное оборудование. Дежурные службы коммунального хозяйства переведены на усиленный режим работы.",
         ]),
    dict(id=104797, date=dt(2026, 11, 25, 17, 45), img="2026-11/svetofor.jpg", photo="t.me/barnaul22",
         headline="На Павловском тракте в Барнауле заработал новый светофор",
         lead="Светофорный объект установили у школы по просьбам жителей микрорайона",
         body=[
             "В Барнауле на Павловском тракте, у остановки «Школа № 132», заработал новый светофор. Его установили по многочисленным просьбам жителей микрорайона, которые жаловались на опасный переход.",
             "Как сообщили в комитете по дорожному хозяйству и транспорту города, светофор оборудован табло обратного отсчета времени и кнопкой вызова для пешеходов. Стоимость работ составила около 3,2 млн рублей.",
             "«Здесь каждый день дорогу переходят сотни детей. Теперь родителям будет спокойнее», – рассказала местная жительница Ольга Кравцова.",
             "До конца года в городе планируют запустить еще четыре светофорных объекта, в том числе на улице Малахова и на Змеиногорском тракте.",
         ]),
    dict(id=104771, date=dt(2026, 11, 24, 9, 5), img="2026-11/pozhar-biysk.jpg",
         photo="пресс-служба ГУ МЧС России по Алтайскому краю",
         headline="В Бийске пожарные спасли двух детей из горящего дома",
         lead="Возгорание в частном доме в переулке Прудском произошло ночью",
         body=[
             "В Бийске ночью 24 ноября загорелся частный дом в переулке Прудском. Сообщение о пожаре поступило на пульт диспетчера в 02:47, сообщили в пресс-службе ГУ МЧС России по Алтайскому краю.",
             "Когда прибыли первые подразделения, дом был сильно задымлен. Пожарные в дыхательных аппаратах вынесли из дома двух детей – мальчика семи лет и девочку четырех лет. Их передали бригаде скорой помощи.",
             "Мать детей и ее знакомый успели выбраться из дома самостоятельно. Огонь распространился на площади 60 квадратных метров, его ликвидировали через полтора часа.",
             "По предварительным данным, причиной пожара стала неисправность печного отопления. Дети госпитализированы с отравлением угарным газом, их состояние врачи оценивают как средней тяжести.",
             "В МЧС напоминают, что перед началом отопительного сезона печи необходимо проверить, а дымоходы – очистить.",
         ]),
    dict(id=104735, date=dt(2026, 11, 21, 14, 30), img="2026-11/poliklinika.jpg", photo="Иван Петров",
         headline="Заболеваемость ОРВИ в Барнауле за неделю выросла на 18%",
         lead="Эпидемический порог пока не превышен, но в нескольких школах ввели карантин",
         body=[
             "За неделю с 14 по 20 ноября в Барнауле зарегистрировали более 9,5 тысячи случаев ОРВИ и гриппа. Это на 18% больше, чем неделей ранее, сообщили в управлении Роспотребнадзора по Алтайскому краю.",
             "Эпидемический порог пока не превышен. Больше всего заболевших среди детей от 3 до 6 лет и школьников. В трех школах Барнаула и одной школе Новоалтайска отдельные классы переведены на карантин.",
             ("quote", "«Сейчас циркулируют в основном риновирусы и вирусы парагриппа. Грипп выявляется пока в единичных случаях, но мы ожидаем его подъема в декабре», – пояснила главный внештатный эпидемиолог края Наталья Воробьева."),
             "Врачи напоминают, что прививочная кампания против гриппа продолжается. Бесплатно привиться можно в поликлиниках по месту жительства и в мобильных пунктах вакцинации в торговых центрах.",
             "При первых признаках болезни специалисты советуют оставаться дома и вызвать врача, а не заниматься самолечением.",
         ]),
    dict(id=104702, date=dt(2026, 11, 18, 12, 10), img=None, photo=None,
         headline="Алтайские самбисты завоевали семь медалей на первенстве Сибири",
         lead="Турнир среди юниоров прошел в Новосибирске",
         body=[
             "Спортсмены Алтайского края завоевали семь медалей на первенстве Сибирского федерального округа по самбо среди юниоров до 21 года. Соревнования проходили в Новосибирске с 14 по 17 ноября.",
             "В копилке сборной две золотые, две серебряные и три бронзовые награды. Победителями стали барнаулец Артем Захаров в весовой категории до 71 кг и Дарья Мельникова из Рубцовска в категории до 59 кг.",
             "Всего в турнире приняли участие более 300 спортсменов из десяти регионов. Сборная Алтайского края заняла третье место в общекомандном зачете.",
             "Победители и призеры получили право выступить на первенстве России, которое пройдет в феврале.",
         ]),
    dict(id=104688, date=dt(2026, 11, 16, 16, 0), img="2026-11/chudiki.jpg",
         photo="пресс-служба театра драмы им. В. М. Шукшина",
         headline="Театр драмы имени Шукшина покажет премьеру по рассказам писателя",
         lead="Спектакль «Чудики» поставил режиссер из Санкт-Петербурга",
         body=[
             "Алтайский краевой театр драмы имени В. М. Шукшина готовит премьеру спектакля «Чудики» по рассказам Василия Шукшина. Постановку осуществил режиссер из Санкт-Петербурга Кирилл Лаптев.",
             "В основу спектакля легли четыре рассказа писателя. По словам режиссера, он хотел показать героев Шукшина как наших современников, без музейной дистанции.",
             "Премьерные показы пройдут в конце ноября:",
             ("ul", ["27 ноября, 18:30 – основная сцена;", "28 ноября, 18:30 – основная сцена;",
                     "30 ноября, 17:00 – основная сцена."]),
             "Билеты можно приобрести в кассе театра и на его официальном сайте. Спектакль рекомендован зрителям старше 12 лет.",
         ]),
    dict(id=104651, date=dt(2026, 11, 12, 11, 25), img="2026-11/uborka.jpg",
         photo="пресс-служба Минсельхоза Алтайского края",
         headline="Аграрии Алтайского края завершили уборочную кампанию",
         lead="Валовой сбор зерна превысил 5,3 млн тонн",
         body=[
             "В Алтайском крае завершилась уборка зерновых и зернобобовых культур. Хлеборобы намолотили более 5,3 млн тонн зерна в первоначально оприходованном весе, сообщили в Министерстве сельского хозяйства региона.",
             "Средняя урожайность составила 16,8 центнера с гектара. Лучшие результаты показали хозяйства Рубцовского, Алейского и Топчихинского районов, где урожайность превысила 25 центнеров.",
             "Уборку затянули дожди в сентябре и начале октября: в некоторых районах комбайны выходили в поле до середины ноября. Часть посевов в северо-восточной зоне пришлось убирать уже по снегу.",
             "Помимо зерна, аграрии собрали около 1 млн тонн подсолнечника и 450 тысяч тонн гречихи. По сбору гречихи Алтайский край традиционно остается лидером в стране.",
             "Сейчас в хозяйствах завершают зяблевую вспашку и готовят технику к следующему сезону.",
         ]),
    dict(id=104620, date=dt(2026, 11, 6, 8, 40), img="2026-11/zmeinogorsky.jpg", photo="t.me/barnaul22",
         headline="В Барнауле завершили ремонт Змеиногорского тракта",
         lead="На участке длиной 2,4 км обновили покрытие и тротуары",
         body=[
             "В Барнауле завершили ремонт Змеиногорского тракта на участке от улицы Аванесова до поворота на Научный Городок. Работы вели по национальному проекту «Инфраструктура для жизни».",
             "Дорожники заменили асфальтовое покрытие на площади более 40 тысяч квадратных метров, обустроили новые тротуары, установили 800 метров пешеходных ограждений и обновили разметку.",
             "Подрядчик дает на выполненные работы гарантию пять лет. В следующем году ремонт тракта планируют продолжить до границы города.",
         ]),
    dict(id=104588, date=dt(2026, 10, 29, 13, 15), img=None, photo=None,
         headline="В Рубцовске водитель иномарки сбил подростка на пешеходном переходе",
         lead="Пострадавшего 14-летнего школьника госпитализировали",
         body=[
             "В Рубцовске 28 октября около 18:00 произошло ДТП с участием пешехода. Водитель автомобиля Toyota Corolla на проспекте Ленина сбил 14-летнего мальчика, который переходил дорогу по нерегулируемому пешеходному переходу.",
             "Как сообщили в Госавтоинспекции Алтайского края, подросток получил травмы и был доставлен в больницу. Водителю 43 года, он был трезв.",
             "По факту аварии проводится проверка. Сотрудники ГИБДД напоминают, что в темное время суток пешеходам стоит носить световозвращающие элементы.",
         ]),
    dict(id=104540, date=dt(2026, 10, 20, 10, 0), img="2026-10/fap.jpg",
         photo="пресс-служба правительства Алтайского края",
         headline="В Змеиногорском районе открыли новый фельдшерско-акушерский пункт",
         lead="Модульный ФАП в селе Карамышево будет обслуживать более 600 жителей",
         body=[
             "В селе Карамышево Змеиногорского района открылся новый фельдшерско-акушерский пункт. Модульное здание установили по региональной программе модернизации первичного звена здравоохранения.",
             "В ФАПе есть кабинет приема, процедурный и прививочный кабинеты, а также помещение для хранения лекарств. Пункт оснащен электрокардиографом, холодильником для вакцин и укладкой для оказания экстренной помощи.",
             "Прежний фельдшерский пункт располагался в приспособленном помещении бывшей конторы совхоза, построенной в 1960-х годах.",
             "В этом году в Алтайском крае планируют открыть 18 новых ФАПов и врачебных амбулаторий. Большая часть из них уже принимает пациентов.",
         ]),
    dict(id=41273, date=dt(2016, 5, 12, 14, 40), img="2016-05/remont.jpg", photo="Мария Соколова",
         old=True,
         headline="В Барнауле стартовал сезон ремонта дорог",
         lead="В этом году в городе отремонтируют 27 улиц",
         body=[
             "В Барнауле начался ремонт дорог. Первыми к работам приступили на улице Попова и проспекте Калинина.",
             "Всего в 2016 году планируется отремонтировать 27 улиц общей площадью более 300 тысяч квадратных метров. На эти цели из городского и краевого бюджетов выделено около 600 млн рублей.",
             "В мэрии напоминают, что на время ремонта на отдельных участках будет ограничено движение транспорта. Водителей просят заранее планировать маршруты.",
         ]),
    dict(id=28416, date=dt(2015, 5, 20, 9, 25), img="2015-05/sev.jpg",
         photo="пресс-служба администрации Алтайского края", old=True,
         headline="В Алтайском крае засеяна треть площадей яровых культур",
         lead="Сев идет с опережением прошлогодних темпов",
         body=[
             "Аграрии Алтайского края засеяли 1,7 млн гектаров яровых культур, что составляет около 32% от запланированной площади. Об этом сообщили в главном управлении сельского хозяйства края.",
             "Темпы сева опережают прошлогодние. Быстрее всего работы идут в южных и западных районах, где почва прогрелась раньше.",
             "Всего в этом году под яровые планируется занять более 5,2 млн гектаров. Основная культура – пшеница, также аграрии увеличивают площади под гречиху и лен.",
             "Хозяйства обеспечены семенами и горюче-смазочными материалами в полном объеме, отметили в управлении.",
         ]),
]
BY_ID = {x["id"]: x for x in ARTICLES}


def date_text(art: dict) -> str:
    d = art["date"]
    if art.get("old"):
        return f"{ru_date(d)}, {d:%H:%M}"
    return f"{ru_date(d)} / {d:%H:%M}"


def time_el(art: dict) -> str:
    if art.get("old"):
        return f"<time>{date_text(art)}</time>"
    return f'<time datetime="{art["date"].isoformat()}">{date_text(art)}</time>'


def img_url(art: dict) -> str:
    return f"{HOST}/sites/default/files/styles/large/public/{art['img']}"


def body_html(items: list) -> str:
    out = []
    for it in items:
        if isinstance(it, str):
            out.append(f"<p>{t(it)}</p>")
        elif it[0] == "quote":
            out.append(f"<blockquote><p>{t(it[1])}</p></blockquote>")
        else:
            lis = "".join(f"<li>{t(x)}</li>" for x in it[1])
            out.append(f"<ul>{lis}</ul>")
    return "\n      ".join(out)


def article_html(art: dict) -> str:
    url = f"{HOST}/news/{art['id']}"
    image = ""
    if art["img"]:
        image = (f'\n  <div class="node--news__image"><img src="{img_url(art)}" alt="{a(art["headline"])}"'
                 f' width="900" height="600" loading="lazy">'
                 f'<div class="photo-source">Источник фото:<br>{t(art["photo"])}</div></div>')
    tags = ""
    if art.get("tag"):
        tags = ('\n  <div class="node--news__tags field--name-field-tags">'
                '<a href="/tags/pogoda" hreflang="ru">погода</a></div>')
    return f"""<article class="node node--news" data-history-node-id="{art['id']}" about="/news/{art['id']}">
  <div class="node--news__date">{time_el(art)}</div>
  <h1 class="node--news__title">{t(art['headline'])}</h1>
  <div class="node--news__lead">{t(art['lead'])}</div>{image}
  <div class="node--news__body field--name-body">
      {body_html(art['body'])}
  </div>{tags}
  <div class="node--news__share"><span class="share-title">можно поделиться через</span>
    <a href="https://vk.com/share.php?url={url}" class="share share--vk">ВКонтакте</a>
    <a href="https://connect.ok.ru/offer?url={url}" class="share share--ok">Одноклассники</a>
    <a href="https://t.me/share/url?url={url}" class="share share--tg">Telegram</a></div>
</article>"""


HEADER = """<a href="#main-content" class="visually-hidden focusable skip-link">Перейти к основному содержанию</a>
<div class="dialog-off-canvas-main-canvas" data-off-canvas-main-canvas>
<header class="header" role="banner">
  <div class="header__logo"><a href="/" rel="home" title="Главная"><img src="/themes/custom/katun/logo.svg" alt="Катунь 24"></a></div>
  <nav role="navigation" aria-labelledby="block-katun-main-menu-menu" class="menu--main">
    <ul class="menu">
      <li class="menu-item"><a href="/news">Новости</a></li>
      <li class="menu-item"><a href="/projects">Проекты</a></li>
      <li class="menu-item"><a href="/live">Прямой эфир</a></li>
      <li class="menu-item"><a href="/teleprogramma">Телепрограмма</a></li>
      <li class="menu-item"><a href="/contacts">Контакты</a></li>
    </ul>
  </nav>
  <div class="weather-widget"><span class="weather-widget__city">Барнаул</span>
    <span class="weather-widget__temp">-12 °C</span> <span class="weather-widget__desc">облачно, небольшой снег</span></div>
  <a class="tell-news" href="/tell-news">Рассказать новость</a>
</header>"""

FOOTER = """<footer class="footer" role="contentinfo">
  <div class="footer__menu"><a href="/about">О канале</a> <a href="/advertising">Реклама</a> <a href="/contacts">Контакты</a></div>
  <div class="footer__copyright">© 2012–2026 Телеканал «Катунь 24». Сетевое издание «Катунь 24». Свидетельство о регистрации Эл № ФС77-71234 выдано Роскомнадзором. При использовании материалов ссылка на katun24.ru обязательна.</div>
  <div class="footer__age">18+</div>
</footer>
</div>
<div class="cookie-banner" id="cookie-banner">Мы используем файлы cookie, чтобы сайт работал лучше. Продолжая пользоваться сайтом, вы соглашаетесь с этим. <button type="button" class="cookie-banner__ok">Хорошо</button></div>
<!-- Top.Mail.Ru counter -->
<script type="text/javascript">
var _tmr = window._tmr || (window._tmr = []);
_tmr.push({id: "3012345", type: "pageView", start: (new Date()).getTime()});
(function (d, w, id) { if (d.getElementById(id)) return; var ts = d.createElement("script"); ts.type = "text/javascript"; ts.async = true; ts.id = id; ts.src = "https://top-fwz1.mail.ru/js/code.js"; var f = function () {var s = d.getElementsByTagName("script")[0]; s.parentNode.insertBefore(ts, s);}; if (w.opera == "[object Opera]") { d.addEventListener("DOMContentLoaded", f, false); } else { f(); } })(document, window, "tmr-code");
</script>
<noscript><div><img src="https://top-fwz1.mail.ru/counter?id=3012345;js=na" style="position:absolute;left:-9999px;" alt="Top.Mail.Ru" /></div></noscript>
<!-- /Top.Mail.Ru counter -->
<script src="/core/assets/vendor/jquery/jquery.min.js"></script>
<script src="/modules/contrib/views_infinite_scroll/js/infinite-scroll.js"></script>"""


def head(title: str, charset_meta: str, extra: str = "") -> str:
    return f"""<!DOCTYPE html>
<html lang="ru" dir="ltr" prefix="og: https://ogp.me/ns#">
<head>
{charset_meta}
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<title>{t(title)}</title>{extra}
<meta name="Generator" content="Drupal 9 (https://www.drupal.org)">
<link rel="icon" href="/themes/custom/katun/favicon.ico" type="image/vnd.microsoft.icon">
<link rel="stylesheet" media="all" href="/sites/default/files/css/css_k7Qe2cLx9.css">
</head>"""


UTF8 = '<meta charset="utf-8">'
CP1251 = '<meta http-equiv="Content-Type" content="text/html; charset=windows-1251">'


def article_page(art: dict, scroll: list[dict]) -> str:
    url = f"{HOST}/news/{art['id']}"
    extra = f"""
<meta name="description" content="{a(art['lead'])}">
<link rel="canonical" href="{url}">
<link rel="shortlink" href="{HOST}/node/{art['id']}">
<meta property="og:site_name" content="Катунь 24">
<meta property="og:type" content="article">
<meta property="og:url" content="{url}">
<meta property="og:title" content="{a(art['headline'])}">
<meta property="og:description" content="{a(art['lead'])}">"""
    if art["img"]:
        extra += f'\n<meta property="og:image" content="{img_url(art)}">'
    charset = CP1251 if art["id"] == CP1251_ID else UTF8
    appended = "\n".join(article_html(x) for x in scroll)
    return f"""{head(art['headline'] + ' | Катунь 24', charset, extra)}
<body class="path-node page-node-type-news">
{HEADER}
<main role="main" class="main">
<a id="main-content" tabindex="-1"></a>
<div class="region region-content">
<div data-drupal-messages-fallback class="hidden"></div>
{article_html(art)}
<div class="infinite-scroll" data-next-page="/news/{scroll[-1]['id']}">
{appended}
<div class="infinite-scroll__loader ajax-progress">Loading...</div>
</div>
</div>
</main>
{FOOTER}
</body>
</html>
"""


def list_item(art: dict, href: str | None = None) -> str:
    href = href or f"/news/{art['id']}"
    img = (f'<div class="news-main-block__image"><img src="{img_url(art)}" alt=""></div>'
           if art["img"] else "")
    return f"""<div class="news-main-block-wrapper">
  <a href="{href}" class="news-main-block__link">{img}<div class="news-main-block__title">{t(art['headline'])}</div></a>
  <div class="node--news__date">{time_el(art)}</div>
</div>"""


def plain_page(title: str, body_class: str, content: str) -> str:
    return f"""{head(title, UTF8)}
<body class="{body_class}">
{HEADER}
<main role="main" class="main">
<a id="main-content" tabindex="-1"></a>
<div class="region region-content">
{content}
</div>
</main>
{FOOTER}
</body>
</html>
"""


def main() -> None:
    ordered = sorted(ARTICLES, key=lambda x: x["date"], reverse=True)
    n = len(ordered)
    for i, art in enumerate(ordered):
        k = 2 if i % 2 == 0 else 1
        scroll = [ordered[(i + j) % n] for j in range(1, k + 1)]
        page = article_page(art, scroll)
        enc = "windows-1251" if art["id"] == CP1251_ID else "utf-8"
        write(ROOT, f"news/{art['id']}.html", page, enc)

    # home page
    items = "\n".join(list_item(x) for x in ordered[:8])
    red = BY_ID[REDIRECT_ID]
    home = f"""<h2 class="block-title">Главное</h2>
<div class="view view-news-main view-id-news_main">
{items}
</div>
<div class="more-link"><a href="/news">Все новости</a></div>
<div class="block block-popular"><h2 class="block-title">Популярное</h2>
  <ul><li><a href="/node/{red['id']}">{t(red['headline'])}</a></li></ul></div>
<div class="block block-live"><a href="/live">Смотреть прямой эфир «Катунь 24»</a></div>"""
    write(ROOT, "index.html", plain_page("Катунь 24 – новости Барнаула и Алтайского края",
                                         "path-frontpage", home))

    # listing /news and /news?page=2
    pages = [ordered[:6], ordered[6:]]
    tags = '<div class="block block-tags"><h2 class="block-title">Темы</h2><a href="/tags/pogoda">погода</a></div>'
    for pno, chunk in enumerate(pages, start=1):
        items = "\n".join(list_item(x) for x in chunk)
        if pno == 1:
            pager = '<nav class="pager" role="navigation"><ul class="pager__items"><li class="pager__item is-active">1</li><li class="pager__item"><a href="/news?page=2" title="На страницу номер 2">2</a></li><li class="pager__item pager__item--next"><a href="/news?page=2" rel="next">Следующая ›</a></li></ul></nav>'
        else:
            pager = '<nav class="pager" role="navigation"><ul class="pager__items"><li class="pager__item pager__item--previous"><a href="/news" rel="prev">‹ Предыдущая</a></li><li class="pager__item"><a href="/news" title="На страницу номер 1">1</a></li><li class="pager__item is-active">2</li></ul></nav>'
        content = f"""<h1 class="page-title">Новости</h1>
<div class="view view-news view-id-news">
{items}
</div>
{pager}
{tags}"""
        rel = "news.html" if pno == 1 else "news.page-2.html"
        write(ROOT, rel, plain_page("Новости | Катунь 24", "path-news", content))

    # tag page
    weather = [x for x in ordered if x.get("tag")]
    content = f"""<h1 class="page-title">погода</h1>
<div class="view view-taxonomy-term">
{chr(10).join(list_item(x) for x in weather)}
</div>"""
    write(ROOT, "tags/pogoda.html", plain_page("погода | Катунь 24", "path-taxonomy", content))

    # error page served with 200
    content = """<h1 class="page-title">Страница не найдена</h1>
<div class="page-not-found"><p>Запрошенная страница не найдена.</p>
<p>Возможно, она была удалена или вы ошиблись при наборе адреса. Перейдите на <a href="/">главную страницу</a> или в раздел <a href="/news">Новости</a>.</p></div>"""
    write(ROOT, "news/999999.html", plain_page("Страница не найдена | Катунь 24", "path-node", content))

    # sitemap
    urls = [(f"{HOST}/news/{x['id']}", x["date"].isoformat()) for x in ordered]
    urls.insert(3, (f"{HOST}/news/999999", "2026-11-23T12:00:00+07:00"))
    sm = "".join(f"""  <url>
    <loc>{u}</loc>
    <lastmod>{m}</lastmod>
    <changefreq>daily</changefreq>
  </url>
""" for u, m in urls)
    write(ROOT, "sitemap.xml", f"""<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
{sm}</urlset>
""")
    write(ROOT, "robots.txt", f"""#
# robots.txt
#
User-agent: *
# Directories
Disallow: /core/
Disallow: /profiles/
Disallow: /user/
Disallow: /admin/
Disallow: /search/
# Paths (no clean URLs)
Disallow: /index.php/user/
Disallow: /index.php/admin/

Sitemap: {HOST}/sitemap.xml
""")
    write_json(ROOT, "_headers.json", {
        f"/news/{CP1251_ID}": {"Content-Type": "text/html"},
        f"/node/{REDIRECT_ID}": {"status": 301, "Location": f"/news/{REDIRECT_ID}"},
    })

    def paras(art: dict) -> list[str]:
        return [x for x in art["body"] if isinstance(x, str)]

    truth = {
        "articles": [
            {
                "path": f"/news/{x['id']}",
                "headline": x["headline"],
                "lead": x["lead"],
                "published_at": x["date"].isoformat(),
                "agency": "Катунь 24",
                "photo_credit": x["photo"],
                "authors": [],
                "first_paragraph": paras(x)[0],
                "last_paragraph": paras(x)[-1],
            }
            for x in ordered
        ],
        "not_articles": [
            {"path": "/news/999999", "kind": "error page"},
            {"path": f"/node/{REDIRECT_ID}", "kind": "redirect", "same_as": f"/news/{REDIRECT_ID}"},
            {"path": "/tags/pogoda", "kind": "tag index"},
            {"path": "/", "kind": "home page"},
            {"path": "/news", "kind": "listing"},
            {"path": "/news?page=2", "kind": "listing"},
        ],
    }
    write_json(ROOT, "_truth.json", truth)


if __name__ == "__main__":
    main()
