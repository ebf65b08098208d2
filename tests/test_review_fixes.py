"""Defects a review of the session's change found: each test fails on the code before."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from deadlinecal.cli import main
from deadlinecal.errors import OutputError
from deadlinecal.output import moving
from deadlinecal.output.write import write_tree

from .test_updates_write import NEW, fail_on_call, litter, snapshot, target  # noqa: F401
from .updates_support import BASE


class TestKeepingTheOldFileFails:
    def test_the_files_already_moved_go_back_and_the_message_is_true(
            self, target: Path, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: F811
        before = snapshot(target)
        # The second file's old copy cannot be kept (a full disk for the copy).
        monkeypatch.setattr(moving, "_keep", fail_on_call(2, moving._keep))
        with pytest.raises(OutputError, match="the previous files are unchanged"):
            write_tree(target, NEW)
        assert (snapshot(target), litter(target.parent)) == (before, [])


class TestImportNeverWaitsOnAPipe:
    def test_a_named_pipe_as_the_list_is_refused_at_once(self, tmp_path: Path) -> None:
        fifo = tmp_path / "listings.json"
        os.mkfifo(fifo)
        done = subprocess.run([sys.executable, "-m", "deadlinecal", "import", "simplify",
                               str(fifo)], capture_output=True, text=True, timeout=60,
                              check=False)
        assert done.returncode == 1
        assert "not a readable regular file" in done.stderr


class TestAnUnreadableFolderIsNoCrash:
    def test_a_folder_that_cannot_be_listed_is_a_plain_error(
            self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        data = tmp_path / "demo.yaml"
        data.write_text(BASE)
        out = tmp_path / "out"
        (out / "tracks").mkdir(parents=True)
        (out / "notes.txt").write_text("mine\n")
        real = os.scandir

        def scandir(path: object = ".") -> object:
            if Path(str(path)).name == "tracks":
                raise PermissionError(13, "Permission denied")
            return real(path)  # type: ignore[arg-type]

        monkeypatch.setattr(os, "scandir", scandir)
        result = CliRunner().invoke(main, ["build", str(data), "-o", str(out)])
        assert result.exit_code == 1, result.output
        assert "cannot read" in result.output and "Permission denied" in result.output
        assert (out / "notes.txt").read_text() == "mine\n"
