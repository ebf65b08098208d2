"""Reminders: VALARMs on deadline, closing and follow-up events, set in the data or off."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import icalendar
import jsonschema
import pytest
import yaml
from click.testing import CliRunner

from deadlinecal.cli import main
from deadlinecal.errors import DataError
from deadlinecal.model import Filter
from deadlinecal.pipeline import one_feed
from deadlinecal.site import build

SCHEMA = Path(__file__).parents[1] / "src" / "deadlinecal" / "schema" / "deadlinecal.schema.json"


def dataset(dataset_reminders: str = "", program_reminders: str = "") -> bytes:
    return f"""
format: 1
dataset:
  id: rem
  title: Reminder test
  cycle: {{starts: "2026-07-01", ends: "2027-09-30"}}
  source: {{name: Test}}
  updated: "2026-08-01"
  timezone: America/New_York
  {dataset_reminders}
tracks: {{research: {{title: Research}}}}
eligibility: {{undergrad: {{title: Undergraduates}}}}
programs:
  - id: timed
    employer: Acme
    program: Fellowship
    track: research
    eligibility: [undergrad]
    last_verified: "2026-08-01"
    {program_reminders}
    windows:
      - opens: "2026-10-01"
        closes: "2026-11-30"
        deadline: "2027-01-15 23:59"
  - id: undated
    employer: Acme
    program: Someday
    track: research
    eligibility: [undergrad]
    last_verified: "2026-08-01"
""".encode()


def events(data: bytes, **options: bool) -> dict[str, icalendar.Event]:
    feed = build(data, file="test.yaml", **options).files["all.ics"]
    return {str(e["UID"]).split(".", 1)[1]: e for e in icalendar.Calendar.from_ical(feed).events}


def alarm_times(event: icalendar.Event) -> list[dt.datetime | dt.date]:
    """When each alarm rings, as an instant (timed) or a local wall time (all-day)."""
    start = event.start
    if not isinstance(start, dt.datetime):
        start = dt.datetime.combine(start, dt.time())
    return sorted(start + alarm["TRIGGER"].dt for alarm in event.walk("VALARM"))


class TestDefault:
    def test_timed_deadline_rings_a_day_before_the_deadline(self) -> None:
        deadline = events(dataset())["timed.main.deadline@deadlinecal"]
        assert alarm_times(deadline) == [deadline.end - dt.timedelta(days=1)]

    def test_all_day_event_rings_at_nine_the_day_before(self) -> None:
        closes = events(dataset())["timed.main.closes@deadlinecal"]
        assert alarm_times(closes) == [dt.datetime(2026, 11, 29, 9, 0)]

    def test_follow_up_has_a_reminder(self) -> None:
        follow = events(dataset())["timed.main.follow-up@deadlinecal"]
        assert alarm_times(follow) == [dt.datetime(2026, 10, 14, 9, 0)]

    def test_openings_and_watch_list_entries_have_none(self) -> None:
        found = events(dataset())
        assert found["timed.main.opens@deadlinecal"].walk("VALARM") == []
        assert found["undated.main.opens@deadlinecal"].walk("VALARM") == []

    def test_alarm_is_display_with_the_event_summary_as_description(self) -> None:
        deadline = events(dataset())["timed.main.deadline@deadlinecal"]
        (alarm,) = deadline.walk("VALARM")
        assert alarm["ACTION"] == "DISPLAY"
        assert alarm["DESCRIPTION"] == deadline["SUMMARY"]


class TestConfigured:
    def test_dataset_reminders_apply_to_every_program(self) -> None:
        deadline = events(dataset("reminders: [P1D, PT2H]"))["timed.main.deadline@deadlinecal"]
        assert alarm_times(deadline) == [deadline.end - dt.timedelta(days=1),
                                         deadline.end - dt.timedelta(hours=2)]

    def test_program_reminders_override_the_dataset(self) -> None:
        found = events(dataset("reminders: [P1D, PT2H]", "reminders: [P1W]"))
        deadline = found["timed.main.deadline@deadlinecal"]
        assert alarm_times(deadline) == [deadline.end - dt.timedelta(weeks=1)]

    def test_an_empty_list_turns_reminders_off(self) -> None:
        found = events(dataset("reminders: []"))
        assert all(event.walk("VALARM") == [] for event in found.values())

    def test_reminder_written_as_a_relative_trigger(self) -> None:
        feed = build(dataset("reminders: [PT2H]"), file="t.yaml").files["all.ics"]
        assert b"TRIGGER:-PT1H30M\r\n" in feed  # 2 h before the end of a 30-minute block


class TestInvalid:
    def test_a_bad_duration_names_its_path(self) -> None:
        with pytest.raises(DataError) as caught:
            build(dataset(program_reminders="reminders: [P1D, 2 hours]"), file="t.yaml")
        (problem,) = caught.value.problems
        assert problem.path == "programs[0] (timed).reminders[1]"
        assert "'2 hours' is not a reminder duration" in problem.message

    def test_a_single_value_is_not_a_list(self) -> None:
        with pytest.raises(DataError) as caught:
            build(dataset("reminders: P1D"), file="t.yaml")
        assert caught.value.problems[0].path == "dataset.reminders"


class TestSchema:
    def test_schema_accepts_reminder_lists_and_rejects_bad_ones(self) -> None:
        schema = json.loads(SCHEMA.read_text())
        good = yaml.safe_load(dataset("reminders: [P1D, PT2H]", "reminders: []"))
        jsonschema.validate(good, schema)
        bad = yaml.safe_load(dataset("reminders: [tomorrow]"))
        with pytest.raises(jsonschema.ValidationError):
            jsonschema.validate(bad, schema)


class TestNoAlarmsFlag:
    def test_build_option_leaves_out_every_alarm(self) -> None:
        result = build(dataset("reminders: [P1D]"), file="t.yaml", alarms=False)
        assert all(b"VALARM" not in content for content in result.files.values())

    def test_feed_option_leaves_out_every_alarm(self) -> None:
        content, _, _ = one_feed(dataset(), file="t.yaml", chosen=Filter(), alarms=False)
        assert b"VALARM" not in content

    def test_build_command_no_alarms(self, tmp_path: Path) -> None:
        data = tmp_path / "data.yaml"
        data.write_bytes(dataset())
        result = CliRunner().invoke(main, ["build", str(data), "-o", str(tmp_path / "out"),
                                           "--as-of", "2026-08-01", "--no-alarms"])
        assert result.exit_code == 0, result.output
        assert b"VALARM" not in (tmp_path / "out" / "all.ics").read_bytes()

    def test_feed_command_no_alarms(self, tmp_path: Path) -> None:
        data = tmp_path / "data.yaml"
        data.write_bytes(dataset())
        with_alarms = CliRunner().invoke(main, ["feed", str(data)])
        without = CliRunner().invoke(main, ["feed", str(data), "--no-alarms"])
        assert with_alarms.exit_code == without.exit_code == 0
        assert "BEGIN:VALARM" in with_alarms.stdout
        assert "VALARM" not in without.stdout
