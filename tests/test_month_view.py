"""What a student sees in a phone's month and agenda views (the targets of the usability issue).

Read from the built feeds of the default data and of every golden test case.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from pathlib import Path

import icalendar
import pytest

from deadlinecal.dataset.validate import load_dataset
from deadlinecal.events.expand import expand
from deadlinecal.model import EventKind
from deadlinecal.site import build

ROOT = Path(__file__).resolve().parents[1]
DATASETS = [ROOT / "data" / "ml-internships-summer-2027.yaml",
            *sorted((ROOT / "tests" / "cases").glob("*/data.yaml"))]
ACTIONS = ("Opens", "Apply", "Check", "Closes", "Due", "Deadlines", "Watch", "Open")


def feeds_of(path: Path) -> dict[str, list[icalendar.Event]]:
    files = build(path.read_bytes(), file=path.name).files
    return {name: list(icalendar.Calendar.from_ical(content).walk("VEVENT"))
            for name, content in files.items() if name.endswith(".ics")}


def day_of(event: icalendar.Event) -> dt.date:
    start = event["DTSTART"].dt
    return start.date() if isinstance(start, dt.datetime) else start


@pytest.mark.parametrize("path", DATASETS, ids=lambda p: p.parent.name)
class TestTitles:
    def test_every_summary_fits_and_leads_with_the_action(self, path: Path) -> None:
        for events in feeds_of(path).values():
            for event in events:
                summary = str(event["SUMMARY"])
                assert len(summary) <= 32, summary
                action = summary.removeprefix("✕ ").removeprefix("~").split(":", 1)[0]
                assert action in ACTIONS, summary
                assert summary.index(action) + len(action) <= 12, summary

    def test_no_two_events_of_a_day_look_alike_in_a_month_view(self, path: Path) -> None:
        for name, events in feeds_of(path).items():
            shown = Counter((day_of(e), str(e["SUMMARY"])[:20]) for e in events)
            # A personal feed of a choice no program fits yet is empty.
            assert max(shown.values(), default=1) == 1, (name, shown.most_common(1))


@pytest.mark.parametrize("path", DATASETS, ids=lambda p: p.parent.name)
class TestNothingStranded:
    def test_watch_entries_start_on_or_after_the_updated_day_at_most_three_a_day(
            self, path: Path) -> None:
        dataset = load_dataset(path.read_bytes(), file=path.name).dataset
        watch = [e for e in expand(dataset) if e.kind is EventKind.WATCH]
        assert all(e.first_day >= dataset.updated for e in watch)
        assert max(Counter(e.first_day for e in watch).values(), default=0) <= 3

    def test_follow_ups_fall_before_the_earliest_possible_close(self, path: Path) -> None:
        dataset = load_dataset(path.read_bytes(), file=path.name).dataset
        events = expand(dataset)
        closing = {e.uid.rsplit(".", 1)[0]: e.first_day for e in events
                   if e.kind is EventKind.CLOSES}
        for event in events:
            if event.kind is EventKind.FOLLOW_UP:
                window = event.uid.rsplit(".", 1)[0]
                assert event.first_day < closing.get(window, dt.date.max), event.uid


class TestFollowUpsOnTheDefaultData:
    def test_an_uncertain_opening_gets_a_check_with_the_link_first(self) -> None:
        path = DATASETS[0]
        (nvidia,) = [e for e in feeds_of(path)["all.ics"]
                     if str(e["UID"]).endswith("nvidia-internship.summer-2027.follow-up@deadlinecal")]
        assert str(nvidia["SUMMARY"]) == "~Check: NVIDIA"
        first = str(nvidia["DESCRIPTION"]).split("\n")[0]
        assert first.startswith("Check whether NVIDIA Internships has opened: https://")
        assert "apply within 2 weeks of the day it opened" in first

    def test_quant_programs_say_apply_within_a_week(self) -> None:
        events = feeds_of(DATASETS[0])["tracks/quant.ics"]
        follow = [e for e in events if ".follow-up@" in str(e["UID"])]
        assert {str(e["SUMMARY"]) for e in follow} == {"~Check: Jane Street", "~Check: Citadel",
                                                       "~Check: Two Sigma"}
        assert all("within a week" in str(e["DESCRIPTION"]) for e in follow)

    def test_every_dated_program_has_a_link(self) -> None:
        dataset = load_dataset(DATASETS[0].read_bytes(), file="d.yaml").dataset
        assert all(p.link for p in dataset.programs if p.windows)

    def test_descriptions_start_with_the_action_and_the_link(self) -> None:
        for event in feeds_of(DATASETS[0])["all.ics"]:
            first = str(event["DESCRIPTION"]).split("\n")[0]
            assert first.split(" ")[0] in ("Apply", "Check", "Look", "Last", "Send", "Keep",
                                           "Have"), first
            assert str(event["URL"]) in first


class TestOnlyWhatTheSourceSays:
    def test_anthropic_states_no_eligibility_and_is_in_the_undergrad_feed_marked_so(
            self) -> None:
        feeds = feeds_of(DATASETS[0])
        (anthropic,) = [e for e in feeds["eligibility/undergrad.ics"]
                        if "anthropic" in str(e["UID"])]
        assert "Eligibility for Undergraduates: not stated by the source" in str(
            anthropic["DESCRIPTION"])
        assert "Eligible:" not in str(anthropic["DESCRIPTION"])

    def test_editor_notes_never_reach_a_feed(self) -> None:
        content = b"".join(build(DATASETS[0].read_bytes(), file="d.yaml").files.values())
        assert b"states no rule for the other groups" not in content


class TestDateFiltersByShownDay:
    """A December–February feed holds only entries shown in December–February."""

    def test_a_named_range_keeps_only_entries_shown_inside_it(self) -> None:
        from deadlinecal.events.select import select
        from deadlinecal.model import Filter

        dataset = load_dataset(DATASETS[0].read_bytes(), file="d.yaml").dataset
        chosen = Filter(date_from=dt.date(2026, 12, 1), date_until=dt.date(2027, 2, 28))
        kept = select(expand(dataset), chosen)
        assert kept
        assert all(chosen.date_from <= e.first_day <= chosen.date_until for e in kept)  # type: ignore[operator]
        # The NSF REU deadlines (shown 1 January) are in; its opening (November, an
        # estimate that could not reach December) and every watch-list entry are out.
        assert {e.uid.split(".")[1] for e in kept} == {"nsf-reu-ml"}


class TestSmallCommandLineFixes:
    def test_feed_dash_o_dash_writes_to_standard_output(self, tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
        from click.testing import CliRunner

        from deadlinecal.cli import main

        monkeypatch.chdir(ROOT)
        result = CliRunner().invoke(main, ["feed", "-t", "quant", "-o", "-"])
        assert result.exit_code == 0
        assert result.stdout.startswith("BEGIN:VCALENDAR")
        assert not (ROOT / "-").exists()

    def test_a_bad_day_gets_a_plain_message(self) -> None:
        from click.testing import CliRunner

        from deadlinecal.cli import main

        result = CliRunner().invoke(main, ["list", "--as-of", "2026-13-01"])
        assert result.exit_code == 2
        assert ("'2026-13-01' is not a real day; write it as YYYY-MM-DD, like 2026-10-14"
                in result.output)

    def test_validate_does_not_say_nothing_was_written(self, tmp_path: Path) -> None:
        from click.testing import CliRunner

        from deadlinecal.cli import main

        bad = tmp_path / "bad.yaml"
        bad.write_text("format: 1\n")
        result = CliRunner().invoke(main, ["validate", str(bad)])
        assert result.exit_code == 1
        assert "nothing was written" not in result.output
        assert result.output.rstrip().endswith("errors.")
