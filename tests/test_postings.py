"""`deadlinecal import simplify` on real posting lists: feeds, days, re-imports."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from deadlinecal.postings.importer import CATEGORIES, DEGREES, MARKER

from .postings_support import (
    NEWER,
    SAMPLE,
    SNAPSHOT,
    day,
    events,
    every_own_event,
    import_and_build,
    listed_text,
    own_events,
    postings,
    run,
    uid,
)

DATASET = "postings-summer-2026"


def visible(path: Path, term: str) -> list[dict[str, object]]:
    return [p for p in postings(path) if term in p["terms"] and p["is_visible"]]  # type: ignore[operator]


class TestNewerFormat:
    def test_every_visible_posting_is_in_its_track_and_eligibility_feeds(
            self, tmp_path: Path) -> None:
        import_and_build(tmp_path, SAMPLE)
        chosen = visible(SAMPLE, "Summer 2026")
        assert len(chosen) == 93
        feeds = tmp_path / "calendars"
        every = listed_text(feeds / "all.ics")
        for posting in chosen:
            track = CATEGORIES[str(posting["category"]).casefold()][0]
            groups = [DEGREES[str(d).casefold()][0] for d in posting["degrees"]]  # type: ignore[attr-defined]
            line = f"{posting['company_name']}: {posting['title']}"
            assert line in every
            assert line in listed_text(feeds / "tracks" / f"{track}.ics")
            for group in groups:
                assert line in listed_text(feeds / "eligibility" / f"{group}.ics"), group
            opening = uid(DATASET, str(posting["id"]), "opens")
            assert opening in own_events(feeds, str(posting["company_name"]))

    def test_each_opens_on_its_posting_day_confirmed_with_follow_up_14_days_later(
            self, tmp_path: Path) -> None:
        import_and_build(tmp_path, SAMPLE)
        every = every_own_event(tmp_path / "calendars")
        for posting in visible(SAMPLE, "Summer 2026"):
            posted = day(int(posting["date_posted"]))  # type: ignore[call-overload]
            opening = every[uid(DATASET, str(posting["id"]), "opens")]
            assert opening.start == posted
            assert str(opening["STATUS"]) == "CONFIRMED"
            # A posting that closed sooner gets its follow-up the day before it closed,
            # or none when it closed the next day.
            due = posted + dt.timedelta(days=14)
            if not posting["active"]:
                due = min(due, day(int(posting["date_updated"])) - dt.timedelta(days=1))  # type: ignore[call-overload]
            follow = every.get(uid(DATASET, str(posting["id"]), "follow-up"))
            if due <= posted:
                assert follow is None
                continue
            assert follow is not None
            assert follow.start == due
            assert str(follow["STATUS"]) == "CONFIRMED"

    def test_a_closed_posting_is_left_out_of_its_days_apply_entry(
            self, tmp_path: Path) -> None:
        import_and_build(tmp_path, SAMPLE)
        every = events(tmp_path / "calendars" / "all.ics")
        closed = [p for p in visible(SAMPLE, "Summer 2026") if not p["active"]
                  and day(int(p["date_updated"])) < day(int(p["date_posted"]))  # type: ignore[call-overload]
                  + dt.timedelta(days=14)]
        assert closed
        for posting in closed:
            posted = day(int(posting["date_posted"]))  # type: ignore[call-overload]
            line = f"{posting['company_name']}: {posting['title']}"
            new = every[f"{DATASET}.all.{posted.isoformat()}.new@deadlinecal"]
            apply = every[f"{DATASET}.all.{posted.isoformat()}.apply@deadlinecal"]
            assert line in str(new["DESCRIPTION"])
            assert line not in str(apply["DESCRIPTION"])
        # The posting's own entries close nothing: its employer's feed has no closing.
        assert not any(".closes@" in u for u in every_own_event(tmp_path / "calendars"))

    def test_reports_what_it_read_imported_and_left_out(self, tmp_path: Path) -> None:
        result = import_and_build(tmp_path, SAMPLE)
        assert "Read 169 postings from" in result.output
        assert "Term Summer 2026: 93 postings." in result.output
        assert "    ai-ml-data                 39  AI, ML and data" in result.output
        assert "      76  of other terms (or categories)" in result.output


class TestOlderFormat:
    def test_default_term_is_the_lists_current_summer(self, tmp_path: Path) -> None:
        result = import_and_build(tmp_path, SNAPSHOT)
        assert "Term Summer 2025:" in result.output

    def test_hidden_postings_are_left_out(self, tmp_path: Path) -> None:
        result = import_and_build(tmp_path, SNAPSHOT)
        hidden = [p for p in postings(SNAPSHOT)
                  if "Summer 2025" in p["terms"] and not p["is_visible"]]
        every = events(tmp_path / "calendars" / "all.ics")
        assert hidden
        assert not any(uid("postings-summer-2025", p["id"], "opens") in every for p in hidden)
        assert f"{len(hidden):>8,}  hidden by the list" in result.output

    def test_sponsorship_becomes_the_citizenship_rule(self, tmp_path: Path) -> None:
        import_and_build(tmp_path, SNAPSHOT)
        text = (tmp_path / "data" / "postings.yaml").read_text()
        by_id = {p["id"]: p for p in postings(SNAPSHOT)}
        blocks = text.split("\n  - id: ")[1:]
        rules = {block.split("\n")[0]: block for block in blocks}
        seen = set()
        for ident, block in rules.items():
            sponsorship = by_id[ident]["sponsorship"]
            seen.add(sponsorship)
            expected = {"U.S. Citizenship is Required": "citizenship: [us-citizen]\n",
                        "Does Not Offer Sponsorship":
                            "citizenship: [us-citizen, us-permanent-resident]\n"}.get(
                                sponsorship)
            assert (expected in block) if expected else ("citizenship:" not in block)
        assert len(seen) == 4


class TestReimport:
    def test_a_newer_list_moves_closes_and_cancels_without_duplicates(
            self, tmp_path: Path) -> None:
        import_and_build(tmp_path, SAMPLE)
        feeds = tmp_path / "calendars"
        before, days_before = every_own_event(feeds), events(feeds / "all.ics")
        result = import_and_build(tmp_path, NEWER)
        after, days_after = every_own_event(feeds), events(feeds / "all.ics")
        assert "1 new, 2 with changed dates, 1 newly cancelled" in result.output
        gone = uid(DATASET, "e7f7d326-1656-4c3f-ae8d-8bdcfd2739e6", "opens")
        assert str(after[gone]["STATUS"]) == "CANCELLED"
        moved = uid(DATASET, "c98343bc-6999-4e4b-aebd-f2e8eccc5a7f", "opens")
        assert after[moved].start == before[moved].start + dt.timedelta(days=2)
        assert int(after[moved]["SEQUENCE"]) == int(before[moved]["SEQUENCE"]) + 1
        added = uid(DATASET, "00000000-0000-4000-8000-000000000001", "opens")
        assert added in after
        assert set(after) - set(before) == {
            u for u in after if "00000000-0000-4000-8000-000000000001" in u}
        # A day's entries keep their UIDs as its postings close or are cancelled; the
        # changed ones rise in SEQUENCE.
        closing = next(p for p in postings(SAMPLE)
                       if p["id"] == "fd2aa27a-d775-4452-8bfc-318d2021b364")
        posted = day(int(closing["date_posted"])).isoformat()
        apply = f"{DATASET}.all.{posted}.apply@deadlinecal"
        assert closing["title"] in str(days_before[apply]["DESCRIPTION"])
        assert closing["title"] not in str(days_after[apply]["DESCRIPTION"])
        assert int(days_after[apply]["SEQUENCE"]) == int(days_before[apply]["SEQUENCE"]) + 1
        assert set(days_before) <= set(days_after)

    def test_a_cancelled_posting_stays_cancelled_on_the_next_import(
            self, tmp_path: Path) -> None:
        import_and_build(tmp_path, SAMPLE)
        import_and_build(tmp_path, NEWER)
        first = (tmp_path / "data" / "postings.yaml").read_bytes()
        result = import_and_build(tmp_path, NEWER)
        assert "0 newly cancelled (1 cancelled in all)" in result.output
        assert (tmp_path / "data" / "postings.yaml").read_bytes() == first

    def test_importing_the_same_file_twice_writes_identical_bytes(
            self, tmp_path: Path) -> None:
        one, two = tmp_path / "one.yaml", tmp_path / "two.yaml"
        assert run("import", "simplify", str(SAMPLE), "-o", str(one)).exit_code == 0
        assert run("import", "simplify", str(SAMPLE), "-o", str(two)).exit_code == 0
        assert one.read_bytes() == two.read_bytes()
        assert run("import", "simplify", str(SAMPLE), "-o", str(one)).exit_code == 0
        assert one.read_bytes() == two.read_bytes()
        assert one.read_text().startswith(MARKER)


class TestFeedLimits:
    def test_the_largest_feed_stays_within_the_budget(self, tmp_path: Path) -> None:
        result = import_and_build(tmp_path, SAMPLE, "--feed-budget-kb", "20")
        assert (tmp_path / "calendars" / "all.ics").stat().st_size <= 20_000
        assert "over the feed budget of 20,000 bytes (oldest first)" in result.output

    def test_the_newest_postings_are_the_ones_kept(self, tmp_path: Path) -> None:
        import_and_build(tmp_path, SAMPLE, "--feed-budget-kb", "20")
        every = events(tmp_path / "calendars" / "all.ics")
        opened = [e.start for u, e in every.items() if u.endswith(".new@deadlinecal")]
        open_postings = [p for p in visible(SAMPLE, "Summer 2026") if p["active"]]
        newest = max(day(int(p["date_posted"])) for p in open_postings)  # type: ignore[call-overload]
        assert newest in opened

    def test_postings_closed_long_ago_are_left_out(self, tmp_path: Path) -> None:
        closings = [day(int(p["date_updated"])) for p in postings(SNAPSHOT)
                    if "Summer 2025" in p["terms"] and p["is_visible"] and not p["active"]]
        assert min(closings) < dt.date(2024, 10, 14) <= max(closings)
        result = import_and_build(tmp_path, SNAPSHOT, "--keep-closed-days", "10")
        data = (tmp_path / "data" / "postings.yaml").read_text()
        kept = [dt.date.fromisoformat(line.split('closes: "')[1][:10])
                for line in data.splitlines() if "closes: " in line]
        assert kept and min(kept) >= dt.date(2024, 10, 14)
        assert "closed or cancelled more than 10 days before 2024-10-24" in result.output
