"""A term written in the wrong case (or slightly misspelled) gets the declared spelling."""

from __future__ import annotations

from pathlib import Path

import pytest

from .badinput_support import BASE, failed_build, replaced

ONE = "1 error; nothing was written.\n"


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _error(workdir: Path, data: str) -> str:
    result = failed_build(workdir, data)
    assert result.exit_code == 1
    return result.stderr


class TestTermInTheWrongCase:
    def test_a_capitalised_track_suggests_the_declared_term(self, workdir: Path) -> None:
        data = replaced("    track: research", "    track: Research")
        assert _error(workdir, data) == (
            "data.yaml:19:12: error: programs[0] (alpha).track: 'Research' is not a declared "
            "track term; did you mean 'research'? (expected one of research, applied; terms "
            "are written in lower-case letters, digits and hyphens)\n" + ONE)

    def test_an_upper_case_eligibility_group_suggests_the_declared_term(
            self, workdir: Path) -> None:
        data = replaced("eligibility: [undergrad, phd]", "eligibility: [undergrad, PHD]")
        assert "'PHD' is not a declared eligibility term; did you mean 'phd'?" in _error(
            workdir, data)

    def test_a_capitalised_and_misspelled_track_still_gets_a_suggestion(
            self, workdir: Path) -> None:
        data = replaced("    track: research", "    track: Reserch")
        assert "'Reserch' is not a declared track term; did you mean 'research'?" in _error(
            workdir, data)

    def test_a_feed_filter_term_in_the_wrong_case_suggests_the_declared_term(
            self, workdir: Path) -> None:
        data = BASE + "feeds:\n  mine:\n    title: Mine\n    filter: {track: Applied}\n"
        assert "filter.track[0]: 'Applied' is not a declared track term; did you mean " \
               "'applied'?" in _error(workdir, data)

    def test_a_term_that_is_no_identifier_and_like_no_term_says_how_terms_are_written(
            self, workdir: Path) -> None:
        data = replaced("    track: research", "    track: Big Tech")
        assert _error(workdir, data) == (
            "data.yaml:19:12: error: programs[0] (alpha).track: 'Big Tech' is not a declared "
            "track term (expected one of research, applied; terms are written in lower-case "
            "letters, digits and hyphens)\n" + ONE)
