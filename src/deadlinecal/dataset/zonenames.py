"""Time-zone names: which IANA names a data file may use, and each one's rules.

Names and rules both come from the tzdata package alone, never from the system's zone
files: zoneinfo.ZoneInfo searches the system's folders first, and another tz release there
would write other bytes for the same data (and fail `build --check`) on another machine.
The VTIMEZONE written for a zone is zones.py's; this module is the vocabulary a data file
is checked against, so it sits below the data model's checks and knows nothing of
iCalendar.
"""

from __future__ import annotations

import functools
import os
import zoneinfo
from dataclasses import dataclass

# Copies of the database for other systems' clocks: posix/ is the same data under another
# folder, right/ counts leap seconds (its instants are off by half a minute, and icalendar
# wrote VTIMEZONEs from it that missed whole changes).
_COPIES = ("posix/", "right/")
CITY_ZONE = ("is not a city-based IANA zone such as America/New_York (calendar clients "
             "misread Etc/ and abbreviations; write AoE for Anywhere on Earth)")


@functools.lru_cache(maxsize=1024)
def refusal(name: str) -> str | None:
    """Why `name` is not a canonical IANA zone we write, or None when it is one.

    Canonical: UTC, or a zone the tz database defines under its own name (or names as a
    country's zone in zone.tab). Refused: Etc/ and abbreviations, the posix/ and right/
    copies, old aliases such as US/Eastern, and names zoneinfo cannot load.
    """
    if name == "UTC":
        return None
    base = _without_copies(name)
    if base.startswith("Etc/") or "/" not in base:
        return f"time zone {name!r} {CITY_ZONE}"
    if base != name:
        message = (f"time zone {name!r} is a copy of the zone database for other systems, "
                   "not an IANA zone name")
    elif name in _tables().aliases:
        message = f"time zone {name!r} is an old alias, not a canonical IANA name"
    else:
        try:
            zone(name)
        except zoneinfo.ZoneInfoNotFoundError:
            message = f"unknown time zone {name!r}"
        else:
            return None
    better = hint(name)
    return f"{message}; did you mean {better!r}?" if better else message


@functools.lru_cache(maxsize=1024)
def zone(name: str) -> zoneinfo.ZoneInfo:
    """The zone `name`, its rules read from the tzdata package (never the system's files).

    Raises zoneinfo.ZoneInfoNotFoundError for a name the package has no zone file of.
    """
    parts = name.split("/")
    if "\\" in name or "\0" in name or any(part in ("", ".", "..") for part in parts):
        raise zoneinfo.ZoneInfoNotFoundError(f"No time zone found with key {name}")
    try:
        with open(os.path.join(_folder(), *parts), "rb") as handle:
            return zoneinfo.ZoneInfo.from_file(handle, key=name)
    except (OSError, ValueError):  # no such file, a folder, or not a TZif file
        raise zoneinfo.ZoneInfoNotFoundError(f"No time zone found with key {name}") from None


@functools.cache
def _folder() -> str:
    """The tzdata package's zoneinfo folder.

    The package's folder, not importlib.resources: importing that (and the tempfile and
    random modules it imports) cost more than reading the tables.
    """
    import tzdata  # type: ignore[import-untyped]

    return os.path.join(os.path.dirname(tzdata.__file__), "zoneinfo")


def hint(name: str) -> str | None:
    """The canonical zone `name` probably means (an alias's target, the name without a
    posix/ or right/ folder, or in the right case); None when there is no other."""
    better = _tables().folded.get(_without_copies(name).casefold())
    return better if better != name else None


def _without_copies(name: str) -> str:
    while name.startswith(_COPIES):
        name = name.split("/", 1)[1]
    return name


@dataclass(frozen=True, slots=True)
class _Tables:
    aliases: dict[str, str]  # old alias -> canonical zone
    folded: dict[str, str]  # any known name, case-folded -> canonical zone


@functools.cache
def _tables() -> _Tables:
    """The tzdata package's zones and links (tzdata.zi) and country zones (zone.tab).

    The tzdata package rather than the system's files, so a data file is valid or not the
    same way on every machine. A link that zone.tab names as a country's zone
    (Europe/Amsterdam) stays canonical.
    """
    folder = _folder()

    def read(name: str) -> str:
        with open(os.path.join(folder, name), encoding="utf-8") as handle:
            return handle.read()

    zones: set[str] = {"UTC"}
    links: dict[str, str] = {}
    for line in read("tzdata.zi").splitlines():
        # Only zone (Z) and link (L) lines matter; most lines are rules and continuations.
        if not line.startswith(("Z", "L")):
            continue
        fields = line.split()
        if len(fields) >= 2 and fields[0] == "Z":
            zones.add(fields[1])
        elif len(fields) >= 3 and fields[0] == "L":
            links[fields[2]] = fields[1]
    for table in ("zone.tab", "zone1970.tab"):
        for line in read(table).splitlines():
            fields = line.split("\t")
            if not line.startswith("#") and len(fields) >= 3:
                zones.add(fields[2])
                links.pop(fields[2], None)
    aliases = {alias: target for alias, target in links.items()
               if "/" in alias and not alias.startswith("Etc/")}
    folded = {alias.casefold(): target for alias, target in aliases.items()}
    folded.update((zone.casefold(), zone) for zone in zones
                  if zone == "UTC" or ("/" in zone and not zone.startswith("Etc/")))
    return _Tables(aliases=aliases, folded=folded)
