"""The fuzzy-date vocabulary: parse what the data says, and say it back in words."""

from __future__ import annotations

import calendar
import datetime as dt
import functools
import re
import zoneinfo

from deadlinecal.dataset import zonenames
from deadlinecal.model import Duration, FuzzyDate, Precision
from deadlinecal.text import plural

DATE_FORMS = (
    '"2026-10-14", "2026-10-14 23:59 America/New_York", "2026-10-14 23:59 AoE", '
    '"2026-10", "early|mid|late 2026-10", "fall 2026", "2026-07..2026-08", '
    'any of these after "around"'
)
DURATION_FORMS = '"10 days", "2 weeks", "2-4 weeks", "1 month"'
REMINDER_FORMS = "an ISO 8601 duration before the event, such as P1D, PT2H, P1W or P2DT12H"
_REMINDER = re.compile(r"P(?:([0-9]+)W)?(?:([0-9]+)D)?(?:T(?:([0-9]+)H)?(?:([0-9]+)M)?)?")

_PARTS = {"early": (1, 10), "mid": (11, 20), "late": (21, 31)}
# Meteorological seasons of the northern hemisphere, where these cycles run.
_SEASONS = {"spring": (3, 5), "summer": (6, 8), "fall": (9, 11), "autumn": (9, 11)}
_DAY = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})")
_MONTH = re.compile(r"([0-9]{4})-([0-9]{2})")
_PART = re.compile(r"(early|mid|late)[ -]([0-9]{4})-([0-9]{2})")
_SEASON = re.compile(r"(spring|summer|fall|autumn|winter) ([0-9]{4})")
_TIME = re.compile(
    r"([0-9]{4}-[0-9]{2}-[0-9]{2})[ T]([0-9]{2}):([0-9]{2})(?: ([A-Za-z][A-Za-z0-9_+/-]*))?"
)
_DURATION = re.compile(r"([0-9]+)(?: ?(?:-|–) ?([0-9]+))? (day|week|month)s?")
_UNIT_DAYS = {"day": 1, "week": 7, "month": 30}
# Anywhere on Earth is UTC-12; we store the instant in UTC so no Etc/ zone name is needed.
AOE_OFFSET = dt.timedelta(hours=-12)
# Years a date may name. Far from 1 and 9999, so no date arithmetic can overflow.
MIN_YEAR, MAX_YEAR = 1900, 2999
# The longest window a duration may describe, for the same reason.
MAX_DURATION_DAYS = 3660
# The earliest a reminder may fire before its event (a huge one overflowed the arithmetic).
MAX_REMINDER = dt.timedelta(days=366)


class DateSyntaxError(ValueError):
    """The text is not a date in our vocabulary; the message says why."""


# Large files repeat the same few hundred date texts; the results are frozen, so share them.
@functools.lru_cache(maxsize=4096)
def parse_fuzzy(
    text: str, *, allow_time: bool = True, default_zone: str | None = None
) -> FuzzyDate:
    """Parse one fuzzy date.

    Raises DateSyntaxError with a reason when the text is not in the vocabulary, names an
    impossible day, or an unknown time zone.
    """
    raw = text.strip()
    approximate = False
    for prefix in ("around ", "~"):
        if raw.startswith(prefix):
            approximate = True
            raw = raw[len(prefix):].strip()
            break
    if ".." in raw:
        first, _, second = raw.partition("..")
        start = _parse_single(first.strip(), allow_time=False, default_zone=default_zone)
        stop = _parse_single(second.strip(), allow_time=False, default_zone=default_zone)
        if stop.latest < start.earliest:
            raise DateSyntaxError(f"the range {text.strip()!r} ends before it starts")
        return FuzzyDate(
            earliest=start.earliest,
            latest=stop.latest,
            precision=Precision.RANGE,
            approximate=approximate or start.approximate or stop.approximate,
            wording=_range_wording(start, stop),
        )
    single = _parse_single(raw, allow_time=allow_time, default_zone=default_zone)
    if not approximate:
        return single
    return FuzzyDate(
        earliest=single.earliest,
        latest=single.latest,
        precision=single.precision,
        approximate=True,
        wording=f"around {single.wording}",
        moment=single.moment,
        zone=single.zone,
    )


def _check_year(year: int, text: str) -> None:
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise DateSyntaxError(f"{text!r} names the year {year}; years run {MIN_YEAR} to "
                              f"{MAX_YEAR}")


def _make_day(year: int, month: int, day: int, text: str) -> dt.date:
    _check_year(year, text)
    try:
        return dt.date(year, month, day)
    except ValueError as exc:
        raise DateSyntaxError(f"{text!r} is not a real date ({exc})") from None


def _month_bounds(year: int, month: int, text: str) -> tuple[dt.date, dt.date]:
    _check_year(year, text)
    if not 1 <= month <= 12:
        raise DateSyntaxError(f"{text!r} has month {month}; months run 01 to 12")
    last = calendar.monthrange(year, month)[1]
    return dt.date(year, month, 1), dt.date(year, month, last)


def _parse_single(text: str, *, allow_time: bool, default_zone: str | None) -> FuzzyDate:
    if match := _DAY.fullmatch(text):
        day = _make_day(int(match[1]), int(match[2]), int(match[3]), text)
        return FuzzyDate(
            earliest=day, latest=day, precision=Precision.DAY, approximate=False,
            wording=human_day(day),
        )
    if match := _MONTH.fullmatch(text):
        first, last = _month_bounds(int(match[1]), int(match[2]), text)
        return FuzzyDate(
            earliest=first, latest=last, precision=Precision.MONTH, approximate=False,
            wording=first.strftime("%B %Y"),
        )
    if match := _PART.fullmatch(text):
        first, last = _month_bounds(int(match[2]), int(match[3]), text)
        low, high = _PARTS[match[1]]
        return FuzzyDate(
            earliest=first.replace(day=low),
            latest=last.replace(day=min(high, last.day)),
            precision=Precision.PART_OF_MONTH,
            approximate=False,
            # English hyphenates "mid-October" but not "early October".
            wording=f"{match[1]}{'-' if match[1] == 'mid' else ' '}{first.strftime('%B %Y')}",
        )
    if match := _SEASON.fullmatch(text):
        _check_year(int(match[2]), text)
        return _season(match[1], int(match[2]))
    if match := _TIME.fullmatch(text):
        if not allow_time:
            raise DateSyntaxError(
                f"{text!r} has a time of day, which only closes and deadline may have"
            )
        return _parse_time(match, text, default_zone)
    raise DateSyntaxError(f"{text!r} is not a date we understand")


def _season(name: str, year: int) -> FuzzyDate:
    if name == "winter":
        # Winter 2026 is December 2026 to February 2027.
        first = dt.date(year, 12, 1)
        last = dt.date(year + 1, 2, calendar.monthrange(year + 1, 2)[1])
    else:
        low, high = _SEASONS[name]
        first = dt.date(year, low, 1)
        last = dt.date(year, high, calendar.monthrange(year, high)[1])
    return FuzzyDate(
        earliest=first, latest=last, precision=Precision.SEASON, approximate=False,
        wording=f"{name} {year}",
    )


def _parse_time(match: re.Match[str], text: str, default_zone: str | None) -> FuzzyDate:
    year, month, day = (int(part) for part in match[1].split("-"))
    date = _make_day(year, month, day, text)
    hour, minute = int(match[2]), int(match[3])
    if hour > 23 or minute > 59:
        raise DateSyntaxError(f"{text!r} has an impossible time {match[2]}:{match[3]}")
    zone_name = match[4] or default_zone
    if zone_name is None:
        raise DateSyntaxError(
            f"{text!r} has a time but no time zone, and the dataset sets no default timezone"
        )
    local = dt.datetime.combine(date, dt.time(hour, minute))
    clock = f"{hour:02d}:{minute:02d}"
    if zone_name == "AoE":
        moment = (local - AOE_OFFSET).replace(tzinfo=dt.UTC)
        return FuzzyDate(
            earliest=date, latest=date, precision=Precision.TIME, approximate=False,
            wording=f"{human_day(date)}, {clock} Anywhere on Earth (UTC−12)",
            moment=moment, zone="AoE",
        )
    zone = load_zone(zone_name)
    return FuzzyDate(
        earliest=date, latest=date, precision=Precision.TIME, approximate=False,
        wording=f"{human_day(date)}, {clock} {zone_name}",
        moment=local.replace(tzinfo=zone), zone=zone_name,
    )


def load_zone(name: str) -> zoneinfo.ZoneInfo:
    """Look up a canonical IANA zone.

    Raises DateSyntaxError for unknown names, Etc/ zones and abbreviations, the posix/ and
    right/ copies of the database, and old aliases (naming the canonical zone if it can).
    """
    reason = zonenames.refusal(name)
    if reason is not None:
        raise DateSyntaxError(reason)
    return zonenames.zone(name)


def parse_duration(text: str) -> Duration:
    """Parse "2 weeks" or "2-4 weeks". Raises DateSyntaxError."""
    match = _DURATION.fullmatch(text.strip())
    if not match:
        raise DateSyntaxError(f"{text!r} is not a duration we understand")
    low = int(match[1])
    high = int(match[2]) if match[2] else low
    if high < low or low == 0 or len(match[1]) > 5 or len(match[2] or "") > 5:
        raise DateSyntaxError(f"{text!r} is not a sensible duration")
    if high * _UNIT_DAYS[match[3]] > MAX_DURATION_DAYS:
        raise DateSyntaxError(f"{text!r} is longer than {MAX_DURATION_DAYS // 366} years")
    unit = match[3]
    per = _UNIT_DAYS[unit]
    wording = f"{low}–{high} {unit}s" if high != low else plural(low, unit)
    return Duration(min_days=low * per, max_days=high * per, wording=wording)


def parse_reminder(text: str) -> dt.timedelta:
    """Parse how long before an event a reminder fires ("P1D", "PT2H"). Raises DateSyntaxError."""
    match = _REMINDER.fullmatch(text.strip().upper())
    if not match or not any(match.groups()) or text.strip().upper().endswith("T"):
        raise DateSyntaxError(f"{text!r} is not a reminder duration we understand")
    if any(len(part or "") > 6 for part in match.groups()):
        raise DateSyntaxError(f"{text!r} is longer than a year before the event")
    weeks, days, hours, minutes = (int(part or 0) for part in match.groups())
    before = dt.timedelta(weeks=weeks, days=days, hours=hours, minutes=minutes)
    if before > MAX_REMINDER:
        raise DateSyntaxError(f"{text!r} is longer than a year before the event")
    return before


@functools.lru_cache(maxsize=4096)
def human_day(day: dt.date) -> str:
    """Write a day as "14 October 2026"."""
    return f"{day.day} {day.strftime('%B %Y')}"


def _range_wording(start: FuzzyDate, stop: FuzzyDate) -> str:
    if (
        start.precision is Precision.MONTH
        and stop.precision is Precision.MONTH
        and start.earliest.year == stop.earliest.year
    ):
        return f"{start.earliest.strftime('%B')}–{stop.wording}"
    return f"between {start.wording} and {stop.wording}"


def shown_day(when: FuzzyDate, updated: dt.date) -> dt.date:
    """The day an event for `when` is shown on: its earliest day, never before `updated`.

    An estimate still possible on the data's `updated` day has not happened as far as the
    data knows, so showing it earlier would strand it in the past of every agenda view.
    Facts stay where they are.
    """
    if when.exact:
        return when.earliest
    # An estimate that has run out entirely by `updated` stays on its last possible day.
    return min(max(when.earliest, updated), when.latest)


def follow_up_day(opens: FuzzyDate, offset_days: int, updated: dt.date) -> dt.date:
    """The apply-soon follow-up: `offset_days` after the day the opening is shown on.

    Shared by the events and by the validator's warnings, so the two cannot disagree.
    """
    return shown_day(opens, updated) + dt.timedelta(days=offset_days)


def latest_close(opens: FuzzyDate, duration: Duration) -> dt.date:
    """The last day a window of known length may close."""
    return opens.latest + dt.timedelta(days=duration.max_days)
