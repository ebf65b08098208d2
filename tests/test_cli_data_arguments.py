"""Every command that reads data takes the same DATA arguments: one file or several."""

from __future__ import annotations

from pathlib import Path

import click
import icalendar
import pytest
from click.testing import CliRunner

from deadlinecal.cli import main

from .helpers import dataset_yaml, program

READERS = ("validate", "list", "feed", "build", "diff")


@pytest.fixture
def two_files(tmp_path: Path) -> tuple[Path, Path]:
    first = tmp_path / "first.yaml"
    first.write_bytes(dataset_yaml(
        program("alpha", extra="citizenship: []", windows='- opens: "2026-10-14"\n  closes: "2026-10-31"')))
    second = tmp_path / "second.yaml"
    second.write_bytes(dataset_yaml(
        program("beta", track="applied", extra="citizenship: []", windows='- opens: "2026-11-02"'),
    ).replace(b"id: t\n", b"id: u\n").replace(b"title: Test cycle", b"title: Other cycle"))
    return first, second


def _uids(content: bytes) -> set[str]:
    return {str(e["UID"]).split(".")[1] for e in icalendar.Calendar.from_ical(content).events}


class TestSameDataArguments:
    @pytest.mark.parametrize("name", READERS)
    def test_every_command_that_reads_data_declares_the_same_data_argument(
            self, name: str) -> None:
        command = main.commands[name]
        data = [p for p in command.params if isinstance(p, click.Argument)]
        assert [(p.name, p.nargs, p.required) for p in data] == [("data", -1, False)]
        help_text = CliRunner().invoke(main, [name, "--help"]).output
        assert "[DATA]..." in help_text

    def test_list_reads_several_files(self, two_files: tuple[Path, Path]) -> None:
        first, second = two_files
        result = CliRunner().invoke(main, ["list", str(first), str(second),
                                           "--as-of", "2026-08-01"])
        assert result.exit_code == 0, result.output
        assert "Apply: Acme Program alpha" in result.output
        assert "Opens: Acme Program beta" in result.output

    def test_feed_reads_several_files(self, two_files: tuple[Path, Path]) -> None:
        first, second = two_files
        result = CliRunner().invoke(main, ["feed", str(first), str(second)])
        assert result.exit_code == 0, result.output
        assert _uids(result.stdout_bytes) == {"alpha", "beta"}

    def test_feed_filters_across_several_files(self, two_files: tuple[Path, Path]) -> None:
        first, second = two_files
        result = CliRunner().invoke(main, ["feed", str(first), str(second), "-t", "applied"])
        assert result.exit_code == 0, result.output
        assert _uids(result.stdout_bytes) == {"beta"}

    def test_validate_reads_several_files(self, two_files: tuple[Path, Path]) -> None:
        first, second = two_files
        result = CliRunner().invoke(main, ["validate", str(first), str(second),
                                           "--as-of", "2026-08-01"])
        assert result.exit_code == 0, result.output
        assert result.output == (f"{first}, {second}: valid (2 programs, 2 windows, "
                                 "0 warnings).\n")
