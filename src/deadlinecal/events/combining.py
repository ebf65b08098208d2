"""Several datasets built together: a term two of them declare with different titles.

Each file declares its own tracks, eligibility groups and citizenship statuses. Two files
that declare the same key with the same title (compared as `names.casefold` has them) mean the
same thing, and their programs share one feed. With different titles they may not: a
posting list's `quant` ("Quant") is not the curated `quant` ("Quant ML"). Such a term is
kept apart, never merged silently: the later file's term is renamed `<key>-<dataset id>`
(its own feed, its own filter value) and the build warns where it is declared.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import TYPE_CHECKING

from deadlinecal.dataset.names import casefold
from deadlinecal.errors import Problem, quoted
from deadlinecal.events.select import ELIGIBILITY_FEEDS, TRACK_FEEDS, feed_path
from deadlinecal.model import Dataset, FeedSpec, Filter, Program, Vocabulary

if TYPE_CHECKING:
    from deadlinecal.dataset.validate import Loaded

__all__ = ["keep_apart"]

# Each vocabulary, the noun for one of its terms, and the feed each term has (if any).
_VOCABULARIES = (("tracks", "track", TRACK_FEEDS),
                 ("eligibility", "eligibility group", ELIGIBILITY_FEEDS),
                 ("citizenship", "citizenship status", ""))
Renames = dict[str, dict[str, str]]


def keep_apart(loaded: Sequence[Loaded], datasets: Sequence[Dataset]
               ) -> tuple[list[Dataset], list[Problem]]:
    """`datasets` (those of `loaded`, in order) with every term a later file declares under
    an earlier file's key but with another title renamed, and a warning for each.

    Imported posting lists count as later than every curated file whatever the order on
    the command line, so it is always the list's term that is renamed and the curated
    feeds keep their addresses in `build a.yaml postings.yaml` and the other way round.
    """
    first: dict[tuple[str, str], tuple[str, Loaded]] = {}
    taken = {(name, term.key) for dataset in datasets
             for name, _, _ in _VOCABULARIES for term in getattr(dataset, name)}
    order = sorted(range(len(datasets)), key=lambda index: bool(datasets[index].imported))
    kept: dict[int, Dataset] = {}
    warnings: list[Problem] = []
    for index in order:
        entry, dataset = loaded[index], datasets[index]
        renames: Renames = {name: {} for name, _, _ in _VOCABULARIES}
        for name, noun, pattern in _VOCABULARIES:
            for term in getattr(dataset, name):
                seen = first.setdefault((name, term.key), (term.title, entry))
                if seen[1] is entry or casefold(seen[0]) == casefold(term.title):
                    continue
                new = _free(f"{term.key}-{dataset.id}", name, taken)
                renames[name][term.key] = new
                first[(name, new)] = (term.title, entry)
                warnings.append(_warning(entry, name, term, seen, noun, new, pattern))
        kept[index] = _renamed(dataset, renames) if any(renames.values()) else dataset
    return [kept[index] for index in range(len(datasets))], warnings


def _free(key: str, name: str, taken: set[tuple[str, str]]) -> str:
    """`key`, or `key-2`, `key-3`, ... when a file declares that already."""
    candidate, number = key, 1
    while (name, candidate) in taken:
        number += 1
        candidate = f"{key}-{number}"
    taken.add((name, candidate))
    return candidate


def _warning(entry: Loaded, name: str, term: Vocabulary, seen: tuple[str, Loaded],
             noun: str, new: str, pattern: str) -> Problem:
    path = f"{name}.{term.key}"
    line, column = dict(entry.terms_at).get(path, (None, None))
    title, earlier = seen
    where = earlier.dataset.file
    earlier_line = dict(earlier.terms_at).get(path)
    if earlier_line is not None:
        where += f":{earlier_line[0]}"
    feed = f" ({feed_path(pattern, new)})" if pattern else ""
    return Problem(
        file=entry.dataset.file, line=line, column=column, path=path, severity="warning",
        message=f"{quoted(term.title)} is not the {quoted(title)} that {where} declares; "
                f"kept apart as {noun} {new!r}{feed}",
        expected="the same title in every file, to merge the two")


def _renamed(dataset: Dataset, renames: Renames) -> Dataset:
    """`dataset` with its terms, its programs' terms and its feeds' filters renamed."""
    def keys(name: str, values: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(renames[name].get(value, value) for value in values)

    def program(each: Program) -> Program:
        track = renames["tracks"].get(each.track, each.track)
        eligibility = keys("eligibility", each.eligibility)
        citizenship = keys("citizenship", each.citizenship)
        if (track, eligibility, citizenship) == (each.track, each.eligibility,
                                                 each.citizenship):
            return each
        return replace(each, track=track, eligibility=eligibility, citizenship=citizenship)

    def feed(spec: FeedSpec) -> FeedSpec:
        chosen: Filter = spec.filter
        return replace(spec, filter=replace(
            chosen, tracks=keys("tracks", chosen.tracks),
            eligibility=keys("eligibility", chosen.eligibility),
            citizenship=keys("citizenship", chosen.citizenship)))

    return replace(
        dataset,
        tracks=tuple(replace(t, key=renames["tracks"].get(t.key, t.key))
                     for t in dataset.tracks),
        eligibility=tuple(replace(g, key=renames["eligibility"].get(g.key, g.key))
                          for g in dataset.eligibility),
        citizenship=tuple(replace(c, key=renames["citizenship"].get(c.key, c.key))
                          for c in dataset.citizenship),
        programs=tuple(map(program, dataset.programs)),
        feeds=tuple(map(feed, dataset.feeds)),
    )
