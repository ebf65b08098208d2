"""Five parsers nobody on this project wrote must each see exactly the events we meant."""

from __future__ import annotations

from pathlib import Path

import pytest

from . import adapters
from .conftest import DATASETS, Feeds


def _differences(feeds: Feeds, seen: dict[Path, list[adapters.Seen]]) -> list[str]:
    problems = []
    for file in feeds.files:
        got, meant = seen.get(file, []), feeds.meant[file]
        if got == meant:
            continue
        extra = sorted(set(got) - set(meant))
        missing = sorted(set(meant) - set(got))
        problems.append(f"{file}:\n  parser saw:  {extra}\n  we meant:    {missing}")
    return problems


class TestFeedsUnderTest:
    def test_every_dataset_has_a_nonempty_all_feed(self, feeds: Feeds) -> None:
        alls = {file.parent.name: feeds.meant[file] for file in feeds.files
                if file.name == "all.ics"}
        assert set(alls) == set(DATASETS)
        assert len(DATASETS) >= 5
        assert all(alls.values())

    def test_the_feed_command_output_is_included(self, feeds: Feeds) -> None:
        (feed,) = [file for file in feeds.files if file.name == "feed.ics"]
        assert feeds.meant[feed]

    def test_fixtures_include_timed_all_day_and_alarmed_events(self, feeds: Feeds) -> None:
        everything = [e for events in feeds.meant.values() for e in events]
        assert any(e.all_day for e in everything)
        assert any(not e.all_day for e in everything)


class TestParsersSeeWhatWeMeant:
    def test_icalendar(self, feeds: Feeds) -> None:
        assert _differences(feeds, adapters.by_icalendar(feeds.files)) == []

    def test_ical_home_assistant(self, feeds: Feeds) -> None:
        assert _differences(feeds, adapters.by_ical(feeds.files)) == []

    def test_vobject(self, feeds: Feeds) -> None:
        assert _differences(feeds, adapters.by_vobject(feeds.files)) == []

    def test_icaljs_mozilla(self, feeds: Feeds) -> None:
        assert _differences(feeds, adapters.by_icaljs(feeds.files)) == []

    def test_libical_evolution(self, feeds: Feeds, libical_program: Path) -> None:
        assert _differences(feeds, adapters.by_libical(libical_program)(feeds.files)) == []


class TestGeneratedFeedsLintClean:
    def test_every_generated_feed_has_no_lint_findings(self, feeds: Feeds) -> None:
        from deadlinecal.ical.lint import lint

        found = {str(file): lint(file.read_bytes()) for file in feeds.files}
        assert {file: findings for file, findings in found.items() if findings} == {}


class TestMissingParsersFail:
    def test_missing_icaljs_install_fails_instead_of_skipping(
            self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setattr(adapters, "HERE", tmp_path)
        with pytest.raises(AssertionError, match=r"ical\.js is not installed"):
            adapters.by_icaljs([])

    def test_missing_libical_headers_fail_instead_of_skipping(
            self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setenv("PKG_CONFIG_PATH", str(tmp_path))
        monkeypatch.setenv("PKG_CONFIG_LIBDIR", str(tmp_path))
        with pytest.raises(AssertionError, match="pkg-config failed"):
            adapters.compile_libical(tmp_path)


# Deadlines whose UTC instant a misread VTIMEZONE moved (tests/interop/data/zones.yaml):
# an RDATE list lost later onsets in ical.js and vobject, and icalendar's VTIMEZONE left out
# Casablanca's 2027 Ramadan. Each end is the deadline itself, in UTC.
ZONE_DEADLINES = {
    "chatham-leap-day": "2028-02-29T10:14:00Z",  # 23:59 +1345
    "chatham-after-spring-forward": "2026-09-26T14:05:00Z",  # 03:50 +1345
    "la-after-spring-forward-2027": "2027-03-14T10:30:00Z",  # 03:30 PDT
    "la-after-spring-forward-2028": "2028-03-12T10:30:00Z",
    "la-second-winter": "2027-12-01T20:00:00Z",  # 12:00 PST
    "london-second-winter": "2027-11-15T09:00:00Z",
    "london-after-spring-forward": "2028-03-26T01:30:00Z",  # 02:30 BST
    "lord-howe-second-spring": "2027-10-02T15:45:00Z",  # 02:45 +11, 30 min after the change
    "kolkata": "2027-01-26T12:00:00Z",
    "sao-paulo": "2027-11-05T15:00:00Z",
    "casablanca-ramadan": "2027-02-20T12:00:00Z",  # +00 during Ramadan
    # +00 for good from September 2026 in the tzdata package (tz 2026f); +01 in 2025b.
    "casablanca-after-ramadan": "2027-04-01T12:00:00Z",
}


class TestDeadlinesInManyZones:
    @pytest.mark.parametrize("parser", ["icalendar", "ical", "vobject", "icaljs", "libical"])
    def test_every_parser_reads_each_deadline_at_its_instant(
            self, feeds: Feeds, parser: str, request: pytest.FixtureRequest) -> None:
        (feed,) = [file for file in feeds.files
                   if file.parent.name == "zones" and file.name == "all.ics"]
        read: adapters.Parser = (
            adapters.by_libical(request.getfixturevalue("libical_program"))
            if parser == "libical" else getattr(adapters, f"by_{parser}"))
        ends = {seen.uid.split(".")[1]: seen.end for seen in read([feed])[feed]
                if seen.uid.endswith(".main.deadline@deadlinecal")}
        assert {program: ends.get(program) for program in ZONE_DEADLINES} == ZONE_DEADLINES
