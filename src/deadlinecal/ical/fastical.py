"""A small hand-written iCalendar serializer for the hot path, byte-identical to icalendar.

Building an `icalendar.Event` and calling `to_ical()` costs about half a millisecond per
event, most of it folding lines one character at a time; tens of thousands of events make
that the whole build. This module writes the same bytes with string operations: TEXT
escaping, parameter quoting, DATE/DATE-TIME values and folding at 75 octets without
splitting a UTF-8 sequence or an escape. It knows nothing about deadlinecal's events:
`render.py` says which properties an event has, and the tests keep icalendar as the oracle
(identical bytes for every event of the default data and the test cases).
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Iterable, Sequence

# icalendar folds before a line would reach 75 octets, so every physical line holds at most
# 74 octets of content (plus the leading space on continuation lines).
_FOLD_AT = 74
_QUOTABLE = re.compile("[,;:’]")
_BACKSLASH, _CARET = ord("\\"), ord("^")
# One physical line of a fold, found by the regex engine rather than a Python loop per line
# (most descriptions hold a non-ASCII character or an escape on the grid of 74 octets):
# the longest run of at most 74 octets that ends before a character starts (never inside
# a UTF-8 sequence); when that run ends in a backslash or caret and text follows, the run
# one octet shorter, so that an escape is never split.
_PHYSICAL_LINE = re.compile(
    rb"(?s)(?>.{1,%d}(?![\x80-\xbf]))(?:(?<![\\^])|\Z)"
    rb"|(?>.{1,%d}(?=[\\^](?![\x80-\xbf])))" % (_FOLD_AT, _FOLD_AT - 1))
_SEMICOLON, _COMMA, _CR, _LF = ord(";"), ord(","), ord("\r"), ord("\n")

Property = tuple[str, str, str]
"""One property: (NAME, parameters already written as ";KEY=value..." or "", value)."""


def text(value: str) -> str:
    """A TEXT value escaped as RFC 5545 section 3.3.11 (and icalendar) does it."""
    # Each character is looked for before it is replaced: most values hold few of them,
    # and a search is much cheaper than a copy.
    if "\\" in value:
        value = value.replace(r"\N", "\n").replace("\\", "\\\\")
    if ";" in value:
        value = value.replace(";", r"\;")
    if "," in value:
        value = value.replace(",", r"\,")
    if "\r" in value:
        value = value.replace("\r\n", r"\n").replace("\r", r"\n")
    if "\n" in value:
        value = value.replace("\n", r"\n")
    return value


def text_utf8(value: bytes) -> bytes:
    """`text` of a value already encoded as UTF-8 (every character escaped is ASCII, and
    no byte of a longer UTF-8 sequence is): `text_utf8(v.encode()) == text(v).encode()`.
    Searching and copying bytes is cheaper than text that holds wide characters."""
    # Looked for as numbers: `b"," in value` first tries its argument as one, and the
    # error it formats costs ten times the search.
    if _BACKSLASH in value:
        value = value.replace(rb"\N", b"\n").replace(b"\\", b"\\\\")
    if _SEMICOLON in value:
        value = value.replace(b";", rb"\;")
    if _COMMA in value:
        value = value.replace(b",", rb"\,")
    if _CR in value:
        value = value.replace(b"\r\n", rb"\n").replace(b"\r", rb"\n")
    if _LF in value:
        value = value.replace(b"\n", rb"\n")
    return value


def texts(values: Iterable[str]) -> str:
    """A comma-separated list of TEXT values (CATEGORIES)."""
    return ",".join(text(value) for value in values)


def param(name: str, value: str) -> str:
    """`;NAME=value`, with RFC 6868 escapes and quotes where the value needs them."""
    value = (value.replace("^", "^^").replace("\r\n", "^n").replace("\n", "^n")
             .replace("\r", "^n").replace('"', "^'"))
    if _QUOTABLE.search(value):
        value = f'"{value}"'
    return f";{name}={value}"


def date(day: dt.date) -> tuple[str, str]:
    """Parameters and value of a DATE (all-day) property: `;VALUE=DATE`, `20261014`."""
    return ";VALUE=DATE", f"{day.year:04d}{day.month:02d}{day.day:02d}"


def date_time(moment: dt.datetime) -> tuple[str, str]:
    """Parameters and value of a DATE-TIME: UTC gets a Z, a named zone a TZID parameter.

    Only UTC and zoneinfo zones are known here. Raises ValueError for a floating time or a
    zone without an IANA name.
    """
    value = (f"{moment.year:04d}{moment.month:02d}{moment.day:02d}T"
             f"{moment.hour:02d}{moment.minute:02d}{moment.second:02d}")
    zone = moment.tzinfo
    if zone is dt.UTC:
        return "", value + "Z"
    key = getattr(zone, "key", None)
    if not isinstance(key, str) or not key:
        raise ValueError(f"time zone {zone!r} has no IANA name")
    if key == "UTC":
        return "", value + "Z"
    return param("TZID", key), value


def when(value: dt.date | dt.datetime) -> tuple[str, str]:
    """`date` or `date_time`, whichever the value is."""
    # Events share their stamps and many of their days: each is written once. The key
    # holds the kind and the zone: two datetimes of one instant are equal in different
    # zones, which are written differently.
    if isinstance(value, dt.datetime):
        return _date_time(value, value.tzinfo)
    return _date(value)


@functools.lru_cache(maxsize=4096)
def _date_time(moment: dt.datetime, zone: dt.tzinfo | None) -> tuple[str, str]:
    return date_time(moment)


@functools.lru_cache(maxsize=4096)
def _date(day: dt.date) -> tuple[str, str]:
    return date(day)


def duration(span: dt.timedelta) -> str:
    """A DURATION value (`-P1D`, `PT2H30M`), written as icalendar writes it."""
    sign = ""
    if span.days < 0:
        sign = "-"
        span = -span
    clock = ""
    if span.seconds:
        hours, rest = divmod(span.seconds, 3600)
        minutes, seconds = divmod(rest, 60)
        clock = "T"
        if hours:
            clock += f"{hours}H"
        if minutes or (hours and seconds):
            clock += f"{minutes}M"
        if seconds:
            clock += f"{seconds}S"
    if span.days == 0 and clock:
        return f"{sign}P{clock}"
    return f"{sign}P{span.days}D{clock}"


def fold(line: str) -> bytes:
    """One content line as UTF-8, folded the way icalendar folds it.

    Each physical line holds at most 74 octets; a fold never splits a UTF-8 sequence, and
    never leaves a backslash or caret (the start of an escape) at the end of a line.
    """
    return _fold(line.encode())


def fold_bytes(line: bytes) -> bytes:
    """`fold` of a line already encoded as UTF-8."""
    return _fold(line)


def fold_text(line: str) -> str:
    """`fold` as text (the same breaks), to be joined with other lines and encoded once.

    Most lines are short and ASCII: they come back as they are, without being encoded on
    their own.
    """
    if line.isascii():
        size = len(line)
        if size <= _FOLD_AT:
            return line
        ends = line[_FOLD_AT - 1:size - 1:_FOLD_AT]
        if "\\" not in ends and "^" not in ends:
            return "\r\n ".join([line[at:at + _FOLD_AT] for at in range(0, size, _FOLD_AT)])
    data = line.encode()
    # A fold never splits a UTF-8 sequence, so the folded bytes decode.
    return line if len(data) <= _FOLD_AT else _fold(data).decode()


def _fold(data: bytes) -> bytes:
    size = len(data)
    if size <= _FOLD_AT:
        return data
    if data.isascii():
        # Every 74th octet ends a physical line unless one of them starts an escape.
        ends = data[_FOLD_AT - 1:size - 1:_FOLD_AT]
        if _BACKSLASH not in ends and _CARET not in ends:
            return b"\r\n ".join([data[at:at + _FOLD_AT] for at in range(0, size, _FOLD_AT)])
    return b"\r\n ".join(_PHYSICAL_LINE.findall(data))


def ordered(properties: Iterable[Property], canonical: Sequence[str] = ()) -> list[Property]:
    """Properties in icalendar's order: names in `canonical` first, the rest by name.

    Properties of the same name keep their relative order.
    """
    rank = {name: index for index, name in enumerate(canonical)}
    last = len(rank)
    return sorted(properties,
                  key=lambda p: (rank.get(p[0], last), "" if p[0] in rank else p[0]))


def component(name: str, properties: Iterable[Property], subcomponents: Iterable[bytes] = (),
              *, canonical: Sequence[str] | None = None) -> bytes:
    """BEGIN:name, each property's folded line, nested components, END:name.

    With `canonical`, properties are put in icalendar's order first (see `ordered`).
    """
    if canonical is not None:
        properties = ordered(properties, canonical)
    lines = [f"BEGIN:{name}"]
    lines.extend(fold_text(f"{key}{params}:{value}") for key, params, value in properties)
    lines.append("")
    body = "\r\n".join(lines).encode()
    return body + b"".join(subcomponents) + f"END:{name}\r\n".encode()
