"""Shared helpers for the demo page generators (kept outside the repo)."""
from __future__ import annotations
import html
from datetime import datetime, timedelta, timezone

TZ = timezone(timedelta(hours=7))
MONTHS_GEN = ["января", "февраля", "марта", "апреля", "мая", "июня", "июля", "августа",
              "сентября", "октября", "ноября", "декабря"]
TR = dict(zip("абвгдеёжзийклмнопрстуфхцчшщъыьэюя",
              ["a","b","v","g","d","e","e","zh","z","i","j","k","l","m","n","o","p","r","s","t",
               "u","f","h","c","ch","sh","shch","","y","","e","yu","ya"]))

def translit(text: str, words: int = 8) -> str:
    out = []
    for ch in text.lower():
        if ch in TR:
            out.append(TR[ch])
        elif ch.isascii() and ch.isalnum():
            out.append(ch)
        else:
            out.append(" ")
    return "-".join("".join(out).split()[:words])

def e(text: str) -> str:
    return html.escape(text, quote=False)

def a(text: str) -> str:
    return html.escape(text, quote=True)

def ru_date(d: datetime, pad: bool = True) -> str:
    day = f"{d.day:02d}" if pad else str(d.day)
    return f"{day} {MONTHS_GEN[d.month-1]} {d.year}, {d:%H:%M}"

def rfc822(d: datetime) -> str:
    days = ["Mon","Tue","Wed","Thu","Fri","Sat","Sun"]
    mons = ["Jan","Feb","Mar","Apr","May","Jun","Jul","Aug","Sep","Oct","Nov","Dec"]
    return f"{days[d.weekday()]}, {d.day:02d} {mons[d.month-1]} {d.year} {d:%H:%M:%S} +0700"
