"""Details a careful subscriber notices: empty feeds, SOURCE, labels, reminders, listing."""

from __future__ import annotations

from pathlib import Path

import icalendar
from click.testing import CliRunner

from deadlinecal.cli import main
from deadlinecal.site import build

from .helpers import dataset_yaml, program


class TestEmptyFeeds:
    def test_a_feed_with_no_events_still_holds_a_component(self) -> None:
        files = build(dataset_yaml(program(track="research")), file="t.yaml").files
        calendar = icalendar.Calendar.from_ical(files["tracks/applied.ics"])
        assert list(calendar.events) == []
        assert [zone["TZID"] for zone in calendar.timezones] == ["UTC"]


class TestSource:
    def test_source_is_the_feeds_own_address_when_published(self) -> None:
        files = build(dataset_yaml(program()), file="t.yaml",
                      base_url="https://example.org/cal/").files
        calendar = icalendar.Calendar.from_ical(files["tracks/research.ics"])
        assert str(calendar["SOURCE"]) == "https://example.org/cal/tracks/research.ics"

    def test_no_source_without_a_published_address(self) -> None:
        files = build(dataset_yaml(program()), file="t.yaml").files
        assert "SOURCE" not in icalendar.Calendar.from_ical(files["all.ics"])


class TestSummaries:
    def test_several_windows_of_one_program_are_told_apart(self) -> None:
        files = build(dataset_yaml(program(windows='''
            - key: spring
              deadline: "2027-03-01"
            - key: fall
              deadline: "2026-10-01"
        ''')), file="t.yaml").files
        summaries = {str(e["SUMMARY"]) for e in
                     icalendar.Calendar.from_ical(files["all.ics"]).events}
        assert summaries == {"Due: Acme Program p1 (spring)",
                             "Due: Acme Program p1 (fall)"}

    def test_citizenship_rule_reads_as_either_status(self) -> None:
        text = dataset_yaml(program(extra="citizenship: [us, other]"))
        (event,) = build(text, file="t.yaml").events
        assert "Citizenship: only US citizens or Everyone else" in event.description


class TestCancelledReminders:
    def test_a_cancelled_window_does_not_ring(self) -> None:
        text = dataset_yaml(program(windows='''
            - deadline: "2027-03-01"
              cancelled: true
        '''))
        (event,) = build(text, file="t.yaml").events
        assert event.cancelled and event.alarms == ()


class TestListing:
    def run(self, tmp_path: Path, *programs: str, args: tuple[str, ...]) -> str:
        data = tmp_path / "d.yaml"
        data.write_bytes(dataset_yaml(*programs))
        result = CliRunner().invoke(main, ["list", str(data), *args])
        assert result.exit_code == 0, result.output
        return result.output

    def test_watch_list_and_year_round_entries_stay_listed_all_cycle(self,
                                                                    tmp_path: Path) -> None:
        output = self.run(tmp_path, program("nodate"),
                          program("always", windows="- year_round: true"),
                          args=("--as-of", "2027-01-10"))
        assert "2026-08-01..2027-06-30  watch   Watch: Acme Program nodate" in output
        assert "Open: Acme Program always" in output

    def test_an_estimate_stays_listed_until_its_latest_possible_day(self,
                                                                    tmp_path: Path) -> None:
        output = self.run(tmp_path, program(windows='- opens: "2026-11"'),
                          args=("--as-of", "2026-11-28"))
        assert "2026-11-01..2026-11-30  estimate  ~Opens: Acme Program p1" in output

    def test_an_explicit_from_replaces_the_today_cut_off(self, tmp_path: Path) -> None:
        output = self.run(tmp_path, program(windows='- opens: "2026-08-03"'),
                          args=("--as-of", "2026-11-28", "--from", "2026-08-01",
                                "--until", "2026-08-31"))
        assert "2026-08-03  confirmed  Opens: Acme Program p1" in output

    def test_aoe_deadlines_show_in_anywhere_on_earth_time(self, tmp_path: Path) -> None:
        output = self.run(tmp_path, program(windows='- deadline: "2027-01-16 23:59 AoE"'),
                          args=("--as-of", "2027-01-01"))
        assert "2027-01-16 23:59 AoE  confirmed" in output

    def test_employer_matches_the_whole_name_in_any_case(self, tmp_path: Path) -> None:
        output = self.run(tmp_path, program(), args=("--as-of", "2026-07-01",
                                                     "--employer", "ACME"))
        assert "Watch: Acme Program p1" in output


class TestValidateFollowsIncludes:
    def test_a_broken_included_file_fails_validation(self, tmp_path: Path) -> None:
        main_file = tmp_path / "main.yaml"
        text = dataset_yaml(program()).decode().replace(
            "programs:\n", "include: [other.yaml]\nprograms:\n", 1)
        main_file.write_text(text)
        result = CliRunner().invoke(main, ["validate", str(main_file)])
        assert result.exit_code == 1
        assert "main.yaml:18:11: error: include: cannot include 'other.yaml': no such file" in (
            result.output)


class TestFeedFileRegenerated:
    def test_changed_events_get_a_higher_sequence(self, tmp_path: Path) -> None:
        data = tmp_path / "d.yaml"
        target = tmp_path / "mine.ics"
        data.write_bytes(dataset_yaml(program(windows='- opens: "mid 2026-10"')))
        CliRunner().invoke(main, ["feed", str(data), "-o", str(target)])
        data.write_bytes(dataset_yaml(program(windows='- opens: "2026-10-14"')))
        result = CliRunner().invoke(main, ["feed", str(data), "-o", str(target)])
        assert result.exit_code == 0, result.output
        sequences = {str(e["UID"]): int(e["SEQUENCE"]) for e in
                     icalendar.Calendar.from_ical(target.read_bytes()).events}
        assert sequences == {"t.p1.main.opens@deadlinecal": 1,
                             "t.p1.main.follow-up@deadlinecal": 1}


class TestRebuildStability:
    def test_text_ending_in_end_vevent_does_not_bump_sequence_on_rebuild(self,
                                                                         tmp_path: Path) -> None:
        data = tmp_path / "d.yaml"
        data.write_bytes(dataset_yaml(program(
            extra='employer: Foo END:VEVENT\nlink: "https://example.org/x/END:VEVENT"',
            windows='- opens: "2026-10-14"').replace("  employer: Acme\n", "")))
        out = tmp_path / "out"
        runner = CliRunner()
        first = runner.invoke(main, ["build", str(data), "-o", str(out)])
        assert first.exit_code == 0, first.output
        before = (out / "all.ics").read_bytes()
        second = runner.invoke(main, ["build", str(data), "-o", str(out)])
        assert "0 written" in second.output
        assert (out / "all.ics").read_bytes() == before
        assert b"SEQUENCE:0" in before and b"SEQUENCE:1" not in before


class TestClosedPipe:
    def test_a_reader_that_stops_early_is_not_an_error(self, tmp_path: Path) -> None:
        import subprocess
        import sys

        data = tmp_path / "many.yaml"
        # Far more output than a pipe buffers, so the writer really meets a closed pipe.
        data.write_bytes(dataset_yaml(*(program(f"p{i}", windows='- opens: "2026-10-14"')
                                        for i in range(1500))))
        done = subprocess.run(
            f"{sys.executable} -m deadlinecal list {data} --all | head -1",
            shell=True, capture_output=True, text=True, check=False)
        assert done.stdout.startswith("Test cycle")
        assert "internal error" not in done.stderr
        assert "Traceback" not in done.stderr
