"""Cancelled programs and windows, and projected windows of recurring programs."""

from __future__ import annotations

import datetime as dt

import pytest

from deadlinecal.errors import DataError

from .updates_support import BASE, STEP_OPENS, build, edit, events

UPDATED_LINE = '  updated: "2026-07-31"\n'

PROJECTED_OPENS = "demo.step.summer-2028.opens@deadlinecal"
RECURRING = ('        duration: "2-4 weeks"\n',
             '        duration: "2-4 weeks"\n        recurs_yearly: true\n')


class TestCancelled:
    def test_a_cancelled_program_keeps_its_events_as_cancelled(self) -> None:
        text = edit(BASE, "    program: STEP internship\n",
                    "    program: STEP internship\n    cancelled: true\n")
        step = {uid: seen for uid, seen in events(build(text).files["all.ics"]).items()
                if uid.startswith("demo.step.")}
        assert len(step) == 3
        assert {seen.status for seen in step.values()} == {"CANCELLED"}

    def test_a_cancelled_window_is_struck_as_an_update_of_the_same_event(self) -> None:
        first = build(BASE)
        text = edit(BASE, *RECURRING[:1], '        duration: "2-4 weeks"\n'
                    '        cancelled: true\n')
        seen = events(build(text, previous=first.files).files["all.ics"])[STEP_OPENS]
        assert (seen.status, seen.sequence) == ("CANCELLED", 1)
        assert seen.summary.startswith("✕ ")

    def test_other_programs_are_not_cancelled(self) -> None:
        text = edit(BASE, "    program: STEP internship\n",
                    "    program: STEP internship\n    cancelled: true\n")
        statuses = {seen.status for uid, seen in events(build(text).files["all.ics"]).items()
                    if not uid.startswith("demo.step.")}
        assert "CANCELLED" not in statuses

    # "The cycle has ended" is judged by the data's `updated` day, never the clock, so a
    # build gives the same feeds on any day (and `build --check` never goes stale by itself).
    def test_cancelled_events_stay_while_the_data_is_from_within_the_cycle(self) -> None:
        text = edit(BASE, "    program: STEP internship\n",
                    "    program: STEP internship\n    cancelled: true\n")
        feed = build(text, as_of=dt.date(2030, 1, 1)).files["all.ics"]
        assert STEP_OPENS in events(feed)

    def test_cancelled_events_leave_once_the_data_is_updated_after_the_cycle(self) -> None:
        text = edit(BASE, "    program: STEP internship\n",
                    "    program: STEP internship\n    cancelled: true\n")
        text = edit(text, UPDATED_LINE, '  updated: "2027-10-01"\n')
        feed = build(text).files["all.ics"]
        assert STEP_OPENS not in events(feed)


class TestRecurring:
    def test_a_recurring_window_projects_a_tentative_window_a_year_later(self) -> None:
        seen = events(build(edit(BASE, *RECURRING)).files["all.ics"])[PROJECTED_OPENS]
        assert (seen.start, seen.status) == (dt.date(2027, 10, 11), "TENTATIVE")

    def test_the_projection_is_labelled_with_the_year_it_comes_from(self) -> None:
        seen = events(build(edit(BASE, *RECURRING)).files["all.ics"])[PROJECTED_OPENS]
        assert seen.summary == "~Opens: Google STEP 2028"
        assert b"projection from the 2026 window" in seen.block

    def test_real_dates_replace_the_projection_under_the_same_uid(self) -> None:
        first = build(edit(BASE, *RECURRING))
        real = _program_last(edit(BASE, *RECURRING)) + (
            "      - key: summer-2028\n        opens: \"2027-10-13\"\n"
            "        closes: \"2027-10-29\"\n")
        second = build(real, previous=first.files)
        seen = events(second.files["all.ics"])[PROJECTED_OPENS]
        assert (seen.start, seen.status, seen.sequence) == (dt.date(2027, 10, 13),
                                                             "CONFIRMED", 1)

    def test_the_real_window_leaves_no_projection_beside_it(self) -> None:
        real = _program_last(edit(BASE, *RECURRING)) + (
            "      - key: summer-2028\n        opens: \"2027-10-13\"\n")
        summaries = [seen.summary for seen in events(build(real).files["all.ics"]).values()]
        assert not any("projected" in summary for summary in summaries)

    def test_a_projection_that_lands_on_29_february_falls_back_to_the_28th(self) -> None:
        text = edit(edit(BASE, *RECURRING), 'opens: "around mid 2026-10"',
                    'opens: "2028-02-29"')
        text = edit(text, "summer-2027\n        opens: \"2028-02-29\"",
                    "summer-2028\n        opens: \"2028-02-29\"")
        seen = events(build(text).files["all.ics"])["demo.step.summer-2029.opens@deadlinecal"]
        assert seen.start == dt.date(2029, 2, 28)

    def test_a_recurring_window_key_must_end_in_a_year(self) -> None:
        text = edit(edit(BASE, *RECURRING), "      - key: summer-2027\n        opens: \"around",
                    "      - key: summer\n        opens: \"around")
        with pytest.raises(DataError, match="does not end in a year"):
            build(text)


def _program_last(text: str) -> str:
    """Move the STEP program to the end, so a window appended to the text belongs to it."""
    start = text.index("  - id: step")
    end = text.index("  - id: reu")
    return text[:start] + text[end:] + text[start:end]


class TestSchema:
    def test_the_shipped_schema_accepts_the_new_keys(self) -> None:
        import json
        from pathlib import Path

        import jsonschema
        import yaml

        text = edit(edit(BASE, *RECURRING), "    program: STEP internship\n",
                    "    program: STEP internship\n    cancelled: true\n")
        text = text.replace("format: 1\n", "format: 1\ninclude: [other.yaml]\n", 1)
        text = text.replace("programs:\n", "feeds:\n  autumn:\n    title: Autumn\n"
                            "    filter: {from: \"2026-09-01\", until: \"2026-11-30\"}\n"
                            "programs:\n", 1)
        schema = json.loads((Path(__file__).resolve().parent.parent / "src" / "deadlinecal"
                             / "schema" / "deadlinecal.schema.json").read_text())
        class Plain(yaml.SafeLoader):
            """YAML 1.1 without timestamps: dates stay text, as the validator reads them."""

        Plain.yaml_implicit_resolvers = {
            first: [r for r in resolvers if r[0] != "tag:yaml.org,2002:timestamp"]
            for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()}
        jsonschema.validate(yaml.load(text, Loader=Plain), schema)
