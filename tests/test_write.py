"""Atomic writes: all files or none, unchanged files untouched, stale feeds pruned."""

from __future__ import annotations

import contextlib
import os
import threading
from pathlib import Path

import pytest

from deadlinecal.errors import OutputError
from deadlinecal.write import RECORD, TEMP_SUFFIX, write_tree


class TestWriteTree:
    def test_writes_nested_files(self, tmp_path: Path) -> None:
        report = write_tree(tmp_path, {"a.ics": b"A", "tracks/b.ics": b"B"})
        assert (tmp_path / "tracks" / "b.ics").read_bytes() == b"B"
        assert report.written == ("a.ics", "tracks/b.ics")

    def test_unchanged_files_are_not_rewritten(self, tmp_path: Path) -> None:
        write_tree(tmp_path, {"a.ics": b"A"})
        before = (tmp_path / "a.ics").stat().st_mtime_ns
        os.utime(tmp_path / "a.ics", ns=(1, 1))
        report = write_tree(tmp_path, {"a.ics": b"A"})
        assert report.unchanged == ("a.ics",) and report.written == ()
        assert (tmp_path / "a.ics").stat().st_mtime_ns == 1 != before

    def test_feeds_no_longer_produced_are_removed_but_other_files_kept(self,
                                                                      tmp_path: Path) -> None:
        write_tree(tmp_path, {"a.ics": b"A", "tracks/old.ics": b"O"})
        (tmp_path / "CNAME").write_text("feeds.example.org")
        report = write_tree(tmp_path, {"a.ics": b"A"})
        assert report.removed == ("tracks/old.ics",)
        assert not (tmp_path / "tracks").exists()
        assert (tmp_path / "CNAME").exists()

    def test_failure_while_staging_leaves_old_files_and_no_temporaries(
            self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        write_tree(tmp_path, {"a.ics": b"old A", "b.ics": b"old B"})
        real_fsync = os.fsync
        calls = []

        def failing_fsync(fd: int) -> None:
            calls.append(fd)
            if len(calls) == 2:
                raise OSError(28, "No space left on device")
            real_fsync(fd)

        monkeypatch.setattr(os, "fsync", failing_fsync)
        with pytest.raises(OutputError, match="No space left on device"):
            write_tree(tmp_path, {"a.ics": b"new A", "b.ics": b"new B"})
        assert (tmp_path / "a.ics").read_bytes() == b"old A"
        assert (tmp_path / "b.ics").read_bytes() == b"old B"
        assert sorted(p.name for p in tmp_path.iterdir()) == [RECORD, "a.ics", "b.ics"]

    def test_refuses_paths_outside_the_target(self, tmp_path: Path) -> None:
        with pytest.raises(OutputError, match="outside"):
            write_tree(tmp_path / "out", {"../escape.ics": b"x"})


class TestStaging:
    def test_staged_files_are_fsynced_together_before_any_moves(
            self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        real_fsync, real_replace = os.fsync, os.replace
        lock = threading.Lock()
        running, most, events = [0], [0], []
        # Every fsync waits here until a second one is running (or a second has passed):
        # fsyncs issued one after another never overlap.
        both = threading.Barrier(2, timeout=1)

        def fsync(descriptor: int) -> None:
            with lock:
                running[0] += 1
                most[0] = max(most[0], running[0])
                events.append("fsync")
            with contextlib.suppress(threading.BrokenBarrierError):
                both.wait()
            real_fsync(descriptor)
            with lock:
                running[0] -= 1

        def replace(source: str, destination: str) -> None:
            events.append("replace")
            real_replace(source, destination)

        monkeypatch.setattr(os, "fsync", fsync)
        monkeypatch.setattr(os, "replace", replace)
        write_tree(tmp_path, {"a.ics": b"A", "b.ics": b"B", "tracks/c.ics": b"C"})
        first_move = events.index("replace")
        # Three feeds and the record staged, all on disk before the first move.
        assert events[:first_move] == ["fsync"] * 4
        assert most[0] > 1

    def test_leftovers_beside_a_name_with_brackets_are_cleared(self, tmp_path: Path) -> None:
        write_tree(tmp_path, {"a[1].ics": b"old"})
        leftover = tmp_path / f".a[1].ics.x1y2{TEMP_SUFFIX}"
        leftover.write_bytes(b"killed build")
        write_tree(tmp_path, {"a[1].ics": b"new"})
        assert not leftover.exists()
        assert (tmp_path / "a[1].ics").read_bytes() == b"new"
