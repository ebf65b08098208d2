"""Small pieces of English shared by the feeds, the page and the command line."""

from __future__ import annotations

import re


def plural(count: int, noun: str) -> str:
    """"1 event", "2 events"."""
    return f"{count} {noun}{'' if count == 1 else 's'}"


def span(days: int) -> str:
    """A number of days in the largest whole unit: "2 weeks", "10 days"."""
    if days % 7 == 0:
        return plural(days // 7, "week")
    return plural(days, "day")


# RFC 5545 escapes , ; and \ in TEXT, and that is legal, but clients people run read the
# escapes wrongly (docs/clients.md): evolution-data-server, node-ical and Home Assistant's
# `ical` split "CATEGORIES:AI\, ML and data" into two categories, ical.js (Thunderbird) and
# icalendar's `calendar_name` show the backslash of "X-WR-CALNAME:...\, summer 2027". So
# category values and calendar names are written without those characters.
_BEFORE_SUFFIX = re.compile(
    r",\s*(?=(?:Inc|LLC|Ltd|Co|Corp|PLC|LP|L\.P|GmbH|AG|SA|S\.A|NV|N\.V)\b)")
_IN_CATEGORY = re.compile(r"\s*[,;\\]\s*")
_IN_NAME = re.compile(r"\s*[,;]\s*")


def category(value: str) -> str:
    """A category value clients keep whole: "AI, ML and data" -> "AI/ML and data".

    A comma before a company suffix is dropped ("Lowe's Companies, Inc." -> "Lowe's
    Companies Inc."); every other comma, semicolon or backslash becomes "/".
    """
    return _IN_CATEGORY.sub("/", _BEFORE_SUFFIX.sub(" ", value))


def calendar_name(value: str) -> str:
    """A calendar name clients show as written: "Machine-learning internships, summer 2027"
    -> "Machine-learning internships – summer 2027".

    A comma before a company suffix is dropped; every other comma or semicolon becomes " – "
    (an en dash between spaces), a backslash "/".
    """
    return _IN_NAME.sub(" – ", _BEFORE_SUFFIX.sub(" ", value)).replace("\\", "/")


def feed_name(title: str, term: str = "") -> str:
    """The name a feed's calendar is written with: `title`, whose last part is `term` (the
    track, group or feed it holds) when given, spelled as that term's category value."""
    if term and title.endswith(f": {term}"):
        head = title.removesuffix(f": {term}")
        return f"{calendar_name(head)}: {category(term)}"
    return calendar_name(title)
