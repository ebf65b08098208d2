"""Ended calendars: a feed the previous build published that the data no longer produces.

A feed address once published keeps answering (a 404 is a subscription silently lost).
When a track, an eligibility group or a named feed leaves the data, or an employer's last
posting leaves an imported list, its file (`tracks/quant.ics`, `employers/<slug>.ics`, ...)
is written again as an *ended* calendar: the events it held, cancelled (STATUS:CANCELLED,
SEQUENCE + 1, as `history.cancelled_copy` makes them), and one notice saying that the
calendar ended and to subscribe to all.ics instead. Personal feeds under picked/ have their
own record and their own ended files (published.py on the picker's side).

The record is the previous feeds themselves, which a build reads already (a fresh clone has
them, committed): a file is ended when it holds its notice, whose UID derives from the
address alone (`notice_uid`). The notice keeps the day the calendar ended (the data's
`updated` day of the build that ended it), so a rebuild writes the same bytes.

An ended file's cancelled copies are no history for the events the live feeds hold (they
would be revised for nothing): `sort_out` leaves them out of what the build revises
against. When the address is produced again, its cancelled copies count again, so the
events it holds continue above the cancellation (history.latest prefers a cancelled
revision at the same SEQUENCE); the notice, no longer held, goes to the ledger.

Pure: no filesystem, no clock.
"""

from __future__ import annotations

import datetime as dt
import fnmatch
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from deadlinecal.events.select import ALL_FEED, FEED_PATTERNS, select_feeds
from deadlinecal.ical.render import PRODID
from deadlinecal.model import Dataset, Event, FeedSpec

if TYPE_CHECKING:
    from deadlinecal.history import Seen

# How the notice's title begins: what happened, then what to do.
NOTICE_TITLE = "Calendar ended: switch to "
_SUFFIX = ".ended@deadlinecal"
# Where ended calendars can be: every standard feed's place (never picked/).
def _standard_place(path: str) -> bool:
    """Whether `path` is where a standard feed lives (`tracks/x.ics`, never `picked/`): one
    name per `*` of FEED_PATTERNS, as output's layout places files."""
    parts = path.split("/")
    return not any(part.startswith(".") or not part for part in parts) and any(
        len(pattern.split("/")) == len(parts)
        and all(map(fnmatch.fnmatchcase, parts, pattern.split("/")))
        for pattern in FEED_PATTERNS)


_ZONE = re.compile(rb"^BEGIN:VTIMEZONE\r?\n.*?^END:VTIMEZONE\r?\n", re.M | re.S)
_DAY = re.compile(r"^DTSTART;VALUE=DATE:([0-9]{8})\r?$", re.M)
_ENDED = " (ended)"
# What is gone from the data, by the folder of the address.
_WHAT = {"tracks": "the track", "eligibility": "the eligibility group",
         "feeds": "the feed", "employers": "any posting of this employer"}


def ended_paths(files: Iterable[str], feeds: Iterable[FeedSpec]) -> list[str]:
    """The ended calendars among a build's `files`: its standard feeds' places it writes
    with no feed of the data there."""
    live = {spec.path for spec in feeds}
    return sorted(path for path in files if path not in live and _standard_place(path))


def notice_uid(dataset: Dataset, path: str) -> str:
    """The UID of an ended address's notice: derived from the address, so it never changes
    ("<dataset id>.tracks.quant.ended@deadlinecal", as picked/ addresses have)."""
    return f"{dataset.id}.{_name(path)}{_SUFFIX}"


@dataclass(frozen=True, slots=True, kw_only=True)
class Endings:
    """The previous feeds sorted out: what to revise against, and what has ended."""

    # `previous` without the ended files' cancelled copies (see the module docstring).
    history: Mapping[str, bytes] | None
    # Each feed address no longer produced: its path in the folder and its previous bytes.
    ended: tuple[tuple[str, bytes], ...] = ()


def sort_out(previous: Mapping[str, bytes] | None, folder: str,
             feeds: Sequence[FeedSpec], events: Sequence[Event]) -> Endings:
    """Which previous feeds (keyed `<folder>/<path>`, or `<path>` when `folder` is "") ended
    and which came back, and the previous files to revise the build's events against."""
    if not previous:
        return Endings(history=previous)
    prefix = f"{folder}/" if folder else ""
    live = {spec.path: spec for spec in feeds}
    history = dict(previous)
    ended = []
    back: dict[str, str] = {}
    for key, content in previous.items():
        path = key[len(prefix):] if key.startswith(prefix) else None
        if path is None or not _standard_place(path) or not _ours(content):
            continue
        already = _notice_of(content, path) is not None
        if path not in live:
            ended.append((path, content))
            if already:
                del history[key]
        elif already:
            back[path] = key
    if back:
        # Back again: its cancelled copies count for the events it holds, and for those no
        # feed holds; an event another feed holds live carries on from there.
        live_uids = {event.uid for event in events}
        chosen = select_feeds(events, {path: live[path].filter for path in back})
        for path, key in back.items():
            held = {event.uid for event in chosen[path]}
            history[key] = _only(previous[key], live_uids - held)
    return Endings(history=history, ended=tuple(sorted(ended)))


def ended_files(dataset: Dataset, endings: Endings,
                retired: Mapping[str, Seen]) -> dict[str, bytes]:
    """Each ended address's file, by its path in the folder. `retired`: the revisions no
    feed holds (a notice dropped when its address came back continues its SEQUENCE)."""
    return {path: ended_file(dataset, path, content, retired)
            for path, content in endings.ended}


def ended_file(dataset: Dataset, path: str, previous: bytes,
               retired: Mapping[str, Seen] | None = None) -> bytes:
    """The file of the ended address `path`: `previous`'s events cancelled, and a notice."""
    from deadlinecal import history
    from deadlinecal.events.expand import CANCELLED_MARK
    from deadlinecal.ical import fastical
    from deadlinecal.ical.render import feed_url, header_bytes

    updated = dt.datetime.combine(dataset.updated, dt.time(), tzinfo=dt.UTC)
    try:
        # A stamp later than a year after the data's day is not believed (history.horizon).
        held = history.read_feed(previous, not_after=updated + dt.timedelta(days=366))
    except ValueError:  # not iCalendar: nothing to cancel, the notice alone
        held = {}
    uid = notice_uid(dataset, path)
    notice = _notice_of(previous, path, held)
    day = _day(notice) or dataset.updated
    # A notice dated after the data's day was not written by a build of it.
    day = min(day, dataset.updated)
    when = dt.datetime.combine(day, dt.time(), tzinfo=dt.UTC)
    instead = feed_url(dataset.base_url, ALL_FEED) if dataset.base_url else ALL_FEED
    name = _calendar_name(previous) or f"{dataset.title}: {_key(path)}"
    name = name if name.endswith(_ENDED) else name + _ENDED
    gone = _gone(path)
    spec = FeedSpec(path=path, title=name,
                    description=f"This calendar ended: the data no longer has {gone}. "
                    f"Subscribe to {instead} (every program) instead.")
    parts = [header_bytes(dataset, spec)]
    parts += _ZONE.findall(previous)
    parts += [history.cancelled_copy(seen, when, CANCELLED_MARK)
              for event_uid, seen in held.items() if not event_uid.endswith(_SUFFIX)]
    text = fastical.text
    stamp = f"{when:%Y%m%dT%H%M%SZ}"
    lines = [
        "BEGIN:VEVENT",
        f"SUMMARY:{text(NOTICE_TITLE + ALL_FEED)}",
        f"DTSTART;VALUE=DATE:{day:%Y%m%d}",
        f"DTEND;VALUE=DATE:{day + dt.timedelta(days=1):%Y%m%d}",
        f"DTSTAMP:{stamp}",
        f"UID:{text(uid)}",
        "SEQUENCE:0",
        "DESCRIPTION:" + text(
            f"This calendar ({name.removesuffix(_ENDED)}) ended on {day.isoformat()}: the "
            f"data no longer has {gone}, so its events are cancelled and no new ones will "
            f"come. Subscribe to {instead} (every program) instead; the page lists every "
            "calendar."),
        f"LAST-MODIFIED:{stamp}",
        "STATUS:CONFIRMED",
        "TRANSP:TRANSPARENT",
        *([f"URL:{instead}"] if dataset.base_url else []),
        "END:VEVENT",
    ]
    made = b"".join(fastical.fold(line) + b"\r\n" for line in lines)
    earlier = [seen for seen in (held.get(uid), (retired or {}).get(uid)) if seen is not None]
    parts.append(_revised(made, earlier, when))
    parts.append(b"END:VCALENDAR\r\n")
    return b"".join(parts)


def _revised(notice: bytes, earlier: Sequence[Seen], when: dt.datetime) -> bytes:
    """The notice as published before when unchanged; else its next revision, after it."""
    from deadlinecal import history

    if not earlier:
        return notice
    last = max(earlier, key=lambda seen: seen.sequence)
    if history.content_of(notice) == last.content:
        return last.block if last.block.endswith(b"\r\n") else last.block + b"\r\n"
    sequence = min(last.sequence + 1, history.MAX_SEQUENCE)
    before = [stamp for stamp in (last.modified, last.stamp) if stamp is not None]
    moment = max([when, *(stamp + dt.timedelta(seconds=1) for stamp in before)])
    stamp = f"{moment:%Y%m%dT%H%M%SZ}".encode()
    old = f"{when:%Y%m%dT%H%M%SZ}".encode()
    return (notice.replace(b"\r\nSEQUENCE:0\r\n", f"\r\nSEQUENCE:{sequence}\r\n".encode(), 1)
            .replace(b"\r\nDTSTAMP:" + old, b"\r\nDTSTAMP:" + stamp, 1)
            .replace(b"\r\nLAST-MODIFIED:" + old, b"\r\nLAST-MODIFIED:" + stamp, 1))


def _notice_of(content: bytes, path: str, held: Mapping[str, Seen] | None = None
               ) -> Seen | None:
    """The notice an ended file at `path` holds (whatever dataset id it names), or None."""
    if held is None:
        # Every notice's title begins so, on its first line (never folded that early).
        if f"\nSUMMARY:{NOTICE_TITLE}".encode() not in content:
            return None
        from deadlinecal import history

        try:
            held = history.read_feed(content)
        except ValueError:
            return None
    suffix = f".{_name(path)}{_SUFFIX}"
    return next((seen for uid, seen in held.items() if uid.endswith(suffix)), None)


def _ours(content: bytes) -> bool:
    """Whether a file is a feed a build wrote (as output.recognise judges it): a file
    someone put in a feed's place is theirs, never ended nor replaced."""
    head = content[:4096]
    return (head.lstrip().upper().startswith(b"BEGIN:VCALENDAR")
            and f"\nPRODID:{PRODID}\r".encode() in head)


def _only(content: bytes, dropped: set[str]) -> bytes:
    """`content` without the events whose UID is in `dropped` (for reading history)."""
    from deadlinecal import history

    try:
        held = history.read_feed(content)
    except ValueError:
        return content
    kept = [seen.block for uid, seen in held.items() if uid not in dropped]
    return b"BEGIN:VCALENDAR\r\n" + b"".join(kept) + b"END:VCALENDAR\r\n"


def _day(notice: Seen | None) -> dt.date | None:
    """The day an ended calendar's notice is dated: the day it ended."""
    if notice is None:
        return None
    found = _DAY.search(notice.block.decode("utf-8", "replace"))
    try:
        return dt.datetime.strptime(found[1], "%Y%m%d").date() if found else None
    except ValueError:
        return None


def _calendar_name(content: bytes) -> str | None:
    """The X-WR-CALNAME of a feed, unescaped, or None."""
    cut = content.find(b"\nBEGIN:V", 1)
    header = (content if cut < 0 else content[:cut]).decode("utf-8", "replace")
    header = re.sub(r"\r?\n[ \t]", "", header)
    found = re.search(r"^X-WR-CALNAME:(.*?)\r?$", header, re.M)
    if found is None or not found[1].strip():
        return None
    return re.sub(r"\\([\\;,nN])", lambda m: "\n" if m[1] in "nN" else m[1], found[1])


def _name(path: str) -> str:
    """The address in a UID: "tracks/quant.ics" -> "tracks.quant"."""
    return path.removesuffix(".ics").replace("/", ".")


def _key(path: str) -> str:
    return path.rsplit("/", 1)[-1].removesuffix(".ics")


def _gone(path: str) -> str:
    """What the data no longer has, in words: "the track “quant”"."""
    folder = path.split("/", 1)[0] if "/" in path else ""
    what = _WHAT.get(folder)
    if what is None:
        return "this calendar"
    return what if folder == "employers" else f"{what} “{_key(path)}”"
