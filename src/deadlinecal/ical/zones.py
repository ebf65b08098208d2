"""Time zones: the VTIMEZONE written for each zone a feed uses (names: zonenames.py).

The VTIMEZONE is ours, not icalendar's: libical (Evolution), ical.js (Thunderbird) and
vobject convert our local times with it rather than with their own zone database, and each
reads less of RFC 5545 than the RFC allows (docs/clients.md). So every change of offset is
written the plainest way all of them read alike: one STANDARD or DAYLIGHT sub-component per
onset, DTSTART only (no RDATE list, no RRULE), and DTSTART is the local time in the offset
before the change (TZOFFSETFROM), as RFC 5545 section 3.6.5 reads it.

The rules come from the tzdata package alone (zonenames.zone), never from the system's
zone files, so the same data writes the same bytes on every machine.

The transitions come from the standard library's zoneinfo. It does not list them, so they
are found by probing the offset once a day and bisecting each change to the second. Two
changes less than a day apart that return to the same offset would be missed; the tz
database has no two changes less than two days apart since 1900, and the tests probe every
zone they write more finely.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from dataclasses import dataclass

from deadlinecal.dataset.zonenames import zone
from deadlinecal.ical import fastical

_DAY = dt.timedelta(days=1)
_SECOND = dt.timedelta(seconds=1)


@dataclass(frozen=True, slots=True)
class Onset:
    """From `instant` (UTC) on, the zone is `offset` ahead of UTC; before it, `before`."""

    instant: dt.datetime
    before: dt.timedelta
    offset: dt.timedelta
    name: str
    daylight: bool


# -- the VTIMEZONE -------------------------------------------------------------------------


def onsets(zone: zoneinfo.ZoneInfo, start: dt.datetime, end: dt.datetime) -> list[Onset]:
    """The state in force at `start`, then every change of offset, abbreviation or
    daylight flag after it and before `end` (both aware datetimes)."""
    start, end = start.astimezone(dt.UTC), end.astimezone(dt.UTC)
    first = _state(zone, start)
    found = [Onset(start, first[0], *first)]
    moment, state = start, first
    while moment < end:
        probe = min(moment + _DAY, end)
        if _state(zone, probe) != state:
            # Bisect to the first second with the new state; tz changes fall on seconds.
            low, high = moment, probe
            while high - low > _SECOND:
                middle = low + (high - low) / 2
                middle = middle.replace(microsecond=0)
                if _state(zone, middle) == state:
                    low = middle
                else:
                    high = middle
            new = _state(zone, high)
            found.append(Onset(high, state[0], *new))
            moment, state = high, new
        else:
            moment = probe
    return found


def _state(zone: zoneinfo.ZoneInfo, instant: dt.datetime) -> tuple[dt.timedelta, str, bool]:
    local = instant.astimezone(zone)
    offset, name, dst = local.utcoffset(), local.tzname(), local.dst()
    assert offset is not None and name is not None and dst is not None
    # Daylight is time ahead of the zone's standard time; Dublin's and Casablanca's negative
    # "daylight" saving is their standard time in winter and in Ramadan.
    return offset, name, dst > dt.timedelta(0)


def vtimezone(name: str, first: dt.date, last: dt.date) -> bytes:
    """The VTIMEZONE of zone `name` from a year before `first` to a year after `last`.

    Raises zoneinfo.ZoneInfoNotFoundError for a name the tzdata package does not know.
    """
    rules = zone(name)
    start = dt.datetime(first.year - 1, first.month, 1, tzinfo=rules)
    end = dt.datetime(last.year + 1, last.month, 1, tzinfo=rules)
    parts = [_observance(onset) for onset in onsets(rules, start, end)]
    return fastical.component("VTIMEZONE", [("TZID", "", fastical.text(name))], parts)


def _observance(onset: Onset) -> bytes:
    # RFC 5545 3.6.5: DTSTART is local time in the offset in force before the onset.
    local = onset.instant + onset.before
    return fastical.component("DAYLIGHT" if onset.daylight else "STANDARD", [
        ("DTSTART", "", f"{local.year:04d}{local:%m%dT%H%M%S}"),
        ("TZNAME", "", fastical.text(onset.name)),
        ("TZOFFSETFROM", "", utc_offset(onset.before)),
        ("TZOFFSETTO", "", utc_offset(onset.offset)),
    ])


def utc_offset(offset: dt.timedelta) -> str:
    """A UTC-OFFSET value: +HHMM, or +HHMMSS when the offset has seconds (RFC 5545 3.3.14)."""
    sign = "-" if offset < dt.timedelta(0) else "+"
    seconds = abs(int(offset.total_seconds()))
    hours, rest = divmod(seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    return f"{sign}{hours:02d}{minutes:02d}" + (f"{seconds:02d}" if seconds else "")
