"""The core in one call: bytes of data files -> events (revised against what subscribers have)
-> one feed's bytes. No filesystem, no page: site.py adds the page and the personal feeds."""

from __future__ import annotations

import dataclasses
import datetime as dt
import posixpath
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Protocol

from deadlinecal import ledger
from deadlinecal.dataset.confirm import confirm_datasets
from deadlinecal.dataset.validate import (
    DEFAULT_MAX_AGE_DAYS,
    Include,
    Loaded,
    check_feed_employers,
    load_dataset,
)
from deadlinecal.errors import DataError, Problem, quoted
from deadlinecal.events import digest
from deadlinecal.events.budget import check_budget
from deadlinecal.events.combining import keep_apart
from deadlinecal.events.expand import expand
from deadlinecal.events.select import check_filter, select, standard_feeds, title_for
from deadlinecal.ical.render import render_feeds
from deadlinecal.model import Dataset, Event, FeedSpec, Filter

if TYPE_CHECKING:
    from deadlinecal.history import Seen


class Read(Protocol):
    """Turns a data file's path into its bytes (the CLI passes its file reader, tests a
    lookup). For an included file, `included_by` is the entry that names it: the reader
    refuses what the data may not read with `included_by.refuse(...)`, before reading it."""

    def __call__(self, path: str, included_by: Include | None = None, /) -> bytes: ...


def one_file_reader(data: bytes, file: str, read: Read | None = None) -> Read:
    """A reader that gives `data` for `file` and any other path (an include) to `read`."""
    def reader(path: str, included_by: Include | None = None, /) -> bytes:
        if path == posixpath.normpath(file):
            return data
        if read is not None and included_by is not None:
            return read(path, included_by)
        expected = "a single self-contained data file"
        if included_by is None:
            raise DataError([Problem(file=path, line=None, column=None, path="",
                                     message="cannot be read here", expected=expected)])
        raise included_by.refuse(f"cannot include {quoted(included_by.entry)}: included "
                                 "files cannot be read here", expected)

    return reader


def against_previous(events: Sequence[Event], previous: Mapping[str, bytes] | None,
                      warnings: list[Problem], retired: Mapping[str, Seen] | None = None,
                      retired_from: str = ledger.PATH,
                      ) -> tuple[tuple[Event, ...], dict[str, bytes], tuple[str, ...],
                                 dict[str, Seen]]:
    """Carry SEQUENCE/LAST-MODIFIED over from the feeds subscribers already have.

    Returns the revised events, the bytes of events that did not change (to reuse), the
    UIDs whose SEQUENCE went up, and the last revision of each UID published before (in
    `previous` or `retired`, read from the file `retired_from`) that these events no
    longer hold.
    """
    if not previous and not retired:
        return tuple(events), {}, (), {}
    from deadlinecal import history
    from deadlinecal.ical.render import event_bytes

    # What cannot be read is a warning and that piece of history is ignored (history/);
    # a stamp after `horizon` cannot come from this data and is ignored too.
    old, problems = history.read_feeds(previous or {}, not_after=history.horizon(events))
    warnings.extend(problems)
    # The ledger's stamps are bounded as the feeds' are: a stamp no revision can have is
    # never published.
    retired, late = ledger.believed(retired or {}, history.horizon(events))
    warnings.extend(ledger.problems(retired_from, late))
    # The highest revision ever published, whether a feed still holds it or not.
    before = history.latest([*old.values(), retired])
    revised, rendered = history.revise(list(events), before, event_bytes)
    bumped = tuple(event.uid for event in revised
                   if event.uid in before and event.uid not in rendered)
    warnings.extend(history.located(
        old, previous or {}, before[uid], "SEQUENCE", f"SEQUENCE is {history.MAX_SEQUENCE}, "
        "the largest RFC 5545 allows: the changed event keeps it, and clients may not take "
        "the change") for uid in bumped if before[uid].sequence >= history.MAX_SEQUENCE)
    held = {event.uid for event in revised}
    gone = {uid: seen for uid, seen in before.items() if uid not in held}
    return tuple(revised), rendered, bumped, gone


def load_selection(paths: Sequence[str], read: Read, *,
                   as_of: dt.date | None = None, alarms: bool = True,
                   max_age_days: int = DEFAULT_MAX_AGE_DAYS, unstated: bool = False
                   ) -> tuple[Dataset, list[Event], list[Problem]]:
    """The combined dataset of `paths` and their includes, its events, and the warnings.

    `unstated`: also warn about programs that leave eligibility or citizenship out.
    """
    loaded = load_all(paths, read, as_of=as_of, max_age_days=max_age_days, unstated=unstated)
    # Posting lists built together with curated data confirm its estimated openings.
    datasets = [_listed(each) for each in
                confirm_datasets([entry.dataset for entry in loaded])]
    # A term two files declare with different titles is kept apart (combining.py).
    datasets, apart = keep_apart(loaded, datasets)
    dataset = combine(datasets)
    check_feed_employers(loaded, dataset)
    events: list[Event] = []
    for each in datasets:
        events.extend(current_events(each))
    if len(datasets) > 1:  # one dataset's events come sorted from expand already
        events.sort(key=lambda event: event.sort_key)
    # A posting list's postings become a few entries a day per feed (digest.py).
    events = digest.arrange(datasets, events, standard_feeds(dataset))
    if not alarms:
        events = list(without_alarms(tuple(events)))
    warnings = [warning for entry in loaded for warning in entry.warnings] + apart
    # Checked here, not when feeds are written, so that validate refuses what build would.
    check_budget(loaded, dataset, events)
    return dataset, events, warnings


def load_all(paths: Sequence[str], read: Read, *,
             as_of: dt.date | None = None,
             max_age_days: int = DEFAULT_MAX_AGE_DAYS, unstated: bool = False) -> list[Loaded]:
    """Load each path and, depth first, the files it includes (each once).

    Raises DataError, also when two files share a dataset id (their UIDs would collide).
    """
    loaded: list[Loaded] = []
    seen: set[str] = set()
    pending: list[tuple[str, Include | None]] = [
        (posixpath.normpath(path), None) for path in reversed(paths)]
    while pending:
        path, included_by = pending.pop()
        if path in seen:
            continue
        seen.add(path)
        data = read(path) if included_by is None else read(path, included_by)
        entry = load_dataset(data, file=path, as_of=as_of, max_age_days=max_age_days,
                             unstated=unstated)
        loaded.append(entry)
        base = posixpath.dirname(path)
        pending.extend((posixpath.normpath(posixpath.join(base, include.entry)), include)
                       for include in reversed(entry.includes))
    _check_ids(loaded)
    return loaded


def _check_ids(loaded: Sequence[Loaded]) -> None:
    """Refuse a dataset id used by two files, pointing at the second file's `dataset.id`."""
    owners: dict[str, Loaded] = {}
    problems = []
    for entry in loaded:
        first = owners.setdefault(entry.dataset.id, entry)
        if first is not entry:
            line, column = entry.id_at or (None, None)
            where = first.dataset.file + (f":{first.id_at[0]}" if first.id_at else "")
            problems.append(Problem(
                file=entry.dataset.file, line=line, column=column, path="dataset.id",
                message=f"dataset id {entry.dataset.id!r} is also used by {where}; event UIDs "
                "would collide", expected="a dataset id unique in the build"))
    if problems:
        raise DataError(problems)


def _listed(dataset: Dataset) -> Dataset:
    """An imported posting file with its programs marked as postings (`Program.listed`)."""
    if not dataset.imported:
        return dataset
    return replace(dataset, programs=tuple(replace(program, listed=True)
                                           for program in dataset.programs))


def combine(datasets: Sequence[Dataset]) -> Dataset:
    """One dataset holding every program; vocabularies and feeds merged by key, first wins.

    It is named for all of them ("A + B"), and `parts` says whose each program is, so that
    each feed is named for the datasets whose programs it holds (select.title_for). The
    datasets' ids must differ (`load_all` makes sure of it); terms declared with different
    titles must have been kept apart (combining.keep_apart).
    """
    first = datasets[0]
    if len(datasets) == 1:
        return first

    def merged(name: str) -> tuple[object, ...]:
        by_key: dict[str, object] = {}
        for dataset in datasets:
            for item in getattr(dataset, name):
                by_key.setdefault(getattr(item, "key", None) or item.path, item)
        return tuple(by_key.values())

    titles = list(dict.fromkeys(dataset.title for dataset in datasets))
    return dataclasses.replace(
        first,
        title=" + ".join(titles),
        parts=tuple((dataset.title, len(dataset.programs)) for dataset in datasets),
        tracks=merged("tracks"),  # type: ignore[arg-type]
        eligibility=merged("eligibility"),  # type: ignore[arg-type]
        citizenship=merged("citizenship"),  # type: ignore[arg-type]
        feeds=merged("feeds"),  # type: ignore[arg-type]
        programs=tuple(program for dataset in datasets for program in dataset.programs),
        cycle_starts=min(dataset.cycle_starts for dataset in datasets),
        cycle_ends=max(dataset.cycle_ends for dataset in datasets),
        imported=tuple(record for dataset in datasets for record in dataset.imported),
    )


def current_events(dataset: Dataset) -> list[Event]:
    """The dataset's events; cancelled ones stay (struck out) until its cycle has ended.

    "Ended" is judged by the data's own `updated` day, never by the clock, so a build (and
    `build --check` in CI) gives the same feeds on any day.
    """
    events = expand(dataset)
    if dataset.updated > dataset.cycle_ends:
        return [event for event in events if not event.cancelled]
    return list(events)


@dataclass(frozen=True, slots=True, kw_only=True)
class OneFeed:
    content: bytes
    # How many events the feed holds.
    count: int
    warnings: tuple[Problem, ...]
    # The last revision published of every UID the feed no longer holds (see build_all).
    retired: Mapping[str, Seen]


def one_feed(data: bytes, *, file: str, chosen: Filter, title: str | None = None,
             alarms: bool = True, read: Read | None = None,
             previous: bytes | None = None) -> tuple[bytes, int, tuple[Problem, ...]]:
    """A single filtered feed: its bytes, how many events it holds, and any warnings.

    `read` fetches the files `data` includes; `previous` is the feed file this one replaces,
    so changed events get SEQUENCE + 1 as in `build`. Raises DataError, FilterError.
    """
    made = single_feed([file], one_file_reader(data, file, read), chosen=chosen, title=title,
                       alarms=alarms, previous=previous)
    return made.content, made.count, made.warnings


def single_feed(paths: Sequence[str], read: Read, *, chosen: Filter,
                title: str | None = None, alarms: bool = True, previous: bytes | None = None,
                retired: Mapping[str, Seen] | None = None,
                retired_from: str = ledger.PATH) -> OneFeed:
    """`one_feed` of several data files (read with `read`, as in `build_all`), remembering
    what it drops: `retired` is what the runs before dropped (read from the file
    `retired_from`), `OneFeed.retired` what this one dropped (or kept dropped), including
    events the filter no longer keeps. Raises DataError, FilterError."""
    dataset, events, warnings = load_selection(paths, read, alarms=alarms)
    chosen = check_filter(chosen, dataset)
    describe = describe_filter(chosen, dataset)
    spec = FeedSpec(
        path="feed.ics",
        title=title or f"{title_for(dataset, chosen)}: {describe}",
        description=f"{dataset.title}, filtered: {describe}.",
        filter=chosen,
    )
    # Only the events the feed holds are revised: one the filter leaves out is retired.
    revised, rendered, _, gone = against_previous(
        select(events, chosen), {"feed.ics": previous} if previous else None, warnings,
        retired, retired_from)
    content = render_feeds(dataset, revised, [spec], rendered=rendered)["feed.ics"]
    return OneFeed(content=content, count=len(revised), warnings=tuple(warnings),
                   retired=gone)


def without_alarms(events: tuple[Event, ...]) -> tuple[Event, ...]:
    """The same events with no reminders (for --no-alarms)."""
    return tuple(replace(event, alarms=()) for event in events)


def describe_filter(chosen: Filter, dataset: Dataset) -> str:
    """Say in words what a filter keeps, with the vocabulary's titles."""
    titles = {t.key: t.title for t in (*dataset.tracks, *dataset.eligibility,
                                       *dataset.citizenship)}
    parts = []
    if chosen.tracks:
        parts.append(" or ".join(titles.get(k, k) for k in chosen.tracks))
    if chosen.eligibility:
        parts.append("for " + " or ".join(titles.get(k, k) for k in chosen.eligibility))
    if chosen.employers:
        parts.append("at " + " or ".join(chosen.employers))
    if chosen.citizenship:
        # Most programs state no citizenship rule: say what is known, not "open to".
        parts.append("no citizenship rule stated against "
                     + " or ".join(titles.get(k, k) for k in chosen.citizenship))
    if chosen.confirmed_only:
        parts.append("confirmed dates only")
    if chosen.date_from is not None or chosen.date_until is not None:
        first = chosen.date_from.isoformat() if chosen.date_from else "…"
        last = chosen.date_until.isoformat() if chosen.date_until else "…"
        parts.append(f"dated {first} to {last}")
    return ", ".join(parts) or "everything"
