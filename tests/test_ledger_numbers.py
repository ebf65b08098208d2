"""The retired-revisions ledger and the `feed -o` sidecar hold numbers anyone can edit: a
SEQUENCE outside RFC 5545's INTEGER range (0 to 2**31 - 1) or not an integer, and a stamp
later than any revision of the data can be, are a warning and ignored. SEQUENCE never goes
down because of them, and DTSTAMP never comes from them."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from deadlinecal import ledger
from deadlinecal.history import MAX_SEQUENCE, read_feed

from .helpers import dataset_yaml, program
from .test_ownership import run

OTHER = program("other", windows='- opens: "2026-11"')
GONE = program("gone", windows='- opens: "2026-12"')
CLOSES = "t.nsf.main.closes@deadlinecal"
GONE_OPENS = "t.gone.main.opens@deadlinecal"
# Not integers from 0 to 2**31 - 1.
BAD_SEQUENCES = [2**31, 10**30, -1, "7", 2.5, True, None]
BAD_STAMPS = ["9000-01-01", "9000-01-01T00:00:00+00:00", "2026-08-01T00:00:00", "yesterday", 7]


def nsf(closes: str, *more: str) -> bytes:
    return dataset_yaml(OTHER, program("nsf", windows=f'- opens: "2026-10"\n  closes: "{closes}"'),
                        *more)


def sequence_of(feed: bytes, uid: str) -> int | None:
    seen = read_feed(feed).get(uid)
    return None if seen is None else seen.sequence


def stamp_of(feed: bytes, uid: str) -> str:
    block = read_feed(feed)[uid].block.decode()
    return next(line for line in block.splitlines() if line.startswith("DTSTAMP:"))


def edit(path: Path, change: Callable[[dict[str, Any]], None]) -> None:
    document = json.loads(path.read_bytes())
    change(document["events"])
    path.write_text(json.dumps(document))


class Folder:
    """A build folder whose all.ics holds NSF's closing at SEQUENCE 2 and whose ledger
    remembers `gone`, dropped at SEQUENCE 0."""

    def __init__(self, tmp_path: Path) -> None:
        self.data, self.out = tmp_path / "d.yaml", tmp_path / "calendars"
        for content in (nsf("2027-03", GONE), nsf("2027-02", GONE), nsf("2027-01", GONE),
                        nsf("2027-01")):
            assert self.build(content).exit_code == 0
        self.ledger = self.out / ledger.PATH
        assert self.sequence(CLOSES) == 2 and self.sequence(GONE_OPENS) is None
        assert GONE_OPENS in json.loads(self.ledger.read_bytes())["events"]

    def build(self, content: bytes) -> Any:
        self.data.write_bytes(content)
        return run("build", str(self.data), "-o", str(self.out))

    def sequence(self, uid: str) -> int | None:
        return sequence_of((self.out / "all.ics").read_bytes(), uid)


@pytest.fixture
def folder(tmp_path: Path) -> Folder:
    return Folder(tmp_path)


def copy_of(events: dict[str, Any], uid: str, **values: Any) -> dict[str, Any]:
    return {**events[GONE_OPENS], "content": [f"UID:{uid}"], **values}


class TestBuildLedgerSequence:
    @pytest.mark.parametrize("bad", BAD_SEQUENCES)
    def test_a_live_events_sequence_in_the_ledger_out_of_range_never_lowers_it(
            self, folder: Folder, bad: object) -> None:
        edit(folder.ledger, lambda events: events.update(
            {CLOSES: copy_of(events, CLOSES, sequence=bad)}))
        result = folder.build(nsf("2027-01"))
        assert result.exit_code == 0, result.output
        assert folder.sequence(CLOSES) == 2
        assert f"{ledger.PATH}: warning: events['{CLOSES}'].sequence:" in result.output
        assert f"not an integer from 0 to {MAX_SEQUENCE}" in result.output

    def test_a_changed_live_event_goes_one_up_from_the_feed_not_from_the_ledger(
            self, folder: Folder) -> None:
        edit(folder.ledger, lambda events: events.update(
            {CLOSES: copy_of(events, CLOSES, sequence=10**30)}))
        assert folder.build(nsf("2026-12")).exit_code == 0
        assert folder.sequence(CLOSES) == 3

    def test_a_returning_events_sequence_out_of_range_is_ignored_and_the_warning_says_so(
            self, folder: Folder) -> None:
        edit(folder.ledger, lambda events: events[GONE_OPENS].update(sequence=2**31))
        result = folder.build(nsf("2027-01", GONE))
        assert result.exit_code == 0, result.output
        assert "the entry is ignored" in result.output
        # Nothing says it kept a SEQUENCE it did not keep.
        assert "keeps it" not in result.output
        assert folder.sequence(GONE_OPENS) == 0

    def test_a_sequence_at_the_maximum_is_kept(self, folder: Folder) -> None:
        edit(folder.ledger, lambda events: events[GONE_OPENS].update(sequence=MAX_SEQUENCE))
        result = folder.build(nsf("2027-01", GONE))
        assert result.exit_code == 0 and "warning" not in result.output
        assert folder.sequence(GONE_OPENS) == MAX_SEQUENCE

    def test_many_broken_entries_make_a_few_lines_not_a_flood(self, folder: Folder) -> None:
        edit(folder.ledger, lambda events: events.update(
            {f"x{n}@example": copy_of(events, f"x{n}@example", sequence=-n - 1)
             for n in range(500)}))
        result = folder.build(nsf("2027-01"))
        assert result.exit_code == 0
        assert 1 <= result.output.count(ledger.PATH) < 10
        assert "and 495 more entries" in result.output


class TestBuildLedgerStamp:
    @pytest.mark.parametrize("bad", BAD_STAMPS)
    def test_a_returning_events_bogus_stamp_is_never_published(self, folder: Folder,
                                                                bad: object) -> None:
        edit(folder.ledger, lambda events: events[GONE_OPENS].update(stamp=bad, modified=bad))
        result = folder.build(nsf("2027-01", GONE))
        assert result.exit_code == 0, result.output
        assert stamp_of((folder.out / "all.ics").read_bytes(), GONE_OPENS) == (
            "DTSTAMP:20260801T000000Z")
        assert f"events['{GONE_OPENS}'].stamp:" in result.output
        assert "it is ignored" in result.output


class TestSidecar:
    """The same rules for the hidden file beside a `feed -o` file."""

    def feed(self, data: Path, target: Path, content: bytes) -> Any:
        data.write_bytes(content)
        return run("feed", str(data), "-o", str(target))

    @pytest.fixture
    def target(self, tmp_path: Path) -> Path:
        target, data = tmp_path / "f.ics", tmp_path / "d.yaml"
        for content in (nsf("2027-03", GONE), nsf("2027-02", GONE), nsf("2027-01", GONE),
                        nsf("2027-01")):
            assert self.feed(data, target, content).exit_code == 0
        assert sequence_of(target.read_bytes(), CLOSES) == 2
        return target

    @pytest.mark.parametrize("bad", BAD_SEQUENCES)
    def test_an_out_of_range_sequence_never_lowers_a_live_event(self, target: Path,
                                                                bad: object) -> None:
        edit(ledger.sidecar(target), lambda events: events.update(
            {CLOSES: copy_of(events, CLOSES, sequence=bad)}))
        result = self.feed(target.with_name("d.yaml"), target, nsf("2027-01"))
        assert result.exit_code == 0, result.output
        assert sequence_of(target.read_bytes(), CLOSES) == 2
        assert f"{ledger.sidecar(target).name}: warning: events['{CLOSES}'].sequence:" in (
            result.output)

    def test_a_bogus_stamp_is_never_published(self, target: Path) -> None:
        edit(ledger.sidecar(target), lambda events: events[GONE_OPENS].update(
            stamp="9000-01-01T00:00:00+00:00", modified="9000-01-01T00:00:00+00:00"))
        result = self.feed(target.with_name("d.yaml"), target, nsf("2027-01", GONE))
        assert result.exit_code == 0, result.output
        assert stamp_of(target.read_bytes(), GONE_OPENS) == "DTSTAMP:20260801T000000Z"
        assert "it is ignored" in result.output
