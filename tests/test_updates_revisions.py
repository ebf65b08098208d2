"""Rebuilding after date updates: same UID, SEQUENCE + 1 and a later LAST-MODIFIED on change."""

from __future__ import annotations

import datetime as dt

from .updates_support import (
    BASE,
    CONFIRM_STEP,
    FAIR_OPENS,
    FAIR_WATCH,
    REU_OPENS,
    STEP_CLOSES,
    STEP_OPENS,
    blocks,
    build,
    edit,
    events,
)

UPDATED = dt.datetime(2026, 10, 14, tzinfo=dt.UTC)
FIRST = dt.datetime(2026, 7, 31, tzinfo=dt.UTC)


# The one watch-list entry of BASE (a program with no date).
WATCH = "demo.fair.main.opens@deadlinecal"


def _bumped(text: str) -> str:
    return edit(text, 'updated: "2026-07-31"', 'updated: "2026-10-14"')


class TestDateConfirmed:
    def test_the_event_keeps_its_uid_and_its_sequence_goes_up_by_one(self) -> None:
        first = build(BASE)
        second = build(_bumped(edit(BASE, *CONFIRM_STEP)), previous=first.files)
        seen = events(second.files["all.ics"])[STEP_OPENS]
        assert (seen.sequence, seen.start, seen.status) == (1, dt.date(2026, 10, 14),
                                                             "CONFIRMED")

    def test_last_modified_moves_to_the_updated_day(self) -> None:
        first = build(BASE)
        second = build(_bumped(edit(BASE, *CONFIRM_STEP)), previous=first.files)
        before = events(first.files["all.ics"])[STEP_OPENS]
        after = events(second.files["all.ics"])[STEP_OPENS]
        assert (before.modified, after.modified, after.stamp) == (FIRST, UPDATED, UPDATED)

    def test_events_of_other_programs_stay_byte_identical(self) -> None:
        first = build(BASE)
        second = build(_bumped(edit(BASE, *CONFIRM_STEP)), previous=first.files)
        old, new = blocks(first.files["all.ics"]), blocks(second.files["all.ics"])
        # The watch-list entry follows the data's updated day, so it moves with it.
        untouched = {uid for uid in old if not uid.startswith("demo.step.")} - {WATCH}
        assert untouched and all(old[uid] == new[uid] for uid in untouched)
        assert events(second.files["all.ics"])[WATCH].start == dt.date(2026, 10, 14)

    def test_feeds_without_the_program_are_byte_identical(self) -> None:
        first = build(BASE)
        second = build(edit(BASE, *CONFIRM_STEP), previous=first.files)
        assert second.files["tracks/research.ics"] == first.files["tracks/research.ics"]

    def test_the_same_revision_is_given_in_every_feed(self) -> None:
        first = build(BASE)
        second = build(_bumped(edit(BASE, *CONFIRM_STEP)), previous=first.files)
        revisions = {events(second.files[path])[STEP_CLOSES].sequence
                     for path in ("all.ics", "tracks/applied.ics", "eligibility/undergrad.ics")}
        assert revisions == {1}


    def test_the_build_names_the_revised_events(self) -> None:
        first = build(BASE)
        second = build(_bumped(edit(BASE, *CONFIRM_STEP)), previous=first.files)
        assert sorted(second.revised) == sorted([
            STEP_OPENS, STEP_CLOSES, "demo.step.summer-2027.follow-up@deadlinecal", WATCH])


class TestEstimateNarrowed:
    def test_a_narrower_estimate_moves_the_event_as_a_new_revision(self) -> None:
        first = build(BASE)
        narrowed = edit(BASE, 'opens: "2026-11"', 'opens: "mid 2026-11"')
        second = build(narrowed, previous=first.files)
        seen = events(second.files["all.ics"])[REU_OPENS]
        assert (seen.sequence, seen.start, seen.status) == (1, dt.date(2026, 11, 11),
                                                             "TENTATIVE")

    def test_without_a_new_updated_day_last_modified_still_moves_forward(self) -> None:
        first = build(BASE)
        second = build(edit(BASE, 'opens: "2026-11"', 'opens: "mid 2026-11"'),
                       previous=first.files)
        seen = events(second.files["all.ics"])[REU_OPENS]
        assert seen.modified == FIRST + dt.timedelta(seconds=1)

    def test_a_second_change_is_sequence_two(self) -> None:
        first = build(BASE)
        narrowed = edit(BASE, 'opens: "2026-11"', 'opens: "mid 2026-11"')
        second = build(narrowed, previous=first.files)
        third = build(edit(narrowed, 'opens: "mid 2026-11"', 'opens: "2026-11-12"'),
                      previous=second.files)
        assert events(third.files["all.ics"])[REU_OPENS].sequence == 2


class TestWindowAdded:
    ADDED = ('    eligibility: [phd]\n    last_verified: "2026-07-31"\n',
             '    eligibility: [phd]\n    last_verified: "2026-07-31"\n'
             '    windows:\n      - key: summer-2027\n        opens: "fall 2026"\n')

    def test_the_new_window_appears_at_sequence_zero(self) -> None:
        first = build(BASE)
        second = build(edit(BASE, *self.ADDED), previous=first.files)
        assert events(second.files["all.ics"])[FAIR_OPENS].sequence == 0

    def test_the_watch_list_entry_it_replaces_leaves_the_feed(self) -> None:
        first = build(BASE)
        second = build(edit(BASE, *self.ADDED), previous=first.files)
        assert FAIR_WATCH in events(first.files["all.ics"])
        assert FAIR_WATCH not in events(second.files["all.ics"])

    def test_a_first_window_without_a_key_moves_the_watch_list_entry(self) -> None:
        first = build(BASE)
        added = ('    eligibility: [phd]\n    last_verified: "2026-07-31"\n',
                 '    eligibility: [phd]\n    last_verified: "2026-07-31"\n'
                 '    windows:\n      - opens: "2026-10-14"\n')
        second = build(edit(BASE, *added), previous=first.files)
        before = events(first.files["all.ics"])[FAIR_WATCH]
        after = events(second.files["all.ics"])[FAIR_WATCH]
        # The subscribed entry moves to the real date instead of being replaced.
        assert (after.sequence, after.status) == (before.sequence + 1, "CONFIRMED")
        assert after.start != before.start


    SECOND = ('        deadline: "2027-01..2027-03"\n',
              '        deadline: "2027-01..2027-03"\n'
              '      - key: late-2027\n        opens: "2027-02"\n')

    def test_a_second_window_keeps_the_first_windows_uids_and_dates(self) -> None:
        first = build(BASE)
        second = build(edit(BASE, *self.SECOND), previous=first.files)
        old, new = blocks(first.files["all.ics"]), blocks(second.files["all.ics"])

        def dtstart(block: bytes) -> list[bytes]:
            return [line for line in block.split(b"\r\n") if line.startswith(b"DTSTART")]

        assert dtstart(new[REU_OPENS]) == dtstart(old[REU_OPENS])
        # With two windows each summary names its window, so the first is re-worded once.
        assert b"(summer-2027)" in new[REU_OPENS]
        assert events(second.files["all.ics"])["demo.reu.late-2027.opens@deadlinecal"
                                               ].sequence == 0


class TestProgramRemoved:
    def test_its_events_leave_every_feed_and_the_rest_stay_identical(self) -> None:
        first = build(BASE)
        removed = BASE[: BASE.index("  - id: fair")]
        second = build(removed, previous=first.files)
        old, new = blocks(first.files["all.ics"]), blocks(second.files["all.ics"])
        assert FAIR_WATCH not in new
        assert all(new[uid] == old[uid] for uid in new)


class TestProgramRenamed:
    def test_every_event_of_it_keeps_its_uid_at_sequence_one(self) -> None:
        first = build(BASE)
        renamed = edit(BASE, "program: STEP internship", "program: STEP student programme")
        second = build(renamed, previous=first.files)
        step = {uid: seen for uid, seen in events(second.files["all.ics"]).items()
                if uid.startswith("demo.step.")}
        assert set(step) == {uid for uid in events(first.files["all.ics"])
                             if uid.startswith("demo.step.")}
        assert {seen.sequence for seen in step.values()} == {1}
        assert all(b"STEP student programme" in seen.block for seen in step.values())


class TestNoChange:
    def test_a_rebuild_of_the_same_data_gives_the_same_bytes(self) -> None:
        first = build(BASE)
        assert build(BASE, previous=first.files).files == first.files

    def test_moving_only_the_updated_day_moves_only_the_watch_list(self) -> None:
        first = build(BASE)
        # Not past any estimate's first day (Google STEP's would move to the new day).
        second = build(edit(BASE, 'updated: "2026-07-31"', 'updated: "2026-09-01"'),
                       previous=first.files)
        old, new = blocks(first.files["all.ics"]), blocks(second.files["all.ics"])
        assert {uid for uid in old if old[uid] != new[uid]} == {WATCH}
        assert second.revised == (WATCH,)

    def test_revisions_are_kept_across_later_unchanged_builds(self) -> None:
        first = build(BASE)
        second = build(_bumped(edit(BASE, *CONFIRM_STEP)), previous=first.files)
        third = build(_bumped(edit(BASE, *CONFIRM_STEP)), previous=second.files)
        assert third.files == second.files


class TestUnreadablePreviousFeed:
    def test_it_is_reported_as_a_warning_naming_the_feed(self) -> None:
        first = build(BASE)
        broken = {**first.files, "all.ics": b"not a calendar"}
        second = build(BASE, previous=broken)
        assert [w.file for w in second.warnings] == ["all.ics"]
