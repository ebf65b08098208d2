"""YAML nodes -> typed records, collecting every problem with its line and YAML path.

One small checker per part of the file, all sharing one problem collector
(`collector.py`): `values.py` walks nodes against the spec's shapes (`scalars.py` converts
each scalar), then `dataset.py` hands each section to its checker: `vocabularies.py`,
`includes.py`, `programs.py` (with `windows.py`) and `feeds.py`. `warnings.py` holds what
is valid but worth a warning.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, replace

import yaml

from deadlinecal.dataset import names
from deadlinecal.dataset.load import parse_yaml
from deadlinecal.dataset.validate.collector import KEY_EXCERPT_CHARS, Collector, at
from deadlinecal.dataset.validate.dataset import (
    DEFAULT_FOLLOW_UP_DAYS,
    DEFAULT_REFRESH_HOURS,
    check_dataset,
)
from deadlinecal.dataset.validate.includes import Include
from deadlinecal.dataset.validate.scalars import MAX_SHORT_CHARS, MAX_TEXT_CHARS
from deadlinecal.dataset.validate.warnings import warn_cut_titles, warn_stale, warn_unstated
from deadlinecal.errors import DataError, Problem, quoted
from deadlinecal.model import Dataset

__all__ = ["DEFAULT_FOLLOW_UP_DAYS", "DEFAULT_MAX_AGE_DAYS", "DEFAULT_REFRESH_HOURS",
           "KEY_EXCERPT_CHARS", "MAX_SHORT_CHARS", "MAX_TEXT_CHARS", "Include", "Loaded",
           "check_feed_employers", "load_dataset", "parse_yaml"]

DEFAULT_MAX_AGE_DAYS = 180


@dataclass(frozen=True, slots=True, kw_only=True)
class Loaded:
    """A valid dataset, the warnings found while reading it, and where some things are."""

    dataset: Dataset
    warnings: tuple[Problem, ...]
    # Each employer a named feed keeps, with where it is written: programs of other files
    # in the same build may hold it, so `check_feed_employers` looks once all are read.
    feed_employers: tuple[tuple[str, Problem], ...] = ()
    includes: tuple[Include, ...] = ()
    # Line and column of `dataset.id`'s value and of each program, for problems found once
    # several files are read (a dataset id used twice, feeds over the output budget).
    id_at: tuple[int, int] | None = None
    programs_at: tuple[tuple[int, int], ...] = ()
    size: int = 0  # bytes of the file, for the output budget (see budget.py)
    # Line and column of each declared term's key, by "tracks.<key>" and so on, for the
    # warning about a term two files declare with different titles (see combining.py).
    terms_at: tuple[tuple[str, tuple[int, int]], ...] = ()


def load_dataset(
    data: bytes, *, file: str, as_of: dt.date | None = None,
    max_age_days: int = DEFAULT_MAX_AGE_DAYS, unstated: bool = False,
) -> Loaded:
    """Parse and validate a data file.

    `as_of` enables the stale-`last_verified` warning; `unstated` the warnings about
    programs that state no eligibility or leave citizenship out (for `validate`, the editor's
    check). Raises DataError listing every problem.
    """
    root = parse_yaml(data, file=file)
    problems = Collector(file)
    checked = check_dataset(problems, root)
    if problems.errors or checked is None:
        raise DataError(problems.errors)
    dataset, nodes = checked.dataset, checked.program_nodes
    if as_of is not None:
        warn_stale(problems, dataset, nodes, as_of, max_age_days)
    if unstated:
        warn_unstated(problems, dataset, nodes)
        if not dataset.imported:  # an import's postings have titles of their own
            warn_cut_titles(problems, dataset, nodes)
    return Loaded(dataset=dataset,
                  warnings=tuple(sorted(problems.warnings, key=Problem.sort_key)),
                  feed_employers=checked.feed_employers, includes=checked.includes,
                  id_at=checked.id_at, programs_at=tuple(at(node) for node in nodes),
                  size=len(data), terms_at=_terms_at(root))


def _terms_at(root: yaml.Node) -> tuple[tuple[str, tuple[int, int]], ...]:
    """Where each term of tracks, eligibility and citizenship is declared."""
    if not isinstance(root, yaml.MappingNode):
        return ()
    return tuple((f"{name.value}.{key.value}", at(key))
                 for name, block in root.value
                 if name.value in ("tracks", "eligibility", "citizenship")
                 and isinstance(block, yaml.MappingNode)
                 for key, _ in block.value)


def check_feed_employers(loaded: Sequence[Loaded], dataset: Dataset) -> None:
    """Refuse a named feed's employer that no program of the combined `dataset` has (compared
    as `names.casefold` has them: exactly, but for case and Unicode form). Raises DataError."""
    valid = names.employers(dataset)
    problems = []
    for entry in loaded:
        for value, where in entry.feed_employers:
            if names.known(value, valid) is None:
                close = names.did_you_mean(value, valid)
                hint = f"; did you mean {close}?" if close else ""
                problems.append(replace(
                    where, message=f"{quoted(value)} is not the employer of any program{hint}",
                    expected="an employer's name as its programs write it (case and accents "
                    "may be typed differently)"))
    if problems:
        raise DataError(problems)
