"""Confirm curated estimates from imported postings.

A curated program may say how to recognise its postings (`postings: {employer, title}`).
When a posting list is built together with it (or `import --confirm` edits its file),
the program's first window with an estimated opening opens instead on the day of the first
matching posting: the same UIDs, now CONFIRMED, so subscribers see the entry move. Only
postings dated within the curated dataset's cycle, and not after the window closes, count.
Pure records in, records out; editing the curated file's text is confirmfile.py's.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from deadlinecal.dataset import dates
from deadlinecal.model import Dataset, FuzzyDate, PostingPattern, Precision, Program, Window


@dataclass(frozen=True, slots=True, kw_only=True)
class Candidate:
    """A posting that can confirm an opening: who posted what, on which day."""

    employer: str
    title: str
    day: dt.date


@dataclass(frozen=True, slots=True, kw_only=True)
class Confirmation:
    """Program `program_id`'s window `index` opens on `posting.day` (it was estimated)."""

    program_id: str
    index: int
    posting: Candidate
    was: str


class _Index:
    """Candidates by employer (case folded), each list sorted by day."""

    def __init__(self, candidates: Iterable[Candidate]) -> None:
        self.by_employer: dict[str, list[Candidate]] = {}
        for candidate in candidates:
            self.by_employer.setdefault(candidate.employer.casefold(), []).append(candidate)
        for found in self.by_employer.values():
            found.sort(key=lambda c: (c.day, c.title))

    def first(self, pattern: PostingPattern, earliest: dt.date,
              latest: dt.date) -> Candidate | None:
        titles = _title_pattern(pattern.titles)
        matches = [candidate for employer in pattern.employers
                   for candidate in self.by_employer.get(employer.casefold(), ())
                   if earliest <= candidate.day <= latest
                   and (titles is None or titles.search(candidate.title))]
        return min(matches, key=lambda c: (c.day, c.title), default=None)


def confirmations(dataset: Dataset, candidates: Iterable[Candidate]) -> list[Confirmation]:
    """What the candidates confirm in `dataset`: at most one window per program."""
    index = _Index(candidates)
    found = []
    for program in dataset.programs:
        if program.postings is None or program.cancelled:
            continue
        for number, window in enumerate(program.windows):
            opens = window.opens
            if opens is None or opens.exact or window.cancelled:
                continue
            latest = min([dataset.cycle_ends, *(when.latest for when in
                                                (window.closes, window.deadline) if when)])
            match = index.first(program.postings, dataset.cycle_starts, latest)
            if match is not None:
                found.append(Confirmation(program_id=program.id, index=number,
                                          posting=match, was=opens.wording))
            break
    return found


def confirm_datasets(datasets: Sequence[Dataset]) -> list[Dataset]:
    """Each dataset with the openings that the other datasets' postings confirm.

    A posting is a program with an exact, uncancelled opening in another dataset.
    """
    if len(datasets) < 2 or not any(p.postings for d in datasets for p in d.programs):
        return list(datasets)
    confirmed = []
    for dataset in datasets:
        if not any(program.postings for program in dataset.programs):
            confirmed.append(dataset)
            continue
        candidates = [candidate for other in datasets if other is not dataset
                      for candidate in _candidates(other.programs)]
        confirmed.append(apply(dataset, confirmations(dataset, candidates)))
    return confirmed


def apply(dataset: Dataset, found: Sequence[Confirmation]) -> Dataset:
    """`dataset` with each confirmed window opening on its posting's day."""
    if not found:
        return dataset
    by_program = {c.program_id: c for c in found}
    programs = []
    for program in dataset.programs:
        confirmation = by_program.get(program.id)
        if confirmation is not None:
            program = _confirmed(program, confirmation)
        programs.append(program)
    return dataclasses.replace(dataset, programs=tuple(programs))


def _candidates(programs: Iterable[Program]) -> Iterable[Candidate]:
    for program in programs:
        if program.cancelled or program.postings is not None:
            continue
        for window in program.windows:
            if window.opens is not None and window.opens.exact and not window.cancelled:
                yield Candidate(employer=program.employer, title=program.program,
                                day=window.opens.earliest)


def _confirmed(program: Program, confirmation: Confirmation) -> Program:
    day = confirmation.posting.day
    windows = list(program.windows)
    window: Window = windows[confirmation.index]
    note = (f"Opening confirmed by the posting \u201c{confirmation.posting.title}\u201d of "
            f"{dates.human_day(day)} (estimated before: {confirmation.was}).")
    windows[confirmation.index] = dataclasses.replace(
        window,
        opens=FuzzyDate(earliest=day, latest=day, precision=Precision.DAY, approximate=False,
                        wording=dates.human_day(day)),
        note=f"{window.note} {note}".strip(),
    )
    return dataclasses.replace(program, windows=tuple(windows))


def _title_pattern(titles: Sequence[str]) -> re.Pattern[str] | None:
    if not titles:
        return None
    # Escaped alternatives only: a data file cannot make this search slow.
    return re.compile("|".join(rf"\b{re.escape(title)}\b" for title in titles),
                      re.IGNORECASE)


