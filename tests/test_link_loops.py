"""A symbolic link that points at itself, wherever a build reads or writes, is a clear error
(exit 1, nothing written), never an internal error (exit 3)."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from deadlinecal.cli import main

from .helpers import dataset_yaml, program


def run(*args: str) -> Result:
    return CliRunner().invoke(main, list(args))


@pytest.fixture
def data(tmp_path: Path) -> Path:
    path = tmp_path / "d.yaml"
    path.write_bytes(dataset_yaml(program("p1", windows='- opens: "2026-10"')))
    return path


def loop(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.symlink_to(path.name)
    return path


def contents(folder: Path) -> dict[str, str]:
    return {entry.relative_to(folder).as_posix(): (
        f"-> {entry.readlink()}" if entry.is_symlink() else "<dir>" if entry.is_dir()
        else entry.read_text()) for entry in sorted(folder.rglob("*"))}


class TestBuild:
    @pytest.mark.parametrize("where", ["index.html", "all.ics", "tracks/research.ics",
                                       "tracks"])
    def test_adopting_a_folder_with_a_link_loop_where_a_file_goes_is_refused(
            self, data: Path, tmp_path: Path, where: str) -> None:
        out = tmp_path / "out"
        loop(out / where)
        (out / "notes.txt").write_text("mine")
        before = contents(out)
        result = run("build", str(data), "-o", str(out), "--adopt", "--as-of", "2026-08-01")
        assert result.exit_code == 1, result.output
        assert "internal error" not in result.output
        assert f"{out / where}" in result.output and "nothing was written" in result.output
        assert contents(out) == before

    def test_an_output_folder_that_is_a_link_loop_is_refused(self, data: Path,
                                                             tmp_path: Path) -> None:
        out = loop(tmp_path / "out")
        result = run("build", str(data), "-o", str(out), "--as-of", "2026-08-01")
        assert result.exit_code == 1, result.output
        assert "internal error" not in result.output and str(out) in result.output

    def test_a_data_file_that_is_a_link_loop_is_refused(self, tmp_path: Path) -> None:
        data = loop(tmp_path / "d.yaml")
        result = run("build", str(data), "-o", str(tmp_path / "out"), "--as-of",
                     "2026-08-01")
        assert result.exit_code == 1, result.output
        assert "internal error" not in result.output and str(data) in result.output
        assert not (tmp_path / "out").exists()


class TestFeed:
    def test_a_feed_file_in_a_folder_that_is_a_link_loop_is_refused(
            self, data: Path, tmp_path: Path) -> None:
        folder = loop(tmp_path / "folder")
        result = run("feed", str(data), "-o", str(folder / "mine.ics"))
        assert result.exit_code == 1, result.output
        assert "internal error" not in result.output and str(folder) in result.output
