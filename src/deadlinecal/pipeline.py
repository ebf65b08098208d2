"""The whole core in one call: bytes of a data file -> every feed's bytes. No filesystem."""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import gc
import posixpath
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace

from .confirm import confirm_datasets
from .errors import DataError, Problem
from .expand import expand
from .model import Dataset, Event, EventKind, FeedSpec, Filter, Program
from .page import PAGE_PATH, render_page
from .render import render_feeds
from .select import check_filter, select, standard_feeds
from .validate import DEFAULT_MAX_AGE_DAYS, Loaded, check_feed_employers, load_dataset


@dataclass(frozen=True, slots=True, kw_only=True)
class Build:
    dataset: Dataset
    events: tuple[Event, ...]
    feeds: tuple[FeedSpec, ...]
    # Feeds are rendered when looked up (see render.Feeds); the page is held as bytes.
    files: Mapping[str, bytes]
    warnings: tuple[Problem, ...]
    # UIDs whose content changed since the previous build (their SEQUENCE went up).
    revised: tuple[str, ...] = ()
    # How many events each feed holds, by path, when the build counted them already.
    counts: Mapping[str, int] = dataclasses.field(default_factory=dict)

    @property
    def undated(self) -> tuple[Program, ...]:
        """Programs with no date at all: they appear only as watch-list events."""
        watched = {id(e.program) for e in self.events if e.kind is EventKind.WATCH
                   and e.window is None}
        return tuple(p for p in self.dataset.programs if id(p) in watched)

    def count(self, spec: FeedSpec) -> int:
        counted = self.counts.get(spec.path)
        return counted if counted is not None else len(select(self.events, spec.filter))


def build(data: bytes, *, file: str, as_of: dt.date | None = None,
          alarms: bool = True, base_url: str | None = None,
          max_age_days: int = DEFAULT_MAX_AGE_DAYS) -> Build:
    """Build one data file that includes no other: every feed plus the subscribe page.

    `alarms=False` leaves every VALARM out, whatever the data asks for. `base_url` (else the
    data's `dataset.base_url`) is where the feeds will be published. Raises DataError.
    """
    return build_all([file], _reader(data, file), as_of=as_of, alarms=alarms,
                     base_url=base_url, max_age_days=max_age_days)


def _reader(data: bytes, file: str,
            read: Callable[[str], bytes] | None = None) -> Callable[[str], bytes]:
    """A reader that gives `data` for `file` and any other path (an include) to `read`."""
    def reader(path: str) -> bytes:
        if path == posixpath.normpath(file):
            return data
        if read is None:
            raise DataError([Problem(file=path, line=None, column=None, path="",
                                     message="included file cannot be read here",
                                     expected="a single self-contained data file")])
        return read(path)

    return reader


def build_all(paths: Sequence[str], read: Callable[[str], bytes], *,
              as_of: dt.date | None = None, previous: Mapping[str, bytes] | None = None,
              alarms: bool = True, base_url: str | None = None,
              max_age_days: int = DEFAULT_MAX_AGE_DAYS, render: bool = True) -> Build:
    """Build several data files (and whatever they `include:`) into one set of feeds.

    `read` turns a path into bytes (the CLI passes its file reader, tests a dict lookup), so
    the core stays free of the filesystem. The first dataset's title, time zone and refresh
    rate head every feed; each dataset keeps its own id, which namespaces its UIDs.
    `previous` is the output folder's current files (path -> bytes): events whose content
    changed get SEQUENCE + 1 (see history.py). `alarms=False` leaves every VALARM out.
    `base_url` (else the first dataset's `base_url`) is where the feeds will be published,
    for the subscribe page's links. With `render=False` the feeds are planned but neither
    rendered nor compared with `previous` (`files` is empty): for a rebuild whose output is
    known to be current already. Raises DataError.
    """
    with _collector_paused():
        dataset, events, warnings = load_selection(paths, read, as_of=as_of, alarms=alarms,
                                                   max_age_days=max_age_days)
        if base_url:
            dataset = replace(dataset, base_url=base_url)
        feeds = standard_feeds(dataset)
        if not render:
            return Build(dataset=dataset, events=tuple(events), feeds=feeds, files={},
                         warnings=tuple(warnings))
        revised, rendered, bumped = _against_previous(events, previous, warnings)
        # Each feed's events are chosen once, for its file, its count and the page.
        selected = {spec.path: select(revised, spec.filter) for spec in feeds}
        files = render_feeds(dataset, revised, feeds, rendered=rendered, selected=selected)
        counted = [(spec, len(selected[spec.path])) for spec in feeds]
        files[PAGE_PATH] = render_page(dataset, revised, counted, dataset.base_url,
                                       selected=selected)
        return Build(
            dataset=dataset,
            events=revised,
            feeds=feeds,
            files=files,
            warnings=tuple(warnings),
            revised=bumped,
            counts={spec.path: count for spec, count in counted},
        )


@contextlib.contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while the core builds its (acyclic) objects.

    A large file makes millions of small objects that all survive; each collection would
    walk every one of them again, so collections grow with the file and the build turns
    quadratic. Reference counting still frees everything as usual.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _against_previous(events: Sequence[Event], previous: Mapping[str, bytes] | None,
                      warnings: list[Problem]
                      ) -> tuple[tuple[Event, ...], dict[str, bytes], tuple[str, ...]]:
    """Carry SEQUENCE/LAST-MODIFIED over from the feeds subscribers already have.

    Returns the revised events, the bytes of events that did not change (to reuse), and
    the UIDs whose SEQUENCE went up.
    """
    if not previous:
        return tuple(events), {}, ()
    from . import history
    from .render import event_bytes

    old, unreadable = history.read_feeds(previous)
    warnings.extend(Problem(file=path, line=None, column=None, path="",
                            message="the previous feed could not be read; its events "
                            "start again at SEQUENCE 0", severity="warning")
                    for path in unreadable)
    before = history.latest(old.values())
    revised, rendered = history.revise(list(events), before, event_bytes)
    bumped = tuple(event.uid for event in revised
                   if event.uid in before and event.uid not in rendered)
    return tuple(revised), rendered, bumped


def load_selection(paths: Sequence[str], read: Callable[[str], bytes], *,
                   as_of: dt.date | None = None, alarms: bool = True,
                   max_age_days: int = DEFAULT_MAX_AGE_DAYS, unstated: bool = False
                   ) -> tuple[Dataset, list[Event], list[Problem]]:
    """The combined dataset of `paths` and their includes, its events, and the warnings.

    `unstated`: also warn about programs that leave eligibility or citizenship out.
    """
    loaded = load_all(paths, read, as_of=as_of, max_age_days=max_age_days, unstated=unstated)
    # Posting lists built together with curated data confirm its estimated openings.
    datasets = confirm_datasets([entry.dataset for entry in loaded])
    dataset = combine(datasets)
    check_feed_employers(loaded, dataset)
    events: list[Event] = []
    for each in datasets:
        events.extend(current_events(each))
    events.sort(key=lambda event: event.sort_key)
    if not alarms:
        events = list(without_alarms(tuple(events)))
    warnings = [warning for entry in loaded for warning in entry.warnings]
    return dataset, events, warnings


def load_all(paths: Sequence[str], read: Callable[[str], bytes], *,
             as_of: dt.date | None = None,
             max_age_days: int = DEFAULT_MAX_AGE_DAYS, unstated: bool = False) -> list[Loaded]:
    """Load each path and, depth first, the files it includes (each once). Raises DataError."""
    loaded: list[Loaded] = []
    seen: set[str] = set()
    pending = [posixpath.normpath(path) for path in reversed(paths)]
    while pending:
        path = pending.pop()
        if path in seen:
            continue
        seen.add(path)
        entry = load_dataset(read(path), file=path, as_of=as_of, max_age_days=max_age_days,
                             unstated=unstated)
        loaded.append(entry)
        base = posixpath.dirname(path)
        pending.extend(posixpath.normpath(posixpath.join(base, included))
                       for included in reversed(entry.dataset.includes))
    return loaded


def combine(datasets: Sequence[Dataset]) -> Dataset:
    """One dataset holding every program; vocabularies and feeds merged by key, first wins.

    Raises DataError when two files share a dataset id (their UIDs would collide).
    """
    first = datasets[0]
    if len(datasets) == 1:
        return first
    owners: dict[str, str] = {}
    problems = []
    for dataset in datasets:
        if dataset.id in owners:
            problems.append(Problem(
                file=dataset.file, line=None, column=None, path="dataset.id",
                message=f"dataset id {dataset.id!r} is also used by {owners[dataset.id]}; "
                "event UIDs would collide", expected="a dataset id unique in the build"))
        owners.setdefault(dataset.id, dataset.file)
    if problems:
        raise DataError(problems)

    def merged(name: str) -> tuple[object, ...]:
        by_key: dict[str, object] = {}
        for dataset in datasets:
            for item in getattr(dataset, name):
                by_key.setdefault(getattr(item, "key", None) or item.path, item)
        return tuple(by_key.values())

    return dataclasses.replace(
        first,
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


def one_feed(data: bytes, *, file: str, chosen: Filter, title: str | None = None,
             alarms: bool = True, read: Callable[[str], bytes] | None = None,
             previous: bytes | None = None) -> tuple[bytes, int, tuple[Problem, ...]]:
    """A single filtered feed: its bytes, how many events it holds, and any warnings.

    `read` fetches the files `data` includes; `previous` is the feed file this one replaces,
    so changed events get SEQUENCE + 1 as in `build`. Raises DataError, FilterError.
    """
    dataset, events, warnings = load_selection([file], _reader(data, file, read),
                                               alarms=alarms)
    chosen = check_filter(chosen, dataset)
    describe = describe_filter(chosen, dataset)
    spec = FeedSpec(
        path="feed.ics",
        title=title or f"{dataset.title}: {describe}",
        description=f"{dataset.title}, filtered: {describe}.",
        filter=chosen,
    )
    revised, rendered, _ = _against_previous(
        events, {"feed.ics": previous} if previous else None, warnings)
    content = render_feeds(dataset, revised, [spec], rendered=rendered)["feed.ics"]
    return content, len(select(revised, chosen)), tuple(warnings)


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
        parts.append("open to " + " or ".join(titles.get(k, k) for k in chosen.citizenship))
    if chosen.confirmed_only:
        parts.append("confirmed dates only")
    if chosen.date_from is not None or chosen.date_until is not None:
        first = chosen.date_from.isoformat() if chosen.date_from else "…"
        last = chosen.date_until.isoformat() if chosen.date_until else "…"
        parts.append(f"dated {first} to {last}")
    return ", ".join(parts) or "everything"
