"""Feed filters: OR within a field, AND across fields; the standard feed set."""

from __future__ import annotations

import datetime as dt
import unicodedata

import pytest

from deadlinecal.dataset.validate import load_dataset
from deadlinecal.errors import FilterError
from deadlinecal.events.select import (
    casefold,
    check_filter,
    program_matches,
    select,
    select_feeds,
    standard_feeds,
)
from deadlinecal.model import Filter
from deadlinecal.site import build

from .helpers import dataset_yaml, program

DATA = load_dataset(dataset_yaml(
    program("r-ug", track="research", eligibility="[undergrad]"),
    program("a-phd-us", track="applied", eligibility="[phd]", extra="citizenship: [us]"),
    program("r-both", track="research", eligibility="[undergrad, phd]"),
), file="t.yaml").dataset


def kept(chosen: Filter) -> set[str]:
    return {p.id for p in DATA.programs if program_matches(p, chosen)}


class TestProgramMatches:
    def test_empty_filter_keeps_everything(self) -> None:
        assert kept(Filter()) == {"r-ug", "a-phd-us", "r-both"}

    def test_or_within_one_field(self) -> None:
        assert kept(Filter(tracks=("research", "applied"))) == {"r-ug", "a-phd-us", "r-both"}

    def test_and_across_fields(self) -> None:
        assert kept(Filter(tracks=("research",), eligibility=("phd",))) == {"r-both"}

    def test_programs_without_citizenship_rule_are_open_to_all(self) -> None:
        assert kept(Filter(citizenship=("other",))) == {"r-ug", "r-both"}
        assert kept(Filter(citizenship=("us",))) == {"r-ug", "a-phd-us", "r-both"}

    def test_employer_match_ignores_case(self) -> None:
        assert kept(Filter(employers=("ACME",))) == {"r-ug", "a-phd-us", "r-both"}
        assert kept(Filter(employers=("Other Co",))) == set()

    def test_employer_must_be_the_whole_name(self) -> None:
        assert kept(Filter(employers=("Acm",))) == set()
        assert kept(Filter(employers=("a",))) == set()

    def test_terms_match_in_any_case(self) -> None:
        assert kept(Filter(tracks=("Research",), eligibility=("PHD",))) == {"r-both"}
        assert kept(Filter(citizenship=("US",))) == {"r-ug", "a-phd-us", "r-both"}


class TestFold:
    def test_case_accent_form_and_white_space_do_not_count(self) -> None:
        composed = unicodedata.normalize("NFC", "Café Labs")
        decomposed = unicodedata.normalize("NFD", " CAFÉ\tlabs ")
        assert composed != decomposed.strip()
        assert casefold(composed) == casefold(decomposed) == "café labs"

    def test_compatibility_forms_fold_to_plain_letters(self) -> None:
        assert casefold("\uff21\ufb01") == "afi"  # full-width A, the "fi" ligature

    def test_different_letters_stay_different(self) -> None:
        assert casefold("Meta") != casefold("Metaculus")
        assert casefold("Cafe") != casefold("Café")


class TestCheckFilter:
    def test_values_come_back_spelled_as_the_dataset_spells_them(self) -> None:
        chosen = check_filter(Filter(tracks=("RESEARCH",), employers=("acme",)), DATA)
        assert (chosen.tracks, chosen.employers) == (("research",), ("Acme",))

    def test_an_unknown_employer_is_refused_with_a_suggestion(self) -> None:
        with pytest.raises(FilterError, match=r"--employer 'Acm' is not in this dataset\. "
                           r"Did you mean 'Acme'\? Valid: Acme\.$"):
            check_filter(Filter(employers=("Acm",)), DATA)

    def test_an_unknown_term_is_refused_with_a_suggestion(self) -> None:
        with pytest.raises(FilterError, match=r"--track 'reserch' .* Did you mean 'research'"):
            check_filter(Filter(tracks=("reserch",)), DATA)


class TestStandardFeeds:
    def test_all_then_tracks_then_eligibility(self) -> None:
        assert [f.path for f in standard_feeds(DATA)] == [
            "all.ics", "tracks/research.ics", "tracks/applied.ics",
            "eligibility/undergrad.ics", "eligibility/phd.ics"]


class TestSelectFeeds:
    def test_one_pass_keeps_what_select_keeps_for_every_filter(self) -> None:
        events = build(dataset_yaml(
            program("exact", track="research", eligibility="[undergrad]",
                    windows='- opens: "2026-10-14"\n  closes: "2026-10-31 17:00"'),
            program("fuzzy", track="applied", eligibility="[phd]", windows='- opens: "2026-11"'),
            program("both", track="research", eligibility="[undergrad, phd]",
                    windows='- deadline: "2026-12-01"'),
            program("unknown", track="applied", eligibility="[phd]"),
        ), file="t.yaml").events
        filters = {spec.path: spec.filter for spec in standard_feeds(DATA)} | {
            "confirmed": Filter(confirmed_only=True),
            "research, confirmed": Filter(tracks=("research",), confirmed_only=True),
            "autumn": Filter(date_from=dt.date(2026, 10, 1), date_until=dt.date(2026, 10, 31)),
            "phd from November": Filter(eligibility=("phd",), date_from=dt.date(2026, 11, 1)),
            "nothing": Filter(employers=("nobody",)),
        }
        chosen = select_feeds(events, filters)
        assert list(chosen) == list(filters)
        for key, each in filters.items():
            assert chosen[key] == select(events, each), key
        assert {key for key in filters if 0 < len(chosen[key]) < len(events)} == (
            set(filters) - {"all.ics", "nothing"})
