"""SEQUENCE never goes down, even on a fresh clone: what a build dropped is remembered in a
committed file beside the feeds (and beside a `feed -o` file), not in the gitignored record."""

from __future__ import annotations

from pathlib import Path

import pytest

from deadlinecal import ledger
from deadlinecal.history import read_feed
from deadlinecal.output.write import RECORD

from .helpers import dataset_yaml, program
from .test_ownership import run

OTHER = program("other", windows='- opens: "2026-11"')


def nsf(closes: str | None) -> bytes:
    if closes is None:
        return dataset_yaml(OTHER)
    return dataset_yaml(OTHER, program("nsf", windows=f'- opens: "2026-10"\n  closes: "{closes}"'))


def closing(feed: bytes) -> int | None:
    """The SEQUENCE of NSF's closing in `feed`, or None when it holds none."""
    return next((seen.sequence for uid, seen in read_feed(feed).items()
                 if uid.startswith("t.nsf.") and ".closes@" in uid), None)


@pytest.fixture
def data(tmp_path: Path) -> Path:
    return tmp_path / "d.yaml"


def build(data: Path, out: Path, content: bytes, *options: str) -> str:
    data.write_bytes(content)
    result = run("build", str(data), "-o", str(out), *options)
    assert result.exit_code == 0, result.output
    return result.output


class TestBuildLedger:
    def test_a_returning_event_keeps_its_sequence_without_the_record(
            self, data: Path, tmp_path: Path) -> None:
        out = tmp_path / "calendars"
        seen = []
        for content in (nsf("2027-03"), nsf("2027-02"), nsf(None)):
            build(data, out, content)
            seen.append(closing((out / "all.ics").read_bytes()))
        assert (out / ledger.PATH).exists()
        (out / RECORD).unlink()  # a fresh clone: the committed files, no record
        build(data, out, nsf("2027-02"))
        seen.append(closing((out / "all.ics").read_bytes()))
        assert seen == [0, 1, None, 1]

    def test_the_ledger_is_byte_stable_and_checked(self, data: Path, tmp_path: Path) -> None:
        out = tmp_path / "calendars"
        for content in (nsf("2027-03"), nsf(None)):
            build(data, out, content)
        kept = (out / ledger.PATH).read_bytes()
        (out / RECORD).unlink()
        assert "0 written" in build(data, out, nsf(None))
        assert (out / ledger.PATH).read_bytes() == kept
        assert run("build", str(data), "-o", str(out), "--check").exit_code == 0

    def test_check_names_a_missing_ledger(self, data: Path, tmp_path: Path) -> None:
        out = tmp_path / "calendars"
        build(data, out, nsf("2027-03"))
        data.write_bytes(nsf(None))
        stale = run("build", str(data), "-o", str(out), "--check")
        assert stale.exit_code == 1
        assert f"calendars/{ledger.PATH} (missing)" in stale.output

    def test_no_ledger_while_nothing_was_dropped(self, data: Path, tmp_path: Path) -> None:
        out = tmp_path / "calendars"
        build(data, out, nsf("2027-03"))
        build(data, out, nsf("2027-02"))
        assert not (out / ledger.PATH).exists()
        build(data, out, nsf(None))
        build(data, out, nsf("2027-02"))  # back: nothing is retired any more
        assert not (out / ledger.PATH).exists()


class TestFeedFileLedger:
    def feed(self, data: Path, target: Path, content: bytes | None, *options: str) -> int | None:
        data.write_bytes(content or nsf(None))
        result = run("feed", str(data), "-o", str(target), *options)
        assert result.exit_code == 0, result.output
        return closing(target.read_bytes())

    def test_a_dropped_event_that_comes_back_continues_its_sequence(
            self, data: Path, tmp_path: Path) -> None:
        target = tmp_path / "f.ics"
        seen = [self.feed(data, target, nsf(closes))
                for closes in ("2027-03", "2027-02", "2027-01", None, "2027-01")]
        assert seen == [0, 1, 2, None, 2]
        assert ledger.sidecar(target).name == ".f.ics.deadlinecal.json"
        assert not ledger.sidecar(target).exists()  # nothing is retired any more

    def test_an_event_the_filter_leaves_out_keeps_its_sequence_too(
            self, data: Path, tmp_path: Path) -> None:
        target = tmp_path / "f.ics"
        seen = [self.feed(data, target, nsf("2027-03")), self.feed(data, target, nsf("2027-02")),
                self.feed(data, target, nsf("2027-02"), "--until", "2026-10-31"),
                self.feed(data, target, nsf("2027-02"))]
        assert seen == [0, 1, None, 1]

    def test_a_file_of_someone_else_where_the_ledger_goes_is_refused(
            self, data: Path, tmp_path: Path) -> None:
        target = tmp_path / "f.ics"
        self.feed(data, target, nsf("2027-03"))
        ledger.sidecar(target).write_bytes(b"my notes\n")
        data.write_bytes(nsf(None))
        result = run("feed", str(data), "-o", str(target))
        assert result.exit_code == 1 and "--adopt" in result.output
        assert ledger.sidecar(target).read_bytes() == b"my notes\n"
        assert closing(target.read_bytes()) == 0
