"""One personal calendar: every choice of tracks, stage of study and citizenship -> a feed.

The subscribe page lets a reader pick track(s) (or any), one eligibility group (or any) and
one citizenship status (or any), and gives one address for that choice. For static hosting,
`build` writes the feed of every choice the picker can name: the product of the declared
terms, each with "any". Several choices often keep the same programs, so each feed is stored
once, named by what it holds: `picked/<hash>.ics`, where the hash is taken over the sorted
ids (dataset id and program id, as in the UIDs) of the programs it keeps. Dates moving, a
program's text changing or a new window do not change the address; a program entering or
leaving a choice does (the choice then names another file). `picked/choices.json` maps each
choice to its file, for `deadlinecal serve`'s query strings; the page carries the same map.

Limits: at most `MAX_CHOICES` choices and `MAX_PICKED_EVENTS` events across the personal
feeds; beyond either, the build writes only the named feeds and says why. Every address is
at most `MAX_ADDRESS` characters (Google Calendar's "From URL" silently fails on longer
ones); a base URL that makes one longer is refused.

Pure: no filesystem, no clock.
"""

from __future__ import annotations

import hashlib
import heapq
import itertools
import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from .errors import DataError, Problem
from .model import Dataset, Event, FeedSpec, Filter, Program
from .select import fold, program_matches

FOLDER = "picked"
CHOICES_PATH = f"{FOLDER}/choices.json"
MAX_CHOICES = 512
MAX_PICKED_EVENTS = 100_000
MAX_ADDRESS = 256
ANY = "any"
# The query-string parameters of a choice, as the page's form and `serve` name them.
PARAMETERS = ("track", "eligibility", "citizenship")


@dataclass(frozen=True, slots=True)
class Choice:
    """Tracks (none: any), one eligibility group and one citizenship status ("": any)."""

    tracks: tuple[str, ...] = ()
    eligibility: str = ""
    citizenship: str = ""

    @property
    def key(self) -> str:
        """"research+quant|phd|any": the choice as the page's map and choices.json name it."""
        return "|".join(("+".join(self.tracks) or ANY, self.eligibility or ANY,
                         self.citizenship or ANY))

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
class Picker:
    """Every choice with the path of its feed ("" when it keeps no program), and the
    distinct feeds (none when skipped)."""

    choices: tuple[tuple[Choice, str], ...]
    feeds: tuple[Picked, ...]
    count: int  # how many choices the declared terms make
    skipped: str = ""  # why no personal feeds were written

    @property
    def report(self) -> str:
        """The line `build` prints about the personal feeds."""
        if self.skipped:
            return f"No personal feeds: {self.skipped}; the feeds above remain."
        return (f"Wrote {len(self.feeds)} personal feed{'' if len(self.feeds) == 1 else 's'} "
                f"({self.count} choices) in {FOLDER}/.")


def choices(dataset: Dataset) -> Iterator[Choice]:
    """Every choice, broadest first: any track, then each set of tracks by size."""
    tracks = [t.key for t in dataset.tracks]
    subsets = itertools.chain.from_iterable(
        itertools.combinations(tracks, size) for size in range(len(tracks) + 1))
    groups = ["", *(g.key for g in dataset.eligibility)]
    statuses = ["", *(c.key for c in dataset.citizenship)]
    for subset, group, status in itertools.product(list(subsets), groups, statuses):
        yield Choice(tracks=subset, eligibility=group, citizenship=status)


def choice_count(dataset: Dataset) -> int:
    return (1 << len(dataset.tracks)) * (len(dataset.eligibility) + 1) * (
        len(dataset.citizenship) + 1)


def plan(dataset: Dataset, events: Sequence[Event]) -> Picker:
    """Which file each choice maps to, and one FeedSpec per distinct file."""
    count = choice_count(dataset)
    named_any = [kind for kind, terms in (("track", dataset.tracks),
                                         ("eligibility", dataset.eligibility),
                                         ("citizenship", dataset.citizenship))
                 if any(fold(t.key) == ANY for t in terms)]
    if named_any:
        return Picker((), (), count, f"a {named_any[0]} is named {ANY!r}, which the "
                      "picker uses for 'no preference'")
    if count > MAX_CHOICES:
        return Picker((), (), count, f"the declared terms make {count:,} choices, more than "
                      f"the {MAX_CHOICES} the picker offers")
    kinds = _Kinds(events)
    by_programs: dict[frozenset[int], list[Choice]] = {}
    mapping = []
    for choice in choices(dataset):
        kept = frozenset(i for i, program in enumerate(kinds.programs)
                         if program_matches(program, choice.filter))
        by_programs.setdefault(kept, []).append(choice)
        mapping.append((choice, kept))
    total = sum(kinds.events(kept) for kept in by_programs)
    if total > MAX_PICKED_EVENTS:
        return Picker((), (), count, f"they would hold {total:,} events in all, more than "
                      f"{MAX_PICKED_EVENTS:,}")
    # A choice that keeps no program leads to no file: the page says so instead.
    paths = {kept: f"{FOLDER}/{kinds.name(kept)}.ics" if kept else "" for kept in by_programs}
    from .pipeline import describe_filter

    feeds = []
    for kept, chosen in by_programs.items():
        if not kept:
            continue
        # Its title says what the simplest of the choices that keep these programs asks.
        simplest = min(chosen, key=lambda c: c.constraints)
        words = describe_filter(simplest.filter, dataset)
        feeds.append(Picked(
            spec=FeedSpec(path=paths[kept], title=f"{dataset.title}: {words}",
                          description=f"{dataset.title}, picked: {words}.",
                          filter=simplest.filter),
            events=kinds.chosen(kept), programs=kinds.programs_in(kept)))
    return Picker(tuple((choice, paths[kept]) for choice, kept in mapping), tuple(feeds),
                  count)


class _Kinds:
    """Programs with events, grouped by what a choice can tell apart (track, eligibility,
    citizenship): a choice keeps all of a group or none of it."""

    def __init__(self, events: Sequence[Event]) -> None:
        self.programs: list[Program] = []  # one representative per group
        self._ids: list[list[str]] = []
        # Each group's events with their place in `events`, to merge back in order.
        self._events: list[list[tuple[int, Event]]] = []
        index: dict[tuple[str, frozenset[str], frozenset[str], frozenset[str]], int] = {}
        seen: dict[int, int] = {}
        for position, event in enumerate(events):
            program = event.program
            group = seen.get(id(program))
            if group is None:
                kind = (fold(program.track), frozenset(map(fold, program.eligibility)),
                        frozenset(map(fold, program.not_stated)),
                        frozenset(map(fold, program.citizenship)))
                group = index.get(kind)
                if group is None:
                    group = index[kind] = len(self.programs)
                    self.programs.append(program)
                    self._ids.append([])
                    self._events.append([])
                seen[id(program)] = group
                # "<dataset id>.<program id>", the start of every UID of the program.
                self._ids[group].append(".".join(event.uid.split(".", 2)[:2]))
            self._events[group].append((position, event))

    def events(self, kept: frozenset[int]) -> int:
        return sum(len(self._events[i]) for i in kept)

    def chosen(self, kept: frozenset[int]) -> tuple[Event, ...]:
        """The events of the groups in `kept`, in their original order (what `select`
        gives, without looking at every event again)."""
        merged = heapq.merge(*(self._events[i] for i in sorted(kept)), key=lambda pair: pair[0])
        return tuple(event for _, event in merged)

    def programs_in(self, kept: frozenset[int]) -> int:
        return len({pid for i in kept for pid in self._ids[i]})

    def name(self, kept: frozenset[int]) -> str:
        ids = sorted({pid for i in kept for pid in self._ids[i]})
        return hashlib.sha256("\n".join(ids).encode("utf-8")).hexdigest()[:12]


def choices_json(dataset: Dataset, picker: Picker) -> bytes:
    """picked/choices.json: the declared terms and each choice's file (for `serve`)."""
    document = {
        # How a build recognises the file as its own (output.recognise).
        "generator": "deadlinecal",
        "format": 1,
        "terms": {
            "track": [t.key for t in dataset.tracks],
            "eligibility": [g.key for g in dataset.eligibility],
            "citizenship": [c.key for c in dataset.citizenship],
        },
        "choices": {choice.key: path for choice, path in picker.choices if path},
    }
    return (json.dumps(document, indent=1, ensure_ascii=False) + "\n").encode("utf-8")


def check_addresses(dataset: Dataset, paths: Sequence[str]) -> None:
    """Refuse a base URL that makes any feed's address longer than MAX_ADDRESS.

    Raises DataError naming the longest address and the longest base URL that would do.
    """
    from .page import webcal_url
    from .render import feed_url

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
    `select.fold` has them; "any" (or leaving a parameter out) means no preference. Raises
    QueryError with a short message for an unknown parameter or value.
    """
    from urllib.parse import parse_qsl

    try:
        pairs = parse_qsl(query, keep_blank_values=True, strict_parsing=True,
                          max_num_fields=64)
    except ValueError:
        raise QueryError("the query string is not name=value pairs") from None
    chosen: dict[str, list[str]] = {name: [] for name in PARAMETERS}
    for name, value in pairs:
        if name not in chosen:
            raise QueryError(f"unknown parameter {name[:40]!r}; use "
                             f"{', '.join(PARAMETERS)}")
        for part in value.split(","):
            if fold(part) in ("", ANY):
                continue
            match = next((key for key in terms.get(name, []) if fold(key) == fold(part)),
                         None)
            if match is None:
                valid = ", ".join([*terms.get(name, []), ANY])
                raise QueryError(f"{name} {part[:40]!r} is not declared; valid: {valid}")
            chosen[name].append(match)
    for name in ("eligibility", "citizenship"):
        if len(set(chosen[name])) > 1:
            raise QueryError(f"pick one {name} (or {ANY})")
    tracks = [key for key in terms.get("track", []) if key in chosen["track"]]
    return Choice(tuple(tracks), *(chosen[n][0] if chosen[n] else ""
                                   for n in ("eligibility", "citizenship"))).key
