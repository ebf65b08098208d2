"""Every feed the project generates, built once into a temp folder, with what we meant."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from deadlinecal.dataset.validate import load_dataset
from deadlinecal.events.expand import expand
from deadlinecal.events.select import select
from deadlinecal.model import Event, Filter
from deadlinecal.pipeline import one_feed
from deadlinecal.site import build

from .adapters import Seen, compile_libical, when

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def _zones_from_the_tzdata_package() -> Iterator[None]:
    """The rules we write from (the tzdata package), for the parsers that look names up.

    icalendar and ical convert a known IANA TZID with Python's zoneinfo, which searches
    the system's database first; a system of another tz release than the tzdata package
    would move their instants, not ours. Their caches are emptied before and after.
    """
    from icalendar.timezone import tzp

    before = zoneinfo.TZPATH

    def forget() -> None:
        zoneinfo.ZoneInfo.clear_cache()
        tzp.use_default()  # empties icalendar's cache of zones

    zoneinfo.reset_tzpath([])
    forget()
    try:
        yield
    finally:
        zoneinfo.reset_tzpath(before)
        forget()
DEFAULT = ROOT / "data" / "ml-internships-summer-2027.yaml"
# name -> data file: the default data, our interop fixtures and the golden cases.
DATASETS = {
    DEFAULT.stem: DEFAULT,
    **{path.stem: path for path in sorted((Path(__file__).parent / "data").glob("*.yaml"))},
    **{f"case-{path.parent.name}": path
       for path in sorted((ROOT / "tests" / "cases").glob("*/data.yaml"))},
}
AS_OF = dt.date(2026, 8, 1)
# One feed made by `deadlinecal feed`, with a title that needs escaping.
FEED_TITLE = "Research; only, \\ with a newline\nin the title"
FEED_FILTER = Filter(tracks=("research",))


@dataclass(frozen=True)
class Feeds:
    """Generated .ics files and, for each, the events our own model put in it."""

    files: tuple[Path, ...]
    meant: dict[Path, list[Seen]]


def _meant(event: Event) -> Seen:
    return Seen(uid=event.uid, summary=event.summary, start=when(event.start),
                end=when(event.end), all_day=event.all_day,
                alarms=tuple(sorted(int(a.total_seconds()) for a in event.alarms)))


@pytest.fixture(scope="session")
def feeds(tmp_path_factory: pytest.TempPathFactory) -> Feeds:
    out = tmp_path_factory.mktemp("feeds")
    files: list[Path] = []
    meant: dict[Path, list[Seen]] = {}
    for name, dataset in DATASETS.items():
        result = build(dataset.read_bytes(), file=str(dataset), as_of=AS_OF)
        for spec in result.feeds:
            target = out / name / spec.path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(result.files[spec.path])
            files.append(target)
            meant[target] = sorted(_meant(e) for e in select(result.events, spec.filter))
    data = DEFAULT.read_bytes()
    content, _, _ = one_feed(data, file=str(DEFAULT), chosen=FEED_FILTER, title=FEED_TITLE)
    target = out / "feed-command" / "feed.ics"
    target.parent.mkdir()
    target.write_bytes(content)
    files.append(target)
    events = expand(load_dataset(data, file=str(DEFAULT)).dataset)
    meant[target] = sorted(_meant(e) for e in select(events, FEED_FILTER))
    return Feeds(files=tuple(files), meant=meant)


@pytest.fixture(scope="session")
def libical_program(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return compile_libical(tmp_path_factory.mktemp("libical"))
