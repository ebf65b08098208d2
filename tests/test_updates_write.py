"""Nothing lost: a build is swapped in whole or not at all, whatever goes wrong."""

from __future__ import annotations

import errno
import os
import signal
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from deadlinecal import write
from deadlinecal.cli import main
from deadlinecal.errors import OutputError
from deadlinecal.write import write_tree

from .updates_support import BASE

OLD = {"all.ics": b"old all\r\n", "tracks/a.ics": b"old a\r\n", "tracks/gone.ics": b"gone\r\n"}
NEW = {"all.ics": b"new all\r\n", "tracks/a.ics": b"old a\r\n", "tracks/b.ics": b"new b\r\n"}


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file and folder under `folder` (folders as None-like b'<dir>')."""
    return {path.relative_to(folder).as_posix(): b"<dir>" if path.is_dir() else path.read_bytes()
            for path in sorted(folder.rglob("*"))}


def litter(parent: Path) -> list[str]:
    return sorted(p.name for p in parent.iterdir() if ".staging-" in p.name
                  or ".retired-" in p.name)


@pytest.fixture
def target(tmp_path: Path) -> Path:
    folder = tmp_path / "calendars"
    write_tree(folder, OLD)
    (folder / "CNAME").write_bytes(b"example.org\n")
    return folder


class TestSuccessfulBuild:
    def test_the_folder_holds_exactly_the_new_files_and_unmanaged_ones(self, target: Path
                                                                       ) -> None:
        write_tree(target, NEW)
        assert snapshot(target) == {"CNAME": b"example.org\n", "all.ics": b"new all\r\n",
                                    "tracks": b"<dir>", "tracks/a.ics": b"old a\r\n",
                                    "tracks/b.ics": b"new b\r\n"}

    def test_the_report_names_written_unchanged_and_removed_files(self, target: Path) -> None:
        report = write_tree(target, NEW)
        assert (report.written, report.unchanged, report.removed) == (
            ("all.ics", "tracks/b.ics"), ("tracks/a.ics",), ("tracks/gone.ics",))

    def test_a_build_that_changes_nothing_touches_nothing(self, target: Path) -> None:
        before = {p: os.stat(p) for p in [target, *target.rglob("*")]}
        report = write_tree(target, OLD)
        after = {p: os.stat(p) for p in [target, *target.rglob("*")]}
        assert report.written == () and report.removed == ()
        assert {p: (s.st_ino, s.st_mtime_ns) for p, s in before.items()} == {
            p: (s.st_ino, s.st_mtime_ns) for p, s in after.items()}

    def test_any_kind_of_file_can_be_part_of_the_output(self, target: Path) -> None:
        write_tree(target, {**OLD, "index.html": b"<!doctype html>"})
        assert (target / "index.html").read_bytes() == b"<!doctype html>"

    def test_the_folder_keeps_its_permissions(self, target: Path) -> None:
        os.chmod(target, 0o750)
        write_tree(target, NEW)
        assert stat.S_IMODE(target.stat().st_mode) == 0o750

    def test_a_linked_folder_is_updated_through_its_link(self, target: Path) -> None:
        link = target.parent / "served"
        link.symlink_to(target, target_is_directory=True)
        write_tree(link, NEW)
        assert (link.is_symlink(), (target / "tracks/b.ics").read_bytes()) == (True,
                                                                                b"new b\r\n")

    def test_nothing_is_left_beside_the_folder(self, target: Path) -> None:
        write_tree(target, NEW)
        assert litter(target.parent) == []


class TestFailedBuild:
    def test_bad_data_leaves_the_folder_as_it_was(self, tmp_path: Path, target: Path) -> None:
        before = snapshot(target)
        data = tmp_path / "bad.yaml"
        data.write_text(BASE.replace('opens: "2026-11"', 'opens: "someday"'))
        result = CliRunner().invoke(main, ["build", str(data), "-o", str(target)])
        assert result.exit_code == 1
        assert snapshot(target) == before

    def test_a_full_disk_leaves_the_folder_as_it_was(self, target: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
        before = snapshot(target)
        real = write._write_file
        calls = []

        def full(final: Path, content: bytes) -> None:
            calls.append(final)
            if len(calls) == 2:
                raise OSError(errno.ENOSPC, "No space left on device")
            real(final, content)

        monkeypatch.setattr(write, "_write_file", full)
        with pytest.raises(OutputError, match="No space left on device"):
            write_tree(target, NEW)
        assert (snapshot(target), litter(target.parent)) == (before, [])

    def test_a_failed_swap_leaves_the_folder_as_it_was(self, target: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
        before = snapshot(target)

        def broken(first: Path, second: Path) -> None:
            raise OSError(errno.EIO, "Input/output error")

        monkeypatch.setattr(write, "_exchange", broken)
        with pytest.raises(OutputError, match="Input/output error"):
            write_tree(target, NEW)
        assert (snapshot(target), litter(target.parent)) == (before, [])

    def test_a_failed_rename_in_the_fallback_puts_the_old_folder_back(
            self, target: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        before = snapshot(target)
        real = os.rename
        calls = []

        def second_fails(source: object, destination: object) -> None:
            calls.append(source)
            if len(calls) == 2:
                raise OSError(errno.EXDEV, "Invalid cross-device link")
            real(source, destination)  # type: ignore[arg-type]

        monkeypatch.setattr(write, "_atomic_exchange", lambda first, second: False)
        monkeypatch.setattr(os, "rename", second_fails)
        with pytest.raises(OutputError):
            write_tree(target, NEW)
        assert (snapshot(target), litter(target.parent)) == (before, [])

    def test_a_read_only_folder_is_refused_and_left_as_it_was(self, target: Path) -> None:
        before = snapshot(target)
        os.chmod(target, 0o555)
        try:
            with pytest.raises(OutputError, match="read-only"):
                write_tree(target, NEW)
        finally:
            os.chmod(target, 0o755)
        assert snapshot(target) == before

    def test_removed_feeds_stay_when_the_build_fails(self, target: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
        def broken(first: Path, second: Path) -> None:
            raise OSError(errno.EIO, "Input/output error")

        monkeypatch.setattr(write, "_exchange", broken)
        with pytest.raises(OutputError):
            write_tree(target, NEW)
        assert (target / "tracks/gone.ics").read_bytes() == b"gone\r\n"


KILLER = """\
import os, signal, sys
from pathlib import Path
from deadlinecal import write

real_exchange = write._exchange
real_rename = os.rename
renames = []

def kill_before(first, second):
    os.kill(os.getpid(), signal.SIGKILL)

def kill_after(first, second):
    real_exchange(first, second)
    os.kill(os.getpid(), signal.SIGKILL)

def kill_between(source, destination):
    renames.append(source)
    if len(renames) == 2:  # the old tree is retired, the new one not yet in place
        os.kill(os.getpid(), signal.SIGKILL)
    real_rename(source, destination)

mode = sys.argv[2]
if mode == "before":
    write._exchange = kill_before
elif mode == "after":
    write._exchange = kill_after
else:
    write._atomic_exchange = lambda first, second: False
    os.rename = kill_between
write.write_tree(Path(sys.argv[1]), {NEW!r})
"""


def run_killed(target: Path, mode: str, tmp_path: Path) -> int:
    script = tmp_path / "killer.py"
    script.write_text(KILLER.replace("{NEW!r}", repr(NEW)))
    done = subprocess.run([sys.executable, str(script), str(target), mode], check=False)
    return done.returncode


class TestKilledBuild:
    def test_killed_before_the_swap_leaves_the_folder_as_it_was(self, target: Path,
                                                                 tmp_path: Path) -> None:
        before = snapshot(target)
        assert run_killed(target, "before", tmp_path) == -signal.SIGKILL
        assert snapshot(target) == before

    def test_the_next_build_clears_what_a_killed_one_staged(self, target: Path,
                                                            tmp_path: Path) -> None:
        run_killed(target, "before", tmp_path)
        assert litter(target.parent) != []
        write_tree(target, NEW)
        assert litter(target.parent) == []

    def test_killed_just_after_the_swap_leaves_the_whole_new_folder(self, target: Path,
                                                                    tmp_path: Path) -> None:
        assert run_killed(target, "after", tmp_path) == -signal.SIGKILL
        assert snapshot(target) == {"CNAME": b"example.org\n", **NEW, "tracks": b"<dir>"}

    def test_killed_between_fallback_renames_the_next_build_restores_the_old_folder(
            self, target: Path, tmp_path: Path) -> None:
        before = snapshot(target)
        assert run_killed(target, "between", tmp_path) == -signal.SIGKILL
        assert not target.exists()
        report = write_tree(target, {k: v for k, v in OLD.items()})
        assert (report.written, snapshot(target)) == ((), before)


WRITER = """\
import sys
from pathlib import Path
from deadlinecal.write import write_tree

target, label = Path(sys.argv[1]), sys.argv[2]
for round in range(int(sys.argv[3])):
    body = (label * 200_000).encode()
    write_tree(target, {"all.ics": body, "tracks/a.ics": body, "eligibility/b.ics": body,
                        label + ".ics": body})
"""


class TestConcurrentBuilds:
    def test_two_builds_at_once_leave_one_whole_build_and_no_torn_file(
            self, tmp_path: Path) -> None:
        target = tmp_path / "calendars"
        script = tmp_path / "writer.py"
        script.write_text(WRITER)
        runs = [subprocess.Popen([sys.executable, str(script), str(target), label, "15"])
                for label in ("A", "B")]
        torn = []
        while any(run.poll() is None for run in runs):
            for path in target.rglob("*.ics") if target.is_dir() else []:
                try:
                    body = path.read_bytes()
                except FileNotFoundError:
                    continue  # a whole folder was swapped under us: fine
                if body not in ((b"A" * 200_000), (b"B" * 200_000)):
                    torn.append(path.name)
        assert [run.wait() for run in runs] == [0, 0]
        files = snapshot(target)
        bodies = {body for name, body in files.items() if name.endswith(".ics")}
        label = "A" if b"A" * 200_000 in bodies else "B"
        assert torn == []
        assert sorted(n for n in files if n.endswith(".ics")) == sorted(
            ["all.ics", "tracks/a.ics", "eligibility/b.ics", f"{label}.ics"])
        assert bodies == {label.encode() * 200_000}
        assert litter(tmp_path) == []
