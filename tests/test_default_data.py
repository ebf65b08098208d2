"""The default dataset: every program reaches exactly the feeds it belongs to, and the
committed calendars/ folder is what the data produces."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import icalendar
import pytest

from deadlinecal.model import EventKind
from deadlinecal.site import Build

from .conftest import DEFAULT_DATA, ROOT

SEED_PROGRAMS = {
    "nsf-reu-ml", "google-deepmind-student-researcher", "meta-fair-research",
    "meta-swe-internship", "ai2-research-internship", "mlh-fellowship",
    "apple-aiml-undergrad", "nvidia-internship", "amazon-applied-scientist-intern",
    "amazon-sde-intern", "microsoft-internship", "microsoft-explore", "google-step",
    "jane-street-internship", "citadel-internship", "two-sigma-internship",
    "openai-residency", "anthropic-fellows",
}


def parse(content: bytes) -> list[icalendar.Event]:
    calendar = icalendar.Calendar.from_ical(content)
    return list(calendar.events)


def program_of(uid: str) -> str:
    return uid.split("@")[0].split(".")[1]


class TestEveryProgram:
    def test_the_seed_programs_are_all_in_the_data(self, default_build: Build) -> None:
        assert {p.id for p in default_build.dataset.programs} == SEED_PROGRAMS

    def test_each_program_appears_in_all_ics(self, default_build: Build) -> None:
        seen = {program_of(str(e["UID"])) for e in parse(default_build.files["all.ics"])}
        assert seen == SEED_PROGRAMS

    @pytest.mark.parametrize("kind", ["tracks", "eligibility"])
    def test_each_program_is_in_exactly_the_feeds_it_belongs_to(self, default_build: Build,
                                                                 kind: str) -> None:
        for program in default_build.dataset.programs:
            # A group whose rule the source does not state keeps the program too.
            belongs = ({program.track} if kind == "tracks"
                       else {*program.eligibility, *program.not_stated})
            found = {
                path.removeprefix(f"{kind}/").removesuffix(".ics")
                for path, content in default_build.files.items()
                if path.startswith(f"{kind}/")
                and program.id in {program_of(str(e["UID"])) for e in parse(content)}
            }
            assert found == belongs, program.id

    def test_us_only_programs_stay_out_of_the_international_feed(self, default_build: Build) -> None:
        content = default_build.files["feeds/open-to-international.ics"]
        seen = {program_of(str(e["UID"])) for e in parse(content)}
        assert "nsf-reu-ml" not in seen
        assert "google-step" in seen

    def test_programs_without_a_date_are_reported_and_on_the_watch_list(self, default_build: Build) -> None:
        assert {p.id for p in default_build.undated} == {
            "meta-fair-research", "mlh-fellowship", "microsoft-explore", "openai-residency",
            "anthropic-fellows"}
        watch = [e for e in default_build.events if e.kind is EventKind.WATCH]
        assert all(not e.confirmed for e in watch)
        # From the data's updated day (31 July), at most three a day.
        assert sorted(e.start for e in watch) == [dt.date(2026, 7, 31)] * 3 + [
            dt.date(2026, 8, 1)] * 3


class TestSeedDates:
    @pytest.mark.parametrize(("program", "opens"), [
        # July–August, but still unannounced on the data's updated day (31 July).
        ("amazon-sde-intern", dt.date(2026, 7, 31)),
        ("microsoft-internship", dt.date(2026, 8, 11)),
        ("jane-street-internship", dt.date(2026, 8, 1)),
        ("nvidia-internship", dt.date(2026, 8, 1)),
        ("meta-swe-internship", dt.date(2026, 9, 1)),
        ("apple-aiml-undergrad", dt.date(2026, 9, 1)),
        ("google-step", dt.date(2026, 10, 11)),
        ("nsf-reu-ml", dt.date(2026, 11, 1)),
    ])
    def test_opening_sits_on_the_first_day_it_may_open(self, default_build: Build, program: str,
                                                       opens: dt.date) -> None:
        (event,) = [e for e in default_build.events
                    if e.program.id == program and e.kind is EventKind.OPENS]
        assert event.start == opens
        assert not event.confirmed  # every seed date is an estimate

    def test_every_opening_has_a_follow_up_after_its_offset(self, default_build: Build) -> None:
        opens = {e.uid.replace(".opens@", "@"): e.start for e in default_build.events
                 if e.kind is EventKind.OPENS}
        follow = {e.uid.replace(".follow-up@", "@"): e.start for e in default_build.events
                  if e.kind is EventKind.FOLLOW_UP}
        assert opens.keys() == follow.keys()
        gaps = {k.split(".")[1]: (follow[k] - opens[k]).days for k in opens}
        # The seed: quant firms "the week they open"; Google STEP's follow-up moves before
        # its earliest possible close (11 October + 2 weeks).
        assert gaps == {"nsf-reu-ml": 14, "google-deepmind-student-researcher": 14,
                        "meta-swe-internship": 14, "apple-aiml-undergrad": 14,
                        "nvidia-internship": 14, "amazon-applied-scientist-intern": 14,
                        "amazon-sde-intern": 14, "microsoft-internship": 14,
                        "google-step": 13, "jane-street-internship": 7,
                        "citadel-internship": 7, "two-sigma-internship": 7}


class TestFeedsParseBack:
    def test_every_feed_has_unique_uids_and_the_subscription_properties(self, default_build: Build) -> None:
        for path, content in default_build.files.items():
            if not path.endswith(".ics"):
                continue
            calendar = icalendar.Calendar.from_ical(content)
            for name in ("VERSION", "PRODID", "CALSCALE", "METHOD", "NAME", "X-WR-CALNAME",
                         "DESCRIPTION", "REFRESH-INTERVAL", "X-PUBLISHED-TTL"):
                assert name in calendar, (path, name)
            assert calendar["METHOD"] == "PUBLISH"
            assert calendar["REFRESH-INTERVAL"].params["VALUE"] == "DURATION"
            uids = Counter(str(e["UID"]) for e in calendar.events)
            # A personal feed of a choice no program fits yet is empty until one does.
            assert uids or path.startswith("picked/"), path
            assert max(uids.values(), default=1) == 1, path

    def test_all_day_events_use_dates_with_exclusive_end(self, default_build: Build) -> None:
        for event in parse(default_build.files["all.ics"]):
            start, end = event.start, event.end
            if not isinstance(start, dt.datetime):
                assert end == start + dt.timedelta(days=1)
                assert event["DTSTART"].params.get("VALUE") == "DATE"
            assert event["TRANSP"] == "TRANSPARENT"
            assert event["STATUS"] in ("CONFIRMED", "TENTATIVE")

    def test_dtstamp_comes_from_the_data_not_the_clock(self, default_build: Build) -> None:
        stamps = {e.DTSTAMP for e in parse(default_build.files["all.ics"])}
        assert stamps == {dt.datetime(2026, 7, 31, tzinfo=dt.UTC)}


class TestCommittedOutput:
    def test_calendars_folder_is_what_the_default_data_builds(self) -> None:
        from deadlinecal.site import build_all

        folder = ROOT / "calendars"
        # Dot files (the rebuild manifest) are local bookkeeping, not committed output.
        committed = {p.relative_to(folder).as_posix(): p.read_bytes()
                     for p in folder.rglob("*") if p.is_file() and not p.name.startswith(".")}
        # Built against the committed feeds, as `deadlinecal build` does, so the revision
        # numbers (SEQUENCE) subscribers already have are part of what must match.
        # And with the record of every personal address published (picked/choices.json).
        rebuilt = build_all([str(DEFAULT_DATA)], lambda path: DEFAULT_DATA.read_bytes(),
                            previous=committed, record=committed["picked/choices.json"],
                            picked={path: content for path, content in committed.items()
                                    if path.startswith("picked/")})
        assert committed == rebuilt.files
