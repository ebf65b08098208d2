"""Every personal address a build published, kept: `picked/choices.json` and ended files.

`picked/choices.json` is the record. Its format 2 holds the declared terms and:

- `choices`: every choice the picker offers now -> its address (`serve` answers
  `feed.ics?track=...` from it, the page offers the same);
- `kept`: every other address published before -> the choice it answers with. Addresses
  of format 1 (`picked/<hash>.ics`, named by the programs a choice selected) come in here
  with the simplest choice that led to them (the one their calendar was titled after);
- `ended`: addresses whose choice names a term the data no longer declares -> that choice,
  the day it ended and the address to subscribe to instead.

A build reads the record of the build before (output/plan.py passes it in) and writes every
address in it again, so no address a build published ever disappears. An unreadable or
hostile record is a warning and is ignored as a whole; entries that do not look like ours
(an address outside `picked/`, a term that is no slug) are dropped one by one.

Pure: no filesystem, no clock.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Mapping, Sequence

from deadlinecal.ended import notice_uid
from deadlinecal.errors import Problem
from deadlinecal.model import Dataset, FeedSpec
from deadlinecal.page.picker import CHOICES_PATH, FOLDER, Choice, Ended, Picker

FORMAT = 2
# More addresses than any picker offers (MAX_CHOICES) with years of history beside them.
MAX_PUBLISHED = 8192
# An address the build may write: one name under picked/, no dot-only parts, no slash.
_ADDRESS = re.compile(rf"{FOLDER}/[a-z0-9][a-z0-9+-]*(?:\.[a-z0-9][a-z0-9+-]*)*\.ics")
_TERM = re.compile(r"[a-z0-9][a-z0-9-]*")
_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")

Published = tuple[tuple[str, Choice, str], ...]


def read_record(content: bytes | None, *, file: str = CHOICES_PATH
                ) -> tuple[Published, tuple[Problem, ...]]:
    """Every address the record lists: (address, choice, day it ended or "").

    Never fails: what cannot be read is a warning naming `file`, and is left out.
    """
    if content is None:
        return (), ()
    try:
        document = json.loads(content)
        if not isinstance(document, dict):
            raise TypeError
        found = _format_1(document) if document.get("format") == 1 else _format_2(document)
    except (ValueError, TypeError, AttributeError, RecursionError):
        return (), (Problem(file=file, line=None, column=None, path="", severity="warning",
                            message="could not be read; the personal addresses published "
                            "before it are not written again"),)
    problems = []
    kept: dict[str, tuple[str, Choice, str]] = {}
    dropped = 0
    for path, key, since in found:
        choice = _choice(key)
        if (not isinstance(path, str) or not _ADDRESS.fullmatch(path) or choice is None
                or not _is_day(since)):
            dropped += 1
            continue
        kept.setdefault(path, (path, choice, since))
    if dropped:
        problems.append(Problem(file=file, line=None, column=None, path="", severity="warning",
                                message=f"{dropped} entries are not addresses and choices "
                                "a build writes; they are left out"))
    if len(kept) > MAX_PUBLISHED:
        problems.append(Problem(file=file, line=None, column=None, path="", severity="warning",
                                message=f"lists {len(kept):,} addresses, more than "
                                f"{MAX_PUBLISHED:,}; only the first {MAX_PUBLISHED:,} are "
                                "written again"))
    return tuple(list(kept.values())[:MAX_PUBLISHED]), tuple(problems)


def ended_before(content: bytes | None) -> frozenset[str]:
    """The addresses the record lists as ended (their files hold only cancelled events)."""
    published, _ = read_record(content)
    return frozenset(path for path, _, since in published if since)


def _format_1(document: Mapping[str, object]) -> list[tuple[str, str, str]]:
    """A format-1 record (`choices`: key -> hash address): each address with the simplest
    choice that led to it, the first of the fewest terms as choices.json lists them."""
    choices = document["choices"]
    if not isinstance(choices, dict):
        raise TypeError
    simplest: dict[str, tuple[int, str]] = {}
    for key, path in choices.items():
        choice = _choice(key)
        if choice is None or not isinstance(path, str):
            continue
        size = choice.constraints
        if path not in simplest or size < simplest[path][0]:
            simplest[path] = (size, key)
    return [(path, key, "") for path, (_, key) in simplest.items()]


def _format_2(document: Mapping[str, object]) -> list[tuple[str, str, str]]:
    choices, kept, ended = (document.get(name, {}) for name in ("choices", "kept", "ended"))
    if not (isinstance(choices, dict) and isinstance(kept, dict) and isinstance(ended, dict)):
        raise TypeError
    found = [(path, key, "") for key, path in choices.items()]
    found += [(path, key, "") for path, key in kept.items()]
    for path, entry in ended.items():
        if isinstance(entry, dict):
            found.append((path, entry.get("choice"), entry.get("since", "")))
    return found


def _is_day(since: object) -> bool:
    """"" (alive) or a real day in ISO form."""
    if since == "":
        return True
    if not isinstance(since, str) or not _DAY.fullmatch(since):
        return False
    try:
        dt.date.fromisoformat(since)
    except ValueError:
        return False
    return True


def _choice(key: object) -> Choice | None:
    if not isinstance(key, str) or len(key) > 1000:
        return None
    try:
        choice = Choice.from_key(key)
    except ValueError:
        return None
    if not all(_TERM.fullmatch(term) for _, term in choice.terms):
        return None
    return choice


def choices_json(dataset: Dataset, picker: Picker) -> bytes:
    """picked/choices.json: the declared terms, each choice's address, and every address
    published before (see the module docstring)."""
    document = {
        # How a build recognises the file as its own (output.recognise).
        "generator": "deadlinecal",
        "format": FORMAT,
        "terms": {
            "track": [t.key for t in dataset.tracks],
            "eligibility": [g.key for g in dataset.eligibility],
            "citizenship": [c.key for c in dataset.citizenship],
        },
        "choices": {choice.key: path for choice, path in picker.choices},
        "kept": {path: choice.key for path, choice in picker.kept},
        "ended": {each.path: {"choice": each.choice.key, "since": each.since,
                              "instead": each.instead.address} for each in picker.ended},
    }
    return (json.dumps(document, indent=1, ensure_ascii=False) + "\n").encode("utf-8")


def ended_file(dataset: Dataset, ended: Ended, previous: bytes | None,
               retired: Mapping[str, object] | None = None) -> bytes:
    """The file of an ended address: the events it held, cancelled, and one notice saying
    the calendar ended and where to subscribe instead.

    `previous` is the address's file as the build before wrote it (its events are the
    ones cancelled); `retired` the revisions the feeds no longer hold, by UID (a notice
    published before, then dropped when the choice came back, continues its SEQUENCE).
    """
    from deadlinecal import history
    from deadlinecal.events.expand import CANCELLED_MARK
    from deadlinecal.ical import fastical
    from deadlinecal.ical.render import feed_url, header_bytes
    from deadlinecal.pipeline import describe_filter

    words = describe_filter(ended.choice.filter, dataset)
    instead_words = describe_filter(ended.instead.filter, dataset)
    instead = (feed_url(dataset.base_url, ended.instead.address) if dataset.base_url
               else ended.instead.address)
    gone = ", ".join(f"the {name} {term!r}" for name, term in ended.missing)
    spec = FeedSpec(path=ended.path, title=f"{dataset.title}: {words} (ended)",
                    description=f"This calendar ended: the data no longer has {gone}. "
                    f"Subscribe to {instead} ({instead_words}) instead.")
    since = dt.date.fromisoformat(ended.since)
    when = dt.datetime.combine(since, dt.time(), tzinfo=dt.UTC)
    uid = notice_uid(dataset, ended.path)
    shown = instead_words[:1].upper() + instead_words[1:]
    held = history.read_feed(previous) if previous else {}
    parts = [header_bytes(dataset, spec)]
    parts += [history.cancelled_copy(seen, when, CANCELLED_MARK)
              for event_uid, seen in held.items() if event_uid != uid]
    text = fastical.text
    stamp = when.strftime("%Y%m%dT%H%M%SZ")
    lines = [
        "BEGIN:VEVENT",
        f"SUMMARY:{text(f'Calendar ended: switch to “{shown}”')}",
        f"DTSTART;VALUE=DATE:{since:%Y%m%d}",
        f"DTEND;VALUE=DATE:{since + dt.timedelta(days=1):%Y%m%d}",
        f"DTSTAMP:{stamp}",
        f"UID:{text(uid)}",
        "SEQUENCE:0",
        "DESCRIPTION:" + text(
            f"This calendar ({words}) ended on {since.isoformat()}: the data no longer has "
            f"{gone}, so its events are cancelled and no new ones will come. Subscribe to "
            f"{instead} ({instead_words}) instead; the page lists every calendar."),
        f"LAST-MODIFIED:{stamp}",
        "STATUS:CONFIRMED",
        "TRANSP:TRANSPARENT",
        *([f"URL:{instead}"] if dataset.base_url else []),
        "END:VEVENT",
    ]
    notice = b"".join(fastical.fold(line) + b"\r\n" for line in lines)
    parts.append(_revised_notice(notice, held.get(uid), retired.get(uid) if retired else None))
    parts.append(b"END:VCALENDAR\r\n")
    return b"".join(parts)


def _revised_notice(notice: bytes, before: object, retired: object) -> bytes:
    """The notice as published before when unchanged; else its next revision."""
    from deadlinecal import history

    earlier = [seen for seen in (before, retired) if isinstance(seen, history.Seen)]
    if not earlier:
        return notice
    last = max(earlier, key=lambda seen: seen.sequence)
    if isinstance(before, history.Seen) and history.content_of(notice) == before.content:
        return before.block if before.block.endswith(b"\r\n") else before.block + b"\r\n"
    sequence = min(last.sequence + 1, history.MAX_SEQUENCE)
    return notice.replace(b"\r\nSEQUENCE:0\r\n", f"\r\nSEQUENCE:{sequence}\r\n".encode(), 1)


def addresses(picker: Picker) -> Sequence[str]:
    """Every address the picker writes: offered, kept and ended."""
    return [*(each.spec.path for each in picker.feeds), *(each.path for each in picker.ended)]
