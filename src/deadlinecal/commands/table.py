"""Events -> lines of a plain-text table for the terminal."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator

from deadlinecal.dataset.dates import AOE_OFFSET
from deadlinecal.model import Event, EventKind


def event_table(events: Iterable[Event]) -> Iterator[str]:
    """One line per event: date, status, what happens. Columns sized to the content."""
    rows = [(_when(event), _status(event), event.summary) for event in events]
    if not rows:
        yield "(no events)"
        return
    width_when = max(len("DATE"), *(len(row[0]) for row in rows))
    width_status = max(len("STATUS"), *(len(row[1]) for row in rows))
    yield f"{'DATE':<{width_when}}  {'STATUS':<{width_status}}  EVENT"
    for when, status, summary in rows:
        yield f"{when:<{width_when}}  {status:<{width_status}}  {summary}"


def _when(event: Event) -> str:
    """The day (or deadline minute, in the data's own zone), and how late an estimate runs."""
    if isinstance(event.end, dt.datetime) and isinstance(event.start, dt.datetime):
        end = event.end
        if _zone_written(event) == "AoE":
            local = end.astimezone(dt.UTC) + AOE_OFFSET
            return f"{local:%Y-%m-%d %H:%M} AoE"
        zone = end.tzname() or ""
        return f"{end:%Y-%m-%d %H:%M} {zone}".strip()
    assert not isinstance(event.start, dt.datetime)
    if event.last_day > event.start:
        return f"{event.start.isoformat()}..{event.last_day.isoformat()}"
    return event.start.isoformat()


def _zone_written(event: Event) -> str | None:
    window = event.window
    if window is None:
        return None
    when = window.deadline if event.kind is EventKind.DEADLINE else window.closes
    return when.zone if when is not None else None


def _status(event: Event) -> str:
    if event.cancelled:
        return "cancelled"
    if event.kind is EventKind.WATCH:
        return "watch"
    return "confirmed" if event.confirmed else "estimate"
