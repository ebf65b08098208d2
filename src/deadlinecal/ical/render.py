"""Events + feed metadata -> iCalendar bytes. The only module that imports icalendar."""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING
from urllib.parse import quote, urlsplit

from deadlinecal.events.select import select
from deadlinecal.ical import fastical, zones
from deadlinecal.model import Dataset, Event, FeedSpec
from deadlinecal.text import feed_name

if TYPE_CHECKING:
    import icalendar

# icalendar is imported where it is used: feeds are written by fastical (events, header) and
# zones.py (VTIMEZONEs), and skipping the import is most of a small build's start-up time.

PRODID = "-//deadlinecal//deadlinecal//EN"


def feed_url(base_url: str, path: str) -> str:
    """The public http(s) address of the feed at `path` under `base_url`.

    Used for SOURCE and for the subscribe page's links, so the two always agree. A query or
    fragment on the base would end up in the middle of the address, so it is left out.
    """
    parts = urlsplit(base_url.strip())
    base = f"{parts.scheme}://{parts.netloc}{parts.path}"
    if not base.endswith("/"):
        base += "/"
    return base + quote(path, safe="/")


def webcal_url(url: str) -> str:
    """The same address with the webcal:// scheme that Apple Calendar subscribes to."""
    _, _, rest = url.partition("://")
    return f"webcal://{rest}"


_END = b"END:VCALENDAR\r\n"


class Renderer:
    """Renders each event and time zone once and reuses the bytes in every feed."""

    def __init__(self, dataset: Dataset, rendered: Mapping[str, bytes] | None = None) -> None:
        self.dataset = dataset
        # `rendered`: bytes of events already rendered exactly as they are (by UID).
        self._events: dict[str, bytes] = dict(rendered or {})
        self._zones: dict[str, bytes] = {}
        # The first and last day of every zone's events, and the events they were found in.
        self._spans: tuple[Sequence[Event], dict[str, tuple[dt.date, dt.date]]] | None = None
        # The zone each event (by UID) needs a VTIMEZONE for, "" for none.
        self._zone_names: dict[str, str] = {}

    def feed(self, spec: FeedSpec, events: Sequence[Event]) -> bytes:
        """One complete VCALENDAR holding the events that `spec` selects."""
        return b"".join(self.feed_parts(spec, events))

    def feed_parts(self, spec: FeedSpec, events: Sequence[Event],
                   chosen: Sequence[Event] | None = None) -> list[bytes]:
        """`feed` as the list of byte strings it joins (each event's bytes shared, not copied).

        `chosen`: the events `spec` selects, when the caller has them already.
        """
        if chosen is None:
            chosen = select(events, spec.filter)
        # Each pass over the events of every feed is a map in C where it can be.
        uids = [event.uid for event in chosen]
        known = list(map(self._events.get, uids))
        if None in known:
            self._render([event for event, entry in zip(chosen, known, strict=True)
                          if entry is None])
        parts = [header_bytes(self.dataset, spec)]
        parts.extend(self._zone(zone, events) for zone in self._zones_of(chosen, uids))
        if not chosen:
            # RFC 5545 wants at least one component; a time zone adds no false entry.
            parts.append(_utc_zone())
        parts.extend(map(self._events.__getitem__, uids))
        parts.append(_END)
        return parts

    def event(self, event: Event) -> bytes:
        cached = self._events.get(event.uid)
        if cached is None:
            cached = self._events[event.uid] = event_bytes(event)
        return cached

    def _render(self, events: list[Event]) -> None:
        """Render `events` (none rendered yet), a program's events one after another, so
        its description text (the larger part of every entry's) is escaped once."""
        events.sort(key=lambda event: id(event.about))
        cache, names = self._events, self._zone_names
        for event in events:
            cache[event.uid] = event_bytes(event)
            names[event.uid] = _zone_of(event) or ""

    def _zones_of(self, chosen: Sequence[Event], uids: list[str]) -> list[str]:
        """The zones `chosen` (whose UIDs are `uids`) need a VTIMEZONE for, sorted."""
        names = self._zone_names
        zones = set(map(names.get, uids))
        if None in zones:  # events rendered before this renderer (`rendered`)
            for event in chosen:
                if event.uid not in names:
                    names[event.uid] = _zone_of(event) or ""
            zones = set(map(names.get, uids))
        return sorted(name for name in zones if name)

    def _header(self, spec: FeedSpec) -> bytes:
        """The calendar's own properties as icalendar writes them (header_bytes mirrors it)."""
        import icalendar

        dataset = self.dataset
        refresh = dt.timedelta(hours=dataset.refresh_hours)
        calendar = icalendar.Calendar.new(
            prodid=PRODID,
            calscale="GREGORIAN",
            method="PUBLISH",
            name=feed_name(spec.title, spec.term),
            description=spec.description,
            refresh_interval=refresh,
        )
        # No calendar-level UID, though RFC 7986 allows one (icalendar adds a random one).
        # vdirsyncer's http storage (khal, many Nextcloud set-ups) copies every calendar
        # property into each event it splits out and takes the first UID line as the item's
        # id, so all events of a feed collided into one. The other calendar properties it
        # copies are harmless: it drops METHOD, and clients read DESCRIPTION and NAME of
        # the VEVENT, not of its wrapper. tests/test_clients.py syncs every feed to check.
        del calendar["UID"]
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
            calendar.add("SOURCE", feed_url(dataset.base_url, spec.path),
                         parameters={"VALUE": "URI"})
        text = bytes(calendar.to_ical())
        assert text.endswith(_END)
        return text[: -len(_END)]

    def _zone(self, name: str, events: Sequence[Event]) -> bytes:
        cached: bytes | None = self._zones.get(name)
        if cached is None:
            # Cover every event in the zone, not just the cycle: a date outside it is only a
            # warning, and clients that trust our VTIMEZONE (Thunderbird, Evolution) would
            # otherwise apply the wrong offset to it. Computed over all events, so every
            # feed shares the same bytes.
            if self._spans is None or self._spans[0] is not events:
                self._spans = (events, _zone_spans(events))
            first, last = self._spans[1].get(name, (self.dataset.cycle_starts,
                                                    self.dataset.cycle_ends))
            cached = self._zones[name] = timezone_component(
                name, min(self.dataset.cycle_starts, first),
                max(self.dataset.cycle_ends, last),
            )
        return cached


def _zone_spans(events: Iterable[Event]) -> dict[str, tuple[dt.date, dt.date]]:
    """The first and last day of the timed events of each zone, in one pass."""
    spans: dict[str, tuple[dt.date, dt.date]] = {}
    for event in events:
        name = _zone_of(event)
        if name is None:
            continue
        day = event.start.date()  # type: ignore[union-attr]  # a zone means a datetime
        span = spans.get(name)
        if span is None:
            spans[name] = (day, day)
        elif day < span[0]:
            spans[name] = (day, span[1])
        elif day > span[1]:
            spans[name] = (span[0], day)
    return spans


def event_component(event: Event) -> icalendar.Event:
    """The icalendar component of one event, properties in a fixed order."""
    import icalendar

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


def event_bytes(event: Event, *, escaped_about: str | None = None) -> bytes:
    """Exactly `event_component(event).to_ical()`, written by `fastical` many times faster.

    Keep the two in step: a test compares them on every event of the data and test cases.
    `escaped_about`: `fastical.text(event.about)`, when the caller has it already.
    """
    fold = fastical.fold_text
    start, end = event.start, event.end
    stamp = event.stamp
    modified = event.modified or stamp
    summary = fastical.text(event.summary)
    status = ("CANCELLED" if event.cancelled else
              "CONFIRMED" if event.confirmed else "TENTATIVE")
    # icalendar's order: its canonical names first (SUMMARY ... SEQUENCE), then by name.
    # The text before and after DESCRIPTION is each encoded once; the description, the
    # longest line and seldom ASCII, is folded as bytes, the program's part of it (most
    # of it) escaped and encoded once for all of the program's events.
    before = (
        f"BEGIN:VEVENT\r\n{fold(f'SUMMARY:{summary}')}\r\n"
        f"{_when_line('DTSTART', start, _zone_key(start))}"
        f"{_when_line('DTEND', end, _zone_key(end))}"
        f"{_when_line('DTSTAMP', stamp, stamp.tzinfo)}"
        f"{fold(f'UID:{fastical.text(event.uid)}')}\r\n"
        f"SEQUENCE:{event.sequence}\r\n"
        f"{_categories_line(event.categories) if event.categories else ''}"
    )
    after = (f"{_when_line('LAST-MODIFIED', modified, modified.tzinfo)}"
             f"STATUS:{status}\r\nTRANSP:TRANSPARENT\r\n"
             f"{_url_line(event.url) if event.url else ''}")
    if event.alarms:
        # No canonical order in VALARM: icalendar sorts these by name.
        reminder = fold(f"DESCRIPTION:{summary}")
        after += "".join([f"BEGIN:VALARM\r\nACTION:DISPLAY\r\n{reminder}\r\n"
                          f"{_trigger_line(trigger)}END:VALARM\r\n"
                          for trigger in event.alarms])
    return b"".join((before.encode(), _description(event, escaped_about), b"\r\n",
                     after.encode(), b"END:VEVENT\r\n"))


def _description(event: Event, escaped_about: str | None) -> bytes:
    """The folded DESCRIPTION line (without its line break).

    `fastical.text(event.description)`, with the program's part escaped and encoded once:
    escaping the parts gives the escaped whole, as no escape spans the blank line between
    them, unless the details end in a carriage return (then CR LF is one line break).
    """
    details = event.details
    if details.endswith("\r"):
        return fastical.fold(f"DESCRIPTION:{fastical.text(event.description)}")
    tail = (_about_tail(event.about) if escaped_about is None
            else b"\\n\\n" + escaped_about.encode())
    return fastical.fold_bytes(b"".join((b"DESCRIPTION:",
                                         fastical.text_utf8(details.encode()), tail)))


# Lines shared by many events, each written once. Keyed by the text (whose hash Python
# keeps), so the same program's events, which come one after another, find theirs.
@functools.lru_cache(maxsize=256)
def _about_tail(about: str) -> bytes:
    """The end of every description of a program: a blank line and its escaped text."""
    return b"\\n\\n" + fastical.text_utf8(about.encode())


@functools.lru_cache(maxsize=1024)
def _categories_line(categories: tuple[str, ...]) -> str:
    return f"{fastical.fold_text(f'CATEGORIES:{fastical.texts(categories)}')}\r\n"


@functools.lru_cache(maxsize=256)
def _trigger_line(trigger: dt.timedelta) -> str:
    return f"{fastical.fold_text(f'TRIGGER:{fastical.duration(trigger)}')}\r\n"


@functools.lru_cache(maxsize=1024)
def _url_line(url: str) -> str:
    return f"{fastical.fold_text(f'URL:{url}')}\r\n"


def _zone_key(value: dt.date | dt.datetime) -> dt.tzinfo | None:
    # Not getattr(value, "tzinfo", None): a date has none, and the error getattr formats
    # for it costs more than the look-up it saves.
    return value.tzinfo if isinstance(value, dt.datetime) else None


@functools.lru_cache(maxsize=4096)
def _when_line(name: str, value: dt.date | dt.datetime, zone: dt.tzinfo | None) -> str:
    """A DATE or DATE-TIME property's line: events share their stamps and many of their
    days. `zone` is part of the key: two datetimes of one instant are equal in different
    zones, which are written differently."""
    params, written = fastical.when(value)
    return f"{fastical.fold_text(f'{name}{params}:{written}')}\r\n"


def header_bytes(dataset: Dataset, spec: FeedSpec) -> bytes:
    """Exactly `Renderer._header` (icalendar's bytes), written by fastical without icalendar.

    Keep the two in step: a test compares them for every feed of the data and test cases.
    """
    text = fastical.text
    refresh = fastical.duration(dt.timedelta(hours=dataset.refresh_hours))
    # icalendar's order for VCALENDAR: VERSION ... X-WR-CALNAME, then the rest by name.
    properties = [
        ("VERSION", "", "2.0"),
        ("PRODID", "", text(PRODID)),
        ("CALSCALE", "", "GREGORIAN"),
        ("METHOD", "", "PUBLISH"),
        ("DESCRIPTION", "", text(spec.description)),
        ("X-WR-CALDESC", "", text(spec.description)),
        ("NAME", "", text(feed_name(spec.title, spec.term))),
        ("X-WR-CALNAME", "", text(feed_name(spec.title, spec.term))),
        ("REFRESH-INTERVAL", fastical.param("VALUE", "DURATION"), refresh),
    ]
    if dataset.base_url:
        properties.append(("SOURCE", fastical.param("VALUE", "URI"),
                           feed_url(dataset.base_url, spec.path)))
    properties.append(("X-PUBLISHED-TTL", "", refresh))
    calendar = fastical.component("VCALENDAR", properties)
    return calendar[: -len(_END)]


def timezone_component(name: str, first: dt.date, last: dt.date) -> bytes:
    """A VTIMEZONE for `name` covering `first` to `last` with a year's margin either side.

    Written by `zones.vtimezone` (one onset per sub-component, read alike by every client)
    rather than icalendar's `add_missing_timezones`, whose RDATE lists and onsets clients
    misread.
    """
    return zones.vtimezone(name, first, last)


# What icalendar writes for a minimal UTC VTIMEZONE (tests compare the two): written out,
# so that a build with an empty feed (an imported posting file declares tracks no posting
# may use) does not import icalendar for it.
_UTC_ZONE = (b"BEGIN:VTIMEZONE\r\nTZID:UTC\r\nBEGIN:STANDARD\r\nDTSTART:19700101T000000\r\n"
             b"TZNAME:UTC\r\nTZOFFSETFROM:+0000\r\nTZOFFSETTO:+0000\r\nEND:STANDARD\r\n"
             b"END:VTIMEZONE\r\n")


def _utc_zone() -> bytes:
    """A minimal VTIMEZONE for UTC, which holds an otherwise empty feed together."""
    return _UTC_ZONE


def utc_zone_component() -> bytes:
    """`_utc_zone` as icalendar writes it (the oracle of the constant)."""
    import icalendar

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
        name = str(start.tzinfo)
        # A deadline in zone "UTC" is written with Z and needs no VTIMEZONE (icalendar
        # makes none for it, so asking for one failed). The name first: an offset costs a
        # look-up in the zone's rules, for every event of every feed.
        if name in ("UTC", "Etc/UTC") and start.utcoffset() == dt.timedelta(0):
            return None
        return name
    return None


class Feeds(Mapping[str, bytes]):
    """Every feed's bytes by its path, each rendered when it is looked up and not kept.

    A writer that takes one feed at a time holds one feed in memory, not all of them: the
    feeds of a large file add up to many times its events' bytes. Looking a feed up again
    renders it again (its events' bytes are cached, so that is only a join). Files added
    with `extra` (the subscribe page) are held as bytes.
    """

    def __init__(self, renderer: Renderer, events: Sequence[Event],
                 specs: Iterable[FeedSpec],
                 selected: Mapping[str, Sequence[Event]] | None = None) -> None:
        self._renderer = renderer
        self._events = events
        self._specs = {spec.path: spec for spec in specs}
        self._selected = selected or {}
        self._extra: dict[str, bytes] = {}
        # Each feed's length once its parts were made: a report of sizes renders nothing.
        self._sizes: dict[str, int] = {}

    def __getitem__(self, path: str) -> bytes:
        if path in self._extra:
            return self._extra[path]
        return b"".join(self.parts(path))

    def __contains__(self, path: object) -> bool:
        # Mapping's own would look the feed up, that is render it.
        return path in self._extra or path in self._specs

    def size(self, path: str) -> int:
        """len(self[path]), without joining (or, once written, rendering) the feed."""
        found = self._sizes.get(path)
        return sum(map(len, self.parts(path))) if found is None else found

    def __setitem__(self, path: str, content: bytes) -> None:
        """Add a file that is not a feed (kept as given)."""
        self._specs.pop(path, None)
        self._sizes.pop(path, None)
        self._extra[path] = content

    def parts(self, path: str) -> list[bytes]:
        """The file at `path` as byte strings to write one after another (see write_tree)."""
        if path in self._extra:
            return [self._extra[path]]
        parts = self._renderer.feed_parts(self._specs[path], self._events,
                                          self._selected.get(path))
        self._sizes[path] = sum(map(len, parts))
        return parts

    def __iter__(self) -> Iterator[str]:
        yield from self._specs
        yield from self._extra

    def __len__(self) -> int:
        return len(self._specs) + len(self._extra)


def render_feeds(dataset: Dataset, events: Sequence[Event],
                 specs: Iterable[FeedSpec], *, rendered: Mapping[str, bytes] | None = None,
                 selected: Mapping[str, Sequence[Event]] | None = None) -> Feeds:
    """Every feed's bytes by its path under the output folder (rendered on lookup).

    `selected`: each feed's events by path when the caller has chosen them already.
    """
    return Feeds(Renderer(dataset, rendered), events, specs, selected)
