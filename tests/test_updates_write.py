"""Nothing lost: every file is replaced whole or not at all, whatever goes wrong."""

from __future__ import annotations

import errno
import os
import signal
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from deadlinecal.cli import main
from deadlinecal.errors import OutputError
from deadlinecal.output import write
from deadlinecal.output.write import RECORD, TEMP_SUFFIX, write_tree

from .updates_support import BASE

OLD = {"all.ics": b"old all\r\n", "tracks/a.ics": b"old a\r\n", "tracks/gone.ics": b"gone\r\n"}
NEW = {"all.ics": b"new all\r\n", "tracks/a.ics": b"old a\r\n", "tracks/b.ics": b"new b\r\n"}


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file and folder under `folder` (folders as b'<dir>'), the record included."""
    return {path.relative_to(folder).as_posix(): b"<dir>" if path.is_dir() else
            path.read_bytes() if path.is_file() else b"<other>"
            for path in sorted(folder.rglob("*"))}


def without_record(files: dict[str, bytes]) -> dict[str, bytes]:
    return {name: body for name, body in files.items() if name != RECORD}


def litter(parent: Path) -> list[str]:
    """Temporaries (ours or the old staging folders) anywhere under `parent`."""
    return sorted(p.name for p in parent.rglob("*") if p.name.endswith(TEMP_SUFFIX)
                  or ".staging-" in p.name or ".retired-" in p.name)


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
        assert without_record(snapshot(target)) == {
            "CNAME": b"example.org\n", "all.ics": b"new all\r\n", "tracks": b"<dir>",
            "tracks/a.ics": b"old a\r\n", "tracks/b.ics": b"new b\r\n"}

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

    def test_a_folder_it_did_not_create_keeps_its_inode_and_mode(self, target: Path) -> None:
        os.chmod(target / "tracks", 0o700)
        before = (target / "tracks").stat()
        write_tree(target, NEW)
        after = (target / "tracks").stat()
        assert (after.st_ino, stat.S_IMODE(after.st_mode)) == (before.st_ino, 0o700)

    def test_a_linked_folder_is_updated_through_its_link(self, target: Path) -> None:
        link = target.parent / "served"
        link.symlink_to(target, target_is_directory=True)
        write_tree(link, NEW)
        assert (link.is_symlink(), (target / "tracks/b.ics").read_bytes()) == (True,
                                                                                b"new b\r\n")

    def test_nothing_is_left_beside_the_files(self, target: Path) -> None:
        write_tree(target, NEW)
        assert litter(target.parent) == []


class TestModes:
    @pytest.fixture
    def umask(self) -> Iterator[None]:
        old = os.umask(0o027)
        try:
            yield
        finally:
            os.umask(old)

    def test_new_files_follow_the_umask_and_replaced_ones_keep_their_mode(
            self, target: Path, umask: None) -> None:
        os.chmod(target / "all.ics", 0o604)
        write_tree(target, NEW)
        modes = {name: stat.S_IMODE((target / name).stat().st_mode)
                 for name in ("all.ics", "tracks/b.ics")}
        assert modes == {"all.ics": 0o604, "tracks/b.ics": 0o640}

    def test_a_new_feed_file_follows_the_umask(self, tmp_path: Path, umask: None) -> None:
        data = tmp_path / "d.yaml"
        data.write_text(BASE)
        result = CliRunner().invoke(main, ["feed", str(data), "-o", str(tmp_path / "f.ics")])
        assert result.exit_code == 0, result.output
        assert stat.S_IMODE((tmp_path / "f.ics").stat().st_mode) == 0o640


def fail_on_call(number: int, real: object) -> object:
    """A stand-in for `real` whose `number`th call fails as on a full disk."""
    calls = []

    def failing(*args: object, **kwargs: object) -> object:
        calls.append(args)
        if len(calls) == number:
            raise OSError(errno.ENOSPC, "No space left on device")
        return real(*args, **kwargs)  # type: ignore[operator]

    return failing


class TestFailedBuild:
    def test_bad_data_leaves_the_folder_as_it_was(self, tmp_path: Path, target: Path) -> None:
        before = snapshot(target)
        data = tmp_path / "bad.yaml"
        data.write_text(BASE.replace('opens: "2026-11"', 'opens: "someday"'))
        result = CliRunner().invoke(main, ["build", str(data), "-o", str(target)])
        assert result.exit_code == 1
        assert snapshot(target) == before

    def test_a_full_disk_while_staging_leaves_the_folder_as_it_was(
            self, target: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        before = snapshot(target)
        monkeypatch.setattr(write, "stage", fail_on_call(2, write.stage))
        with pytest.raises(OutputError, match="No space left on device"):
            write_tree(target, NEW)
        assert (snapshot(target), litter(target.parent)) == (before, [])

    def test_a_full_disk_while_recording_leaves_files_and_record_as_they_were(
            self, target: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        before = snapshot(target)
        real_stage = write.stage

        def stage(final: Path, *args: object, **kwargs: object) -> Path:
            if final.name == RECORD:
                raise OSError(errno.ENOSPC, "No space left on device")
            return real_stage(final, *args, **kwargs)  # type: ignore[arg-type]

        # The two feeds stage and sync fine; staging the record's temporary file fails.
        monkeypatch.setattr(write, "stage", stage)
        with pytest.raises(OutputError, match="No space left on device"):
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

    def test_a_read_only_subfolder_of_writable_feeds_is_refused(self, target: Path) -> None:
        # Its files may be replaced, the folder may not: it is named whichever file of it
        # comes first (each folder's parents are looked up once).
        changed = {**NEW, "tracks/a.ics": b"new a\r\n", "tracks/c.ics": b"new c\r\n"}
        before = snapshot(target)
        os.chmod(target / "tracks", 0o555)
        try:
            with pytest.raises(OutputError, match=r"tracks is read-only"):
                write_tree(target, changed)
        finally:
            os.chmod(target / "tracks", 0o755)
        assert snapshot(target) == before

    def test_removed_feeds_stay_when_the_build_fails(self, target: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setattr(write, "stage", fail_on_call(1, write.stage))
        with pytest.raises(OutputError):
            write_tree(target, NEW)
        assert (target / "tracks/gone.ics").read_bytes() == b"gone\r\n"

    def test_a_folder_made_for_a_failed_build_is_removed_again(
            self, target: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setattr(write, "stage", fail_on_call(2, write.stage))
        with pytest.raises(OutputError):
            write_tree(target, {**NEW, "new/c.ics": b"c"})
        assert not (target / "new").exists()


class TestFailedMove:
    """A failure after the first file moved puts back what moved: all files, or none."""

    def test_a_failure_half_way_puts_back_the_files_already_moved(
            self, target: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        before = snapshot(target)
        # The record is replaced first, then all.ics, then tracks/b.ics: that one fails.
        monkeypatch.setattr(os, "replace", fail_on_call(3, os.replace))
        with pytest.raises(OutputError, match=r"b\.ics: No space left on device; the "
                           "previous files are unchanged"):
            write_tree(target, NEW)
        assert (snapshot(target), litter(target.parent)) == (before, [])

    def test_a_file_that_cannot_be_put_back_is_named(
            self, target: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        real = os.replace
        calls = []

        def failing(source: object, destination: object) -> None:
            calls.append(destination)
            if len(calls) >= 3:  # tracks/b.ics, and putting all.ics back
                raise OSError(errno.EROFS, "Read-only file system")
            real(source, destination)  # type: ignore[arg-type]

        monkeypatch.setattr(os, "replace", failing)
        with pytest.raises(OutputError, match=r"already replaced and could not be put back: "
                           r".*all\.ics$"):
            write_tree(target, NEW)
        assert (target / "all.ics").read_bytes() == b"new all\r\n"
        assert litter(target.parent) == []

    @pytest.mark.parametrize("kind", ["folder", "fifo", "link"])
    def test_what_is_no_regular_file_where_a_file_goes_stops_the_build_first(
            self, target: Path, kind: str, tmp_path: Path) -> None:
        path = target / "tracks" / "b.ics"
        if kind == "folder":
            path.mkdir()
        elif kind == "fifo":
            os.mkfifo(path)
        else:
            path.symlink_to("a.ics")  # tracks/a.ics, inside the folder
        before = snapshot(target)
        with pytest.raises(OutputError, match=r"b\.ics is a .*nothing was written"):
            write_tree(target, NEW, adopt=True)
        assert (snapshot(target), litter(target.parent)) == (before, [])

    def test_a_file_mounted_over_a_feed_leaves_the_build_unapplied(
            self, tmp_path: Path) -> None:
        data = tmp_path / "d.yaml"
        data.write_text(BASE)
        m1 = tmp_path / "m1"
        assert CliRunner().invoke(main, ["build", str(data), "-o", str(m1)]).exit_code == 0
        mine = tmp_path / "mine.ics"
        mine.write_bytes(b"my own file\n")
        feed = next((m1 / "tracks").iterdir())
        done = subprocess.run(["mount", "--bind", str(mine), str(feed)], capture_output=True,
                              check=False)
        if done.returncode != 0:
            pytest.skip("cannot bind-mount here (needs root)")
        try:
            before = snapshot(m1)
            result = CliRunner().invoke(main, ["build", str(data), "-o", str(m1),
                                               "--no-alarms", "--adopt"])
            after = snapshot(m1)
        finally:
            subprocess.run(["umount", str(feed)], check=False)
        assert result.exit_code == 1
        assert "nothing was written" in result.output or "unchanged" in result.output
        assert (after, litter(m1)) == (before, [])
        assert mine.read_bytes() == b"my own file\n"


KILLER = """\
import os, signal, sys
from pathlib import Path
from deadlinecal.output import write

real_replace = os.replace
replaced = []

def kill_at(count):
    def replace(source, destination):
        if len(replaced) == count:
            os.kill(os.getpid(), signal.SIGKILL)
        replaced.append(destination)
        real_replace(source, destination)
    return replace

# The record is replaced first (naming every file), then each staged file.
os.replace = kill_at({"before": 1, "after": 4}[sys.argv[2]])
write.write_tree(Path(sys.argv[1]), {NEW!r})
os.kill(os.getpid(), signal.SIGKILL)
"""


def run_killed(target: Path, mode: str, tmp_path: Path) -> int:
    script = tmp_path / "killer.py"
    script.write_text(KILLER.replace("{NEW!r}", repr(NEW)))
    done = subprocess.run([sys.executable, str(script), str(target), mode], check=False)
    return done.returncode


class TestKilledBuild:
    def test_killed_before_the_first_file_moves_leaves_every_file_as_it_was(
            self, target: Path, tmp_path: Path) -> None:
        before = without_record(snapshot(target))
        assert run_killed(target, "before", tmp_path) == -signal.SIGKILL
        assert {name: body for name, body in without_record(snapshot(target)).items()
                if not name.endswith(TEMP_SUFFIX)} == before

    def test_the_next_build_clears_what_a_killed_one_staged(self, target: Path,
                                                            tmp_path: Path) -> None:
        run_killed(target, "before", tmp_path)
        assert litter(target) != []
        write_tree(target, NEW)
        assert litter(target.parent) == []

    def test_killed_after_the_files_moved_leaves_the_whole_new_set(self, target: Path,
                                                                   tmp_path: Path) -> None:
        assert run_killed(target, "after", tmp_path) == -signal.SIGKILL
        files = without_record(snapshot(target))
        assert {name: files[name] for name in NEW} == NEW

    def test_the_next_build_after_a_kill_still_removes_what_was_ours(
            self, target: Path, tmp_path: Path) -> None:
        run_killed(target, "after", tmp_path)
        write_tree(target, NEW)
        assert without_record(snapshot(target)) == {"CNAME": b"example.org\n", **NEW,
                                                    "tracks": b"<dir>"}


LEFT = {".all.ics.abcd1234" + TEMP_SUFFIX: b"half", f".{RECORD}.zz_99xyz" + TEMP_SUFFIX: b"{",
        "tracks/.a.ics.0123abcd" + TEMP_SUFFIX: b"half a"}
# Not ours: another base name, another pattern.
KEPT = {".notes.abcd1234" + TEMP_SUFFIX: b"mine", ".all.ics.x" + TEMP_SUFFIX: b"mine",
        "all.ics.abcd1234" + TEMP_SUFFIX: b"mine"}


class TestLeftovers:
    """A killed build's temporaries are cleared by the next build, whatever it changes."""

    def test_an_unchanged_write_clears_ours_and_keeps_the_rest(self, target: Path) -> None:
        for name, body in {**LEFT, **KEPT}.items():
            (target / name).write_bytes(body)
        report = write_tree(target, OLD)
        assert report.written == () and report.removed == ()
        assert litter(target) == sorted(Path(name).name for name in KEPT)

    def test_an_unchanged_build_clears_them_too(self, tmp_path: Path) -> None:
        data, out = tmp_path / "d.yaml", tmp_path / "out"
        data.write_text(BASE)
        assert CliRunner().invoke(main, ["build", str(data), "-o", str(out)]).exit_code == 0
        feed = next(path for path in sorted((out / "tracks").iterdir()))
        left = [out / (".all.ics.k1ll3d_0" + TEMP_SUFFIX),
                feed.with_name(f".{feed.name}.abcdefgh{TEMP_SUFFIX}"),
                out / f".{RECORD}.abcdefgh{TEMP_SUFFIX}"]
        for path in left:
            path.write_bytes(b"half")
        result = CliRunner().invoke(main, ["build", str(data), "-o", str(out)])
        assert result.exit_code == 0 and " 0 written" in result.output
        assert [path.exists() for path in left] == [False] * 3


WRITER = """\
import sys
from pathlib import Path
from deadlinecal.output.write import write_tree

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
