"""Records -> dated events: openings, follow-ups, closings, deadlines and watch-list entries.

This is the only module that does date arithmetic. It never reads the clock.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re

from dateutil.relativedelta import relativedelta

from . import dates
from .model import Dataset, Event, EventKind, FuzzyDate, Precision, Program, Window
from .text import span

# Timed deadlines become a short block that ends at the deadline, so clients that hide
# zero-length events still show them and DTEND stays after DTSTART.
DEADLINE_BLOCK = dt.timedelta(minutes=30)
ESTIMATE_MARK = " (est.)"
# The key a program's only window gets when the data names none.
DEFAULT_WINDOW_KEY = "main"
CANCELLED_MARK = "Cancelled: "
_YEAR_SUFFIX = re.compile(r"([0-9]{4})$")
# The events a student must act on get reminders; openings and watch-list entries do not.
REMINDED = frozenset({EventKind.DEADLINE, EventKind.CLOSES, EventKind.FOLLOW_UP})
# All-day events start at midnight; their reminders count back from this hour instead, so
# "P1D" rings at 09:00 the day before rather than at midnight.
ALL_DAY_REMINDER_HOUR = 9


def expand(dataset: Dataset) -> tuple[Event, ...]:
    """Every event of every program, sorted by start, then program id, then UID."""
    events: list[Event] = []
    stamp = dt.datetime.combine(dataset.updated, dt.time(), tzinfo=dt.UTC)
    terms = _Terms(dataset)
    for program in dataset.programs:
        events.extend(_program_events(dataset, program, stamp, terms))
    events.sort(key=lambda event: event.sort_key)
    return tuple(events)


class _Terms:
    """Titles of vocabulary keys, looked up once per dataset."""

    def __init__(self, dataset: Dataset) -> None:
        self.tracks = {term.key: term.title for term in dataset.tracks}
        self.eligibility = {term.key: term.title for term in dataset.eligibility}
        self.citizenship = {term.key: term.title for term in dataset.citizenship}


def _program_events(dataset: Dataset, program: Program, stamp: dt.datetime,
                    terms: _Terms) -> list[Event]:
    about = _about(dataset, program, terms)
    categories = (terms.tracks[program.track], program.employer)
    offset = dataset.follow_up_days_for(program)
    reminders = program.reminders if program.reminders is not None else dataset.reminders
    built: list[Event] = []

    # Several windows of one program would otherwise share a summary.
    several = len(program.windows) > 1

    def add(kind: EventKind, window: Window | None, what: str, lead: str,
            start: dt.date | dt.datetime, end: dt.date | dt.datetime, confirmed: bool,
            latest: dt.date) -> None:
        # A watch-list entry takes the UID its window's opening will have, so when the date
        # is entered the subscribed entry moves instead of being replaced by a new one.
        window_part = f".{window.key}" if window is not None else f".{DEFAULT_WINDOW_KEY}"
        uid_kind = EventKind.OPENS if kind is EventKind.WATCH else kind
        mark = "" if confirmed or kind is EventKind.WATCH else ESTIMATE_MARK
        if several and window is not None and window.projected_from is None:
            what = f"{what} ({window.key})"
        note = f"\n\nAbout this window: {window.note}" if window is not None and window.note else ""
        summary = f"{program.title} — {what}{mark}"
        cancelled = program.cancelled or (window is not None and window.cancelled)
        if window is not None and window.projected_from is not None:
            label = f"projected from the {window.projected_from} window"
            summary = f"{program.title} — {what} ({label})"
            note = ("\n\nThis is a projection: the program recurs every year, so "
                    "the same dates a year later are assumed until the real dates are "
                    "announced." + note)
        if cancelled:
            # Kept (not dropped) so subscribed calendars strike the entry out.
            summary = CANCELLED_MARK + summary
            note = (f"\n\nCancelled: this {'program' if program.cancelled else 'window'} "
                    "will not take place this cycle." + note)
        built.append(Event(
            uid=f"{dataset.id}.{program.id}{window_part}.{uid_kind.value}@deadlinecal",
            kind=kind,
            program=program,
            window=window,
            summary=summary,
            description=f"{lead}{note}\n\n{about}",
            start=start,
            end=end,
            confirmed=confirmed,
            categories=categories,
            url=program.link,
            stamp=stamp,
            cancelled=cancelled,
            # A struck-out entry must not ring.
            alarms=(alarms_for(reminders, start, end)
                    if kind in REMINDED and not cancelled else ()),
            latest=latest,
        ))

    dated = False
    for window in (*program.windows, *projections(program)):
        rolling = _rolling_note(window)
        if window.opens is not None:
            dated = True
            opens = window.opens
            day = opens.earliest
            add(EventKind.OPENS, window, "applications open",
                f"Applications open: {_when(opens, window)}.{rolling}",
                day, day + dt.timedelta(days=1), opens.exact, opens.latest)
            follow = dates.follow_up_day(opens, offset)
            add(EventKind.FOLLOW_UP, window, f"apply within {span(offset)}",
                _follow_up_lead(opens, offset, follow, window),
                follow, follow + dt.timedelta(days=1), opens.exact,
                opens.latest + dt.timedelta(days=offset))
        closes = window.closes
        if closes is None and window.opens is not None and window.duration is not None:
            closes = _closing_from_duration(window.opens, window)
        if closes is not None:
            dated = True
            start, end = _span_of(closes)
            add(EventKind.CLOSES, window, "applications close",
                f"Applications close: {_when(closes, window)}.{rolling}",
                start, end, closes.exact, closes.latest)
        if window.deadline is not None:
            dated = True
            start, end = _span_of(window.deadline)
            many = window.deadline.precision is Precision.RANGE
            add(EventKind.DEADLINE, window, "deadlines begin" if many else "application deadline",
                f"Application deadline: {_when(window.deadline, window)}.{rolling}",
                start, end, window.deadline.exact, window.deadline.latest)
        if window.opens is None and window.closes is None and window.deadline is None:
            dated = True
            what = "open year-round" if window.year_round else "watch list: no date yet"
            lead = ("Applications are accepted all year; there is no date to wait for."
                    if window.year_round else
                    "No date is known for this window yet; it is listed on the first day "
                    "of the cycle so it is not forgotten.")
            day = dataset.cycle_starts
            add(EventKind.WATCH, window, what, lead + rolling, day, day + dt.timedelta(days=1),
                False, dataset.cycle_ends)
    if not dated:
        day = dataset.cycle_starts
        add(EventKind.WATCH, None, "watch list: no date yet",
            "No application date has been published for this program. It is listed on the "
            "first day of the cycle so subscribers know to watch for it; the date will "
            "move here once it is known.", day, day + dt.timedelta(days=1), False,
            dataset.cycle_ends)
    return built


def projections(program: Program) -> tuple[Window, ...]:
    """Next year's tentative windows for the program's recurring windows.

    A recurring window keyed `<name>-<year>` projects `<name>-<year+1>` (so its events get
    the UIDs the real window will have), unless the program already has a window under that
    key: entering the real dates replaces the projection, under the same UIDs.
    """
    keys = {window.key for window in program.windows}
    projected = []
    for window in program.windows:
        match = _YEAR_SUFFIX.search(window.key)
        if not window.recurs_yearly or window.cancelled or program.cancelled or match is None:
            continue
        key = window.key[: match.start()] + str(int(match[1]) + 1)
        first = next((when for when in (window.opens, window.closes, window.deadline)
                      if when is not None), None)
        if key in keys or first is None:
            continue
        projected.append(dataclasses.replace(
            window,
            key=key,
            opens=_next_year(window.opens),
            closes=_next_year(window.closes),
            deadline=_next_year(window.deadline),
            recurs_yearly=False,
            projected_from=first.earliest.year,
        ))
    return tuple(projected)


def _next_year(when: FuzzyDate | None) -> FuzzyDate | None:
    """The same date a year later, as an estimate (relativedelta keeps 29 February sane)."""
    if when is None:
        return None
    year = relativedelta(years=1)
    earliest: dt.date = when.earliest + year
    latest: dt.date = when.latest + year
    wording = (f"around {dates.human_day(earliest)}" if earliest == latest else
               f"between {dates.human_day(earliest)} and {dates.human_day(latest)}")
    return FuzzyDate(
        earliest=earliest,
        latest=latest,
        precision=when.precision,
        approximate=True,
        wording=wording,
        moment=when.moment + year if when.moment is not None else None,
        zone=when.zone,
    )


def window_closes(window: Window) -> FuzzyDate | None:
    """When a window closes: its own `closes`, else derived from `opens` and `duration`."""
    if window.closes is not None:
        return window.closes
    if window.opens is not None and window.duration is not None:
        return _closing_from_duration(window.opens, window)
    return None


def alarms_for(reminders: tuple[dt.timedelta, ...], start: dt.date | dt.datetime,
               end: dt.date | dt.datetime) -> tuple[dt.timedelta, ...]:
    """VALARM triggers relative to the event's start, earliest first.

    A timed event counts back from its end (the deadline itself, not the start of the
    block before it); an all-day event from ALL_DAY_REMINDER_HOUR on its first day.
    """
    if isinstance(start, dt.datetime):
        assert isinstance(end, dt.datetime)
        anchor = end - start
    else:
        anchor = dt.timedelta(hours=ALL_DAY_REMINDER_HOUR)
    return tuple(sorted({anchor - before for before in reminders}))


def _closing_from_duration(opens: FuzzyDate, window: Window) -> FuzzyDate:
    """The earliest a window of known length can close, never more precise than its opening."""
    assert window.duration is not None
    earliest = opens.earliest + dt.timedelta(days=window.duration.min_days)
    latest = dates.latest_close(opens, window.duration)
    return FuzzyDate(
        earliest=earliest,
        latest=latest,
        precision=Precision.RANGE,
        approximate=True,
        wording=f"{window.duration.wording} after it opens ({opens.wording}), so between "
                f"{dates.human_day(earliest)} and {dates.human_day(latest)}",
    )


def _span_of(when: FuzzyDate) -> tuple[dt.date | dt.datetime, dt.date | dt.datetime]:
    if when.moment is not None:
        end = when.moment
        # Subtract in UTC: wall-clock arithmetic across a DST change would put the start
        # after the end (03:15 EDT minus 30 minutes is not 02:45 on a spring-forward day).
        start = (end.astimezone(dt.UTC) - DEADLINE_BLOCK).astimezone(end.tzinfo)
        if _shifty(start) or _shifty(end):
            # A local time that occurs twice (or never) is read as its first occurrence by
            # RFC 5545 and the Python parsers but as the second by libical and ical.js;
            # UTC is read the same way by all of them.
            return start.astimezone(dt.UTC), end.astimezone(dt.UTC)
        return start, end
    return when.earliest, when.earliest + dt.timedelta(days=1)


def _shifty(moment: dt.datetime) -> bool:
    """True when this wall-clock time is ambiguous or skipped in its zone (a DST change)."""
    return moment.replace(fold=0).utcoffset() != moment.replace(fold=1).utcoffset()


def _when(when: FuzzyDate, window: Window) -> str:
    """Say a date exactly as precisely as the data knows it."""
    if when.exact:
        return f"on {when.wording}, confirmed"
    # "expected" already says it is an estimate; "expected around" would say it twice.
    parts = [f"expected {when.wording.removeprefix('around ')}"]
    if window.duration is not None and when is window.opens:
        parts.append(f"{window.duration.wording.removesuffix('s')} window")
    parts.append("not yet announced")
    text = ", ".join(parts)
    if when.earliest != when.latest:
        text += (f". This entry sits on the earliest possible day, "
                 f"{dates.human_day(when.earliest)}; the real date may be as late as "
                 f"{dates.human_day(when.latest)}")
    return text


def _follow_up_lead(opens: FuzzyDate, offset: int, follow: dt.date, window: Window) -> str:
    text = (f"Time to have your application in: this is {span(offset)} after applications "
            f"open. They open {_when(opens, window)}.")
    if not opens.exact:
        text += (f" Counted from the earliest possible opening, so it falls on "
                 f"{dates.human_day(follow)} at the earliest.")
    if window.rolling:
        return text + (" This window admits on a rolling basis: applications are read as "
                       "they arrive and places fill as they go, so an early application "
                       "competes for more places than one sent near the close.")
    return text + " Applying early leaves time to fix problems before the window closes."


def _rolling_note(window: Window) -> str:
    if window.rolling:
        return " Rolling admission: applications are reviewed as they arrive."
    return ""



def _about(dataset: Dataset, program: Program, terms: _Terms) -> str:
    """The part of every description that describes the program itself."""
    lines = [
        f"Program: {program.program} ({program.employer})",
        f"Track: {terms.tracks[program.track]}",
        "Eligible: " + "; ".join(terms.eligibility[key] for key in program.eligibility),
    ]
    if program.citizenship:
        lines.append("Citizenship: only "
                     + " or ".join(terms.citizenship[key] for key in program.citizenship))
    else:
        lines.append("Citizenship: no requirement stated")
    if program.pay:
        lines.append(f"Pay: {program.pay}")
    if program.screens_for:
        lines.append(f"Screens for: {program.screens_for}")
    if program.notes:
        lines.append(f"Notes: {program.notes}")
    if program.link:
        lines.append(f"Apply or read more: {program.link}")
    source = program.source or dataset.source
    lines.append(f"Source: {source.name}" + (f" ({source.url})" if source.url else ""))
    lines.append(f"Last verified: {dates.human_day(program.last_verified)}")
    return "\n".join(lines)
