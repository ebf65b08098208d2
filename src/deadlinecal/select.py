"""Which programs and events each feed keeps: plain predicates, no file formats."""

from __future__ import annotations

from collections.abc import Iterable

from .model import Dataset, Event, FeedSpec, Filter, Program


def program_matches(program: Program, chosen: Filter) -> bool:
    """OR within one field of the filter, AND across fields."""
    if chosen.tracks and program.track not in chosen.tracks:
        return False
    if chosen.eligibility and not set(program.eligibility) & set(chosen.eligibility):
        return False
    if chosen.employers and not any(
        employer_matches(program.employer, name) for name in chosen.employers
    ):
        return False
    # A program without a citizenship rule is open to everyone.
    return not (
        chosen.citizenship
        and program.citizenship
        and not set(program.citizenship) & set(chosen.citizenship)
    )


def select(events: Iterable[Event], chosen: Filter) -> list[Event]:
    """The events a filter keeps, in their original order."""
    if chosen.is_empty:
        return list(events)
    # Keyed by the record itself, not its id: two included datasets may reuse a program id.
    verdicts: dict[int, bool] = {}
    kept = []
    dated = chosen.date_from is not None or chosen.date_until is not None
    for event in events:
        program_key = id(event.program)
        keep = verdicts.get(program_key)
        if keep is None:
            keep = verdicts[program_key] = program_matches(event.program, chosen)
        if keep and (event.confirmed or not chosen.confirmed_only) and (
                not dated or in_range(event, chosen)):
            kept.append(event)
    return kept


def in_range(event: Event, chosen: Filter) -> bool:
    """True when the event touches the filter's days (`date_from`..`date_until`, inclusive)."""
    first = event.first_day
    # An estimate touches every day it may fall on; a watch-list entry the whole cycle.
    last = event.last_day
    if chosen.date_from is not None and last < chosen.date_from:
        return False
    return not (chosen.date_until is not None and first > chosen.date_until)


def standard_feeds(dataset: Dataset) -> tuple[FeedSpec, ...]:
    """all.ics, one feed per track, one per eligibility group, then the dataset's own feeds."""
    feeds = [FeedSpec(
        path="all.ics",
        title=dataset.title,
        description=f"Every program in {dataset.title}.",
    )]
    for track in dataset.tracks:
        feeds.append(FeedSpec(
            path=f"tracks/{track.key}.ics",
            title=f"{dataset.title}: {track.title}",
            description=f"{track.title} programs. {track.description}".strip(),
            filter=Filter(tracks=(track.key,)),
        ))
    for group in dataset.eligibility:
        feeds.append(FeedSpec(
            path=f"eligibility/{group.key}.ics",
            title=f"{dataset.title}: for {group.title}",
            description=f"Programs open to {group.title}. {group.description}".strip(),
            filter=Filter(eligibility=(group.key,)),
        ))
    for named in dataset.feeds:
        feeds.append(FeedSpec(
            path=named.path,
            title=f"{dataset.title}: {named.title}",
            description=named.description or named.title,
            filter=named.filter,
        ))
    return tuple(feeds)


def employer_matches(employer: str, wanted: str) -> bool:
    """Case-insensitive part of the name: "Ai2" finds "Allen Institute for AI (Ai2)"."""
    return wanted.casefold() in employer.casefold()


def check_filter(chosen: Filter, dataset: Dataset) -> None:
    """Refuse filter terms the dataset does not declare. Raises FilterError."""
    import difflib

    from .errors import FilterError

    checks = (
        ("--track", chosen.tracks, [t.key for t in dataset.tracks]),
        ("--eligibility", chosen.eligibility, [g.key for g in dataset.eligibility]),
        ("--citizenship", chosen.citizenship, [c.key for c in dataset.citizenship]),
        ("--employer", chosen.employers, sorted({p.employer for p in dataset.programs})),
    )
    for option, given, valid in checks:
        folded = {v.casefold() for v in valid}
        for value in given:
            if value.casefold() in folded or (
                option == "--employer" and any(employer_matches(v, value) for v in valid)
            ):
                continue
            close = difflib.get_close_matches(value, valid, n=1)
            hint = f" Did you mean {close[0]!r}?" if close else ""
            raise FilterError(f"{option} {value!r} is not in this dataset.{hint} "
                              f"Valid: {', '.join(valid) or 'none declared'}.")
