"""What a rebuild changes, feed by feed: compared, and formatted for a reviewer."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from deadlinecal.errors import Problem
from deadlinecal.history.feeds import LineCounter, Seen, offset_of
from deadlinecal.text import plural

# How the UID of an ended calendar's notice ends (ended.py).
_ENDED = ".ended@deadlinecal"
# How much of a summary a diff line shows.
_SHOWN = 200


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
    state: str  # "new", "removed", "ended" (kept as an ended calendar) or "changed"
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
        state = ("new" if path not in old else "removed" if path not in new
                 else "ended" if _ends(before, after) else "changed")
        result.append(FeedChanges(path=path, state=state, changes=tuple(changes)))
    return tuple(result)


def _ends(before: Mapping[str, Seen], after: Mapping[str, Seen]) -> bool:
    """Whether a rebuild makes the feed an ended calendar (ended.py): it gains the notice."""
    return any(uid.endswith(_ENDED) and uid not in before for uid in after)


def unreadable_details(feeds: Sequence[FeedChanges], files: Mapping[str, bytes], *,
                       folder: str = "") -> list[Problem]:
    """Warnings about previous events a diff shows with "?" for what could not be read,
    each at its feed (under `folder`) and line; `files` are the previous feeds' bytes."""
    prefix = f"{folder.rstrip('/')}/" if folder else ""
    problems: list[Problem] = []
    for feed in feeds:
        content = files.get(feed.path)
        if content is None:
            continue
        lines = LineCounter(content)
        for change in feed.changes:
            seen = change.old
            if seen is None or not seen.unreadable:
                continue
            offset = content.find(seen.block) if seen.block else -1
            for name in seen.unreadable:
                at = offset + offset_of(seen.block, name)
                what = "the event" if name == "VEVENT" else name
                problems.append(Problem(
                    file=f"{prefix}{feed.path}", line=lines.at(at) if offset >= 0 else None,
                    column=None, path="", message=f"{what} cannot be read; the diff shows ? "
                    "for it", severity="warning"))
    return problems


def format_changes(feeds: Sequence[FeedChanges], *, folder: str = "") -> list[str]:
    """The changes as plain lines a reviewer can read in a pull request."""
    prefix = f"{folder.rstrip('/')}/" if folder else ""
    if not feeds:
        return ["No feed changes."]
    lines = []
    # The same event sits in several feeds; say each set of changes once, in full.
    first_with: dict[tuple[str, ...], str] = {}
    for feed in feeds:
        note = {"new": " (new feed)", "removed": " (feed removed)",
                "ended": " (feed ended: its events cancelled, a notice says what to subscribe to)",
                "changed": ""}[feed.state]
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
        return f"+ added     {_shown(change.summary)} — {_span(change.new)}{_status(change.new)}"
    if change.kind == "removed":
        assert change.old is not None
        return (f"- removed   {_shown(change.summary)} — {_span(change.old)}"
                f"{_status(change.old)}")
    assert change.old is not None and change.new is not None
    status = ""
    if change.old.status != change.new.status:
        status = f" [{_shown(change.old.status.lower())} → {change.new.status.lower()}]"
    renamed = ""
    if _unmarked(change.old.summary) != _unmarked(change.new.summary):
        renamed = f" (was “{_shown(change.old.summary)}”)"
    if change.kind == "moved":
        return (f"~ moved     {_shown(change.summary)}: {_span(change.old)} → "
                f"{_span(change.new)}{status}{renamed}")
    fields = ", ".join(p for p in change.properties)
    return f"~ reworded  {_shown(change.summary)}: {fields}{status}{renamed}"


def _shown(summary: str) -> str:
    """A summary as a diff line shows it: a previous feed may hold any length."""
    return summary if len(summary) <= _SHOWN else summary[:_SHOWN] + "…"


def _unmarked(summary: str) -> str:
    """A summary without the estimate mark, whose change the status already shows."""
    from deadlinecal.events.expand import ESTIMATE_MARK

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
    # An all-day span; a previous feed may end it with a date-time, or on 0001-01-01.
    if (seen.start is not None and not isinstance(seen.end, dt.datetime)
            and seen.end > dt.date.min):
        last = seen.end - dt.timedelta(days=1)
        if last > seen.start:
            return f"{start}..{last.isoformat()}"
    return start


def _status(seen: Seen) -> str:
    return f" [{_shown(seen.status.lower())}]" if seen.status else ""


def _start_key(change: Change) -> str:
    seen = change.new or change.old
    return when_text(seen.start) if seen is not None else ""
