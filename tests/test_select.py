"""Feed filters: OR within a field, AND across fields; the standard feed set."""

from __future__ import annotations

from deadlinecal.model import Filter
from deadlinecal.select import program_matches, standard_feeds
from deadlinecal.validate import load_dataset

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


class TestStandardFeeds:
    def test_all_then_tracks_then_eligibility(self) -> None:
        assert [f.path for f in standard_feeds(DATA)] == [
            "all.ics", "tracks/research.ics", "tracks/applied.ics",
            "eligibility/undergrad.ics", "eligibility/phd.ics"]
