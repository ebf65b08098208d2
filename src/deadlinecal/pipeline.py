"""The whole core in one call: bytes of a data file -> every feed's bytes. No filesystem."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace

from .errors import Problem
from .expand import expand
from .model import Dataset, Event, EventKind, FeedSpec, Filter, Program
from .page import PAGE_PATH, render_page
from .render import render_feeds
from .select import check_filter, select, standard_feeds
from .validate import load_dataset


@dataclass(frozen=True, slots=True, kw_only=True)
class Build:
    dataset: Dataset
    events: tuple[Event, ...]
    feeds: tuple[FeedSpec, ...]
    files: dict[str, bytes]
    warnings: tuple[Problem, ...]

    @property
    def undated(self) -> tuple[Program, ...]:
        """Programs with no date at all: they appear only as watch-list events."""
        watched = {e.program.id for e in self.events if e.kind is EventKind.WATCH
                   and e.window is None}
        return tuple(p for p in self.dataset.programs if p.id in watched)

    def count(self, spec: FeedSpec) -> int:
        return len(select(self.events, spec.filter))


def build(data: bytes, *, file: str, as_of: dt.date | None = None,
          alarms: bool = True, base_url: str | None = None) -> Build:
    """Validate, expand and render every standard and named feed, plus the subscribe page.

    `alarms=False` leaves every VALARM out, whatever the data asks for. `base_url` (else the
    data's `dataset.base_url`) is where the feeds will be published. Raises DataError.
    """
    loaded = load_dataset(data, file=file, as_of=as_of)
    events = expand(loaded.dataset) if alarms else without_alarms(expand(loaded.dataset))
    feeds = standard_feeds(loaded.dataset)
    files = render_feeds(loaded.dataset, events, feeds)
    counted = [(spec, len(select(events, spec.filter))) for spec in feeds]
    files[PAGE_PATH] = render_page(loaded.dataset, events, counted,
                                   base_url or loaded.dataset.base_url)
    return Build(
        dataset=loaded.dataset,
        events=events,
        feeds=feeds,
        files=files,
        warnings=loaded.warnings,
    )


def one_feed(data: bytes, *, file: str, chosen: Filter, title: str | None = None,
             alarms: bool = True) -> tuple[bytes, int, tuple[Problem, ...]]:
    """A single filtered feed: its bytes, how many events it holds, and any warnings."""
    loaded = load_dataset(data, file=file)
    check_filter(chosen, loaded.dataset)
    events = expand(loaded.dataset) if alarms else without_alarms(expand(loaded.dataset))
    describe = describe_filter(chosen, loaded.dataset)
    spec = FeedSpec(
        path="feed.ics",
        title=title or f"{loaded.dataset.title}: {describe}",
        description=f"{loaded.dataset.title}, filtered: {describe}.",
        filter=chosen,
    )
    content = render_feeds(loaded.dataset, events, [spec])["feed.ics"]
    return content, len(select(events, chosen)), loaded.warnings


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
    return ", ".join(parts) or "everything"
