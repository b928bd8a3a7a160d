"""Dates and times as the office writes them: Japan Standard Time, and 和暦 where expected.

The counter is in Japan whatever the server's clock zone is (containers often run in UTC), so a
record's 作成 time is always JST. Era dates (令和7年4月1日) are how many municipal forms print the
date of a consultation; ``wareki`` gives them for the era boundaries of 平成 and 令和 (earlier
dates are not consultation dates and stay 西暦).
"""

from __future__ import annotations

import datetime as dt

JST = dt.timezone(dt.timedelta(hours=9), "JST")
_ERAS = ((dt.date(2019, 5, 1), "令和"), (dt.date(1989, 1, 8), "平成"))


def now_jst() -> dt.datetime:
    """The current time in JST (second precision)."""
    return dt.datetime.now(JST).replace(microsecond=0)


def to_jst(value: str) -> str:
    """An ISO 8601 timestamp with an offset, re-expressed in JST; other strings unchanged."""
    try:
        t = dt.datetime.fromisoformat(value)
    except (TypeError, ValueError):
        return value
    if t.tzinfo is None:
        return value
    return t.astimezone(JST).isoformat(timespec="seconds")


def wareki(day: dt.date) -> str:
    """「令和7年4月1日」 (元年 for the first year); 西暦 before 平成."""
    for start, era in _ERAS:
        if day >= start:
            year = day.year - start.year + 1
            return f"{era}{'元' if year == 1 else year}年{day.month}月{day.day}日"
    return f"{day.year}年{day.month}月{day.day}日"


def jst_label(value: str) -> str:
    """「令和8年12月6日 11:25（JST）」 for an ISO timestamp; the input when it is not one."""
    try:
        t = dt.datetime.fromisoformat(to_jst(value))
    except (TypeError, ValueError):
        return value
    return f"{wareki(t.date())} {t:%H:%M}（JST）"
