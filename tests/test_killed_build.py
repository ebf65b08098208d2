"""A build killed at any point never makes a later build take a user's file for its own.

A real `deadlinecal build` runs in a subprocess whose `os.replace` kills it (SIGKILL, as
`strace -e inject=rename:signal=KILL` would) at its N-th call: the record naming the files
is replaced first, then each staged file is moved into place, then the record is written
again with what was written. After the kill a user writes their own file at a place the
build writes; the next build must refuse it, and must still take its own files back when
nobody touched them.
"""

from __future__ import annotations

import json
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from deadlinecal.cli import main
from deadlinecal.output.write import RECORD

from .updates_support import BASE

KILLER = """\
import os, signal, sys

real_replace = os.replace
calls = []


def replace(source, destination):
    calls.append(destination)
    if len(calls) == int(sys.argv[1]):
        os.kill(os.getpid(), signal.SIGKILL)
    real_replace(source, destination)


os.replace = replace
from deadlinecal.cli import main

try:
    main(sys.argv[2:], standalone_mode=False)
finally:
    print(len(calls))
"""
AS_OF = "2026-08-01"
MINE = b"my notes\n"
# An edit that changes every feed, so that a rebuild replaces them all.
EDITED = BASE.replace("Demo internships", "Demo internships, edited")


def build(data: Path, out: Path, *extra: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["build", str(data), "-o", str(out), "--as-of", AS_OF,
                                       *extra])
    return result.exit_code, result.output


def killed_build(data: Path, out: Path, tmp_path: Path, at: int) -> subprocess.CompletedProcess[
        str]:
    """Run a build that is killed at the `at`-th os.replace (never, past the last one)."""
    script = tmp_path / "killer.py"
    script.write_text(KILLER)
    return subprocess.run([sys.executable, str(script), str(at), "build", str(data), "-o",
                           str(out), "--as-of", AS_OF], capture_output=True, text=True,
                          check=False)


def replaces(data: Path, tmp_path: Path, *, before: str | None = None) -> int:
    """How many os.replace calls a build of `data` makes (into a folder built from `before`)."""
    out = tmp_path / "count"
    if before is not None:
        data.write_text(before)
        assert build(data, out)[0] == 0
        data.write_text(EDITED)
    done = killed_build(data, out, tmp_path, 0)
    assert done.returncode == 0, done.stderr
    return int(done.stdout.split()[-1])


@pytest.fixture(scope="module")
def totals(tmp_path_factory: pytest.TempPathFactory) -> dict[str, int]:
    """How many renames a first build and a rebuild of the edited data make."""
    first, again = tmp_path_factory.mktemp("first"), tmp_path_factory.mktemp("again")
    (first / "d.yaml").write_text(BASE)
    return {"first": replaces(first / "d.yaml", first),
            "rebuild": replaces(again / "d.yaml", again, before=BASE)}


@pytest.fixture
def data(tmp_path: Path) -> Path:
    path = tmp_path / "d.yaml"
    path.write_text(BASE)
    return path


def feeds(out: Path) -> list[str]:
    """The visible files of a build, as relative paths."""
    return sorted(path.relative_to(out).as_posix() for path in out.rglob("*")
                  if path.is_file() and not any(part.startswith(".") for part in
                                                path.relative_to(out).parts))


class TestKilledFirstBuild:
    """Killed while building into an empty folder, at each rename."""

    @pytest.mark.parametrize("at", [1, 2, "last"])
    def test_a_file_written_after_the_kill_is_never_overwritten(
            self, data: Path, tmp_path: Path, totals: dict[str, int], at: int | str) -> None:
        total = totals["first"]
        out = tmp_path / "k"
        done = killed_build(data, out, tmp_path, total if at == "last" else int(at))
        assert done.returncode == -signal.SIGKILL
        mine = out / "tracks" / "research.ics"
        mine.parent.mkdir(exist_ok=True)
        mine.write_bytes(MINE)
        code, output = build(data, out)
        assert code == 1
        assert "was not written by deadlinecal" in output or "did not write" in output
        assert mine.read_bytes() == MINE

    @pytest.mark.parametrize("at", [2, "last"])
    def test_a_build_after_the_kill_finishes_the_job(self, data: Path, tmp_path: Path,
                                                     totals: dict[str, int], at: int | str
                                                     ) -> None:
        total = totals["first"]
        out, whole = tmp_path / "k", tmp_path / "whole"
        assert killed_build(data, out, tmp_path, total if at == "last" else int(at)
                            ).returncode == -signal.SIGKILL
        assert build(data, out)[0] == 0
        assert build(data, whole)[0] == 0
        assert {name: (out / name).read_bytes() for name in feeds(out)} == {
            name: (whole / name).read_bytes() for name in feeds(whole)}


class TestKilledRebuild:
    """Killed while replacing the feeds of an earlier build, at each rename."""

    @pytest.mark.parametrize("at", [2, 5, "last"])
    @pytest.mark.parametrize("which", ["all.ics", "tracks/research.ics"])
    def test_a_file_overwritten_after_the_kill_is_never_overwritten_again(
            self, data: Path, tmp_path: Path, totals: dict[str, int], at: int | str,
            which: str) -> None:
        total = totals["rebuild"]
        out = tmp_path / "k"
        data.write_text(BASE)
        assert build(data, out)[0] == 0
        data.write_text(EDITED)
        done = killed_build(data, out, tmp_path, total if at == "last" else int(at))
        assert done.returncode == -signal.SIGKILL
        mine = out / which
        mine.write_bytes(MINE)
        code, output = build(data, out)
        assert code == 1
        assert "was not written by deadlinecal" in output
        assert mine.read_bytes() == MINE

    def test_a_record_from_an_older_version_killed_before_its_moves_trusts_no_stamp(
            self, data: Path, tmp_path: Path) -> None:
        """Earlier versions named every file with the stamp [-1, -1] before moving: such a
        file is ours only if its place and content say so, as without a record."""
        out = tmp_path / "k"
        assert build(data, out)[0] == 0
        record = json.loads((out / RECORD).read_text())
        record["files"] = {path: [-1, -1] for path in record["files"]}
        record.pop("key", None)
        (out / RECORD).write_text(json.dumps(record))
        mine = out / "tracks" / "research.ics"
        mine.write_bytes(MINE)
        code, output = build(data, out)
        assert code == 1 and "was not written by deadlinecal" in output
        assert mine.read_bytes() == MINE
        mine.unlink()
        assert build(data, out)[0] == 0
