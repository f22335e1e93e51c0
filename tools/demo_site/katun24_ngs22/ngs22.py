"""Generate crawler/demo/site/ngs22 (throwaway generator, not committed)."""
from __future__ import annotations

import json
import random
import sys
from email.utils import format_datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from common import a, dt, ru_date, t, write, write_json  # noqa: E402

ROOT = Path("/work/main/crawler/demo/site/ngs22")
HOST = "https://ngs22.ru"
RUBRICS = {"society": "Общество", "incidents": "Происшествия", "transport": "Транспорт",
           "health": "Здоровье", "business": "Бизнес", "culture": "Культура"}
FEEDBACK = "Знаете что-то об этом ДТП? Расскажите нам!"

# blocks: list of lists of paragraphs; a teaser insert goes between blocks
ARTICLES = [
    dict(id=73498120, rubric="society", date=dt(2026, 11, 26, 8, 15), comments=37,
         authors=["Екатерина Белова"],
         caption="Горячую воду в домах обещают дать к вечеру. Алексей Гусев / NGS22.RU",
         credit="Алексей Гусев / NGS22.RU",
         headline="Жители 46 домов в Индустриальном районе остались без горячей воды",
         lead="На магистрали теплосетей произошел порыв, ремонт продлится до вечера",
         blocks=[[
             "В Индустриальном районе Барнаула утром 26 ноября без горячей воды остались жители 46 многоквартирных домов. Причиной стал порыв на магистральном трубопроводе на улице Власихинской.",
             "Как сообщили в Барнаульской теплосетевой компании, аварийная бригада приступила к раскопкам около 7 утра. Отопление в домах сохраняется, но давление в системе снижено.",
         ], [
             "«Проснулась – а из крана течет еле теплая вода. Хорошо, что батареи еще теплые, на улице минус двадцать», – рассказала НГС22 жительница дома на улице Взлетной Анна Полякова.",
             "В компании обещают восстановить горячее водоснабжение к 20:00. Список отключенных домов опубликован на сайте теплосетевой компании.",
         ]]),
    dict(id=73497455, rubric="incidents", date=dt(2026, 11, 25, 21, 40), comments=12,
         authors=["Денис Кравец"], feedback=True,
         caption="Сергей Ткачёв / NGS22.RU", credit="Сергей Ткачёв / NGS22.RU",
         headline="На Павловском тракте столкнулись три машины: пострадали четыре человека",
         lead="Движение в сторону Новоалтайска было затруднено больше часа",
         blocks=[[
             "Вечером 25 ноября на Павловском тракте столкнулись три автомобиля – Lada Vesta, Hyundai Solaris и грузовая «ГАЗель». Авария произошла около 19:30.",
             "По данным Госавтоинспекции Барнаула, водитель Lada выехал на полосу встречного движения при обгоне. В результате ДТП пострадали четыре человека, в том числе ребенок 2017 года рождения. Всех доставили в больницу.",
         ], [
             "Из-за аварии на выезде из города образовалась пробка длиной около трех километров. Движение восстановили к 21:00.",
             "Очевидцы рассказали, что дорога в этот вечер была покрыта наледью. По факту ДТП проводится проверка.",
         ]]),
    dict(id=73495310, rubric="transport", date=dt(2026, 11, 24, 12, 30), comments=54,
         authors=["Ольга Смирнова", "Павел Лисицын"],
         caption="Автобус маршрута № 60 на площади Октября. Мария Зуева / NGS22.RU",
         credit="Мария Зуева / NGS22.RU",
         headline="В Барнауле с 1 декабря изменятся три автобусных маршрута",
         lead="Часть рейсов перестанет заходить на площадь Октября",
         blocks=[[
             "С 1 декабря в Барнауле изменятся схемы движения автобусов № 17, 60 и 144. Об этом сообщили в комитете по дорожному хозяйству и транспорту администрации города.",
             "Маршрут № 17 продлят до микрорайона Новосиликатный, а автобусы № 60 больше не будут заезжать на площадь Октября – они пойдут по улице Северо-Западной.",
         ], [
             "Маршрут № 144 сократят: теперь он будет заканчиваться у железнодорожного вокзала. В мэрии объясняют изменения низким пассажиропотоком на конечном участке.",
             "Жители Новосиликатного в соцсетях уже пожаловались, что новые схемы удлинят им дорогу на работу. В администрации обещают проанализировать пассажиропоток через три месяца и при необходимости скорректировать маршруты.",
         ], [
             "Актуальное расписание автобусов можно посмотреть на сайте городского транспорта и в приложениях навигаторов.",
         ]]),
    dict(id=73492876, rubric="health", date=dt(2026, 11, 22, 10, 5), comments=8,
         modified=dt(2026, 11, 22, 15, 20),
         authors=["Марина Котова"],
         caption="Ирина Шульц / NGS22.RU", credit="Ирина Шульц / NGS22.RU",
         headline="В Барнауле открыли новый корпус детской поликлиники в поселке Южном",
         lead="Там будут наблюдаться почти 15 тысяч детей",
         blocks=[[
             "В поселке Южном открылся новый корпус детской городской поликлиники № 5. Трехэтажное здание построили за полтора года по нацпроекту «Здравоохранение».",
             "В корпусе разместили кабинеты педиатров и узких специалистов, дневной стационар на 20 мест, рентгенологическое отделение и кабинет УЗИ. К поликлинике прикреплены почти 15 тысяч детей.",
         ], [
             "«Раньше на многие обследования детей приходилось возить в центр города. Теперь все можно сделать на месте», – рассказала главный врач поликлиники Светлана Медведева.",
             "Старое здание поликлиники, где прием вели с 1978 года, закроют на капитальный ремонт. После него там разместят отделение медицинской реабилитации.",
         ]]),
    dict(id=73490144, rubric="business", date=dt(2026, 11, 20, 16, 45), comments=3,
         authors=["Павел Лисицын"],
         caption="Алексей Гусев / NGS22.RU", credit="Алексей Гусев / NGS22.RU",
         headline="Барнаульский мелькомбинат вложит 1,2 млрд рублей в новую линию",
         lead="Предприятие рассчитывает увеличить выпуск муки на треть",
         blocks=[[
             "Барнаульский мелькомбинат «Сибирская нива» построит новую линию по переработке зерна. Инвестиции в проект оцениваются в 1,2 млрд рублей, сообщили в Министерстве экономического развития Алтайского края.",
             "Новая линия позволит перерабатывать до 500 тонн зерна в сутки. Предприятие рассчитывает увеличить выпуск муки на 30% и начать производство цельнозерновой муки и хлопьев.",
         ], [
             "Проект получил статус приоритетного инвестиционного, что дает компании налоговые льготы. Запустить линию планируют в конце 2027 года, на ней создадут 45 рабочих мест.",
             "Сейчас продукция комбината поставляется в 20 регионов России, а также в Казахстан, Монголию и Китай.",
         ]]),
    dict(id=73487602, rubric="culture", date=dt(2026, 11, 18, 11, 0), comments=0,
         authors=["Екатерина Белова"],
         caption="Часть экспонатов покажут впервые. Мария Зуева / NGS22.RU",
         credit="Мария Зуева / NGS22.RU",
         headline="В краеведческом музее Барнаула покажут демидовское серебро",
         lead="На выставке будет больше 200 предметов из фондов музея",
         blocks=[[
             "В Алтайском государственном краеведческом музее 20 ноября откроется выставка «Серебро Алтая». На ней покажут более 200 предметов из фондов музея, многие из которых будут выставлены впервые.",
             "Посетители увидят образцы руды, слитки, монеты и изделия, связанные с историей сереброплавильного производства на Алтае в XVIII–XIX веках.",
         ], [
             "«Барнаул вырос вокруг сереброплавильного завода, и эта история – часть нашей идентичности. Мы хотели показать ее не только через документы, но и через вещи», – рассказала куратор выставки Елена Фролова.",
             "Выставка будет работать до 15 марта. Для школьников подготовили экскурсии и мастер-классы.",
         ]]),
    dict(id=73481239, rubric="society", date=dt(2026, 11, 14, 9, 30), comments=21,
         authors=["Ольга Смирнова", "Денис Кравец"],
         caption="Ирина Шульц / NGS22.RU", credit="Ирина Шульц / NGS22.RU",
         headline="В Барнауле этой зимой зальют 46 катков",
         lead="Первые площадки откроются в начале декабря",
         blocks=[[
             "В Барнауле этой зимой будут работать 46 общедоступных катков и хоккейных коробок. Об этом сообщили в комитете по физической культуре и спорту города.",
             "Заливать лед начнут, как только среднесуточная температура устойчиво опустится ниже минус 10 градусов. Первые площадки планируют открыть в начале декабря.",
         ], [
             "Самым большим традиционно станет каток в парке «Изумрудный». Новые площадки появятся во дворах на улице Балтийской и в поселке Затон.",
             "Жители могут предложить адреса для новых катков через администрации районов. Бесплатно пользоваться большинством площадок можно ежедневно с 10:00 до 22:00.",
         ]]),
    dict(id=73476510, rubric="incidents", date=dt(2026, 11, 10, 18, 20), comments=46,
         modified=dt(2026, 11, 11, 9, 0),
         authors=["Денис Кравец"],
         caption="Сергей Ткачёв / NGS22.RU", credit="Сергей Ткачёв / NGS22.RU",
         headline="В Новоалтайске задержали мошенников, обманувших пенсионеров на 3 млн рублей",
         lead="Злоумышленники представлялись сотрудниками газовой службы",
         blocks=[[
             "Полицейские задержали двух жителей Новосибирской области, которых подозревают в мошенничестве. По данным ГУ МВД по Алтайскому краю, они обманули не менее 12 пенсионеров из Новоалтайска и Барнаула.",
             "Злоумышленники приходили к пожилым людям под видом сотрудников газовой службы и предлагали срочно заменить газовое оборудование. За «замену» они брали от 50 до 400 тысяч рублей.",
         ], [
             "Общий ущерб превысил 3 млн рублей. Возбуждено уголовное дело по статье «Мошенничество», подозреваемым грозит до десяти лет лишения свободы.",
         ], [
             "В полиции просят не пускать в квартиру незнакомцев и проверять, действительно ли к вам направили специалиста, позвонив в обслуживающую организацию.",
         ]]),
    dict(id=73462218, rubric="transport", date=dt(2026, 10, 30, 14, 10), comments=19,
         authors=["Павел Лисицын"],
         caption="Аэропорт Барнаула. Алексей Гусев / NGS22.RU", credit="Алексей Гусев / NGS22.RU",
         headline="Из Барнаула запустят прямые рейсы в Ташкент",
         lead="Самолеты будут летать два раза в неделю",
         blocks=[[
             "Аэропорт Барнаула с 15 декабря запустит прямые рейсы в Ташкент. Полеты будут выполняться два раза в неделю – по вторникам и пятницам, сообщили в пресс-службе аэропорта.",
             "Время в пути составит около трех с половиной часов. Билеты уже появились в продаже, их стоимость в одну сторону начинается от 14 тысяч рублей.",
         ], [
             "В зимнем расписании аэропорта также сохранятся рейсы в Москву, Санкт-Петербург, Сочи и Новосибирск.",
         ]]),
    dict(id=73450093, rubric="health", date=dt(2026, 10, 21, 11, 40), comments=5,
         authors=["Марина Котова"],
         caption="Ирина Шульц / NGS22.RU", credit="Ирина Шульц / NGS22.RU",
         headline="Алтайский онкоцентр получил новый линейный ускоритель",
         lead="Аппарат позволит лечить на 600 пациентов в год больше",
         blocks=[[
             "В Алтайский краевой онкологический диспансер поступил новый линейный ускоритель для лучевой терапии. Его приобрели по федеральному проекту «Борьба с онкологическими заболеваниями».",
             "Аппарат позволяет облучать опухоль с высокой точностью, меньше затрагивая здоровые ткани. Дополнительно на нем можно будет лечить около 600 пациентов в год.",
         ], [
             "Сейчас специалисты монтируют оборудование и готовят помещение. Первых пациентов на новом ускорителе планируют принять в январе.",
             "Всего в онкодиспансере будет работать пять линейных ускорителей. По словам врачей, это позволит сократить ожидание лучевой терапии до двух недель.",
         ]]),
    dict(id=73433741, rubric="business", date=dt(2026, 10, 9, 15, 25), comments=88,
         authors=["Павел Лисицын", "Екатерина Белова"],
         caption="Мария Зуева / NGS22.RU", credit="Мария Зуева / NGS22.RU",
         headline="Бензин в Алтайском крае подорожал на 4% с начала года",
         lead="Литр АИ-95 в Барнауле стоит уже больше 64 рублей",
         blocks=[[
             "Средняя стоимость бензина в Алтайском крае с начала года выросла на 4%, следует из данных Алтайкрайстата. Быстрее всего дорожало дизельное топливо – на 6,3%.",
             "В начале октября литр бензина АИ-92 на заправках Барнаула стоил в среднем 58,9 рубля, АИ-95 – 64,2 рубля. Дизельное топливо обходилось водителям в 69,5 рубля за литр.",
         ], [
             "Эксперты связывают рост цен с ремонтами на нефтеперерабатывающих заводах и высоким спросом в сезон уборки урожая.",
             "По сравнению с соседними регионами топливо в Алтайском крае остается дороже, чем в Новосибирской области, но дешевле, чем в Республике Алтай.",
         ]]),
    # reprint of the seed story (ИА Амител, 2019-11-07): new headline and lead, a dateline,
    # two paragraphs cut (the China one, the tourism one), one sentence reworded, attribution.
    dict(id=65512345, rubric="business", date=dt(2019, 11, 7, 18, 40), comments=2,
         authors=[], caption=None, credit=None, reprint=True,
         headline="Казахстан остаётся главным покупателем алтайских товаров",
         lead="На соседнюю республику приходится более 30% экспорта региона",
         blocks=[[
             "БАРНАУЛ, 7 ноября. Казахстан – крупнейший внешнеторговый партнер Алтайского края, на долю этой страны приходится более 30% экспорта из региона. Об этом заявил губернатор Виктор Томенко на XVI Форуме межрегионального сотрудничества Казахстана и России.",
             "\"Общий объем товарооборота между Алтайским краем и Республикой Казахстан составил порядка 480 миллионов долларов США, из них примерно 360 миллионов – это объем экспорта, 120 миллионов – импорта. Общий объем продукции, которую Алтайский край поставляет на экспорт, превышает 1 миллиард 100 миллионов долларов\", – сказал глава региона.",
             "По словам губернатора, за период с 2016 по 2018 год товарооборот вырос более чем в полтора раза. Основные товары: машиностроительная продукция (вагоны, сельскохозяйственная техника), кокс, полукокс, концентраты металлов (меди, цинка и других), продукты питания.",
         ], [
             "Что касается перспектив сотрудничества, то глава региона отметил, что власти и бизнесу нужно постоянно анализировать ситуацию, чтобы понимать, что может потребоваться партнерам.",
             "Форум межрегионального сотрудничества Казахстана и России проходит в эти дни в Омске. Делегацию Алтайского края возглавляет губернатор. Приехали туда не только чиновники, но и представители алтайских предприятий. Инновационные производственные компании продемонстрируют свои технологические разработки, а также продукцию Алтайского биофармкластера. Это \"Зиас Машинери\", \"СиСорт\", \"Спецавтоматика\", Бийский завод стеклопластиков, завод \"Алтайлесмаш\", научно-производственные предприятия \"Алтик\" и \"Лосев\" (резидент Сколково).",
             "В рамках форума пройдет пленарное заседание с участием президентов России Владимира Путина и Казахстана Касым-Жомарта Токаева.",
             "Источник: ИА Амител",
         ]]),
]
REMOVED = dict(id=73499998, rubric="society", date=dt(2026, 11, 20, 13, 10), comments=0,
               authors=["Ольга Смирнова"], caption=None, credit=None,
               headline="В Барнауле назвали лучшую управляющую компанию года",
               lead="Победителя выбирали жители по итогам онлайн-голосования",
               blocks=[[], [""]])
BY_ID = {x["id"]: x for x in ARTICLES}


def path(art: dict) -> str:
    d = art["date"]
    return f"/text/{art['rubric']}/{d:%Y/%m/%d}/{art['id']}/"


def time_text(art: dict) -> str:
    return f"{ru_date(art['date'])}, {art['date']:%H:%M}"


def img_url(art: dict) -> str:
    return f"https://cdn.ngs22.ru/images/{art['id'] % 997:03d}/{art['id']}_main.jpg"


def hx(rng: random.Random) -> str:
    return "".join(rng.choice("0123456789abcdef") for _ in range(5))


def jsonld(art: dict) -> str:
    url = HOST + path(art)
    data: dict = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "mainEntityOfPage": {"@type": "WebPage", "@id": url},
        "headline": art["headline"],
        "description": art["lead"],
        "datePublished": art["date"].isoformat(),
    }
    if art.get("modified"):
        data["dateModified"] = art["modified"].isoformat()
    if art["authors"]:
        data["author"] = [{"@type": "Person", "name": n} for n in art["authors"]]
    if art["caption"]:
        data["image"] = [img_url(art)]
    data["publisher"] = {"@type": "Organization", "name": "НГС22",
                         "logo": {"@type": "ImageObject", "url": f"{HOST}/static/logo-ngs22.png"}}
    return json.dumps(data, ensure_ascii=False, indent=1)


def teaser(target: dict, rng: random.Random) -> str:
    return (f'<div class="uiArticleBlockInsert_{hx(rng)}"><a href="{path(target)}">'
            f'<span>Читайте также:</span> {t(target["headline"])}</a></div>')


HEADER = """<div class="cookie_b7e21">Мы используем файлы cookie. Продолжая пользоваться сайтом, вы соглашаетесь на их использование. <a href="/doc/cookie/">Подробнее</a> <button type="button">Принять</button></div>
<header class="header_e0a3c">
  <a class="logo_c11f2" href="/" title="НГС22 – новости Барнаула">НГС22</a>
  <nav class="menu_9af30">
    <a href="/text/">Новости</a> <a href="/text/society/">Общество</a> <a href="/text/incidents/">Происшествия</a>
    <a href="/text/transport/">Транспорт</a> <a href="/text/health/">Здоровье</a> <a href="/text/business/">Бизнес</a>
    <a href="/text/culture/">Культура</a>
  </nav>
  <span class="weather_2d1be">Барнаул, -14°</span>
</header>
<div class="adv_f4c18 adv-top"><div class="adfox" id="adfox_163912345678">Реклама</div></div>"""

FOOTER = """<footer class="footer_6c0d2">
  <div>Сетевое издание «НГС22». Свидетельство о регистрации СМИ Эл № ФС77-71111 выдано Роскомнадзором. Главный редактор Анна Дмитриевна Кузьмина.</div>
  <div>© 2026 НГС22. Все права защищены. Перепечатка материалов без согласия редакции запрещена.</div>
  <div class="age_4e2a1">18+</div>
</footer>
<script async src="https://yastatic.net/pcode/adfox/loader.js"></script>
<script>window.__INITIAL_STATE__ = {"region": 22, "page": "article"};</script>
</body>
</html>
"""


def page_head(title: str, extra: str) -> str:
    return f"""<!DOCTYPE html>
<html lang="ru">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{t(title)}</title>{extra}
<link rel="stylesheet" href="https://static.ngs22.ru/css/main.3f9a1c.css">
</head>
<body>
{HEADER}"""


def article_page(art: dict, teasers: list[dict]) -> str:
    rng = random.Random(art["id"])
    url = HOST + path(art)
    extra = f"""
<meta name="description" content="{a(art['lead'])}">
<link rel="canonical" href="{url}">
<meta property="og:site_name" content="НГС22">
<meta property="og:type" content="article">
<meta property="og:url" content="{url}">
<meta property="og:title" content="{a(art['headline'])}">
<meta property="og:description" content="{a(art['lead'])}">"""
    if art["caption"]:
        extra += f'\n<meta property="og:image" content="{img_url(art)}">'
    extra += f'\n<script type="application/ld+json">\n{jsonld(art)}\n</script>'
    title = f"{art['headline']} - {ru_date(art['date'])} - НГС22.ру"
    parts = []
    for i, block in enumerate(art["blocks"]):
        if i > 0 and teasers:
            parts.append(teaser(teasers[(i - 1) % len(teasers)], rng))
        ps = "".join(f"<p>{t(p)}</p>" if p else "<p></p>" for p in block)
        parts.append(f'<div class="uiArticleBlockText_{hx(rng)}">{ps}</div>')
    blocks = "\n  ".join(parts)
    authors = "".join(
        f'\n  <div class="author" itemprop="author">{t(n)}</div>' for n in art["authors"])
    figure = ""
    if art["caption"]:
        figure = (f'\n  <figure class="uiArticleBlockImage_{hx(rng)}"><img src="{img_url(art)}"'
                  f' alt="{a(art["headline"])}" width="1200" height="800">'
                  f'<figcaption>{t(art["caption"])}</figcaption></figure>')
    feedback = ""
    if art.get("feedback"):
        feedback = (f'\n  <div class="uiArticleBlockFeedback_{hx(rng)}"><a href="/feedback/">'
                    f"{FEEDBACK}</a></div>")
    rubric = RUBRICS[art["rubric"]]
    return f"""{page_head(title, extra)}
<main class="main_5b2f0">
<article itemscope itemtype="https://schema.org/NewsArticle" class="article_{hx(rng)}">
  <div class="rubric"><a href="/text/{art['rubric']}/">{rubric}</a></div>
  <h1 itemprop="headline">{t(art['headline'])}</h1>
  <p class="subtitle" itemprop="alternativeHeadline">{t(art['lead'])}</p>
  <time datetime="{art['date'].isoformat()}" itemprop="datePublished">{time_text(art)}</time>
  <a class="comments_{hx(rng)}" href="#comments">Комментарии {art['comments']}</a>{authors}{figure}
  {blocks}{feedback}
  <div class="uiArticleBlockSocial_{hx(rng)}"><a href="https://max.ru/ngs22">Подробности в нашем канале в МАХ.</a></div>
</article>
<div class="yandexSearch_{hx(rng)}"><a href="https://ya.ru/">Нужно больше информации? Ищите в Яндексе!</a></div>
<div class="adv_f4c18"><div class="adfox" id="adfox_17{art['id']}">Реклама</div></div>
<section class="otherNews_{hx(rng)}"><h2>Другие новости</h2>
{"".join(f'<a href="{path(x)}">{t(x["headline"])}</a>' for x in teasers)}
</section>
</main>
{FOOTER}"""


def list_page(title: str, h1: str, arts: list[dict], pager: str) -> str:
    items = "\n".join(
        f"""<article class="listItem_0d9e4">
  <a class="listRubric_77c1a" href="/text/{x['rubric']}/">{RUBRICS[x['rubric']]}</a>
  <h2><a href="{path(x)}">{t(x['headline'])}</a></h2>
  <p>{t(x['lead'])}</p>
  <time datetime="{x['date'].isoformat()}">{time_text(x)}</time>
</article>""" for x in arts)
    extra = f'\n<meta name="description" content="{a(h1)} – новости Барнаула и Алтайского края">'
    return f"""{page_head(title, extra)}
<main class="main_5b2f0">
<h1>{t(h1)}</h1>
<div class="list_3e8b1">
{items}
</div>
{pager}
</main>
{FOOTER}"""


def main() -> None:
    ordered = sorted(ARTICLES, key=lambda x: x["date"], reverse=True)
    n = len(ordered)
    pages = [path(x) for x in ordered]
    for i, art in enumerate(ordered):
        teasers = [ordered[(i + 1) % n], ordered[(i + 3) % n]]
        write(ROOT, path(art).lstrip("/") + "index.html", article_page(art, teasers))
    write(ROOT, path(REMOVED).lstrip("/") + "index.html", article_page(REMOVED, ordered[:2]))

    chunks = [ordered[:6], ordered[6:]]
    p1 = '<nav class="pagination_a1"><span>1</span> <a href="/text/?page=2" rel="next">2</a> <a href="/text/?page=2">Следующая страница</a></nav>'
    p2 = '<nav class="pagination_a1"><a href="/text/" rel="prev">Предыдущая страница</a> <a href="/text/">1</a> <span>2</span></nav>'
    write(ROOT, "text/index.html", list_page("Новости Барнаула – НГС22", "Все новости", chunks[0], p1))
    write(ROOT, "text/index.page-2.html",
          list_page("Новости Барнаула – страница 2 – НГС22", "Все новости", chunks[1], p2))
    soc = [x for x in ordered if x["rubric"] == "society"]
    write(ROOT, "text/society/index.html",
          list_page("Общество – новости Барнаула – НГС22", "Общество", soc, ""))

    # RSS: the 9 newest articles, the removed one (still in the feed), the reprint
    feed = [x for x in ordered if not x.get("reprint")][:9] + [REMOVED]
    feed.sort(key=lambda x: x["date"], reverse=True)
    feed += [x for x in ordered if x.get("reprint")]
    items = "".join(f"""  <item>
   <title>{t(x['headline'])}</title>
   <link>{HOST}{path(x)}</link>
   <guid isPermaLink="true">{HOST}{path(x)}</guid>
   <description>{t(x['lead'])}</description>
   <category>{RUBRICS[x['rubric']]}</category>
   <pubDate>{format_datetime(x['date'])}</pubDate>{''.join(f'''
   <author>{t(n)}</author>''' for n in x['authors'][:1])}{f'''
   <enclosure url="{img_url(x)}" type="image/jpeg" length="0"/>''' if x['caption'] else ''}
  </item>
""" for x in feed)
    write(ROOT, "rss-feeds/rss.xml", f"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom">
 <channel>
  <title>НГС22 – новости Барнаула</title>
  <link>{HOST}/</link>
  <description>Новости Барнаула и Алтайского края</description>
  <language>ru</language>
  <atom:link href="{HOST}/rss-feeds/rss.xml" rel="self" type="application/rss+xml"/>
  <lastBuildDate>{format_datetime(feed[0]['date'])}</lastBuildDate>
{items} </channel>
</rss>
""")
    write(ROOT, "robots.txt", """User-agent: *
Disallow: /search/
Disallow: /api/
Disallow: /*?utm_
Disallow: /doc/

User-agent: Yandex
Disallow: /search/
Disallow: /api/
Clean-param: utm_source&utm_medium&utm_campaign
""")
    html_paths = pages + [path(REMOVED), "/text/", "/text/?page=2", "/text/society/"]
    write_json(ROOT, "_headers.json", {p: {"Content-Type": "text/html"} for p in html_paths})

    def paras(x: dict) -> list[str]:
        return [p for b in x["blocks"] for p in b]

    truth = {
        "articles": [
            {
                "path": path(x),
                "headline": x["headline"],
                "lead": x["lead"],
                "published_at": x["date"].isoformat(),
                "agency": "НГС22",
                "photo_credit": x["credit"],
                "authors": x["authors"],
                "first_paragraph": paras(x)[0],
                "last_paragraph": paras(x)[-1],
            }
            for x in ordered
        ],
        "not_articles": [
            {"path": path(REMOVED), "kind": "empty body"},
            {"path": "/text/society/", "kind": "rubric index"},
            {"path": "/text/", "kind": "listing"},
            {"path": "/text/?page=2", "kind": "listing"},
        ],
    }
    write_json(ROOT, "_truth.json", truth)


if __name__ == "__main__":
    main()
