"""deadlinecal lint on hostile input: every value out of range is a finding, never a traceback;
only regular files of bounded size are read (a FIFO never hangs it); nothing raw from the
file reaches the terminal; random mutations of real feeds always end in exit status 0 or 1.
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from deadlinecal.cli import main
from deadlinecal.ical.lint import MAX_BYTES, MAX_FINDINGS, MAX_LINES, Finding, lint

from .conftest import ROOT
from .test_lint import event, feed

# Enough memory for lint of MAX_BYTES, far too little to hold what /dev/zero would give.
_MEMORY_LIMIT = 1 << 30


def _lint(tmp_path: Path, *contents: bytes, name: str = "x.ics") -> tuple[int, str, str]:
    files = []
    for index, content in enumerate(contents):
        path = tmp_path / f"{index}-{name}"
        path.write_bytes(content)
        files.append(str(path))
    result = CliRunner().invoke(main, ["lint", *files])
    assert not isinstance(result.exception, Exception) or isinstance(
        result.exception, SystemExit), result.exception
    return result.exit_code, result.stdout, result.stderr


def _lines(stdout: str, tmp_path: Path) -> list[str]:
    return [line.replace(f"{tmp_path}/0-x.ics:", "") for line in stdout.splitlines()]


def _zoned(zone: str, start: str, end: str) -> bytes:
    return feed(event(start=f"DTSTART;TZID={zone}:{start}", end=f"DTEND;TZID={zone}:{end}"))


class TestValuesOutOfRange:
    def test_the_last_second_of_year_9999_in_a_zone_west_of_utc(self, tmp_path: Path) -> None:
        status, stdout, _ = _lint(tmp_path, _zoned("America/New_York", "99991231T235958",
                                                   "99991231T235959"))
        assert (status, stdout) == (0, "")

    def test_year_9999_end_before_start_is_still_found(self, tmp_path: Path) -> None:
        status, stdout, _ = _lint(tmp_path, _zoned("America/New_York", "99991231T235959",
                                                   "99991231T235959"))
        assert status == 1
        assert _lines(stdout, tmp_path) == ["15: DTEND is not after DTSTART"]

    def test_year_1_in_a_zone_east_of_utc(self, tmp_path: Path) -> None:
        data = _zoned("Asia/Tokyo", "00010101T000000", "00010101T010000")
        status, stdout, _ = _lint(tmp_path, data)
        assert status == 1
        assert _lines(stdout, tmp_path) == ["14: TZID 'Asia/Tokyo' has no VTIMEZONE in the file"]

    def test_a_tzid_naming_a_folder_of_zones(self, tmp_path: Path) -> None:
        status, stdout, _ = _lint(tmp_path, _zoned("America", "20270115T232900",
                                                   "20270115T235900"))
        assert status == 1
        assert _lines(stdout, tmp_path) == [
            "14: TZID 'America' has no VTIMEZONE in the file",
            "14: time zone 'America' is not a canonical IANA zone name"]

    def test_a_300_character_tzid_is_quoted_cut_short(self, tmp_path: Path) -> None:
        zone = "Z" * 300
        status, stdout, _ = _lint(tmp_path, _zoned(zone, "20270115T232900", "20270115T235900"))
        assert status == 1
        assert f"14: TZID '{'Z' * 60}…' has no VTIMEZONE in the file" in _lines(stdout,
                                                                              tmp_path)


class TestFilesThatAreNotRead:
    def test_a_folder_is_refused_in_one_line_and_the_next_file_is_checked(
            self, tmp_path: Path) -> None:
        good = tmp_path / "good.ics"
        good.write_bytes(feed())
        result = CliRunner().invoke(main, ["lint", str(tmp_path), str(good)])
        assert result.exit_code == 1
        assert result.stdout == (f"{tmp_path}: not read: it is a folder; only regular files "
                                 "are read\n")

    def test_a_device_is_refused_without_reading_it(self) -> None:
        # /dev/null, not /dev/zero: a regression must not exhaust the test run's memory
        # (the real process below tries /dev/zero under a memory limit).
        result = CliRunner().invoke(main, ["lint", "/dev/null"])
        assert result.exit_code == 1
        assert result.stdout == ("/dev/null: not read: it is a character device; only regular "
                                 "files are read\n")

    def test_a_file_over_the_size_bound_is_refused(self, tmp_path: Path) -> None:
        big = tmp_path / "big.ics"
        with big.open("wb") as handle:
            handle.truncate(MAX_BYTES + 1)  # sparse: no disk or time spent
        result = CliRunner().invoke(main, ["lint", str(big)])
        assert result.exit_code == 1
        assert result.stdout == (f"{big}: not read: it is {MAX_BYTES + 1:,} bytes, larger "
                                 f"than the {MAX_BYTES:,} bytes read at most\n")

    def test_a_file_of_exactly_the_bound_is_read_and_one_byte_more_is_not(
            self, tmp_path: Path) -> None:
        from deadlinecal.dataset.files import TooLarge, read_regular

        path = tmp_path / "ten.ics"
        path.write_bytes(b"0123456789")
        assert read_regular(path, 10) == b"0123456789"
        with pytest.raises(TooLarge) as refused:
            read_regular(path, 9)
        assert refused.value.size == 10

    def test_a_fifo_is_refused_at_once_by_the_real_command(self, tmp_path: Path) -> None:
        fifo = tmp_path / "feed.ics"
        os.mkfifo(fifo)
        # No writer ever opens the FIFO: reading it would wait for ever (the timeout fails it).
        done = subprocess.run([sys.executable, "-m", "deadlinecal", "lint", str(fifo)],
                              capture_output=True, text=True, timeout=60, cwd=ROOT)
        assert done.returncode == 1
        assert done.stdout == (f"{fifo}: not read: it is a FIFO (named pipe); only regular "
                               "files are read\n")
        assert "Traceback" not in done.stderr

    def test_dev_zero_in_a_real_process_with_little_memory(self) -> None:
        def limit_memory() -> None:
            resource.setrlimit(resource.RLIMIT_AS, (_MEMORY_LIMIT, _MEMORY_LIMIT))

        done = subprocess.run([sys.executable, "-m", "deadlinecal", "lint", "/dev/zero"],
                              capture_output=True, text=True, timeout=120, cwd=ROOT,
                              preexec_fn=limit_memory)
        assert (done.returncode, done.stderr) == (1, "1 problem in 1 file.\n")


class TestBoundedWork:
    def test_a_file_of_more_than_max_lines_is_one_finding(self) -> None:
        data = b"BEGIN:VCALENDAR\r\n" + b"\n" * MAX_LINES
        assert lint(data) == [Finding(1, f"the file has more than {MAX_LINES:,} lines, more "
                                         "than any calendar feed; it was not checked")]

    def test_findings_past_the_first_thousand_are_counted_not_kept(self) -> None:
        data = feed(*(event(uid=f"u{i}@test", summary="a,b") for i in range(1200)))
        findings = lint(data)
        assert len(findings) == MAX_FINDINGS + 1
        assert findings[-1].message == "200 more problems on later lines are not shown"
        assert findings[:-1] == sorted(findings[:-1])


class TestNothingRawReachesTheTerminal:
    TITLE = "\x1b]0;pwned\x07"

    def _assert_escaped(self, output: str) -> None:
        assert "\x1b" not in output and "\x07" not in output
        assert "\\x1b]0;" in output or "U+001B" in output

    def test_an_osc_sequence_in_a_property_value(self, tmp_path: Path) -> None:
        status, stdout, stderr = _lint(tmp_path, feed(event(summary=self.TITLE)))
        assert status == 1
        assert _lines(stdout, tmp_path) == [
            "18: SUMMARY: unescaped ';' (write \\;)",
            "18: the line holds the control character U+001B, which iCalendar does not allow"]
        self._assert_escaped(stdout + stderr)

    def test_an_osc_sequence_in_a_tzid(self, tmp_path: Path) -> None:
        status, stdout, stderr = _lint(tmp_path, _zoned(f'"{self.TITLE}"', "20270115T232900",
                                                        "20270115T235900"))
        assert status == 1
        assert _lines(stdout, tmp_path) == [
            "14: TZID '\\x1b]0;pwned\\x07' has no VTIMEZONE in the file",
            "14: the line holds the control character U+001B, which iCalendar does not allow",
            "14: time zone '\\x1b]0;pwned\\x07' is not a canonical IANA zone name",
            "15: the line holds the control character U+001B, which iCalendar does not allow"]
        self._assert_escaped(stdout + stderr)

    def test_an_osc_sequence_as_a_component_name(self, tmp_path: Path) -> None:
        data = feed(["BEGIN:" + self.TITLE, "END:VTODO"])
        status, stdout, stderr = _lint(tmp_path, data)
        assert status == 1
        assert "14: END:VTODO does not close BEGIN:'\\x1b]0;PWNED\\x07'" in _lines(stdout,
                                                                                 tmp_path)
        self._assert_escaped(stdout + stderr)

    def test_an_osc_sequence_in_the_file_name(self, tmp_path: Path) -> None:
        status, stdout, stderr = _lint(tmp_path, feed(event(summary="a; b")),
                                       name=f"{self.TITLE}.ics")
        assert status == 1
        self._assert_escaped(stdout + stderr)


# -- random mutations of real feeds ---------------------------------------------------------

_FEEDS = [
    (ROOT / "calendars" / "all.ics").read_bytes(),
    (ROOT / "calendars" / "tracks" / "research.ics").read_bytes(),
    feed(event(), event(uid="b@test", start="DTSTART;VALUE=DATE:20270101",
                        end="DTEND;VALUE=DATE:20270102")),
]
_HOSTILE_VALUES = [
    "99991231T235959", "99991231T235959Z", "00010101T000000", "00000000T000000",
    "2026XX01", "20261301", "20260230", "20260101T250000", "", "\x00", "\x1b]0;t\x07",
    "9" * 400, "-1", "20260101T000000Z" * 3, "€" * 30, "\\", ";;;", ",",
]
_HOSTILE_PARAMS = [
    ";TZID=America", ";TZID=" + "A" * 300, ";TZID=America/New_York", ";TZID=Asia/Tokyo",
    ";TZID=../../x", ";TZID=\x00", ";TZID=Etc/GMT+5", ';TZID="a:b"', ";VALUE=DATE",
    ";VALUE=DATE-TIME", ";X=", ";=", ';TZID="', ";TZID=\x1b]0;t\x07",
]
_HOSTILE_LINES = [
    b"BEGIN:VEVENT", b"END:VEVENT", b"BEGIN:VTIMEZONE", b"END:VCALENDAR", b"BEGIN:X" * 20,
    b" folded", b"\t", b":", b";", b"\xff\xfe", b"\xe2\x82", b"\x00" * 10, b"\r", b"",
    b"UID:a@test", b"DTSTART:99991231T235959", b"DTEND;TZID=America:00010101T000000",
]


def edit_line(draw: st.DrawFn, lines: list[bytes], pool: list[bytes]) -> None:
    """One random edit of `lines`: insert a line from `pool`, delete one, or make one random
    bytes."""
    index = draw(st.integers(0, len(lines) - 1))
    kind = draw(st.sampled_from(["insert", "delete", "bytes"]))
    if kind == "insert":
        lines.insert(index, draw(st.sampled_from(pool)))
    elif kind == "delete":
        del lines[index]
    else:
        lines[index] = draw(st.binary(max_size=40))


@st.composite
def mutated_feeds(draw: st.DrawFn) -> bytes:
    lines = draw(st.sampled_from(_FEEDS)).split(b"\r\n")
    for _ in range(draw(st.integers(1, 6))):
        index = draw(st.integers(0, len(lines) - 1))
        kind = draw(st.sampled_from(["value", "param", "line"]))
        line = lines[index]
        if kind == "value" and b":" in line:
            name = line.split(b":", 1)[0]
            lines[index] = name + b":" + draw(st.sampled_from(_HOSTILE_VALUES)).encode()
        elif kind == "param" and b":" in line:
            name, value = line.split(b":", 1)
            param = draw(st.sampled_from(_HOSTILE_PARAMS)).encode()
            lines[index] = name + param + b":" + value
        else:
            edit_line(draw, lines, _HOSTILE_LINES)
    newline = draw(st.sampled_from([b"\r\n", b"\n", b"\r"]))
    return newline.join(lines)


_SETTINGS = {"deadline": None, "derandomize": True,
             "suppress_health_check": [HealthCheck.too_slow, HealthCheck.data_too_large]}


class TestMutatedFeeds:
    @settings(max_examples=400, **_SETTINGS)  # type: ignore[call-overload]
    @given(mutated_feeds())
    def test_lint_returns_findings_for_any_mutation(self, data: bytes) -> None:
        findings = lint(data)
        assert all(isinstance(finding, Finding) for finding in findings)
        assert all(finding.message.isprintable() for finding in findings)

    @settings(max_examples=60, **_SETTINGS)  # type: ignore[call-overload]
    @given(mutated_feeds())
    def test_the_command_exits_0_or_1_and_prints_nothing_raw(self, data: bytes) -> None:
        import tempfile

        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "feed.ics"
            path.write_bytes(data)
            result = CliRunner().invoke(main, ["lint", str(path)])
        assert result.exit_code in (0, 1), result.output
        assert result.exception is None or isinstance(result.exception, SystemExit)
        assert all(line.isprintable() for line in result.output.splitlines())
