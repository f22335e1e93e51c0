"""Dedupe benchmark: are reprints linked into stories, and look-alikes kept apart? At what cost?

Generates (seeded) regional news in Russian from sentence templates: story groups of an
original and 1-4 reprints in other sources, each reprint made by one or more of the edits
agencies' customers make (rewording, truncation, an added lead paragraph, another headline,
a dateline and a source line), and look-alike notes that are not reprints (daily weather,
traffic and exchange-rate notes from one template per source, with that day's facts). The
test set is stored on top of an archive of `--archive-size` unrelated generated articles
(built through `Archive.store`, fingerprints and LSH bands included), in crawl-sized batches.

Prints pair precision and recall (a pair is two articles of one known group; predicted pairs
are articles sharing a `story_id`) and the cost per stored article.

    .venv/bin/python bench/dedupe.py                          # 100k archive, ~5 minutes
    .venv/bin/python bench/dedupe.py --archive-size 2000      # a smoke run
"""

from __future__ import annotations

import argparse
import itertools
import random
import shutil
import sqlite3
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import search as search_bench  # bench/search.py: its generated vocabulary

from crawler.items import Article
from pipelines.archive import Archive, StoreOutcome, fingerprint, identity, stories, writer
from pipelines.normalize import normalize

SOURCES = ["amic", "katun24", "ngs22", "altapress", "tolknews", "bankfax", "sibkray"]
PLACES = [
    ("Барнаул", "Барнауле", "Барнаула"),
    ("Бийск", "Бийске", "Бийска"),
    ("Рубцовск", "Рубцовске", "Рубцовска"),
    ("Новоалтайск", "Новоалтайске", "Новоалтайска"),
    ("Заринск", "Заринске", "Заринска"),
    ("Славгород", "Славгороде", "Славгорода"),
    ("Алейск", "Алейске", "Алейска"),
    ("Камень-на-Оби", "Камне-на-Оби", "Камня-на-Оби"),
    ("Белокуриха", "Белокурихе", "Белокурихи"),
    ("Новосибирск", "Новосибирске", "Новосибирска"),
]
ORGS = [
    "ГУ МВД России по Алтайскому краю", "ГУ МЧС по Алтайскому краю", "министерство "
    "здравоохранения Алтайского края", "правительство Алтайского края", "администрация "
    "Барнаула", "Алтайское краевое Законодательное Собрание", "управление Росреестра по "
    "Алтайскому краю", "прокуратура Алтайского края", "министерство образования и науки "
    "региона", "управление ГИБДД по Алтайскому краю", "министерство сельского хозяйства края",
]  # fmt: skip
FIRST = "Иван Сергей Алексей Дмитрий Андрей Павел Ольга Елена Наталья Татьяна Марина Юрий"
LAST = (
    "Кедров Соснин Белозеров Журавлёв Рябинин Озеров Каменев Степанов Лебедев Гончаров "
    "Мельников Полевой Зимин Ярцев Сорокин Берёзкин Тихонов Быстров Черемных Ковалёв"
)
THINGS = [
    "строительство новой школы", "ремонт дорог", "программа переселения из аварийного "
    "жилья", "модернизация котельных", "закупка школьных автобусов", "газификация сёл",
    "реконструкция стадиона", "капитальный ремонт поликлиники", "благоустройство дворов",
    "строительство моста через Обь", "поддержка малого бизнеса", "обновление трамвайного парка",
]  # fmt: skip
EVENTS = [
    "пожар в частном доме",
    "столкновение трёх автомобилей",
    "прорыв водопровода",
    "задержание подозреваемого в краже",
    "отключение электричества",
    "обрушение кровли склада",
    "открытие нового корпуса больницы",
    "запуск автобусного маршрута",
    "сбор урожая гречихи",
]
# Sentences of unrelated articles: templates with slots, formulaic as news language is.
SENTENCES = [
    "В {loc} {who} {did} {thing}.",
    "Об этом сообщает пресс-служба {org}.",
    "По словам {person_gen}, на эти цели направят {n} млн рублей из краевого бюджета.",
    "Как уточнили в {org_loc}, работы планируют завершить до конца {month_gen}.",
    "{Person} отметил, что {thing} остаётся одной из главных задач на ближайшие {n2} лет.",
    "Всего в {loc} за {period} зарегистрировано {n} обращений жителей.",
    "Напомним, ранее в {loc} {did} {thing}, тогда на это потратили {n} млн рублей.",
    "На место происшествия выезжали {n2} единиц техники и {n} человек личного состава.",
    "Причины случившегося устанавливают специалисты, возбуждено уголовное дело.",
    "Жители {gen} жалуются на {thing} уже {n2} года, но ситуация не меняется.",
    "В ближайшее время {org} проведёт проверку, её итоги обещают опубликовать.",
    "Стоимость контракта составила {n} млн рублей, подрядчик определён по итогам аукциона.",
    "{Person} подчеркнул, что {event} в {loc} не повлиял на жизнь города.",
    "В {month_loc} в {loc} произошёл {event}, пострадавших нет.",
    "Как сообщили в {org_loc}, {event} зафиксирован в {n2} часов утра.",
    "Депутаты предложили продлить {thing} ещё на {n2} года.",
    "Эксперты считают, что {thing} позволит создать около {n} рабочих мест.",
    "Ранее {Person} сообщил журналистам, что {thing} откладывается из-за нехватки средств.",
    "Заявки принимаются до {day} {month_gen} на портале госуслуг.",
    "По данным {org_gen}, за {period} показатель вырос на {n2}%.",
]
SYNONYMS = {
    "сообщает": "информирует", "отметил": "сказал", "подчеркнул": "заявил", "жители": "горожане",
    "около": "примерно", "направят": "выделят", "планируют": "намерены", "ранее": "прежде",
    "составила": "достигла", "произошёл": "случился", "зарегистрировано": "отмечено",
    "проверку": "ревизию", "позволит": "поможет", "уточнили": "пояснили", "город": "муниципалитет",
}  # fmt: skip
MONTHS = [
    ("января", "январе"), ("февраля", "феврале"), ("марта", "марте"), ("апреля", "апреле"),
    ("мая", "мае"), ("июня", "июне"), ("июля", "июле"), ("августа", "августе"),
    ("сентября", "сентябре"), ("октября", "октябре"), ("ноября", "ноябре"), ("декабря", "декабре"),
]  # fmt: skip
WEEKDAYS = ["понедельник", "вторник", "среду", "четверг", "пятницу", "субботу", "воскресенье"]
SKY = [
    "облачная погода с прояснениями",
    "пасмурная погода",
    "ясная погода",
    "переменная облачность",
    "облачная погода, небольшой снег",
    "сильный снег и метель",
]
WIND = ["северный", "северо-западный", "западный", "юго-западный", "южный", "восточный"]


class Gen:
    """Seeded slot filling."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)

    def person(self) -> str:
        return f"{self.rng.choice(FIRST.split())} {self.rng.choice(LAST.split())}"

    def sentence(self, template: str | None = None) -> str:
        r = self.rng
        place = r.choice(PLACES)
        month = r.choice(MONTHS)
        org = r.choice(ORGS)
        person = self.person()
        return (template or r.choice(SENTENCES)).format(
            loc=place[1],
            gen=place[2],
            who=r.choice(["власти", "депутаты", "чиновники", "жители", "активисты"]),
            did=r.choice(["обсудили", "начали", "одобрили", "завершили", "отложили"]),
            thing=r.choice(THINGS),
            event=r.choice(EVENTS),
            org=org,
            org_loc="ведомстве",
            org_gen=org,
            person_gen=f"представителя ведомства {person.split()[1]}а",
            Person=person,
            n=r.randint(3, 900),
            n2=r.randint(2, 15),
            month_gen=month[0],
            month_loc=month[1],
            day=r.randint(1, 28),
            period=r.choice(["неделю", "месяц", "квартал", "девять месяцев", "год"]),
        )

    def paragraph(self, sentences: int) -> str:
        return " ".join(self.sentence() for _ in range(sentences))

    def body(self) -> list[str]:
        return [self.paragraph(self.rng.randint(2, 4)) for _ in range(self.rng.randint(4, 8))]

    def headline(self) -> str:
        return self.sentence("В {loc} {did} {thing}").rstrip(".")


# -- reprint edits -------------------------------------------------------------------------


def reword(g: Gen, paragraphs: list[str]) -> list[str]:
    """Synonyms for some words, one sentence turned around (its facts kept), one dropped."""
    out = [
        " ".join(SYNONYMS.get(w, w) if g.rng.random() < 0.7 else w for w in p.split(" "))
        for p in paragraphs
    ]
    i = g.rng.randrange(len(out))
    sentences = out[i].split(". ")
    k = g.rng.randrange(len(sentences))
    words = sentences[k].rstrip(".").split(" ")
    cut = len(words) // 2
    turned = [*words[cut:], "—", *(w.lower() for w in words[:cut])]
    sentences[k] = turned[0].capitalize() + " " + " ".join(turned[1:])
    if len(sentences) > 2:
        del sentences[g.rng.randrange(len(sentences))]
    out[i] = ". ".join(s.rstrip(".") for s in sentences) + "."
    return out


def truncate(g: Gen, paragraphs: list[str]) -> list[str]:
    keep = max(2, round(len(paragraphs) * g.rng.uniform(0.45, 0.75)))
    return paragraphs[:keep]


def add_lead(g: Gen, paragraphs: list[str]) -> list[str]:
    return [g.paragraph(g.rng.randint(1, 2)), *paragraphs]


def furniture(g: Gen, paragraphs: list[str], published: datetime, origin: str) -> list[str]:
    month = MONTHS[published.month - 1][0]
    city = g.rng.choice(PLACES)[0].upper()
    first = f"{city}, {published.day} {month}. {paragraphs[0]}"
    return [first, *paragraphs[1:], f"Источник: {origin}"]


EDITS: list[tuple[str, Callable[[Gen, list[str]], list[str]]]] = [
    ("reword", reword),
    ("truncate", truncate),
    ("lead", add_lead),
]


# -- the test set ------------------------------------------------------------------------


def weather(g: Gen, day: datetime, source: int) -> list[str]:
    """A daily weather note; each source writes its own template every day."""
    r = g.rng
    low, high = r.randint(-30, 5), r.randint(-15, 10)
    city = PLACES[source % 3]
    lines = [
        f"В {city[1]} в {WEEKDAYS[day.weekday()]}, {day.day} {MONTHS[day.month - 1][0]}, "
        f"ожидается {r.choice(SKY)}. Температура воздуха ночью составит {low}...{low - 2} "
        f"градусов, днём {high}...{high + 2} градусов.",
        f"Ветер {r.choice(WIND)}, {r.randint(1, 5)}-{r.randint(6, 12)} м/с, порывы до "
        f"{r.randint(13, 20)} м/с. Атмосферное давление {r.randint(735, 760)} мм рт. ст., "
        f"{r.choice(['будет расти', 'будет падать', 'без изменений'])}.",
        f"По краю ночью {low - 3}...{low - 8}, при прояснениях до {low - 12}, днём "
        f"{high - 4}...{high + 1} градусов, {r.choice(SKY)}.",
    ]
    if source % 2 == 0:  # a template with a long fixed tail: the hardest look-alike
        lines.append(
            "Синоптики Алтайского центра по гидрометеорологии и мониторингу окружающей среды "
            "напоминают водителям о необходимости соблюдать дистанцию и скоростной режим, "
            "а пешеходам советуют быть внимательнее при переходе проезжей части."
        )
    return lines


def traffic(g: Gen, day: datetime, source: int) -> list[str]:
    r = g.rng
    place = r.choice(PLACES)
    return [
        f"За прошедшие сутки, {day.day} {MONTHS[day.month - 1][0]}, на дорогах Алтайского края "
        f"произошло {r.randint(5, 40)} дорожно-транспортных происшествий, в которых "
        f"пострадали {r.randint(0, 12)} человек.",
        f"Больше всего аварий зарегистрировано в {place[1]}: {r.randint(2, 15)}. Сотрудники "
        f"Госавтоинспекции задержали {r.randint(3, 30)} водителей в состоянии опьянения и "
        f"выявили {r.randint(100, 900)} нарушений правил дорожного движения.",
        "Госавтоинспекция напоминает: соблюдайте скоростной режим, не садитесь за руль в "
        "состоянии опьянения и пристёгивайтесь ремнями безопасности.",
    ]


def rates(g: Gen, day: datetime, source: int) -> list[str]:
    r = g.rng
    usd, eur = r.uniform(60, 100), r.uniform(65, 110)
    return [
        f"Центральный банк России установил официальный курс доллара на {day.day} "
        f"{MONTHS[day.month - 1][0]} в размере {usd:.2f} рубля, что на "
        f"{r.uniform(0, 2):.2f} рубля {r.choice(['выше', 'ниже'])} предыдущего значения.",
        f"Курс евро составил {eur:.2f} рубля. В обменных пунктах Барнаула доллар продают "
        f"в среднем по {usd + r.uniform(1, 3):.2f}, евро по {eur + r.uniform(1, 3):.2f} рубля.",
        f"Биржевой курс юаня по итогам торгов составил {r.uniform(9, 14):.2f} рубля.",
    ]


LOOKALIKES = [("weather", weather), ("traffic", traffic), ("rates", rates)]


def test_set(groups: int, lookalike_days: int, seed: int) -> Iterator[tuple[Article, str, str]]:
    """(article, truth label, kind): reprints share the label `g<n>` with their origin (kind
    "origin", or the edits that made the copy, "reword+lead"); look-alikes are unique."""
    g = Gen(seed)
    start = datetime(2026, 1, 1, 8, tzinfo=UTC)
    made: list[tuple[Article, str, str]] = []
    serial = itertools.count()
    for n in range(groups):
        published = start + timedelta(hours=3 * n)
        origin_source = g.rng.choice(SOURCES)
        body = g.body()
        first = article(next(serial), origin_source, g.headline(), body, published)
        made.append((first, f"g{n}", "origin"))
        others = [s for s in SOURCES if s != origin_source]
        for source in g.rng.sample(others, g.rng.randint(1, 4)):
            edits = g.rng.sample(EDITS, g.rng.randint(1, 2))
            copy = list(body)
            for _, edit in edits:
                copy = edit(g, copy)
            kind = "+".join(name for name, _ in edits)
            if g.rng.random() < 0.6:
                copy = furniture(g, copy, published, f"ИА «{origin_source}»")
                kind += "+dateline"
            headline = g.headline()  # reprints always carry their own headline
            later = published + timedelta(minutes=g.rng.randint(5, 600))
            made.append((article(next(serial), source, headline, copy, later), f"g{n}", kind))
    for d in range(lookalike_days):
        day = start + timedelta(days=d)
        for kind, make in LOOKALIKES:
            for s, source in enumerate(SOURCES[:3]):
                body = make(g, day, s)
                headline = f"{kind}: {day.date()} ({source})"
                made.append(
                    (article(next(serial), source, headline, body, day), f"u{len(made)}", kind)
                )
    g.rng.shuffle(made)  # crawls see copies before originals too
    yield from made


def article(n: int, source: str, headline: str, body: list[str], published: datetime) -> Article:
    return normalize(
        Article(
            url=f"https://{source}.example/news/t{n}",
            headline=headline,
            body="\n\n".join(body),
            source=source,
            published_at=published.isoformat(timespec="seconds"),
        )
    )


def filler(n: int, seed: int, tag: str = "f") -> Iterator[Article]:
    """Unrelated articles: a third of their sentences from the test set's templates (news
    language is formulaic: "Об этом сообщает пресс-служба …"), the rest drawn word by word
    from bench/search.py's Zipf vocabulary of real Russian word forms and invented names."""
    g = Gen(seed + 1)
    lexemes, cum, _ = search_bench.vocabulary(seed)
    start = datetime(2020, 1, 1, tzinfo=UTC)
    for i in range(n):
        source = SOURCES[i % len(SOURCES)]
        published = start + timedelta(minutes=20 * i)
        paragraphs = [
            " ".join(
                g.sentence()
                if g.rng.random() < 0.33
                else search_bench.sentences(g.rng, lexemes, cum, 90)
                for _ in range(g.rng.randint(2, 4))
            )
            for _ in range(g.rng.randint(4, 8))
        ]
        yield normalize(
            Article(
                url=f"https://{source}.example/news/{tag}{i}",
                headline=g.headline(),
                body="\n\n".join(paragraphs),
                source=source,
                published_at=published.isoformat(timespec="seconds"),
            )
        )


# -- measuring ----------------------------------------------------------------------------


class Timer:
    """Wraps a module function and sums the time spent in it."""

    def __init__(self, module: Any, name: str) -> None:
        self.module, self.name, self.spent = module, name, 0.0
        self.original = getattr(module, name)

        def timed(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return self.original(*args, **kwargs)
            finally:
                self.spent += time.perf_counter() - started

        setattr(module, name, timed)

    def restore(self) -> None:
        setattr(self.module, self.name, self.original)


@dataclass
class Cost:
    """Milliseconds per article of `Archive.store` and of its dedupe parts."""

    total: float
    fingerprint: float  # shingles and MinHash
    linking: float  # LSH lookup, verification, bands written, stories joined


def writer_only(
    conn: sqlite3.Connection,
    articles: list[Article],
    now: str,
    run_id: int | None,
    rules: Any = None,
) -> list[StoreOutcome]:
    """The store without identity keys, fingerprints or stories: the baseline."""
    return writer.store_batch(conn, articles, now, run_id)


def store_timed(
    path: Path, articles: list[Article], batch: int, *, dedupe: bool = True
) -> tuple[list[StoreOutcome], Cost]:
    """Store `articles` in batches (commits included in the time)."""
    timers = [Timer(fingerprint, "of_words_many"), Timer(stories, "link")]
    if not dedupe:
        original, identity.store_batch = identity.store_batch, writer_only  # type: ignore[assignment]
    outcomes: list[StoreOutcome] = []
    try:
        with Archive.open(path) as archive:
            started = time.perf_counter()
            for start in range(0, len(articles), batch):
                outcomes += archive.store(articles[start : start + batch])
            total = time.perf_counter() - started
    finally:
        for timer in timers:
            timer.restore()
        if not dedupe:
            identity.store_batch = original
    per = 1000 / len(articles)
    return outcomes, Cost(total * per, *(t.spent * per for t in timers))


def pairs(labels: dict[int, str], story: dict[int, int | None]) -> tuple[int, int, int]:
    """(true pairs, predicted pairs, correct pairs) over the test articles."""
    by_label: dict[str, list[int]] = defaultdict(list)
    by_story: dict[int, list[int]] = defaultdict(list)
    for article_id, label in labels.items():
        by_label[label].append(article_id)
        story_id = story.get(article_id)
        if story_id is not None:
            by_story[story_id].append(article_id)
    truth = {frozenset(p) for ids in by_label.values() for p in itertools.combinations(ids, 2)}
    found = {frozenset(p) for ids in by_story.values() for p in itertools.combinations(ids, 2)}
    return len(truth), len(found), len(truth & found)


def origins_right(conn: sqlite3.Connection, labels: dict[int, str]) -> tuple[int, int]:
    """Groups whose every copy is in one story that names the group's earliest copy."""
    groups: dict[str, list[int]] = defaultdict(list)
    for article_id, label in labels.items():
        if label.startswith("g"):
            groups[label].append(article_id)
    right = 0
    for ids in groups.values():
        marks = ",".join("?" * len(ids))
        rows = conn.execute(
            "SELECT a.id, a.published_at_utc, s.origin_article_id FROM articles a "
            f"LEFT JOIN stories s ON s.id = a.story_id WHERE a.id IN ({marks})",
            ids,
        ).fetchall()
        earliest = min(rows, key=lambda r: (r[1], r[0]))[0]
        right += all(r[2] == earliest for r in rows)
    return right, len(groups)


def run(archive_size: int, groups: int, days: int, seed: int, batch: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path, baseline = Path(tmp) / "news.db", Path(tmp) / "baseline.db"
        started = time.perf_counter()
        with Archive.open(path) as archive:
            stream = filler(archive_size, seed)
            while chunk := list(itertools.islice(stream, 1000)):
                archive.store(chunk)
            archive.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        build_s = time.perf_counter() - started
        shutil.copy(path, baseline)  # the same archive, for the store without dedupe
        tests = list(test_set(groups, days, seed))
        plain = list(filler(1000, seed + 100, tag="p"))
        outcomes, cost = store_timed(path, [a for a, _, _ in tests], batch)
        _, plain_cost = store_timed(path, plain, batch)
        _, base = store_timed(baseline, [a for a, _, _ in tests], batch, dedupe=False)
        _, plain_base = store_timed(baseline, plain, batch, dedupe=False)
        labels = {o.article_id: label for o, (_, label, _) in zip(outcomes, tests, strict=True)}
        with Archive.open(path, readonly=True) as archive:
            conn = archive.db.conn
            story = dict(conn.execute("SELECT id, story_id FROM articles"))
            archive_links = sum(1 for i, s in story.items() if s is not None and i not in labels)
            right, total_groups = origins_right(conn, labels)
    truth, found, correct = pairs(labels, story)
    print(f"archive: {archive_size:,} generated articles, built in {build_s:.0f} s")
    print(f"test set: {len(tests):,} articles ({groups} story groups, {days} days x 9 notes)")
    print()
    quality = [
        ("true pairs / predicted / correct", f"{truth} / {found} / {correct}"),
        ("pair precision", f"{correct / found if found else 1.0:.3f}"),
        ("pair recall", f"{correct / truth if truth else 1.0:.3f}"),
        ("groups with the right origin", f"{right} of {total_groups}"),
        ("other articles linked", f"{archive_links}"),
    ]
    for name, value in quality:
        print(f"{name:<36}{value}")
    print()
    print(f"{'ms per article, batches of ' + str(batch):<36}{'test set':>10}{'plain':>10}")
    table = [
        ("store with dedupe", cost.total, plain_cost.total),
        ("store without dedupe (baseline)", base.total, plain_base.total),
        ("dedupe: the difference", cost.total - base.total, plain_cost.total - plain_base.total),
        ("  of which fingerprints (MinHash)", cost.fingerprint, plain_cost.fingerprint),
        ("  of which LSH lookup, verify, link", cost.linking, plain_cost.linking),
    ]
    for name, test_ms, plain_ms in table:
        print(f"{name:<36}{test_ms:>10.2f}{plain_ms:>10.2f}")
    print("plain: 1,000 new articles without reprints, stored after the test set")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--archive-size", type=int, default=100_000)
    parser.add_argument("--groups", type=int, default=600, help="story groups in the test set")
    parser.add_argument("--days", type=int, default=60, help="days of look-alike notes")
    parser.add_argument("--batch", type=int, default=25, help="articles per store call")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    run(args.archive_size, args.groups, args.days, args.seed, args.batch)


if __name__ == "__main__":
    main()
