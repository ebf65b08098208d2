"""Events + feed metadata -> iCalendar bytes. The only module that imports icalendar."""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterable, Mapping, Sequence

import icalendar

from .model import Dataset, Event, FeedSpec
from .select import select

PRODID = "-//deadlinecal//deadlinecal//EN"
_END = b"END:VCALENDAR\r\n"


class Renderer:
    """Renders each event and time zone once and reuses the bytes in every feed."""

    def __init__(self, dataset: Dataset, rendered: Mapping[str, bytes] | None = None) -> None:
        self.dataset = dataset
        # `rendered`: bytes of events already rendered exactly as they are (by UID).
        self._events: dict[str, bytes] = dict(rendered or {})
        self._zones: dict[str, bytes] = {}

    def feed(self, spec: FeedSpec, events: Sequence[Event]) -> bytes:
        """One complete VCALENDAR holding the events that `spec` selects."""
        chosen = select(events, spec.filter)
        parts = [self._header(spec)]
        zones = sorted({zone for event in chosen if (zone := _zone_of(event))})
        parts.extend(self._zone(zone) for zone in zones)
        if not chosen:
            # RFC 5545 wants at least one component; a time zone adds no false entry.
            parts.append(_utc_zone())
        parts.extend(self.event(event) for event in chosen)
        parts.append(_END)
        return b"".join(parts)

    def event(self, event: Event) -> bytes:
        cached = self._events.get(event.uid)
        if cached is None:
            cached = self._events[event.uid] = bytes(event_component(event).to_ical())
        return cached

    def _header(self, spec: FeedSpec) -> bytes:
        dataset = self.dataset
        refresh = dt.timedelta(hours=dataset.refresh_hours)
        calendar = icalendar.Calendar.new(
            prodid=PRODID,
            calscale="GREGORIAN",
            method="PUBLISH",
            name=spec.title,
            description=spec.description,
            refresh_interval=refresh,
            uid=f"{dataset.id}.{spec.path.removesuffix('.ics').replace('/', '.')}@deadlinecal",
        )
        # icalendar 7 keeps these as raw vUnknown, so a comma, semicolon, backslash or
        # newline would be written unescaped (a newline even fails); they are TEXT.
        for key in ("NAME", "X-WR-CALNAME", "X-WR-CALDESC"):
            if key in calendar:
                calendar[key] = icalendar.vText(str(calendar[key]))
        # RFC 7986 requires the VALUE parameter on REFRESH-INTERVAL, unlike most properties.
        calendar["REFRESH-INTERVAL"].params["VALUE"] = "DURATION"
        # Outlook and older Apple clients read only the X-PUBLISHED-TTL spelling.
        calendar.add("X-PUBLISHED-TTL", icalendar.vDuration(refresh))
        if dataset.base_url:
            # RFC 7986 SOURCE is where this very feed is refreshed from.
            address = f"{dataset.base_url.rstrip('/')}/{spec.path}"
            calendar.add("SOURCE", address, parameters={"VALUE": "URI"})
        text = bytes(calendar.to_ical())
        assert text.endswith(_END)
        return text[: -len(_END)]

    def _zone(self, name: str) -> bytes:
        cached: bytes | None = self._zones.get(name)
        if cached is None:
            cached = self._zones[name] = timezone_component(
                name, self.dataset.cycle_starts, self.dataset.cycle_ends
            )
        return cached


def event_component(event: Event) -> icalendar.Event:
    """The icalendar component of one event, properties in a fixed order."""
    component = icalendar.Event.new(
        uid=event.uid,
        stamp=event.stamp,
        start=event.start,
        end=event.end,
        summary=event.summary,
        description=event.description,
        status=(icalendar.STATUS.CANCELLED if event.cancelled else
                icalendar.STATUS.CONFIRMED if event.confirmed else icalendar.STATUS.TENTATIVE),
        transparency=icalendar.TRANSP.TRANSPARENT,
        categories=list(event.categories),
        url=event.url,
        sequence=event.sequence,
        last_modified=event.modified or event.stamp,
    )
    for trigger in event.alarms:
        alarm = icalendar.Alarm.new(description=event.summary)
        alarm.add("ACTION", "DISPLAY")
        alarm.add("TRIGGER", trigger)
        component.add_component(alarm)
    return component


def timezone_component(name: str, first: dt.date, last: dt.date) -> bytes:
    """A VTIMEZONE for `name` covering the cycle with a year's margin either side."""
    from zoneinfo import ZoneInfo

    probe = icalendar.Calendar()
    holder = icalendar.Event()
    holder.start = dt.datetime.combine(first, dt.time(12), tzinfo=ZoneInfo(name))
    probe.add_component(holder)
    probe.add_missing_timezones(
        first_date=first.replace(year=first.year - 1, day=1),
        last_date=last.replace(year=last.year + 1, day=1),
    )
    zone: icalendar.Timezone = probe.timezones[0]
    return bytes(zone.to_ical())


@functools.cache
def _utc_zone() -> bytes:
    """A minimal VTIMEZONE for UTC, which holds an otherwise empty feed together."""
    zone = icalendar.Timezone()
    zone.add("TZID", "UTC")
    standard = icalendar.TimezoneStandard()
    standard.add("DTSTART", dt.datetime(1970, 1, 1))
    standard.add("TZOFFSETFROM", dt.timedelta(0))
    standard.add("TZOFFSETTO", dt.timedelta(0))
    standard.add("TZNAME", "UTC")
    zone.add_component(standard)
    return bytes(zone.to_ical())


def _zone_of(event: Event) -> str | None:
    start = event.start
    if isinstance(start, dt.datetime) and start.tzinfo is not dt.UTC:
        # A deadline in zone "UTC" is written with Z and needs no VTIMEZONE (icalendar
        # makes none for it, so asking for one failed).
        if start.utcoffset() == dt.timedelta(0) and str(start.tzinfo) in ("UTC", "Etc/UTC"):
            return None
        return str(start.tzinfo)
    return None


def render_feeds(dataset: Dataset, events: Sequence[Event],
                 specs: Iterable[FeedSpec], *, rendered: Mapping[str, bytes] | None = None
                 ) -> dict[str, bytes]:
    """Every feed's bytes by its path under the output folder."""
    renderer = Renderer(dataset, rendered)
    return {spec.path: renderer.feed(spec, events) for spec in specs}
