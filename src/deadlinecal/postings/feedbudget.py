"""The import's feed budget: the longest run of ranked postings whose feeds stay within it.

A posting is a line of its broad feeds' day entries (see digest.py) and two events of its
employer's feed; `_measure` works out what each adds, `within_budget` keeps the longest run
that fits. Pure: the same entries give the same cut.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import TYPE_CHECKING

from deadlinecal.errors import DataError, Problem
from deadlinecal.model import Program

if TYPE_CHECKING:
    from deadlinecal.postings.datafile import Entry, Header


def within_budget(ranked: Iterator[Entry], header: Header, budget: int, file: str, *,
                  required: int = 0) -> tuple[list[Entry], dict[str, int]]:
    """The longest run of `ranked` entries that keeps every feed within `budget` bytes, and
    the feeds' sizes then; the first `required` entries are kept even beyond the budget.

    A feed's size is its header plus the bytes of its events, and an entry's events are the
    same whichever others are kept; so each entry is rendered once, in batches a little
    larger than the estimate says will fit, and the cut is exact.
    """
    kept: list[Entry] = []
    totals: dict[str, int] | None = None
    fixed: dict[str, int] = {}
    empty = 0
    # The estimate is rough (0.5 to 0.8 of the real bytes on the lists we know): the first
    # batch fills about half the budget and calibrates it, the next one ends a bit beyond.
    scale, share = 0.65, 0.6
    while True:
        batch: list[Entry] = []
        room = budget - max(totals.values(), default=0) if totals else budget
        guess = 0.0
        for entry in ranked:
            batch.append(entry)
            guess += _estimate(entry) * scale
            if guess > room * share:
                break
        share = 1.1
        if not batch:
            break
        measured, batch_fixed, empty = _measure(batch, header, file)
        # Each batch may add an employer's feed the ones before did not have.
        fixed.update(batch_fixed)
        if totals is None:
            totals = {}
        for path in fixed:
            totals.setdefault(path, 0)
        spent = 0
        for entry in batch:
            sizes = measured[entry.id]
            if len(kept) >= required and any(fixed[path] + totals[path] + size > budget
                                             for path, size in sizes.items()):
                return _fitted(kept, totals, fixed, empty, budget, file)
            for path, size in sizes.items():
                totals[path] += size
                spent += size if path == "all.ics" else 0
            kept.append(entry)
        scale = max(spent / max(sum(_estimate(e) for e in batch), 1), 0.05)
    assert totals is not None
    return _fitted(kept, totals, fixed, empty, budget, file)


def _fitted(kept: list[Entry], totals: dict[str, int], fixed: dict[str, int], empty: int,
            budget: int, file: str) -> tuple[list[Entry], dict[str, int]]:
    if not kept:
        raise DataError([Problem(file=file, line=None, column=None, path="",
                                 message=f"not one posting fits the feed budget of {budget:,} "
                                 "bytes", expected="a larger budget")])
    return kept, {path: fixed[path] + (totals.get(path, 0) or empty) for path in fixed}


def _estimate(entry: Entry) -> int:
    """About how many bytes the entry's events take in the `all` feed."""
    events = 3 if entry.closes is not None else 2
    text = len(entry.employer) + len(entry.title)
    return events * (1200 + 3 * text + len(entry.notes) + 2 * len(entry.link or ""))


def _measure(entries: list[Entry], header: Header, file: str
              ) -> tuple[dict[str, dict[str, int]], dict[str, int], int]:
    """The bytes each entry adds to each feed it is in, each feed's bytes without events,
    and what an empty feed adds instead.

    A broad feed holds a posting as a line of a day's "New" and "Apply" entries (see
    digest.py): its share is those two lines and a part of the entries' frame, an estimate a
    little above what `build` writes. An employer's feed holds the posting's own events,
    rendered as `build` renders them.
    """
    from deadlinecal.events.digest import distinct, is_broad, posting_line
    from deadlinecal.events.expand import expand
    from deadlinecal.events.select import select_feeds, standard_feeds
    from deadlinecal.ical.render import _END, Renderer, _utc_zone, header_bytes
    from deadlinecal.model import EventKind

    dataset = header.dataset(entries, file, listed=True)
    # All of `pipeline.current_events`: the cycle of an import ends on or after its
    # `updated` day, so cancelled postings stay.
    assert dataset.updated <= dataset.cycle_ends
    events = expand(dataset)
    renderer = Renderer(dataset)
    measured: dict[str, dict[str, int]] = {entry.id: {} for entry in entries}
    feeds = standard_feeds(dataset)
    fixed = {spec.path: len(header_bytes(dataset, spec)) + len(_END) for spec in feeds}
    opened = [event for event in events if event.kind is EventKind.OPENS]
    chosen = select_feeds(opened, {spec.path: spec.filter for spec in feeds
                                   if is_broad(spec)})
    # A posting's two lines are the same in each broad feed: worked out once.
    line_bytes: dict[str, int] = {}
    for path, kept in chosen.items():
        per_day: dict[dt.date, int] = {}
        for event in kept:
            per_day[event.first_day] = per_day.get(event.first_day, 0) + 1
        for event in kept:
            sizes = measured[event.program.id]
            program = event.program
            lines = line_bytes.get(program.id)
            if lines is None:
                lines = line_bytes[program.id] = _folded(posting_line(program)) + (
                    _folded(posting_line(program, brief=True))
                    if _open_at_follow_up(program, dataset.follow_up_days) else 0)
            # The day's two entries (UID, dates, title ...) are shared by its postings.
            share = _DAY_FRAME // per_day[event.first_day] + 40
            sizes[path] = sizes.get(path, 0) + lines + share
    own = distinct([event for event in events
                    if event.kind in (EventKind.OPENS, EventKind.FOLLOW_UP)])
    employers = select_feeds(own, {spec.path: spec.filter for spec in feeds
                                   if not is_broad(spec)})
    for path, kept in employers.items():
        for event in kept:
            sizes = measured[event.program.id]
            sizes[path] = sizes.get(path, 0) + len(renderer.event(event))
    return measured, fixed, len(_utc_zone())


# The bytes of a day's two entries besides their lists of postings (UID, dates, titles,
# the lines that head and end the descriptions), a little above what `build` writes.
_DAY_FRAME = 900


def _open_at_follow_up(program: Program, days: int) -> bool:
    window = program.windows[0]
    return (window.closes is None or window.opens is None
            or window.closes.earliest >= window.opens.earliest + dt.timedelta(days=days))


def _folded(line: str) -> int:
    """The bytes a description line takes once escaped and folded at 75 octets."""
    size = len(line.encode()) + line.count(",") + line.count(";") + line.count("\\") + 2
    return size + 3 * (size // 72 + 1)
