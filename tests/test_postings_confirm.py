"""Curated estimates confirmed by imported postings: same UID, SEQUENCE + 1, CONFIRMED."""

from __future__ import annotations

import codecs
import datetime as dt
import errno
import os
import shutil
import stat
from pathlib import Path

import pytest
from click.testing import Result

from .conftest import ROOT
from .postings_support import SUMMER_2027, events, run

DEFAULT = "data/ml-internships-summer-2027.yaml"
JANE = "ml-internships-summer-2027.jane-street-internship.summer-2027.opens@deadlinecal"
NVIDIA = "ml-internships-summer-2027.nvidia-internship.summer-2027.opens@deadlinecal"


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    shutil.copytree(ROOT / "data", tmp_path / "data")
    monkeypatch.chdir(tmp_path)
    assert run("build", "--as-of", "2026-08-01").exit_code == 0
    imported = run("import", "simplify", str(SUMMER_2027), "-o", "data/postings.yaml")
    assert imported.exit_code == 0, imported.output
    return tmp_path


class TestBuiltTogether:
    def test_the_estimate_moves_to_the_first_matching_posting_confirmed(
            self, project: Path) -> None:
        before = events(project / "calendars" / "all.ics")
        assert str(before[JANE]["STATUS"]) == "TENTATIVE"
        built = run("build", DEFAULT, "data/postings.yaml", "--as-of", "2026-09-30")
        assert built.exit_code == 0, built.output
        after = events(project / "calendars" / "all.ics")
        assert after[JANE].start == dt.date(2026, 8, 12)
        assert str(after[JANE]["STATUS"]) == "CONFIRMED"
        assert int(after[JANE]["SEQUENCE"]) == int(before[JANE]["SEQUENCE"]) + 1
        # 23:00 in New York on 1 September is already 2 September in UTC.
        assert after[NVIDIA].start == dt.date(2026, 9, 1)

    def test_diff_shows_it_as_a_move(self, project: Path) -> None:
        result = run("diff", DEFAULT, "data/postings.yaml")
        assert result.exit_code == 0
        assert ("~ moved     Opens: Jane Street: 2026-08-01 → "
                "2026-08-12 [tentative → confirmed]") in result.output

    def test_alone_the_curated_data_keeps_its_estimate(self, project: Path) -> None:
        result = run("build", DEFAULT, "--check")
        assert result.exit_code == 0, result.output


class TestConfirmOption:
    def test_rewrites_only_the_opens_values_of_matched_programs(self, project: Path) -> None:
        before = (project / DEFAULT).read_text().splitlines()
        result = run("import", "simplify", str(SUMMER_2027), "-o", "data/postings.yaml",
                     "--confirm", DEFAULT)
        assert result.exit_code == 0, result.output
        after = (project / DEFAULT).read_text().splitlines()
        changed = [(old, new) for old, new in zip(before, after, strict=True) if old != new]
        assert changed == [('        opens: "2026-08..2026-10"', '        opens: "2026-09-01"'),
                           ('        opens: "2026-08"', '        opens: "2026-08-12"')]
        assert ("jane-street-internship opens 2026-08-12 (was August 2026), confirmed by "
                "\u201cSoftware Engineer Internship\u201d") in result.output

    def test_a_posting_outside_the_cycle_confirms_nothing(self, project: Path) -> None:
        text = SUMMER_2027.read_text().replace("Summer 2027", "Summer 2031")
        shifted = project / "late.json"
        # Five years later: after the default data's cycle ends.
        shifted.write_text(text.replace('"date_posted": 17', '"date_posted": 19'))
        # A list saved then, imported then: postings after that day would be skipped.
        saved = dt.datetime(2034, 1, 1, tzinfo=dt.UTC).timestamp()
        os.utime(shifted, (saved, saved))
        before = (project / DEFAULT).read_bytes()
        result = run("import", "simplify", str(shifted), "-o", "data/late.yaml",
                     "--confirm", DEFAULT, "--as-of", "2034-01-01")
        assert result.exit_code == 0, result.output
        assert "no estimated opening matched a posting" in result.output
        assert (project / DEFAULT).read_bytes() == before


def _confirmed(text: str) -> str:
    """The default data's text as `--confirm` writes it from the synthetic list."""
    return (text.replace('        opens: "2026-08..2026-10"\n', '        opens: "2026-09-01"\n', 1)
            .replace('        opens: "2026-08"\n', '        opens: "2026-08-12"\n', 1))


def _confirm(path: str, output: str = "data/fresh.yaml") -> Result:
    return run("import", "simplify", str(SUMMER_2027), "-o", output, "--confirm", path)


class TestConfirmEditsInPlace:
    """`--confirm` edits the curated file (the one a link names, the inode others share)."""

    def test_through_a_symbolic_link_the_target_is_edited_and_the_link_stays(
            self, project: Path) -> None:
        real = project / "curated" / "ml.yaml"
        real.parent.mkdir()
        (project / DEFAULT).rename(real)
        (project / DEFAULT).symlink_to(Path("..") / "curated" / "ml.yaml")
        before = real.read_text()
        result = _confirm(DEFAULT)
        assert result.exit_code == 0, result.output
        assert (project / DEFAULT).is_symlink()
        assert os.readlink(project / DEFAULT) == str(Path("..") / "curated" / "ml.yaml")
        assert real.read_text() == _confirmed(before)

    def test_a_hard_link_sees_the_new_text(self, project: Path) -> None:
        other = project / "kept-elsewhere.yaml"
        os.link(project / DEFAULT, other)
        inode = other.stat().st_ino
        before = other.read_text()
        result = _confirm(DEFAULT)
        assert result.exit_code == 0, result.output
        assert (project / DEFAULT).stat().st_ino == inode
        assert other.read_text() == _confirmed(before)

    def test_a_read_only_file_is_refused_and_nothing_is_written(self, project: Path) -> None:
        curated = project / DEFAULT
        before = curated.read_bytes()
        curated.chmod(0o444)
        result = _confirm(DEFAULT)
        assert result.exit_code == 1, result.output
        assert f"{DEFAULT} is read-only" in result.output
        assert "read-only file; nothing was written" in result.output
        assert "Traceback" not in result.output
        assert curated.read_bytes() == before
        assert stat.S_IMODE(curated.stat().st_mode) == 0o444
        assert not (project / "data" / "fresh.yaml").exists()

    def test_a_read_only_file_with_nothing_to_confirm_is_no_error(self, project: Path) -> None:
        text = SUMMER_2027.read_text().replace("Summer 2027", "Summer 2031")
        late = project / "late.json"
        late.write_text(text.replace('"date_posted": 17', '"date_posted": 19'))
        # Saved and imported in 2034, so no posting is dated after the list itself.
        saved = dt.datetime(2034, 1, 1, tzinfo=dt.UTC).timestamp()
        os.utime(late, (saved, saved))
        (project / DEFAULT).chmod(0o444)
        result = run("import", "simplify", "late.json", "-o", "data/late.yaml",
                     "--confirm", DEFAULT, "--as-of", "2034-01-01")
        assert result.exit_code == 0, result.output
        assert "no estimated opening matched a posting" in result.output

    def test_a_file_named_twice_is_edited_once(self, project: Path) -> None:
        (project / "data" / "also.yaml").symlink_to("ml-internships-summer-2027.yaml")
        before = (project / DEFAULT).read_text()
        result = run("import", "simplify", str(SUMMER_2027), "-o", "data/fresh.yaml",
                     "--confirm", DEFAULT, "--confirm", "data/also.yaml", "--confirm", DEFAULT)
        assert result.exit_code == 0, result.output
        assert (project / DEFAULT).read_text() == _confirmed(before)
        assert result.output.count("jane-street-internship opens 2026-08-12") == 1

    def test_a_byte_order_mark_is_kept(self, project: Path) -> None:
        curated = project / DEFAULT
        text = curated.read_text()
        curated.write_bytes(codecs.BOM_UTF8 + text.encode())
        result = _confirm(DEFAULT)
        assert result.exit_code == 0, result.output
        assert curated.read_bytes() == codecs.BOM_UTF8 + _confirmed(text).encode()


class TestConfirmKeepsTheLayout:
    """Only the confirmed values change: comments, line breaks and quoting stay as written."""

    def test_a_value_continued_on_the_next_line_is_replaced_whole(
            self, project: Path) -> None:
        curated = project / DEFAULT
        original = curated.read_text()
        split = '        opens: "2026-08..\\\n          2026-10"  # to be confirmed\n'
        curated.write_text(original.replace('        opens: "2026-08..2026-10"\n', split, 1))
        result = _confirm(DEFAULT)
        assert result.exit_code == 0, result.output
        assert curated.read_text() == _confirmed(original).replace(
            '        opens: "2026-09-01"\n', '        opens: "2026-09-01"  # to be confirmed\n', 1)

    def test_a_line_separator_in_a_comment_does_not_shift_the_edit(
            self, project: Path) -> None:
        # YAML counts U+2028 as a line break (so do the parser's line numbers); a comment
        # pasted from a web page can hold one.
        curated = project / DEFAULT
        text = curated.read_text().replace(
            "format: 1\n", "# Sources: the seed article,\u2028# checked again in July\nformat: 1\n", 1)
        curated.write_text(text)
        result = _confirm(DEFAULT)
        assert result.exit_code == 0, result.output
        assert curated.read_text() == _confirmed(text)

    def test_windows_line_endings_and_trailing_comments_stay(self, project: Path) -> None:
        curated = project / DEFAULT
        text = curated.read_text().replace(
            '        opens: "2026-08"\n', "        opens: 2026-08   # guessed from 2026\n", 1)
        curated.write_bytes(text.replace("\n", "\r\n").encode())
        result = _confirm(DEFAULT)
        assert result.exit_code == 0, result.output
        expected = _confirmed(text).replace(
            "        opens: 2026-08   # guessed", '        opens: "2026-08-12"   # guessed', 1)
        assert curated.read_bytes() == expected.replace("\n", "\r\n").encode()


class TestConfirmChecksBeforeWriting:
    def test_a_file_that_build_refuses_is_not_written(self, project: Path) -> None:
        # Its own records are valid, but `build` reads what it includes too.
        curated = project / DEFAULT
        curated.write_text(curated.read_text().replace(
            "format: 1\n", "format: 1\ninclude: [missing.yaml]\n", 1))
        before = curated.read_bytes()
        result = _confirm(DEFAULT)
        assert result.exit_code == 1, result.output
        assert "cannot include 'missing.yaml': no such file" in result.output
        assert curated.read_bytes() == before
        assert not (project / "data" / "fresh.yaml").exists()

    def test_a_failed_write_puts_the_old_text_back(
            self, project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        from deadlinecal.output import inplace

        def full_disk(descriptor: int, data: bytes, offset: int) -> None:
            os.pwrite(descriptor, data[: len(data) // 2], offset)
            monkeypatch.setattr(inplace, "_write_at", real_write)
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

        real_write = inplace._write_at
        monkeypatch.setattr(inplace, "_write_at", full_disk)
        curated = project / DEFAULT
        before = curated.read_bytes()
        inode = curated.stat().st_ino
        result = _confirm(DEFAULT)
        assert result.exit_code == 1, result.output
        assert "No space left on device" in result.output
        assert "its text is as it was" in result.output
        assert curated.read_bytes() == before
        assert curated.stat().st_ino == inode
        assert sorted(p.name for p in curated.parent.iterdir()) == [
            "fresh.yaml", "ml-internships-summer-2027.yaml", "postings.yaml"]

    def test_when_the_old_text_cannot_be_put_back_the_backup_holds_it(
            self, project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        from deadlinecal.output import inplace

        def failing(descriptor: int, data: bytes, offset: int) -> None:
            os.pwrite(descriptor, data[: len(data) // 2], offset)
            raise OSError(errno.EIO, os.strerror(errno.EIO))

        monkeypatch.setattr(inplace, "_write_at", failing)
        curated = project / DEFAULT
        before = curated.read_bytes()
        result = _confirm(DEFAULT)
        assert result.exit_code == 1, result.output
        backup = project / (DEFAULT + ".deadlinecal-backup")
        assert f"its old text is in {DEFAULT}.deadlinecal-backup" in result.output
        assert backup.read_bytes() == before

    def test_a_backup_left_by_an_interrupted_edit_stops_the_next(
            self, project: Path) -> None:
        backup = project / (DEFAULT + ".deadlinecal-backup")
        backup.write_text("the text before an edit that was killed\n")
        before = (project / DEFAULT).read_bytes()
        result = _confirm(DEFAULT)
        assert result.exit_code == 1, result.output
        assert f"{DEFAULT}.deadlinecal-backup exists" in result.output
        assert (project / DEFAULT).read_bytes() == before
        assert backup.read_text() == "the text before an edit that was killed\n"

    def test_a_file_changed_since_it_was_read_is_not_overwritten(
            self, project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        from deadlinecal.output import inplace

        curated = project / DEFAULT
        check = inplace.refuse_uneditable

        def edited_meanwhile(path: Path) -> None:
            check(path)
            with curated.open("a") as file:  # an editor saves while the list downloads
                file.write("# a note saved meanwhile\n")

        monkeypatch.setattr(inplace, "refuse_uneditable", edited_meanwhile)
        result = _confirm(DEFAULT)
        assert result.exit_code == 1, result.output
        assert f"{DEFAULT} changed while the import ran" in result.output
        assert curated.read_text().endswith("# a note saved meanwhile\n")
