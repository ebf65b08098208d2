"""A bound on how much a build writes, checked on the events before any feed is rendered.

Each event is copied into every feed that holds it, with each of its reminders, so feeds
grow as events times feeds: 4,800 reminders in 53 KB of data once made 233 MB of feeds.
Reminders, ids and texts have their own limits (see spec.py and dataset/validate); this is the
bound on what they add up to. The feeds of a build may hold at most OUTPUT_RATIO bytes for
each byte of its data files, and MIN_BUDGET whatever the data's size. The realistic
benchmark data (benchmarks/generate.py) makes about 40 bytes of feeds per byte, the default
data 20.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from deadlinecal.dataset.validate import Loaded
from deadlinecal.errors import DataError, Problem, program_path
from deadlinecal.events.select import select_feeds, standard_feeds
from deadlinecal.model import Dataset, Event
from deadlinecal.text import plural

OUTPUT_RATIO = 100
MIN_BUDGET = 64 * 1000 * 1000
# An event's bytes besides its texts: BEGIN/END, dates, DTSTAMP, SEQUENCE, STATUS, TRANSP ...
_EVENT_FRAME = 250
_ALARM_FRAME = 60
# A program is named as the cause when its events make at least this share of the feeds.
_CULPRIT_SHARE = 0.1


def estimate(event: Event) -> int:
    """About how many bytes the event takes in a feed (a little under: characters, not
    UTF-8 bytes, and no line folding), from its texts and reminders."""
    alarms = len(event.alarms)
    return (_EVENT_FRAME + len(event.summary) * (1 + alarms) + len(event.description)
            + len(event.uid) + len(event.url or "") + sum(len(c) + 1 for c in event.categories)
            + _ALARM_FRAME * alarms)


def budget(loaded: Sequence[Loaded]) -> int:
    """The most bytes the feeds of these data files may hold."""
    return max(MIN_BUDGET, OUTPUT_RATIO * sum(entry.size for entry in loaded))


def check_budget(loaded: Sequence[Loaded], dataset: Dataset, events: Sequence[Event]) -> None:
    """Refuse data whose feeds would exceed the budget, pointing at the program whose events
    weigh most, or at the dataset when the weight is spread over many programs.

    `dataset` is the combined dataset of `loaded`, `events` its events. Raises DataError.
    """
    limit = budget(loaded)
    feeds = standard_feeds(dataset)
    # First a bound that needs no selection: an event is in all.ics and the named feeds at
    # most, in its track's feed, and in one feed per eligibility group of its program
    # (open to it, or not stated).
    anywhere = len(feeds) - len(dataset.tracks) - len(dataset.eligibility) + 1
    if sum(estimate(event) * (anywhere + len(event.program.eligibility)
                              + len(event.program.not_stated))
           for event in events) <= limit:
        return
    _check_selected(loaded, select_feeds(events, {spec.path: spec.filter for spec in feeds}),
                    limit)


def _check_selected(loaded: Sequence[Loaded], selected: Mapping[str, Sequence[Event]],
                    limit: int) -> None:
    """The exact check, on each feed's events (by path)."""
    sizes: dict[int, int] = {}
    total = 0
    for events in selected.values():
        for event in events:
            size = sizes.get(id(event))
            if size is None:
                size = sizes[id(event)] = estimate(event)
            total += size
    if total <= limit:
        return
    message = (f"the feeds would hold about {_megabytes(total)}, more than the "
               f"{_megabytes(limit)} allowed for this data ({OUTPUT_RATIO} times the size of "
               f"its files, at least {_megabytes(MIN_BUDGET)})")
    expected = ("fewer reminders, shorter texts, or fewer feeds per program (eligibility "
                "groups, named feeds); or split the data into separate builds")
    raise DataError([_culprit(loaded, selected.values(), sizes, total, message, expected)])


def _culprit(loaded: Sequence[Loaded], selected: Iterable[Sequence[Event]],
             sizes: Mapping[int, int], total: int, message: str, expected: str) -> Problem:
    """The problem, placed at the program that adds the most bytes, or at the dataset."""
    weight: dict[int, int] = {}
    copies: dict[int, int] = {}
    for events in selected:
        for event in events:
            key = id(event.program)
            weight[key] = weight.get(key, 0) + sizes[id(event)]
            copies[key] = copies.get(key, 0) + 1
    heaviest = max(weight, key=weight.__getitem__)
    if weight[heaviest] >= _CULPRIT_SHARE * total:
        for entry in loaded:
            for index, program in enumerate(entry.dataset.programs):
                if id(program) == heaviest and index < len(entry.programs_at):
                    line, column = entry.programs_at[index]
                    return Problem(
                        file=entry.dataset.file, line=line, column=column,
                        path=program_path(index, program.id), expected=expected,
                        message=f"{message}; {_megabytes(weight[heaviest])} of it comes from "
                        f"this program, whose events are copied {copies[heaviest]:,} times "
                        "into the feeds")
    first = loaded[0]
    at: tuple[int | None, int | None] = first.id_at or (None, None)
    return Problem(file=first.dataset.file, line=at[0], column=at[1], path="dataset",
                   message=f"{message}, spread over {plural(len(weight), 'program')}",
                   expected=expected)


def _megabytes(count: int) -> str:
    return f"{count / 1e6:,.1f} MB"
