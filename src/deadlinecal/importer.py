"""Checked postings (and the previous import) -> the text of a deadlinecal data file.

Each visible posting of the chosen term becomes a program whose one window opens on the
day it was posted (an exact day, so CONFIRMED, with the usual follow-up); a posting the
list marks inactive closes on its `date_updated` day. The program id is the posting's
UUID, so importing a newer list moves events instead of adding new ones, and a program of
the previous import that is gone from the list stays, cancelled. Closed postings older
than `keep_closed_days`, and the oldest postings beyond the feed budget, are left out so a
subscribed feed stays small. Pure: the same inputs give the same bytes.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .errors import DataError, Problem
from .importfile import MARKER, Header, checked_text
from .model import Dataset, Program
from .postings import Posting, PostingList, clean, slug, term_slug
from .spec import MAX_ID_CHARS, WEB_ADDRESS

if TYPE_CHECKING:
    from .pipeline import Build

__all__ = ["MARKER", "Entry", "Imported", "Settings", "import_list", "posting_report"]

DEFAULT_KEEP_CLOSED_DAYS = 30
DEFAULT_BUDGET_BYTES = 1_000_000
# What validate.py accepts as a link.
# category -> (track key, title). The keys match the default data where the meaning does.
CATEGORIES = {
    "ai/ml/data": ("ai-ml-data", "AI, ML and data"),
    "software": ("software", "Software engineering"),
    "quant": ("quant", "Quant"),
    "hardware": ("hardware", "Hardware"),
    "product": ("product", "Product"),
}
UNCATEGORISED = ("uncategorized", "Not categorised by the list")
# degree -> (eligibility key, title); undergrad, masters and phd are the default data's keys.
DEGREES = {
    "bachelor's": ("undergrad", "Undergraduates"),
    "master's": ("masters", "Master's students"),
    "phd": ("phd", "PhD students"),
    "mba": ("mba", "MBA students"),
    "associate's": ("associate", "Associate's degree students"),
    "bootcamp": ("bootcamp", "Bootcamp students"),
    "certificate": ("certificate", "Certificate students"),
}
NO_DEGREE = ("degree-not-stated", "Degree not stated by the list")
# sponsorship -> who may apply; "Other" and "Offers Sponsorship" state no restriction.
SPONSORSHIP = {
    "does not offer sponsorship": ("us-citizen", "us-permanent-resident"),
    "u.s. citizenship is required": ("us-citizen",),
}


@dataclass(frozen=True, slots=True, kw_only=True)
class Settings:
    """How to import: names for the dataset and the limits on what the feeds carry."""

    source_name: str
    source_url: str | None = None
    dataset_id: str | None = None
    title: str | None = None
    zone: str = "America/New_York"
    keep_closed_days: int = DEFAULT_KEEP_CLOSED_DAYS
    budget_bytes: int = DEFAULT_BUDGET_BYTES


@dataclass(frozen=True, slots=True, kw_only=True)
class Entry:
    """One program of the imported file, as it will be written."""

    id: str
    employer: str
    title: str
    track: str
    eligibility: tuple[str, ...]
    citizenship: tuple[str, ...]
    link: str | None
    notes: str
    opens: dt.date
    closes: dt.date | None
    last_verified: dt.date
    cancelled: bool = False
    # Its notes were cut (see NOTE_PART_CHARS): the report says so.
    shortened: bool = False

    @property
    def last_day(self) -> dt.date:
        """The day that decides how recent it is: its closing, cancellation or opening."""
        if self.cancelled:
            return self.last_verified
        return self.closes or self.opens


@dataclass(frozen=True, slots=True, kw_only=True)
class Imported:
    """The file's bytes and what the import did, for the command's report."""

    data: bytes
    as_of: dt.date
    terms: tuple[str, ...]
    read: int
    chosen: int
    entries: tuple[Entry, ...]
    tracks: dict[str, str]
    eligibility: dict[str, str]
    left_out: tuple[tuple[str, int], ...]
    new: int
    moved: int
    cancelled: int
    feed_bytes: dict[str, int]
    # The postings skipped or left out because they could not be used, one each.
    warnings: tuple[Problem, ...] = ()


def import_list(postings: PostingList, settings: Settings, *, file: str,
                previous: Dataset | None = None) -> Imported:
    """Turn a posting list (and the previous import, if any) into a data file.

    Raises DataError when nothing would be left to write.
    """
    as_of = postings.as_of
    left_out: dict[str, int] = {}
    if postings.read > postings.chosen:
        left_out[OTHER_TERMS] = postings.read - postings.chosen
    if postings.hidden:
        left_out[HIDDEN] = postings.hidden
    if postings.unknown_close:
        left_out[UNKNOWN_CLOSE] = postings.unknown_close
    if postings.skipped:
        left_out[SKIPPED] = len(postings.skipped)
    tracks, eligibility = _vocabularies(postings)
    old = {program.id: program for program in previous.programs} if previous else {}
    gone = [_cancelled(program, previous) for program in old.values()
            if program.id not in postings.present and previous is not None
            and program.id not in postings.skipped_ids]
    # A posting skipped this time that the last import wrote is still on the list: its
    # program stays as it was, neither cancelled nor left out.
    held = [_cancelled(program, previous, cancel=False) for program in old.values()
            if program.id not in postings.present and program.id in postings.skipped_ids]
    # A posting gone since the last import is kept, cancelled, whatever its age and the
    # budget: that is how a subscribed calendar learns that it is gone.
    newly = [entry for entry in gone if not old[entry.id].cancelled]
    cancelled = len(newly)
    if previous is not None:
        _carry_terms(gone, previous, tracks, eligibility)
    cutoff = (as_of - dt.timedelta(days=settings.keep_closed_days)).toordinal()
    closed: dict[int, list[tuple[str, int | Entry]]] = {
        day: list(found) for day, found in postings.closed_days.items()}
    for entry in gone:
        if old[entry.id].cancelled:
            closed.setdefault(entry.last_day.toordinal(), []).append((entry.id, entry))
    too_old = sum(len(found) for day, found in closed.items() if day < cutoff)
    if too_old:
        left_out[closed_reason(settings.keep_closed_days, as_of)] = too_old
    recent = len(newly) + len(held) + sum(map(len, postings.open_days.values())) + sum(
        len(found) for day, found in closed.items() if day >= cutoff)
    if not recent:
        raise DataError([Problem(file=file, line=None, column=None, path="",
                                 message="no posting is left to import "
                                 f"({_left_out_text(left_out)})",
                                 expected="a list with visible postings of the chosen term")])
    settings_id = settings.dataset_id or f"postings-{term_slug(postings.terms)}"
    header = Header(settings, settings_id, postings.terms, as_of, tracks, eligibility)
    ranked = itertools.chain(sorted([*newly, *held], key=lambda entry: entry.id),
                             _ranked(postings, closed, cutoff))
    kept, sizes = _within_budget(ranked, header, settings.budget_bytes, file,
                                 required=len(newly) + len(held))
    if len(kept) < recent:
        left_out[budget_reason(settings.budget_bytes)] = recent - len(kept)
    header.record = {
        "keep_closed_days": settings.keep_closed_days, "budget_bytes": settings.budget_bytes,
        "closed": too_old, "over_budget": recent - len(kept), "hidden": postings.hidden,
        "no_close_day": postings.unknown_close,
        "other_terms": postings.read - postings.chosen}
    data, kept, dropped = checked_text(header, kept, file)
    if dropped:
        left_out[INVALID] = len(dropped)
    dropped.extend(Problem(
        file=file, line=None, column=None, path=f"posting id {entry.id}", severity="warning",
        message=f"its locations, terms or degrees are cut to {NOTE_PART_CHARS} characters "
        "each in its notes") for entry in kept if entry.shortened)
    new = sum(entry.id not in old for entry in kept)
    moved = sum(1 for entry in kept if entry.id in old and not entry.cancelled
                and _dates(old[entry.id]) != (entry.opens, entry.closes))
    return Imported(
        data=data, as_of=as_of, warnings=(*postings.skipped, *dropped), terms=postings.terms,
        read=postings.read, chosen=postings.chosen, entries=tuple(kept), tracks=tracks,
        eligibility=eligibility, left_out=tuple(left_out.items()), new=new, moved=moved,
        cancelled=cancelled, feed_bytes=sizes,
    )


def closed_reason(days: int, as_of: dt.date) -> str:
    return f"closed or cancelled more than {days} days before {as_of.isoformat()}"


def budget_reason(budget: int) -> str:
    return f"over the feed budget of {budget:,} bytes (oldest first)"


OTHER_TERMS = "of other terms (or categories)"
SKIPPED = "skipped: they cannot be used (see the warnings)"
INVALID = "left out: the data file would not accept them (see the warnings)"
# Locations, terms and degrees a posting lists are cut to this many characters each in
# its notes (a list can name hundreds): the notes stay well within what a data file takes.
NOTE_PART_CHARS = 600
HIDDEN = "hidden by the list (is_visible false)"
UNKNOWN_CLOSE = "closed on an unknown day (no date_updated)"


def _vocabularies(postings: PostingList) -> tuple[dict[str, str], dict[str, str]]:
    """The tracks and eligibility groups of the file: the usual ones, then the list's own."""
    tracks = {key: title for key, title in CATEGORIES.values()}
    tracks[UNCATEGORISED[0]] = UNCATEGORISED[1]
    eligibility = {key: DEGREES[name][1] for name, key in
                   (("bachelor's", "undergrad"), ("master's", "masters"), ("phd", "phd"))}
    eligibility[NO_DEGREE[0]] = NO_DEGREE[1]
    for raw in postings.categories:
        key, title = _track(clean(raw))
        tracks.setdefault(key, title)
    for raw in postings.degrees:
        key, title = _group(clean(raw))
        eligibility.setdefault(key, title)
    return tracks, eligibility


def _track(category: str) -> tuple[str, str]:
    return CATEGORIES.get(category.casefold(), (
        _key(category) or UNCATEGORISED[0], category or UNCATEGORISED[1]))


def _group(degree: str) -> tuple[str, str]:
    return DEGREES.get(degree.casefold(), (_key(degree) or NO_DEGREE[0], degree))


def _key(text: str) -> str:
    """A track or group key for a list's own name: its slug, cut to what a key may be."""
    return slug(text)[:MAX_ID_CHARS].strip("-")


def _cut(text: str) -> str:
    return text if len(text) <= NOTE_PART_CHARS else text[:NOTE_PART_CHARS - 1] + "…"


def _ranked(postings: PostingList, closed: dict[int, list[tuple[str, int | Entry]]],
            cutoff: int) -> Iterator[Entry]:
    """The recent entries, open ones first (newest first), then closed and cancelled ones
    (most recent first), by id within a day. Each is made only when it is asked for."""
    as_of = postings.as_of
    for day in sorted(postings.open_days, reverse=True):
        for _, index in sorted(postings.open_days[day]):
            yield _entry(postings.posting(index), as_of)
    for day in sorted((day for day in closed if day >= cutoff), reverse=True):
        for _, found in sorted(closed[day], key=lambda pair: pair[0]):
            yield found if isinstance(found, Entry) else _entry(postings.posting(found), as_of)


def _entry(posting: Posting, as_of: dt.date) -> Entry:
    groups = []
    for degree in posting.degrees:
        key = _group(degree)[0]
        if key not in groups:
            groups.append(key)
    notes = [f"Posted {posting.posted.isoformat()} on the list"]
    lists = [("Locations: " + "; ".join(posting.locations)) if posting.locations else "",
             ("Terms: " + ", ".join(posting.terms)) if posting.terms else "",
             f"Sponsorship: {posting.sponsorship}" if posting.sponsorship else "",
             ("Degrees: " + ", ".join(posting.degrees)) if posting.degrees else ""]
    notes.extend(_cut(part) for part in lists if part)
    if not posting.active:
        notes.append("The list marks it closed")
    closes = None if posting.active else max(posting.updated or posting.posted, posting.posted)
    return Entry(
        id=posting.id,
        employer=posting.company,
        title=posting.title,
        track=_track(posting.category)[0],
        eligibility=tuple(groups) or (NO_DEGREE[0],),
        citizenship=SPONSORSHIP.get(posting.sponsorship.casefold(), ()),
        link=_link(posting.url),
        notes=". ".join(notes) + ".",
        opens=posting.posted,
        closes=closes,
        last_verified=as_of,
        shortened=any(len(part) > NOTE_PART_CHARS for part in lists),
    )


def _link(url: str) -> str | None:
    """The posting's address when it is a web address, with unsafe characters encoded."""
    for char, code in ((" ", "%20"), ('"', "%22"), ("<", "%3C"), (">", "%3E"), ("\\", "%5C"),
                       ("`", "%60")):
        url = url.replace(char, code)
    return url if WEB_ADDRESS.fullmatch(url) else None


def _dates(program: Program) -> tuple[dt.date | None, dt.date | None]:
    window = program.windows[0] if program.windows else None
    if window is None:
        return None, None
    return (window.opens.earliest if window.opens else None,
            window.closes.earliest if window.closes else None)


def _cancelled(program: Program, previous: Dataset | None, *, cancel: bool = True) -> Entry:
    """A program of the previous import that the list no longer shows, kept as cancelled
    (or, with `cancel` false, as it was)."""
    opens, closes = _dates(program)
    assert previous is not None
    return Entry(
        id=program.id, employer=program.employer, title=program.program,
        track=program.track, eligibility=program.eligibility,
        citizenship=program.citizenship, link=program.link, notes=program.notes,
        opens=opens or previous.updated, closes=closes,
        # The last day the list showed it: kept as it was once it is cancelled.
        last_verified=(program.last_verified if program.cancelled or not cancel
                       else previous.updated),
        cancelled=cancel or program.cancelled,
    )


def _carry_terms(gone: Iterable[Entry], previous: Dataset, tracks: dict[str, str],
                 eligibility: dict[str, str]) -> None:
    """Declare the terms that only cancelled programs still use, with their old titles."""
    titles = {term.key: term.title for term in (*previous.tracks, *previous.eligibility)}
    for entry in gone:
        tracks.setdefault(entry.track, titles.get(entry.track, entry.track))
        for key in entry.eligibility:
            eligibility.setdefault(key, titles.get(key, key))


def _left_out_text(left_out: dict[str, int]) -> str:
    return "; ".join(f"{count:,} {reason}" for reason, count in left_out.items()) or "empty"


# -- what `build` reports -----------------------------------------------------------------


def posting_report(build: Build) -> list[str]:
    """What `build` says about the imported posting files it built: each feed's size
    against the import's budget, and what the import left out (nothing for other data)."""
    records = build.dataset.imported
    if not records:
        return []
    budget = max(record.budget_bytes for record in records)
    days = sorted({record.keep_closed_days for record in records})
    counts = [
        (sum(r.closed for r in records),
         f"closed more than {' or '.join(map(str, days))} days before the list's date"),
        (sum(r.over_budget for r in records), "over the budget (oldest first)"),
        (sum(r.hidden for r in records), "hidden by the list"),
        (sum(r.no_close_day for r in records), "closed on an unknown day"),
        (sum(r.other_terms for r in records), "of other terms or categories"),
    ]
    left = "; ".join(f"{count:,} {reason}" for count, reason in counts if count) or "nothing"
    lines = [f"Posting feeds (the import keeps each under {budget // 1000:,} kB); "
             f"the import left out: {left}."]
    for spec in build.feeds:
        if spec.path in build.files:
            size = len(build.files[spec.path])
            over = "  over the budget" if size > budget else ""
            lines.append(f"  {spec.path:<40} {size // 1000:>7,} kB of {budget // 1000:,} kB"
                         f"{over}")
    return lines


# -- the feed budget -----------------------------------------------------------------------


def _within_budget(ranked: Iterator[Entry], header: Header, budget: int, file: str, *,
                   required: int = 0) -> tuple[list[Entry], dict[str, int]]:
    """The longest run of `ranked` entries that keeps every feed within `budget` bytes, and
    the feeds' sizes then; the first `required` entries are kept even beyond the budget.

    A feed's size is its header plus the bytes of its events, and an entry's events are the
    same whichever others are kept; so each entry is rendered once, in batches a little
    larger than the estimate says will fit, and the cut is exact.
    """
    kept: list[Entry] = []
    totals: dict[str, int] | None = None
    fixed: dict[str, int] = {}
    empty = 0
    # The estimate is rough (0.5 to 0.8 of the real bytes on the lists we know): the first
    # batch fills about half the budget and calibrates it, the next one ends a bit beyond.
    scale, share = 0.65, 0.6
    while True:
        batch: list[Entry] = []
        room = budget - max(totals.values(), default=0) if totals else budget
        guess = 0.0
        for entry in ranked:
            batch.append(entry)
            guess += _estimate(entry) * scale
            if guess > room * share:
                break
        share = 1.1
        if not batch:
            break
        measured, fixed, empty = _measure(batch, header, file)
        if totals is None:
            totals = dict.fromkeys(fixed, 0)
        spent = 0
        for entry in batch:
            sizes = measured[entry.id]
            if len(kept) >= required and any(fixed[path] + totals[path] + size > budget
                                             for path, size in sizes.items()):
                return _fitted(kept, totals, fixed, empty, budget, file)
            for path, size in sizes.items():
                totals[path] += size
                spent += size if path == "all.ics" else 0
            kept.append(entry)
        scale = max(spent / max(sum(_estimate(e) for e in batch), 1), 0.05)
    assert totals is not None
    return _fitted(kept, totals, fixed, empty, budget, file)


def _fitted(kept: list[Entry], totals: dict[str, int], fixed: dict[str, int], empty: int,
            budget: int, file: str) -> tuple[list[Entry], dict[str, int]]:
    if not kept:
        raise DataError([Problem(file=file, line=None, column=None, path="",
                                 message=f"not one posting fits the feed budget of {budget:,} "
                                 "bytes", expected="a larger budget")])
    return kept, {path: fixed[path] + (totals[path] or empty) for path in fixed}


def _estimate(entry: Entry) -> int:
    """About how many bytes the entry's events take in the `all` feed."""
    events = 3 if entry.closes is not None else 2
    text = len(entry.employer) + len(entry.title)
    return events * (1200 + 3 * text + len(entry.notes) + 2 * len(entry.link or ""))


def _measure(entries: list[Entry], header: Header, file: str
             ) -> tuple[dict[str, dict[str, int]], dict[str, int], int]:
    """Render the entries' events as `build` does: the bytes each entry adds to each feed
    it is in, each feed's bytes without events, and what an empty feed adds instead."""
    from .expand import expand
    from .render import _END, Renderer, _utc_zone, header_bytes
    from .select import select, standard_feeds

    dataset = header.dataset(entries, file)
    # All of `pipeline.current_events`: the cycle of an import ends on or after its
    # `updated` day, so cancelled postings stay.
    assert dataset.updated <= dataset.cycle_ends
    events = expand(dataset)
    renderer = Renderer(dataset)
    measured: dict[str, dict[str, int]] = {entry.id: {} for entry in entries}
    fixed = {}
    for spec in standard_feeds(dataset):
        fixed[spec.path] = len(header_bytes(dataset, spec)) + len(_END)
        for event in select(events, spec.filter):
            sizes = measured[event.program.id]
            sizes[spec.path] = sizes.get(spec.path, 0) + len(renderer.event(event))
    return measured, fixed, len(_utc_zone())
