"""Several data files built together: calendars named for what they hold, and a term two
files declare with different titles kept apart, never merged silently."""

from __future__ import annotations

from pathlib import Path

import icalendar
import pytest
from click.testing import CliRunner

from deadlinecal.cli import main

from .helpers import dataset_yaml, program

AS_OF = ["--as-of", "2026-08-01"]


def _second(*programs: str, research: str = "Research") -> bytes:
    return (dataset_yaml(*programs)
            .replace(b"id: t\n", b"id: other\n")
            .replace(b"title: Test cycle", b"title: Other cycle")
            .replace(b"  research: {title: Research}", f"  research: {{title: {research}}}"
                     .encode()))


@pytest.fixture
def first(tmp_path: Path) -> Path:
    path = tmp_path / "first.yaml"
    path.write_bytes(dataset_yaml(program("alpha", extra="citizenship: []",
                                          windows='- opens: "2026-10-14"')))
    return path


def _build(tmp_path: Path, *files: Path) -> tuple[Path, str]:
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["build", *map(str, files), "-o", str(out), *AS_OF])
    assert result.exit_code == 0, result.output
    return out, result.output


def _name(path: Path) -> str:
    return str(icalendar.Calendar.from_ical(path.read_bytes())["X-WR-CALNAME"])


def _programs(path: Path) -> set[str]:
    return {str(e["UID"]).split(".")[1]
            for e in icalendar.Calendar.from_ical(path.read_bytes()).events}


class TestNamedForWhatTheyHold:
    @pytest.fixture
    def second(self, tmp_path: Path) -> Path:
        path = tmp_path / "second.yaml"
        path.write_bytes(_second(program("beta", track="applied", extra="citizenship: []",
                                         windows='- opens: "2026-11-02"')))
        return path

    def test_the_all_feed_names_every_file(self, tmp_path: Path, first: Path,
                                           second: Path) -> None:
        out, _ = _build(tmp_path, first, second)
        assert _name(out / "all.ics") == "Test cycle + Other cycle"

    def test_a_feed_holding_one_files_programs_has_that_files_name(
            self, tmp_path: Path, first: Path, second: Path) -> None:
        out, _ = _build(tmp_path, first, second)
        assert _name(out / "tracks/applied.ics") == "Other cycle: Applied"
        assert _name(out / "tracks/research.ics") == "Test cycle: Research"
        assert _name(out / "eligibility/undergrad.ics") == (
            "Test cycle + Other cycle: for Undergraduates")

    def test_a_single_file_keeps_its_own_name(self, tmp_path: Path, first: Path) -> None:
        out, _ = _build(tmp_path, first)
        assert _name(out / "tracks/applied.ics") == "Test cycle: Applied"

    def test_list_and_feed_name_the_combination(self, first: Path, second: Path) -> None:
        listed = CliRunner().invoke(main, ["list", str(first), str(second), *AS_OF])
        assert listed.output.startswith("Test cycle + Other cycle — everything")
        fed = CliRunner().invoke(main, ["feed", str(first), str(second), "-t", "applied"])
        calendar = icalendar.Calendar.from_ical(fed.stdout_bytes)
        assert str(calendar["X-WR-CALNAME"]) == "Other cycle: Applied"


class TestATermDeclaredTwice:
    @pytest.fixture
    def second(self, tmp_path: Path) -> Path:
        path = tmp_path / "second.yaml"
        path.write_bytes(_second(program("beta", extra="citizenship: []",
                                         windows='- opens: "2026-11-02"'),
                                 research="Research papers"))
        return path

    def test_different_titles_are_kept_apart_with_a_located_warning(
            self, tmp_path: Path, first: Path, second: Path) -> None:
        out, output = _build(tmp_path, first, second)
        assert _programs(out / "tracks/research.ics") == {"alpha"}
        assert _programs(out / "tracks/research-other.ics") == {"beta"}
        assert _name(out / "tracks/research-other.ics") == "Other cycle: Research papers"
        assert (f"{second}:10:3: warning: tracks.research: 'Research papers' is not the "
                f"'Research' that {first}:10 declares; kept apart as track "
                "'research-other' (tracks/research-other.ics) (expected the same title "
                "in every file, to merge the two)") in output

    def test_the_kept_apart_term_is_a_valid_filter(self, first: Path, second: Path) -> None:
        result = CliRunner().invoke(main, ["feed", str(first), str(second),
                                           "-t", "research-other"])
        assert result.exit_code == 0, result.output
        assert _programs_of(result.stdout_bytes) == {"beta"}

    def test_the_same_title_merges_without_a_word(self, tmp_path: Path, first: Path) -> None:
        same = tmp_path / "same.yaml"
        same.write_bytes(_second(program("beta", extra="citizenship: []",
                                         windows='- opens: "2026-11-02"')))
        out, output = _build(tmp_path, first, same)
        assert _programs(out / "tracks/research.ics") == {"alpha", "beta"}
        assert "warning" not in output
        assert not (out / "tracks/research-other.ics").exists()


def _programs_of(content: bytes) -> set[str]:
    return {str(e["UID"]).split(".")[1] for e in icalendar.Calendar.from_ical(content).events}
