"""Warnings: valid data that is probably not what its author meant."""

from __future__ import annotations

import datetime as dt

import pytest

from deadlinecal.dataset.validate import load_dataset
from deadlinecal.errors import DataError

from .helpers import dataset_yaml, program


def warnings_of(*programs: str, as_of: dt.date | None = None) -> list[str]:
    loaded = load_dataset(dataset_yaml(*programs), file="t.yaml", as_of=as_of)
    return [f"{w.path}: {w.message}" for w in loaded.warnings]


class TestWindowWarnings:
    def test_follow_up_after_an_explicit_close(self) -> None:
        assert warnings_of(program(windows='- opens: "mid 2026-10"\n  closes: "2026-10-20"')) == [
            "programs[0] (p1).windows[0].closes: the 14-day follow-up (25 October 2026) would fall after "
            "the window closes (20 October 2026)"
            ", so it is moved before the earliest close"]

    def test_no_warning_when_a_window_known_to_the_day_closes_sooner(self) -> None:
        # A posting that came down after a week is a fact; the follow-up moves by itself.
        assert warnings_of(program(windows='- opens: "2026-10-14"\n  closes: "2026-10-20"')) == []

    def test_follow_up_after_a_short_duration(self) -> None:
        assert warnings_of(program(windows='- opens: "2026-10-14"\n  duration: "10 days"')) == [
            "programs[0] (p1).windows[0].duration: the 14-day follow-up (28 October 2026) would fall "
            "after the window closes (10 days after it opens)"
            ", so it is moved before the earliest close"]

    def test_follow_up_after_the_deadline(self) -> None:
        assert warnings_of(program(
            windows='- opens: "2026-10-14"\n  deadline: "2026-10-18 23:59 AoE"')) == [
            "programs[0] (p1).windows[0].deadline: the 14-day follow-up (28 October 2026) would fall "
            "after the window closes (18 October 2026, 23:59 Anywhere on Earth (UTC−12))"
            ", so it is moved before the earliest close"]

    def test_dates_outside_the_cycle(self) -> None:
        assert warnings_of(program(windows='- opens: "2028-11"')) == [
            "programs[0] (p1).windows[0].opens: November 2028 is outside the cycle (2026-07-01 to "
            "2027-06-30)"]

    def test_deadline_after_closing(self) -> None:
        assert warnings_of(program(windows='- closes: "2026-10-20"\n  deadline: "2026-11-01"'))[0] == (
            "programs[0] (p1).windows[0].deadline: the deadline (1 November 2026) is after the "
            "window closes (20 October 2026)")

    def test_duration_beside_closes_is_ignored(self) -> None:
        assert warnings_of(program(windows='- opens: "2026-10-01"\n  closes: "2026-12-01"\n'
                                           '  duration: "2 weeks"')) == [
            "programs[0] (p1).windows[0].duration: duration is ignored because closes is given"]

    def test_year_round_beside_dates_is_ignored(self) -> None:
        assert warnings_of(program(windows='- opens: "2026-10-01"\n  year_round: true')) == [
            "programs[0] (p1).windows[0].year_round: year_round is ignored because the window has "
            "dates"]

    def test_a_window_without_dates_becomes_a_watch_entry(self) -> None:
        assert warnings_of(program(windows="- note: ask the office")) == [
            "programs[0] (p1).windows[0].key: this window has no date and is not year_round, so it "
            "is listed as a watch-list entry"]


class TestVerification:
    def test_last_verified_in_the_future(self) -> None:
        assert warnings_of(program(), as_of=dt.date(2026, 7, 1)) == [
            "programs[0] (p1).last_verified: p1 is marked verified on 2026-07-15, after today "
            "(2026-07-01)"]


class TestQuotedBooleans:
    def test_quoted_true_says_to_remove_the_quotes(self) -> None:
        with pytest.raises(DataError) as caught:
            load_dataset(dataset_yaml(program(windows='- year_round: "true"')), file="t.yaml")
        assert "it is in quotes, which makes it text: remove the quotes" in str(caught.value)
