"""Retired revisions: the last revision published of every event a build no longer holds.

Subscribers keep an event's highest SEQUENCE; an event that is dropped and comes back must
continue from there, so the build remembers what it dropped. That memory lives beside the
feeds in a file that is published and committed with them (PATH, deliberately not hidden
and not gitignored): a fresh clone or a CI checkout has it, where the gitignored build
record would be missing. `feed -o FILE` keeps the same thing in a hidden file beside FILE
(`sidecar`). The bytes depend on nothing but the retired revisions (sorted keys, no clock),
so an unchanged rebuild leaves the file as it was and `build --check` can compare it.

Anyone can edit it, so its numbers are checked as a feed's are (history): a sequence that
is not an integer from 0 to MAX_SEQUENCE drops its entry, and a stamp that is not an aware
date-time, or later than the data's horizon (`believed`), is dropped; each is a warning.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

from deadlinecal.errors import Problem

if TYPE_CHECKING:  # imported where used: a build that retires nothing never needs it
    from deadlinecal.history import Seen

PATH = "deadlinecal-retired.json"
# The first entry of every ledger: how a build knows the file as its own.
_KIND = "retired revisions"
MARKER = b'"deadlinecal": "retired revisions"'
# A ledger larger than this is not read (it lists a cycle's dropped events, a few MB at most).
MAX_BYTES = 64 * 1024 * 1024
# How many entries that cannot be trusted a warning names one by one.
_SHOWN = 5


def encode(retired: Mapping[str, Seen]) -> bytes:
    """The ledger of `retired` (UID -> its last published revision), byte-stable."""
    return (json.dumps({"deadlinecal": _KIND, "events": to_json(retired)}, indent=1,
                       sort_keys=True) + "\n").encode()


def decode(content: bytes, complaints: list[tuple[str, str]] | None = None
           ) -> dict[str, Seen] | None:
    """The retired revisions in a ledger; None when it is not one (broken or foreign).

    An entry or value that cannot be trusted is left out (see `from_json`).
    """
    if len(content) > MAX_BYTES:
        return None
    try:
        raw = json.loads(content, parse_constant=_refuse)
    except (ValueError, RecursionError):
        return None
    if not isinstance(raw, dict) or raw.get("deadlinecal") != _KIND:
        return None
    return from_json(raw.get("events"), complaints)


def recognise(head: bytes) -> bool:
    """Whether a file starting with `head` is a ledger a build wrote."""
    return head.startswith(b"{") and MARKER in head


def sidecar(path: Path) -> Path:
    """Where `feed -o path` keeps the revisions it dropped: `.NAME.deadlinecal.json`."""
    return path.with_name(f".{path.name}.deadlinecal.json")


def to_json(retired: Mapping[str, Seen]) -> dict[str, Any]:
    return {uid: {"sequence": seen.sequence, "stamp": _iso(seen.stamp),
                  "modified": _iso(seen.modified), "content": list(seen.content)}
            for uid, seen in sorted(retired.items())}


def from_json(raw: object, complaints: list[tuple[str, str]] | None = None
              ) -> dict[str, Seen]:
    """Retired revisions as `to_json` wrote them. The file is anyone's to edit: an entry
    whose sequence is not an integer from 0 to MAX_SEQUENCE (RFC 5545's INTEGER) is left
    out, so it can never lower a SEQUENCE a feed holds; a stamp that is not an ISO date-time
    with its UTC offset is treated as absent. Each is added to `complaints` as (where in
    the file, what is wrong)."""
    retired: dict[str, Seen] = {}
    if not isinstance(raw, dict) or not raw:
        return retired  # nothing retired: history (and icalendar) is not imported
    from deadlinecal.history import MAX_SEQUENCE, Seen

    def complain(where: str, message: str) -> None:
        if complaints is not None:
            complaints.append((where, message))

    for uid, entry in raw.items():
        where = f"events[{_excerpt(uid)}]"
        if not isinstance(entry, dict) or not _lines(entry.get("content")):
            complain(where, "is not a retired revision (a mapping with sequence, stamp, "
                     "modified and content lines); the entry is ignored")
            continue
        sequence = entry.get("sequence")
        if type(sequence) is not int or not 0 <= sequence <= MAX_SEQUENCE:
            complain(f"{where}.sequence", f"{_excerpt(sequence)} is not an integer from 0 "
                     f"to {MAX_SEQUENCE} (RFC 5545's SEQUENCE); the entry is ignored: if the "
                     "event comes back, it continues from the SEQUENCE a feed holds, else 0")
            continue
        stamps = {}
        for name in ("stamp", "modified"):
            stamps[name] = _when(entry.get(name))
            if stamps[name] is None and entry.get(name) is not None:
                complain(f"{where}.{name}", f"{_excerpt(entry.get(name))} is not a date-time "
                         "with its UTC offset, like 2026-08-01T00:00:00+00:00; it is ignored")
        retired[uid] = Seen(uid=uid, sequence=sequence, stamp=stamps["stamp"],
                            modified=stamps["modified"], content=tuple(entry["content"]),
                            block=b"")
    return retired


def believed(retired: Mapping[str, Seen], not_after: dt.datetime | None
             ) -> tuple[dict[str, Seen], list[tuple[str, str]]]:
    """`retired` without the stamps later than `not_after` (history.horizon: no revision
    of the data can be that late), and where each was, as `from_json` complains."""
    if not_after is None:
        return dict(retired), []
    import dataclasses

    kept: dict[str, Seen] = {}
    complaints = []
    for uid, seen in retired.items():
        late = {name: when for name, when in (("stamp", seen.stamp),
                                              ("modified", seen.modified))
                if when is not None and when > not_after}
        for name, when in late.items():
            complaints.append((f"events[{_excerpt(uid)}].{name}", (
                f"{when.isoformat()} is later than any revision of this data can be (after "
                f"{not_after:%Y-%m-%d}); it is ignored")))
        kept[uid] = dataclasses.replace(
            seen, stamp=None if "stamp" in late else seen.stamp,
            modified=None if "modified" in late else seen.modified) if late else seen
    return kept, complaints


def problems(file: str, complaints: Sequence[tuple[str, str]]) -> list[Problem]:
    """Warnings about `file` for `complaints`: the first few, then how many more."""
    shown = [Problem(file=file, line=None, column=None, path=where, message=message,
                     severity="warning") for where, message in complaints[:_SHOWN]]
    if len(complaints) > _SHOWN:
        shown.append(Problem(file=file, line=None, column=None, path="", message=(
            f"and {len(complaints) - _SHOWN} more entries that cannot be trusted; they are "
            "ignored as well"), severity="warning"))
    return shown


def _refuse(constant: str) -> NoReturn:
    raise ValueError(f"{constant} is not a number here")


def _iso(when: dt.datetime | None) -> str | None:
    return when.isoformat() if when is not None else None


def _when(text: object) -> dt.datetime | None:
    """An aware date-time in UTC, or None (absent, not one, or without an offset)."""
    try:
        when = dt.datetime.fromisoformat(text) if isinstance(text, str) else None
    except ValueError:
        return None
    if when is None or when.utcoffset() is None:
        return None
    return when.astimezone(dt.UTC)


def _lines(content: object) -> bool:
    return isinstance(content, list) and all(isinstance(line, str) for line in content)


def _excerpt(value: object) -> str:
    """A value quoted in a warning, cut short (the file may hold anything)."""
    text = repr(value)
    return text if len(text) <= 42 else text[:40] + "…"
