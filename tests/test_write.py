"""Atomic writes: all files or none, unchanged files untouched, stale feeds pruned."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from deadlinecal.errors import OutputError
from deadlinecal.output import moving
from deadlinecal.output.write import RECORD, write_tree


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

        # One fsync per staged file (as where there is no syncfs): the second fails.
        monkeypatch.setattr(moving, "_syncfs", lambda: None)
        monkeypatch.setattr(os, "fsync", failing_fsync)
        with pytest.raises(OutputError, match="No space left on device"):
            write_tree(tmp_path, {"a.ics": b"new A", "b.ics": b"new B"})
        assert (tmp_path / "a.ics").read_bytes() == b"old A"
        assert (tmp_path / "b.ics").read_bytes() == b"old B"
        assert sorted(p.name for p in tmp_path.iterdir()) == [RECORD, "a.ics", "b.ics"]

    def test_refuses_paths_outside_the_target(self, tmp_path: Path) -> None:
        with pytest.raises(OutputError, match="outside"):
            write_tree(tmp_path / "out", {"../escape.ics": b"x"})




# Eight files in two folders.
FILES = {f"{folder}/{n}.ics": f"{folder} {n}".encode() for folder in ("a", "b")
         for n in range(4)}


class TestSyncTogether:
    """The staged files are made durable in one pass (syncfs) before the first one moves."""

    def test_one_syncfs_per_file_system_instead_of_an_fsync_per_file(
            self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        synced: list[int] = []
        fsynced: list[int] = []
        real_fsync = os.fsync

        def syncfs(descriptor: int) -> int:
            synced.append(descriptor)
            real_fsync(descriptor)
            return 0

        def fsync(descriptor: int) -> None:
            fsynced.append(descriptor)
            real_fsync(descriptor)

        monkeypatch.setattr(moving, "_syncfs", lambda: syncfs)
        monkeypatch.setattr(os, "fsync", fsync)
        report = write_tree(tmp_path, FILES)
        assert len(report.written) == 8 and len(synced) == 1
        # The record (while files move, then after) and the folder: not one per file.
        assert len(fsynced) == 3

    def test_a_failed_syncfs_leaves_the_old_files_and_no_temporaries(
            self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        import ctypes
        import errno

        write_tree(tmp_path, FILES)
        before = {path: (tmp_path / path).read_bytes() for path in FILES}

        def failing(descriptor: int) -> int:
            ctypes.set_errno(errno.EIO)
            return -1

        monkeypatch.setattr(moving, "_syncfs", lambda: failing)
        with pytest.raises(OutputError, match="Input/output error"):
            write_tree(tmp_path, {path: b"new" for path in FILES})
        assert {path: (tmp_path / path).read_bytes() for path in FILES} == before
        assert sorted(p.name for p in tmp_path.rglob("*") if p.is_file()) == sorted(
            [RECORD, *(path.split("/")[1] for path in FILES)])

    def test_without_syncfs_each_staged_file_is_fsynced(
            self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        fsynced: list[int] = []
        real_fsync = os.fsync

        def fsync(descriptor: int) -> None:
            fsynced.append(descriptor)
            real_fsync(descriptor)

        monkeypatch.setattr(moving, "_syncfs", lambda: None)
        monkeypatch.setattr(os, "fsync", fsync)
        write_tree(tmp_path, FILES)
        assert len(fsynced) == 8 + 3


class TestStagedBytes:
    def test_short_writes_still_write_every_byte_in_order(
            self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        real_writev = os.writev

        def short(descriptor: int, buffers: list[bytes]) -> int:
            # At most 7 bytes a call, so a call ends inside a chunk and between them.
            return real_writev(descriptor, [bytes(b"".join(buffers)[:7])])

        chunks = [b"BEGIN", b"", b"0123456789" * 3, b"x", b"END\r\n"] * 300
        monkeypatch.setattr(os, "writev", short)
        write_tree(tmp_path, {"a.ics": b"one piece", "b.ics": b"two"})
        staged = moving.stage(tmp_path / "c.ics", chunks)
        assert staged.read_bytes() == b"".join(chunks)
        assert (tmp_path / "a.ics").read_bytes() == b"one piece"
