"""A feed address once published keeps answering: a track, eligibility group, named feed or
employer that leaves the data leaves an *ended* calendar at its address (ended.py), never a
404, and a rebuild writes the same bytes."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from pathlib import Path

from click.testing import CliRunner

from deadlinecal import ended, ledger
from deadlinecal.cli import main
from deadlinecal.history import Seen, latest, read_feed
from deadlinecal.site import build_all

from .updates_support import BASE, FAIR_WATCH, STEP_OPENS, edit

ROOT = Path(__file__).resolve().parents[1]
DEFAULT = ROOT / "data" / "ml-internships-summer-2027.yaml"
SAMPLE = ROOT / "tests" / "postings" / "simplify-2026-01.json"
NAMED = BASE.replace("programs:\n", "feeds:\n  applied-only:\n    title: Applied only\n"
                     "    filter: {track: [applied]}\nprograms:\n", 1)
NO_APPLIED = edit(edit(NAMED, "  applied: {title: Applied}\n", ""), "track: applied",
                  "track: research").replace("    filter: {track: [applied]}",
                                             "    filter: {track: [research]}")
NO_PHD = edit(edit(BASE, "  phd: {title: PhD students}\n", ""), "eligibility: [phd]",
              "eligibility: [undergrad]")
NO_NAMED = edit(NAMED, "feeds:\n  applied-only:\n    title: Applied only\n"
                "    filter: {track: [applied]}\n", "")
LATER = '  updated: "2026-08-20"'


def files(text: str, previous: Mapping[str, bytes] | None = None, *,
          base_url: str | None = None) -> dict[str, bytes]:
    """Every file a build of `text` writes, against the `previous` build's files (and its
    ledger, as `build` reads them)."""
    data = {"demo.yaml": text.encode()}
    kept = (previous or {}).get(ledger.PATH)
    built = build_all(["demo.yaml"], lambda path, included_by=None: data[path],
                      previous=previous, retired=ledger.decode(kept) if kept else None,
                      base_url=base_url, as_of=dt.date(2026, 8, 1))
    return {path: built.files[path] for path in built.files}


def notice(feed: bytes, path: str) -> Seen:
    name = path.removesuffix(".ics").replace("/", ".")
    return read_feed(feed)[f"demo.{name}.ended@deadlinecal"]


def later(text: str) -> str:
    return edit(text, '  updated: "2026-07-31"', LATER)


class TestRemovedTerms:
    def test_a_removed_track_keeps_its_address_with_its_events_cancelled(self) -> None:
        before = files(NAMED)
        after = files(NO_APPLIED, before)
        assert "tracks/applied.ics" in after
        old, new = read_feed(before["tracks/applied.ics"]), read_feed(after["tracks/applied.ics"])
        for uid, seen in old.items():
            assert new[uid].status == "CANCELLED"
            assert new[uid].sequence == seen.sequence + 1
            assert new[uid].summary.startswith("✕ ")
        assert len(new) == len(old) + 1  # and the notice

    def test_the_notice_says_what_to_do_and_is_dated_on_the_data_day(self) -> None:
        after = files(later(NO_APPLIED), files(NAMED))
        seen = notice(after["tracks/applied.ics"], "tracks/applied.ics")
        assert seen.summary == "Calendar ended: switch to all.ics"
        assert seen.start == dt.date(2026, 8, 20)
        assert seen.status == "CONFIRMED"
        text = after["tracks/applied.ics"].decode().replace("\r\n ", "")
        assert "Subscribe to all.ics (every program) instead" in text
        assert "the data no longer has the track “applied”" in text
        assert "X-WR-CALNAME:Demo internships: Applied (ended)" in text

    def test_the_notice_names_the_public_address_when_it_is_known(self) -> None:
        url = "https://example.org/cal/"
        after = files(NO_APPLIED, files(NAMED, base_url=url), base_url=url)
        text = after["tracks/applied.ics"].decode().replace("\r\n ", "")
        assert "URL:https://example.org/cal/all.ics\r\n" in text
        assert "Subscribe to https://example.org/cal/all.ics (every program)" in text
        assert "SOURCE;VALUE=URI:https://example.org/cal/tracks/applied.ics" in text

    def test_an_ended_feed_keeps_the_time_zones_its_events_need(self) -> None:
        timed = edit(NAMED, 'deadline: "2027-01..2027-03"',
                     'deadline: "2027-01-15 23:59 America/New_York"')
        before = files(timed)
        gone = edit(timed, "  research: {title: Research}\n", "").replace(
            "track: research", "track: applied")
        after = files(gone, before)
        feed = after["tracks/research.ics"]
        assert b"DTSTART;TZID=America/New_York:" in feed.replace(b"\r\n ", b"")
        assert feed.count(b"BEGIN:VTIMEZONE\r\nTZID:America/New_York\r\n") == 1
        import icalendar

        calendar = icalendar.Calendar.from_ical(feed)
        assert all(event["STATUS"] == "CANCELLED" for event in calendar.walk("VEVENT")
                   if not str(event["UID"]).endswith(".ended@deadlinecal"))

    def test_a_removed_eligibility_group_keeps_its_address(self) -> None:
        before = files(BASE)
        after = files(NO_PHD, before)
        feed = read_feed(after["eligibility/phd.ics"])
        assert feed[FAIR_WATCH].status == "CANCELLED"
        assert feed[FAIR_WATCH].sequence == read_feed(before["eligibility/phd.ics"])[
            FAIR_WATCH].sequence + 1
        assert notice(after["eligibility/phd.ics"], "eligibility/phd.ics").summary.startswith(
            "Calendar ended")

    def test_a_removed_named_feed_keeps_its_address(self) -> None:
        before = files(NAMED)
        after = files(NO_NAMED, before)
        feed = read_feed(after["feeds/applied-only.ics"])
        assert feed[STEP_OPENS].status == "CANCELLED"
        assert notice(after["feeds/applied-only.ics"], "feeds/applied-only.ics")

    def test_the_live_feeds_are_not_revised_by_an_ended_one(self) -> None:
        before = files(NAMED)
        after = files(NO_APPLIED, before)
        again = files(NO_APPLIED, after)
        assert read_feed(again["all.ics"])[STEP_OPENS].sequence == read_feed(
            after["all.ics"])[STEP_OPENS].sequence


class TestRebuilds:
    def test_a_rebuild_with_the_same_data_writes_the_same_bytes(self) -> None:
        after = files(NO_APPLIED, files(NAMED))
        assert files(NO_APPLIED, after) == after

    def test_the_ended_day_stays_when_the_data_moves_on(self) -> None:
        after = files(NO_APPLIED, files(NAMED))
        moved = files(later(NO_APPLIED), after)
        assert moved["tracks/applied.ics"] == after["tracks/applied.ics"]

    def test_a_track_that_comes_back_continues_above_the_cancellation(self) -> None:
        before = files(NAMED)
        after = files(NO_APPLIED, before)
        back = files(NAMED, after)
        cancelled = read_feed(after["tracks/applied.ics"])
        live = read_feed(back["tracks/applied.ics"])
        assert live[STEP_OPENS].status != "CANCELLED"
        assert live[STEP_OPENS].sequence == cancelled[STEP_OPENS].sequence + 1
        assert read_feed(back["all.ics"])[STEP_OPENS].sequence == live[STEP_OPENS].sequence
        assert not any(uid.endswith(".ended@deadlinecal") for uid in live)
        assert "demo.tracks.applied.ended@deadlinecal" in back["deadlinecal-retired.json"].decode()
        assert files(NAMED, back) == back

    def test_a_track_that_ends_again_continues_its_notice(self) -> None:
        back = files(NAMED, files(NO_APPLIED, files(NAMED)))
        retired = {"demo.tracks.applied.ended@deadlinecal": read_feed(
            files(NO_APPLIED, files(NAMED))["tracks/applied.ics"])[
                "demo.tracks.applied.ended@deadlinecal"]}
        data = {"demo.yaml": later(NO_APPLIED).encode()}
        again = build_all(["demo.yaml"], lambda path, included_by=None: data[path],
                          previous=back, retired=retired, as_of=dt.date(2026, 8, 1))
        seen = notice(again.files["tracks/applied.ics"], "tracks/applied.ics")
        assert seen.sequence == 1
        assert seen.start == dt.date(2026, 8, 20)


class TestHistory:
    def test_a_cancelled_revision_wins_a_tie(self) -> None:
        feeds = files(NAMED)
        live = read_feed(feeds["all.ics"])[STEP_OPENS]
        cancelled = read_feed(files(NO_APPLIED, feeds)["tracks/applied.ics"])[STEP_OPENS]
        same = Seen(uid=live.uid, sequence=cancelled.sequence, stamp=live.stamp,
                    modified=live.modified, content=live.content, block=live.block)
        assert latest([{live.uid: same}, {live.uid: cancelled}])[live.uid] is cancelled
        assert latest([{live.uid: cancelled}, {live.uid: same}])[live.uid] is cancelled

    def test_the_notice_uid_derives_from_the_address(self) -> None:
        from deadlinecal.model import Dataset

        dataset = Dataset.__new__(Dataset)
        object.__setattr__(dataset, "id", "d")
        assert ended.notice_uid(dataset, "employers/hntb.ics") == \
            "d.employers.hntb.ended@deadlinecal"


def run(*args: str) -> str:
    result = CliRunner().invoke(main, list(args))
    assert result.exit_code == 0, result.output
    return result.output


def standard(out: Path) -> set[str]:
    """The feeds of a folder other than the personal ones."""
    return {path.relative_to(out).as_posix() for path in out.rglob("*.ics")
            if path.parent.name != "picked"}


class TestCommandLine:
    def test_removing_the_quant_track_removes_no_feed(self, tmp_path: Path) -> None:
        out = tmp_path / "calendars"
        run("build", str(DEFAULT), "-o", str(out), "--as-of", "2026-08-01")
        published = standard(out)
        text = DEFAULT.read_text()
        text = re.sub(r"\n  quant:\n    title: Quant ML\n    description: >-\n(      .*\n)+",
                      "\n", text, count=1).replace("track: quant", "track: applied")
        data = tmp_path / "data" / "noquant.yaml"
        data.parent.mkdir()
        data.write_text(text)
        output = run("build", str(data), "-o", str(out), "--as-of", "2026-08-01")
        assert standard(out) == published  # picked/ has its own record (published.py)
        assert ("  tracks/quant.ics                         ended: its events cancelled, a "
                "notice points to all.ics") in output.splitlines()
        feed = read_feed((out / "tracks" / "quant.ics").read_bytes())
        assert "ml-internships-summer-2027.tracks.quant.ended@deadlinecal" in feed
        checked = run("build", str(data), "-o", str(out), "--check", "--as-of", "2026-08-01")
        assert "is up to date" in checked and "1 ended feed" in checked
        assert "0 written" in run("build", str(data), "-o", str(out), "--as-of", "2026-08-01")
        (out / ".deadlinecal-build.json").unlink(missing_ok=True)  # a fresh clone
        assert "0 written" in run("build", str(data), "-o", str(out), "--as-of", "2026-08-01")
        assert "tracks/quant.ics" not in run("diff", str(data), "-o", str(out),
                                             "--as-of", "2026-08-01")

    def test_an_employer_whose_postings_are_all_gone_keeps_its_feed(
            self, tmp_path: Path) -> None:
        data = tmp_path / "data" / "postings.yaml"
        data.parent.mkdir()
        run("import", "simplify", str(SAMPLE), "-o", str(data))
        out = tmp_path / "calendars"
        run("build", str(data), "-o", str(out), "--max-age", "100000")
        before = read_feed((out / "employers" / "hntb.ics").read_bytes())
        original = data.read_text()
        head, *entries = original.split("\n  - id: ")
        data.write_text("\n  - id: ".join(
            [head, *(entry for entry in entries if 'employer: "HNTB"' not in entry)]))
        output = run("build", str(data), "-o", str(out), "--max-age", "100000")
        assert ", 0 removed." in output
        assert "employers/*.ics: 1 ended employer feed (no posting left)" in output
        after = read_feed((out / "employers" / "hntb.ics").read_bytes())
        assert {uid for uid in after if not uid.endswith(".ended@deadlinecal")} == set(before)
        assert all(seen.status == "CANCELLED" for uid, seen in after.items()
                   if uid in before)
        assert any(uid.endswith(".employers.hntb.ended@deadlinecal") for uid in after)

        # The employer posts again: its feed is live, above the cancellation.
        data.write_text(original)
        run("build", str(data), "-o", str(out), "--max-age", "100000")
        back = read_feed((out / "employers" / "hntb.ics").read_bytes())
        assert set(back) == set(before)
        assert all(back[uid].sequence == after[uid].sequence + 1 for uid in back)
        assert all(back[uid].status != "CANCELLED" for uid in back)


class TestHostilePrevious:
    def test_a_notice_dated_at_the_end_of_time_falls_back_to_the_data_day(self) -> None:
        after = files(NO_APPLIED, files(NAMED))
        edited = dict(after)
        edited["tracks/applied.ics"] = after["tracks/applied.ics"].replace(
            b"DTSTART;VALUE=DATE:20260731", b"DTSTART;VALUE=DATE:99991231").replace(
            b"DTEND;VALUE=DATE:20260801", b"DTEND;VALUE=DATE:10000101")
        again = files(NO_APPLIED, edited)
        assert notice(again["tracks/applied.ics"], "tracks/applied.ics").start == dt.date(
            2026, 7, 31)

    def test_a_file_someone_put_in_a_feeds_place_is_not_ended(self) -> None:
        before = files(NAMED)
        before["tracks/design.ics"] = b"my notes\n"
        assert "tracks/design.ics" not in files(NAMED, before)
