"""A build reads only what it may, prints nothing raw, and makes bounded output.

Includes stay (symlinks resolved) inside the including file's folder and are regular files;
messages escape control characters and quote only a short excerpt of a value; reminders,
ids and the total size of the feeds are bounded; every data error says where it is.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from deadlinecal import errors

from .badinput_support import failed_build, invoke, replaced

ONE = "1 error; nothing was written.\n"
# `validate` writes nothing, so it does not say so.
READ_ONLY_ONE = "1 error.\n"


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


def with_reminders(count: int) -> str:
    durations = ", ".join(f"PT{minutes}M" for minutes in range(1, count + 1))
    return replaced("  timezone: America/New_York\n",
                    f"  timezone: America/New_York\n  reminders: [{durations}]\n")


class TestEscaping:
    def test_escape_writes_control_characters_as_escapes(self) -> None:
        assert errors.escape("a\x1b]0;x\x07b\nc\u202ed") == "a\\x1b]0;x\\x07b\\x0ac\\u202ed"

    def test_quoted_cuts_a_long_value_short(self) -> None:
        assert errors.quoted("x" * 1000, 10) == "'xxxxxxxxxx…'"

    def test_problem_format_escapes_every_field(self) -> None:
        problem = errors.Problem(file="d\x1b.yaml", line=3, column=1, path="a\x1bb",
                          message="m\x9b", expected="e\n")
        assert problem.format() == "d\\x1b.yaml:3:1: error: a\\x1bb: m\\x9b (expected e\\x0a)"

    def test_escape_in_a_key_is_printed_escaped(self, workdir: Path) -> None:
        data = replaced("format: 1\n", 'format: 1\n"\\e]0;pwned\\a": 1\n')
        result = failed_build(workdir, data)
        assert "\x1b" not in result.output and "\x07" not in result.output
        assert result.stderr == (
            "data.yaml:2:1: error: '\\x1b]0;pwned\\x07': unknown key '\\x1b]0;pwned\\x07' "
            "(expected one of format, dataset, tracks, eligibility, citizenship, feeds, "
            "include, programs)\n" + ONE)

    def test_escape_in_a_key_never_reaches_a_real_terminal_raw(self, tmp_path: Path) -> None:
        data = replaced("format: 1\n", 'format: 1\n"\\e]0;pwned\\a": 1\n')
        (tmp_path / "data.yaml").write_text(data, encoding="utf-8")
        done = subprocess.run([sys.executable, "-m", "deadlinecal", "validate", "data.yaml"],
                              cwd=tmp_path, capture_output=True, timeout=60, check=False)
        assert done.returncode == 1
        assert b"unknown key '\\x1b]0;pwned\\x07'" in done.stderr
        assert b"\x1b" not in done.stderr + done.stdout

    def test_a_control_character_in_a_path_on_the_command_line_is_escaped(
            self, workdir: Path) -> None:
        result = invoke("validate", "no\x1b[2Jsuch.yaml")
        assert result.exit_code == 1
        assert "\x1b" not in result.output
        assert result.stderr.startswith("no\\x1b[2Jsuch.yaml: error: no such file")

    def test_a_long_unknown_key_is_quoted_as_a_short_excerpt(self, workdir: Path) -> None:
        secret = "root:$6$" + "s" * 200 + ":19000:0:99999:7:::"
        result = failed_build(workdir, replaced("format: 1\n", f"format: 1\n'{secret}': 1\n"))
        assert secret[:60] not in result.output
        assert result.stderr.startswith(
            "data.yaml:2:1: error: 'root:$6$ssssssssssssssss…': unknown key "
            "'root:$6$ssssssssssssssss…' (expected one of format,")

    def test_a_long_date_is_quoted_as_a_short_excerpt(self, workdir: Path) -> None:
        result = failed_build(workdir, replaced("opens: 2026-10-01", "opens: " + "9" * 5000))
        assert "9" * 100 not in result.output
        assert result.stderr.startswith(
            "data.yaml:24:16: error: programs[0] (alpha).windows[0].opens: "
            f"'{'9' * 40}…' is 5,000 characters long (expected ")


class TestBounds:
    def test_4800_reminders_are_refused_where_they_are(self, workdir: Path) -> None:
        result = failed_build(workdir, with_reminders(4800))
        assert result.stderr == ("data.yaml:9:14: error: dataset.reminders: 4,800 reminders "
                                 "(expected at most 5 reminders per event)\n" + ONE)

    def test_five_reminders_are_fine(self, workdir: Path) -> None:
        (workdir / "data.yaml").write_text(with_reminders(5), encoding="utf-8")
        assert invoke("validate", "data.yaml", "--as-of", "2026-08-01").exit_code == 0

    def test_a_100_kb_dataset_id_is_refused(self, workdir: Path) -> None:
        result = failed_build(workdir, replaced("id: test-set", "id: " + "a" * 100_000))
        assert result.stderr == (
            f"data.yaml:3:7: error: dataset.id: '{'a' * 24}…' is 100,000 characters long "
            "(expected at most 64 characters, like 'google-step')\n" + ONE)

    def test_a_long_vocabulary_key_is_refused(self, workdir: Path) -> None:
        result = failed_build(workdir, replaced("  phd: {title: PhD students}",
                                                f"  {'p' * 65}: {{title: PhD students}}"))
        assert result.stderr.startswith(
            f"data.yaml:14:3: error: eligibility.'{'p' * 24}…': '{'p' * 24}…' is 65 characters "
            "long (expected at most 64 characters, like 'phd')\n")

    def test_a_64_character_program_id_is_fine(self, workdir: Path) -> None:
        (workdir / "data.yaml").write_text(replaced("id: alpha", "id: " + "a" * 64),
                                           encoding="utf-8")
        assert invoke("validate", "data.yaml", "--as-of", "2026-08-01").exit_code == 0


def write_including(folder: Path, *entries: str, name: str = "data.yaml") -> Path:
    """A valid data file in `folder` whose `include:` lists `entries` (on line 2 on)."""
    folder.mkdir(parents=True, exist_ok=True)
    listed = "".join(f"  - {entry}\n" for entry in entries)
    (folder / name).write_text(replaced("format: 1\n", f"format: 1\ninclude:\n{listed}"),
                               encoding="utf-8")
    return folder / name


SECRET = "hunter2:SECRET-LINE-ONE\nroot:SECRET-LINE-TWO\n"


class TestIncludesStayInTheirFolder:
    def test_a_symlink_to_a_file_outside_is_refused_before_it_is_read(
            self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        secret = tmp_path / "outside" / "secret.txt"
        secret.parent.mkdir()
        secret.write_text(SECRET, encoding="utf-8")
        data = write_including(tmp_path / "repo", "evil.yaml")
        (tmp_path / "repo" / "evil.yaml").symlink_to(secret)
        opened: list[str] = []
        real_open = __import__("os").open
        monkeypatch.setattr("os.open", lambda path, *args: opened.append(str(path))
                            or real_open(path, *args))
        monkeypatch.chdir(tmp_path / "repo")
        result = invoke("validate", "data.yaml")
        assert result.exit_code == 1
        assert "SECRET" not in result.output and "hunter2" not in result.output
        assert str(secret) not in opened and data.name in "".join(opened)
        assert result.stderr == (
            "data.yaml:3:5: error: include: cannot include 'evil.yaml': it leads out of this "
            "file's folder through a symbolic link; it was not read (expected a data file in "
            "this folder or below, not a link out of it)\n" + READ_ONLY_ONE)

    def test_a_symlinked_folder_that_leads_outside_is_refused(
            self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        elsewhere = tmp_path / "elsewhere"
        elsewhere.mkdir()
        (elsewhere / "x.yaml").write_text(SECRET, encoding="utf-8")
        write_including(tmp_path / "repo", "sub/x.yaml")
        (tmp_path / "repo" / "sub").symlink_to(elsewhere, target_is_directory=True)
        monkeypatch.chdir(tmp_path / "repo")
        result = invoke("validate", "data.yaml")
        assert result.exit_code == 1 and "SECRET" not in result.output
        assert result.stderr.startswith("data.yaml:3:5: error: include: cannot include "
                                        "'sub/x.yaml': it leads out of this file's folder")

    def test_a_symlink_that_stays_in_the_folder_is_followed(
            self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        other = replaced("id: test-set", "id: other-set")
        (tmp_path / "sub").mkdir()
        (tmp_path / "sub" / "real.yaml").write_text(other, encoding="utf-8")
        write_including(tmp_path, "link.yaml")
        (tmp_path / "link.yaml").symlink_to(tmp_path / "sub" / "real.yaml")
        monkeypatch.chdir(tmp_path)
        result = invoke("validate", "data.yaml", "--as-of", "2026-08-01")
        assert (result.exit_code, result.stdout) == (
            0, "data.yaml: valid (4 programs, 4 windows, 0 warnings).\n")

    def test_an_include_of_the_parent_folder_is_refused_where_it_is_written(
            self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        (tmp_path / "x.yaml").write_text(SECRET, encoding="utf-8")
        write_including(tmp_path / "repo", "ok.yaml", "../x.yaml")
        monkeypatch.chdir(tmp_path / "repo")
        result = invoke("validate", "data.yaml")
        assert result.exit_code == 1 and "SECRET" not in result.output
        assert result.stderr == (
            "data.yaml:4:5: error: include[1]: '../x.yaml' is not a data file beside this one "
            "(expected a relative path to a .yaml file in this folder or below, like "
            "'more-programs.yaml')\n" + READ_ONLY_ONE)

    def test_an_included_file_in_a_subfolder_may_not_climb_out_of_it(
            self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        nested = write_including(tmp_path / "sub", "deeper/../../top.yaml", name="nested.yaml")
        (tmp_path / "top.yaml").write_text(SECRET, encoding="utf-8")
        write_including(tmp_path, "sub/nested.yaml")
        nested.write_text(nested.read_text().replace("id: test-set", "id: nested"))
        monkeypatch.chdir(tmp_path)
        result = invoke("validate", "data.yaml")
        assert result.exit_code == 1 and "SECRET" not in result.output
        assert result.stderr.startswith("sub/nested.yaml:3:5: error: include: "
                                        "'deeper/../../top.yaml' is not a data file beside")


class TestOnlyRegularFilesAreOpened:
    def test_an_included_fifo_is_refused_without_hanging(self, tmp_path: Path) -> None:
        write_including(tmp_path, "pipe.yaml")
        import os

        os.mkfifo(tmp_path / "pipe.yaml")
        done = subprocess.run([sys.executable, "-m", "deadlinecal", "validate", "data.yaml"],
                              cwd=tmp_path, capture_output=True, timeout=60, check=False)
        assert done.returncode == 1
        assert done.stderr.decode() == (
            "data.yaml:3:5: error: include: cannot include 'pipe.yaml': it is a FIFO (named "
            "pipe), not a regular file; it was not read (expected a YAML data file saved on "
            "disk)\n" + READ_ONLY_ONE)

    def test_a_fifo_as_the_data_file_is_refused_without_hanging(self, tmp_path: Path) -> None:
        import os

        os.mkfifo(tmp_path / "data.yaml")
        done = subprocess.run([sys.executable, "-m", "deadlinecal", "build", "data.yaml"],
                              cwd=tmp_path, capture_output=True, timeout=60, check=False)
        assert done.returncode == 1
        assert done.stderr.decode() == (
            "data.yaml: error: it is a FIFO (named pipe), not a regular file; it was not read "
            "(expected a YAML data file saved on disk)\n" + ONE)

    def test_dev_zero_as_the_data_file_is_refused(self, workdir: Path) -> None:
        result = invoke("validate", "/dev/zero")
        assert (result.exit_code, result.stderr) == (
            1, "/dev/zero: error: it is a device, not a regular file; it was not read "
            "(expected a YAML data file saved on disk)\n" + READ_ONLY_ONE)

    def test_an_included_folder_is_refused_where_it_is_named(self, workdir: Path) -> None:
        write_including(workdir, "folder.yaml")
        (workdir / "folder.yaml").mkdir()
        result = invoke("validate", "data.yaml")
        assert result.stderr.startswith("data.yaml:3:5: error: include: cannot include "
                                        "'folder.yaml': it is a folder, not a regular file")


class TestEveryDataErrorSaysWhere:
    def test_an_include_of_a_missing_file_points_at_the_entry(self, workdir: Path) -> None:
        write_including(workdir, "first.yaml", "missing.yaml")
        (workdir / "first.yaml").write_text(replaced("id: test-set", "id: first"),
                                            encoding="utf-8")
        result = invoke("validate", "data.yaml")
        assert (result.exit_code, result.stderr) == (
            1, "data.yaml:4:5: error: include[1]: cannot include 'missing.yaml': no such file "
            "(expected a path to a YAML data file)\n" + READ_ONLY_ONE)

    def test_a_dataset_id_used_twice_points_at_the_second_files_id(self, workdir: Path) -> None:
        write_including(workdir, "copy.yaml")
        (workdir / "copy.yaml").write_text(BASE_WITH_OTHER_PROGRAMS, encoding="utf-8")
        result = invoke("validate", "data.yaml")
        assert (result.exit_code, result.stderr) == (
            1, "copy.yaml:3:7: error: dataset.id: dataset id 'test-set' is also used by "
            "data.yaml:5; event UIDs would collide (expected a dataset id unique in the "
            "build)\n" + READ_ONLY_ONE)

    def test_a_byte_that_is_not_utf8_has_a_line_and_column(self, workdir: Path) -> None:
        data = b"\xef\xbb\xbf" + replaced("Acme", "Acm\xe9").encode("latin-1")
        result = failed_build(workdir, data)
        assert result.stderr == ("data.yaml:17:18: error: the file is not UTF-8 (byte 0xe9 at "
                                 "offset 403) (expected a file saved as UTF-8)\n" + ONE)

    def test_an_include_too_large_is_refused_at_the_entry_before_it_is_read(
            self, workdir: Path) -> None:
        from deadlinecal.dataset.load import MAX_INPUT_BYTES

        write_including(workdir, "huge.yaml")
        with (workdir / "huge.yaml").open("wb") as sparse:
            sparse.truncate(MAX_INPUT_BYTES + 1)
        result = invoke("validate", "data.yaml")
        assert (result.exit_code, result.stderr) == (
            1, "data.yaml:3:5: error: include: cannot include 'huge.yaml': the file is larger "
            "than the limit of 67,108,864 bytes (expected a smaller file; split the dataset in "
            "two)\n" + READ_ONLY_ONE)

    def test_an_include_the_core_cannot_read_points_at_the_entry(self) -> None:
        from deadlinecal.errors import DataError
        from deadlinecal.site import build

        data = replaced("format: 1\n", "format: 1\ninclude: [more.yaml]\n").encode()
        with pytest.raises(DataError) as raised:
            build(data, file="data.yaml")
        assert [p.format() for p in raised.value.problems] == [
            "data.yaml:2:11: error: include: cannot include 'more.yaml': included files cannot "
            "be read here (expected a single self-contained data file)"]

    def test_a_missing_data_file_has_no_line_and_says_so_the_same_way(
            self, workdir: Path) -> None:
        result = invoke("validate", "absent.yaml")
        assert (result.exit_code, result.stderr) == (
            1, "absent.yaml: error: no such file (expected a path to a YAML data file)\n" + READ_ONLY_ONE)


BASE_WITH_OTHER_PROGRAMS = replaced("id: beta", "id: delta", replaced("id: alpha", "id: gamma"))


def amplifying(programs: int, groups: int, windows: int, notes: int) -> str:
    """Valid data whose every event is copied into `groups` + 2 feeds."""
    keys = [f"g{index}" for index in range(groups)]
    vocabulary = "".join(f"  {key}: {{title: Group {key}}}\n" for key in keys)
    spans = "".join(f"      - {{key: w{index}, opens: 2026-10-01, closes: 2026-11-15}}\n"
                    for index in range(windows))
    text = replaced("eligibility:\n  undergrad: {title: Undergraduates}\n  phd: {title: PhD "
                    "students}\n", f"eligibility:\n{vocabulary}")
    head = text[:text.index("programs:\n")]
    body = "".join(
        f"  - id: p{number}\n    employer: Acme\n    program: Internship\n    track: research\n"
        f"    eligibility: [{', '.join(keys)}]\n    last_verified: 2026-07-15\n"
        f"    notes: {'n' * notes}\n    windows:\n{spans}" for number in range(programs))
    return head + "programs:\n" + body


class TestOutputBudget:
    def test_one_program_copied_into_every_feed_is_refused_where_it_is(
            self, workdir: Path) -> None:
        data = amplifying(programs=1, groups=60, windows=40, notes=10_000)
        result = failed_build(workdir, data)
        assert len(data) < 20_000
        assert result.stderr == (
            "data.yaml:74:5: error: programs[0] (p0): the feeds would hold about 84.4 MB, more than "
            "the 64.0 MB allowed for this data (100 times the size of its files, at least 64.0 "
            "MB); 84.4 MB of it comes from this program, whose events are copied 7,440 times "
            "into the feeds (expected fewer reminders, shorter texts, or fewer feeds per "
            "program (eligibility groups, named feeds); or split the data into separate "
            "builds)\n" + ONE)

    def test_weight_spread_over_many_programs_points_at_the_dataset(
            self, workdir: Path) -> None:
        result = failed_build(workdir, amplifying(programs=300, groups=60, windows=1,
                                                  notes=1_500))
        assert result.stderr.startswith(
            "data.yaml:3:7: error: dataset: the feeds would hold about ")
        assert result.stderr.endswith(", spread over 300 programs (expected fewer reminders, "
                                      "shorter texts, or fewer feeds per program (eligibility "
                                      "groups, named feeds); or split the data into separate "
                                      "builds)\n" + ONE)

    def test_validate_refuses_what_build_would(self, workdir: Path) -> None:
        (workdir / "data.yaml").write_text(amplifying(programs=1, groups=60, windows=40,
                                                      notes=10_000), encoding="utf-8")
        result = invoke("validate", "data.yaml")
        assert result.exit_code == 1
        assert "the feeds would hold about 84.4 MB" in result.stderr

    def test_the_budget_grows_with_the_data(self) -> None:
        from deadlinecal.events.budget import MIN_BUDGET, OUTPUT_RATIO, budget
        from deadlinecal.pipeline import load_all

        data = BASE_WITH_OTHER_PROGRAMS.encode()
        loaded = load_all(["d.yaml"], lambda path, included_by=None: data)
        assert budget(loaded) == MIN_BUDGET
        assert budget(loaded * 1_000_000) == OUTPUT_RATIO * len(data) * 1_000_000


class TestCommandLinePathsAreEscaped:
    def test_lint_escapes_a_path_it_cannot_read(self, workdir: Path) -> None:
        result = invoke("lint", "gone\x1b]0;x\x07.ics")
        assert result.exit_code == 1
        assert "\x1b" not in result.output and "\x07" not in result.output
        assert "gone\\x1b]0;x\\x07.ics: cannot read it: No such file or directory" in (
            result.output)

    def test_build_check_escapes_the_output_folder_it_names(self, workdir: Path) -> None:
        (workdir / "data.yaml").write_text(BASE_WITH_OTHER_PROGRAMS, encoding="utf-8")
        result = invoke("build", "data.yaml", "--check", "-o", "out\x1b]0;x\x07",
                        "--as-of", "2026-08-01")
        assert result.exit_code == 1
        assert "\x1b" not in result.output and "\x07" not in result.output
        assert "out\\x1b]0;x\\x07/ is stale" in result.output
