"""Generate crawler/demo/site/amic/ from amic_data (run once; output is committed)."""
from __future__ import annotations
import json, os, sys
from pathlib import Path
from common import translit, e, a, ru_date, rfc822, TZ
from amic_data import ARTICLES, EMPTY, ERROR, RUBRICS, TAGS, TELEGRAM, MAX, TYPO, DTP
from datetime import datetime

OUT = Path(sys.argv[1])
HOST = "https://www.amic.ru"
BY = {x["key"]: x for x in ARTICLES}
for x in ARTICLES:
    x["slug"] = translit(x["headline"])
    x["path"] = f"/news/{x['slug']}-{x['id']}"
    x["url"] = HOST + x["path"]

def figcaption(x):
    if not x["credit"]:
        return None
    return f"{x['caption']}{x.get('sep', ' / ')}{x['credit']}" if x.get("caption") else x["credit"]

def img_url(x):
    dt = x["date"]
    return f"{HOST}/upload/iblock/{dt:%Y}/{dt:%m}/{x['id']}-main.jpg"

NEWEST = sorted(ARTICLES, key=lambda x: x["date"], reverse=True)

COOKIE = ('<div class="cookie-notice">Мы используем файлы cookie, чтобы сайт работал лучше. '
          'Оставаясь на сайте, вы соглашаетесь с <a href="/personal/cookies/">политикой '
          'обработки данных</a>. <button type="button">Понятно</button></div>')
HEADER = ('<header class="site-header">\n  <a class="logo" href="https://www.amic.ru/">ИА Амител</a>\n'
          '  <nav class="menu"><a href="/news/">Новости</a> <a href="/news/incident">Происшествия</a> '
          '<a href="/news/politics">Политика</a> <a href="/news/economy">Экономика</a> '
          '<a href="/news/city">Город</a> <a href="/news/sport">Спорт</a> '
          '<a href="/news/culture">Культура</a> <a href="/search/">Поиск</a></nav>\n'
          '  <div class="weather-widget">Барнаул −3° облачно</div>\n</header>')

def aside():
    items = "\n".join(f'    <li><span class="news-feed__time">{x["date"]:%H:%M}</span> '
                      f'<a href="{x["path"]}">{e(x["headline"])}</a></li>' for x in NEWEST[:5])
    return (f'<aside class="news-feed">\n  <h3>Лента новостей</h3>\n  <ul>\n{items}\n  </ul>\n'
            f'  <a class="news-feed__all" href="/news/">Все новости</a>\n</aside>')

TAIL = '''<div class="partners-news"><h3>Новости партнеров</h3>
  <a href="https://katun24.ru/">Катунь 24: главные новости Алтая</a>
  <a href="https://sibnovosti.example/news/">Сибирские новости: Новосибирск сегодня</a>
  <a href="https://partner.example.net/promo?utm_source=amic">Как выбрать зимние шины: советы экспертов</a>
</div>
<div class="adv" id="adv-bottom"><a href="https://ads.example.net/click?b=amic-728">Реклама</a></div>
<script>window.dataLayer = window.dataLayer || []; dataLayer.push({"event": "pageview", "site": "amic"});</script>
<script async src="https://top-fwz1.mail.ru/js/code.js"></script>
<noscript><div class="counter">Top.Mail.Ru</div></noscript>
<footer class="site-footer">
  <p>© 2003–2026 ИА Амител. При полном или частичном использовании материалов ссылка на amic.ru обязательна.</p>
  <p><a href="/personal/">Политика конфиденциальности</a> <a href="/about/">Редакция</a></p>
  <span class="age-limit">18+</span>
</footer>
</body></html>
'''

def head(title, canonical=None, extra=""):
    h = ['<!DOCTYPE html><html lang="ru"><head><meta charset="utf-8">',
         f'<title>{e(title)} - ИА Амител</title>',
         '<meta name="viewport" content="width=device-width, initial-scale=1">']
    if canonical:
        h.append(f'<link rel="canonical" href="{canonical}">')
    h.append(extra)
    h.append('<link rel="stylesheet" href="/local/templates/amic/styles.css">')
    h.append('</head><body>')
    return "\n".join(x for x in h if x)

def inject(target):
    t = BY[target]
    return (f'<div class="inject2"><a href="{t["path"]}"><img src="{img_url(t)}" alt="">'
            f'<span class="inject2__label">Читайте также:</span> '
            f'<span class="inject2__title">{e(t["headline"])}</span></a></div>')

def body_html(blocks):
    out = []
    for kind, val in blocks:
        if kind in ("p", "furniture"):
            out.append(f"<p>{e(val)}</p>")
        elif kind == "blockquote":
            out.append(f"<blockquote>{e(val)}</blockquote>")
        elif kind == "h2":
            out.append(f"<h2>{e(val)}</h2>")
        elif kind == "ul":
            out.append("<ul>" + "".join(f"<li>{e(i)}</li>" for i in val) + "</ul>")
        elif kind == "inject":
            out.append(inject(val))
    return "\n      ".join(out)

def jsonld(x):
    data = {"@context": "https://schema.org", "@type": "NewsArticle",
            "headline": x["headline"], "description": x["lead"],
            "datePublished": x["date"].isoformat(),
            "author": {"@type": "Person", "name": x["jsonld_author"]},
            "publisher": {"@type": "Organization", "name": "ИА Амител",
                          "logo": {"@type": "ImageObject", "url": HOST + "/local/templates/amic/logo.png"}},
            "mainEntityOfPage": x["url"]}
    if x["credit"]:
        data["image"] = [img_url(x)]
    return '<script type="application/ld+json">' + json.dumps(data, ensure_ascii=False) + "</script>"

def article_page(x):
    meta = [f'<link rel="amphtml" href="{HOST}/amp/news/{x["id"]}">' if x.get("amp") else "",
            f'<meta property="og:type" content="article">',
            f'<meta property="og:title" content="{a(x["headline"])}">',
            f'<meta property="og:description" content="{a(x["lead"])}">',
            f'<meta property="og:url" content="{x["url"]}">',
            f'<meta property="og:image" content="{img_url(x) if x["credit"] else HOST + "/local/templates/amic/og-default.png"}">',
            f'<meta property="og:site_name" content="ИА Амител">',
            jsonld(x) if x.get("jsonld_author") else ""]
    rub = x["rubric"]
    fig = figcaption(x)
    photo = (f'    <figure class="post-photo"><img src="{img_url(x)}" alt="{a(x["headline"])}">\n'
             f'      <figcaption>{e(fig)}</figcaption></figure>\n') if fig else ""
    tags = " ".join(f'<a href="/tags/{t}">{TAGS[t]}</a>' for t in x["tags"])
    return f'''{head(x["headline"], x["url"], chr(10).join(m for m in meta if m))}
{COOKIE}
{HEADER}
<main class="post-view">
  <div class="post-rubric"><a href="/news/{rub}">{RUBRICS[rub]}</a></div>
  <div id="post" class="post">
    <h1>{e(x["headline"])}</h1>
    <div class="post-lead">{e(x["lead"])}</div>
    <div class="post-info">{ru_date(x["date"])}, ИА Амител</div>
{photo}    <section class="text">
      {body_html(x["body"])}
    </section>
    <div class="post-share">Поделиться: <a href="https://vk.com/share.php?url={x["url"]}">ВКонтакте</a> <a href="https://t.me/share/url?url={x["url"]}">Telegram</a></div>
    <div class="post-tags">{tags}</div>
    <div class="comments-count">Комментарии {x["comments"]}</div>
  </div>
</main>
{aside()}
{TAIL}'''

def amp_page(x):
    paras = "\n    ".join(
        f"<p>{e(v)}</p>" if k == "p" else f"<blockquote>{e(v)}</blockquote>" if k == "blockquote"
        else f"<h2>{e(v)}</h2>" if k == "h2"
        else "<ul>" + "".join(f"<li>{e(i)}</li>" for i in v) + "</ul>" if k == "ul" else ""
        for k, v in x["body"] if k != "inject" and k != "furniture")
    fig = figcaption(x)
    img = (f'<amp-img src="{img_url(x)}" width="800" height="533" layout="responsive" '
           f'alt="{a(x["headline"])}"></amp-img>\n  <div class="amp-caption">{e(fig)}</div>') if fig else ""
    return f'''<!doctype html>
<html amp lang="ru"><head><meta charset="utf-8">
<title>{e(x["headline"])} - ИА Амител</title>
<link rel="canonical" href="{x["url"]}">
<meta name="viewport" content="width=device-width,minimum-scale=1,initial-scale=1">
<script async src="https://cdn.ampproject.org/v0.js"></script>
<style amp-boilerplate>body{{-webkit-animation:-amp-start 8s steps(1,end) 0s 1 normal both;animation:-amp-start 8s steps(1,end) 0s 1 normal both}}</style>
</head><body>
<header class="amp-header"><a href="https://www.amic.ru/">ИА Амител</a></header>
<article class="amp-article">
  <h1>{e(x["headline"])}</h1>
  <div class="amp-lead">{e(x["lead"])}</div>
  <div class="amp-info">{ru_date(x["date"])}, ИА Амител</div>
  {img}
  <div class="amp-text">
    {paras}
  </div>
  <a class="amp-full" href="{x["url"]}">Читайте полную версию на сайте</a>
</article>
<footer class="amp-footer">© ИА Амител 18+</footer>
</body></html>
'''

def listing_items(items):
    out = []
    for x in items:
        out.append(f'''  <div class="news-list__item">
    <a class="news-list__title" href="{x["path"]}">{e(x["headline"])}</a>
    <div class="news-list__lead">{e(x["lead"])}</div>
    <span class="news-list__date">{ru_date(x["date"])}</span>
  </div>''')
    return "\n".join(out)

def listing_page(title, canonical, items, pager):
    return f'''{head(title, canonical)}
{COOKIE}
{HEADER}
<main class="news-list-page">
  <h1>{e(title)}</h1>
<div class="news-list">
{listing_items(items)}
</div>
<div class="pagination">{pager}</div>
</main>
{aside()}
{TAIL}'''

def write(rel, text):
    p = OUT / rel
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_text(text, encoding="utf-8")

# articles + AMP
for x in ARTICLES:
    write(f"news/{x['slug']}-{x['id']}.html", article_page(x))
    if x.get("amp"):
        write(f"amp/news/{x['id']}.html", amp_page(x))

# empty-body page
empty = dict(EMPTY, path=f"/news/{EMPTY['slug']}-{EMPTY['id']}", credit=None, tags=["barnaul"],
             comments=0, body=[])
empty["url"] = HOST + empty["path"]
write(f"news/{EMPTY['slug']}-{EMPTY['id']}.html", article_page(empty))

# error page served with 200
err_path = f"/news/{ERROR['slug']}-{ERROR['id']}"
write(f"news/{ERROR['slug']}-{ERROR['id']}.html", f'''{head("Материал не найден")}
{COOKIE}
{HEADER}
<main class="error-page">
  <h1>Материал не найден</h1>
  <p>Возможно, он был удален или перемещен. Воспользуйтесь поиском или перейдите на <a href="https://www.amic.ru/">главную страницу</a>.</p>
</main>
{aside()}
{TAIL}''')

# incident listing, two pages
incidents = [x for x in NEWEST if x["rubric"] == "incident"]
page1 = [x for x in incidents if x["date"].year == 2026 and x["date"].month == 11] 
page1 = page1 + [empty] 
page1 = sorted(page1, key=lambda x: x["date"], reverse=True)
page1 += [x for x in incidents if x["key"] == "G"]
page2 = [x for x in incidents if x not in page1]
write("news/incident.html", listing_page("Происшествия", HOST + "/news/incident", page1,
      '<span class="pagination__current">1</span> <a href="/news/incident?page=2">2</a> '
      '<a class="pagination__next" href="/news/incident?page=2" rel="next">Следующая</a>'))
write("news/incident.page-2.html", listing_page("Происшествия", HOST + "/news/incident?page=2", page2,
      '<a class="pagination__prev" href="/news/incident" rel="prev">Предыдущая</a> '
      '<a href="/news/incident">1</a> <span class="pagination__current">2</span>'))

# tag pages
for tag, name in TAGS.items():
    items = [x for x in NEWEST if tag in x["tags"]]
    write(f"tags/{tag}.html", listing_page(name, f"{HOST}/tags/{tag}", items, ""))

# RSS: 12 newest, the old form of K, the AMP of N, the error page
rss_items = []
def item(title, link, date, desc, cat):
    return (f"    <item>\n      <title>{e(title)}</title>\n      <link>{link}</link>\n"
            f"      <guid isPermaLink=\"true\">{link}</guid>\n      <pubDate>{rfc822(date)}</pubDate>\n"
            f"      <category>{cat}</category>\n      <description>{e(desc)}</description>\n    </item>")
feed = []
extra = {"old": BY["K"], "amp": BY["N"]}
rss_paths = []
for x in NEWEST[:12]:
    feed.append(item(x["headline"], x["url"], x["date"], x["lead"], RUBRICS[x["rubric"]]))
    rss_paths.append(x["path"])
    if x["key"] == "N":  # the AMP copy, listed right after
        feed.append(item(x["headline"], f"{HOST}/amp/news/{x['id']}", x["date"], x["lead"], RUBRICS[x["rubric"]]))
    if x["key"] == "K":
        feed.append(item(x["headline"], f"{HOST}/news/{x['id']}/", x["date"], x["lead"], RUBRICS[x["rubric"]]))
# the error page sits between O and N by date
err_item = item("Итоги заседания краевого правительства: что решили о тарифах", HOST + err_path,
                ERROR["date"], "Правительство края утвердило новые тарифы на коммунальные услуги", "Политика")
pos = next(i for i, s in enumerate(feed) if BY["N"]["url"] in s)
feed.insert(pos, err_item)
now = NEWEST[0]["date"]
write("rss/index.xml", f'''<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom">
  <channel>
    <title>ИА Амител</title>
    <link>https://www.amic.ru/</link>
    <description>Новости Барнаула и Алтайского края</description>
    <language>ru</language>
    <lastBuildDate>{rfc822(now)}</lastBuildDate>
    <atom:link href="https://www.amic.ru/rss/" rel="self" type="application/rss+xml"/>
{chr(10).join(feed)}
  </channel>
</rss>
''')

write("robots.txt", """User-agent: *
Disallow: /search/
Disallow: /personal/
Disallow: /bitrix/

User-agent: Yandex
Disallow: /search/
Disallow: /personal/
Disallow: /bitrix/
Clean-param: utm_source&utm_medium&utm_campaign
""")

write("_headers.json", json.dumps({
    f"/news/{BY['K']['id']}/": {"status": 301, "Location": BY["K"]["path"]},
}, ensure_ascii=False, indent=2) + "\n")

# truth
def paras(x):
    return [v for k, v in x["body"] if k in ("p", "blockquote")]
def not_in_body(x):
    out = [v for k, v in x["body"] if k == "furniture"]
    out += [BY[v]["headline"] for k, v in x["body"] if k == "inject"]
    out += ["Комментарии", "Лента новостей", "Новости партнеров"]
    if x["credit"]:
        out.append(x["credit"])
    return out
tag_linked = set()
listing = {x["path"] for x in page1 + page2}
links = {}
for x in ARTICLES:
    for k, v in x["body"]:
        if k == "inject":
            links.setdefault(BY[v]["path"], True)
aside_paths = {x["path"] for x in NEWEST[:5]}
truth = {"source": "amic", "articles": [], "not_articles": []}
for x in sorted(ARTICLES, key=lambda x: x["date"]):
    ps = paras(x)
    reached = []
    if x["path"] in rss_paths: reached.append("rss")
    if x["path"] in listing: reached.append("listing")
    if x["path"] in links or x["path"] in aside_paths: reached.append("link")
    reached.append("tag")
    truth["articles"].append({
        "path": x["path"], "url": x["url"], "headline": x["headline"], "lead": x["lead"],
        "published_at": x["date"].isoformat(), "agency": "ИА Амител",
        "photo_credit": x["credit"], "photo_caption": x.get("caption"),
        "body_first": ps[0], "body_last": ps[-1], "rubric": RUBRICS[x["rubric"]],
        "tags": [TAGS[t] for t in x["tags"]], "authors": [x["jsonld_author"]] if x.get("jsonld_author") else [],
        "jsonld": bool(x.get("jsonld_author")),
        "not_in_body": not_in_body(x), "reached_by": reached,
    })
na = truth["not_articles"]
na.append({"path": "/amp/news/%d" % BY["N"]["id"], "reason": "amp twin", "same_as": BY["N"]["path"], "reached_by": ["rss"]})
na.append({"path": "/amp/news/%d" % BY["H"]["id"], "reason": "amp twin", "same_as": BY["H"]["path"], "reached_by": ["amphtml"]})
na.append({"path": "/news/%d/" % BY["K"]["id"], "reason": "redirect", "same_as": BY["K"]["path"], "status": 301, "reached_by": ["rss"]})
na.append({"path": err_path, "reason": "error page", "reached_by": ["rss"]})
na.append({"path": empty["path"], "reason": "empty body", "reached_by": ["listing"]})
na.append({"path": "/news/incident", "reason": "index page", "reached_by": ["discovery"]})
na.append({"path": "/news/incident?page=2", "reason": "index page", "reached_by": ["listing"]})
for tag in TAGS:
    na.append({"path": f"/tags/{tag}", "reason": "index page", "reached_by": ["link"]})
write("_truth.json", json.dumps(truth, ensure_ascii=False, indent=2) + "\n")
for x in sorted(ARTICLES, key=lambda x: x["date"]):
    print(x["key"], x["path"], x["date"].isoformat(), x["credit"], x.get("amp", ""), x.get("old_form", ""), x.get("jsonld_author", ""))
