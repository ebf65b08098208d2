"""Records -> events: which events each window yields, on which days, with which UIDs."""

from __future__ import annotations

import datetime as dt

import pytest

from deadlinecal.dataset.validate import load_dataset
from deadlinecal.events.expand import expand
from deadlinecal.model import Event, EventKind

from .helpers import dataset_yaml, program

D = dt.date


def events_of(*programs: str) -> tuple[Event, ...]:
    return expand(load_dataset(dataset_yaml(*programs), file="t.yaml").dataset)


def by_kind(events: tuple[Event, ...]) -> dict[str, Event]:
    return {e.uid.split(".")[-1].split("@")[0]: e for e in events}


class TestOpeningAndFollowUp:
    def test_exact_opening_is_a_confirmed_all_day_event(self) -> None:
        events = by_kind(events_of(program(windows='- opens: "2026-10-14"')))
        opens = events["opens"]
        assert (opens.start, opens.end, opens.confirmed) == (D(2026, 10, 14), D(2026, 10, 15),
                                                             True)
        assert opens.summary == "Opens: Acme Program p1"

    def test_follow_up_is_fourteen_days_after_the_opening(self) -> None:
        follow = by_kind(events_of(program(windows='- opens: "2026-10-14"')))["follow-up"]
        assert follow.start == D(2026, 10, 28)
        assert follow.summary == "Apply: Acme Program p1"
        assert "2 weeks after the opening entry" in follow.description
        assert "Applying early leaves time" in follow.description

    def test_follow_up_offset_can_be_set_per_program(self) -> None:
        follow = by_kind(events_of(program(extra="follow_up_days: 10",
                                           windows='- opens: "2026-10-14"')))["follow-up"]
        assert follow.start == D(2026, 10, 24)
        assert follow.summary == "Apply: Acme Program p1"
        assert "10 days after the opening entry" in follow.description

    def test_fuzzy_opening_sits_on_the_first_possible_day_and_is_tentative(self) -> None:
        opens = by_kind(events_of(program(windows='- opens: "mid 2026-10"')))["opens"]
        assert opens.start == D(2026, 10, 11)
        assert not opens.confirmed
        assert opens.summary.startswith("~Opens")
        assert "expected mid-October 2026" in opens.description
        assert "not yet announced" in opens.description

    @pytest.mark.parametrize(("opens", "said"), [
        ("around early 2026-09", "expected around early September 2026, not yet announced; "
         "this entry is on 1 September 2026, the earliest day still possible."),
        ("around 2026-08", "expected around August 2026, not yet announced; this entry is "
         "on 1 August 2026, the earliest day still possible."),
        ("2026-08", "expected August 2026, not yet announced; this entry is on 1 August "
         "2026, the earliest day still possible, and the real date may be as late as 31 "
         "August 2026."),
    ])
    def test_an_estimate_keeps_the_words_of_the_data_and_invents_no_last_day(
            self, opens: str, said: str) -> None:
        events = by_kind(events_of(program(windows=f'- opens: "{opens}"')))
        assert f"Applications open: {said}" in events["opens"].description

    def test_a_wide_approximate_opening_is_checked_for_without_a_last_day(self) -> None:
        follow = by_kind(events_of(program(windows='- opens: "around 2026-08"')))["follow-up"]
        assert "look again each week: it is expected to open around August 2026." in (
            follow.description)

    def test_duration_gives_an_estimated_closing_without_inventing_precision(self) -> None:
        events = by_kind(events_of(program(windows='''
            - opens: "around mid 2026-10"
              duration: "2-4 weeks"
        ''')))
        assert "2–4 week window" in events["opens"].description
        closes = events["closes"]
        assert closes.start == D(2026, 10, 25)
        assert not closes.confirmed
        assert "between 25 October 2026 and 17 November 2026" in closes.description


class TestDeadlines:
    def test_timed_deadline_ends_at_the_deadline_in_its_zone(self) -> None:
        deadline = by_kind(events_of(program(
            windows='- deadline: "2027-01-15 23:59 America/New_York"')))["deadline"]
        assert isinstance(deadline.end, dt.datetime)
        assert deadline.end.astimezone(dt.UTC) == dt.datetime(2027, 1, 16, 4, 59, tzinfo=dt.UTC)
        assert deadline.start < deadline.end
        assert deadline.confirmed

    def test_a_range_of_deadlines_says_they_begin(self) -> None:
        deadline = by_kind(events_of(program(
            windows='- deadline: "2027-01..2027-03"')))["deadline"]
        assert deadline.summary == "~Deadlines: Acme Program p1"
        assert deadline.start == D(2027, 1, 1)


class TestWatchList:
    def test_program_without_windows_gets_one_watch_event_at_cycle_start(self) -> None:
        events = events_of(program())
        assert len(events) == 1
        assert events[0].kind is EventKind.WATCH
        assert events[0].start == D(2026, 8, 1)  # the data's updated day
        assert not events[0].confirmed
        assert "The source gives no application date" in events[0].description

    def test_year_round_window_says_so(self) -> None:
        events = events_of(program(windows="- year_round: true\n  rolling: true"))
        assert [e.summary for e in events] == ["Open: Acme Program p1"]


class TestUids:
    def test_uid_is_built_from_dataset_program_window_and_kind(self) -> None:
        events = events_of(program(windows='- key: fall\n  opens: "2026-10-14"'))
        assert {e.uid for e in events} == {"t.p1.fall.opens@deadlinecal",
                                           "t.p1.fall.follow-up@deadlinecal"}

    def test_uids_survive_reordering_programs_and_windows(self) -> None:
        a = program("a", windows='- key: one\n  opens: "2026-10"\n- key: two\n  opens: "2027-01"')
        a_swapped = program("a", windows='- key: two\n  opens: "2027-01"\n'
                                         '- key: one\n  opens: "2026-10"')
        b = program("b", windows='- opens: "2026-11-02"')
        first = {e.uid: e.start for e in events_of(a, b)}
        second = {e.uid: e.start for e in events_of(b, a_swapped)}
        assert first == second

    def test_uids_do_not_change_when_dates_and_names_change(self) -> None:
        before = {e.uid for e in events_of(program(windows='- opens: "mid 2026-10"'))}
        after = {e.uid for e in events_of(program(
            extra="notes: renamed", windows='- opens: "2026-10-14"'))}
        assert before == after


class TestOrder:
    def test_events_are_sorted_by_start_then_program(self) -> None:
        events = events_of(program("b", windows='- opens: "2026-10-01"'),
                           program("a", windows='- opens: "2026-10-01"'))
        assert [e.uid for e in events][:2] == ["t.a.main.opens@deadlinecal",
                                               "t.b.main.opens@deadlinecal"]


class TestDescriptions:
    def test_a_programs_events_share_one_copy_of_its_text(self) -> None:
        events = events_of(program(windows='- opens: "2026-10-14"\n  closes: "2026-10-31"'))
        assert len(events) >= 3
        # One string object for the program's part, not a copy in every event's text.
        assert len({id(e.about) for e in events}) == 1
        for event in events:
            assert event.description == f"{event.details}\n\n{event.about}"
            assert event.about.startswith("Program: ")

    def test_one_datasets_events_are_sorted_once(self, monkeypatch: pytest.MonkeyPatch
                                                  ) -> None:
        from deadlinecal.pipeline import load_selection

        data = dataset_yaml(program("a", windows='- opens: "2026-10-14"'),
                            program("b", windows='- deadline: "2026-09-01"'))
        real = Event.sort_key
        calls = []

        def counted(event: Event) -> tuple[str, str, str]:
            calls.append(event.uid)
            return real.fget(event)  # type: ignore[attr-defined,no-any-return]

        monkeypatch.setattr(Event, "sort_key", property(counted))
        _, events, _ = load_selection(["t.yaml"], lambda path, *_: data)
        assert sorted(calls) == sorted(e.uid for e in events)  # each key computed once
        assert len(events) > 2 and events == sorted(events, key=real.fget)  # type: ignore[attr-defined]
