"""Named feeds and the command line share one filter, date range included; several files."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from click.testing import CliRunner

from deadlinecal.cli import main
from deadlinecal.errors import DataError

from .updates_support import BASE, build, edit, events

RANGED = BASE.replace("programs:\n", """\
feeds:
  autumn-undergrad:
    title: Undergraduate dates this autumn
    filter: {eligibility: [undergrad], from: "2026-10-01", until: "2026-11-30"}
programs:
""", 1)


class TestDateRangeFilter:
    def test_a_named_feed_keeps_only_events_touching_its_days(self) -> None:
        starts = {seen.start for seen in events(
            build(RANGED).files["feeds/autumn-undergrad.ics"]).values()}
        assert starts == {dt.date(2026, 10, 11), dt.date(2026, 10, 24), dt.date(2026, 10, 25),
                          dt.date(2026, 11, 1),
                          dt.date(2026, 11, 15)}

    def test_a_range_that_ends_before_it_starts_is_a_data_error(self) -> None:
        text = edit(RANGED, 'until: "2026-11-30"', 'until: "2026-09-30"')
        with pytest.raises(DataError, match="the range ends before it starts"):
            build(text)

    def test_the_feed_command_with_the_same_filter_keeps_the_same_events(
            self, tmp_path: Path) -> None:
        data = tmp_path / "demo.yaml"
        data.write_text(RANGED)
        result = CliRunner().invoke(main, ["feed", str(data), "-e", "undergrad",
                                           "--from", "2026-10-01", "--until", "2026-11-30"])
        assert result.exit_code == 0, result.output
        named = events(build(RANGED).files["feeds/autumn-undergrad.ics"])
        assert set(events(result.stdout_bytes)) == set(named)

    def test_the_list_command_with_the_same_filter_lists_the_same_events(
            self, tmp_path: Path) -> None:
        data = tmp_path / "demo.yaml"
        data.write_text(RANGED)
        result = CliRunner().invoke(main, ["list", str(data), "--all", "-e", "undergrad",
                                           "--from", "2026-10-01", "--until", "2026-11-30"])
        assert result.exit_code == 0, result.output
        named = events(build(RANGED).files["feeds/autumn-undergrad.ics"])
        assert result.output.splitlines()[0].endswith(f": {len(named)} events")
        assert len(named) == 5

    def test_until_before_from_on_the_command_line_is_a_usage_error(
            self, tmp_path: Path) -> None:
        data = tmp_path / "demo.yaml"
        data.write_text(BASE)
        result = CliRunner().invoke(main, ["list", str(data), "--from", "2026-10-01",
                                           "--until", "2026-09-01"])
        assert result.exit_code == 2
        assert "--until 2026-09-01 is before --from 2026-10-01" in result.output


OTHER = edit(edit(BASE, "id: demo\n", "id: grants\n"), "title: Demo internships",
             "title: Demo grants")


class TestSeveralFiles:
    def test_an_included_file_adds_its_events_under_its_own_dataset_id(self) -> None:
        text = BASE.replace("format: 1\n", "format: 1\ninclude: [grants.yaml]\n", 1)
        feed = events(build(text, extra={"data/grants.yaml": OTHER}).files["all.ics"])
        assert {"demo.step.summer-2027.opens@deadlinecal",
                "grants.step.summer-2027.opens@deadlinecal"} <= set(feed)

    def test_the_same_program_id_in_two_datasets_does_not_collide(self) -> None:
        text = BASE.replace("format: 1\n", "format: 1\ninclude: [grants.yaml]\n", 1)
        feed = events(build(text, extra={"data/grants.yaml": OTHER}).files["all.ics"])
        assert len(feed) == 2 * len(events(build(BASE).files["all.ics"]))

    def test_two_files_with_one_dataset_id_are_refused(self) -> None:
        text = BASE.replace("format: 1\n", "format: 1\ninclude: [copy.yaml]\n", 1)
        with pytest.raises(DataError, match=r"dataset id .demo. is also used by data/demo\.yaml"):
            build(text, extra={"data/copy.yaml": BASE})

    def test_files_that_include_each_other_are_read_once(self) -> None:
        text = BASE.replace("format: 1\n", "format: 1\ninclude: [grants.yaml]\n", 1)
        other = OTHER.replace("format: 1\n", "format: 1\ninclude: [demo.yaml]\n", 1)
        feed = events(build(text, extra={"data/grants.yaml": other}).files["all.ics"])
        assert len(feed) == 2 * len(events(build(BASE).files["all.ics"]))

    def test_the_build_command_combines_several_data_paths(self, tmp_path: Path) -> None:
        (tmp_path / "demo.yaml").write_text(BASE)
        (tmp_path / "grants.yaml").write_text(OTHER)
        result = CliRunner().invoke(main, ["build", str(tmp_path / "demo.yaml"),
                                           str(tmp_path / "grants.yaml"),
                                           "-o", str(tmp_path / "out"), "--as-of", "2026-08-01"])
        assert result.exit_code == 0, result.output
        uids = set(events((tmp_path / "out" / "all.ics").read_bytes()))
        assert {uid.split(".")[0] for uid in uids} == {"demo", "grants"}

    def test_the_feed_and_list_commands_read_included_files_too(self, tmp_path: Path) -> None:
        (tmp_path / "demo.yaml").write_text(
            BASE.replace("format: 1\n", "format: 1\ninclude: [grants.yaml]\n", 1))
        (tmp_path / "grants.yaml").write_text(OTHER)
        feed = CliRunner().invoke(main, ["feed", str(tmp_path / "demo.yaml")])
        listed = CliRunner().invoke(main, ["list", str(tmp_path / "demo.yaml"), "--all"])
        count = len(events(build(BASE).files["all.ics"]))
        assert len(events(feed.stdout_bytes)) == 2 * count
        assert listed.output.splitlines()[0].endswith(f": {2 * count} events")
