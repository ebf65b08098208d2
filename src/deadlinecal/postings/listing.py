"""Posting lists in the SimplifyJobs `listings.json` format -> checked posting records.

The lists are JSON arrays of postings, each with the Unix time it was posted. This module
reads the bytes and checks the postings an import will use; `importer.py` turns them into
a dataset. Only `id`, `company_name`, `title` and `date_posted` are required; every other
field is optional (older files lack `category` and `degrees`). Pure: no files, no clock.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import re
import zoneinfo
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from deadlinecal.dataset import zonenames
from deadlinecal.errors import DataError, Problem

# A whole community list is a few MB (6,000 postings: 3.8 MB); anything this large is not one.
MAX_POSTINGS_BYTES = 40 * 1024 * 1024
# Problems listed one by one before the rest are only counted.
MAX_LISTED_PROBLEMS = 20
DEFAULT_ZONE = "America/New_York"
# Both cases spelled out: re.IGNORECASE made this check a quarter of the pass over a list.
_UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-"
                   r"[0-9a-fA-F]{12}")
_TERM = re.compile(r"(winter|spring|summer|fall)\s+([0-9]{4})", re.IGNORECASE)
# Unix seconds from 1990 to the end of 2999: the format's years, without the far past.
_EARLIEST_SECONDS = 631_152_000
_LATEST_SECONDS = 32_503_680_000
# Characters a data file may not hold (control characters, separators, surrogates and
# non-characters): a posting's text loses them on the way in.
_UNPRINTABLE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069"
                          "\ud800-\udfff\ufffe\uffff]")  # with bidi overrides and isolates


@dataclass(frozen=True, slots=True, kw_only=True)
class Posting:
    """One posting of a list, checked; text fields are cleaned, days are in the import zone."""

    index: int
    id: str
    company: str
    title: str
    posted: dt.date
    updated: dt.date | None
    url: str
    locations: tuple[str, ...]
    terms: tuple[str, ...]
    active: bool
    visible: bool
    sponsorship: str
    category: str
    degrees: tuple[str, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class PostingList:
    """What a file held: how many postings, the visible ones by day, and what the rest were.

    Only the checks and the day of each posting are worked out for every posting; the full
    `Posting` (cleaned text) is made by `posting(index)` for the few an import writes.
    """

    read: int
    # How many postings of the chosen terms (and categories) were checked.
    chosen: int
    # Postings of other terms, by term (a posting with several terms counts once per term).
    other_terms: dict[str, int]
    # The list's own date: the latest day a visible posting of the term was posted or
    # updated on, never after the latest day the caller allows (today, the file's date).
    as_of: dt.date
    terms: tuple[str, ...]
    hidden: int
    # Closed postings with no date_updated: the day they closed is unknown.
    unknown_close: int
    # Ids of the visible postings (closed ones too): an earlier import's program whose id
    # is not here is gone from the list.
    present: frozenset[str]
    # The visible postings with a known last day, as (id, index): the open ones by the
    # ordinal of the day they were posted, the closed ones by the day they closed.
    open_days: dict[int, list[tuple[str, int]]]
    closed_days: dict[int, list[tuple[str, int]]]
    # Distinct category and degree texts of those postings, in the order they first
    # appear, as the list writes them.
    categories: tuple[str, ...]
    degrees: tuple[str, ...]
    items: Sequence[Any]
    zone: zoneinfo.ZoneInfo
    # The postings of the term that were skipped, one warning each, naming the posting.
    skipped: tuple[Problem, ...] = ()
    # The ids (when readable) of those postings: the list still holds them.
    skipped_ids: frozenset[str] = frozenset()

    def posting(self, index: int) -> Posting:
        """The checked posting at `index` of the list, its text cleaned."""
        posting = _posting("", index, self.items[index], self.zone, [])
        assert posting is not None, "only checked postings are asked for"
        return posting


def parse_json(data: bytes, *, file: str) -> list[Any]:
    """The JSON array of a posting list. Raises DataError for anything else."""
    if len(data) > MAX_POSTINGS_BYTES:
        raise _file_error(file, f"the file is larger than the limit of "
                          f"{MAX_POSTINGS_BYTES // (1024 * 1024)} MiB",
                          "a posting list of a few MB, like the SimplifyJobs listings.json")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise _file_error(file, f"the file is not UTF-8 (byte 0x{data[exc.start]:02x} at "
                          f"offset {exc.start})", "a JSON file saved as UTF-8") from None
    try:
        try:
            parsed = json.loads(text)
        except ValueError as exc:
            if isinstance(exc, json.JSONDecodeError):
                raise
            # An integer of more digits than Python converts: read again, such numbers as
            # infinities (no posting field holds one, so the posting is only skipped).
            parsed = json.loads(text, parse_int=_integer)
    except json.JSONDecodeError as exc:
        truncated = exc.pos >= len(text.rstrip())
        hint = "; the file ends in the middle, so it was probably cut short" if truncated else ""
        raise DataError([Problem(file=file, line=exc.lineno, column=exc.colno, path="",
                                 message=f"this is not valid JSON: {exc.msg}{hint}",
                                 expected="a complete JSON array of postings")]) from None
    except RecursionError:
        raise _file_error(file, "the JSON nests too deeply",
                          "a JSON array of posting objects") from None
    if not isinstance(parsed, list):
        raise _file_error(file, f"the file holds a JSON {_kind(parsed)}, not an array",
                          "a JSON array of postings, like the SimplifyJobs listings.json")
    return parsed


def read_postings(data: bytes, *, file: str, terms: Sequence[str] = (),
                  categories: Sequence[str] = (), zone: str = DEFAULT_ZONE,
                  latest_day: dt.date | None = None) -> PostingList:
    """Parse a posting list and check every posting of the chosen terms (and categories).

    With no `terms`, the latest summer term named in the file is chosen. Postings of other
    terms are counted but not checked. A posting of the term that cannot be used (a bad
    field, an id used before, a day after `latest_day`) is skipped with a warning naming
    it by its index and id; the others are imported as if it were not there. Raises
    DataError only for a file that is not a posting list at all.
    """
    items = parse_json(data, file=file)
    tz = zonenames.zone(zone)
    # Unix seconds at which the day after `latest_day` starts: no posting can be later.
    limit = (_LATEST_SECONDS if latest_day is None else min(_LATEST_SECONDS, int(
        dt.datetime.combine(latest_day + dt.timedelta(days=1), dt.time(), tz).timestamp())))
    chosen_terms = tuple(terms) or _current_summer(items, limit)
    if not chosen_terms:
        raise _file_error(file, "no posting names a summer term, so none can be chosen",
                          "--term naming a term of the file, like --term 'Fall 2025'")
    found = _Pass(file, items, tz, {term.casefold() for term in chosen_terms},
                  {category.casefold() for category in categories}, limit)
    found.run()
    first_day = min((*found.open_days, *found.closed_days), default=None)
    as_of = (dt.datetime.fromtimestamp(found.latest, tz).date() if found.latest
             else dt.date.fromordinal(first_day) if first_day is not None
             else dt.date(1990, 1, 1))
    skipped = [dataclasses.replace(problem, severity="warning")
               for problem in found.shape_problems + found.problems]
    return PostingList(read=len(items), chosen=found.chosen, other_terms=found.other,
                       as_of=as_of, terms=chosen_terms, hidden=found.hidden,
                       unknown_close=found.unknown_close, present=frozenset(found.present),
                       open_days=found.open_days, closed_days=found.closed_days,
                       categories=tuple(found.categories), degrees=tuple(found.degrees),
                       items=items, zone=tz, skipped=tuple(skipped),
                       skipped_ids=frozenset(found.skipped_ids))


class _Pass:
    """One pass over a list: checks, days and counts, without a call per valid posting.

    A posting whose fields are all of the usual shape is handled inline; any other goes to
    `_posting`, which names each of its problems.
    """

    def __init__(self, file: str, items: list[Any], tz: zoneinfo.ZoneInfo,
                 wanted: set[str], wanted_categories: set[str], limit: int) -> None:
        self.file, self.items, self.tz, self.limit = file, items, tz, limit
        self.wanted, self.wanted_categories = wanted, wanted_categories
        self.problems: list[Problem] = []
        self.shape_problems: list[Problem] = []
        self.skipped_ids: set[str] = set()
        self.other: dict[str, int] = {}
        self.first_index: dict[str, int] = {}
        self.present: set[str] = set()
        self.open_days: dict[int, list[tuple[str, int]]] = {}
        self.closed_days: dict[int, list[tuple[str, int]]] = {}
        self.categories: dict[str, None] = {}
        self.degrees: dict[str, None] = {}
        self.latest: float = 0
        self.chosen = self.hidden = self.unknown_close = 0

    def run(self) -> None:  # one loop on purpose: it runs once per posting
        wanted, tz, uuid = self.wanted, self.tz, _UUID.fullmatch
        earliest, latest_allowed = _EARLIEST_SECONDS, self.limit
        from_seconds = dt.datetime.fromtimestamp
        first_index, categories, degrees = self.first_index, self.categories, self.degrees
        present, open_days, closed_days = self.present, self.open_days, self.closed_days
        latest = 0.0
        chosen = 0
        for index, item in enumerate(self.items):
            if type(item) is not dict:
                self.shape_problems.append(_problem(
                    self.file, index, None, f"the posting is a JSON {_kind(item)}",
                    "a JSON object with id, company_name, title and date_posted"))
                continue
            get = item.get
            posted_raw, updated_raw = get("date_posted"), get("date_updated")
            its_terms = get("terms")
            hit = False
            if type(its_terms) is list:
                for term in its_terms:
                    if type(term) is str and term.casefold() in wanted and term.strip():
                        hit = True
                        break
            elif type(its_terms) is str:
                hit = its_terms.casefold() in wanted and bool(its_terms.strip())
            if not hit:
                for term in _texts(its_terms) or ("no term",):
                    self.other[term] = self.other.get(term, 0) + 1
                continue
            raw_category = get("category")
            if self.wanted_categories:
                category = clean(raw_category) if isinstance(raw_category, str) else ""
                if category.casefold() not in self.wanted_categories:
                    key = f"category {category or '(none)'}"
                    self.other[key] = self.other.get(key, 0) + 1
                    continue
            chosen += 1
            raw_id, company, title = get("id"), get("company_name"), get("title")
            if (type(raw_id) is str and uuid(raw_id) is not None
                    and type(company) is str and company.isprintable() and company.strip()
                    and type(title) is str and title.isprintable() and title.strip()
                    and type(posted_raw) is int and earliest <= posted_raw < latest_allowed
                    and (updated_raw is None or (type(updated_raw) is int
                                                 and earliest <= updated_raw < latest_allowed))):
                ident = raw_id.lower()
                seconds: float = max(posted_raw, updated_raw or 0)
                posted = from_seconds(posted_raw, tz).toordinal()
                # Only a closed posting's update day is used (it closed then).
                active = get("active") is not False
                updated = (None if updated_raw is None else 0 if active
                           else from_seconds(updated_raw, tz).toordinal())
            else:
                checked = _posting(self.file, index, item, tz, self.problems, self.limit)
                if checked is None:
                    if type(raw_id) is str:
                        self.skipped_ids.add(raw_id.strip().lower())
                    continue
                seconds = max(_seconds(posted_raw) or 0, _seconds(updated_raw) or 0)
                ident, posted = checked.id, checked.posted.toordinal()
                updated = checked.updated.toordinal() if checked.updated else None
                active = checked.active
            if ident in first_index:
                self.problems.append(_problem(self.file, index, ident, "the id is also used "
                                              f"by postings[{first_index[ident]}]",
                                              "a unique id per posting"))
                continue
            first_index[ident] = index
            if get("is_visible") is False:
                self.hidden += 1
                continue
            present.add(ident)
            # Only the term's own visible postings date the list: another term's (or a
            # hidden) posting cannot move the day its closed postings are counted from.
            if seconds > latest:
                latest = seconds
            if not active and updated is None:
                self.unknown_close += 1
                continue
            if type(raw_category) is not str:
                raw_category = ""
            if raw_category not in categories:
                categories[raw_category] = None
            raw_degrees = get("degrees")
            for degree in (raw_degrees if type(raw_degrees) is list else _texts(raw_degrees)):
                if type(degree) is str and degree not in degrees and degree.strip():
                    degrees[degree] = None
            day, days = ((posted, open_days) if active or updated is None else
                         (updated if updated > posted else posted, closed_days))
            bucket = days.get(day)
            if bucket is None:
                days[day] = [(ident, index)]
            else:
                bucket.append((ident, index))
        self.latest = latest
        self.chosen = chosen


def term_slug(terms: Sequence[str]) -> str:
    """'Summer 2027' -> 'summer-2027'; several terms joined by '-'."""
    return "-".join(slug(term) for term in terms) or "postings"


def term_end(terms: Sequence[str]) -> dt.date | None:
    """The last day of the latest of `terms` that reads as '<season> <year>'."""
    ends = {"winter": (3, 31), "spring": (6, 30), "summer": (8, 31), "fall": (12, 31)}
    days = []
    for term in terms:
        match = _TERM.fullmatch(term.strip())
        if match:
            month, day = ends[match[1].lower()]
            days.append(dt.date(int(match[2]), month, day))
    return max(days, default=None)


def slug(text: str) -> str:
    """Lower-case letters, digits and hyphens: 'AI/ML/Data' -> 'ai-ml-data'."""
    return re.sub(r"[^a-z0-9]+", "-", text.casefold()).strip("-")


def _current_summer(items: list[Any], limit: int) -> tuple[str, ...]:
    """The summer term most postings of the list's last 90 days name (a list keeps its
    older seasons, so counting all postings would choose last year's). Postings dated at
    or after `limit` are not counted: one of them would choose its own term."""
    labels: dict[str, str | None] = {}  # each term text read once
    named: list[tuple[float, str]] = []
    latest: float = 0
    for item in items:
        if type(item) is not dict:
            continue
        seconds = item.get("date_posted")
        if type(seconds) is not int:
            seconds = _seconds(seconds) or 0
        if not 0 <= seconds < limit:
            continue
        if seconds > latest:
            latest = seconds
        terms = item.get("terms")
        for term in terms if type(terms) is list else _texts(terms):
            if type(term) is str:
                label = labels.get(term, "")
                if label == "":
                    match = _TERM.fullmatch(term.strip())
                    label = labels[term] = (f"Summer {match[2]}" if match
                                            and match[1].lower() == "summer" else None)
                if label:
                    named.append((seconds, label))
    for since in (latest - 90 * 86_400, float("-inf")):
        counts = Counter(label for seconds, label in named if seconds >= since)
        if counts:
            best = max(counts.values())
            return (max((term for term, count in counts.items() if count == best)),)
    return ()


def _posting(file: str, index: int, item: dict[str, Any], tz: zoneinfo.ZoneInfo,
             problems: list[Problem], limit: int = _LATEST_SECONDS) -> Posting | None:
    """Check one chosen posting; None (with a problem recorded) when it cannot be used."""
    raw_id = item.get("id")
    ident = raw_id.strip().lower() if isinstance(raw_id, str) else None
    before = len(problems)

    def bad(message: str, expected: str) -> None:
        problems.append(_problem(file, index, raw_id if isinstance(raw_id, str) else None,
                                 message, expected))

    if ident is None:
        bad("id is missing" if raw_id is None else f"id is a JSON {_kind(raw_id)}",
            "a UUID such as 98b2d671-3f03-430e-b18c-e5ddb8ce5035")
    elif not _UUID.fullmatch(ident):
        bad("id is not a UUID", "a UUID such as 98b2d671-3f03-430e-b18c-e5ddb8ce5035")
    company = _required_text(item, "company_name", bad)
    title = _required_text(item, "title", bad)
    posted = _day(item, "date_posted", tz, bad, required=True, limit=limit)
    updated = _day(item, "date_updated", tz, bad, required=False, limit=limit)
    if len(problems) > before or ident is None or posted is None:
        return None
    return Posting(
        index=index, id=ident, company=company, title=title, posted=posted, updated=updated,
        url=clean(item["url"]) if isinstance(item.get("url"), str) else "",
        locations=tuple(clean(t) for t in _texts(item.get("locations"))),
        terms=tuple(clean(t) for t in _texts(item.get("terms"))),
        active=item.get("active") is not False,
        visible=item.get("is_visible") is not False,
        sponsorship=clean(item["sponsorship"]) if isinstance(item.get("sponsorship"), str)
        else "",
        category=clean(item["category"]) if isinstance(item.get("category"), str) else "",
        degrees=tuple(clean(t) for t in _texts(item.get("degrees"))),
    )


def _required_text(item: dict[str, Any], name: str, bad: Any) -> str:
    value = item.get(name)
    if not isinstance(value, str) or not clean(value):
        what = "missing" if value is None else ("empty" if isinstance(value, str)
                                                 else f"a JSON {_kind(value)}")
        bad(f"{name} is {what}", "a non-empty string")
        return ""
    return clean(value)


def _day(item: dict[str, Any], name: str, tz: zoneinfo.ZoneInfo, bad: Any, *,
         required: bool, limit: int) -> dt.date | None:
    value = item.get(name)
    if value is None and not required:
        return None
    expected = "Unix seconds as a JSON number, e.g. 1729811664"
    if value is None:
        bad(f"{name} is missing", expected)
        return None
    seconds = _seconds(value)
    if seconds is None:
        bad(f"{name} is not a number ({_clip(json.dumps(value))})", expected)
        return None
    if abs(seconds) == float("inf"):
        bad(f"{name} is far too large a number to be a time", expected)
        return None
    if not _EARLIEST_SECONDS <= seconds < _LATEST_SECONDS:
        hint = " (milliseconds?)" if _LATEST_SECONDS <= seconds < 1000 * _LATEST_SECONDS else ""
        bad(f"{name} {_clip(str(value))} is not a plausible Unix time in seconds{hint}",
            expected)
        return None
    day = dt.datetime.fromtimestamp(seconds, tz).date()
    if seconds >= limit:
        last = dt.datetime.fromtimestamp(limit - 1, tz).date().isoformat()
        bad(f"{name} is {day.isoformat()}, after the list's latest possible date {last} "
            "(today or the file's own date)", f"a day on or before {last}")
        return None
    return day


def _seconds(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    try:
        seconds = float(value)
    except OverflowError:  # an integer beyond any float: as far off as a time can be
        seconds = float("inf") if value > 0 else float("-inf")
    return seconds if seconds == seconds else None  # NaN is not a time


def _integer(digits: str) -> int | float:
    """A JSON integer; one too long for Python to convert is an infinity of its sign."""
    try:
        return int(digits)
    except ValueError:
        return float("-inf") if digits.startswith("-") else float("inf")


def _texts(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [entry for entry in value if isinstance(entry, str) and entry.strip()]
    return []


def clean(text: str) -> str:
    """One line of printable text, at most 500 characters."""
    if text.isprintable() and len(text) <= 500 and "  " not in text and text == text.strip():
        return text  # the common case, checked in C
    cleaned = " ".join(_UNPRINTABLE.sub(" ", text).split())
    return cleaned if len(cleaned) <= 500 else cleaned[:499] + "…"


def _kind(value: Any) -> str:
    if isinstance(value, dict):
        return "object"
    if isinstance(value, list):
        return "array"
    if isinstance(value, str):
        return "string"
    if isinstance(value, bool):
        return "boolean"
    if value is None:
        return "null"
    return "number"


def _clip(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[:limit] + "..."


def _problem(file: str, index: int, ident: str | None, message: str,
             expected: str) -> Problem:
    where = f"postings[{index}]" + (f" (id {_clip(clean(ident))!r})" if ident else "")
    return Problem(file=file, line=None, column=None, path=where, message=message,
                   expected=expected)


def _file_error(file: str, message: str, expected: str) -> DataError:
    return DataError([Problem(file=file, line=None, column=None, path="", message=message,
                              expected=expected)])
