"""Previous feeds that cannot (all) be read: `build` and `diff` warn once per problem, at its
feed and line, ignore that piece of history, and carry on; a readable SEQUENCE never goes
down. See the module docstring of deadlinecal.history for what "ignored" means.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from pathlib import Path

import pytest
from click.testing import Result
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from deadlinecal import history
from deadlinecal.errors import Problem
from deadlinecal.site import Build

from .test_lint_hostile import edit_line
from .test_updates_cli import built, run  # noqa: F401  (`built` is a fixture used here)
from .updates_support import BASE, CONFIRM_STEP, REU_OPENS, STEP_OPENS, blocks, build, edit

MAX = history.MAX_SEQUENCE
FIRST = dt.datetime(2026, 7, 31, tzinfo=dt.UTC)
CONFIRMED = edit(BASE, *CONFIRM_STEP)


def tamper(feed: bytes, uid: str, old: bytes, new: bytes) -> bytes:
    """`feed` with `old` replaced by `new` inside the event `uid` only."""
    block = blocks(feed)[uid]
    assert block.count(old) == 1, old
    return feed.replace(block, block.replace(old, new))


def line_of(feed: bytes, needle: bytes) -> int:
    """The 1-based number of the first line holding `needle`."""
    return next(number for number, line in enumerate(feed.split(b"\n"), start=1)
                if needle in line)


def previous_with(uid: str, old: bytes, new: bytes, *, path: str = "all.ics") -> dict[str, bytes]:
    files = dict(build(BASE).files)
    files[path] = tamper(files[path], uid, old, new)
    return files


def value(build_: Build, uid: str, name: str, path: str = "all.ics") -> str:
    found = re.search(rb"^" + name.encode() + rb":(.*)\r$", blocks(build_.files[path])[uid],
                      re.M)
    assert found is not None, name
    return found.group(1).decode()


def located(build_: Build) -> list[tuple[str, int | None, str]]:
    return [(w.file, w.line, w.message) for w in build_.warnings]


class TestSequence:
    @pytest.mark.parametrize("bad", [b"999999999999999999999", b"-1", b"abc", b"2147483648",
                                     b"\xc2\xb2", b"1\x00", b"9" * 5000, b""])
    def test_an_unreadable_sequence_is_one_warning_at_its_line_and_counts_as_0(
            self, bad: bytes) -> None:
        previous = previous_with(STEP_OPENS, b"SEQUENCE:0", b"SEQUENCE:" + bad)
        result = build(BASE, previous)
        line = line_of(previous["all.ics"], b"SEQUENCE:" + bad + b"\r")
        [(file, at, message)] = located(result)
        assert (file, at) == ("all.ics", line)
        assert message.startswith("SEQUENCE ") and message.endswith(
            "is not an integer from 0 to 2147483647 (RFC 5545); it is ignored")
        assert message.isprintable() and len(message) < 200
        assert value(result, STEP_OPENS, "SEQUENCE") == "0"

    def test_a_changed_event_with_an_unreadable_sequence_becomes_sequence_1(self) -> None:
        previous = previous_with(STEP_OPENS, b"SEQUENCE:0", b"SEQUENCE:99999999999999")
        result = build(CONFIRMED, previous)
        assert value(result, STEP_OPENS, "SEQUENCE") == "1"

    def test_a_readable_sequence_in_another_feed_is_kept(self) -> None:
        previous = previous_with(STEP_OPENS, b"SEQUENCE:0", b"SEQUENCE:7",
                                 path="tracks/applied.ics")
        previous["all.ics"] = tamper(previous["all.ics"], STEP_OPENS, b"SEQUENCE:0",
                                     b"SEQUENCE:-3")
        result = build(CONFIRMED, previous)
        assert [w.file for w in result.warnings] == ["all.ics"]
        assert {value(result, STEP_OPENS, "SEQUENCE", path)
                for path in ("all.ics", "tracks/applied.ics")} == {"8"}

    def test_the_largest_sequence_is_kept_on_a_change_with_a_warning(self) -> None:
        previous = previous_with(STEP_OPENS, b"SEQUENCE:0", f"SEQUENCE:{MAX}".encode())
        unchanged = build(BASE, previous)
        assert (value(unchanged, STEP_OPENS, "SEQUENCE"), unchanged.warnings) == (str(MAX), ())
        result = build(CONFIRMED, previous)
        assert value(result, STEP_OPENS, "SEQUENCE") == str(MAX)
        [(file, at, message)] = located(result)
        assert (file, at) == ("all.ics", line_of(previous["all.ics"], f"SEQUENCE:{MAX}".encode()))
        assert message.startswith("SEQUENCE is 2147483647, the largest RFC 5545 allows")


class TestStamps:
    def test_a_last_modified_in_year_9999_on_a_changed_event(self) -> None:
        previous = previous_with(STEP_OPENS, b"LAST-MODIFIED:20260731T000000Z",
                                 b"LAST-MODIFIED:99991231T235959Z")
        result = build(CONFIRMED, previous)
        [(file, at, message)] = located(result)
        assert (file, at) == ("all.ics", line_of(previous["all.ics"], b"LAST-MODIFIED:9999"))
        assert message == ("LAST-MODIFIED 99991231T235959Z is later than any revision of this "
                           "data can be (after 2027-08-01); it is ignored")
        # The DTSTAMP was readable: the revision ticks on from it.
        assert value(result, STEP_OPENS, "LAST-MODIFIED") == "20260731T000001Z"
        assert value(result, STEP_OPENS, "SEQUENCE") == "1"

    def test_the_next_build_reads_its_own_output_without_a_warning(self) -> None:
        previous = previous_with(STEP_OPENS, b"LAST-MODIFIED:20260731T000000Z",
                                 b"LAST-MODIFIED:99991231T235959Z")
        first = build(CONFIRMED, previous)
        again = build(CONFIRMED, first.files)
        assert again.warnings == ()
        assert again.files == first.files

    def test_an_unchanged_event_gets_the_datas_stamp_back(self) -> None:
        previous = previous_with(STEP_OPENS, b"DTSTAMP:20260731T000000Z",
                                 b"DTSTAMP:21000101T000000Z")
        result = build(BASE, previous)
        assert value(result, STEP_OPENS, "DTSTAMP") == "20260731T000000Z"
        assert [w.line for w in result.warnings] == [
            line_of(previous["all.ics"], b"DTSTAMP:2100")]

    @pytest.mark.parametrize("bad", [b"2026-07-31", b"20261331T000000Z", b"00000101T000000Z",
                                     b"20260731T000060Z", b"\x1b]0;x\x07"])
    def test_a_malformed_stamp_is_a_warning(self, bad: bytes) -> None:
        previous = previous_with(STEP_OPENS, b"DTSTAMP:20260731T000000Z", b"DTSTAMP:" + bad)
        result = build(CONFIRMED, previous)
        [(_, _, message)] = located(result)
        assert message.endswith("is not a UTC date-time like 20260731T000000Z; it is ignored")
        assert message.isprintable()
        assert value(result, STEP_OPENS, "SEQUENCE") == "1"

    def test_a_stamp_not_in_utc_is_ignored_when_revised(self) -> None:
        seen = history.Seen(uid=STEP_OPENS, sequence=2, stamp=dt.datetime(9999, 12, 31),
                            modified=dt.datetime.max.replace(tzinfo=dt.UTC), content=("X",),
                            block=b"")
        [event] = [e for e in build(BASE).events if e.uid == STEP_OPENS]
        [revised], _ = history.revise([event], {STEP_OPENS: seen}, lambda e: b"")
        assert (revised.sequence, revised.modified) == (3, FIRST)


class TestEvents:
    def test_the_same_uid_twice_keeps_the_higher_sequence(self) -> None:
        files = dict(build(BASE).files)
        block = blocks(files["all.ics"])[STEP_OPENS]
        higher = block.replace(b"SEQUENCE:0", b"SEQUENCE:5")
        files["all.ics"] = files["all.ics"].replace(block, higher + block)
        result = build(BASE, files)
        assert value(result, STEP_OPENS, "SEQUENCE") == "5"
        [(file, at, message)] = located(result)
        first = line_of(files["all.ics"], b"SEQUENCE:5") - 6
        assert (file, at) == ("all.ics", first + block.count(b"\n"))
        assert message == (f"UID '{STEP_OPENS}' is also used on line {first}; the "
                           "higher SEQUENCE is kept")

    def test_an_event_never_closed_still_counts_and_its_neighbour_is_unchanged(self) -> None:
        files = dict(build(BASE).files)
        step = blocks(files["all.ics"])[STEP_OPENS]
        cut = step.replace(b"SEQUENCE:0", b"SEQUENCE:4").replace(b"END:VEVENT\r\n", b"")
        files["all.ics"] = files["all.ics"].replace(step, cut)
        result = build(CONFIRMED, files)
        assert value(result, STEP_OPENS, "SEQUENCE") == "5"
        # The event after it is read on its own, not glued to the one cut short.
        assert blocks(result.files["all.ics"])[REU_OPENS] == blocks(files["all.ics"])[REU_OPENS]
        assert located(result) == [("all.ics", line_of(files["all.ics"], b"SEQUENCE:4") - 6,
                                    "BEGIN:VEVENT is not closed by END:VEVENT; the event is "
                                    "read up to the next one")]


# -- diff -----------------------------------------------------------------------------------


@pytest.fixture
def out(built: Path) -> Path:  # noqa: F811  (the fixture imported above)
    """BASE built into out/, then confirmed in the data (so `diff` has changes)."""
    built.write_text(CONFIRMED)
    return built.parent / "out"


def diff(out: Path, *extra: str) -> Result:
    return run("diff", str(out.parent / "demo.yaml"), "-o", str(out), "--as-of", "2026-08-01",
               *extra)


def edit_feed(out: Path, old: bytes, new: bytes, uid: str = STEP_OPENS) -> bytes:
    path = out / "all.ics"
    path.write_bytes(tamper(path.read_bytes(), uid, old, new))
    return path.read_bytes()


class TestDiff:
    def test_a_start_that_is_no_date_shows_as_a_question_mark(self, out: Path) -> None:
        feed = edit_feed(out, b"DTSTART;VALUE=DATE:20261011", b"DTSTART;VALUE=DATE:2026XX01")
        result = diff(out)
        assert result.exit_code == 0, result.output
        assert ("  ~ moved     Opens: Google STEP: ? → 2026-10-14 "
                "[tentative → confirmed]") in result.stdout.splitlines()
        assert result.stderr == (f"{out}/all.ics:{line_of(feed, b'2026XX01')}: warning: "
                                 "DTSTART cannot be read; the diff shows ? for it\n")

    def test_a_zone_that_names_a_folder_shows_as_a_question_mark(self, out: Path) -> None:
        edit_feed(out, b"DTSTART;VALUE=DATE:20261011", b"DTSTART;TZID=America:20261011T000000")
        result = diff(out, "--json")
        assert result.exit_code == 0, result.output
        assert '"start": "?"' in result.stdout

    def test_a_date_start_with_a_date_time_end(self, out: Path) -> None:
        edit_feed(out, b"DTEND;VALUE=DATE:20261012", b"DTEND:00010101T000000Z")
        result = diff(out)
        assert result.exit_code == 0, result.output
        assert "Opens: Google STEP: 2026-10-11 → 2026-10-14" in result.stdout

    def test_an_event_icalendar_cannot_parse_is_a_warning(self, out: Path) -> None:
        feed = edit_feed(out, b"STATUS:TENTATIVE", b"BEGIN:VALARM")
        result = diff(out)
        assert result.exit_code == 0, result.output
        begin = line_of(feed, b"Google STEP") - 1
        assert result.stderr == (f"{out}/all.ics:{begin}: warning: the "
                                 "event cannot be read; the diff shows ? for it\n")

    def test_a_year_9999_last_modified_is_one_warning(self, out: Path) -> None:
        feed = edit_feed(out, b"LAST-MODIFIED:20260731T000000Z",
                         b"LAST-MODIFIED:99991231T235959Z")
        result = diff(out)
        assert result.exit_code == 0, result.output
        assert result.stderr == (
            f"{out}/all.ics:{line_of(feed, b'99991231T235959Z')}: warning: LAST-MODIFIED "
            "99991231T235959Z is later than any revision of this data can be (after "
            "2027-08-01); it is ignored\n")

    def test_a_terminal_sequence_in_an_old_summary_is_escaped(self, out: Path) -> None:
        edit_feed(out, b"SUMMARY:~Opens: Google STEP", b"SUMMARY:\x1b]0;pwned\x07Google")
        result = diff(out)
        assert result.exit_code == 0, result.output
        assert "\x1b" not in result.output and "\x07" not in result.output
        assert "(was “\\x1b]0;pwned\\x07Google" in result.stdout

    def test_a_c1_control_is_escaped_in_json(self, out: Path) -> None:
        edit_feed(out, b"SUMMARY:~Opens: Google STEP", "SUMMARY:\x9b31mGoogle".encode())
        result = diff(out, "--json")
        assert result.exit_code == 0, result.output
        assert "\x9b" not in result.stdout and "\\u009b31mGoogle" in result.stdout

    def test_a_10_mb_summary_with_nul_bytes_is_cut_short(self, out: Path) -> None:
        edit_feed(out, b"SUMMARY:~Opens: Google STEP",
                  b"SUMMARY:\x00" + b"y" * 10_000_000)
        result = diff(out)
        assert result.exit_code == 0, result.output
        assert "\x00" not in result.output
        assert max(len(line) for line in result.stdout.splitlines()) < 500
        build_ = run("build", str(out.parent / "demo.yaml"), "-o", str(out), "--as-of",
                     "2026-08-01")
        assert (build_.exit_code, build_.stderr) == (0, ""), build_.output


class TestBuildCommand:
    def test_a_year_9999_last_modified_no_longer_stops_every_build(self, out: Path) -> None:
        feed = edit_feed(out, b"LAST-MODIFIED:20260731T000000Z",
                         b"LAST-MODIFIED:99991231T235959Z")
        data = str(out.parent / "demo.yaml")
        first = run("build", data, "-o", str(out), "--as-of", "2026-08-01")
        assert first.exit_code == 0, first.output
        assert first.stderr.startswith(f"{out}/all.ics:{line_of(feed, b'99991231')}: warning: "
                                       "LAST-MODIFIED 99991231T235959Z is later")
        second = run("build", data, "-o", str(out), "--as-of", "2026-08-01")
        assert (second.exit_code, second.stderr) == (0, "")


# -- random mutations of a real previous build ---------------------------------------------

_PREVIOUS = build(BASE).files
_VALUES = [b"SEQUENCE:99999999999999999999", b"SEQUENCE:-1", b"SEQUENCE:x", b"SEQUENCE:\x00",
           f"SEQUENCE:{MAX}".encode(), b"DTSTAMP:99991231T235959Z", b"DTSTAMP:0",
           b"LAST-MODIFIED:99991231T235959Z", b"LAST-MODIFIED:2026", b"BEGIN:VEVENT",
           b"END:VEVENT", b"END:VCALENDAR", b"UID:" + STEP_OPENS.encode(), b"UID:",
           b"DTSTART;VALUE=DATE:2026XX01", b"DTSTART;TZID=America:20260101T000000",
           b"DTEND:00010101T000000Z", b"DTSTART:99991231T235959", b"BEGIN:VALARM", b"\x00",
           b"SUMMARY:\x1b]0;t\x07", b" folded", b""]


@st.composite
def mutated_previous(draw: st.DrawFn) -> dict[str, bytes]:
    files = dict(_PREVIOUS)
    path = draw(st.sampled_from(sorted(p for p in files if p.endswith(".ics"))))
    lines = files[path].split(b"\r\n")
    for _ in range(draw(st.integers(1, 8))):
        if draw(st.booleans()):
            lines[draw(st.integers(0, len(lines) - 1))] = draw(st.sampled_from(_VALUES))
        else:
            edit_line(draw, lines, _VALUES)
    files[path] = b"\r\n".join(lines)
    return files


_SETTINGS = {"deadline": None, "derandomize": True,
             "suppress_health_check": [HealthCheck.too_slow, HealthCheck.data_too_large]}


def _sequences(files: Mapping[str, bytes]) -> list[int]:
    return [int(n) for feed in files.values() for n in re.findall(rb"^SEQUENCE:(\d+)\r$",
                                                                 feed, re.M)]


class TestMutatedPreviousFeeds:
    @settings(max_examples=250, **_SETTINGS)  # type: ignore[call-overload]
    @given(mutated_previous(), st.booleans())
    def test_a_build_always_succeeds_with_warnings_only(self, previous: dict[str, bytes],
                                                        changed: bool) -> None:
        result = build(CONFIRMED if changed else BASE, previous)
        assert all(isinstance(w, Problem) and w.severity == "warning" for w in result.warnings)
        assert all(w.message.isprintable() for w in result.warnings)
        assert all(0 <= n <= MAX for n in _sequences(result.files))
        again = build(CONFIRMED if changed else BASE, result.files)
        # What one build writes, the next reads without a warning (the feeds heal).
        assert again.warnings == ()

    @settings(max_examples=150, **_SETTINGS)  # type: ignore[call-overload]
    @given(mutated_previous())
    def test_a_diff_of_any_previous_feed_can_be_shown(self, previous: dict[str, bytes]) -> None:
        new = build(CONFIRMED, previous)
        old, _ = history.read_feeds(previous)
        changes = history.compare(old, history.read_feeds(new.files)[0])
        lines = history.format_changes(changes)
        assert lines
        for feed in changes:
            for change in feed.changes:
                change.as_dict()
        history.unreadable_details(changes, previous)
