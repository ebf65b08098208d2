"""The programs `benchmarks/run` starts, each in a subprocess of its own.

    python benchmarks/cases.py stages DATA OUT          deadlinecal build, timed stage by stage
    python benchmarks/cases.py plan DATA PLAN           the events the floor formats (floor.py)
    python benchmarks/cases.py compare BUILT OTHER      same events in each feed? (UIDs)
    python benchmarks/cases.py naive DATA OUT           naive icalendar, every feed
    python benchmarks/cases.py yaml2ics-input DATA OUT.yaml   the `all` feed for yaml2ics

Each prints one JSON object on its last line of standard output.
"""

from __future__ import annotations

import json
import sys
import time

START = time.perf_counter()
AS_OF = "2026-08-01"


def _rss_mb() -> tuple[float, float]:
    """(current, peak since the last reset) resident set size in MB; (0, 0) off Linux."""
    try:
        with open("/proc/self/status") as status:
            fields = dict(line.split(":", 1) for line in status)
    except OSError:
        return 0.0, 0.0
    return (int(fields["VmRSS"].split()[0]) / 1024, int(fields["VmHWM"].split()[0]) / 1024)


def _reset_peak() -> None:
    """Start a new peak-RSS interval (Linux: writing 5 to clear_refs resets VmHWM)."""
    try:
        with open("/proc/self/clear_refs", "w") as handle:
            handle.write("5")
    except OSError:
        pass


def stage_functions() -> list[tuple[object, str, str]]:
    """(module or class, function name, stage) of each stage a build goes through."""
    import os

    import deadlinecal.dataset.validate as validate
    import deadlinecal.ical.render as render
    import deadlinecal.output.write as write
    import deadlinecal.pipeline as pipeline
    import deadlinecal.site as site

    return [
        (validate, "parse_yaml", "parse"),
        (pipeline, "load_dataset", "validate"),
        (pipeline, "expand", "expand"),
        (site, "select_feeds", "select"),
        (site, "render_page", "page"),
        (render.Renderer, "feed_parts", "render feeds"),
        (os, "fsync", "fsync"),
        (write, "sync_files", "fsync"),  # the staged files' syncfs (write.py's own name)
        (write.Folder, "write", "write"),
    ]


def stages(data: str, out: str) -> dict[str, object]:
    """The real `deadlinecal build` command, in-process, with a timer around each stage.

    A stage is a function of the package wrapped by name; a name the code no longer has is
    reported under `missing` rather than failing the run. Stages nest (validate calls the
    YAML parser, the writer renders feeds as it writes them), so each stage's own time is
    its total minus the stages it called. Peak RSS per stage is measured on Linux.
    """
    from deadlinecal.cli import main

    wrapped = stage_functions()
    own: dict[str, float] = {}
    peak: dict[str, float] = {}
    missing: list[str] = []
    running: list[str] = []

    def wrap(holder: object, name: str, stage: str) -> None:
        original = getattr(holder, name, None)
        if original is None:
            missing.append(f"{getattr(holder, '__name__', holder)}.{name}")
            return

        def timed(*args: object, **kwargs: object) -> object:
            outer = running[-1] if running else None
            if outer is not None:
                own[outer] = own.get(outer, 0.0) + time.perf_counter()
            running.append(stage)
            begun = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                running.pop()
                now = time.perf_counter()
                own[stage] = own.get(stage, 0.0) + now - begun
                if outer is not None:
                    own[outer] -= now
                peak[stage] = max(peak.get(stage, 0.0), _rss_mb()[1])

        setattr(holder, name, timed)

    for holder, name, stage in wrapped:
        wrap(holder, name, stage)
    imported = time.perf_counter()
    _reset_peak()
    try:
        main(["build", data, "-o", out, "--as-of", AS_OF], standalone_mode=False)
    finally:
        ended = time.perf_counter()
    return {"stages": own, "peak_rss_mb": peak, "startup": imported - START,
            "order": list(dict.fromkeys(stage for _, _, stage in wrapped)),
            "total": ended - START, "missing": missing}


def plan(data: str, target: str) -> dict[str, object]:
    """Write what only deadlinecal knows, for floor.py: each program's events and dates.

    Per program, in data-file order: its index and event count; per event: window index
    (-1: none), kind, flags (1 confirmed, 2 cancelled, 4 timed), start and end (a day's
    ordinal, or a timed event's local wall clock in minutes), zone index, reminder count
    and each reminder's offset in minutes. One JSON header line, then int32s.
    """
    import array
    import datetime as dt
    from pathlib import Path

    from deadlinecal.events.select import select, standard_feeds
    from deadlinecal.model import EventKind
    from deadlinecal.pipeline import load_selection

    dataset, events, _ = load_selection([data], lambda path: Path(path).read_bytes(),
                                        as_of=dt.date.fromisoformat(AS_OF))
    kinds = [kind.value for kind in EventKind]
    zones: list[str] = []
    by_program: dict[int, list[list[int]]] = {id(p): [] for p in dataset.programs}

    def when(value: dt.date | dt.datetime) -> tuple[int, int]:
        if not isinstance(value, dt.datetime):
            return value.toordinal(), -1
        name = "UTC" if value.tzinfo is dt.UTC else str(value.tzinfo)
        if name not in zones:
            zones.append(name)
        assert value.second == 0 and value.microsecond == 0
        return value.toordinal() * 1440 + value.hour * 60 + value.minute, zones.index(name)

    for event in events:
        windows = event.program.windows
        index = next((i for i, w in enumerate(windows) if w is event.window), -1)
        start, zone = when(event.start)
        end, _ = when(event.end)
        flags = event.confirmed | event.cancelled << 1 | (zone >= 0) << 2
        triggers = [int(t.total_seconds()) // 60 for t in event.alarms]
        by_program[id(event.program)].append(
            [index, kinds.index(event.kind.value), flags, start, end, max(zone, -1),
             len(triggers), *triggers])
    numbers = array.array("i")
    for index, program in enumerate(dataset.programs):
        planned = by_program[id(program)]
        numbers.extend([index, len(planned)])
        for row in planned:
            numbers.extend(row)
    feeds = standard_feeds(dataset)
    header = {"kinds": kinds, "zones": zones, "feeds": [spec.path for spec in feeds],
              "counts": {spec.path: len(select(events, spec.filter)) for spec in feeds},
              "events": len(events)}
    with open(target, "wb") as handle:
        handle.write(json.dumps(header).encode() + b"\n")
        handle.write(numbers.tobytes())
    return header


def compare(built: str, other: str) -> dict[str, object]:
    """Per feed of `built`, whether `other` holds the same events (by UID), and the counts."""
    import re
    from pathlib import Path

    uid = re.compile(rb"\r\nUID:((?:[^\r]|\r\n )*)\r\n")
    counts: dict[str, int] = {}
    differ = []
    for path in sorted(Path(built).rglob("*.ics")):
        relative = path.relative_to(built).as_posix()
        if relative.startswith("picked/"):
            continue  # the floor formats the named feeds only, not the personal ones
        mine = path.read_bytes()
        theirs = (Path(other) / relative).read_bytes()
        counts[relative] = mine.count(b"BEGIN:VEVENT\r\n")
        if sorted(uid.findall(mine)) != sorted(uid.findall(theirs)):
            differ.append(relative)

    def size(folder: str) -> int:
        return sum(p.stat().st_size for p in Path(folder).rglob("*")
                   if p.is_file() and not p.name.startswith("."))

    return {"counts": counts, "differ": differ, "bytes_built": size(built),
            "bytes_other": size(other)}


def naive(data: str, out: str) -> dict[str, float]:
    """Our load, validate and expand, then naive icalendar: a fresh Event per event per feed.

    Each feed is a `Calendar` holding one `Event` component per selected event (built by
    `render.event_component`), time zones added with `add_missing_timezones()`, and the
    whole calendar serialized with `to_ical()`.
    """
    import datetime as dt
    from pathlib import Path

    import icalendar

    from deadlinecal.events.select import select, standard_feeds
    from deadlinecal.ical.render import PRODID, event_component
    from deadlinecal.pipeline import load_selection

    dataset, events, _ = load_selection([data], lambda path: Path(path).read_bytes(),
                                        as_of=dt.date.fromisoformat(AS_OF))
    ready = time.perf_counter()
    count = 0
    for spec in standard_feeds(dataset):
        calendar = icalendar.Calendar.new(prodid=PRODID, name=spec.title,
                                          description=spec.description)
        for event in select(events, spec.filter):
            calendar.add_component(event_component(event))
            count += 1
        calendar.add_missing_timezones()
        target = Path(out) / spec.path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(calendar.to_ical())
    ended = time.perf_counter()
    return {"prepare": ready - START, "render_write": ended - ready, "occurrences": count,
            "events": len(events), "total": ended - START}


def yaml2ics_input(data: str, out: str) -> dict[str, float]:
    """Write every distinct event (the `all` feed) as a yaml2ics file (name, events: [...]).

    yaml2ics takes no reminders from YAML (its `alarms` wants ics objects), so these
    events have none.
    """
    import datetime as dt
    from pathlib import Path

    import yaml

    from deadlinecal.pipeline import load_selection

    dataset, events, _ = load_selection([data], lambda path: Path(path).read_bytes(),
                                        as_of=dt.date.fromisoformat(AS_OF))
    entries = []
    for event in events:
        entry = {
            "summary": event.summary,
            "begin": event.start,
            "end": event.end,
            "uid": event.uid,
            "description": event.description,
            "categories": list(event.categories),
            "status": "CANCELLED" if event.cancelled else
                      "CONFIRMED" if event.confirmed else "TENTATIVE",
            "transparent": True,
        }
        if event.url:
            entry["url"] = event.url
        entries.append(entry)
    document = {"name": dataset.title, "events": entries}
    Path(out).write_text(yaml.dump(document, Dumper=yaml.CSafeDumper, allow_unicode=True,
                                   sort_keys=False), encoding="utf-8")
    return {"events": float(len(entries))}


def main() -> int:
    command, *args = sys.argv[1:]
    runners = {"stages": stages, "plan": plan, "compare": compare, "naive": naive,
               "yaml2ics-input": yaml2ics_input}
    result = runners[command](*args)
    sys.stdout.flush()
    print("\n" + json.dumps(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
