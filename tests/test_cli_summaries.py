"""What build, build --check and diff say about the folder agrees with what they did."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from deadlinecal.cli import main

from .helpers import two_programs

AS_OF = ["--as-of", "2026-08-01"]


@pytest.fixture
def data_file(tmp_path: Path) -> Path:
    path = tmp_path / "data.yaml"
    path.write_bytes(two_programs())
    return path


def _build(data: Path, out: Path, *extra: str) -> str:
    result = CliRunner().invoke(main, ["build", str(data), "-o", str(out), *AS_OF, *extra])
    assert result.exit_code == 0, result.output
    return result.output


def _reword_description(data: Path) -> None:
    """Change what only the page shows (the dataset's description), no feed."""
    text = data.read_text().replace("  title: Test cycle\n",
                                    "  title: Test cycle\n  description: Reworded.\n")
    data.write_text(text)


class TestBuildSummary:
    def test_a_build_that_writes_nothing_never_says_it_wrote_personal_feeds(
            self, data_file: Path, tmp_path: Path) -> None:
        out = tmp_path / "out"
        _build(data_file, out)
        again = _build(data_file, out)
        assert f"  {out}/: 0 written, 34 unchanged, 0 removed." in again
        assert "Wrote" not in again
        assert "  27 personal feeds (27 choices) in picked/ (the page's picker).\n" in again

    def test_the_first_build_counts_personal_feeds_among_the_written_files(
            self, data_file: Path, tmp_path: Path) -> None:
        first = _build(data_file, tmp_path / "out")
        assert f"  {tmp_path / 'out'}/: 34 written, 0 unchanged, 0 removed." in first
        assert "  27 personal feeds (27 choices) in picked/ (the page's picker).\n" in first


class TestCheckSummary:
    def test_an_up_to_date_folder_names_its_files_by_kind(self, data_file: Path,
                                                           tmp_path: Path) -> None:
        out = tmp_path / "out"
        _build(data_file, out)
        result = CliRunner().invoke(main, ["build", str(data_file), "-o", str(out), "--check", *AS_OF])
        assert result.exit_code == 0, result.output
        assert result.output == (
            f"{out}/ is up to date with {data_file} (34 files: 5 feeds, 27 personal feeds, "
            "index.html and picked/choices.json).\n")

    def test_a_page_out_of_date_is_listed_as_the_page(self, data_file: Path,
                                                      tmp_path: Path) -> None:
        out = tmp_path / "out"
        _build(data_file, out)
        _reword_description(data_file)
        result = CliRunner().invoke(main, ["build", str(data_file), "-o", str(out), "--check", *AS_OF])
        assert result.exit_code == 1
        assert f"  {out}/index.html (the page: out of date)" in result.output
        assert "1 file differs" in result.output


class TestDiffMentionsThePage:
    def test_diff_says_the_page_is_out_of_date_when_only_the_page_changes(
            self, data_file: Path, tmp_path: Path) -> None:
        out = tmp_path / "out"
        _build(data_file, out)
        _reword_description(data_file)
        result = CliRunner().invoke(main, ["diff", str(data_file), "-o", str(out), *AS_OF])
        assert result.exit_code == 0, result.output
        assert result.output == (
            "No feed changes.\n"
            f"{out}/index.html (the page) is out of date; a build rewrites it.\n")

    def test_diff_says_nothing_of_the_page_when_it_is_current(self, data_file: Path,
                                                               tmp_path: Path) -> None:
        out = tmp_path / "out"
        _build(data_file, out)
        result = CliRunner().invoke(main, ["diff", str(data_file), "-o", str(out), *AS_OF])
        assert result.output == "No feed changes.\n"

    def test_diff_json_lists_the_page(self, data_file: Path, tmp_path: Path) -> None:
        out = tmp_path / "out"
        _build(data_file, out)
        _reword_description(data_file)
        result = CliRunner().invoke(main, ["diff", str(data_file), "-o", str(out), "--json",
                                           *AS_OF])
        assert json.loads(result.output)["files"] == [
            {"path": "index.html", "state": "out of date"}]
