"""One personal calendar per choice of track, stage of study and citizenship.

The subscribe page lets a reader pick one track (or any), one eligibility group (or any)
and one citizenship status (or any), and gives one address for that choice. The address
names the choice, never the programs it happens to select: `picked/<track>.<group>.
<status>.ics` with `any` for no preference (`picked/research.phd.any.ics`), so the same
choice keeps the same address whatever programs are added, removed or edited, and a
student can read what they subscribed to. Term keys are slugs (no dots), so the address
is unambiguous. `build` writes a feed for every choice the picker offers, also one no
program fits yet (an empty calendar that fills when one does).

The shape of a choice (one track, one group, one status, each or any) bounds the files:
(tracks + 1) x (groups + 1) x (statuses + 1), 96 for the default data. Beyond
`MAX_CHOICES` (or `MAX_PICKED_EVENTS` events across them) the page offers no picker and no
new address is written, but every address published before still is (published.py).

Every address a build publishes stays: `picked/choices.json` records them with their
choice (published.py), and later builds keep writing each with the events its choice
selects then, including the `picked/<hash>.ics` addresses of the builds before addresses
named choices. A choice naming a term the data no longer declares has ended: its file
keeps the events it held, cancelled, and one notice saying where to subscribe instead.

Every address is at most `MAX_ADDRESS` characters (Google Calendar's "From URL" silently
fails on longer ones); a base URL that makes one longer is refused.

Pure: no filesystem, no clock.
"""

from __future__ import annotations

import heapq
import itertools
from array import array
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace

from deadlinecal.dataset.names import casefold
from deadlinecal.errors import DataError, Problem
from deadlinecal.events.select import (
    ALL_FEED,
    ELIGIBILITY_FEEDS,
    TRACK_FEEDS,
    feed_path,
    program_matches,
)
from deadlinecal.model import Dataset, Event, FeedSpec, Filter, Program

FOLDER = "picked"
CHOICES_PATH = f"{FOLDER}/choices.json"
MAX_CHOICES = 1024
MAX_PICKED_EVENTS = 100_000
# Longest feed address the page offers or a build accepts (the page's too): Google
# Calendar's "From URL" silently fails on longer ones.
MAX_ADDRESS = 256
ANY = "any"
# The query-string parameters of a choice, as the page's form and `serve` name them.
PARAMETERS = ("track", "eligibility", "citizenship")
# How many name=value fields a query may hold (a choice needs three; the rest is abuse).
MAX_FIELDS = 64


@dataclass(frozen=True, slots=True)
class Choice:
    """Tracks (none: any), one eligibility group and one citizenship status ("": any).

    The picker offers at most one track; a choice of several tracks comes only from an
    address published before (the page once let readers tick several).
    """

    tracks: tuple[str, ...] = ()
    eligibility: str = ""
    citizenship: str = ""

    @property
    def key(self) -> str:
        """"research|phd|any": the choice as the page's map and choices.json name it."""
        return "|".join(("+".join(self.tracks) or ANY, self.eligibility or ANY,
                         self.citizenship or ANY))

    @classmethod
    def from_key(cls, key: str) -> Choice:
        """The choice a key names. Raises ValueError when `key` is not one."""
        parts = key.split("|")
        if len(parts) != 3:
            raise ValueError(f"not a choice: {key[:60]!r}")
        tracks = () if parts[0] == ANY else tuple(parts[0].split("+"))
        return cls(tracks, *("" if part == ANY else part for part in parts[1:]))

    @property
    def terms(self) -> tuple[tuple[str, str], ...]:
        """(parameter, term) for every term the choice names."""
        return (*(("track", t) for t in self.tracks),
                *((name, value) for name, value in (("eligibility", self.eligibility),
                                                    ("citizenship", self.citizenship))
                  if value))

    @property
    def address(self) -> str:
        """Its feed's path: `picked/research.phd.any.ics` (one track at most)."""
        track = "+".join(self.tracks) or ANY
        return f"{FOLDER}/{track}.{self.eligibility or ANY}.{self.citizenship or ANY}.ics"

    @property
    def filter(self) -> Filter:
        return Filter(tracks=self.tracks,
                      eligibility=(self.eligibility,) if self.eligibility else (),
                      citizenship=(self.citizenship,) if self.citizenship else ())

    @property
    def constraints(self) -> int:
        return len(self.tracks) + bool(self.eligibility) + bool(self.citizenship)


@dataclass(frozen=True, slots=True)
class Picked:
    """One personal feed: its spec, its events (in feed order) and how many programs."""

    spec: FeedSpec
    events: tuple[Event, ...]
    programs: int


@dataclass(frozen=True, slots=True)
class Ended:
    """An address whose choice names a term the data no longer declares."""

    path: str
    choice: Choice
    since: str  # the data's `updated` day when the build first found it ended (ISO)
    instead: Choice  # the choice to subscribe to instead
    missing: tuple[tuple[str, str], ...]  # (parameter, term) no longer declared


@dataclass(frozen=True, slots=True)
class Picker:
    """Every choice the picker offers with its feed's path, the feeds of every address
    still alive (offered or published before) and the ended ones."""

    choices: tuple[tuple[Choice, str], ...]
    feeds: tuple[Picked, ...]
    count: int  # how many choices the declared terms make
    skipped: str = ""  # why the picker offers no choice
    # Addresses published before that the picker no longer offers: path -> choice.
    kept: tuple[tuple[str, Choice], ...] = ()
    ended: tuple[Ended, ...] = ()

    @property
    def files(self) -> int:
        return len(self.feeds) + len(self.ended)

    @property
    def report(self) -> str:
        """The line `build` prints about the personal feeds."""
        files = f"{self.files} personal feed{'' if self.files == 1 else 's'}"
        before = (f", {len(self.kept)} of them kept from earlier builds" if self.kept
                  else "") + (f", {len(self.ended)} ended" if self.ended else "")
        if self.skipped:
            if not self.files:
                return f"No personal feeds: {self.skipped}; the feeds above remain."
            return (f"No picker on the page: {self.skipped}; the {files} published "
                    f"before stay in {FOLDER}/ ({len(self.ended)} ended).")
        # Not "wrote": the line above says how many files were written, unchanged, removed.
        return f"{files} ({self.count} choices{before}) in {FOLDER}/ (the page's picker)."


def covering(chosen: Filter) -> str:
    """The narrowest broad feed that holds every program of a choice: its one track's, else
    its one stage's, else all.ics. Its days of postings (digest.py) are the choice's."""
    if len(chosen.tracks) == 1:
        return feed_path(TRACK_FEEDS, chosen.tracks[0])
    if len(chosen.eligibility) == 1:
        return feed_path(ELIGIBILITY_FEEDS, chosen.eligibility[0])
    return ALL_FEED


def with_days_of_postings(picker: Picker, events: Sequence[Event]) -> Picker:
    """Each personal feed with the days of postings of the feed that `covering` names.

    A posting's own entries would copy every posting into every personal feed (megabytes
    each with a posting list); its day entries are the few a month view shows, the same
    UIDs and content as in that broad feed. `events` are the build's, in feed order.
    """
    days: dict[str, list[Event]] = {}
    for event in events:
        if event.feed and event.feed != "posting":
            days.setdefault(event.feed, []).append(event)
    if not days:
        return picker
    order = {id(event): index for index, event in enumerate(events)}
    feeds = []
    for each in picker.feeds:
        extra = days.get(covering(each.spec.filter))
        if extra:
            merged = sorted((*each.events, *extra), key=lambda event: order[id(event)])
            each = replace(each, events=tuple(merged))
        feeds.append(each)
    return replace(picker, feeds=tuple(feeds))


def choices(dataset: Dataset) -> Iterator[Choice]:
    """Every choice the picker offers, broadest first: any track, then each track."""
    tracks = [(), *((t.key,) for t in dataset.tracks)]
    groups = ["", *(g.key for g in dataset.eligibility)]
    statuses = ["", *(c.key for c in dataset.citizenship)]
    for track, group, status in itertools.product(tracks, groups, statuses):
        yield Choice(tracks=track, eligibility=group, citizenship=status)


def choice_count(dataset: Dataset) -> int:
    return (len(dataset.tracks) + 1) * (len(dataset.eligibility) + 1) * (
        len(dataset.citizenship) + 1)


def plan(dataset: Dataset, events: Sequence[Event],
         published: Sequence[tuple[str, Choice, str]] = ()) -> Picker:
    """Which file each choice maps to, one FeedSpec per live address, and the ended ones.

    `published`: every address published before, with its choice and the day it ended
    ("" while alive), as published.read_record gives them.
    """
    count = choice_count(dataset)
    skipped = _why_not(dataset, count)
    kinds = _Kinds(events)
    offered = [] if skipped else list(choices(dataset))
    kept, ended = _published(dataset, published, {choice.address for choice in offered})
    # Counted before any feed's events are gathered: at scale the picker is dropped, and
    # merging a million events only to count them was most of its time.
    total = sum(kinds.events(kinds.kept(choice)) for choice in offered) + sum(
        kinds.events(kinds.kept(choice)) for _, choice in kept)
    if total > MAX_PICKED_EVENTS and offered:
        offered = []
        kept, ended = _published(dataset, published, set())
        skipped = (f"they would hold {total:,} events in all, more than "
                   f"{MAX_PICKED_EVENTS:,}")
    return Picker(tuple((choice, choice.address) for choice in offered),
                  _feeds(dataset, kinds, [(choice.address, choice) for choice in offered]
                         + kept),
                  count, skipped, tuple(kept), tuple(ended))


def _published(dataset: Dataset, published: Sequence[tuple[str, Choice, str]],
               offered: set[str]) -> tuple[list[tuple[str, Choice]], list[Ended]]:
    """The addresses published before that the picker does not offer: those whose terms
    are all still declared (kept), and the others (ended)."""
    declared = {"track": {t.key for t in dataset.tracks},
                "eligibility": {g.key for g in dataset.eligibility},
                "citizenship": {c.key for c in dataset.citizenship}}
    kept: list[tuple[str, Choice]] = []
    ended: list[Ended] = []
    for path, choice, since in published:
        if path in offered:
            continue
        missing = tuple((name, term) for name, term in choice.terms
                        if term not in declared[name])
        if not missing:
            kept.append((path, choice))
            continue
        gone = {term for _, term in missing}
        tracks = tuple(t for t in choice.tracks if t not in gone)
        instead = Choice(tracks if len(tracks) == 1 else (),
                         "" if choice.eligibility in gone else choice.eligibility,
                         "" if choice.citizenship in gone else choice.citizenship)
        ended.append(Ended(path=path, choice=choice,
                           since=since or dataset.updated.isoformat(),
                           instead=instead, missing=missing))
    return kept, ended


def _feeds(dataset: Dataset, kinds: _Kinds,
           addresses: Sequence[tuple[str, Choice]]) -> tuple[Picked, ...]:
    """One personal feed per address, with the events its choice keeps."""
    from deadlinecal.pipeline import describe_filter

    feeds = []
    # Many choices keep the same groups of programs: their events are gathered once.
    gathered: dict[frozenset[int], tuple[tuple[Event, ...], int]] = {}
    for path, choice in addresses:
        groups = kinds.kept(choice)
        if groups not in gathered:
            gathered[groups] = (kinds.chosen(groups), kinds.programs_in(groups))
        chosen, programs = gathered[groups]
        words = describe_filter(choice.filter, dataset)
        feeds.append(Picked(
            spec=FeedSpec(path=path, title=f"{dataset.title}: {words}",
                          description=f"{dataset.title}, picked: {words}.",
                          filter=choice.filter),
            events=chosen, programs=programs))
    return tuple(feeds)


def _why_not(dataset: Dataset, count: int) -> str:
    """Why the picker offers no choice ("" when it does)."""
    named_any = [kind for kind, terms in (("track", dataset.tracks),
                                         ("eligibility", dataset.eligibility),
                                         ("citizenship", dataset.citizenship))
                 if any(casefold(t.key) == ANY for t in terms)]
    if named_any:
        return (f"a {named_any[0]} is named {ANY!r}, which the picker uses for "
                "'no preference'")
    if count > MAX_CHOICES:
        return (f"the declared terms make {count:,} choices, more than the {MAX_CHOICES:,} "
                "the picker offers")
    return ""


class _Kinds:
    """Programs with events, grouped by what a choice can tell apart (track, eligibility,
    citizenship): a choice keeps all of a group or none of it."""

    def __init__(self, events: Sequence[Event]) -> None:
        self.programs: list[Program] = []  # one representative per group
        self._programs: list[int] = []  # how many programs each group holds
        # Each group's events as their places in `events` (compact arrays, not a tuple per
        # event), to merge back in order.
        self._all = events
        self._events: list[array[int]] = []
        self._kept: dict[str, frozenset[int]] = {}
        self._by_field: dict[Filter, frozenset[int]] = {}
        index: dict[tuple[str, frozenset[str], frozenset[str], frozenset[str]], int] = {}
        seen: dict[int, int] = {}
        for position, event in enumerate(events):
            program = event.program
            group = seen.get(id(program))
            if group is None:
                kind = (casefold(program.track), frozenset(map(casefold, program.eligibility)),
                        frozenset(map(casefold, program.not_stated)),
                        frozenset(map(casefold, program.citizenship)))
                group = index.get(kind)
                if group is None:
                    group = index[kind] = len(self.programs)
                    self.programs.append(program)
                    self._programs.append(0)
                    self._events.append(array("q"))
                seen[id(program)] = group
                self._programs[group] += 1
            self._events[group].append(position)

    def kept(self, choice: Choice) -> frozenset[int]:
        """The groups a choice keeps."""
        key = choice.key
        found = self._kept.get(key)
        if found is None:
            # A filter is AND across its fields (select.program_matches): each field's
            # verdicts are found once and shared by every choice naming the same terms.
            chosen = choice.filter
            found = frozenset(range(len(self.programs)))
            for part in (Filter(tracks=chosen.tracks), Filter(eligibility=chosen.eligibility),
                         Filter(citizenship=chosen.citizenship)):
                if not part.is_empty:
                    found &= self._matching(part)
            self._kept[key] = found
        return found

    def _matching(self, part: Filter) -> frozenset[int]:
        """The groups one field of a filter keeps."""
        found = self._by_field.get(part)
        if found is None:
            found = self._by_field[part] = frozenset(
                i for i, program in enumerate(self.programs) if program_matches(program, part))
        return found

    def events(self, kept: frozenset[int]) -> int:
        return sum(len(self._events[i]) for i in kept)

    def chosen(self, kept: frozenset[int]) -> tuple[Event, ...]:
        """The events of the groups in `kept`, in their original order (what `select`
        gives, without looking at every event again)."""
        everything = self._all
        return tuple(everything[position] for position in
                     heapq.merge(*(self._events[i] for i in sorted(kept))))

    def programs_in(self, kept: frozenset[int]) -> int:
        return sum(self._programs[i] for i in kept)


def check_addresses(dataset: Dataset, paths: Sequence[str]) -> None:
    """Refuse a base URL that makes any feed's address longer than MAX_ADDRESS.

    Raises DataError naming the longest address and the longest base URL that would do.
    """
    from deadlinecal.ical.render import feed_url, webcal_url

    base = dataset.base_url
    if not base or not paths:
        return
    longest = max(paths, key=lambda path: len(webcal_url(feed_url(base, path))))
    address = webcal_url(feed_url(base, longest))
    if len(address) <= MAX_ADDRESS:
        return
    room = len(feed_url(base, "")) - (len(address) - MAX_ADDRESS)
    raise DataError([Problem(
        file=dataset.file, line=None, column=None, path="dataset.base_url",
        message=f"with base URL {base!r} the address of {longest} is {len(address)} "
        f"characters; Google Calendar's From URL silently fails on addresses longer than "
        f"{MAX_ADDRESS}", expected=f"a base URL of at most {room} characters")])


class QueryError(ValueError):
    """A query string that names no choice; the message says why, briefly."""


def parse_query(query: str, terms: dict[str, list[str]]) -> str:
    """The choice key a query string names (`track=research&eligibility=phd`).

    `terms` are the declared keys per parameter (from choices.json). Values are compared as
    `names.casefold` has them; "any" (or leaving a parameter out) means no preference. Raises
    QueryError with a short message for an unknown parameter or value.
    """
    from urllib.parse import parse_qsl

    from deadlinecal.dataset.names import did_you_mean

    fields = query.count("&") + 1
    if fields > MAX_FIELDS:
        raise QueryError(f"too many fields: {fields}, at most {MAX_FIELDS} are read (one "
                         "name=value each, several tracks as track=a,b)")
    try:
        pairs = parse_qsl(query, keep_blank_values=True, strict_parsing=True,
                          max_num_fields=MAX_FIELDS)
    except ValueError:
        raise QueryError("the query string is not name=value pairs") from None
    chosen: dict[str, list[str]] = {name: [] for name in PARAMETERS}
    for name, value in pairs:
        if name not in chosen:
            close = did_you_mean(name[:40], PARAMETERS)
            raise QueryError(f"unknown parameter {name[:40]!r}; "
                             f"{f'did you mean {close}? ' if close else ''}"
                             f"use {', '.join(PARAMETERS)}")
        for part in value.split(","):
            if casefold(part) in ("", ANY):
                continue
            match = next((key for key in terms.get(name, []) if casefold(key) == casefold(part)),
                         None)
            if match is None:
                close = did_you_mean(part[:40], terms.get(name, []))
                valid = ", ".join([*terms.get(name, []), ANY])
                raise QueryError(f"{name} {part[:40]!r} is not declared; "
                                 f"{f'did you mean {close}? ' if close else ''}valid: {valid}")
            chosen[name].append(match)
    for name in PARAMETERS:
        if len(set(chosen[name])) > 1:
            raise QueryError(f"pick one {name} (or {ANY})")
    first = {name: values[0] if values else "" for name, values in chosen.items()}
    return Choice((first["track"],) if first["track"] else (), first["eligibility"],
                  first["citizenship"]).key
