"""The record beside the feeds is a file anyone who can write the folder can edit: what it
says is checked before anything it names is read, replaced or removed."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from deadlinecal.output.write import RECORD

from .test_ownership import SECOND, build_into, data_file, files_of, put, run


@pytest.fixture
def data(tmp_path: Path) -> Path:
    return data_file(tmp_path)


@pytest.fixture
def built(data: Path, tmp_path: Path) -> Path:
    return build_into(data, tmp_path / "t1")


def edit_record(folder: Path, change: Callable[[dict[str, Any]], None]) -> None:
    record = json.loads((folder / RECORD).read_text())
    change(record)
    (folder / RECORD).write_text(json.dumps(record))


PERSONAL = (b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//deadlinecal//deadlinecal//EN\r\n"
            b"BEGIN:VEVENT\r\nUID:x.personal.appointment@deadlinecal\r\n"
            b"DTSTAMP:20260801T000000Z\r\nDTSTART;VALUE=DATE:20261001\r\n"
            b"SUMMARY:Doctor appointment\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n")


class TestLinkedRecordPaths:
    @pytest.fixture
    def victim(self, tmp_path: Path, built: Path) -> Path:
        victim = tmp_path / "victim1"
        put(victim, {"secret.txt": b"secret\n", "personal.ics": PERSONAL})
        (victim / "sub").mkdir()
        (built / "link").symlink_to(victim, target_is_directory=True)
        return victim

    def test_a_recorded_file_behind_a_link_is_never_removed(
            self, data: Path, built: Path, victim: Path) -> None:
        edit_record(built, lambda record: record["files"].update({"link/secret.txt": [1, 1]}))
        before = files_of(victim)
        data.write_bytes(SECOND)
        result = run("build", str(data), "-o", str(built))
        assert result.exit_code == 0, result.output
        assert files_of(victim) == before and len(before) == 2
        assert "'link/secret.txt'" in result.output and "ignored" in result.output

    def test_a_recorded_feed_behind_a_link_is_never_read(
            self, data: Path, built: Path, victim: Path) -> None:
        edit_record(built, lambda record: record["files"].update({"link/personal.ics": [1, 1]}))
        result = run("diff", str(data), "-o", str(built))
        assert result.exit_code == 0, result.output
        assert "Doctor" not in result.output and "personal" not in result.output.split(
            "warning")[0]

    def test_a_recorded_folder_behind_a_link_is_never_removed(
            self, data: Path, built: Path, victim: Path) -> None:
        edit_record(built, lambda record: record["folders"].append("link/sub"))
        data.write_bytes(SECOND)
        result = run("build", str(data), "-o", str(built))
        assert result.exit_code == 0, result.output
        assert (victim / "sub").is_dir()

    def test_a_path_out_of_the_folder_is_ignored(self, data: Path, built: Path,
                                                 tmp_path: Path) -> None:
        (tmp_path / "outside.ics").write_bytes(PERSONAL)
        edit_record(built, lambda record: record["files"].update(
            {"../outside.ics": [1, 1], str(tmp_path / "outside.ics"): [1, 1]}))
        data.write_bytes(SECOND)
        assert run("build", str(data), "-o", str(built)).exit_code == 0
        assert (tmp_path / "outside.ics").read_bytes() == PERSONAL


class TestReplacedRecordedFiles:
    """The record stamps what a build wrote; a file someone replaced since is theirs."""

    def test_a_recorded_feed_replaced_with_something_else_is_refused(
            self, data: Path, built: Path) -> None:
        (built / "all.ics").write_bytes(b"my own calendar notes\n")
        data.write_bytes(SECOND)
        before = files_of(built)
        refused = run("build", str(data), "-o", str(built))
        assert refused.exit_code == 1 and "all.ics exists and was not written" in refused.output
        assert files_of(built) == before
        adopted = run("build", str(data), "-o", str(built), "--adopt")
        assert adopted.exit_code == 0, adopted.output
        assert (built / "all.ics").read_bytes().startswith(b"BEGIN:VCALENDAR")

    def test_a_recorded_feed_no_longer_produced_and_replaced_is_kept(
            self, data: Path, built: Path) -> None:
        (built / "tracks" / "applied.ics").write_bytes(b"my applied notes\n")
        data.write_bytes(SECOND)  # drops the applied track
        result = run("build", str(data), "-o", str(built))
        assert result.exit_code == 0, result.output
        assert (built / "tracks" / "applied.ics").read_bytes() == b"my applied notes\n"
        assert "applied.ics" not in json.loads((built / RECORD).read_text())["files"]

    @pytest.mark.parametrize("adopt", [[], ["--adopt"]])
    def test_a_read_only_file_is_never_replaced(self, data: Path, built: Path,
                                                adopt: list[str]) -> None:
        (built / "all.ics").write_bytes(b"mine, read-only\n")
        (built / "all.ics").chmod(0o444)
        data.write_bytes(SECOND)
        before = files_of(built)
        result = run("build", str(data), "-o", str(built), *adopt)
        assert result.exit_code == 1
        assert "read-only" in result.output or "not written by" in result.output
        assert files_of(built) == before

    def test_a_read_only_feed_of_ours_is_never_replaced_either(
            self, data: Path, built: Path) -> None:
        (built / "all.ics").chmod(0o444)
        data.write_bytes(SECOND)
        before = files_of(built)
        result = run("build", str(data), "-o", str(built))
        assert result.exit_code == 1 and "all.ics is read-only" in result.output
        assert files_of(built) == before

    def test_a_read_only_subfolder_is_left_as_it_was(self, data: Path, built: Path) -> None:
        for feed in (built / "tracks").iterdir():
            feed.chmod(0o444)
        (built / "tracks").chmod(0o555)
        data.write_bytes(SECOND)
        before = files_of(built)
        try:
            result = run("build", str(data), "-o", str(built))
        finally:
            (built / "tracks").chmod(0o755)
        assert result.exit_code == 1 and "read-only" in result.output
        assert files_of(built) == before


class TestBrokenRecord:
    """A record that does not parse is ignored with a warning: never exit 3."""

    @pytest.mark.parametrize(("text", "broken"), [
        ('{"files": {"all\\u0000.ics": [1, 1]}, "folders": []}', False),
        ('{"files": {"all.ics": [Infinity, 1]}, "folders": []}', True),
        ('{"files": {}, "folders": [], "retired": {"x": {"sequence": Infinity}}}', True),
        ('[[[[' * 1000, True),
    ])
    def test_a_corrupt_record_is_a_warning(self, data: Path, built: Path, text: str,
                                           broken: bool) -> None:
        (built / RECORD).write_text(text)
        data.write_bytes(SECOND)
        result = run("build", str(data), "-o", str(built))
        assert result.exit_code == 0, result.output
        assert "tracks/design.ics" in result.output
        assert (f"{RECORD}: warning: could not be read" in result.output) == broken
        diff = run("diff", str(data), "-o", str(built))
        assert diff.exit_code == 0, diff.output

    def test_a_folder_where_a_feed_goes_is_a_clean_refusal(self, data: Path,
                                                            tmp_path: Path) -> None:
        c1 = tmp_path / "c1"
        (c1 / "index.html").mkdir(parents=True)
        result = run("build", str(data), "-o", str(c1), "--adopt")
        assert result.exit_code == 1
        assert "index.html is a folder, not a file" in result.output
        assert sorted(p.name for p in c1.iterdir()) == ["index.html"]


class TestNoCurrentFolder:
    def test_a_relative_output_after_the_current_folder_went_is_a_clean_error(
            self, data: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        gone = tmp_path / "gone"
        gone.mkdir()
        monkeypatch.chdir(gone)
        gone.rmdir()
        result = run("build", str(data), "-o", "calendars")
        assert result.exit_code == 1 and "current folder no longer exists" in result.output

    def test_a_full_output_path_still_builds(self, data: Path, tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
        gone = tmp_path / "gone"
        gone.mkdir()
        monkeypatch.chdir(gone)
        gone.rmdir()
        result = run("build", str(data), "-o", str(tmp_path / "out"))
        assert result.exit_code == 0, result.output
        assert (tmp_path / "out" / "all.ics").exists()
