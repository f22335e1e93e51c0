"""Generate crawler/demo/site/sibnovosti/ (an unknown site: JSON-LD, OpenGraph, plain article)."""
from __future__ import annotations
import json, sys
from datetime import datetime
from pathlib import Path
from common import e, a, ru_date, TZ

OUT = Path(sys.argv[1])
HOST = "https://sibnovosti.example"
PUBLISHER = "Сибирские новости"

def d(y, m, day, hh, mm):
    return datetime(y, m, day, hh, mm, tzinfo=TZ)

ARTICLES = [
dict(slug="zolotaya-niva-vtoroj-vestibyul", date=d(2026, 10, 8, 9, 30), section="Город",
 author="Андрей Лысенко", jsonld=True,
 headline="Второй вестибюль станции метро «Золотая нива» в Новосибирске откроют в декабре",
 lead="Строители завершают отделку, пассажиры смогут выходить прямо к новому жилому массиву",
 caption="Строительная площадка у станции «Золотая нива».", credit="Фото: Андрей Лысенко",
 body=[
  "Второй вестибюль станции «Золотая нива» Дзержинской линии новосибирского метрополитена примет первых пассажиров в конце декабря. Об этом сообщили в мэрии Новосибирска по итогам выездного совещания на объекте.",
  "Сейчас подрядчик заканчивает отделку кассового зала и монтирует эскалаторы. Выход из вестибюля будет на улицу Народную, к кварталам, которые построили в последние пять лет.",
  "«Пассажиропоток станции вырос почти вдвое, люди тратят по десять минут, чтобы дойти до единственного выхода. Новый вестибюль снимет эту проблему», — пояснил начальник департамента транспорта Павел Зуев.",
  "Стоимость работ составляет 1,4 млрд рублей. Основную часть средств выделил областной бюджет.",
 ], readmore=True),
dict(slug="v-zooparke-pokazali-tigryat", date=d(2026, 10, 19, 12, 15), section="Общество",
 author="Ольга Гречко", jsonld=True,
 headline="В Новосибирском зоопарке впервые показали трех амурских тигрят",
 lead="Малышам исполнилось три месяца, имена им выберут посетители",
 caption="Тигрята с матерью в вольере.", credit="Фото: пресс-служба Новосибирского зоопарка",
 body=[
  "Новосибирский зоопарк впервые показал публике трех амурских тигрят, которые родились в июле у тигрицы Лады. Малыши вместе с матерью вышли в открытый вольер в воскресенье.",
  "По словам сотрудников, тигрята здоровы и уже пробуют мясо, хотя мать еще кормит их молоком. Два детеныша — самцы, один — самка.",
  "Имена тигрятам выберут посетители: голосование откроется на сайте зоопарка 25 октября и продлится две недели.",
 ]),
dict(slug="snegopad-paralizoval-dvizhenie", date=d(2026, 11, 5, 14, 20), section="Город",
 author="Ирина Соколова", jsonld=False,
 headline="Снегопад парализовал движение в Новосибирске: пробки достигли 9 баллов",
 lead="За ночь выпала половина месячной нормы осадков, коммунальщики вывели на улицы всю технику",
 caption="Пробка на Красном проспекте.", credit="Фото: Ирина Соколова",
 body=[
  "Сильный снегопад, начавшийся в Новосибирске вечером 4 ноября, к утру среды привел к многокилометровым заторам. По данным онлайн-сервисов, загруженность дорог достигла 9 баллов.",
  "Самая сложная ситуация сложилась на Октябрьском и Димитровском мостах, на Красном проспекте и улице Большевистской. Несколько автобусов застряли на подъемах в Октябрьском районе.",
  "В мэрии сообщили, что на уборку улиц вывели более 400 единиц техники и 1200 дорожных рабочих. Приоритет — магистрали, остановки общественного транспорта и подъезды к больницам.",
  "Синоптики обещают, что снег будет идти до вечера четверга. Автомобилистов просят по возможности пересесть на метро.",
 ], readmore=True),
dict(slug="skif-pervye-eksperimenty", date=d(2026, 11, 11, 16, 40), section="Наука",
 author="Денис Макаров", jsonld=True,
 headline="На ЦКП «СКИФ» под Новосибирском провели первые эксперименты на пучке",
 lead="Ученые получили первые данные на двух экспериментальных станциях синхротрона",
 caption=None, credit=None,
 body=[
  "На Центре коллективного пользования «Сибирский кольцевой источник фотонов» в наукограде Кольцово провели первые эксперименты с использованием синхротронного излучения. Об этом сообщили в Институте катализа СО РАН.",
  "Исследователи работали на двух станциях из семи, которые должны заработать на первом этапе. На них изучали структуру катализаторов и новых материалов для аккумуляторов.",
  "«Мы получили первые дифракционные картины, и по качеству они не уступают данным зарубежных источников. Это важный рубеж для всей команды», — сказал научный руководитель станции Виктор Лебедев.",
  "Выход установки на проектную мощность запланирован на 2027 год.",
 ]),
dict(slug="byudzhet-novosibirska-2027", date=d(2026, 11, 18, 11, 5), section="Политика",
 author="Ольга Гречко", jsonld=True,
 headline="Бюджет Новосибирска на 2027 год приняли в первом чтении",
 lead="Расходы города превысят 80 млрд рублей, больше всего денег получат образование и транспорт",
 caption="Сессия городского совета.", credit="Фото: пресс-служба Совета депутатов Новосибирска",
 body=[
  "Депутаты Совета депутатов Новосибирска на сессии в среду приняли в первом чтении проект бюджета города на 2027 год и плановый период 2028–2029 годов.",
  "Доходы бюджета запланированы в объеме 78,6 млрд рублей, расходы — 80,9 млрд рублей. Дефицит покроют за счет кредитов.",
  "Почти половина расходов придется на образование: в будущем году в городе должны открыться три новые школы и пять детских садов. Еще около 9 млрд рублей направят на ремонт дорог и обновление общественного транспорта.",
  "Поправки ко второму чтению депутаты могут внести до 1 декабря.",
 ]),
dict(slug="tolmachevo-rejsy-harbin-urumchi", date=d(2026, 11, 24, 18, 50), section="Экономика",
 author="Андрей Лысенко", jsonld=True,
 headline="Из Толмачево запустят прямые рейсы в Харбин и Урумчи",
 lead="Первые самолеты в Китай отправятся из Новосибирска в конце декабря",
 caption="Аэропорт Толмачево.", credit="Фото: Андрей Лысенко",
 body=[
  "Аэропорт Толмачево с 28 декабря откроет прямые регулярные рейсы в китайские Харбин и Урумчи. Полеты будут выполнять две авиакомпании, сообщили в пресс-службе аэропорта.",
  "В Харбин самолеты будут летать дважды в неделю, по вторникам и субботам, в Урумчи — раз в неделю. Время в пути составит около четырех часов.",
  "В аэропорту рассчитывают, что новые направления будут востребованы не только у туристов, но и у предпринимателей, которые работают с китайскими партнерами.",
 ]),
]

def url(x):
    return f"{HOST}/news/{x['date']:%Y}/{x['date']:%m}/{x['slug']}.html"
def path(x):
    return url(x)[len(HOST):]

HEAD_MENU = '''<div class="sn-topbar"><span class="sn-topbar__city">Новосибирск</span> <span class="sn-topbar__weather">−6 °C</span> <a class="sn-topbar__login" href="/account/">Войти</a></div>
<nav class="sn-menu"><a class="sn-menu__logo" href="https://sibnovosti.example/">Сибирские новости</a>
  <a href="/news/">Новости</a> <a href="/news/?section=city">Город</a> <a href="/news/?section=science">Наука</a> <a href="/news/?section=economy">Экономика</a></nav>'''
FOOT = '''<footer class="sn-footer">
  <p>© 2026 «Сибирские новости». Сетевое издание. Все права защищены. 16+</p>
  <p><a href="/about/">О редакции</a> <a href="/ads/">Реклама</a></p>
</footer>
<script>(function(){var s=document.createElement("script");s.src="https://counter.example.net/c.js";document.head.appendChild(s);})();</script>
</body></html>
'''

NEWEST = sorted(ARTICLES, key=lambda x: x["date"], reverse=True)

def sidebar(current):
    others = [x for x in NEWEST if x is not current][:4]
    items = "\n".join(f'    <li><a href="{url(x)}">{e(x["headline"])}</a></li>' for x in others)
    return f'<aside class="sn-sidebar">\n  <div class="sn-sidebar__title">Популярное</div>\n  <ol>\n{items}\n  </ol>\n</aside>'

def article(x):
    iso = x["date"].isoformat()
    meta = [f'<link rel="canonical" href="{url(x)}">',
            f'<meta name="description" content="{a(x["lead"])}">',
            '<meta property="og:type" content="article">',
            f'<meta property="og:site_name" content="{PUBLISHER}">',
            f'<meta property="og:title" content="{a(x["headline"])}">',
            f'<meta property="og:description" content="{a(x["lead"])}">',
            f'<meta property="og:url" content="{url(x)}">']
    img = f"{HOST}/media/{x['date']:%Y/%m}/{x['slug']}.jpg"
    if x["credit"]:
        meta.append(f'<meta property="og:image" content="{img}">')
    if x["jsonld"]:
        meta.append(f'<meta property="article:published_time" content="{iso}">')
        meta.append(f'<meta property="article:section" content="{x["section"]}">')
        data = {"@context": "https://schema.org", "@type": "NewsArticle",
                "mainEntityOfPage": {"@type": "WebPage", "@id": url(x)},
                "headline": x["headline"], "description": x["lead"],
                "datePublished": iso, "dateModified": iso,
                "author": [{"@type": "Person", "name": x["author"]}],
                "publisher": {"@type": "Organization", "name": PUBLISHER,
                              "logo": {"@type": "ImageObject", "url": f"{HOST}/static/logo.png"}}}
        if x["credit"]:
            data["image"] = {"@type": "ImageObject", "url": img}
        meta.append('<script type="application/ld+json">\n' + json.dumps(data, ensure_ascii=False, indent=1) + "\n</script>")
    fig = ""
    if x["credit"]:
        fig = (f'  <figure class="sn-figure"><img src="{img}" alt="{a(x["headline"])}">\n'
               f'    <figcaption class="sn-figure__cap"><span class="sn-figure__text">{e(x["caption"])}</span> '
               f'<span class="sn-figure__credit">{e(x["credit"])}</span></figcaption></figure>\n')
    paras = [f"<p>{e(p)}</p>" for p in x["body"]]
    if x.get("readmore"):
        other = next(y for y in NEWEST if y is not x)
        paras.insert(2, f'<div class="sn-readmore">Читайте также: <a href="{url(other)}">{e(other["headline"])}</a></div>')
    body = "\n    ".join(paras)
    return f'''<!DOCTYPE html>
<html lang="ru">
<head>
<meta charset="utf-8">
<title>{e(x["headline"])} | {PUBLISHER}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
{chr(10).join(meta)}
</head>
<body class="sn-page">
{HEAD_MENU}
<div class="sn-layout">
<article class="sn-story">
  <header class="sn-story__head">
    <a class="sn-kicker" href="/news/">{x["section"]}</a>
    <h1 class="sn-story__title">{e(x["headline"])}</h1>
    <p class="sn-story__standfirst">{e(x["lead"])}</p>
    <div class="sn-story__byline"><span class="sn-author">{x["author"]}</span> · <span class="meta-date">{ru_date(x["date"], pad=False)}</span></div>
  </header>
{fig}  <div class="sn-story__content">
    {body}
  </div>
  <div class="sn-share">Поделиться: <a href="https://vk.com/share.php?url={url(x)}">VK</a> <a href="https://t.me/share/url?url={url(x)}">Telegram</a></div>
</article>
{sidebar(x)}
</div>
{FOOT}'''

def write(rel, text):
    p = OUT / rel
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_text(text, encoding="utf-8")

for x in ARTICLES:
    write(path(x).lstrip("/"), article(x))

items = "\n".join(f'''  <li class="sn-feed__item"><a href="{url(x)}">{e(x["headline"])}</a>
    <p>{e(x["lead"])}</p><span class="meta-date">{ru_date(x["date"], pad=False)}</span></li>''' for x in NEWEST)
write("news/index.html", f'''<!DOCTYPE html>
<html lang="ru">
<head>
<meta charset="utf-8">
<title>Новости Новосибирска | {PUBLISHER}</title>
<link rel="canonical" href="{HOST}/news/">
<meta property="og:type" content="website">
<meta property="og:site_name" content="{PUBLISHER}">
<meta property="og:title" content="Новости Новосибирска">
</head>
<body class="sn-page">
{HEAD_MENU}
<div class="sn-layout">
<section class="sn-feed">
  <h1 class="sn-feed__title">Новости</h1>
  <ul>
{items}
  </ul>
</section>
</div>
{FOOT}''')

urls = [f"  <url>\n    <loc>{HOST}/news/</loc>\n    <lastmod>{NEWEST[0]['date'].isoformat()}</lastmod>\n    <changefreq>hourly</changefreq>\n  </url>"]
urls += [f"  <url>\n    <loc>{url(x)}</loc>\n    <lastmod>{x['date'].isoformat()}</lastmod>\n  </url>" for x in NEWEST]
write("sitemap.xml", '<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n' + "\n".join(urls) + "\n</urlset>\n")
write("robots.txt", "User-agent: *\nDisallow: /account/\nDisallow: /search\n\nSitemap: https://sibnovosti.example/sitemap.xml\n")

truth = {"source": "sibnovosti", "articles": [], "not_articles": [
    {"path": "/news/", "reason": "index page", "reached_by": ["sitemap"]}]}
for x in sorted(ARTICLES, key=lambda x: x["date"]):
    truth["articles"].append({
        "path": path(x), "url": url(x), "headline": x["headline"], "lead": x["lead"],
        "published_at": x["date"].isoformat(), "agency": PUBLISHER,
        "photo_credit": x["credit"], "photo_caption": x["caption"],
        "body_first": x["body"][0], "body_last": x["body"][-1],
        "rubric": x["section"] if x["jsonld"] else None, "tags": [],
        "authors": [x["author"]] if x["jsonld"] else [],
        "jsonld": x["jsonld"],
        "not_in_body": ["Читайте также:", "Поделиться:", "Популярное"],
        "reached_by": ["sitemap"],
    })
write("_truth.json", json.dumps(truth, ensure_ascii=False, indent=2) + "\n")
for x in ARTICLES:
    print(path(x), x["date"].isoformat(), x["jsonld"], x["credit"])
