"""The programs `benchmarks/run` times, each run in a subprocess of its own.

    python benchmarks/cases.py stages DATA OUT     deadlinecal build, timed stage by stage
    python benchmarks/cases.py floor DATA BUILT OUT    the floor (see `floor`)
    python benchmarks/cases.py naive DATA OUT      naive icalendar: one Event per event per feed
    python benchmarks/cases.py yaml2ics-input DATA OUT.yaml   the `all` feed in yaml2ics' format

Each prints one JSON object on its last line of standard output.
"""

from __future__ import annotations

import json
import sys
import time

START = time.perf_counter()


def stages(data: str, out: str) -> dict[str, float]:
    """Run the real `deadlinecal build` command in-process with a timer around each stage.

    load = bytes -> YAML nodes, validate = nodes -> records (load_dataset minus load),
    expand, render (every feed's bytes), write (write_tree). Stages the build skips report 0.
    """
    import deadlinecal.pipeline as pipeline
    import deadlinecal.render as render
    import deadlinecal.validate as validate
    import deadlinecal.write as write
    from deadlinecal.cli import main

    spent: dict[str, float] = {"load": 0.0, "load_dataset": 0.0, "expand": 0.0,
                               "render": 0.0, "write": 0.0}

    def timed(module: object, name: str, stage: str) -> None:
        original = getattr(module, name)

        def wrapper(*args: object, **kwargs: object) -> object:
            begun = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                spent[stage] += time.perf_counter() - begun

        setattr(module, name, wrapper)

    # Feeds are rendered when the writer asks for each one: time Renderer.feed as render
    # and take it out of write.
    spent["feed"] = 0.0
    timed(render.Renderer, "feed_parts", "feed")
    timed(validate, "parse_yaml", "load")
    timed(pipeline, "load_dataset", "load_dataset")
    timed(pipeline, "expand", "expand")
    timed(render, "render_feeds", "render")
    timed(write, "write_tree", "write")
    imported = time.perf_counter()
    try:
        main(["build", data, "-o", out, "--as-of", "2026-08-01"], standalone_mode=False)
    finally:
        ended = time.perf_counter()
    validate_s = max(0.0, spent.pop("load_dataset") - spent["load"])
    return {"load": spent["load"], "validate": validate_s, "expand": spent["expand"],
            "render": spent["render"] + spent["feed"], "write": spent["write"] - spent["feed"],
            "startup": imported - START, "total": ended - START}


def floor(data: str, built: str, out: str, strict: bool = False) -> dict[str, float]:
    """The C SafeLoader parse of the data plus writing the bytes of our build, formatted.

    Before the clock starts (reported as `prep`, which the harness subtracts): read the
    feeds our build wrote and cut them into header, unique event texts and trailer. Timed:
    `yaml.load(..., Loader=yaml.CSafeLoader)` of the data file, then every feed written by
    plain string formatting of those texts, encoded to UTF-8. The output is checked
    byte-for-byte against our build after the clock stops.

    `strict` (the `floor-strict` command) takes away what only costs the floor: the cyclic
    garbage collector is off while it runs, and the texts are kept and joined as UTF-8
    bytes (a str holding one emoji takes 4 bytes a character).
    """
    import gc
    import os
    from pathlib import Path

    import yaml

    begun = time.perf_counter()
    texts: dict[str, int] = {}
    bodies: list[str] = []
    feeds: list[tuple[str, str, list[int]]] = []
    root = Path(built)
    for path in sorted(root.rglob("*.ics")):
        text = path.read_bytes().decode("utf-8")
        head, _, rest = text.partition("BEGIN:VEVENT\r\n")
        chunks = rest.removesuffix("END:VCALENDAR\r\n").split("BEGIN:VEVENT\r\n") if rest else []
        indexes = []
        for chunk in chunks:
            body = chunk.removesuffix("END:VEVENT\r\n")
            index = texts.get(body)
            if index is None:
                index = texts[body] = len(bodies)
                bodies.append(body)
            indexes.append(index)
        feeds.append((path.relative_to(root).as_posix(), head, indexes))
        del text, rest, chunks
    if strict:
        encoded = [body.encode() for body in bodies]
        heads = [(relative, head.encode(), indexes) for relative, head, indexes in feeds]
        del bodies[:]
        gc.disable()
    prep = time.perf_counter() - begun

    with open(data, "rb") as handle:
        parsed = yaml.load(handle, Loader=yaml.CSafeLoader)
    parse = time.perf_counter()
    assert parsed["programs"]
    if strict:
        for relative, head_bytes, indexes in heads:
            target = os.path.join(out, relative)
            os.makedirs(os.path.dirname(target), exist_ok=True)
            content = head_bytes + b"".join(
                [b"BEGIN:VEVENT\r\n%sEND:VEVENT\r\n" % encoded[i] for i in indexes])
            with open(target, "wb") as handle:
                handle.write(content + b"END:VCALENDAR\r\n")
    for relative, head, indexes in [] if strict else feeds:
        target = os.path.join(out, relative)
        os.makedirs(os.path.dirname(target), exist_ok=True)
        text = head + "".join([f"BEGIN:VEVENT\r\n{bodies[i]}END:VEVENT\r\n" for i in indexes])
        with open(target, "wb") as handle:
            handle.write(f"{text}END:VCALENDAR\r\n".encode())
    ended = time.perf_counter()
    same = all((Path(out) / relative).read_bytes() == (root / relative).read_bytes()
               for relative, _, _ in feeds)
    return {"prep": prep, "parse": parse - begun - prep, "write": ended - parse,
            "same_bytes": float(same), "total": ended - START - prep}


def naive(data: str, out: str) -> dict[str, float]:
    """Our load, validate and expand, then naive icalendar: a fresh Event per event per feed.

    Each feed is a `Calendar` holding one `Event` component per selected event (built by
    `render.event_component`), time zones added with `add_missing_timezones()`, and the
    whole calendar serialized with `to_ical()`.
    """
    from pathlib import Path

    import icalendar

    from deadlinecal.expand import expand
    from deadlinecal.render import PRODID, event_component
    from deadlinecal.select import select, standard_feeds
    from deadlinecal.validate import load_dataset

    loaded = load_dataset(Path(data).read_bytes(), file=data)
    events = expand(loaded.dataset)
    ready = time.perf_counter()
    count = 0
    for spec in standard_feeds(loaded.dataset):
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
    return {"prepare": ready - START, "render_write": ended - ready, "events": float(count),
            "total": ended - START}


def yaml2ics_input(data: str, out: str) -> dict[str, float]:
    """Write the events of the `all` feed as a yaml2ics file (name, events: [...])."""
    from pathlib import Path

    import yaml

    from deadlinecal.expand import expand
    from deadlinecal.validate import load_dataset

    loaded = load_dataset(Path(data).read_bytes(), file=data)
    events = []
    for event in expand(loaded.dataset):
        entry = {
            "summary": event.summary,
            "begin": event.start,
            "end": event.end,
            "uid": event.uid,
            "description": event.description,
            "categories": list(event.categories),
            "status": "CONFIRMED" if event.confirmed else "TENTATIVE",
            "transparent": True,
        }
        if event.url:
            entry["url"] = event.url
        events.append(entry)
    document = {"name": loaded.dataset.title, "events": events}
    Path(out).write_text(yaml.dump(document, Dumper=yaml.CSafeDumper, allow_unicode=True,
                                   sort_keys=False), encoding="utf-8")
    return {"events": float(len(events))}


def main() -> int:
    command, *args = sys.argv[1:]
    runners = {"stages": stages, "floor": floor, "naive": naive,
               "floor-strict": lambda *args: floor(*args, strict=True),
               "yaml2ics-input": yaml2ics_input}
    result = runners[command](*args)
    sys.stdout.flush()
    print("\n" + json.dumps(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
