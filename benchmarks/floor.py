"""The floor: the least work any tool must do to turn the data file into the same feeds.

    python benchmarks/floor.py DATA PLAN BUILT OUT

Timed (the clock starts after the untimed preparation below, which it reports as `prep`):

1. `yaml.load(..., Loader=yaml.CSafeLoader)` of DATA, with the cyclic garbage collector off
   for the whole run (the build pauses it while it builds objects and freezes them after,
   so the floor is at least as favoured).
2. Each program's feed membership decided once, from the parsed mapping (track,
   eligibility, citizenship, employer, confirmed-only: the filters the data declares).
3. Every event formatted from the parsed mapping with plain f-strings: summary, UID,
   categories, URL, a description made of the window's date as written and the program's
   details, dates, status, reminders (VALARM); TEXT escaped as RFC 5545 section 3.3.11
   says and every line folded at 75 octets without splitting a UTF-8 sequence; encoded
   once to bytes and streamed into each feed file it belongs to.
4. A small index.html naming each feed and its event count.

What only deadlinecal knows comes from PLAN, untimed: which events each program has (the
fuzzy-date vocabulary, durations and follow-up arithmetic are the build's own work) with
their computed dates and reminder offsets, as one compact int32 array (`cases.py plan`).
Each feed's header and VTIMEZONE blocks (a few KB, not per event) are copied from BUILT,
the build's own output. Events go out in data-file order: sorting is the build's choice.

It prints one JSON object: prep, parse and format+write seconds, each feed's event count
and the bytes written. The caller checks the counts against the build's, after the clock.
"""

from __future__ import annotations

import array
import datetime as dt
import gc
import json
import os
import sys
import time
import unicodedata

import yaml

_KIND_WORDS = {"opens": "applications open", "closes": "applications close",
               "deadline": "application deadline"}
_LEADS = {"opens": "Applications open", "closes": "Applications close",
          "deadline": "Application deadline"}
_ROLLING = " Rolling admission: applications are reviewed as they arrive."
_WATCH = ("No date is known for this window yet; it is listed on the first day of the cycle "
          "so it is not forgotten.")
_YEAR_ROUND = "Applications are accepted all year; there is no date to wait for."
_UNDATED = ("No application date has been published for this program. It is listed on the "
            "first day of the cycle so subscribers know to watch for it; the date will move "
            "here once it is known.")


def escape(value: str) -> str:
    """A TEXT value (RFC 5545 section 3.3.11)."""
    return (value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
            .replace("\n", "\\n"))


def fold(line: str) -> bytes:
    """One content line as UTF-8 with CRLF, folded so no physical line exceeds 75 octets."""
    data = line.encode()
    if len(data) <= 74:
        return data + b"\r\n"
    chunks = []
    start, size = 0, len(data)
    while size - start > 74:
        end = start + 74
        while data[end] & 0xC0 == 0x80:  # never split a UTF-8 sequence
            end -= 1
        chunks.append(data[start:end])
        start = end
    chunks.append(data[start:])
    return b"\r\n ".join(chunks) + b"\r\n"


def day(ordinal: int) -> str:
    d = dt.date.fromordinal(ordinal)
    return f"{d.year:04d}{d.month:02d}{d.day:02d}"


def moment(minutes: int) -> str:
    days, rest = divmod(minutes, 1440)
    return f"{day(days)}T{rest // 60:02d}{rest % 60:02d}00"


def duration(minutes: int) -> str:
    sign = "-" if minutes < 0 else ""
    days, rest = divmod(abs(minutes), 1440)
    clock = f"T{f'{rest // 60}H' if rest >= 60 else ''}{f'{rest % 60}M' if rest % 60 else ''}"
    return f"{sign}P{days}D{clock if rest else ''}" if days else f"{sign}P{clock}"


def listed(value: object) -> list[str]:
    return [value] if isinstance(value, str) else list(value or [])  # type: ignore[call-overload]


def feeds_of(doc: dict) -> list[tuple[str, str, dict]]:
    """(path, title, filter) of every feed, in the build's order."""
    feeds = [("all.ics", "all", {})]
    feeds += [(f"tracks/{key}.ics", key, {"track": [key]}) for key in doc.get("tracks") or {}]
    feeds += [(f"eligibility/{key}.ics", key, {"eligibility": [key]})
              for key in doc.get("eligibility") or {}]
    for key, spec in (doc.get("feeds") or {}).items():
        chosen = spec.get("filter") or {}
        unknown = set(chosen) - {"track", "eligibility", "employer", "citizenship",
                                 "confirmed_only"}
        if unknown:
            raise SystemExit(f"floor.py: feed filter keys {sorted(unknown)} not supported")
        feeds.append((f"feeds/{key}.ics", spec.get("title") or key, {
            "track": listed(chosen.get("track")),
            "eligibility": listed(chosen.get("eligibility")),
            "employer": {fold_name(name) for name in listed(chosen.get("employer"))},
            "citizenship": listed(chosen.get("citizenship")),
            "confirmed_only": bool(chosen.get("confirmed_only")),
        }))
    return feeds


def fold_name(name: str) -> str:
    """A name as names.casefold compares it: NFKC, case-folded, spaces collapsed."""
    folded = unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", name).casefold())
    return " ".join(folded.split())


def member(program: dict, chosen: dict) -> bool:
    if chosen.get("track") and program["track"] not in chosen["track"]:
        return False
    if chosen.get("eligibility") and not set(program["eligibility"]) & set(
            chosen["eligibility"]):
        return False
    # The whole name, as the build matches it (names.casefold), not a part of it.
    if chosen.get("employer") and fold_name(program["employer"]) not in chosen["employer"]:
        return False
    citizenship = program.get("citizenship")
    return not (chosen.get("citizenship") and citizenship
                and not set(citizenship) & set(chosen["citizenship"]))


def about(doc: dict, program: dict, titles: dict[str, dict[str, str]]) -> str:
    """The program's own part of every description, escaped."""
    lines = [f"Program: {program['program']} ({program['employer']})",
             f"Track: {titles['tracks'][program['track']]}",
             "Eligible: " + "; ".join(titles["eligibility"][k] for k in program["eligibility"])]
    if program.get("citizenship"):
        lines.append("Citizenship: only " + " or ".join(
            titles["citizenship"][k] for k in program["citizenship"]))
    else:
        lines.append("Citizenship: no requirement stated")
    for label, key in (("Pay", "pay"), ("Screens for", "screens_for"), ("Notes", "notes"),
                       ("Apply or read more", "link")):
        if program.get(key):
            lines.append(f"{label}: {program[key]}")
    source = program.get("source") or doc["dataset"]["source"]
    lines.append(f"Source: {source['name']}" + (f" ({source['url']})" if source.get("url")
                                                 else ""))
    lines.append(f"Last verified: {program['last_verified']}")
    return escape("\n".join(lines))


def lead(kind: str, window: dict | None, follow_days: int, confirmed: bool,
         start: str) -> str:
    """The first sentences of a description: the date as the data writes it."""
    rolling = _ROLLING if window and window.get("rolling") else ""
    if window is None:
        return _UNDATED
    if kind == "watch":
        return (_YEAR_ROUND if window.get("year_round") else _WATCH) + rolling
    said = window.get("closes") or window.get("duration") if kind == "closes" else (
        window.get("opens") if kind in ("opens", "follow-up") else window.get("deadline"))
    when = f"on {said}, confirmed" if confirmed else (
        f"expected {said}, not yet announced. This entry sits on the earliest possible day, "
        f"{start}")
    if kind == "follow-up":
        return (f"Time to have your application in: this is {follow_days} days after "
                f"applications open. They open {when}. Applying early leaves time to fix "
                "problems before the window closes.")
    return f"{_LEADS[kind]}: {when}.{rolling}"


def run(data: str, plan_path: str, built: str, out: str) -> dict[str, object]:
    begun = time.perf_counter()
    with open(plan_path, "rb") as handle:
        header = json.loads(handle.readline())
        plan = array.array("i")
        plan.frombytes(handle.read())
    prefixes = {}
    for path in header["feeds"]:
        with open(os.path.join(built, path), "rb") as handle:
            head = handle.read(1 << 16)
        prefixes[path] = head[:head.index(b"BEGIN:VEVENT\r\n")]
    kinds, zones = header["kinds"], header["zones"]
    gc.disable()
    prep = time.perf_counter() - begun
    started = time.perf_counter()

    with open(data, "rb") as handle:
        doc = yaml.load(handle, Loader=yaml.CSafeLoader)
    parsed = time.perf_counter()

    dataset = doc["dataset"]
    titles = {name: {key: (value or {}).get("title") or key
                     for key, value in (doc.get(name) or {}).items()}
              for name in ("tracks", "eligibility", "citizenship")}
    stamp = f"{str(dataset['updated']).replace('-', '')}T000000Z"
    default_follow = dataset.get("follow_up_days", 14)
    feeds = feeds_of(doc)
    params = ["" if zone == "UTC" else f";TZID={zone}" for zone in zones]
    suffix = ["Z" if zone == "UTC" else "" for zone in zones]
    handles = []
    for path, _, _ in feeds:
        target = os.path.join(out, path)
        os.makedirs(os.path.dirname(target), exist_ok=True)
        handle = open(target, "wb", buffering=1 << 20)  # noqa: SIM115
        handle.write(prefixes[path])
        handles.append(handle)
    counts = [0] * len(feeds)
    writes = [handle.write for handle in handles]
    confirmed_only = [bool(chosen.get("confirmed_only")) for _, _, chosen in feeds]
    at = 0
    for index, program in enumerate(doc["programs"]):
        assert plan[at] == index, "plan out of step with the data"
        events = plan[at + 1]
        at += 2
        chosen = [f for f, (_, _, rule) in enumerate(feeds) if member(program, rule)]
        windows = program.get("windows") or []
        several = len(windows) > 1
        title = (program["program"] if program["program"].lower().startswith(
            program["employer"].lower()) else f"{program['employer']} {program['program']}")
        details = about(doc, program, titles)
        categories = f"{escape(titles['tracks'][program['track']])},{escape(program['employer'])}"
        link = f"URL:{program['link']}\r\n".encode() if program.get("link") else b""
        follow = program.get("follow_up_days") or default_follow
        for _ in range(events):
            (w, kind_code, flags, start, end, zone, alarms) = plan[at:at + 7]
            triggers = plan[at + 7:at + 7 + alarms]
            at += 7 + alarms
            kind = kinds[kind_code]
            window = windows[w] if w >= 0 else None
            confirmed = bool(flags & 1)
            cancelled = bool(flags & 2)
            key = window.get("key", "main") if window is not None else "main"
            if kind == "watch":
                what = "open year-round" if window and window.get(
                    "year_round") else "watch list: no date yet"
            elif kind == "follow-up":
                what = f"apply within {follow} days"
            else:
                what = _KIND_WORDS[kind]
            if several and window is not None:
                what = f"{what} ({key})"
            mark = "" if confirmed or kind == "watch" else " (est.)"
            summary = escape(f"{'Cancelled: ' if cancelled else ''}{title} — {what}{mark}")
            if flags & 4:
                dates = (f"DTSTART{params[zone]}:{moment(start)}{suffix[zone]}\r\n"
                         f"DTEND{params[zone]}:{moment(end)}{suffix[zone]}\r\n")
                first = moment(start)
            else:
                first = day(start)
                dates = (f"DTSTART;VALUE=DATE:{first}\r\nDTEND;VALUE=DATE:{day(end)}\r\n")
            note = f"\n\nAbout this window: {window['note']}" if window and window.get(
                "note") else ""
            description = escape(lead(kind, window, follow, confirmed, first) + note)
            status = "CANCELLED" if cancelled else "CONFIRMED" if confirmed else "TENTATIVE"
            uid_kind = "opens" if kind == "watch" else kind
            text = b"".join([
                b"BEGIN:VEVENT\r\n",
                fold(f"SUMMARY:{summary}"),
                dates.encode(),
                f"DTSTAMP:{stamp}\r\n".encode(),
                fold(f"UID:{dataset['id']}.{program['id']}.{key}.{uid_kind}@deadlinecal"),
                b"SEQUENCE:0\r\n",
                fold(f"CATEGORIES:{categories}"),
                fold(f"DESCRIPTION:{description}\\n\\n{details}"),
                f"LAST-MODIFIED:{stamp}\r\nSTATUS:{status}\r\nTRANSP:TRANSPARENT\r\n".encode(),
                link,
                *[b"BEGIN:VALARM\r\nACTION:DISPLAY\r\n" + fold(f"DESCRIPTION:{summary}")
                  + f"TRIGGER:{duration(trigger)}\r\nEND:VALARM\r\n".encode()
                  for trigger in triggers],
                b"END:VEVENT\r\n",
            ])
            for f in chosen:
                if confirmed or not confirmed_only[f]:
                    writes[f](text)
                    counts[f] += 1
    written = 0
    for handle in handles:
        handle.write(b"END:VCALENDAR\r\n")
        written += handle.tell()
        handle.close()
    items = "".join(f'<li><a href="{path}">{escape_html(title)}</a>: {count} events</li>\n'
                    for (path, title, _), count in zip(feeds, counts, strict=True))
    page = (f"<!doctype html>\n<meta charset=utf-8>\n<title>{escape_html(dataset['title'])}"
            f"</title>\n<ul>\n{items}</ul>\n").encode()
    with open(os.path.join(out, "index.html"), "wb") as handle:
        handle.write(page)
    ended = time.perf_counter()
    return {"prep": prep, "parse": parsed - started, "format_write": ended - parsed,
            "counts": {path: count for (path, _, _), count in zip(feeds, counts, strict=True)},
            "bytes": written + len(page), "plan_bytes": len(plan) * plan.itemsize}


def escape_html(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def main() -> int:
    result = run(*sys.argv[1:5])
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
