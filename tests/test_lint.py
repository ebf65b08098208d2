"""deadlinecal.ical.lint: each rule catches a hand-made bad feed, and a good feed is clean."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from deadlinecal.cli import main
from deadlinecal.ical.lint import Finding, lint

ZONE = [
    "BEGIN:VTIMEZONE", "TZID:America/New_York",
    "BEGIN:STANDARD", "DTSTART:20261101T020000", "TZOFFSETFROM:-0400", "TZOFFSETTO:-0500",
    "TZNAME:EST", "END:STANDARD",
    "END:VTIMEZONE",
]


def event(uid: str = "a@test", *, summary: str = "Deadline",
          start: str = "DTSTART;TZID=America/New_York:20270115T232900",
          end: str | None = "DTEND;TZID=America/New_York:20270115T235900") -> list[str]:
    lines = ["BEGIN:VEVENT", start]
    if end is not None:
        lines.append(end)
    lines += ["DTSTAMP:20260801T000000Z", f"UID:{uid}", f"SUMMARY:{summary}", "END:VEVENT"]
    return lines


def feed(*events: list[str], zone: list[str] = ZONE, newline: str = "\r\n") -> bytes:
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//test//test//EN", *zone]
    for one in events or (event(),):
        lines += one
    lines.append("END:VCALENDAR")
    return (newline.join(lines) + newline).encode("utf-8")


def messages(data: bytes) -> list[str]:
    return [finding.message for finding in lint(data)]


class TestCleanFeed:
    def test_a_well_formed_feed_has_no_findings(self) -> None:
        assert lint(feed()) == []

    def test_escaped_text_and_folded_multibyte_text_are_clean(self) -> None:
        summary = "Müller\\, Schmidt\\; \\\\ Co.\\nZweite Zeile"
        line = f"DESCRIPTION:{'ä' * 40}".encode()
        folded = line[:74] + b"\r\n " + line[74:]
        data = feed(event(summary=summary)).replace(
            b"END:VEVENT", folded + b"\r\nEND:VEVENT")
        assert lint(data) == []

    def test_categories_may_hold_bare_commas(self) -> None:
        data = feed().replace(b"END:VEVENT", b"CATEGORIES:Research,Google\r\nEND:VEVENT")
        assert lint(data) == []


class TestLineEnds:
    def test_lf_line_ends_are_reported_once_at_the_first(self) -> None:
        findings = lint(feed(newline="\n"))
        assert findings[0].line == 1
        assert findings[0].message.startswith("line ends with LF alone")
        assert sum("LF alone" in f.message for f in findings) == 1

    def test_a_missing_final_crlf_is_reported(self) -> None:
        assert "the file does not end with CRLF" in messages(feed()[:-2])


class TestFolding:
    def test_a_line_longer_than_75_octets_is_reported(self) -> None:
        data = feed(event(summary="x" * 80))
        assert lint(data) == [Finding(18, "line is 88 octets long; fold it at 75")]

    def test_octets_not_characters_are_counted(self) -> None:
        data = feed(event(summary="é" * 35))  # 35 characters, 78 octets with the name
        assert messages(data) == ["line is 78 octets long; fold it at 75"]

    def test_a_fold_inside_a_utf8_character_is_reported(self) -> None:
        line = f"SUMMARY:{'ä' * 30}".encode()
        split = line[:9] + b"\r\n " + line[9:]  # 'ä' is two octets starting at 8
        data = feed().replace(b"SUMMARY:Deadline", split)
        assert "a fold splits a multi-byte UTF-8 character" in messages(data)


class TestTextEscaping:
    def test_an_unescaped_comma_is_reported(self) -> None:
        assert messages(feed(event(summary="a, b"))) == ["SUMMARY: unescaped ',' (write \\,)"]

    def test_an_unescaped_semicolon_is_reported(self) -> None:
        assert messages(feed(event(summary="a; b"))) == ["SUMMARY: unescaped ';' (write \\;)"]

    def test_a_lone_backslash_is_reported(self) -> None:
        assert messages(feed(event(summary="C:\\temp"))) == [
            "SUMMARY: backslash not followed by \\\\, \\;, \\, or \\n (write \\\\ for a "
            "backslash)"]

    def test_calendar_name_is_text_too(self) -> None:
        data = feed().replace(b"VERSION:2.0", b"VERSION:2.0\r\nX-WR-CALNAME:a, b")
        assert messages(data) == ["X-WR-CALNAME: unescaped ',' (write \\,)"]


class TestTimeZones:
    def test_a_tzid_without_vtimezone_is_reported(self) -> None:
        assert messages(feed(zone=[])) == [
            "TZID 'America/New_York' has no VTIMEZONE in the file"]

    def test_an_etc_zone_is_reported_where_defined_and_used(self) -> None:
        zone = [line.replace("America/New_York", "Etc/GMT+5") for line in ZONE]
        start = "DTSTART;TZID=Etc/GMT+5:20270115T232900"
        end = "DTEND;TZID=Etc/GMT+5:20270115T235900"
        message = ("time zone 'Etc/GMT+5': Apple and Google misread Etc/ zones; use a city "
                   "zone or UTC times")
        assert lint(feed(event(start=start, end=end), zone=zone)) == [
            Finding(5, message), Finding(14, message)]


class TestEventTimes:
    def test_a_missing_dtend_is_reported(self) -> None:
        assert messages(feed(event(end=None))) == [
            "VEVENT has no DTEND; clients disagree on how long such an event is"]

    def test_dtend_before_dtstart_is_reported(self) -> None:
        end = "DTEND;TZID=America/New_York:20270115T220000"
        assert messages(feed(event(end=end))) == ["DTEND is not after DTSTART"]

    def test_dtend_equal_to_dtstart_is_reported(self) -> None:
        end = "DTEND;TZID=America/New_York:20270115T232900"
        assert messages(feed(event(end=end))) == ["DTEND is not after DTSTART"]

    def test_times_in_different_zones_are_compared_as_instants(self) -> None:
        end = "DTEND:20270116T043000Z"  # 23:30 in New York, one minute after the start
        assert lint(feed(event(end=end))) == []

    def test_a_date_end_after_a_date_time_start_is_reported(self) -> None:
        end = "DTEND;VALUE=DATE:20270116"
        assert messages(feed(event(end=end))) == [
            "DTSTART and DTEND mix a date and a date-time"]


class TestUids:
    def test_a_repeated_uid_is_reported_with_its_first_line(self) -> None:
        data = feed(event("same@test"), event("same@test"))
        assert messages(data) == ["UID 'same@test' is already used on line 17"]

    def test_a_missing_uid_is_reported(self) -> None:
        data = feed().replace(b"UID:a@test\r\n", b"")
        assert messages(data) == ["VEVENT has no UID"]


class TestLintCommand:
    def test_clean_files_exit_0(self, tmp_path: Path) -> None:
        good = tmp_path / "good.ics"
        good.write_bytes(feed())
        result = CliRunner().invoke(main, ["lint", str(good)])
        assert result.exit_code == 0
        assert result.stdout == ""
        assert result.stderr == "1 file checked, no problems.\n"

    def test_findings_print_as_file_line_message_and_exit_1(self, tmp_path: Path) -> None:
        bad = tmp_path / "bad.ics"
        bad.write_bytes(feed(event(summary="a; b")))
        result = CliRunner().invoke(main, ["lint", str(bad)])
        assert result.exit_code == 1
        assert result.stdout == f"{bad}:18: SUMMARY: unescaped ';' (write \\;)\n"
        assert result.stderr == "1 problem in 1 file.\n"

    def test_a_missing_file_is_a_problem(self, tmp_path: Path) -> None:
        result = CliRunner().invoke(main, ["lint", str(tmp_path / "none.ics")])
        assert result.exit_code == 1
        assert "cannot read it" in result.stdout


class TestWholeFile:
    def test_a_file_that_is_not_icalendar_gets_one_finding(self) -> None:
        from deadlinecal.ical.lint import lint

        findings = lint(b"# README\n\nSome text; with, punctuation\n")
        assert [(f.line, f.message) for f in findings] == [
            (1, "not an iCalendar file: it does not start with BEGIN:VCALENDAR")]

    def test_missing_prodid_version_and_dtstamp_are_found(self) -> None:
        from deadlinecal.ical.lint import lint

        feed = (b"BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:a\r\nDTSTART;VALUE=DATE:20270101\r\n"
                b"DTEND;VALUE=DATE:20270102\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n")
        messages = {f.message for f in lint(feed)}
        assert messages == {"the calendar has no PRODID, which RFC 5545 requires",
                            "the calendar has no VERSION, which RFC 5545 requires",
                            "VEVENT has no DTSTAMP, which RFC 5545 requires"}

    def test_an_empty_calendar_is_found(self) -> None:
        from deadlinecal.ical.lint import lint

        feed = b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//x//y//EN\r\nEND:VCALENDAR\r\n"
        assert [f.message for f in lint(feed)] == [
            "the calendar holds no component; RFC 5545 requires one (some clients reject "
            "an empty calendar)"]
