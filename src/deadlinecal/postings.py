"""Posting lists in the SimplifyJobs `listings.json` format -> checked posting records.

The lists are JSON arrays of postings, each with the Unix time it was posted. This module
reads the bytes and checks the postings an import will use; `importer.py` turns them into
a dataset. Only `id`, `company_name`, `title` and `date_posted` are required; every other
field is optional (older files lack `category` and `degrees`). Pure: no files, no clock.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import zoneinfo
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from .errors import DataError, Problem

# A whole community list is a few MB (6,000 postings: 3.8 MB); anything this large is not one.
MAX_POSTINGS_BYTES = 40 * 1024 * 1024
# Problems listed one by one before the rest are only counted.
MAX_LISTED_PROBLEMS = 20
DEFAULT_ZONE = "America/New_York"
_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}",
                   re.IGNORECASE)
_TERM = re.compile(r"(winter|spring|summer|fall)\s+([0-9]{4})", re.IGNORECASE)
# Unix seconds from 1990 to the end of 2999: the format's years, without the far past.
_EARLIEST_SECONDS = 631_152_000
_LATEST_SECONDS = 32_503_680_000
# Characters a data file may not hold (control characters, separators, surrogates and
# non-characters): a posting's text loses them on the way in.
_UNPRINTABLE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff\ufffe\uffff]")


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
    """What a file held: how many postings, the ones chosen, and what the rest were."""

    read: int
    chosen: tuple[Posting, ...]
    # Postings of other terms, by term (a posting with several terms counts once per term).
    other_terms: dict[str, int]
    # The list's own date: the latest day any posting was posted or updated on.
    as_of: dt.date
    terms: tuple[str, ...]


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
        parsed = json.loads(text)
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
                  categories: Sequence[str] = (), zone: str = DEFAULT_ZONE) -> PostingList:
    """Parse a posting list and check every posting of the chosen terms (and categories).

    With no `terms`, the latest summer term named in the file is chosen. Postings of other
    terms are counted but not checked. Raises DataError naming each bad posting by its
    index and id, at most MAX_LISTED_PROBLEMS of them and the count of the rest.
    """
    items = parse_json(data, file=file)
    tz = zoneinfo.ZoneInfo(zone)
    problems: list[Problem] = []
    named: list[tuple[float, list[str]]] = []
    for index, item in enumerate(items):
        if not isinstance(item, dict):
            problems.append(_problem(file, index, None, f"the posting is a JSON {_kind(item)}",
                                     "a JSON object with id, company_name, title and "
                                     "date_posted"))
            continue
        named.append((_seconds(item.get("date_posted")) or 0, _texts(item.get("terms"))))
    chosen_terms = tuple(terms) or _current_summer(named)
    if not chosen_terms:
        raise _file_error(file, "no posting names a summer term, so none can be chosen",
                          "--term naming a term of the file, like --term 'Fall 2025'")
    wanted = {term.casefold() for term in chosen_terms}
    wanted_categories = {category.casefold() for category in categories}
    chosen: list[Posting] = []
    other: dict[str, int] = {}
    first_index: dict[str, int] = {}
    latest = 0.0
    for index, item in enumerate(items):
        if not isinstance(item, dict):
            continue
        latest = max(latest, _seconds(item.get("date_posted")) or 0,
                     _seconds(item.get("date_updated")) or 0)
        its_terms = _texts(item.get("terms"))
        if not any(term.casefold() in wanted for term in its_terms):
            for term in its_terms or ("no term",):
                other[term] = other.get(term, 0) + 1
            continue
        raw_category = item.get("category")
        category = _clean(raw_category) if isinstance(raw_category, str) else ""
        if wanted_categories and category.casefold() not in wanted_categories:
            other[f"category {category or '(none)'}"] = other.get(
                f"category {category or '(none)'}", 0) + 1
            continue
        posting = _posting(file, index, item, tz, problems)
        if posting is None:
            continue
        if posting.id in first_index:
            problems.append(_problem(file, index, posting.id, "the id is also used by "
                                     f"postings[{first_index[posting.id]}]",
                                     "a unique id per posting"))
            continue
        first_index[posting.id] = index
        chosen.append(posting)
    if problems:
        listed = problems[:MAX_LISTED_PROBLEMS]
        if len(problems) > len(listed):
            listed.append(Problem(file=file, line=None, column=None, path="postings[…]",
                                  message=f"... and {len(problems) - len(listed)} more "
                                  "postings with problems"))
        raise DataError(listed)
    as_of = (dt.datetime.fromtimestamp(latest, tz).date() if latest
             else max((p.posted for p in chosen), default=dt.date(1990, 1, 1)))
    return PostingList(read=len(items), chosen=tuple(chosen), other_terms=other,
                       as_of=as_of, terms=chosen_terms)


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


def _current_summer(named: list[tuple[float, list[str]]]) -> tuple[str, ...]:
    """The summer term most postings of the list's last 90 days name (a list keeps its
    older seasons, so counting all postings would choose last year's)."""
    latest = max((seconds for seconds, _ in named), default=0)
    for since in (latest - 90 * 86_400, float("-inf")):
        counts = Counter(f"Summer {m[2]}" for seconds, terms in named if seconds >= since
                         for term in terms
                         if (m := _TERM.fullmatch(term.strip())) and m[1].lower() == "summer")
        if counts:
            best = max(counts.values())
            return (max((term for term, count in counts.items() if count == best)),)
    return ()


def _posting(file: str, index: int, item: dict[str, Any], tz: zoneinfo.ZoneInfo,
             problems: list[Problem]) -> Posting | None:
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
    posted = _day(item, "date_posted", tz, bad, required=True)
    updated = _day(item, "date_updated", tz, bad, required=False)
    if len(problems) > before or ident is None or posted is None:
        return None
    return Posting(
        index=index, id=ident, company=company, title=title, posted=posted, updated=updated,
        url=_clean(item["url"]) if isinstance(item.get("url"), str) else "",
        locations=tuple(_clean(t) for t in _texts(item.get("locations"))),
        terms=tuple(_clean(t) for t in _texts(item.get("terms"))),
        active=item.get("active") is not False,
        visible=item.get("is_visible") is not False,
        sponsorship=_clean(item["sponsorship"]) if isinstance(item.get("sponsorship"), str)
        else "",
        category=_clean(item["category"]) if isinstance(item.get("category"), str) else "",
        degrees=tuple(_clean(t) for t in _texts(item.get("degrees"))),
    )


def _required_text(item: dict[str, Any], name: str, bad: Any) -> str:
    value = item.get(name)
    if not isinstance(value, str) or not _clean(value):
        what = "missing" if value is None else ("empty" if isinstance(value, str)
                                                 else f"a JSON {_kind(value)}")
        bad(f"{name} is {what}", "a non-empty string")
        return ""
    return _clean(value)


def _day(item: dict[str, Any], name: str, tz: zoneinfo.ZoneInfo, bad: Any, *,
         required: bool) -> dt.date | None:
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
    if not _EARLIEST_SECONDS <= seconds < _LATEST_SECONDS:
        hint = " (milliseconds?)" if seconds >= _LATEST_SECONDS else ""
        bad(f"{name} {value} is not a plausible Unix time in seconds{hint}", expected)
        return None
    return dt.datetime.fromtimestamp(seconds, tz).date()


def _seconds(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value) if value == value else None  # NaN is not a time


def _texts(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [entry for entry in value if isinstance(entry, str) and entry.strip()]
    return []


def _clean(text: str) -> str:
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
    where = f"postings[{index}]" + (f" (id {_clip(_clean(ident))!r})" if ident else "")
    return Problem(file=file, line=None, column=None, path=where, message=message,
                   expected=expected)


def _file_error(file: str, message: str, expected: str) -> DataError:
    return DataError([Problem(file=file, line=None, column=None, path="", message=message,
                              expected=expected)])
