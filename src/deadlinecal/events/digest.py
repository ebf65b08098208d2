"""The events of imported postings -> entries a month view can show (pure, no I/O).

A posting list adds dozens of postings on a busy day, and a phone's month view shows three
or four entries a day. So in every broad feed (all, per track, per eligibility group,
named) the postings of one data file that open on one day become one entry, "New: …",
whose description lists each posting; `follow_up_days` later a second entry, "Apply: …",
lists those of that day still open. A day's entry keeps its UID as postings are added to
or close on that day (its SEQUENCE rises instead):

    <dataset id>.<feed key>.<YYYY-MM-DD>.new@deadlinecal      (and .apply)

where the feed key is the feed's path without `.ics`, `/` as `-`: a UID belongs to one
feed, so it never carries different content in two feeds. A posting's own events (its
opening and its follow-up, with the role in the title) keep their UIDs and go only to the
feeds of its employer (`employers/<slug>.ics`) and to filters asked for by hand.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections.abc import Iterable, Sequence

from deadlinecal.model import Dataset, Event, EventKind, FeedSpec, Program

# `Event.feed` of a posting's own events: employer feeds and hand-made filters only.
POSTING = "posting"
_EMPLOYER_PREFIX = "employers/"
# Month views show 20-30 characters of a title; the rest is still read in the entry.
MAX_TITLE = 60
_NAMED = 2
_LOCATIONS = re.compile(r"Locations: (.*?)(?:\. Terms: |\. Sponsorship: |\. Degrees: |"
                        r"\. The list marks|\.$)")
# The import's sponsorship note; "Other" says nothing, so it is not repeated.
_SPONSORSHIP = re.compile(r"Sponsorship: (.*?)(?:\. Degrees: |\. The list marks|\.$)")
_TERM_WORDS = re.compile(r"\b(?:summer|fall|spring|winter|autumn)?\s*'?20[0-9]{2}\b",
                         re.IGNORECASE)
_DEGREES = re.compile(r"Degrees: (.*?)(?:\. The list marks|\.$)")


def is_broad(spec: FeedSpec) -> bool:
    """A feed that gets the day entries rather than each posting's own events."""
    return not spec.path.startswith(_EMPLOYER_PREFIX)


def feed_key(path: str) -> str:
    """'tracks/ai-ml-data.ics' -> 'tracks-ai-ml-data': the feed's part of a day's UID."""
    return path.removesuffix(".ics").replace("/", "-")


def arrange(datasets: Sequence[Dataset], events: Sequence[Event],
            feeds: Sequence[FeedSpec], *, days_of: dict[str, dict[str, dt.date]] | None = None
            ) -> list[Event]:
    """The build's events with imported postings as day entries per broad feed.

    `datasets` are the loaded files (those with an `imported` record are posting lists),
    `events` their events, `feeds` the build's feeds. Other events are returned unchanged.
    """
    from deadlinecal.events.select import select_feeds

    listed = {id(program): dataset for dataset in datasets if dataset.imported
              for program in dataset.programs}
    if not listed:
        return list(events)
    kept: list[Event] = []
    opened: list[Event] = []
    own: list[Event] = []
    texts = _Texts()
    for event in events:
        if id(event.program) not in listed:
            kept.append(event)
            continue
        if event.kind is EventKind.OPENS:
            opened.append(event)
        if event.kind in (EventKind.OPENS, EventKind.FOLLOW_UP):
            own.append(event)
    kept.extend(distinct(own, texts))
    broad = [spec for spec in feeds if is_broad(spec)]
    chosen = select_feeds(opened, {spec.path: spec.filter for spec in broad})
    for spec in broad:
        kept.extend(_days(spec, chosen[spec.path], listed, texts))
    kept.sort(key=lambda event: event.sort_key)
    return kept


def distinct(events: Sequence[Event], texts: _Texts | None = None) -> list[Event]:
    """Postings' own events, titled by `posting_title`, no two of an employer's day alike.

    Where two would share a title, the first location tells them apart, else a number.
    """
    texts = texts or _Texts()
    made = [dataclasses.replace(event, feed=POSTING,
                                summary=_title(event, texts.role(event.program)))
            for event in events]
    for numbered in (False, True):
        groups: dict[tuple[str, dt.date, str], list[int]] = {}
        for index, event in enumerate(made):
            groups.setdefault((event.program.employer.casefold(), event.first_day,
                               event.summary), []).append(index)
        for alike in groups.values():
            if len(alike) == 1:
                continue
            alike.sort(key=lambda index: made[index].uid)
            for number, index in enumerate(alike, 1):
                event = made[index]
                place = _LOCATIONS.search(event.program.notes)
                where = (f"#{number}" if numbered else
                         place[1].split(";")[0].strip() if place else f"#{number}")
                made[index] = dataclasses.replace(
                    event, summary=_title(event, texts.role(event.program), where))
    return made


def posting_title(event: Event, where: str = "") -> str:
    """'Opens: Amazon · Data Engineer Intern': who posts it first (a phone's month view
    shows ~14-20 characters), then the role."""
    return _title(event, role(event.program), where)


def _title(event: Event, role_text: str, where: str = "") -> str:
    """`posting_title` with the program's role already worked out."""
    program = event.program
    action = "Apply" if event.kind is EventKind.FOLLOW_UP else "Opens"
    if event.cancelled:
        action = "✕ " + action
    tail = f" ({where})" if where else ""
    return _squeeze(f"{action}: {program.employer} · ", role_text, tail)


def role(program: Program) -> str:
    """The posting's title without its employer's name and the term it is for."""
    text = program.program
    if text.casefold().startswith(program.employer.casefold()):
        text = text[len(program.employer):]
    cut = _TERM_WORDS.sub(" ", text)
    cut = " ".join(cut.split()).strip(" -–—:|,/")
    cut = re.sub(r"\(\s*\)|\s+-\s+-\s+", " ", cut).strip(" -–—:|,/")
    return cut or text


def _squeeze(head: str, middle: str, tail: str) -> str:
    """`head + middle + tail` in MAX_TITLE characters, cutting `middle` so that the
    verb and employer before it and the count after it stay (or, failing that, the end)."""
    if len(head) + len(middle) + len(tail) <= MAX_TITLE:
        return head + middle + tail
    room = MAX_TITLE - len(head) - len(tail) - 1
    if room >= 4:
        return head + middle[:room].rstrip() + "…" + tail
    return _cut(head + middle + tail)


def _cut(title: str) -> str:
    """A day's title in MAX_TITLE characters: what it counts stays, the names are cut."""
    return title if len(title) <= MAX_TITLE else title[: MAX_TITLE - 1].rstrip() + "…"


def _days(spec: FeedSpec, opened: Iterable[Event], listed: dict[int, Dataset],
          texts: _Texts) -> list[Event]:
    """One "New" and one "Apply" entry per data file and day of the feed's postings."""
    by_day: dict[tuple[str, dt.date], list[Event]] = {}
    for event in opened:
        dataset = listed[id(event.program)]
        by_day.setdefault((dataset.id, event.first_day), []).append(event)
    made = []
    for (dataset_id, day), postings in by_day.items():
        dataset = listed[id(postings[0].program)]
        postings.sort(key=lambda event: (event.program.employer.casefold(),
                                         event.program.program.casefold(), event.uid))
        made.extend(_pair(spec, dataset, dataset_id, day, postings, texts))
    return made


def _pair(spec: FeedSpec, dataset: Dataset, dataset_id: str, day: dt.date,
          postings: list[Event], texts: _Texts) -> list[Event]:
    follow = day + dt.timedelta(days=dataset.follow_up_days)
    still = [event for event in postings if _open_on(event.program, follow)]
    count = len(postings)
    names = _names(postings)
    stamp = max(event.stamp for event in postings)
    key = f"{dataset_id}.{feed_key(spec.path)}.{day.isoformat()}"
    lines = [texts.line(event.program) for event in postings]
    # Who comes first: a phone's month view shows the first ~14-20 characters.
    first = postings[0].program
    new_title = (_squeeze(f"New: {first.employer} · ", texts.role(first), "") if count == 1
                 else _squeeze("New: ", names, f" ({count} postings)"))
    when = f"{day.day} {day:%b}"
    if still:
        apply_title = (_squeeze(f"Apply: {first.employer} · ", texts.role(first), "")
                       if count == 1 else
                       _squeeze("Apply: ", _names(still),
                                f" ({len(still)} of {count} from {when})"))
    else:
        apply_title = _squeeze("Closed: ", names,
                               f" ({'the posting' if count == 1 else f'all {count}'}"
                               f" from {when})")
    # Short: it is repeated in every day's two entries of every feed.
    about = f"Source: {dataset.source.name}. Each posting's own entries: employers/ feeds."
    new = _entry(
        uid=f"{key}.new@deadlinecal", kind=EventKind.OPENS, spec=spec, start=day,
        summary=new_title, stamp=stamp, about=about,
        details="\n".join([f"{_count(count)} posted on {day.isoformat()}; apply within "
                           f"{dataset.follow_up_days} days:", *lines]))
    closed = count - len(still)
    follow_details = (f"{len(still)} of the {_count(count)} posted on {day.isoformat()} "
                      f"{'are' if len(still) != 1 else 'is'} still open"
                      + (f" ({closed} closed)" if closed else "") + ":")
    apply = _entry(
        uid=f"{key}.apply@deadlinecal", kind=EventKind.FOLLOW_UP, spec=spec, start=follow,
        summary=apply_title, stamp=stamp, about=about,
        details="\n".join([follow_details, *(texts.line(event.program, brief=True)
                                              for event in still)]))
    return [new, apply]


def _entry(*, uid: str, kind: EventKind, spec: FeedSpec, start: dt.date, summary: str,
           stamp: dt.datetime, about: str, details: str) -> Event:
    program = Program(id=uid.split("@", 1)[0], employer="", program=summary, track="",
                      last_verified=stamp.date())
    return Event(uid=uid, kind=kind, program=program, window=None, summary=summary,
                 details=details, about=about, start=start,
                 end=start + dt.timedelta(days=1), confirmed=True, categories=(),
                 url=None, stamp=stamp, feed=spec.path)


def _count(count: int) -> str:
    return f"{count} posting" if count == 1 else f"{count} postings"


def _names(postings: Sequence[Event]) -> str:
    """The employers with most postings among them, then how many others."""
    counts: dict[str, int] = {}
    for event in postings:
        counts[event.program.employer] = counts.get(event.program.employer, 0) + 1
    ranked = sorted(counts, key=lambda name: (-counts[name], name.casefold()))
    shown = ", ".join(ranked[:_NAMED])
    return shown + (f" +{len(ranked) - _NAMED}" if len(ranked) > _NAMED else "")


def _open_on(program: Program, day: dt.date) -> bool:
    if program.cancelled:
        return False
    for window in program.windows:
        if window.cancelled:
            continue
        if window.closes is None or window.closes.earliest >= day:
            return True
    return False


def posting_line(program: Program, *, brief: bool = False) -> str:
    """One posting in a day's entry: who, what, where, what the list says, the link; only
    who, what and the link when `brief` (the "Apply" entry: the "New" one said the rest)."""
    parts = [f"• {program.employer}: {program.program}"]
    if brief:
        return " — ".join([*parts, program.link] if program.link else parts)
    locations = _LOCATIONS.search(program.notes)
    if locations:
        parts.append(locations[1])
    degrees = _DEGREES.search(program.notes)
    if degrees:
        parts.append(degrees[1])
    sponsorship = _SPONSORSHIP.search(program.notes)
    if sponsorship and sponsorship[1].casefold() != "other":
        parts.append(sponsorship[1])
    if program.link:
        parts.append(program.link)
    return " — ".join(parts)


class _Texts:
    """A posting's role and lines, worked out once: a posting is in several broad feeds,
    and its own events share its program. Keyed by the program's identity, for one call of
    `arrange` (or `distinct`), while every program is alive."""

    __slots__ = ("_lines", "_roles")

    def __init__(self) -> None:
        self._lines: dict[tuple[int, bool], str] = {}
        self._roles: dict[int, str] = {}

    def role(self, program: Program) -> str:
        found = self._roles.get(id(program))
        if found is None:
            found = self._roles[id(program)] = role(program)
        return found

    def line(self, program: Program, *, brief: bool = False) -> str:
        key = (id(program), brief)
        found = self._lines.get(key)
        if found is None:
            found = self._lines[key] = posting_line(program, brief=brief)
        return found
