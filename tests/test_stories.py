"""Reprints across sources share a story whose origin is the earliest copy; look-alikes do not.

The texts are ours: one agency item and the copies regional outlets make of it (reworded,
cut, with a lead or a dateline added, under another headline), and daily notes written from
one template (weather, traffic) that must stay apart.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import replace
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import Crawl

from crawler.cli import cli
from crawler.items import Article
from pipelines.archive import Archive, stories
from pipelines.normalize import normalize

P1 = (
    "В Барнауле на проспекте Ленина завершили капитальный ремонт трамвайных путей от площади "
    "Октября до улицы Никитина. Движение трамваев по участку возобновится 14 октября, сообщили "
    "в пресс-службе администрации города."
)
P2 = (
    "Подрядчик заменил 2,3 километра рельсов, шпалы и контактную сеть, а также отремонтировал "
    "6 остановочных платформ. Стоимость работ составила 412 миллионов рублей, из них 380 "
    "миллионов выделил краевой бюджет."
)
P3 = (
    "Как пояснил председатель комитета по дорожному хозяйству Алексей Кедров, ремонт шел с "
    "опережением графика: по контракту подрядчик должен был сдать объект в конце октября."
)
P4 = (
    "В 2027 году планируется отремонтировать пути на проспекте Строителей и улице Малахова. "
    "На эти цели город рассчитывает получить 520 миллионов рублей по федеральной программе."
)
P5 = (
    "Напомним, трамвайное движение на проспекте Ленина было закрыто с 1 июня. Все это время "
    "по маршрутам трамваев номер 1 и 3 ходили компенсационные автобусы."
)
ORIGIN = [P1, P2, P3, P4, P5]
REWORDED = [
    P1.replace(
        "Движение трамваев по участку возобновится 14 октября, сообщили в пресс-службе "
        "администрации города.",
        "Трамваи снова пойдут по этому участку 14 октября, рассказали в мэрии.",
    ),
    P2.replace("Стоимость работ составила", "Работы обошлись в").replace("из них", "причем"),
    P3,
    P4.replace("планируется отремонтировать", "власти намерены обновить"),
    P5,
]
TRUNCATED = ["БАРНАУЛ, 12 октября. " + P1, P2]
WITH_LEAD = [
    "Барнаульцы больше четырех месяцев ждали возвращения трамваев на главный проспект города. "
    "Ремонт обещали закончить к концу октября, но справились раньше.",
    *ORIGIN,
]
FURNISHED = [*ORIGIN[:4], "Источник: ИА Амител"]


def article(source: str, n: int, headline: str, paragraphs: list[str], when: str) -> Article:
    return normalize(
        Article(
            url=f"https://{source}.example/news/{n}",
            source=source,
            headline=headline,
            body="\n\n".join(paragraphs),
            published_at=when,
        )
    )


COPIES = [
    article("ngs22", 2, "Трамваи вернутся на Ленина", REWORDED, "2026-10-12T13:05+07:00"),
    article("katun24", 3, "Ремонт путей на Ленина закончен", TRUNCATED, "2026-10-12T14:40+07:00"),
    article("altapress", 4, "Трамваи на Ленина пустят раньше", WITH_LEAD, "2026-10-12T16:00+07:00"),
    article("tolknews", 5, "Мэрия: пути на Ленина готовы", FURNISHED, "2026-10-13T09:30+07:00"),
]
ORIGINAL = article("amic", 1, "На проспекте Ленина закончили ремонт трамвайных путей", ORIGIN,
                   "2026-10-12T11:20:00+07:00")  # fmt: skip


WEATHER = (
    "В Барнауле в {day}, {date} ноября, ожидается {sky}. Температура воздуха ночью составит "
    "{n1}...{n2} градусов, днем {d1}...{d2}. Ветер {wind}, {w1}-{w2} м/с, порывы до {gust} м/с. "
    "Атмосферное давление {p} мм рт. ст., будет {trend}.\n\n"
    "По краю ночью {r1}...{r2}, при прояснениях до {r3}, днем {r4}...{r5}, {extra}.\n\n"
    "Синоптики Алтайского центра по гидрометеорологии и мониторингу окружающей среды напоминают "
    "водителям о необходимости соблюдать дистанцию и скоростной режим, а пешеходам советуют быть "
    "внимательнее при переходе проезжей части. В период гололеда врачи советуют носить обувь "
    "на нескользящей подошве, а владельцам автомобилей не оставлять машины под крышами, "
    "деревьями и рекламными конструкциями."
)
# Five days of one outlet's weather note: the same template, that day's figures.
DAYS = [
    ("понедельник", 3, "облачная погода, без осадков", -8, -10, -2, -4, "юго-западный",
     4, 9, 14, 745, "расти", -6, -11, -16, 0, -5, "местами небольшой снег"),
    ("вторник", 4, "пасмурная погода, небольшой снег", -5, -7, -1, -3, "западный",
     3, 8, 13, 741, "падать", -4, -9, -14, 1, -4, "на дорогах гололедица"),
    ("среду", 5, "переменная облачность", -12, -14, -6, -8, "северо-западный",
     2, 7, 12, 752, "расти", -10, -15, -21, -4, -9, "без существенных осадков"),
    ("четверг", 6, "ясная погода", -17, -19, -9, -11, "северный", 1, 6, 10, 758,
     "меняться мало", -15, -20, -27, -7, -12, "без осадков"),
    ("пятницу", 7, "облачная погода с прояснениями", -10, -12, -4, -6, "южный",
     5, 10, 16, 747, "падать", -8, -13, -19, -2, -7, "местами снег, метель"),
]  # fmt: skip
TRAFFIC = (
    "За прошедшие сутки на дорогах Алтайского края произошло {a} дорожно-транспортных "
    "происшествий, в которых пострадали {b} человек. Больше всего аварий зарегистрировано в "
    "{city}: {c}.\n\n"
    "Сотрудники Госавтоинспекции задержали {d} водителей в состоянии опьянения и выявили {e} "
    "нарушений правил дорожного движения.\n\n"
    "Госавтоинспекция напоминает: соблюдайте скоростной режим, не садитесь за руль в состоянии "
    "опьянения и пристегивайтесь ремнями безопасности."
)


def weather_notes() -> list[Article]:
    keys = ("day", "date", "sky", "n1", "n2", "d1", "d2", "wind", "w1", "w2", "gust", "p",
            "trend", "r1", "r2", "r3", "r4", "r5", "extra")  # fmt: skip
    notes = []
    for i, values in enumerate(DAYS):
        text = WEATHER.format(**dict(zip(keys, values, strict=True)))
        when = f"2026-11-{values[1]:02d}T07:00:00+07:00"
        notes.append(
            article("amic", 100 + i, f"Погода в Барнауле {values[1]} ноября", [text], when)
        )
    return notes


def traffic_notes() -> list[Article]:
    days = [(14, 6, "Барнауле", 5, 11, 342), (21, 9, "Бийске", 7, 8, 415),
            (17, 3, "Рубцовске", 4, 15, 298), (25, 12, "Барнауле", 9, 6, 506)]  # fmt: skip
    return [
        article(
            "katun24" if i % 2 else "ngs22",
            200 + i,
            f"Сводка ДТП за {i + 1} декабря",
            [TRAFFIC.format(a=a, b=b, city=city, c=c, d=d, e=e)],
            f"2026-12-{i + 1:02d}T08:00:00+07:00",
        )
        for i, (a, b, city, c, d, e) in enumerate(days)
    ]


@pytest.fixture
def archive(tmp_path: Path) -> Archive:
    return Archive.open(tmp_path / "news.db")


def story_of(archive: Archive) -> dict[str, int | None]:
    """URL -> story id."""
    return dict(archive.db.execute("SELECT url, story_id FROM articles").fetchall())


def origin_url(archive: Archive, story_id: int) -> str:
    sql = "SELECT a.url FROM stories s JOIN articles a ON a.id = s.origin_article_id WHERE s.id = ?"
    return str(archive.db.execute(sql, [story_id]).fetchone()[0])


def test_every_kind_of_reprint_joins_the_origin_story(archive: Archive) -> None:
    archive.store([ORIGINAL])
    for copy in COPIES:  # one by one, as crawls meet them
        archive.store([copy])
    story = story_of(archive)
    assert story[ORIGINAL.url] is not None
    assert {story[c.url] for c in COPIES} == {story[ORIGINAL.url]}
    assert origin_url(archive, story[ORIGINAL.url]) == ORIGINAL.url
    row = archive.db.execute("SELECT article_count FROM stories").fetchall()
    assert row == [(5,)]


@pytest.mark.parametrize("copy", COPIES, ids=["reworded", "truncated", "lead", "furnished"])
def test_each_reprint_alone_is_linked(archive: Archive, copy: Article) -> None:
    archive.store([ORIGINAL, copy])
    story = story_of(archive)
    assert story[copy.url] is not None and story[copy.url] == story[ORIGINAL.url]


def test_the_origin_is_the_earliest_copy_even_when_stored_last(archive: Archive) -> None:
    archive.store(COPIES[::-1])
    archive.store([ORIGINAL])
    story_id = story_of(archive)[ORIGINAL.url]
    assert story_id is not None
    assert origin_url(archive, story_id) == ORIGINAL.url


def test_a_corrected_publication_time_moves_the_origin(archive: Archive) -> None:
    """The origin follows a member's time when the page corrects it (a crawl, a reparse or an
    import), not only when a new member joins."""
    archive.store([ORIGINAL, COPIES[0]])
    story_id = story_of(archive)[ORIGINAL.url]
    assert story_id is not None and origin_url(archive, story_id) == ORIGINAL.url
    archive.store([replace(ORIGINAL, published_at="2026-10-12T18:00:00+07:00")])
    assert origin_url(archive, story_id) == COPIES[0].url  # now the earlier of the two
    (article_id,) = archive.db.execute("SELECT id FROM articles WHERE url = ?", [ORIGINAL.url])
    archive.replace_article(article_id[0], ORIGINAL)  # a reparse reads the first time again
    assert origin_url(archive, story_id) == ORIGINAL.url


def test_daily_notes_from_one_template_are_not_reprints(archive: Archive) -> None:
    notes = weather_notes() + traffic_notes()
    archive.store(notes)
    assert archive.count_articles() == len(notes)
    assert set(story_of(archive).values()) == {None}


def test_reprints_are_found_across_processes(tmp_path: Path) -> None:
    path = tmp_path / "news.db"
    with Archive.open(path) as first:
        first.store([ORIGINAL])
    with Archive.open(path) as second:
        second.store([COPIES[1]])
        assert len(set(story_of(second).values())) == 1
        assert None not in story_of(second).values()


def test_an_article_bridging_two_stories_merges_them(archive: Archive) -> None:
    conn = archive.db.conn
    ids = [o.article_id for o in archive.store(weather_notes()[:4])]  # four unrelated rows
    with conn:
        first = stories.join(conn, ids[0], [ids[1]], "2026-11-05T00:00:00Z")
        second = stories.join(conn, ids[2], [ids[3]], "2026-11-05T00:00:00Z")
        merged = stories.join(conn, ids[1], [ids[2]], "2026-11-05T00:00:00Z")
    assert first != second and merged == min(first, second)
    rows = conn.execute("SELECT id, article_count, origin_article_id FROM stories").fetchall()
    assert rows == [(merged, 4, ids[0])]  # the note of 3 November is the earliest


def test_an_edited_member_is_fingerprinted_again(archive: Archive) -> None:
    archive.store([ORIGINAL])
    # the origin is rewritten from scratch; a copy of the new text still finds it
    rewritten = normalize(Article(**{**vars(ORIGINAL), "body": "\n\n".join([P4, P5, P3, P2])}))
    assert archive.store([rewritten])[0].status == "updated"
    copy = article("ngs22", 9, "Пути на Ленина", [P4, P5, P3], "2026-10-13T10:00:00+07:00")
    archive.store([copy])
    story = story_of(archive)
    assert story[copy.url] is not None and story[copy.url] == story[ORIGINAL.url]


def test_an_article_edited_twice_in_one_batch_keeps_its_last_text_print(
    archive: Archive,
) -> None:
    """Two new texts of one stored article in one batch (an import of two snapshots): both
    are stored as versions, and the fingerprint is the last text's, so its copies find it."""
    archive.store([ORIGINAL])
    first = normalize(Article(**{**vars(ORIGINAL), "body": "\n\n".join([P2, P3, P4, P5])}))
    last = normalize(Article(**{**vars(ORIGINAL), "body": "\n\n".join([P4, P5, P3, P2])}))
    assert [o.status for o in archive.store([first, last])] == ["updated", "updated"]
    assert len(archive.versions(1)) == 2
    copy = article("ngs22", 9, "Пути на Ленина", [P4, P5, P3], "2026-10-13T10:00:00+07:00")
    archive.store([copy])
    story = story_of(archive)
    assert story[copy.url] is not None and story[copy.url] == story[ORIGINAL.url]


def test_search_collapses_a_story_to_its_best_hit(archive: Archive, tmp_path: Path) -> None:
    archive.store([ORIGINAL, *COPIES, *weather_notes()])
    archive.close()
    db = str(tmp_path / "news.db")
    runner = CliRunner()
    every = runner.invoke(cli, ["search", "трамвайных", "--format", "json", "--db", db])
    hits = json.loads(every.output)
    assert len(hits) == 5
    folded = runner.invoke(
        cli, ["search", "трамвайных", "--collapse-stories", "--format", "json", "--db", db]
    )
    assert folded.exit_code == 0, folded.output
    [hit] = json.loads(folded.output)
    assert hit["story_articles"] == 5
    weather = runner.invoke(
        cli, ["search", "синоптики", "--collapse-stories", "--format", "json", "--db", db]
    )
    assert [h["story_articles"] for h in json.loads(weather.output)] == [1] * 5


def test_stories_command_lists_members_and_origin(archive: Archive, tmp_path: Path) -> None:
    archive.store([ORIGINAL, *COPIES, *weather_notes()])
    archive.close()
    db = str(tmp_path / "news.db")
    runner = CliRunner()
    shown = runner.invoke(cli, ["stories", "--db", db])
    assert shown.exit_code == 0, shown.output
    assert shown.output.count("story ") == 1 and "5 articles" in shown.output
    origin_line = next(line for line in shown.output.splitlines() if line.startswith(" * "))
    assert "amic" in origin_line and ORIGINAL.headline in origin_line
    for copy in COPIES:
        assert copy.headline in shown.output and copy.url in shown.output
    data = json.loads(runner.invoke(cli, ["stories", "--json", "--db", db]).output)
    assert [m["source"] for m in data[0]["members"] if m["origin"]] == ["amic"]
    none = runner.invoke(cli, ["stories", "--source", "sibkray", "--json", "--db", db])
    assert json.loads(none.output) == []
    later = runner.invoke(cli, ["stories", "--since", "2026-10-14", "--json", "--db", db])
    assert json.loads(later.output) == []  # its latest copy is of 13 October


def test_stories_since_a_day_takes_copies_dated_without_a_time(
    archive: Archive, tmp_path: Path
) -> None:
    """A copy whose page gave only the date is of that day for --since."""
    archive.store([ORIGINAL, *COPIES[:-1], replace(COPIES[-1], published_at="2026-10-13")])
    archive.close()
    db = str(tmp_path / "news.db")
    found = CliRunner().invoke(cli, ["stories", "--since", "2026-10-13", "--json", "--db", db])
    assert found.exit_code == 0, found.output
    assert [story["latest"] for story in json.loads(found.output)] == ["2026-10-13"]


def test_stories_on_a_missing_archive(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["stories", "--db", str(tmp_path / "none.db")])
    assert result.exit_code == 2 and "no archive at" in result.output


def test_the_demo_reprint_joins_the_seed_story_and_nothing_else(demo_crawl: Crawl) -> None:
    con = sqlite3.connect(demo_crawl.db)
    try:
        linked = con.execute(
            "SELECT a.url, a.source, a.story_id, s.origin_article_id = a.id FROM articles a "
            "JOIN stories s ON s.id = a.story_id ORDER BY a.source"
        ).fetchall()
    finally:
        con.close()
    seed = demo_crawl.bases["amic"] + (
        "/news/gubernator-tomenko-nazval-kazahstan-samym-krupnym-vneshnetorgovym-partnerom-575321"
    )
    reprint = demo_crawl.bases["ngs22"] + "/text/business/2019/11/07/65512345/"
    assert [(url, source, is_origin) for url, source, _, is_origin in linked] == [
        (seed, "amic", 1),
        (reprint, "ngs22", 0),
    ]
    assert linked[0][2] == linked[1][2]


def test_export_collapses_a_story_to_its_origin(archive: Archive, tmp_path: Path) -> None:
    archive.store([*COPIES, ORIGINAL, *weather_notes()])
    archive.close()
    db = str(tmp_path / "news.db")
    args = ["export", "--format", "jsonl", "--fields", "url", "--db", db]
    every = CliRunner().invoke(cli, args)
    assert every.exit_code == 0, every.output
    assert len(every.stdout.splitlines()) == 10
    folded = CliRunner().invoke(cli, [*args, "--collapse-stories"])
    urls = [json.loads(line)["url"] for line in folded.stdout.splitlines()]
    assert len(urls) == 6 and ORIGINAL.url in urls
    assert not {c.url for c in COPIES} & set(urls)


def test_batch_minhash_equals_datasketch_one_sketch_at_a_time() -> None:
    """Fingerprints stored by earlier versions stay comparable: the batched numpy MinHash
    gives datasketch's own affine32 values, for any batch and any text length."""
    from datasketch import MinHash

    from pipelines.archive import fingerprint

    texts = [fingerprint.words("\n\n".join(c)) for c in (ORIGIN, REWORDED, TRUNCATED, FURNISHED)]
    texts += [texts[0][:5], texts[0][:6]]  # one shingle, two: the batch's edge cases
    texts += [fingerprint.words(note.body) for note in weather_notes()]
    short = [texts[0][:1], texts[0][:4]]  # fewer words than a shingle: another path
    # no words at all (no shingles): first, inside and last of a batch and of a numpy step
    empty: list[list[str]] = [[], texts[0], [], texts[1], []]
    empty_steps = [*texts[: fingerprint._TEXTS_AT_ONCE - 1], [], texts[0], []]

    def reference(tokens: list[str]) -> tuple[list[int], int]:
        """datasketch's sketch of the shingle hashes, made one text at a time."""
        values = fingerprint.shingles(tokens).tolist()
        sketch = MinHash(num_perm=fingerprint.NUM_PERM, seed=1, hashfunc=int, scheme="affine32")
        sketch.update_batch(values)
        return sketch.hashvalues.tolist(), len(set(values))

    # more texts than one numpy step takes (`_TEXTS_AT_ONCE`), ending in a part step
    step = fingerprint._TEXTS_AT_ONCE
    many = (texts * (2 * step // len(texts) + 1))[: 2 * step + 7]
    for batch in (
        texts,
        many,
        short,
        empty,
        empty_steps,
    ):  # batched shingling, then the one-by-one fallback
        ours = fingerprint.of_words_many([(t, "x") for t in batch])
        assert [(p.hashvalues.tolist(), p.size) for p in ours] == [reference(t) for t in batch]
    # distinct shingles counted independently: runs of 5 words as tuples
    batched = fingerprint.of_words_many([(t, "x") for t in texts])
    for tokens, print_ in zip(texts, batched, strict=True):
        runs = {tuple(tokens[i : i + 5]) for i in range(len(tokens) - 4)}
        assert print_.size == len(runs)


def test_store_many_links_and_keys_like_store(tmp_path: Path) -> None:
    """A bulk import (worker process, several batches) ends with the rows, stories, URL
    keys and index of storing the same articles batch by batch in this process."""
    articles = [ORIGINAL, *COPIES, *weather_notes(), *traffic_notes(), COPIES[0]]
    one = Archive.open(tmp_path / "one.db")
    for start in range(0, len(articles), 3):
        one.store(articles[start : start + 3])
    bulk = Archive.open(tmp_path / "bulk.db")
    outcomes = list(bulk.store_many(iter(articles), batch=3))
    assert [o.status for o in outcomes].count("new") == len(articles) - 1
    assert outcomes[-1].status in {"unchanged", "duplicate"}

    def state(archive: Archive) -> list[list[object]]:
        return [
            archive.db.execute(sql).fetchall()
            for sql in (
                "SELECT id, url, story_id, content_hash FROM articles ORDER BY id",
                "SELECT * FROM article_keys ORDER BY key",
                "SELECT id, origin_article_id, article_count FROM stories ORDER BY id",
                "SELECT article_id, signature FROM article_signatures ORDER BY article_id",
            )
        ]

    assert state(bulk) == state(one)
    assert len({s for _, s in story_of(bulk).items() if s}) == 1
    assert [h.article_id for h in bulk.search("трамвай")] == [
        h.article_id for h in one.search("трамвай")
    ]


def test_bands_move_through_three_levels_and_still_find_reprints(
    archive: Archive, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With levels of 2 and 4 articles' bands, the bands end up in every level and move
    on as they fill, and every reprint is still found, whatever level its origin is in."""
    from pipelines.archive import lsh

    monkeypatch.setattr(lsh, "MERGE_ROWS", 2 * lsh.BANDS)
    monkeypatch.setattr(lsh, "MIDDLE_ROWS", 4 * lsh.BANDS)
    archive.store([ORIGINAL])
    for note in [*weather_notes(), *traffic_notes()]:
        archive.store([note])
    levels = {t: archive.db.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0] for t in lsh.TABLES}
    assert levels["minhash_bands"] >= 4 * lsh.BANDS  # the origin's bands reached the main level
    assert sum(levels.values()) == 10 * lsh.BANDS  # nothing lost or doubled on the way
    for copy in COPIES:
        archive.store([copy])
    stories = story_of(archive)
    assert len({stories[a.url] for a in [ORIGINAL, *COPIES]}) == 1
    assert stories[ORIGINAL.url] is not None


def test_an_article_cut_too_short_to_compare_loses_its_old_fingerprint(archive: Archive) -> None:
    """Its old text no longer exists: a copy of it elsewhere is a new article, not a
    duplicate of the shortened one, and not a reprint in its story."""
    first = archive.store([ORIGINAL])[0]
    short = replace(ORIGINAL, body="Ремонт путей на проспекте Ленина завершен.")
    assert archive.store([short])[0].status == "updated"
    url = "https://amic.example/news/9"
    copy = replace(ORIGINAL, url=url, canonical_url=url)  # the old text, same source
    outcome = archive.store([copy])[0]
    assert outcome.status == "new" and outcome.article_id != first.article_id
    assert story_of(archive)[ORIGINAL.url] is None
