"""Events -> lines of a plain-text table for the terminal."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator

from .model import Event


def event_table(events: Iterable[Event]) -> Iterator[str]:
    """One line per event: date, status, what happens. Columns sized to the content."""
    rows = [(_when(event), "confirmed" if event.confirmed else "estimate", event.summary)
            for event in events]
    if not rows:
        yield "(no events)"
        return
    width_when = max(len("DATE"), *(len(row[0]) for row in rows))
    width_status = max(len("STATUS"), *(len(row[1]) for row in rows))
    yield f"{'DATE':<{width_when}}  {'STATUS':<{width_status}}  EVENT"
    for when, status, summary in rows:
        yield f"{when:<{width_when}}  {status:<{width_status}}  {summary}"


def _when(event: Event) -> str:
    if isinstance(event.end, dt.datetime) and isinstance(event.start, dt.datetime):
        end = event.end
        zone = end.tzname() or ""
        return f"{end:%Y-%m-%d %H:%M} {zone}".strip()
    assert not isinstance(event.start, dt.datetime)
    return event.start.isoformat()
