"""The front matter's keys and dates, checked with the editor in mind: an unknown
key names the key it most likely meant, a missing title names the misspelled
key that was probably it, and an impossible date says why it is impossible."""

from __future__ import annotations

import calendar
import datetime as dt
import re
from pathlib import Path

from ..errors import quoted
from ..findings import Report, error, nearest, unknown_keys
from .yamltext import Loaded, quote_fix

KNOWN_KEYS = {
    "title",
    "short_title",
    "subtitle",
    "kicker",
    "author",
    "date",
    "lang",
    "publisher",
    "source",
    "rights",
    "photo",
}
PHOTO_KEYS = {"src", "alt", "caption", "credit"}
#: Dates as people write them, for the fix's YYYY-MM-DD (day-month and month-day
#: numbers are ambiguous, so they are not guessed).
_WRITTEN_DATES = ("%B %d, %Y", "%b %d, %Y", "%d %B %Y", "%d %b %Y", "%Y/%m/%d", "%Y.%m.%d", "%Y-%m-%dT%H:%M:%S")


def check_keys(report: Report, front: Loaded) -> None:
    """Unknown keys (top level, and the photo's), keys given twice, and values cut
    short by a '#' YAML took for a comment."""
    meta = front.data if isinstance(front.data, dict) else {}
    unknown_keys(report, "fm-001", meta, KNOWN_KEYS, front.key_at, "unknown front matter key {key} ignored")
    photo = meta.get("photo")
    if isinstance(photo, dict):
        where = lambda k: front.key_at("photo", k)  # noqa: E731
        unknown_keys(report, "fm-001", photo, PHOTO_KEYS, where, "unknown key {key} ignored", prefix="photo.")
    repeated_and_cut(report, front)


def repeated_and_cut(report: Report, front: Loaded) -> None:
    for path, place in front.repeated:
        name = ".".join(path)
        report.add("fm-006", f"{quoted(name)} is given twice; the last one is used", "delete one of them", place)
    for path, place, rest in front.cut:
        value = front.data
        for step in path:
            value = value.get(step) if isinstance(value, dict) else None
        whole = f"{value} {rest}" if isinstance(value, str) and value else rest
        report.add(
            "yaml-007",
            f"the {quoted(rest)} after the value of {quoted('.'.join(path))} is read as a comment and left out",
            quote_fix(path[-1], whole),
            place,
        )


def missing(report: Report, front: Loaded, key: str, known: set[str], within: tuple[str, ...] = ()) -> None:
    """A required key that is not there, naming the unknown key that probably meant it."""
    mapping = front.data if isinstance(front.data, dict) else {}
    for step in within:
        mapping = mapping.get(step) if isinstance(mapping, dict) else {}
    guesses = [k for k in map(str, mapping or {}) if k not in known and nearest(k, known) == key]
    owner = f"front matter {quoted('.'.join(within))}" if within else "front matter"
    fix = f"did you mean {quoted(guesses[0])}?" if guesses else f"add a line '{key}: …'"
    place = front.key_at(*within, guesses[0]) if guesses else (front.key_at(*within) if within else None)
    report.add("fm-002", f"{owner} has no {quoted(key)}, which is required", fix, place)


def read_date(path: Path, value: object, at: tuple[int, int] | None = None) -> dt.date | None:
    """The date, from YYYY-MM-DD; anything else is an error that says why."""
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if not isinstance(value, str):
        kind = {list: "a list", dict: "a mapping", bool: "true/false"}.get(type(value), "a number")
        raise error("fm-003", path, f"front matter 'date' must be YYYY-MM-DD, not {kind}", "write date: 2025-03-10", at)
    m = re.fullmatch(r"\s*(\d{4})-(\d{1,2})-(\d{1,2})\s*", value)
    if not m:
        raise error("fm-003", path, f"front matter 'date' must be YYYY-MM-DD, not {quoted(value)}", _fix(value), at)
    year, month, day = (int(g) for g in m.groups())
    if not 1 <= month <= 12:
        raise error(
            "fm-003", path, f"front matter 'date' {value.strip()} does not exist: there is no month {month}", "", at
        )
    days = calendar.monthrange(year, month)[1]
    if not 1 <= day <= days:
        month_name = calendar.month_name[month]
        reason = f"{month_name} {year} has {days} days" if day else "days start at 1"
        raise error("fm-003", path, f"front matter 'date' {value.strip()} does not exist: {reason}", "", at)
    date = dt.date(year, month, day)
    if len(value.strip()) != 10:
        raise error("fm-003", path, f"front matter 'date' must be YYYY-MM-DD, not {quoted(value)}", f"write {date}", at)
    return date


def _fix(value: str) -> str:
    for form in _WRITTEN_DATES:
        try:
            return f"write {dt.datetime.strptime(value.strip(), form).date()}"
        except ValueError:
            continue
    return "write it as YYYY-MM-DD, such as 2025-03-10"
