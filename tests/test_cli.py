"""The command line: exact output and exit codes, through click's CliRunner."""

from __future__ import annotations

from pathlib import Path

import icalendar
import pytest
from click.testing import CliRunner

from deadlinecal.cli import main

from .conftest import CASES, DEFAULT_DATA
from .helpers import dataset_yaml, program, two_programs


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture
def data_file(tmp_path: Path) -> Path:
    path = tmp_path / "data.yaml"
    path.write_bytes(two_programs())
    return path


class TestBuild:
    def test_writes_every_feed_and_reports_them(self, runner: CliRunner, data_file: Path,
                                                tmp_path: Path) -> None:
        out = tmp_path / "out"
        result = runner.invoke(main, ["build", str(data_file), "-o", str(out),
                                      "--as-of", "2026-08-01"])
        assert result.exit_code == 0, result.output
        assert result.output.splitlines()[:3] == [
            f"Built 5 feeds and index.html from {data_file}: 2 programs, 5 events.",
            # The 5 feeds, the page, and a personal feed per choice (3 x 3 x 3) with their
            # picked/choices.json.
            f"  {out}/: 34 written, 0 unchanged, 0 removed.",
            "  all.ics                                     5 events",
        ]
        assert sorted(p.relative_to(out).as_posix() for p in out.rglob("*.ics")
                      if p.parent.name != "picked") == [
            "all.ics", "eligibility/phd.ics", "eligibility/undergrad.ics",
            "tracks/applied.ics", "tracks/research.ics"]

    def test_second_build_writes_nothing(self, runner: CliRunner, data_file: Path,
                                         tmp_path: Path) -> None:
        out = tmp_path / "out"
        runner.invoke(main, ["build", str(data_file), "-o", str(out), "--as-of", "2026-08-01"])
        result = runner.invoke(main, ["build", str(data_file), "-o", str(out),
                                      "--as-of", "2026-08-01"])
        assert f"  {out}/: 0 written, 34 unchanged, 0 removed." in result.output

    def test_reports_programs_without_dates(self, runner: CliRunner, tmp_path: Path) -> None:
        data = tmp_path / "d.yaml"
        data.write_bytes(dataset_yaml(program("nodate")))
        result = runner.invoke(main, ["build", str(data), "-o", str(tmp_path / "o"),
                                      "--as-of", "2026-08-01"])
        assert result.output.splitlines()[-2:] == [
            "1 program has no date yet, listed as watch-list events from 2026-08-01:",
            "  nodate                               Acme Program nodate",
        ]

    def test_bad_data_exits_1_with_located_error_and_writes_nothing(
            self, runner: CliRunner, tmp_path: Path) -> None:
        data = tmp_path / "bad.yaml"
        data.write_bytes(dataset_yaml(program("x", windows='- opnes: "2026-10-14"')))
        out = tmp_path / "out"
        result = runner.invoke(main, ["build", str(data), "-o", str(out)])
        assert result.exit_code == 1
        assert result.output == (
            f"{data}:26:9: error: programs[0] (x).windows[0].opnes: unknown key 'opnes'; did "
            "you mean 'opens'? (expected one of key, opens, closes, deadline, duration, rolling, "
            "year_round, note, cancelled, recurs_yearly)\n1 error; nothing was written.\n")
        assert not out.exists()

    def test_missing_file_exits_1(self, runner: CliRunner, tmp_path: Path) -> None:
        result = runner.invoke(main, ["build", str(tmp_path / "nope.yaml")])
        assert result.exit_code == 1
        assert result.output == (f"{tmp_path / 'nope.yaml'}: error: no such file (expected a "
                                 "path to a YAML data file)\n1 error; nothing was written.\n")


class TestFeed:
    def test_filters_are_or_within_and_across_options(self, runner: CliRunner,
                                                      data_file: Path) -> None:
        def uids(*args: str) -> set[str]:
            result = runner.invoke(main, ["feed", str(data_file), *args])
            assert result.exit_code == 0, result.output
            return {str(e["UID"]).split(".")[1]
                    for e in icalendar.Calendar.from_ical(result.stdout_bytes).events}

        assert uids("--track", "research") == {"alpha"}
        assert uids("--track", "research", "--track", "applied") == {"alpha", "beta"}
        assert uids("--track", "applied", "--eligibility", "undergrad") == set()
        assert uids("--citizenship", "other") == {"alpha"}
        assert uids("--confirmed-only") == {"alpha"}

    def test_writes_a_file_with_o(self, runner: CliRunner, data_file: Path,
                                  tmp_path: Path) -> None:
        target = tmp_path / "mine.ics"
        result = runner.invoke(main, ["feed", str(data_file), "-e", "phd", "-o", str(target)])
        assert result.exit_code == 0
        assert result.output == f"Wrote 2 events to {target}.\n"
        calendar = icalendar.Calendar.from_ical(target.read_bytes())
        assert calendar["X-WR-CALNAME"] == "Test cycle: for PhD students"

    def test_unknown_track_is_a_usage_error(self, runner: CliRunner, data_file: Path) -> None:
        result = runner.invoke(main, ["feed", str(data_file), "--track", "reserch"])
        assert result.exit_code == 2
        assert ("--track 'reserch' is not in this dataset. Did you mean 'research'? Valid: "
                "research, applied.") in result.output


class TestList:
    def test_prints_upcoming_events_as_a_table(self, runner: CliRunner,
                                               data_file: Path) -> None:
        result = runner.invoke(main, ["list", str(data_file), "--as-of", "2026-10-20"])
        assert result.exit_code == 0
        assert result.output == (
            "Test cycle — everything, from 2026-10-20: 4 events\n"
            "DATE                    STATUS     EVENT\n"
            "2026-10-28              confirmed  Apply: Acme Program alpha\n"
            "2026-10-31              confirmed  Closes: Acme Program alpha\n"
            "2026-11-11..2026-11-20  estimate   ~Opens: Acme Program beta\n"
            "2026-11-25..2026-12-04  estimate   ~Apply: Acme Program beta\n")

    def test_accepts_the_same_filters_as_feed(self, runner: CliRunner,
                                              data_file: Path) -> None:
        result = runner.invoke(main, ["list", str(data_file), "--as-of", "2026-01-01",
                                      "-t", "applied"])
        assert result.output.splitlines()[0] == (
            "Test cycle — Applied, from 2026-01-01: 2 events")


class TestValidate:
    def test_valid_file(self, runner: CliRunner, data_file: Path) -> None:
        result = runner.invoke(main, ["validate", str(data_file), "--as-of", "2026-08-01"])
        assert result.exit_code == 0
        assert result.output == f"{data_file}: valid (2 programs, 2 windows, 0 warnings).\n"

    def test_stale_data_warns_and_fails_only_with_strict(self, runner: CliRunner,
                                                          data_file: Path) -> None:
        lenient = runner.invoke(main, ["validate", str(data_file), "--as-of", "2028-01-01"])
        assert lenient.exit_code == 0
        assert "warning: programs[0] (alpha).last_verified: alpha was last verified" in lenient.output
        strict = runner.invoke(main, ["validate", str(data_file), "--as-of", "2028-01-01",
                                      "--strict"])
        assert strict.exit_code == 1

    def test_fixture_cases_and_default_data_are_valid(self, runner: CliRunner) -> None:
        for path in [DEFAULT_DATA, *sorted(CASES.glob("*/data.yaml"))]:
            result = runner.invoke(main, ["validate", str(path), "--as-of", "2026-08-01"])
            assert result.exit_code == 0, result.output


class TestEntryPoints:
    def test_help_lists_the_commands(self, runner: CliRunner) -> None:
        result = runner.invoke(main, ["--help"])
        assert result.exit_code == 0
        for command in ("build", "feed", "list", "validate"):
            assert f"  {command} " in result.output

    def test_python_dash_m_runs_the_cli(self) -> None:
        import subprocess
        import sys

        done = subprocess.run([sys.executable, "-m", "deadlinecal", "--help"],
                              capture_output=True, text=True, check=False)
        assert done.returncode == 0
        assert "Usage: python -m deadlinecal" in done.stdout


class TestCheckSuggestsTheCommandItChecked:
    def test_a_stale_folder_names_the_exact_build_to_run(self, runner: CliRunner,
                                                          data_file: Path,
                                                          tmp_path: Path) -> None:
        out = tmp_path / "cal"
        result = runner.invoke(main, ["build", str(data_file), "-o", str(out), "--check",
                                      "--no-alarms"])
        assert result.exit_code == 1
        assert (f"Run `deadlinecal build {data_file} -o {out} --no-alarms` and commit the "
                "result.") in result.output


class TestFileNamesWithTerminalEscapes:
    """A file or folder name holding ESC is printed escaped, never raw (color=True: click
    would strip it on the way to a pipe, never on the way to a terminal)."""

    @pytest.fixture
    def hostile(self, tmp_path: Path, data_file: Path) -> Path:
        named = tmp_path / "x\x1b[41mRED"
        named.with_suffix(".yaml").write_bytes(data_file.read_bytes())
        return named

    def test_build_into_it_and_from_it(self, runner: CliRunner, hostile: Path) -> None:
        result = runner.invoke(main, ["build", str(hostile.with_suffix(".yaml")),
                                      "-o", str(hostile), "--as-of", "2026-10-01"], color=True)
        assert result.exit_code == 0, result.output
        assert "\\x1b[41mRED" in result.output
        assert "\x1b" not in result.output

    def test_build_check(self, runner: CliRunner, hostile: Path) -> None:
        source = str(hostile.with_suffix(".yaml"))
        runner.invoke(main, ["build", source, "-o", str(hostile), "--as-of", "2026-10-01"], color=True)
        result = runner.invoke(main, ["build", "--check", source, "-o", str(hostile),
                                      "--as-of", "2026-10-01"], color=True)
        assert "is up to date" in result.output, result.output
        assert "\x1b" not in result.output

    def test_validate(self, runner: CliRunner, hostile: Path) -> None:
        result = runner.invoke(main, ["validate", str(hostile.with_suffix(".yaml")),
                                      "--as-of", "2026-10-01"], color=True)
        assert result.exit_code == 0, result.output
        assert "valid" in result.output
        assert "\x1b" not in result.output

    def test_serve(self, runner: CliRunner, hostile: Path,
                   monkeypatch: pytest.MonkeyPatch) -> None:
        import socketserver

        def stop(self: object) -> None:
            raise KeyboardInterrupt

        monkeypatch.setattr(socketserver.BaseServer, "serve_forever", stop)
        hostile.mkdir()
        result = runner.invoke(main, ["serve", str(hostile), "--port", "0"], color=True)
        assert "Serving " in result.output, result.output
        assert "\x1b" not in result.output


def test_build_help_lists_employer_and_personal_feeds(runner: CliRunner) -> None:
    result = runner.invoke(main, ["build", "--help"], terminal_width=200)
    assert result.exit_code == 0, result.output
    text = " ".join(result.output.split())
    assert "per employer of a posting list" in text
    assert "personal feeds under picked/" in text
