"""Confirm curated estimates from imported postings.

A curated program may say how to recognise its postings (`postings: {employer, title}`).
When a posting list is built together with it (or `import --confirm` edits its file),
the program's first window with an estimated opening opens instead on the day of the first
matching posting: the same UIDs, now CONFIRMED, so subscribers see the entry move. Only
postings dated within the curated dataset's cycle, and not after the window closes, count.
"""

from __future__ import annotations

import codecs
import dataclasses
import datetime as dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import yaml

from . import dates
from .errors import DataError, OutputError, Problem
from .model import Dataset, FuzzyDate, PostingPattern, Precision, Program, Window

if TYPE_CHECKING:
    from .pipeline import Read
    from .validate import Include

# The loader parse_yaml builds on: its positions are the ones the nodes carry.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


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


@dataclass(frozen=True, slots=True, kw_only=True)
class Confirmed:
    """A curated file's new bytes (the old ones when nothing matched) and what changed."""

    data: bytes
    found: tuple[Confirmation, ...]


def confirm_file(data: bytes, *, file: str, candidates: Iterable[Candidate],
                 read: Read) -> Confirmed:
    """The curated file `file` (its bytes `data`) with the openings `candidates` confirm.

    The new text is checked as `build` checks the file (the same validator; its includes
    are read with `read`), and must say what the records say, before it is returned.
    Raises DataError (the file or its new text is invalid) or OutputError (a value written
    in a way this edit cannot replace).
    """
    from .pipeline import load_selection
    from .validate import load_dataset

    dataset = load_dataset(data, file=file).dataset
    found = tuple(confirmations(dataset, candidates))
    if not found:
        return Confirmed(data=data, found=found)
    new = rewrite(data, file=file, found=found)

    def edited(path: str, included_by: Include | None = None, /) -> bytes:
        if included_by is None and path == file:
            return new
        return read(path) if included_by is None else read(path, included_by)

    try:
        load_selection([file], edited)
    except DataError as exc:
        raise DataError([*exc.problems, Problem(
            file=file, line=None, column=None, path="",
            message="with the confirmed openings written in, `build` would refuse the file, "
            "so it is not edited", expected="a file `build` accepts on its own")]) from None
    rewritten = {p.id: p for p in load_dataset(new, file=file).dataset.programs}
    for c in found:
        opens = rewritten[c.program_id].windows[c.index].opens
        if opens is None or not opens.exact or opens.earliest != c.posting.day:
            raise OutputError(f"cannot rewrite the opens of {c.program_id} in {file}; "
                              f"write opens: \"{c.posting.day.isoformat()}\" by hand")
    return Confirmed(data=new, found=found)


def rewrite(data: bytes, *, file: str, found: Sequence[Confirmation]) -> bytes:
    """The curated file's bytes with each confirmed `opens:` value replaced, nothing else.

    Comments, line breaks, quoting and a byte order mark elsewhere stay byte for byte: the
    parser's events give each value's exact span, however it is written (over several
    lines, after a comment holding a YAML line break such as U+2028). Raises DataError when
    the file cannot be parsed.
    """
    from .load import parse_yaml

    if not found:
        return data
    root = parse_yaml(data, file=file)
    programs = _value(root, "programs")
    wanted: dict[tuple[int, int], str] = {}
    by_program = {c.program_id: c for c in found}
    for program in programs.value if isinstance(programs, yaml.SequenceNode) else ():
        ident = _value(program, "id")
        confirmation = by_program.get(ident.value if isinstance(ident, yaml.ScalarNode) else "")
        windows = _value(program, "windows")
        if confirmation is None or not isinstance(windows, yaml.SequenceNode):
            continue
        opens = _value(windows.value[confirmation.index], "opens")
        if isinstance(opens, yaml.ScalarNode):
            where = (opens.start_mark.line, opens.start_mark.column)
            wanted[where] = f'"{confirmation.posting.day.isoformat()}"'
    bom = codecs.BOM_UTF8 if data.startswith(codecs.BOM_UTF8) else b""
    text = data[len(bom):].decode("utf-8")  # what parse_yaml read: positions match
    for start, end, replacement in reversed(_spans(text, wanted)):
        text = text[:start] + replacement + text[end:]
    return bom + text.encode("utf-8")


def _spans(text: str, wanted: dict[tuple[int, int], str]) -> list[tuple[int, int, str]]:
    """(start, end, replacement) of each scalar starting at a wanted (line, column).

    Only for text parse_yaml accepted (its limits hold), so the plain parser may read it.
    The end of a block scalar (`|`, `>`) takes the line breaks after it; they stay.
    """
    spans = []
    for event in yaml.parse(text, Loader=_LOADER):
        first, last = event.start_mark, event.end_mark
        if not isinstance(event, yaml.ScalarEvent) or first is None or last is None:
            continue
        replacement = wanted.get((first.line, first.column))
        if replacement is not None:
            start, end = first.index, last.index
            if event.style in ("|", ">"):
                end = start + len(text[start:end].rstrip())
            spans.append((start, end, replacement))
    return spans


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


def _value(node: yaml.Node | None, key: str) -> yaml.Node | None:
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            if key_node.value == key:
                return value_node  # type: ignore[no-any-return]
    return None
