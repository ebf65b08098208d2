"""Import a posting list, build it (alone and with the default data), and measure what a
subscriber gets: events on the busiest day of each feed, same-day duplicate titles, active
postings of the term found in all.ics, the largest feed, empty feeds, lines the build prints.

    .venv/bin/python benchmarks/feed_metrics.py LISTINGS.json WORKDIR [--term "Summer 2025"]
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
DEADLINECAL = os.path.join(os.path.dirname(sys.executable), "deadlinecal")
DEFAULT_DATA = os.path.join(HERE, "..", "data", "ml-internships-summer-2027.yaml")


def unfold(text: str) -> list[str]:
    return text.replace("\r\n ", "").replace("\r\n", "\n").split("\n")


def events_of(path: str) -> list[dict[str, str]]:
    with open(path, encoding="utf-8", newline="") as handle:
        lines = unfold(handle.read())
    found, current = [], None
    for line in lines:
        if line == "BEGIN:VEVENT":
            current = {}
        elif line == "END:VEVENT" and current is not None:
            found.append(current)
            current = None
        elif current is not None and ":" in line and not line.startswith(("BEGIN", "END")):
            name, _, value = line.partition(":")
            current.setdefault(name.split(";")[0], value)
    return found


def feed_files(folder: str) -> list[str]:
    paths = []
    for root, _, files in os.walk(folder):
        paths.extend(os.path.join(root, name) for name in files if name.endswith(".ics")
                     and "picked" not in root)
    return sorted(paths)


def measure(folder: str) -> dict[str, object]:
    busiest, dup_titles, largest, empty = 0, 0, (0, ""), 0
    busiest_feed = ""
    employer_busiest = 0
    duplicates_anywhere = 0
    for path in feed_files(folder):
        size = os.path.getsize(path)
        largest = max(largest, (size, os.path.relpath(path, folder)))
        events = events_of(path)
        if not events:
            empty += 1
        per_day = collections.Counter(e.get("DTSTART", "")[:8] for e in events)
        if "employers" in path.split(os.sep):
            employer_busiest = max(employer_busiest, *per_day.values(), 0)
        elif per_day and max(per_day.values()) > busiest:
            busiest, busiest_feed = max(per_day.values()), os.path.relpath(path, folder)
        titles = collections.Counter((e.get("DTSTART", "")[:8], e.get("SUMMARY", ""))
                                     for e in events)
        if os.path.relpath(path, folder) == "all.ics":
            dup_titles = sum(n for n in titles.values() if n > 1)
        duplicates_anywhere += sum(n for n in titles.values() if n > 1)
    return {"busiest_day_events": busiest, "busiest_feed": busiest_feed,
            "busiest_day_employer_feed": employer_busiest,
            "same_day_duplicate_titles_all": dup_titles,
            "same_day_duplicate_titles_any_feed": duplicates_anywhere,
            "largest_feed_bytes": largest[0],
            "largest_feed": largest[1], "empty_feeds": empty,
            "feeds": len(feed_files(folder))}


def active_in_all(listing: str, term: str | None, folder: str) -> tuple[int, int]:
    with open(listing, encoding="utf-8") as handle:
        postings = json.load(handle)
    with open(os.path.join(folder, "all.ics"), encoding="utf-8", newline="") as handle:
        text = "\n".join(unfold(handle.read())).replace("\\,", ",").replace("\\;", ";")
    wanted = [p for p in postings if p.get("active") is not False
              and p.get("is_visible") is not False
              and (term is None or term in (p.get("terms") or []))]
    # A posting is in the feed by its own UID or by its link in a day's entry.
    found = sum(1 for p in wanted if str(p.get("id", "")).lower() in text
                or (p.get("url") and p["url"].replace(" ", "%20") in text))
    return found, len(wanted)


def run(command: list[str]) -> tuple[int, str]:
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    return done.returncode, done.stdout + done.stderr


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("listing")
    parser.add_argument("work")
    parser.add_argument("--term")
    parser.add_argument("--data", default=DEFAULT_DATA, help="curated data to combine with")
    parser.add_argument("--as-of", default="2026-12-01")
    args = parser.parse_args()
    os.makedirs(args.work, exist_ok=True)
    data = os.path.join(args.work, "postings.yaml")
    command = [DEADLINECAL, "import", "simplify", args.listing, "-o", data]
    if args.term:
        command += ["--term", args.term]
    code, out = run(command)
    if code:
        sys.exit(out)
    results = {}
    for name, paths in (("alone", [data]), ("combined", [args.data, data])):
        folder = os.path.join(args.work, name)
        code, out = run([DEADLINECAL, "build", *paths, "-o", folder, "--as-of", args.as_of])
        if code:
            sys.exit(out)
        found, wanted = active_in_all(args.listing, args.term, folder)
        results[name] = {**measure(folder), "build_lines": len(out.splitlines()),
                         "active_postings_in_all": f"{found} of {wanted}"}
    print(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
