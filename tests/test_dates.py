"""The fuzzy-date vocabulary: each written form, its bounds, its precision and its wording."""

from __future__ import annotations

import datetime as dt

import pytest

from deadlinecal.dataset.dates import DateSyntaxError, parse_duration, parse_fuzzy
from deadlinecal.model import Precision

D = dt.date


class TestExactForms:
    def test_a_day_is_exact(self) -> None:
        parsed = parse_fuzzy("2026-10-14")
        assert (parsed.earliest, parsed.latest, parsed.precision) == (
            D(2026, 10, 14), D(2026, 10, 14), Precision.DAY)
        assert parsed.exact
        assert parsed.wording == "14 October 2026"

    def test_a_time_with_zone_is_an_aware_moment(self) -> None:
        parsed = parse_fuzzy("2027-01-15 23:59 America/New_York")
        assert parsed.exact and parsed.precision is Precision.TIME
        assert parsed.moment is not None
        assert parsed.moment.astimezone(dt.UTC) == dt.datetime(2027, 1, 16, 4, 59, tzinfo=dt.UTC)

    def test_a_time_in_summer_uses_daylight_saving_offset(self) -> None:
        parsed = parse_fuzzy("2026-07-15 23:59 America/New_York")
        assert parsed.moment is not None
        assert parsed.moment.astimezone(dt.UTC) == dt.datetime(2026, 7, 16, 3, 59, tzinfo=dt.UTC)

    def test_anywhere_on_earth_is_twelve_hours_behind_utc(self) -> None:
        parsed = parse_fuzzy("2027-04-15 23:59 AoE")
        assert parsed.moment == dt.datetime(2027, 4, 16, 11, 59, tzinfo=dt.UTC)
        assert "Anywhere on Earth" in parsed.wording

    def test_a_time_without_zone_takes_the_default_zone(self) -> None:
        parsed = parse_fuzzy("2027-01-15 12:00", default_zone="Europe/Paris")
        assert parsed.zone == "Europe/Paris"


class TestFuzzyForms:
    @pytest.mark.parametrize(("text", "earliest", "latest", "precision", "wording"), [
        ("2026-10", D(2026, 10, 1), D(2026, 10, 31), Precision.MONTH, "October 2026"),
        ("early 2026-09", D(2026, 9, 1), D(2026, 9, 10), Precision.PART_OF_MONTH,
         "early September 2026"),
        ("mid 2026-10", D(2026, 10, 11), D(2026, 10, 20), Precision.PART_OF_MONTH,
         "mid-October 2026"),
        ("late 2027-02", D(2027, 2, 21), D(2027, 2, 28), Precision.PART_OF_MONTH,
         "late February 2027"),
        ("fall 2026", D(2026, 9, 1), D(2026, 11, 30), Precision.SEASON, "fall 2026"),
        ("winter 2026", D(2026, 12, 1), D(2027, 2, 28), Precision.SEASON, "winter 2026"),
        ("2026-07..2026-08", D(2026, 7, 1), D(2026, 8, 31), Precision.RANGE,
         "July–August 2026"),
        ("2026-11..2027-03", D(2026, 11, 1), D(2027, 3, 31), Precision.RANGE,
         "between November 2026 and March 2027"),
    ])
    def test_bounds_precision_and_wording(self, text: str, earliest: dt.date, latest: dt.date,
                                          precision: Precision, wording: str) -> None:
        parsed = parse_fuzzy(text)
        assert (parsed.earliest, parsed.latest, parsed.precision, parsed.wording) == (
            earliest, latest, precision, wording)
        assert not parsed.exact

    def test_around_makes_even_a_day_an_estimate(self) -> None:
        parsed = parse_fuzzy("around 2026-10-14")
        assert parsed.approximate and not parsed.exact
        assert parsed.wording == "around 14 October 2026"

    def test_tilde_is_the_short_form_of_around(self) -> None:
        assert parse_fuzzy("~mid 2026-08").wording == "around mid-August 2026"


class TestRejectedDates:
    @pytest.mark.parametrize(("text", "reason"), [
        ("2026-02-30", "is not a real date"),
        ("2026-13", "months run 01 to 12"),
        ("2026-13-01", "is not a real date"),
        ("next tuesday", "is not a date we understand"),
        ("2026-10-14 25:00 America/New_York", "impossible time"),
        ("2026-10-14 10:00 Mars/Olympus", "unknown time zone"),
        ("2026-10-14 10:00 Etc/GMT+12", "not a city-based IANA zone"),
        ("2026-10-14 10:00 EST", "not a city-based IANA zone"),
        ("2026-10-14 10:00", "no time zone"),
        ("2026-09..2026-08", "ends before it starts"),
        ("2026-1-4", "is not a date we understand"),
    ])
    def test_reason_is_given(self, text: str, reason: str) -> None:
        with pytest.raises(DateSyntaxError, match=reason):
            parse_fuzzy(text)

    def test_times_are_refused_where_only_days_make_sense(self) -> None:
        with pytest.raises(DateSyntaxError, match="only closes and deadline"):
            parse_fuzzy("2026-10-14 10:00 UTC", allow_time=False)


class TestDurations:
    @pytest.mark.parametrize(("text", "low", "high", "wording"), [
        ("10 days", 10, 10, "10 days"),
        ("1 week", 7, 7, "1 week"),
        ("2-4 weeks", 14, 28, "2–4 weeks"),
        ("2–4 weeks", 14, 28, "2–4 weeks"),
        ("1 month", 30, 30, "1 month"),
    ])
    def test_parsed_to_days(self, text: str, low: int, high: int, wording: str) -> None:
        parsed = parse_duration(text)
        assert (parsed.min_days, parsed.max_days, parsed.wording) == (low, high, wording)

    @pytest.mark.parametrize("text", ["4-2 weeks", "0 days", "two weeks", "3 fortnights"])
    def test_nonsense_is_refused(self, text: str) -> None:
        with pytest.raises(DateSyntaxError):
            parse_duration(text)
