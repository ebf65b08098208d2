"""Eligibility per group: open, closed (ruled out by the source) or not stated."""

from __future__ import annotations

import pytest

from deadlinecal.dataset.validate import Loaded, load_dataset
from deadlinecal.errors import DataError
from deadlinecal.events.expand import expand
from deadlinecal.events.select import program_matches
from deadlinecal.model import Filter, Program

from .helpers import dataset_yaml, program

WINDOW = '- opens: "2026-10"'


def loaded(eligibility: str, *, unstated: bool = False) -> Loaded:
    return load_dataset(dataset_yaml(program(eligibility=eligibility, extra="citizenship: []",
                                             windows=WINDOW)),
                        file="t.yaml", unstated=unstated)


def only(eligibility: str) -> Program:
    (found,) = loaded(eligibility).dataset.programs
    return found


def problems(eligibility: str) -> list[str]:
    with pytest.raises(DataError) as raised:
        loaded(eligibility)
    return [f"{p.path}: {p.message}" for p in raised.value.problems]


def description(eligibility: str) -> str:
    data = loaded(eligibility).dataset
    return expand(data)[0].description


class TestForms:
    def test_a_mapping_leaves_the_groups_it_does_not_name_not_stated(self) -> None:
        found = only("{open_to: [phd]}")
        assert (found.eligibility, found.not_stated) == (("phd",), ("undergrad",))

    def test_a_group_in_closed_to_is_neither_open_nor_not_stated(self) -> None:
        found = only("{open_to: [phd], closed_to: [undergrad]}")
        assert (found.eligibility, found.not_stated) == (("phd",), ())

    def test_a_plain_list_keeps_its_old_meaning_open_to_those_closed_to_the_rest(self) -> None:
        found = only("[phd]")
        assert (found.eligibility, found.not_stated) == (("phd",), ())

    @pytest.mark.parametrize("written", ["[]", "{}", "{open_to: [], closed_to: []}"])
    def test_stating_nothing_leaves_every_group_not_stated_and_warns(self, written: str) -> None:
        result = loaded(written, unstated=True)
        assert result.dataset.programs[0].not_stated == ("undergrad", "phd")
        assert [f"{w.path}: {w.message}" for w in result.warnings] == [
            "programs[0] (p1).eligibility: p1 states no eligibility, so it joins every "
            "group's feed marked 'not stated'"]

    def test_stating_one_group_is_not_warned_about(self) -> None:
        assert loaded("{closed_to: [undergrad]}", unstated=True).warnings == ()

    def test_an_undeclared_group_is_an_error_at_its_place(self) -> None:
        assert problems("{open_to: [phd], closed_to: [masters]}") == [
            "programs[0] (p1).eligibility.closed_to[0]: 'masters' is not a declared closed_to "
            "term"]

    def test_a_group_both_open_and_closed_is_an_error(self) -> None:
        assert problems("{open_to: [phd], closed_to: [phd]}") == [
            "programs[0] (p1).eligibility.closed_to: 'phd' is both open and closed"]

    def test_an_unknown_key_in_the_mapping_is_an_error(self) -> None:
        assert problems("{open: [phd]}")[0].startswith(
            "programs[0] (p1).eligibility.open: unknown key 'open'")


class TestFeeds:
    @pytest.mark.parametrize(("written", "kept"), [
        ("{open_to: [phd]}", {"undergrad", "phd"}),
        ("{open_to: [phd], closed_to: [undergrad]}", {"phd"}),
        ("[phd]", {"phd"}),
        ("[]", {"undergrad", "phd"}),
    ])
    def test_a_group_keeps_the_program_unless_the_source_rules_it_out(
            self, written: str, kept: set[str]) -> None:
        found = only(written)
        assert {group for group in ("undergrad", "phd")
                if program_matches(found, Filter(eligibility=(group,)))} == kept

    def test_the_description_names_each_group_not_stated(self) -> None:
        text = description("{open_to: [phd]}")
        assert "Eligible: PhD students\nEligibility for Undergraduates: not stated by the " \
               "source\nCitizenship: not stated by the source" in text

    def test_a_description_stating_nothing_has_no_eligible_line(self) -> None:
        text = description("[]")
        assert "Eligible:" not in text
        assert ("Eligibility for Undergraduates: not stated by the source\n"
                "Eligibility for PhD students: not stated by the source") in text

    def test_a_plain_list_reads_as_before(self) -> None:
        text = description("[phd]")
        assert "Eligible: PhD students\nCitizenship" in text and "not stated by the source\n" \
               "Citizenship" not in text


class TestLastVerified:
    def test_a_month_is_said_as_a_month(self) -> None:
        data = load_dataset(dataset_yaml(program(windows=WINDOW).replace(
            '"2026-07-15"', '"2026-07"')), file="t.yaml").dataset
        assert data.programs[0].verified_month
        assert expand(data)[0].description.endswith("Last verified: July 2026")

    def test_an_estimate_is_refused(self) -> None:
        with pytest.raises(DataError) as raised:
            load_dataset(dataset_yaml(program().replace('"2026-07-15"', '"around 2026-07"')),
                         file="t.yaml")
        assert raised.value.problems[0].message == "'around 2026-07' is not one exact day or month"
