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
            "data.yaml:24:16: error: programs[0].windows[0].opens: "
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
