"""Which programs and events each feed keeps: plain predicates, no file formats."""

from __future__ import annotations

import functools
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import replace

from .model import Dataset, Event, FeedSpec, Filter, Program


def program_matches(program: Program, chosen: Filter) -> bool:
    """OR within one field of the filter, AND across fields; values compared as `fold` has them."""
    return _Matcher(chosen).keeps(program)


class _Matcher:
    """A filter with its values folded once, to test many programs against."""

    __slots__ = ("citizenship", "eligibility", "employers", "tracks")

    def __init__(self, chosen: Filter) -> None:
        self.tracks = {fold(value) for value in chosen.tracks}
        self.eligibility = {fold(value) for value in chosen.eligibility}
        self.employers = {fold(value) for value in chosen.employers}
        self.citizenship = {fold(value) for value in chosen.citizenship}

    def keeps(self, program: Program) -> bool:
        if self.tracks and fold(program.track) not in self.tracks:
            return False
        # A group whose rule the source does not state keeps the program (its events say so).
        if self.eligibility and self.eligibility.isdisjoint(
                map(fold, (*program.eligibility, *program.not_stated))):
            return False
        if self.employers and fold(program.employer) not in self.employers:
            return False
        # A program without a citizenship rule is open to everyone.
        return not (self.citizenship and program.citizenship
                    and self.citizenship.isdisjoint(map(fold, program.citizenship)))


def select(events: Iterable[Event], chosen: Filter) -> list[Event]:
    """The events a filter keeps, in their original order."""
    if chosen.is_empty:
        return list(events)
    # Keyed by the record itself, not its id: two included datasets may reuse a program id.
    verdicts: dict[int, bool] = {}
    matcher = _Matcher(chosen)
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
    # Filters that keep a program's every event, and those that also look at each event.
    judged = [(kept[key].append, _Matcher(chosen), chosen)
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
        if chosen.is_empty:
            kept[key] = list(events)
    return kept


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
# gives (and validate.py gives a named feed, `feeds/<key>.ics`) matches one of these. A
# folder's files are known as a build's by their place in this layout (output.py), so a new
# kind of feed adds its pattern here.
ALL_FEED = "all.ics"
TRACK_FEEDS = "tracks/*.ics"
ELIGIBILITY_FEEDS = "eligibility/*.ics"
NAMED_FEEDS = "feeds/*.ics"
FEED_PATTERNS = (ALL_FEED, TRACK_FEEDS, ELIGIBILITY_FEEDS, NAMED_FEEDS)


def feed_path(pattern: str, key: str) -> str:
    """The path `pattern` gives a feed named `key`: feed_path(TRACK_FEEDS, "quant")."""
    return pattern.replace("*", key, 1)


def standard_feeds(dataset: Dataset) -> tuple[FeedSpec, ...]:
    """all.ics, one feed per track, one per eligibility group, then the dataset's own feeds."""
    feeds = [FeedSpec(
        path=ALL_FEED,
        title=dataset.title,
        description=f"Every program in {dataset.title}.",
    )]
    for track in dataset.tracks:
        feeds.append(FeedSpec(
            path=feed_path(TRACK_FEEDS, track.key),
            title=f"{dataset.title}: {track.title}",
            description=f"{track.title} programs. {track.description}".strip(),
            filter=Filter(tracks=(track.key,)),
        ))
    for group in dataset.eligibility:
        feeds.append(FeedSpec(
            path=feed_path(ELIGIBILITY_FEEDS, group.key),
            title=f"{dataset.title}: for {group.title}",
            description=f"Programs open to {group.title}, and those whose source does not "
            f"state a rule for them (their events say so). {group.description}".strip(),
            filter=Filter(eligibility=(group.key,)),
        ))
    for named in dataset.feeds:
        feeds.append(FeedSpec(
            path=named.path,
            title=f"{dataset.title}: {named.title}",
            description=named.description or named.title,
            filter=named.filter,
        ))
    return tuple(feeds)


@functools.lru_cache(maxsize=4096)
def fold(text: str) -> str:
    """The form in which filter values and data values are compared.

    NFKC (so a decomposed "Cafe\u0301" equals a composed "Caf\u00e9", and a full-width or
    ligature letter its plain one), then case folding, then runs of white space as one space.
    NFKC is applied again after folding because folding can undo it (Unicode's NFKC_Casefold).
    """
    folded = unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", text).casefold())
    return " ".join(folded.split())


def check_filter(chosen: Filter, dataset: Dataset) -> Filter:
    """The filter with each value spelled as the dataset spells it.

    A value matches a declared term (or an employer of a program) when both `fold` to the
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


def employers(dataset: Dataset) -> list[str]:
    """Every employer of the dataset's programs, once per folded name, sorted."""
    named: dict[str, str] = {}
    for program in dataset.programs:
        named.setdefault(fold(program.employer), program.employer)
    return sorted(named.values(), key=fold)


def known(value: str, valid: Sequence[str]) -> str | None:
    """The entry of `valid` that `value` names (after `fold`), or None."""
    wanted = fold(value)
    return next((name for name in valid if fold(name) == wanted), None)


def did_you_mean(value: str, valid: Sequence[str]) -> str:
    """Up to three entries of `valid` that `value` may have meant, as "'a' or 'b'" (or ""):
    close spellings first, then names holding it as a part ("Ai2" -> "Allen ... (Ai2)")."""
    import difflib  # only for a mistyped filter value: kept out of every build's start-up

    by_fold = {fold(name): name for name in valid}
    wanted = fold(value)
    close = difflib.get_close_matches(wanted, list(by_fold), n=3)
    # One or two letters are part of too many names to point at any of them.
    holding = [folded for folded in by_fold if len(wanted) > 2 and wanted in folded]
    return " or ".join(repr(by_fold[folded])
                       for folded in list(dict.fromkeys([*close, *holding]))[:3])


def _resolve(option: str, given: tuple[str, ...], valid: Sequence[str]) -> tuple[str, ...]:
    from .errors import FilterError

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
