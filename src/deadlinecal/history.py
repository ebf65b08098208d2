"""What subscribers already have: the previous build's feeds read back, and what changed.

render.py writes iCalendar; this module is the other side, the only one that reads it: the
content lines of each event for comparing revisions, icalendar's parser for the values a
diff shows. It takes bytes, never paths: the CLI reads the output folder and passes its
files in. It never reads the clock: a new revision's time derives from the data.

Each event's *content* is every property except DTSTAMP, SEQUENCE and LAST-MODIFIED (the
revision bookkeeping itself). When the content of a UID differs from the previous build's,
the event is a new revision: SEQUENCE goes up by one and DTSTAMP/LAST-MODIFIED move to the
revision time. Otherwise all three are carried over, so its bytes stay identical.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import icalendar

from .model import Event
from .text import plural

# Revision bookkeeping, not content: a change here alone is not a change of the event.
BOOKKEEPING = frozenset({"DTSTAMP", "SEQUENCE", "LAST-MODIFIED"})
# When the data's `updated` day was not moved on, a revision still gets a later time.
_TICK = dt.timedelta(seconds=1)


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

    def changed_properties(self, other: Seen) -> tuple[str, ...]:
        """Names of the content properties that differ between two versions of an event."""
        mine, theirs = _by_name(self.content), _by_name(other.content)
        return tuple(sorted(name for name in mine.keys() | theirs.keys()
                            if mine.get(name) != theirs.get(name)))


def read_feed(content: bytes) -> dict[str, Seen]:
    """Every event of one feed by UID. Raises ValueError when it is not iCalendar.

    Revisions are compared on the unfolded content lines, which needs no full parse (the
    same event sits in many feeds, and builds read every feed back); icalendar parses an
    event's values (dates with their zones, summary, status) only when they are asked for.
    """
    if not content.lstrip().upper().startswith(b"BEGIN:VCALENDAR"):
        raise ValueError("not an iCalendar file")
    seen = {}
    for block in _VEVENT.findall(content):
        entry = _seen(block)
        seen[entry.uid] = entry
    return seen


def read_feeds(files: Mapping[str, bytes]) -> tuple[dict[str, dict[str, Seen]], tuple[str, ...]]:
    """The events of every `.ics` file by path, and the paths that could not be read."""
    feeds: dict[str, dict[str, Seen]] = {}
    unreadable = []
    for path in sorted(files):
        if not path.endswith(".ics"):
            continue
        try:
            feeds[path] = read_feed(files[path])
        except ValueError:
            unreadable.append(path)
    return feeds, tuple(unreadable)


def latest(feeds: Iterable[Mapping[str, Seen]]) -> dict[str, Seen]:
    """One entry per UID across feeds: the highest revision any feed holds."""
    chosen: dict[str, Seen] = {}
    for feed in feeds:
        for uid, entry in feed.items():
            if uid not in chosen or entry.sequence > chosen[uid].sequence:
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
        stamp = before.stamp or event.stamp
        # Rendered as it stands if unchanged, so those bytes are final when it is.
        kept = dataclasses.replace(event, sequence=before.sequence, stamp=stamp,
                                   modified=before.modified or stamp)
        content = render(kept)
        if content_of(content) == before.content:
            revised.append(kept)
            rendered[event.uid] = content
            continue
        last = before.modified or before.stamp
        when = event.stamp if last is None else max(event.stamp, last + _TICK)
        revised.append(dataclasses.replace(
            event, sequence=before.sequence + 1, stamp=when, modified=when))
    return tuple(revised), rendered


def content_of(block: bytes) -> tuple[str, ...]:
    """An event's content lines: unfolded, sorted, without BEGIN/END and bookkeeping."""
    return tuple(sorted(line for line in _lines(block)
                        if _name(line) not in BOOKKEEPING and _name(line) not in _FRAME))


# -- what a rebuild changes -----------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class Change:
    """One event of one feed that a rebuild adds, removes, moves or re-words."""

    kind: str  # "added", "removed", "moved" or "reworded"
    uid: str
    summary: str
    old: Seen | None
    new: Seen | None

    @property
    def properties(self) -> tuple[str, ...]:
        if self.old is None or self.new is None:
            return ()
        return self.old.changed_properties(self.new)

    def as_dict(self) -> dict[str, Any]:
        entry: dict[str, Any] = {"change": self.kind, "uid": self.uid, "summary": self.summary}
        for side, seen in (("old", self.old), ("new", self.new)):
            if seen is not None:
                entry[side] = {"start": when_text(seen.start), "end": when_text(seen.end),
                               "status": seen.status, "summary": seen.summary,
                               "sequence": seen.sequence}
        if self.kind in ("moved", "reworded"):
            entry["properties"] = list(self.properties)
        return entry


@dataclass(frozen=True, slots=True, kw_only=True)
class FeedChanges:
    path: str
    state: str  # "new", "removed" or "changed"
    changes: tuple[Change, ...]


_ORDER = {"moved": 0, "reworded": 1, "added": 2, "removed": 3}


def compare(old: Mapping[str, Mapping[str, Seen]], new: Mapping[str, Mapping[str, Seen]]
            ) -> tuple[FeedChanges, ...]:
    """Per feed path, what differs between two builds; unchanged feeds are left out."""
    result = []
    for path in sorted(old.keys() | new.keys()):
        before, after = old.get(path, {}), new.get(path, {})
        changes = []
        for uid in sorted(before.keys() | after.keys()):
            was, now = before.get(uid), after.get(uid)
            if was is None and now is not None:
                changes.append(Change(kind="added", uid=uid, summary=now.summary, old=None,
                                      new=now))
            elif now is None and was is not None:
                changes.append(Change(kind="removed", uid=uid, summary=was.summary, old=was,
                                      new=None))
            elif was is not None and now is not None and was.content != now.content:
                moved = (was.start, was.end) != (now.start, now.end)
                changes.append(Change(kind="moved" if moved else "reworded", uid=uid,
                                      summary=now.summary, old=was, new=now))
        if not changes and path in old and path in new:
            continue
        changes.sort(key=lambda c: (_ORDER[c.kind], _start_key(c), c.uid))
        state = "new" if path not in old else "removed" if path not in new else "changed"
        result.append(FeedChanges(path=path, state=state, changes=tuple(changes)))
    return tuple(result)


def format_changes(feeds: Sequence[FeedChanges], *, folder: str = "") -> list[str]:
    """The changes as plain lines a reviewer can read in a pull request."""
    prefix = f"{folder.rstrip('/')}/" if folder else ""
    if not feeds:
        return ["No feed changes."]
    lines = []
    # The same event sits in several feeds; say each set of changes once, in full.
    first_with: dict[tuple[str, ...], str] = {}
    for feed in feeds:
        note = {"new": " (new feed)", "removed": " (feed removed)", "changed": ""}[feed.state]
        shown = tuple(_change_line(change) for change in feed.changes)
        if shown and shown in first_with:
            count = len(shown)
            lines.append(f"{prefix}{feed.path}{note}: the same {plural(count, 'change')} "
                         f"as {prefix}{first_with[shown]}")
            continue
        first_with[shown] = feed.path
        lines.append(f"{prefix}{feed.path}{note}")
        lines.extend(f"  {line}" for line in shown)
    # Counted once per event, however many feeds hold it.
    pairs = {(change.kind, change.uid) for feed in feeds for change in feed.changes}
    uids = {uid for _, uid in pairs}
    tally = ", ".join(f"{n} {kind}" for kind in _ORDER
                      if (n := sum(1 for k, _ in pairs if k == kind)))
    lines.append(f"{plural(len(uids), 'event')} change{'' if len(uids) != 1 else 's'} in "
                 f"{plural(len(feeds), 'feed')}: {tally or 'none'}.")
    return lines


def when_text(value: dt.date | dt.datetime | None) -> str:
    """A start or end as a reviewer reads it: 2026-10-14, or 2027-01-15 23:59 America/New_York."""
    if value is None:
        return "?"
    if isinstance(value, dt.datetime):
        zone = value.tzinfo
        name = "UTC" if zone in (None, dt.UTC) else str(zone)
        return f"{value:%Y-%m-%d %H:%M} {name}"
    return value.isoformat()


def _change_line(change: Change) -> str:
    if change.kind == "added":
        assert change.new is not None
        return f"+ added     {change.summary} — {_span(change.new)}{_status(change.new)}"
    if change.kind == "removed":
        assert change.old is not None
        return f"- removed   {change.summary} — {_span(change.old)}{_status(change.old)}"
    assert change.old is not None and change.new is not None
    status = ""
    if change.old.status != change.new.status:
        status = f" [{change.old.status.lower()} → {change.new.status.lower()}]"
    renamed = ""
    if _unmarked(change.old.summary) != _unmarked(change.new.summary):
        renamed = f" (was “{change.old.summary}”)"
    if change.kind == "moved":
        return (f"~ moved     {change.summary}: {_span(change.old)} → {_span(change.new)}"
                f"{status}{renamed}")
    fields = ", ".join(p for p in change.properties)
    return f"~ reworded  {change.summary}: {fields}{status}{renamed}"


def _unmarked(summary: str) -> str:
    """A summary without the estimate mark, whose change the status already shows."""
    from .expand import ESTIMATE_MARK

    return summary.removeprefix(ESTIMATE_MARK).removesuffix(" (est.)")


def _span(seen: Seen) -> str:
    start = when_text(seen.start)
    if (isinstance(seen.start, dt.datetime) and isinstance(seen.end, dt.datetime)
            and seen.start.date() == seen.end.date()):
        # A timed deadline is a short block ending at the deadline: show both ends.
        day, clock, zone = start.split(" ", 2)
        return f"{day} {clock}–{seen.end:%H:%M} {zone}"
    if isinstance(seen.start, dt.datetime) or seen.end is None:
        return start
    if isinstance(seen.end, dt.date) and seen.start is not None:
        last = seen.end - dt.timedelta(days=1)
        if last > seen.start:
            return f"{start}..{last.isoformat()}"
    return start


def _status(seen: Seen) -> str:
    return f" [{seen.status.lower()}]" if seen.status else ""


def _start_key(change: Change) -> str:
    seen = change.new or change.old
    return when_text(seen.start) if seen is not None else ""


# Anchored at line starts: text that merely ends in "END:VEVENT" (a link, a name, or a
# fold landing just after it) must not cut an event short.
_VEVENT = re.compile(rb"^BEGIN:VEVENT\r?\n.*?^END:VEVENT(?:\r?\n|\Z)", re.S | re.M)
_FOLD = re.compile(r"\r?\n[ \t]")
_FRAME = frozenset({"BEGIN", "END"})


def _lines(block: bytes) -> list[str]:
    return [line for line in _FOLD.sub("", block.decode("utf-8", "replace")).splitlines()
            if line]


def _name(line: str) -> str:
    return line.split(":", 1)[0].split(";", 1)[0].upper()


@functools.lru_cache(maxsize=65536)
def _seen(block: bytes) -> Seen:
    """One event read from its bytes; the same event in many feeds is read once."""
    values = {}
    lines = _lines(block)
    for line in lines:
        name = _name(line)
        if name in ("UID", "SEQUENCE", "DTSTAMP", "LAST-MODIFIED"):
            values[name] = line.split(":", 1)[1] if ":" in line else ""
    sequence = values.get("SEQUENCE", "0").strip()
    return Seen(
        uid=values.get("UID", "").strip(),
        sequence=int(sequence) if sequence.isdigit() else 0,
        stamp=_utc(values.get("DTSTAMP")),
        modified=_utc(values.get("LAST-MODIFIED")),
        content=tuple(sorted(line for line in lines if _name(line) not in BOOKKEEPING
                             and _name(line) not in _FRAME)),
        block=block,
    )


def _utc(text: str | None) -> dt.datetime | None:
    """A DTSTAMP or LAST-MODIFIED value (always UTC, RFC 5545 3.8.7.2)."""
    if not text:
        return None
    try:
        return dt.datetime.strptime(text.strip().rstrip("Zz"), "%Y%m%dT%H%M%S").replace(
            tzinfo=dt.UTC)
    except ValueError:
        return None


@functools.lru_cache(maxsize=4096)
def _details(block: bytes) -> tuple[str, str, dt.date | dt.datetime | None,
                                    dt.date | dt.datetime | None]:
    """Summary, status, start and end of one VEVENT, parsed by icalendar."""
    component = icalendar.Event.from_ical(block)
    return (str(component.get("SUMMARY", "")), str(component.get("STATUS", "")),
            _value(component.get("DTSTART")), _value(component.get("DTEND")))


def _value(prop: Any) -> dt.date | dt.datetime | None:
    value = getattr(prop, "dt", None)
    return value if isinstance(value, dt.date) else None


def _by_name(content: Iterable[str]) -> dict[str, list[str]]:
    grouped: dict[str, list[str]] = {}
    for line in content:
        name = line.split(":", 1)[0].split(";", 1)[0].upper()
        grouped.setdefault(name, []).append(line)
    return grouped
