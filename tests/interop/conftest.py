"""Every feed the project generates, built once into a temp folder, with what we meant."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import pytest

from deadlinecal.model import Event
from deadlinecal.pipeline import build
from deadlinecal.select import select

from .adapters import Seen, compile_libical, when

ROOT = Path(__file__).resolve().parents[2]
DATASETS = (
    ROOT / "data" / "ml-internships-summer-2027.yaml",
    *sorted((Path(__file__).parent / "data").glob("*.yaml")),
)
AS_OF = dt.date(2026, 8, 1)


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
    for dataset in DATASETS:
        result = build(dataset.read_bytes(), file=str(dataset), as_of=AS_OF)
        for spec in result.feeds:
            target = out / dataset.stem / spec.path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(result.files[spec.path])
            files.append(target)
            meant[target] = sorted(_meant(e) for e in select(result.events, spec.filter))
    return Feeds(files=tuple(files), meant=meant)


@pytest.fixture(scope="session")
def libical_program(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return compile_libical(tmp_path_factory.mktemp("libical"))
