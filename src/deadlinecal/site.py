"""The whole output folder in one call: every feed, the personal feeds and the page.

The pipeline (pipeline.py) turns data files into events revised against the feeds
subscribers already have; this module adds what a published folder holds besides: the
personal feeds under picked/ with the record of every address published (page/picker.py,
published.py) and the subscribe page. Pure: bytes in, bytes out, no filesystem.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from deadlinecal import ended, ledger
from deadlinecal.dataset.validate import DEFAULT_MAX_AGE_DAYS
from deadlinecal.errors import Problem
from deadlinecal.events.select import select, select_feeds, standard_feeds
from deadlinecal.ical.render import render_feeds
from deadlinecal.model import Dataset, Event, EventKind, FeedSpec, Program
from deadlinecal.page.index import PAGE_PATH, render_page
from deadlinecal.page.picker import (
    CHOICES_PATH,
    FOLDER,
    Choice,
    Picker,
    check_addresses,
    plan,
    with_days_of_postings,
)
from deadlinecal.pipeline import Read, against_previous, load_selection, one_file_reader

if TYPE_CHECKING:
    from deadlinecal.history import Seen


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
    # The last published revision of every UID this build no longer holds (see build_all).
    retired: Mapping[str, Seen] = dataclasses.field(default_factory=dict)
    # The personal feeds under picked/ (not in `feeds`), or why there are none.
    picker: Picker | None = None
    # The warnings about the data files themselves (the first of `warnings`).
    data_warnings: tuple[Problem, ...] = ()
    # Every address published before, as the picker was planned with (published.py).
    published: tuple[tuple[str, Choice, str], ...] = ()

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
    return build_all([file], one_file_reader(data, file), as_of=as_of, alarms=alarms,
                     base_url=base_url, max_age_days=max_age_days)


def build_all(paths: Sequence[str], read: Read, *,
              as_of: dt.date | None = None, previous: Mapping[str, bytes] | None = None,
              retired: Mapping[str, Seen] | None = None, retired_from: str = ledger.PATH,
              alarms: bool = True, base_url: str | None = None,
              max_age_days: int = DEFAULT_MAX_AGE_DAYS, render: bool = True,
              record: bytes | None = None, picked: Mapping[str, bytes] | None = None,
              folder: str = "") -> Build:
    """Build several data files (and whatever they `include:`) into one set of feeds.

    `read` turns a path into bytes (the CLI passes its file reader, tests a dict lookup), so
    the core stays free of the filesystem. The first dataset's title, time zone and refresh
    rate head every feed; each dataset keeps its own id, which namespaces its UIDs.
    `previous` is the output folder's current files (path -> bytes): events whose content
    changed get SEQUENCE + 1 (see history/). `retired` is the last revision published of
    UIDs no longer in those feeds (`Build.retired` of the builds before): a UID that comes
    back continues from there, so its SEQUENCE never goes down; `retired_from` names the file
    it was read from in warnings. `alarms=False` leaves every
    VALARM out.
    `base_url` (else the first dataset's `base_url`) is where the feeds will be published,
    for the subscribe page's links. With `render=False` the feeds are planned but neither
    rendered nor compared with `previous` (`files` is empty): for a rebuild whose output is
    known to be current already. `record` is the previous `picked/choices.json` and
    `picked` the previous files under picked/ by their path there (see published.py): every
    address published before is written again; both are taken from `previous` when it holds
    `picked/choices.json` and they are not given. `folder` is the folder the paths of
    `previous` begin with ("" when they are the paths in it): a standard feed of `previous`
    the data no longer produces is written again as an ended calendar (ended.py). Raises
    DataError.
    """
    from deadlinecal.page.published import ended_before, read_record

    dataset, events, warnings = load_selection(paths, read, as_of=as_of, alarms=alarms,
                                               max_age_days=max_age_days)
    data_warnings = tuple(warnings)
    if base_url:
        dataset = replace(dataset, base_url=base_url)
    feeds = standard_feeds(dataset)
    if record is None and previous and CHOICES_PATH in previous:
        # `previous` keyed by the paths in the folder, as a test or a tool reads it.
        record = previous[CHOICES_PATH]
        picked = picked or {path: content for path, content in previous.items()
                            if path.startswith(f"{FOLDER}/")}
    # An ended personal address holds cancelled copies of events other feeds may still hold
    # live: they are not history those events continue from (see published.py).
    prefix = f"{folder}/" if folder else ""
    ended_addresses = {prefix + path for path in ended_before(record)}
    if previous and ended_addresses:
        previous = {key: content for key, content in previous.items()
                    if key not in ended_addresses}
    published, problems = read_record(record)
    warnings.extend(problems)
    if not render:
        return _planned(dataset, events, feeds, warnings, published, data_warnings)
    endings = ended.sort_out(previous, folder, feeds, events)
    revised, rendered, bumped, gone = against_previous(
        events, _with_revived(endings.history, dataset, published, picked), warnings,
        retired, retired_from)
    # A personal feed holds a posting list's days, not each posting (picker.py).
    picker = with_days_of_postings(
        plan(dataset, [event for event in revised if not event.feed], published), revised)
    every = _all_feeds(feeds, picker)
    check_addresses(dataset, [*(spec.path for spec in every),
                              *(each.path for each in picker.ended)])
    # Each feed's events are chosen once, for its file, its count and the page.
    selected: dict[str, Sequence[Event]] = dict(
        select_feeds(revised, {spec.path: spec.filter for spec in feeds}))
    selected.update((each.spec.path, each.events) for each in picker.feeds)
    files = render_feeds(dataset, revised, every, rendered=rendered, selected=selected)
    counted = [(spec, len(selected[spec.path])) for spec in feeds]
    if picker.files:
        from deadlinecal.page.published import choices_json, ended_file

        for each in picker.ended:
            files[each.path] = ended_file(dataset, each, (picked or {}).get(each.path),
                                          {**(retired or {}), **gone})
        files[CHOICES_PATH] = choices_json(dataset, picker)
    # A personal feed the record does not list (it could not be read, or was cut) is
    # still an address someone may subscribe to: it stays as it is.
    written = set(files)
    orphans = [path for path in picked or {} if path.endswith(".ics")
               and path not in written]
    for path in orphans:
        files[path] = (picked or {})[path]
    if orphans:
        warnings.append(Problem(
            file=CHOICES_PATH, line=None, column=None, path="", severity="warning",
            message=f"does not list {len(orphans)} personal feed"
            f"{'' if len(orphans) == 1 else 's'} of the folder ({orphans[0]}, ...); "
            "kept as they are"))
    files[PAGE_PATH] = render_page(dataset, revised, counted, dataset.base_url,
                                   selected=selected, picker=picker)
    if gone:
        # Published with the feeds, so a fresh clone knows what its subscribers saw.
        files[ledger.PATH] = ledger.encode(gone)
    # An address published before keeps answering: ended, pointing to all.ics.
    for path, content in ended.ended_files(dataset, endings, gone).items():
        files[path] = content
    return Build(
        dataset=dataset,
        events=revised,
        feeds=feeds,
        files=files,
        warnings=tuple(warnings),
        revised=bumped,
        counts={spec.path: count for spec, count in counted},
        retired=gone,
        picker=picker,
        data_warnings=data_warnings,
        published=tuple(published),
    )


def as_rebuilt(result: Build, record: bytes | None) -> Build:
    """What `build_all(render=False, record=record)` gives for the same data once `result`'s
    files are in place (`record`: the picked/choices.json it reads then): a rebuild with
    nothing to render.

    Made from `result` without loading the data again, for the summary such a rebuild
    prints (output/cache.py). Its picker is `result`'s when the record lists the addresses
    `result` was planned with (the same plan; only the events of its personal feeds differ,
    by the days of postings). Its counts are `result`'s when no event was made for one feed
    (select_feeds then keeps what `select` keeps); else they are counted as such a rebuild
    counts them (every event a feed's filter keeps, where `result` counted a posting
    list's days). Raises DataError.
    """
    from deadlinecal.page.published import read_record

    published, problems = read_record(record)
    warnings = (*result.data_warnings, *problems)
    counts = {} if any(event.feed for event in result.events) else result.counts
    if result.picker is None or not _planned_alike(result.picker, result.published, published):
        planned = _planned(result.dataset, result.events, result.feeds, warnings, published,
                           result.data_warnings)
        return replace(planned, counts=counts)
    return Build(dataset=result.dataset, events=result.events, feeds=result.feeds, files={},
                 warnings=warnings, counts=counts, picker=result.picker,
                 data_warnings=result.data_warnings, published=tuple(published))


def _planned_alike(picker: Picker, planned_with: Sequence[tuple[str, Choice, str]],
                   published: Sequence[tuple[str, Choice, str]]) -> bool:
    """Whether picker.plan gives `picker`'s addresses again when given `published` instead
    of `planned_with`: the same record, or (a fresh build's record) only addresses the picker
    offers, none published before (plan passes over an offered address it finds there)."""
    if tuple(published) == tuple(planned_with):
        return True
    offered = {address for _, address in picker.choices}
    return (not planned_with and not picker.kept and not picker.ended
            and all(path in offered for path, _, _ in published))


def _planned(dataset: Dataset, events: Sequence[Event], feeds: tuple[FeedSpec, ...],
             warnings: Sequence[Problem], published: Sequence[tuple[str, Choice, str]],
             data_warnings: tuple[Problem, ...]) -> Build:
    """The build with its feeds planned, none rendered (`files` is empty)."""
    picker = plan(dataset, [event for event in events if not event.feed], published)
    check_addresses(dataset, [spec.path for spec in _all_feeds(feeds, picker)])
    return Build(dataset=dataset, events=tuple(events), feeds=feeds, files={},
                 warnings=tuple(warnings), picker=picker, data_warnings=data_warnings)


def _with_revived(previous: Mapping[str, bytes] | None, dataset: Dataset,
                  published: Sequence[tuple[str, Choice, str]],
                  picked: Mapping[str, bytes] | None) -> Mapping[str, bytes] | None:
    """`previous` and the files of ended addresses whose choice is back: their cancelled
    events are history the choice's events continue from (output/plan.py leaves ended files out
    of `previous`, so that their cancelled copies never count against the live events)."""
    if not picked:
        return previous
    declared = {"track": {t.key for t in dataset.tracks},
                "eligibility": {g.key for g in dataset.eligibility},
                "citizenship": {c.key for c in dataset.citizenship}}
    revived = {path: picked[path] for path, choice, since in published
               if since and path in picked
               and all(term in declared[name] for name, term in choice.terms)}
    return {**(previous or {}), **revived} if revived else previous


def _all_feeds(feeds: Sequence[FeedSpec], picker: Picker) -> list[FeedSpec]:
    """The named feeds, then the personal ones."""
    return [*feeds, *(each.spec for each in picker.feeds)]
