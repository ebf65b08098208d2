"""Records -> dated events: openings, follow-ups, closings, deadlines and watch-list entries.

This is the only module that does date arithmetic. It never reads the clock.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import re

from dateutil.relativedelta import relativedelta

from deadlinecal.dataset import dates
from deadlinecal.model import (
    MAX_SUMMARY,
    Dataset,
    Event,
    EventKind,
    FuzzyDate,
    Precision,
    Program,
    Window,
)
from deadlinecal.text import category, span

# Timed deadlines become a short block that ends at the deadline, so clients that hide
# zero-length events still show them and DTEND stays after DTSTART.
DEADLINE_BLOCK = dt.timedelta(minutes=30)
# Before the action, one character: "(est.)" on most titles had stopped standing out.
ESTIMATE_MARK = "~"
# At most this many watch-list and year-round entries share a day.
WATCH_ENTRIES_PER_DAY = 3
# The key a program's only window gets when the data names none.
DEFAULT_WINDOW_KEY = "main"
CANCELLED_MARK = "✕ "
_YEAR_SUFFIX = re.compile(r"([0-9]{4})$")
# The events a student must act on get reminders; openings and watch-list entries do not.
REMINDED = frozenset({EventKind.DEADLINE, EventKind.CLOSES, EventKind.FOLLOW_UP})
# The same, as a tuple: `in` compares members by identity (an Enum hashes in Python).
_RINGS = tuple(REMINDED)
_OPENS, _WATCH = EventKind.OPENS, EventKind.WATCH
_ONE_DAY = dt.timedelta(days=1)
# All-day events start at midnight; their reminders count back from this hour instead, so
# "P1D" rings at 09:00 the day before rather than at midnight.
ALL_DAY_REMINDER_HOUR = 9


def expand(dataset: Dataset) -> tuple[Event, ...]:
    """Every event of every program, sorted by start, then program id, then UID."""
    events: list[Event] = []
    terms = _Terms(dataset)
    watch_days = _WatchDays(dataset)
    for program in dataset.programs:
        events.extend(_ProgramEvents(dataset, program, terms, watch_days).build())
    events.sort(key=lambda event: event.sort_key)
    return tuple(_told_apart(events))


def _told_apart(events: list[Event]) -> list[Event]:
    """The events with no two of one day sharing a title: the later ones (in sort order)
    get " (2)", " (3)" ... so that a month view tells them apart."""
    seen: dict[tuple[dt.date, str], int] = {}
    for index, event in enumerate(events):
        key = (event.first_day, event.summary)
        count = seen[key] = seen.get(key, 0) + 1
        if count > 1:
            events[index] = dataclasses.replace(event, summary=f"{event.summary} ({count})")
    return events


class _Terms:
    """Titles of vocabulary keys, looked up once per dataset."""

    def __init__(self, dataset: Dataset) -> None:
        self.tracks = {term.key: term.title for term in dataset.tracks}
        self.eligibility = {term.key: term.title for term in dataset.eligibility}
        self.citizenship = {term.key: term.title for term in dataset.citizenship}
        self._categories: dict[tuple[str, str], tuple[str, ...]] = {}

    def categories(self, program: Program) -> tuple[str, ...]:
        """The program's categories, spelled so that clients keep each one whole; one tuple
        per track and employer, which many programs share."""
        pair = (program.track, program.employer)
        if pair not in self._categories:
            self._categories[pair] = (category(self.tracks[pair[0]]), category(pair[1]))
        return self._categories[pair]


class _WatchDays:
    """Days for "keep an eye on this" entries: from the data's `updated` day, a few a day.

    Agenda views start at today, so an entry dated before the data was even written would
    never be seen; and a dozen entries on one day would be a wall nobody reads.
    """

    def __init__(self, dataset: Dataset) -> None:
        self.first = max(dataset.cycle_starts, dataset.updated)
        self.given = 0

    def next(self) -> dt.date:
        day = self.first + dt.timedelta(days=self.given // WATCH_ENTRIES_PER_DAY)
        self.given += 1
        return day


def summary_for(action: str, program: Program, *, confirmed: bool, cancelled: bool = False,
                suffix: str = "", name: str | None = None) -> str:
    """A month-view title: the action first, then the program's short name, in 32 characters.

    `~` before the action marks an estimate; the description says how uncertain it is.
    `name` is the program's `short_title`, when the caller has it already.
    """
    prefix = (CANCELLED_MARK if cancelled else "") + ("" if confirmed else ESTIMATE_MARK)
    prefix += f"{action}: "
    room = max(MAX_SUMMARY - len(prefix) - len(suffix), 4)
    name = program.short_title if name is None else name
    if len(name) > room:
        name = name[: room - 1].rstrip() + "…"
    return prefix + name + suffix


class _ProgramEvents:
    """The events of one program, window by window."""

    def __init__(self, dataset: Dataset, program: Program, terms: _Terms,
                 watch_days: _WatchDays) -> None:
        self.dataset = dataset
        self.program = program
        self.watch_days = watch_days
        self.about = _about(dataset, program, terms)
        self.categories = terms.categories(program)
        self.title, self.short_title = program.title, program.short_title  # once, not per event
        self.offset = dataset.follow_up_days_for(program)
        self.reminders = (program.reminders if program.reminders is not None
                          else dataset.reminders)
        self.stamp = dt.datetime.combine(dataset.updated, dt.time(), tzinfo=dt.UTC)
        # Several windows of one program would otherwise share a summary.
        self.several = len(program.windows) > 1
        self.link_line = f": {program.link}" if program.link else ""
        self.built: list[Event] = []

    def build(self) -> list[Event]:
        dated = False
        for window in (*self.program.windows, *projections(self.program)):
            dated = self.window(window) or dated
        if not dated:
            self.add(EventKind.WATCH, None, "Watch", confirmed=False,
                     lead=f"Keep an eye on {self.title}{self.link_line}",
                     dates_text="The source gives no application date; the entry will "
                     "move to the real date once one is known.",
                     start=self.watch_days.next(), latest=self.dataset.cycle_ends)
        return self.built

    def window(self, window: Window) -> bool:
        """Add the window's events; False when it has no date at all."""
        title, updated = self.title, self.dataset.updated
        closes = window_closes(window)
        if window.opens is not None:
            opens = window.opens
            day = dates.shown_day(opens, updated)
            lead = (f"Apply to {title}{self.link_line}" if opens.exact else
                    f"Look for {title} to open{self.link_line}")
            self.add(EventKind.OPENS, window, "Opens", confirmed=opens.exact, lead=lead,
                     dates_text=f"Applications open{_when(opens, window, day)}."
                     + _rolling_note(window), start=day, latest=opens.latest)
            self.follow_up(window, opens, day, closes)
        if closes is not None:
            start, end = _span_of(closes, updated)
            self.add(EventKind.CLOSES, window, "Closes", confirmed=closes.exact,
                     lead=f"Last days to apply to {title}{self.link_line}",
                     dates_text=f"Applications close{_when(closes, window, _day(start))}."
                     + _rolling_note(window), start=start, end=end, latest=closes.latest)
        if window.deadline is not None:
            deadline = window.deadline
            start, end = _span_of(deadline, updated)
            many = deadline.precision is Precision.RANGE
            self.add(EventKind.DEADLINE, window, "Deadlines" if many else "Due",
                     confirmed=deadline.exact,
                     lead=f"Send your application to {title} by its deadline{self.link_line}",
                     dates_text=f"Application deadline{'s' if many else ''}"
                     f"{_when(deadline, window, _day(start))}." + _rolling_note(window),
                     start=start, end=end, latest=deadline.latest)
        if window.opens is not None or closes is not None or window.deadline is not None:
            return True
        if window.year_round:
            self.add(EventKind.WATCH, window, "Open", confirmed=False,
                     lead=f"Apply to {title} any time{self.link_line}",
                     dates_text="Applications are accepted all year; there is no date to "
                     "wait for." + _rolling_note(window),
                     start=self.watch_days.next(), latest=self.dataset.cycle_ends)
        else:
            self.add(EventKind.WATCH, window, "Watch", confirmed=False,
                     lead=f"Keep an eye on {title}{self.link_line}",
                     dates_text="No date is known for this window yet; the entry will "
                     "move to the real date once it is known." + _rolling_note(window),
                     start=self.watch_days.next(), latest=self.dataset.cycle_ends)
        return True

    def follow_up(self, window: Window, opens: FuzzyDate, opened: dt.date,
                  closes: FuzzyDate | None) -> None:
        """The apply-soon reminder, before the earliest day the window may close (`closes`)."""
        offset = self.offset
        day = opened + dt.timedelta(days=offset)
        placed = f"This reminder is {span(offset)} after the opening entry on " \
                 f"{dates.human_day(opened)}."
        if closes is not None and day >= closes.earliest:
            day = closes.earliest - dt.timedelta(days=1)
            if day <= opened:
                return  # too short a window to follow up on: the close itself reminds
            before = (f"closes on {dates.human_day(closes.earliest)}" if closes.exact else
                      f"may close, as early as {dates.human_day(closes.earliest)}")
            placed = (f"This reminder is {span((day - opened).days)} after the opening entry "
                      f"on {dates.human_day(opened)}, not the usual {span(offset)}, so that it "
                      f"comes before the window {before}.")
        title = self.title
        within = span(offset).replace("1 week", "a week")
        unsure = (opens.latest - opens.earliest).days > offset
        if unsure:
            action = "Check"
            lead = (f"Check whether {title} has opened{self.link_line}. If it has, apply "
                    f"within {within} of the day it opened; if not, look again each week: "
                    "it is expected to open " + (f"by {dates.human_day(opens.latest)}."
                                                 if _bounded(opens) else f"{opens.wording}."))
        else:
            action = "Apply"
            lead = (f"Apply to {title} this week{self.link_line}" if offset <= 7 else
                    f"Have your application to {title} in by today{self.link_line}")
        why = (" Rolling admission: applications are read as they arrive and places fill as "
               "they go, so an early application competes for more of them."
               if window.rolling else
               " Applying early leaves time to fix problems before the window closes.")
        self.add(EventKind.FOLLOW_UP, window, action, confirmed=opens.exact, lead=lead,
                 dates_text=f"{placed} {_opening_sentence(opens, window)}{why}",
                 start=day, latest=opens.latest + dt.timedelta(days=offset))

    def add(self, kind: EventKind, window: Window | None, action: str, *, confirmed: bool,
            lead: str, dates_text: str, start: dt.date | dt.datetime,
            end: dt.date | dt.datetime | None = None, latest: dt.date) -> None:
        program = self.program
        # A watch-list entry takes the UID its window's opening will have, so when the date
        # is entered the subscribed entry moves instead of being replaced by a new one.
        window_part = f".{window.key}" if window is not None else f".{DEFAULT_WINDOW_KEY}"
        uid_kind = _OPENS if kind is _WATCH else kind
        cancelled = program.cancelled or (window is not None and window.cancelled)
        suffix = _suffix(window, self.several)
        if window is not None and window.projected_from is not None:
            confirmed = False  # a projection is a guess, whatever the original's dates were
        details = "\n\n".join([lead, dates_text, *_notes(program, window, cancelled)])
        end = start + _ONE_DAY if end is None else end
        self.built.append(Event(
            uid=f"{self.dataset.id}.{program.id}{window_part}.{uid_kind._value_}@deadlinecal",
            kind=kind,
            program=program,
            window=window,
            summary=summary_for(action, program, confirmed=confirmed or kind is _WATCH,
                                cancelled=cancelled, suffix=suffix, name=self.short_title),
            details=details,
            about=self.about,
            start=start,
            end=end,
            confirmed=confirmed,
            categories=self.categories,
            url=program.link,
            stamp=self.stamp,
            cancelled=cancelled,
            # A struck-out entry must not ring.
            alarms=(alarms_for(self.reminders, start, end)
                    if kind in _RINGS and not cancelled else ()),
            latest=latest,
        ))


def _suffix(window: Window | None, several: bool) -> str:
    """What tells a window's events apart in a summary: a projection's year, or the key."""
    if window is not None and window.projected_from is not None:
        return f" {_YEAR_SUFFIX.search(window.key)[1]}"  # type: ignore[index]
    if window is not None and several:
        return f" ({_short_key(window.key)})"
    return ""


def _notes(program: Program, window: Window | None, cancelled: bool) -> list[str]:
    """The paragraphs about the window itself: cancelled, projected, its note."""
    notes = []
    if cancelled:
        notes.append(f"Cancelled: this {'program' if program.cancelled else 'window'} "
                     "will not take place this cycle.")
    if window is not None and window.projected_from is not None:
        notes.append(f"This is a projection from the {window.projected_from} window: the "
                     "program recurs every year, so the same dates a year later are "
                     "assumed until the real dates are announced.")
    if window is not None and window.note:
        notes.append(f"About this window: {window.note}")
    return notes


def _day(start: dt.date | dt.datetime) -> dt.date:
    return start.date() if isinstance(start, dt.datetime) else start


def _short_key(key: str) -> str:
    return key if len(key) <= 12 else key[:11] + "…"


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
    return _triggers(reminders, anchor)


@functools.lru_cache(maxsize=256)
def _triggers(reminders: tuple[dt.timedelta, ...], anchor: dt.timedelta
              ) -> tuple[dt.timedelta, ...]:
    """A few reminder lists and anchors make every event's triggers: each is worked out once."""
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


def _span_of(when: FuzzyDate, updated: dt.date
             ) -> tuple[dt.date | dt.datetime, dt.date | dt.datetime]:
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
    day = dates.shown_day(when, updated)
    return day, day + dt.timedelta(days=1)


def _shifty(moment: dt.datetime) -> bool:
    """True when this wall-clock time is ambiguous or skipped in its zone (a DST change)."""
    return moment.replace(fold=0).utcoffset() != moment.replace(fold=1).utcoffset()


def _when(when: FuzzyDate, window: Window, shown: dt.date | None) -> str:
    """Say a date exactly as precisely as the data knows it, and where its entry sits."""
    if when.exact:
        return f" on {when.wording} (confirmed)"
    # The words the data uses ("around early September"), so the source's precision stays.
    parts = [f": expected {when.wording}"]
    if window.duration is not None and when is window.opens:
        parts.append(f"for a {window.duration.wording.removesuffix('s')} window")
    text = " ".join(parts) + ", not yet announced"
    if when.earliest != when.latest and shown is not None:
        text += f"; this entry is on {dates.human_day(shown)}, the earliest day still possible"
        if _bounded(when):
            text += f", and the real date may be as late as {dates.human_day(when.latest)}"
    return text


def _opening_sentence(opens: FuzzyDate, window: Window) -> str:
    """When applications open, as one plain sentence (the follow-up's second)."""
    if opens.exact:
        return f"Applications open on {opens.wording} (confirmed)."
    # "expected" already says it is an estimate, as in the opening's own description:
    # "in August 2026", "in mid-October 2026", "around 14 October 2026", "between ...".
    wording = opens.wording.removeprefix("around ")
    if not wording.startswith("between "):
        wording = ("around " if wording[:1].isdigit() else "in ") + wording
    length = (f", for a {window.duration.wording.removesuffix('s')} window"
              if window.duration is not None else "")
    return (f"Applications are expected to open {wording}{length}; the date is not yet "
            "announced.")


def _bounded(when: FuzzyDate) -> bool:
    """True when the data's words name a last day: a month or season does, "around" or
    "early/mid/late" does not (its last day would be one the source never gave)."""
    return not when.approximate and when.precision is not Precision.PART_OF_MONTH


def _rolling_note(window: Window) -> str:
    if window.rolling:
        return " Rolling admission: applications are reviewed as they arrive."
    return ""



def _about(dataset: Dataset, program: Program, terms: _Terms) -> str:
    """The part of every description that describes the program itself."""
    lines = [
        f"Program: {program.program} ({program.employer})",
        f"Track: {terms.tracks[program.track]}",
    ]
    if program.eligibility or not program.not_stated:
        lines.append("Eligible: " + ("; ".join(terms.eligibility[key]
                                               for key in program.eligibility) or "none"))
    lines.extend(f"Eligibility for {terms.eligibility[key]}: not stated by the source"
                 for key in program.not_stated)
    if program.citizenship:
        lines.append("Citizenship: only "
                     + " or ".join(terms.citizenship[key] for key in program.citizenship))
    else:
        lines.append("Citizenship: not stated by the source")
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
    lines.append("Last verified: " + (program.last_verified.strftime("%B %Y")
                                      if program.verified_month
                                      else dates.human_day(program.last_verified)))
    return "\n".join(lines)
