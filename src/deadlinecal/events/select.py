"""Which programs and events each feed keeps: plain predicates, no file formats."""

from __future__ import annotations

import functools
import hashlib
import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import replace

from deadlinecal.dataset.names import casefold, did_you_mean, employers, known
from deadlinecal.model import Dataset, Event, FeedSpec, Filter, Program


def program_matches(program: Program, chosen: Filter) -> bool:
    """OR within one field of the filter, AND across fields; values compared `casefold`ed."""
    return _matcher(chosen).keeps(program)


# `casefold` normalizes twice; a dataset has few distinct keys and employers, and the page
# asks about every program under every choice, so each name is folded once.
_fold = functools.lru_cache(maxsize=1 << 14)(casefold)


class _Matcher:
    """A filter with its values folded once, to test many programs against."""

    __slots__ = ("citizenship", "eligibility", "employers", "tracks")

    def __init__(self, chosen: Filter) -> None:
        self.tracks = frozenset(map(_fold, chosen.tracks))
        self.eligibility = frozenset(map(_fold, chosen.eligibility))
        self.employers = frozenset(map(_fold, chosen.employers))
        self.citizenship = frozenset(map(_fold, chosen.citizenship))

    def keeps(self, program: Program) -> bool:
        if self.tracks and _fold(program.track) not in self.tracks:
            return False
        # A group whose rule the source does not state keeps the program (its events say so).
        if self.eligibility and self.eligibility.isdisjoint(
                map(_fold, (*program.eligibility, *program.not_stated))):
            return False
        if self.employers and _fold(program.employer) not in self.employers:
            return False
        # A program without a citizenship rule is open to everyone.
        return not (self.citizenship and program.citizenship
                    and self.citizenship.isdisjoint(map(_fold, program.citizenship)))


# Matchers by the identity of their filter (hashing a Filter costs more than matching):
# callers test many programs against the same filter object. Each entry holds its filter,
# so no other object can take its id while it is here.
_matchers: dict[int, tuple[Filter, _Matcher]] = {}


def _matcher(chosen: Filter) -> _Matcher:
    """The matcher of `chosen`, made once for the many programs tested against it."""
    known = _matchers.get(id(chosen))
    if known is None or known[0] is not chosen:
        if len(_matchers) >= 256:
            _matchers.clear()
        known = _matchers[id(chosen)] = (chosen, _Matcher(chosen))
    return known[1]


def select(events: Iterable[Event], chosen: Filter) -> list[Event]:
    """The events a filter keeps, in their original order.

    A day of postings made for one feed (see digest.py) is never kept: a hand-made filter
    gets each posting's own entries instead.
    """
    events = [event for event in events if event.feed in _ANY_FILTER]
    if chosen.is_empty:
        return events
    # Keyed by the record itself, not its id: two included datasets may reuse a program id.
    verdicts: dict[int, bool] = {}
    matcher = _matcher(chosen)
    kept = []
    dated = chosen.date_from is not None or chosen.date_until is not None
    for event in events:
        program_key = id(event.program)
        keep = verdicts.get(program_key)
        if keep is None:
            keep = verdicts[program_key] = matcher.keeps(event.program)
        if keep and (event.confirmed or not chosen.confirmed_only) and (
                not dated or in_range(event, chosen)):
            kept.append(event)
    return kept


def select_feeds(events: Iterable[Event], filters: Mapping[str, Filter]
                 ) -> dict[str, list[Event]]:
    """What `select` keeps for each filter (by the caller's key), in one pass over `events`.

    Each program's verdict under every filter is decided once, when its first event comes
    by; each event is then appended to the lists of the feeds its program belongs to,
    instead of one pass over all events per feed.
    """
    events = events if isinstance(events, Sequence) else list(events)
    kept: dict[str, list[Event]] = {key: [] for key in filters}
    # Events made for one feed go there; a posting's own go to its employer's feed only.
    own = any(event.feed for event in events)
    if own:
        events, extra = _special(events, filters)
        for key, chosen in filters.items():
            kept[key] = _merged(list(events), extra[key]) if chosen.is_empty else extra[key]
    # Filters that keep a program's every event, and those that also look at each event.
    judged = [(kept[key].append, _matcher(chosen), chosen)
              for key, chosen in filters.items() if not chosen.is_empty]
    verdicts: dict[int, tuple[list[Callable[[Event], None]],
                              list[tuple[Callable[[Event], None], Filter]]]] = {}
    for event in events:
        verdict = verdicts.get(id(event.program))
        if verdict is None:
            verdict = verdicts[id(event.program)] = _verdict(event.program, judged)
        for append in verdict[0]:
            append(event)
        for append, chosen in verdict[1]:
            if (event.confirmed or not chosen.confirmed_only) and (
                    (chosen.date_from is None and chosen.date_until is None)
                    or in_range(event, chosen)):
                append(event)
    for key, chosen in filters.items():
        if chosen.is_empty and not own:
            kept[key] = list(events)
        elif own and not chosen.is_empty:
            kept[key].sort(key=_sort_key)
    return kept


def _special(events: Sequence[Event], filters: Mapping[str, Filter]
             ) -> tuple[list[Event], dict[str, list[Event]]]:
    """The events every feed's filter judges, and those each feed takes as its own."""
    common: list[Event] = []
    by_feed: dict[str, list[Event]] = {}
    by_employer: dict[str, list[Event]] = {}
    for event in events:
        if not event.feed:
            common.append(event)
        elif event.feed == "posting":
            by_employer.setdefault(casefold(event.program.employer), []).append(event)
        else:
            by_feed.setdefault(event.feed, []).append(event)
    extra: dict[str, list[Event]] = {}
    for key, chosen in filters.items():
        if key.startswith(EMPLOYER_PREFIX):
            found = [event for name in {casefold(value) for value in chosen.employers}
                     for event in by_employer.get(name, ())]
            extra[key] = found
        else:
            extra[key] = list(by_feed.get(key, ()))
    return common, extra


def _sort_key(event: Event) -> tuple[str, str, str]:
    return event.sort_key


def _merged(first: list[Event], second: list[Event]) -> list[Event]:
    """Two lists of events as one, in the order of their sort keys."""
    return sorted([*first, *second], key=_sort_key) if second else first


def _verdict(program: Program,
             judged: Sequence[tuple[Callable[[Event], None], _Matcher, Filter]]
             ) -> tuple[list[Callable[[Event], None]],
                        list[tuple[Callable[[Event], None], Filter]]]:
    """Where a program's events go: feeds that keep all of them, feeds that judge each."""
    every: list[Callable[[Event], None]] = []
    each: list[tuple[Callable[[Event], None], Filter]] = []
    for append, matcher, chosen in judged:
        if not matcher.keeps(program):
            continue
        if (chosen.confirmed_only or chosen.date_from is not None
                or chosen.date_until is not None):
            each.append((append, chosen))
        else:
            every.append(append)
    return every, each


def in_range(event: Event, chosen: Filter) -> bool:
    """True when a day the event is shown on lies in `date_from`..`date_until` (inclusive).

    A subscriber judges a feed by the days its entries appear on, so an estimate counts by
    its shown day, not by every day it might still fall on.
    """
    first, last = event.first_day, event.shown_last_day
    if chosen.date_from is not None and last < chosen.date_from:
        return False
    return not (chosen.date_until is not None and first > chosen.date_until)


# Where a build writes its feeds, `*` standing for one name: every path `standard_feeds`
# gives (and dataset/validate gives a named feed, `feeds/<key>.ics`) matches one of these. A
# folder's files are known as a build's by their place in this layout (output/plan.py), so a new
# kind of feed adds its pattern here.
ALL_FEED = "all.ics"
TRACK_FEEDS = "tracks/*.ics"
ELIGIBILITY_FEEDS = "eligibility/*.ics"
NAMED_FEEDS = "feeds/*.ics"
# One feed per employer of an imported posting list (see digest.py).
EMPLOYER_FEEDS = "employers/*.ics"
EMPLOYER_PREFIX = "employers/"
FEED_PATTERNS = (ALL_FEED, TRACK_FEEDS, ELIGIBILITY_FEEDS, NAMED_FEEDS, EMPLOYER_FEEDS)
# `Event.feed` values a hand-made filter may keep: every feed's, and a posting's own.
_ANY_FILTER = frozenset({"", "posting"})


def feed_path(pattern: str, key: str) -> str:
    """The path `pattern` gives a feed named `key`: feed_path(TRACK_FEEDS, "quant")."""
    return pattern.replace("*", key, 1)


def title_for(dataset: Dataset, chosen: Filter) -> str:
    """The name of what a feed keeping `chosen` holds: the dataset's title; for several
    datasets built together, the titles of those whose programs it keeps ("A + B"), or all
    of them when it keeps none."""
    if not dataset.parts:
        return dataset.title
    matcher, start, holders = _matcher(chosen), 0, []
    for title, count in dataset.parts:
        if title not in holders and any(
                map(matcher.keeps, dataset.programs[start:start + count])):
            holders.append(title)
        start += count
    return " + ".join(holders) or dataset.title


def standard_feeds(dataset: Dataset) -> tuple[FeedSpec, ...]:
    """all.ics, one feed per track, one per eligibility group, then the dataset's own feeds."""
    feeds = [FeedSpec(
        path=ALL_FEED,
        title=dataset.title,
        description=f"Every program in {dataset.title}.",
    )]
    for track in dataset.tracks:
        chosen = Filter(tracks=(track.key,))
        feeds.append(FeedSpec(
            path=feed_path(TRACK_FEEDS, track.key),
            title=f"{title_for(dataset, chosen)}: {track.title}",
            description=f"{track.title} programs. {track.description}".strip(),
            filter=chosen,
            term=track.title,
        ))
    for group in dataset.eligibility:
        chosen = Filter(eligibility=(group.key,))
        feeds.append(FeedSpec(
            path=feed_path(ELIGIBILITY_FEEDS, group.key),
            title=f"{title_for(dataset, chosen)}: for {group.title}",
            description=f"Programs open to {group.title}, and those whose source does not "
            f"state a rule for them (their events say so). {group.description}".strip(),
            filter=chosen,
            term=f"for {group.title}",
        ))
    for named in dataset.feeds:
        feeds.append(FeedSpec(
            path=named.path,
            title=f"{title_for(dataset, named.filter)}: {named.title}",
            description=named.description or named.title,
            filter=named.filter,
            term=named.title,
        ))
    feeds.extend(employer_feeds(dataset))
    return tuple(feeds)


def employer_feeds(dataset: Dataset) -> list[FeedSpec]:
    """One feed per employer of the imported postings, at `employers/<slug>.ics`.

    The address comes from the employer's name alone, so it stays as postings come and go;
    names that make the same slug ("Capital One", "Capital-One") share the feed.
    """
    names: dict[str, list[str]] = {}
    for program in dataset.programs:
        if program.listed:
            key = employer_slug(program.employer)
            spelled = names.setdefault(key, [])
            if program.employer not in spelled:
                spelled.append(program.employer)
    return [FeedSpec(
        path=feed_path(EMPLOYER_FEEDS, key),
        title=f"{title_for(dataset, Filter(employers=tuple(spelled)))}: {spelled[0]}",
        description=f"Every posting of {' or '.join(spelled)}, with its follow-up.",
        filter=Filter(employers=tuple(spelled)),
    ) for key, spelled in sorted(names.items())]


def employer_slug(text: str) -> str:
    """The employer feed's name: 'Capital One' -> 'capital-one'.

    A name whose ASCII spelling loses a letter or digit ('株式会社') or is cut at 60
    characters gets the first 8 hex digits of the SHA-256 of its casefolded self after
    it ('employer-1a2b3c4d'), so that two such names never share an address.
    """
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    folded = decomposed.encode("ascii", "ignore").decode("ascii")
    whole = re.sub(r"[^a-z0-9]+", "-", folded).strip("-")
    slug = whole[:60].strip("-")
    lost = any(not char.isascii() and unicodedata.category(char)[0] in "LN"
               for char in decomposed)  # a letter or digit, not an accent or a ’
    if slug and slug == whole and not lost:
        return slug
    digest = hashlib.sha256(text.casefold().encode("utf-8")).hexdigest()[:8]
    return f"{whole[:51].strip('-') or 'employer'}-{digest}"


def check_filter(chosen: Filter, dataset: Dataset) -> Filter:
    """The filter with each value spelled as the dataset spells it.

    A value matches a declared term (or an employer of a program) when both `casefold` to the
    same text: exactly, never as a part of a longer name. Raises FilterError naming the
    first value that matches nothing, with the closest known names.
    """
    return replace(
        chosen,
        tracks=_resolve("--track", chosen.tracks, [t.key for t in dataset.tracks]),
        eligibility=_resolve("--eligibility", chosen.eligibility,
                             [g.key for g in dataset.eligibility]),
        citizenship=_resolve("--citizenship", chosen.citizenship,
                             [c.key for c in dataset.citizenship]),
        employers=_resolve("--employer", chosen.employers, employers(dataset)),
    )


def _resolve(option: str, given: tuple[str, ...], valid: Sequence[str]) -> tuple[str, ...]:
    from deadlinecal.errors import FilterError

    resolved = []
    for value in given:
        name = known(value, valid)
        if name is None:
            close = did_you_mean(value, valid)
            hint = f" Did you mean {close}?" if close else ""
            raise FilterError(f"{option} {value!r} is not in this dataset.{hint} "
                              f"Valid: {', '.join(valid) or 'none declared'}.")
        resolved.append(name)
    return tuple(dict.fromkeys(resolved))
