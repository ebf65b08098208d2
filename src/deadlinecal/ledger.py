"""Retired revisions: the last revision published of every event a build no longer holds.

Subscribers keep an event's highest SEQUENCE; an event that is dropped and comes back must
continue from there, so the build remembers what it dropped. That memory lives beside the
feeds in a file that is published and committed with them (PATH, deliberately not hidden
and not gitignored): a fresh clone or a CI checkout has it, where the gitignored build
record would be missing. `feed -o FILE` keeps the same thing in a hidden file beside FILE
(`sidecar`). The bytes depend on nothing but the retired revisions (sorted keys, no clock),
so an unchanged rebuild leaves the file as it was and `build --check` can compare it.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

if TYPE_CHECKING:  # imported where used: a build that retires nothing never needs it
    from .history import Seen

PATH = "deadlinecal-retired.json"
# The first entry of every ledger: how a build knows the file as its own.
_KIND = "retired revisions"
MARKER = b'"deadlinecal": "retired revisions"'
# A ledger larger than this is not read (it lists a cycle's dropped events, a few MB at most).
MAX_BYTES = 64 * 1024 * 1024


def encode(retired: Mapping[str, Seen]) -> bytes:
    """The ledger of `retired` (UID -> its last published revision), byte-stable."""
    return (json.dumps({"deadlinecal": _KIND, "events": to_json(retired)}, indent=1,
                       sort_keys=True) + "\n").encode()


def decode(content: bytes) -> dict[str, Seen] | None:
    """The retired revisions in a ledger; None when it is not one (broken or foreign).

    An entry that does not parse is left out.
    """
    if len(content) > MAX_BYTES:
        return None
    try:
        raw = json.loads(content, parse_constant=_refuse)
    except (ValueError, RecursionError):
        return None
    if not isinstance(raw, dict) or raw.get("deadlinecal") != _KIND:
        return None
    return from_json(raw.get("events"))


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


def from_json(raw: object) -> dict[str, Seen]:
    """Retired revisions as `to_json` wrote them; an entry that does not parse is left out."""
    retired: dict[str, Seen] = {}
    if not isinstance(raw, dict) or not raw:
        return retired  # nothing retired: history (and icalendar) is not imported
    from .history import Seen

    for uid, entry in raw.items():
        try:
            retired[uid] = Seen(uid=str(uid), sequence=int(entry["sequence"]),
                                stamp=_when(entry.get("stamp")),
                                modified=_when(entry.get("modified")),
                                content=tuple(str(line) for line in entry["content"]),
                                block=b"")
        except (KeyError, TypeError, ValueError, AttributeError, OverflowError):
            continue
    return retired


def _refuse(constant: str) -> NoReturn:
    raise ValueError(f"{constant} is not a number here")


def _iso(when: dt.datetime | None) -> str | None:
    return when.isoformat() if when is not None else None


def _when(text: object) -> dt.datetime | None:
    return dt.datetime.fromisoformat(text) if isinstance(text, str) else None
