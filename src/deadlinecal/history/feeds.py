"""Reading previous feeds back: each event's content, SEQUENCE and stamps, and revising
the new build's events against them (see the package docstring for what is ignored)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import icalendar

from deadlinecal.errors import Problem
from deadlinecal.model import Event

# Revision bookkeeping, not content: a change here alone is not a change of the event.
BOOKKEEPING = frozenset({"DTSTAMP", "SEQUENCE", "LAST-MODIFIED"})
# When the data's `updated` day was not moved on, a revision still gets a later time.
_TICK = dt.timedelta(seconds=1)
# RFC 5545 SEQUENCE is an INTEGER (3.3.8): at most 2^31 - 1.
MAX_SEQUENCE = 2**31 - 1
# An event's content line when it is cancelled (as render.py writes it).
_CANCELLED = "STATUS:CANCELLED"
# The latest stamp a revision can tick on from without leaving datetime's range.
_LATEST = dt.datetime.max.replace(tzinfo=dt.UTC) - dt.timedelta(days=1)
# How much of a value a warning quotes.
_EXCERPT = 40


@dataclass(frozen=True, slots=True, kw_only=True)
class Seen:
    """One event as a feed holds it."""

    uid: str
    sequence: int
    stamp: dt.datetime | None
    modified: dt.datetime | None
    # The content lines (unfolded, sorted), bookkeeping excluded: equal means unchanged.
    content: tuple[str, ...]
    block: bytes

    @property
    def summary(self) -> str:
        return _details(self.block)[0]

    @property
    def status(self) -> str:
        return _details(self.block)[1]

    @property
    def start(self) -> dt.date | dt.datetime | None:
        return _details(self.block)[2]

    @property
    def end(self) -> dt.date | dt.datetime | None:
        return _details(self.block)[3]

    @property
    def unreadable(self) -> tuple[str, ...]:
        """The properties among DTSTART and DTEND that could not be read (shown as ?), or
        ("VEVENT",) when the whole event could not be parsed."""
        return _details(self.block)[4]

    def changed_properties(self, other: Seen) -> tuple[str, ...]:
        """Names of the content properties that differ between two versions of an event."""
        mine, theirs = _by_name(self.content), _by_name(other.content)
        return tuple(sorted(name for name in mine.keys() | theirs.keys()
                            if mine.get(name) != theirs.get(name)))


def read_feed(content: bytes, *, path: str = "", not_after: dt.datetime | None = None,
              problems: list[Problem] | None = None) -> dict[str, Seen]:
    """Every event of one feed by UID. Raises ValueError when it is not iCalendar.

    Revisions are compared on the unfolded content lines, which needs no full parse (the
    same event sits in many feeds, and builds read every feed back); icalendar parses an
    event's values (dates with their zones, summary, status) only when they are asked for.
    What cannot be read is ignored (see the module docstring) and, when `problems` is
    given, added to it as a warning naming `path` and the line. `not_after` is the latest
    DTSTAMP or LAST-MODIFIED believed.
    """
    if not content.lstrip().upper().startswith(b"BEGIN:VCALENDAR"):
        raise ValueError("not an iCalendar file")
    seen: dict[str, Seen] = {}
    starts: dict[str, int] = {}
    lines = LineCounter(content)

    def warn(offset: int, message: str) -> None:
        if problems is not None:
            problems.append(Problem(file=path, line=lines.at(offset), column=None, path="",
                                    message=message, severity="warning"))

    for start, end, closed in _events(content):
        block = content[start:end]
        entry, issues = _seen(block, not_after)
        if not closed:
            warn(start, "BEGIN:VEVENT is not closed by END:VEVENT; the event is read up to "
                        "the next one")
        for offset, message in issues:
            warn(start + offset, message)
        if entry is None:
            continue
        if entry.uid in seen:
            warn(start, f"UID {_quoted(entry.uid)} is also used on line "
                        f"{lines.at(starts[entry.uid])}; the higher SEQUENCE is kept")
            if entry.sequence <= seen[entry.uid].sequence:
                continue
        seen[entry.uid] = entry
        starts.setdefault(entry.uid, start)
    return seen


def read_feeds(files: Mapping[str, bytes], *, not_after: dt.datetime | None = None
               ) -> tuple[dict[str, dict[str, Seen]], tuple[Problem, ...]]:
    """The events of every `.ics` file by path, and warnings about what could not be read
    (a whole file that is not iCalendar, or a piece of an event: see `read_feed`)."""
    feeds: dict[str, dict[str, Seen]] = {}
    problems: list[Problem] = []
    for path in sorted(files):
        if not path.endswith(".ics"):
            continue
        try:
            feeds[path] = read_feed(files[path], path=path, not_after=not_after,
                                    problems=problems)
        except ValueError:
            problems.append(Problem(file=path, line=None, column=None, path="",
                                    message="the previous feed could not be read; its "
                                    "events start again at SEQUENCE 0", severity="warning"))
    return feeds, tuple(problems)


def horizon(events: Iterable[Event]) -> dt.datetime | None:
    """The latest DTSTAMP or LAST-MODIFIED a previous feed of these events is believed to
    hold: a year after the newest revision time of the data (ticks included, see `revise`).
    """
    newest = max((event.stamp for event in events), default=None)
    if newest is None:
        return None
    return min(newest + dt.timedelta(days=366), _LATEST) if newest < _LATEST else _LATEST


def located(feeds: Mapping[str, Mapping[str, Seen]], files: Mapping[str, bytes],
            seen: Seen, name: str, message: str) -> Problem:
    """A warning about property `name` of `seen`, at the first feed and line holding it."""
    for path, feed in feeds.items():
        if feed.get(seen.uid) is seen and path in files:
            offset = files[path].find(seen.block) if seen.block else -1
            line = None
            if offset >= 0:
                line = LineCounter(files[path]).at(offset + offset_of(seen.block, name))
            return Problem(file=path, line=line, column=None, path="", message=message,
                           severity="warning")
    return Problem(file=next(iter(files), "(previous feeds)"), line=None, column=None,
                   path="", message=message, severity="warning")


def latest(feeds: Iterable[Mapping[str, Seen]]) -> dict[str, Seen]:
    """One entry per UID across feeds: the highest revision any feed holds.

    Of two revisions with the same SEQUENCE, a cancelled one wins: an ended calendar
    (ended.py) holds an event cancelled at a SEQUENCE another feed may hold it live at, and
    its next live revision must top the cancellation.
    """
    chosen: dict[str, Seen] = {}
    for feed in feeds:
        for uid, entry in feed.items():
            before = chosen.get(uid)
            if (before is None or entry.sequence > before.sequence
                    or (entry.sequence == before.sequence and entry is not before
                        and _CANCELLED in entry.content and _CANCELLED not in before.content)):
                chosen[uid] = entry
    return chosen


def revise(events: Sequence[Event], previous: Mapping[str, Seen],
           render: Callable[[Event], bytes]) -> tuple[tuple[Event, ...], dict[str, bytes]]:
    """Give each event its SEQUENCE, DTSTAMP and LAST-MODIFIED against the previous build.

    Unchanged content keeps the previous bookkeeping (so identical bytes); changed content
    is revision `sequence + 1`, made at the data's `updated` time, or one second after the
    previous revision when `updated` was not moved on, so LAST-MODIFIED always moves forward.
    Returns the events and, by UID, the bytes already rendered for the unchanged ones.
    """
    revised = []
    rendered: dict[str, bytes] = {}
    for event in events:
        before = previous.get(event.uid)
        if before is None:
            revised.append(event)
            continue
        # Checked again here: `previous` may come from elsewhere than `read_feed`.
        sequence = before.sequence if 0 <= before.sequence <= MAX_SEQUENCE else 0
        stamp = _usable(before.stamp) or event.stamp
        # Rendered as it stands if unchanged, so those bytes are final when it is.
        kept = dataclasses.replace(event, sequence=sequence, stamp=stamp,
                                   modified=_usable(before.modified) or stamp)
        content = render(kept)
        if content_of(content) == before.content:
            revised.append(kept)
            rendered[event.uid] = content
            continue
        last = _usable(before.modified) or _usable(before.stamp)
        when = event.stamp if last is None else max(event.stamp, last + _TICK)
        revised.append(dataclasses.replace(
            event, sequence=min(sequence + 1, MAX_SEQUENCE), stamp=when, modified=when))
    return tuple(revised), rendered


def cancelled_copy(seen: Seen, when: dt.datetime, mark: str) -> bytes:
    """The event `seen` as a new revision that cancels it (for a calendar that ended).

    STATUS becomes CANCELLED, SUMMARY starts with `mark`, reminders go, SEQUENCE goes up by
    one and DTSTAMP/LAST-MODIFIED move to `when` (or a second after the last revision). An
    event already cancelled is returned as it is, so a rebuild changes nothing.
    """
    from deadlinecal.ical import fastical

    lines = _lines(seen.block)
    if any(_name(line) == "STATUS" and line.split(":", 1)[-1].strip().upper() == "CANCELLED"
           for line in lines):
        return seen.block if seen.block.endswith(b"\r\n") else seen.block + b"\r\n"
    last = _usable(seen.modified) or _usable(seen.stamp)
    stamp = when if last is None else max(when, last + _TICK)
    moment = stamp.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    out: list[str] = []
    alarm = False
    for line in lines:
        name = _name(line)
        if line.upper() == "BEGIN:VALARM":
            alarm = True
        if alarm:
            alarm = line.upper() != "END:VALARM"
            continue
        if name == "SUMMARY" and ":" in line:
            head, value = line.split(":", 1)
            line = f"{head}:{value}" if value.startswith(mark) else f"{head}:{mark}{value}"
        elif name == "STATUS":
            line = "STATUS:CANCELLED"
        elif name == "SEQUENCE":
            line = f"SEQUENCE:{min(seen.sequence + 1, MAX_SEQUENCE)}"
        elif name in ("DTSTAMP", "LAST-MODIFIED"):
            line = f"{name}:{moment}"
        out.append(line)
    if not any(_name(line) == "STATUS" for line in out):
        out.insert(len(out) - 1, "STATUS:CANCELLED")
    if not any(_name(line) == "SEQUENCE" for line in out):
        out.insert(len(out) - 1, f"SEQUENCE:{min(seen.sequence + 1, MAX_SEQUENCE)}")
    return b"".join(fastical.fold(line) + b"\r\n" for line in out)


def _usable(stamp: dt.datetime | None) -> dt.datetime | None:
    """A stamp a revision can tick on from: aware, and far from datetime's end."""
    if stamp is None or stamp.tzinfo is None or stamp > _LATEST:
        return None
    return stamp


def content_of(block: bytes) -> tuple[str, ...]:
    """An event's content lines: unfolded, sorted, without BEGIN/END and bookkeeping."""
    return tuple(sorted(line for line in _lines(block)
                        if _name(line) not in BOOKKEEPING and _name(line) not in _FRAME))


# Anchored at whole lines: text that merely holds "END:VEVENT" (a link, a name, or a fold
# landing just after it) must not cut an event short.
_MARKER = re.compile(rb"^(BEGIN:VEVENT|END:VEVENT|END:VCALENDAR)\r?$", re.M)
_FOLD = re.compile(r"\r?\n[ \t]")
_FRAME = frozenset({"BEGIN", "END"})
_INTEGER = re.compile(r"\+?0*([0-9]{1,10})")
_UTC = re.compile(r"([0-9]{4})([0-9]{2})([0-9]{2})T([0-9]{2})([0-9]{2})([0-9]{2})Z?",
                  re.IGNORECASE)


def _events(content: bytes) -> Iterator[tuple[int, int, bool]]:
    """Start and end offsets of each VEVENT, and whether END:VEVENT closed it.

    An event never closed ends where the next one begins or the calendar ends.
    """
    opened: int | None = None
    for marker in _MARKER.finditer(content):
        kind = marker.group(1)
        if kind == b"BEGIN:VEVENT":
            if opened is not None:
                yield opened, marker.start(), False
            opened = marker.start()
        elif opened is not None:
            if kind == b"END:VEVENT":
                end = marker.end() + (content[marker.end():marker.end() + 1] == b"\n")
                yield opened, end, True
            else:
                yield opened, marker.start(), False
            opened = None
    if opened is not None:
        yield opened, len(content), False


class LineCounter:
    """Line numbers of byte offsets, counted on from the last one asked (they mostly rise)."""

    def __init__(self, content: bytes) -> None:
        self.content, self.offset, self.line = content, 0, 1

    def at(self, offset: int) -> int:
        if offset < self.offset:
            self.offset, self.line = 0, 1
        self.line += self.content.count(b"\n", self.offset, offset)
        self.offset = offset
        return self.line


def offset_of(block: bytes, name: str) -> int:
    """Where in an event's bytes its property `name` begins (else the event itself)."""
    found = re.search(rb"^" + re.escape(name.encode()) + rb"[;:]", block, re.M | re.I)
    return found.start() if found else 0


def _lines(block: bytes) -> list[str]:
    return [line for line in _FOLD.sub("", block.decode("utf-8", "replace")).splitlines()
            if line]


def _name(line: str) -> str:
    return line.split(":", 1)[0].split(";", 1)[0].upper()


def _quoted(value: str) -> str:
    """Part of a previous feed quoted in a warning: control characters escaped, cut short."""
    return repr(value if len(value) <= _EXCERPT else value[:_EXCERPT] + "…")


@functools.lru_cache(maxsize=65536)
def _seen(block: bytes, not_after: dt.datetime | None
          ) -> tuple[Seen | None, tuple[tuple[int, str], ...]]:
    """One event read from its bytes, and what in it cannot be read (by byte offset in the
    block); the same event in many feeds is read once. None when it has no UID."""
    values: dict[str, list[str]] = {}
    lines = _lines(block)
    for line in lines:
        name = _name(line)
        if name in ("UID", "SEQUENCE", "DTSTAMP", "LAST-MODIFIED"):
            values.setdefault(name, []).append(line.split(":", 1)[1] if ":" in line else "")
    issues: list[tuple[int, str]] = []

    def unreadable(name: str, message: str) -> None:
        issues.append((offset_of(block, name), message))

    uid = values.get("UID", [""])[0].strip()
    if not uid:
        unreadable("BEGIN", "VEVENT has no UID, so its history cannot be matched; it is "
                            "ignored")
        return None, tuple(issues)
    sequences = []
    for text in values.get("SEQUENCE", []):
        number = _sequence(text)
        if number is None:
            unreadable("SEQUENCE", f"SEQUENCE {_quoted(text.strip())} is not an integer "
                       f"from 0 to {MAX_SEQUENCE} (RFC 5545); it is ignored")
        else:
            sequences.append(number)
    stamps = {}
    for name in ("DTSTAMP", "LAST-MODIFIED"):
        stamps[name], problem = _utc(values.get(name, [""])[0], not_after)
        if problem:
            unreadable(name, f"{name} {problem}; it is ignored")
    entry = Seen(
        uid=uid,
        sequence=max(sequences, default=0),
        stamp=stamps["DTSTAMP"],
        modified=stamps["LAST-MODIFIED"],
        content=tuple(sorted(line for line in lines if _name(line) not in BOOKKEEPING
                             and _name(line) not in _FRAME)),
        block=block,
    )
    return entry, tuple(issues)


def _sequence(text: str) -> int | None:
    """A SEQUENCE value, or None unless it is an INTEGER from 0 to MAX_SEQUENCE."""
    match = _INTEGER.fullmatch(text.strip())
    if match is None:
        return None
    number = int(match[1])
    return number if number <= MAX_SEQUENCE else None


def _utc(text: str, not_after: dt.datetime | None) -> tuple[dt.datetime | None, str]:
    """A DTSTAMP or LAST-MODIFIED value (always UTC, RFC 5545 3.8.7.2), or why not."""
    text = text.strip()
    if not text:
        return None, ""
    match = _UTC.fullmatch(text)
    try:
        if match is None:
            raise ValueError(text)
        year, month, day, hour, minute, second = (int(match[i]) for i in range(1, 7))
        when = dt.datetime(year, month, day, hour, minute, second, tzinfo=dt.UTC)
    except ValueError:
        return None, f"{_quoted(text)} is not a UTC date-time like 20260731T000000Z"
    latest = _LATEST if not_after is None else min(not_after, _LATEST)
    if when > latest:
        return None, (f"{text} is later than any revision of this data can be (after "
                      f"{latest:%Y-%m-%d})")
    return when, ""


@functools.lru_cache(maxsize=4096)
def _details(block: bytes) -> tuple[str, str, dt.date | dt.datetime | None,
                                    dt.date | dt.datetime | None, tuple[str, ...]]:
    """Summary, status, start and end of one VEVENT, parsed by icalendar, and what of them
    could not be read (then "" or None)."""
    try:
        component = icalendar.Event.from_ical(block)
    # icalendar parses the bytes of a feed anyone may have edited: whatever it raises
    # (ValueError, or OSError for a TZID naming a folder) means "cannot be read".
    except Exception:
        return "", "", None, None, ("VEVENT",)
    problems: list[str] = []
    start = _value(component, "DTSTART", problems)
    end = _value(component, "DTEND", problems)
    return (str(component.get("SUMMARY", "")), str(component.get("STATUS", "")), start, end,
            tuple(problems))


def _value(component: Any, name: str, problems: list[str]) -> dt.date | dt.datetime | None:
    prop = component.get(name)
    try:
        value = getattr(prop, "dt", None)
        if isinstance(value, dt.datetime) and value.tzinfo is not None:
            value.utcoffset()  # a zone icalendar built but cannot use fails here, not later
    except Exception:
        problems.append(name)
        return None
    return value if isinstance(value, dt.date) else None


def _by_name(content: Iterable[str]) -> dict[str, list[str]]:
    grouped: dict[str, list[str]] = {}
    for line in content:
        name = line.split(":", 1)[0].split(";", 1)[0].upper()
        grouped.setdefault(name, []).append(line)
    return grouped
