"""Typed, frozen records: what a data file means once it has been validated."""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass, field

# Reminders when the data names none: a day before (see expand.alarms_for).
DEFAULT_REMINDERS: tuple[dt.timedelta, ...] = (dt.timedelta(days=1),)


class Precision(enum.Enum):
    """How precisely a date is known, from most to least precise."""

    TIME = "time"
    DAY = "day"
    PART_OF_MONTH = "part-of-month"
    MONTH = "month"
    SEASON = "season"
    RANGE = "range"


@dataclass(frozen=True, slots=True, kw_only=True)
class FuzzyDate:
    """A date known only to lie between `earliest` and `latest` (inclusive days).

    `moment` is set only for exact times (an aware datetime, or UTC for AoE).
    """

    earliest: dt.date
    latest: dt.date
    precision: Precision
    approximate: bool
    wording: str
    moment: dt.datetime | None = None
    zone: str | None = None

    @property
    def exact(self) -> bool:
        """True when the data names one day (or one minute) and does not call it approximate."""
        return self.precision in (Precision.DAY, Precision.TIME) and not self.approximate


@dataclass(frozen=True, slots=True, kw_only=True)
class Duration:
    """How long a window stays open: between `min_days` and `max_days`."""

    min_days: int
    max_days: int
    wording: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Vocabulary:
    """One declared term (a track, an eligibility group, a citizenship status)."""

    key: str
    title: str
    description: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class Source:
    name: str
    url: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Window:
    """One application window of a program."""

    key: str
    opens: FuzzyDate | None = None
    closes: FuzzyDate | None = None
    deadline: FuzzyDate | None = None
    duration: Duration | None = None
    rolling: bool = False
    year_round: bool = False
    note: str = ""
    cancelled: bool = False
    recurs_yearly: bool = False
    # Set only on a window that expand projected from last cycle's: the year it came from.
    projected_from: int | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class PostingPattern:
    """How to recognise a program's postings in an imported posting list (see confirm.py).

    Each is a list of alternatives: the employer matches one exactly (ignoring case), the
    title contains one as whole words (ignoring case); no title alternatives match any title.
    """

    employers: tuple[str, ...]
    titles: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class Program:
    id: str
    employer: str
    program: str
    track: str
    # The groups the source names as able to apply, and those whose rule it does not state
    # (they keep the program in their feeds, marked "not stated"); any other is ruled out.
    eligibility: tuple[str, ...] = ()
    not_stated: tuple[str, ...] = ()
    citizenship: tuple[str, ...] = ()
    # The name calendar titles use; "" derives one (see `short_title`).
    short: str = ""
    pay: str = ""
    screens_for: str = ""
    link: str | None = None
    source: Source | None = None
    last_verified: dt.date
    # True when the data gives only the month of `last_verified` (then its first day).
    verified_month: bool = False
    notes: str = ""
    # "eligibility" when the data states a rule for at least one group, "citizenship" when
    # it writes citizenship down (even as []); `validate` points out what is missing.
    stated: frozenset[str] = frozenset({"eligibility", "citizenship"})
    follow_up_days: int | None = None
    windows: tuple[Window, ...] = ()
    cancelled: bool = False
    # How long before deadline, closing and follow-up events to remind; None: the dataset's.
    reminders: tuple[dt.timedelta, ...] | None = None
    # Set when the data says how to find this program in an imported posting list.
    postings: PostingPattern | None = None
    # True for a posting of an imported list (its dataset has an `imported` record).
    listed: bool = False

    @property
    def title(self) -> str:
        """Employer and program, without repeating the employer when the program names it."""
        if self.program.lower().startswith(self.employer.lower()):
            return self.program
        return f"{self.employer} {self.program}"

    @property
    def short_title(self) -> str:
        """The name a month view has room for: `short`, else the title if it fits in 20
        characters, else the employer's first words then the program's, so that a title
        cut in a month view still says who offers it."""
        if self.short:
            return self.short
        if len(self.title) <= 20:
            return self.title
        program = self.program
        if program.casefold().startswith(self.employer.casefold()):
            program = program[len(self.employer):].lstrip(" -–—:,")
        return f"{short_employer(self.employer)} {program}".strip()


# An employer's name in a month view: its first words within this many characters.
# Month views show 20-30 characters of a title: the longest one a build writes.
MAX_SUMMARY = 32
SHORT_EMPLOYER_CHARS = 12


def short_employer(employer: str) -> str:
    """'Aurora Science Trust' -> 'Aurora'; 'Jane Street' -> 'Jane Street'."""
    words = employer.split()
    if words and words[0].casefold() == "the" and len(words) > 1:
        words = words[1:]
    if not words:
        return employer
    first = words[0]
    name = first if len(first) <= 16 else first[:15] + "…"
    for word in words[1:]:
        if len(name) + 1 + len(word) > SHORT_EMPLOYER_CHARS:
            break
        name += " " + word
    return name


@dataclass(frozen=True, slots=True, kw_only=True)
class Filter:
    """Which programs and events a feed keeps. Empty tuples mean "no restriction".

    OR within one field, AND across fields.
    """

    tracks: tuple[str, ...] = ()
    eligibility: tuple[str, ...] = ()
    employers: tuple[str, ...] = ()
    citizenship: tuple[str, ...] = ()
    confirmed_only: bool = False
    # Keep events that touch this range of days (inclusive); None leaves that side open.
    date_from: dt.date | None = None
    date_until: dt.date | None = None

    @property
    def is_empty(self) -> bool:
        return not (
            self.tracks or self.eligibility or self.employers or self.citizenship
        ) and not self.confirmed_only and self.date_from is None and self.date_until is None


@dataclass(frozen=True, slots=True, kw_only=True)
class FeedSpec:
    """One feed to write: where, what it is called, and which events it keeps."""

    path: str
    title: str
    description: str
    filter: Filter = field(default_factory=Filter)
    # The end of `title` naming what the feed holds ("Research", "for PhD students"), when
    # the title is the dataset's title, ": " and it; the calendar's name spells this part
    # as a category value (text.feed_name).
    term: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class ImportRecord:
    """`dataset.imported`: what `import simplify` left out of a posting file's feeds."""

    keep_closed_days: int = 0
    budget_bytes: int = 0
    closed: int = 0
    over_budget: int = 0
    hidden: int = 0
    no_close_day: int = 0
    other_terms: int = 0


@dataclass(frozen=True, slots=True, kw_only=True)
class Dataset:
    id: str
    title: str
    description: str
    cycle_starts: dt.date
    cycle_ends: dt.date
    source: Source
    updated: dt.date
    timezone: str | None
    follow_up_days: int
    refresh_hours: int
    tracks: tuple[Vocabulary, ...]
    eligibility: tuple[Vocabulary, ...]
    citizenship: tuple[Vocabulary, ...]
    feeds: tuple[FeedSpec, ...]
    programs: tuple[Program, ...]
    file: str = ""
    # Other data files built together with this one, as written (relative to this file).
    includes: tuple[str, ...] = ()
    base_url: str | None = None
    reminders: tuple[dt.timedelta, ...] = DEFAULT_REMINDERS
    # One per imported posting file built into it (see ImportRecord).
    imported: tuple[ImportRecord, ...] = ()
    # When several datasets are built into this one: each one's title and how many of
    # `programs` (in order) are its own, so a feed can be named for what it holds.
    parts: tuple[tuple[str, int], ...] = ()

    def follow_up_days_for(self, program: Program) -> int:
        """The program's own follow-up offset, else the dataset's."""
        return program.follow_up_days or self.follow_up_days


class EventKind(enum.Enum):
    """What an event marks. The value is part of the UID, so never rename one."""

    OPENS = "opens"
    FOLLOW_UP = "follow-up"
    CLOSES = "closes"
    DEADLINE = "deadline"
    WATCH = "watch"


@dataclass(frozen=True, slots=True, kw_only=True)
class Event:
    """One calendar entry, independent of any file format.

    All-day events have `start`/`end` dates with `end` exclusive; timed ones have aware
    datetimes.
    """

    uid: str
    kind: EventKind
    program: Program
    window: Window | None
    summary: str
    # The description is `details`, a blank line, then `about`: what is said of this entry
    # (its dates, notes), then of its program. `about` is one string shared by all of a
    # program's events rather than a copy in each (they were most of a build's memory).
    details: str
    about: str
    start: dt.date | dt.datetime
    end: dt.date | dt.datetime
    confirmed: bool
    categories: tuple[str, ...]
    url: str | None
    stamp: dt.datetime
    cancelled: bool = False
    # Revision of this event as subscribers have seen it (see history/): SEQUENCE and
    # LAST-MODIFIED. A first revision has sequence 0 and is modified at `stamp`.
    sequence: int = 0
    modified: dt.datetime | None = None
    # VALARM triggers, relative to `start` (negative: before it).
    alarms: tuple[dt.timedelta, ...] = ()
    # The last day this event may still happen on: an estimate's latest possible day, the
    # cycle's end for watch-list and year-round entries. None means the event's own day.
    latest: dt.date | None = None
    # "" for an entry of every feed whose filter keeps its program; a feed's path for an
    # entry of that feed alone (a day of postings, see digest.py); "posting" for a posting's
    # own entry, kept by employer feeds and hand-made filters only.
    feed: str = ""

    @property
    def description(self) -> str:
        """The entry's full text: its own details, then its program's."""
        return f"{self.details}\n\n{self.about}"

    @property
    def first_day(self) -> dt.date:
        """The day the event starts on (a timed one's day in its own zone)."""
        return self.start.date() if isinstance(self.start, dt.datetime) else self.start

    @property
    def shown_last_day(self) -> dt.date:
        """The last day a calendar shows the event on (its own days, not its estimate)."""
        end = self.end.date() if isinstance(self.end, dt.datetime) else (
            self.end - dt.timedelta(days=1))
        return max(self.first_day, end)

    @property
    def last_day(self) -> dt.date:
        """The last day the event can fall on, whatever its precision."""
        end = self.end.date() if isinstance(self.end, dt.datetime) else (
            self.end - dt.timedelta(days=1))
        own = max(self.first_day, end)
        return max(own, self.latest) if self.latest is not None else own

    @property
    def all_day(self) -> bool:
        return not isinstance(self.start, dt.datetime)

    @property
    def sort_key(self) -> tuple[str, str, str]:
        start = self.start.astimezone(dt.UTC).isoformat() if isinstance(
            self.start, dt.datetime
        ) else self.start.isoformat()
        return (start, self.program.id, self.uid)
