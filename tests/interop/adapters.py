"""Five iCalendar parsers nobody on this project wrote, each reduced to the same plain view.

Every adapter takes .ics files and returns, per file, the events that parser sees as
`Seen` records, sorted by UID: what a subscriber's calendar app would show (UID, summary,
start, end, all-day or not) plus the alarm offsets. Timed values are converted to UTC by
the parser itself, from the VTIMEZONEs in the file where it reads them.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
import subprocess
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).parent


@dataclass(frozen=True, order=True)
class Seen:
    uid: str
    summary: str
    start: str  # YYYY-MM-DD for all-day values, YYYY-MM-DDTHH:MM:SSZ for timed ones
    end: str
    all_day: bool
    alarms: tuple[int, ...]  # trigger offsets in seconds from the start, sorted


Parser = Callable[[Sequence[Path]], dict[Path, list[Seen]]]


def when(value: dt.date | dt.datetime) -> str:
    """The plain text of a date or an aware datetime (floating times are a bug: fail)."""
    if isinstance(value, dt.datetime):
        if value.tzinfo is None or value.utcoffset() is None:
            raise AssertionError(f"floating time {value!r}: no zone was attached")
        return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return value.isoformat()


def seconds(delta: dt.timedelta) -> int:
    return int(delta.total_seconds())


def _seen(uid: object, summary: object, start: dt.date | dt.datetime,
          end: dt.date | dt.datetime, alarms: list[int]) -> Seen:
    return Seen(uid=str(uid), summary=str(summary), start=when(start), end=when(end),
                all_day=not isinstance(start, dt.datetime), alarms=tuple(sorted(alarms)))


def by_icalendar(files: Sequence[Path]) -> dict[Path, list[Seen]]:
    import icalendar

    result = {}
    for file in files:
        calendar = icalendar.Calendar.from_ical(file.read_bytes())
        result[file] = sorted(
            _seen(event["UID"], event["SUMMARY"], event.start, event.end,
                  [seconds(alarm["TRIGGER"].dt) for alarm in event.walk("VALARM")])
            for event in calendar.events
        )
    return result


def by_ical(files: Sequence[Path]) -> dict[Path, list[Seen]]:
    from ical.calendar_stream import IcsCalendarStream

    result = {}
    for file in files:
        calendar = IcsCalendarStream.calendar_from_ics(file.read_text(encoding="utf-8"))
        seen = []
        for event in calendar.events:
            triggers = [alarm.trigger for alarm in event.alarm]
            assert all(isinstance(t, dt.timedelta) for t in triggers), triggers
            seen.append(_seen(event.uid, event.summary, event.dtstart, event.end,
                              [seconds(t) for t in triggers]))  # type: ignore[arg-type]
        result[file] = sorted(seen)
    return result


def by_vobject(files: Sequence[Path]) -> dict[Path, list[Seen]]:
    import vobject

    result = {}
    for file in files:
        calendar = vobject.readOne(file.read_text(encoding="utf-8"))
        seen = []
        for event in getattr(calendar, "vevent_list", []):
            alarms = [seconds(alarm.trigger.value)
                      for alarm in getattr(event, "valarm_list", [])]
            seen.append(_seen(event.uid.value, event.summary.value, event.dtstart.value,
                              event.dtend.value, alarms))
        result[file] = sorted(seen)
    return result


def _from_json(output: str) -> dict[Path, list[Seen]]:
    parsed = json.loads(output)
    return {
        Path(name): sorted(
            Seen(uid=e["uid"], summary=e["summary"], start=e["start"], end=e["end"],
                 all_day=e["all_day"], alarms=tuple(sorted(int(a) for a in e["alarms"])))
            for e in events
        )
        for name, events in parsed.items()
    }


def _run(command: list[str]) -> str:
    done = subprocess.run(command, capture_output=True, text=True, encoding="utf-8",
                          check=False)
    assert done.returncode == 0, f"{command[0]} failed:\n{done.stderr}"
    return done.stdout


def by_icaljs(files: Sequence[Path]) -> dict[Path, list[Seen]]:
    node = shutil.which("node")
    assert node, "node is not installed; scripts/test needs it for ical.js"
    assert (HERE / "node_modules" / "ical.js").is_dir(), (
        "ical.js is not installed: run `npm ci` in tests/interop (scripts/test does)")
    return _from_json(_run([node, str(HERE / "icaljs_dump.mjs"), *map(str, files)]))


def compile_libical(folder: Path) -> Path:
    """Build the libical program with gcc and pkg-config into `folder`; fail if we cannot."""
    for tool in ("gcc", "pkg-config"):
        assert shutil.which(tool), f"{tool} is not installed; scripts/test installs it"
    flags = _run(["pkg-config", "--cflags", "--libs", "libical"]).split()
    binary = folder / "libical_dump"
    _run(["gcc", "-Wall", "-Wextra", "-Werror", "-o", str(binary),
          str(HERE / "libical_dump.c"), *flags])
    return binary


def by_libical(binary: Path) -> Parser:
    def parse(files: Sequence[Path]) -> dict[Path, list[Seen]]:
        return _from_json(_run([str(binary), *map(str, files)]))

    return parse
