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
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from deadlinecal.dataset.spec import MAX_ID_CHARS, WEB_ADDRESS
from deadlinecal.errors import DataError, Problem
from deadlinecal.model import Dataset, Program
from deadlinecal.postings.datafile import (
    DEFAULT_BUDGET_BYTES,
    DEFAULT_KEEP_CLOSED_DAYS,
    MARKER,
    Entry,
    Header,
    Settings,
    checked_text,
)
from deadlinecal.postings.feedbudget import within_budget
from deadlinecal.postings.listing import Posting, PostingList, clean, slug, term_slug
from deadlinecal.postings.trackwords import Classifier

if TYPE_CHECKING:
    from deadlinecal.site import Build

__all__ = ["DEFAULT_BUDGET_BYTES", "DEFAULT_KEEP_CLOSED_DAYS", "MARKER", "Entry", "Imported",
           "Settings", "import_list", "posting_report"]

# What dataset/validate accepts as a link.
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
# A posting without degrees: a group of its own, declared only when a posting is in it (a
# data file needs one group at least); the day entries do not repeat it as a fact.
NO_DEGREE = ("degree-not-stated", "Degree not stated by the list")
# Sponsorship values that say nothing, so they are not shown as a fact.
UNSTATED = frozenset({"other", "unknown", "n/a", ""})
# sponsorship -> who may apply; "Other" and "Offers Sponsorship" state no restriction.
SPONSORSHIP = {
    "does not offer sponsorship": ("us-citizen", "us-permanent-resident"),
    "u.s. citizenship is required": ("us-citizen",),
}


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
    titles = dict(CATEGORIES.values())
    for key, _ in settings.keywords:
        tracks.setdefault(key, titles.get(key, key))
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
                             _ranked(postings, closed, cutoff, Classifier(settings.keywords)))
    kept, sizes = within_budget(ranked, header, settings.budget_bytes, file,
                                required=len(newly) + len(held))
    # Only the terms a kept posting uses (and those an earlier import published) get a
    # feed: a declared term nothing uses would be an empty calendar.
    _drop_unused(header, kept, previous)
    sizes = {path: size for path, size in sizes.items() if _used_feed(path, header)}
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


def _drop_unused(header: Header, kept: Sequence[Entry], previous: Dataset | None) -> None:
    used_tracks = {entry.track for entry in kept}
    used_groups = {key for entry in kept for key in entry.eligibility}
    if previous is not None:
        used_tracks.update(term.key for term in previous.tracks)
        used_groups.update(term.key for term in previous.eligibility)
    header.tracks = {k: v for k, v in header.tracks.items() if k in used_tracks}
    header.eligibility = {k: v for k, v in header.eligibility.items() if k in used_groups}


def _used_feed(path: str, header: Header) -> bool:
    folder, _, name = path.rpartition("/")
    key = name.removesuffix(".ics")
    if folder == "tracks":
        return key in header.tracks
    if folder == "eligibility":
        return key in header.eligibility
    return True


def _ranked(postings: PostingList, closed: dict[int, list[tuple[str, int | Entry]]],
            cutoff: int, classifier: Classifier) -> Iterator[Entry]:
    """The recent entries, open ones first (newest first), then closed and cancelled ones
    (most recent first), by id within a day. Each is made only when it is asked for."""
    as_of = postings.as_of
    for day in sorted(postings.open_days, reverse=True):
        for _, index in sorted(postings.open_days[day]):
            yield _entry(postings.posting(index), as_of, classifier)
    for day in sorted((day for day in closed if day >= cutoff), reverse=True):
        for _, found in sorted(closed[day], key=lambda pair: pair[0]):
            yield found if isinstance(found, Entry) else _entry(postings.posting(found), as_of,
                                                                 classifier)


def _entry(posting: Posting, as_of: dt.date, classifier: Classifier) -> Entry:
    groups = []
    for degree in posting.degrees:
        key = _group(degree)[0]
        if key not in groups:
            groups.append(key)
    notes = [f"Posted {posting.posted.isoformat()} on the list"]
    lists = [("Locations: " + "; ".join(posting.locations)) if posting.locations else "",
             ("Terms: " + ", ".join(posting.terms)) if posting.terms else "",
             f"Sponsorship: {posting.sponsorship}" if posting.sponsorship
             and posting.sponsorship.casefold() not in UNSTATED else "",
             ("Degrees: " + ", ".join(posting.degrees)) if posting.degrees else ""]
    notes.extend(_cut(part) for part in lists if part)
    if not posting.active:
        notes.append("The list marks it closed")
    closes = None if posting.active else max(posting.updated or posting.posted, posting.posted)
    return Entry(
        id=posting.id,
        employer=posting.company,
        title=posting.title,
        track=(_track(posting.category)[0] if posting.category
               else classifier.track(posting.title) or UNCATEGORISED[0]),
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
    from deadlinecal.events.digest import is_broad
    from deadlinecal.ical.render import Feeds

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
    employers = []
    files = build.files
    # A feed's size without rendering it again (render.Feeds renders on each lookup).
    size_of = files.size if isinstance(files, Feeds) else lambda path: len(files[path])
    for spec in build.feeds:
        if spec.path in files:
            size = size_of(spec.path)
            if not is_broad(spec):
                employers.append((size, spec.path))
                continue
            over = "  over the budget" if size > budget else ""
            lines.append(f"  {spec.path:<40} {size // 1000:>7,} kB of {budget // 1000:,} kB"
                         f"{over}")
    if employers:
        size, path = max(employers)
        lines.append(f"  {len(employers):,} employer feeds (employers/*.ics), the largest "
                     f"{path} at {size // 1000:,} kB")
    return lines
