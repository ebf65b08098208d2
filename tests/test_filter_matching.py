"""Filter values match data values exactly, after case folding and Unicode normalisation.

The same rule holds for `feed` and `list` options and for named feeds in the data; a value
that matches nothing is a usage error on the command line and a located data error in a file.
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from deadlinecal.cli import main
from deadlinecal.errors import DataError

from .helpers import HEADER
from .updates_support import build

NFC = unicodedata.normalize("NFC", "Café Labs")
NFD = unicodedata.normalize("NFD", "Café Labs")
assert NFC != NFD


def entry(id: str, employer: str, *, track: str = "research") -> str:
    return f"""\
  - id: {id}
    employer: "{employer}"
    program: Program {id}
    track: {track}
    eligibility: [undergrad]
    last_verified: "2026-07-15"
    windows:
      - opens: "2026-10-14"
"""


def data(*entries: str, feeds: str = "") -> str:
    head = HEADER.replace("programs:\n", f"feeds:\n{feeds}programs:\n") if feeds else HEADER
    return head + "".join(entries)


def uids(feed: bytes) -> set[str]:
    """The program ids of a feed's events (UIDs are dataset.program.window.kind@...)."""
    return set(re.findall(r"^UID:[^.\r]+\.([^.\r]+)\.[^.\r]+\.[^\r]*\r$", feed.decode(), flags=re.M))


def run(tmp_path: Path, text: str, *args: str) -> Result:
    path = tmp_path / "data.yaml"
    path.write_text(text, encoding="utf-8")
    return CliRunner().invoke(main, [args[0], str(path), *args[1:]])


EMPLOYERS = data(entry("meta", "Meta"), entry("metaculus", "Metaculus"),
                 entry("cafe", NFC), entry("applied", "Acme", track="applied"))


class TestEmployerOption:
    def test_a_name_does_not_match_a_longer_name_that_starts_with_it(
            self, tmp_path: Path) -> None:
        result = run(tmp_path, EMPLOYERS, "feed", "--employer", "Meta")
        assert result.exit_code == 0, result.output
        assert uids(result.stdout_bytes) == {"meta"}

    def test_case_is_ignored(self, tmp_path: Path) -> None:
        result = run(tmp_path, EMPLOYERS, "feed", "--employer", "METACULUS")
        assert uids(result.stdout_bytes) == {"metaculus"}

    def test_decomposed_accents_match_composed_data(self, tmp_path: Path) -> None:
        result = run(tmp_path, EMPLOYERS, "feed", "--employer", NFD)
        assert result.exit_code == 0, result.output
        assert uids(result.stdout_bytes) == {"cafe"}

    def test_composed_accents_match_decomposed_data(self, tmp_path: Path) -> None:
        text = data(entry("cafe", NFD), entry("meta", "Meta"))
        result = run(tmp_path, text, "feed", "--employer", NFC)
        assert result.exit_code == 0, result.output
        assert uids(result.stdout_bytes) == {"cafe"}

    def test_extra_white_space_is_ignored(self, tmp_path: Path) -> None:
        result = run(tmp_path, EMPLOYERS, "feed", "--employer", "  café   LABS ")
        assert uids(result.stdout_bytes) == {"cafe"}

    def test_one_letter_is_an_unknown_employer_not_everything(self, tmp_path: Path) -> None:
        result = run(tmp_path, EMPLOYERS, "feed", "--employer", "a")
        assert result.exit_code == 2
        assert "--employer 'a' is not in this dataset. Valid:" in result.stderr
        assert result.stdout_bytes == b""

    def test_an_unknown_employer_is_a_usage_error_with_a_suggestion(
            self, tmp_path: Path) -> None:
        text = data(entry("metaculus", "Metaculus"), entry("applied", "Acme"))
        result = run(tmp_path, text, "feed", "--employer", "Meta")
        assert result.exit_code == 2
        assert result.stderr.endswith("Error: --employer 'Meta' is not in this dataset. Did "
                                      "you mean 'Metaculus'? Valid: Acme, Metaculus.\n")

    def test_a_part_of_a_longer_name_is_suggested(self, tmp_path: Path) -> None:
        text = data(entry("ai2", "Allen Institute for AI (Ai2)"))
        result = run(tmp_path, text, "list", "--employer", "ai2", "--all")
        assert result.exit_code == 2
        assert "Did you mean 'Allen Institute for AI (Ai2)'?" in result.stderr

    def test_list_refuses_an_unknown_employer_too(self, tmp_path: Path) -> None:
        result = run(tmp_path, EMPLOYERS, "list", "--employer", "Metacu", "--all")
        assert result.exit_code == 2
        assert "Did you mean 'Metaculus' or 'Meta'?" in result.stderr

    def test_list_shows_only_the_exact_employer(self, tmp_path: Path) -> None:
        result = run(tmp_path, EMPLOYERS, "list", "--employer", "meta", "--all")
        assert result.exit_code == 0, result.output
        assert "Meta Program meta" in result.output
        assert "Metaculus" not in result.output


class TestTermOptions:
    def test_a_track_in_another_case_matches_the_declared_one(self, tmp_path: Path) -> None:
        result = run(tmp_path, EMPLOYERS, "feed", "--track", "Research")
        assert result.exit_code == 0, result.output
        assert uids(result.stdout_bytes) == {"meta", "metaculus", "cafe"}

    def test_the_feed_is_named_with_the_declared_title(self, tmp_path: Path) -> None:
        result = run(tmp_path, EMPLOYERS, "feed", "--track", "APPLIED")
        assert b"X-WR-CALNAME:Test cycle: Applied\r\n" in result.stdout_bytes

    def test_list_counts_the_events_of_a_track_in_another_case(self, tmp_path: Path) -> None:
        result = run(tmp_path, EMPLOYERS, "list", "-t", "RESEARCH", "-e", "Undergrad", "--all")
        assert result.exit_code == 0, result.output
        assert result.output.splitlines()[0] == (
            "Test cycle — Research, for Undergraduates: 6 events")

    def test_an_unknown_eligibility_group_is_a_usage_error(self, tmp_path: Path) -> None:
        result = run(tmp_path, EMPLOYERS, "list", "--eligibility", "phds", "--all")
        assert result.exit_code == 2
        assert "--eligibility 'phds' is not in this dataset. Did you mean 'phd'?" in (
            result.stderr)

    def test_an_unknown_citizenship_is_a_usage_error(self, tmp_path: Path) -> None:
        result = run(tmp_path, EMPLOYERS, "feed", "--citizenship", "usa")
        assert result.exit_code == 2
        assert "--citizenship 'usa' is not in this dataset. Did you mean 'us'?" in (
            result.stderr)


def feeds(**filters: str) -> str:
    return "".join(f"  {key}:\n    title: Feed {key}\n    filter: {{{value}}}\n"
                   for key, value in filters.items())


def build_file(text: str) -> dict[str, set[str]]:
    files = build(text).files
    return {path: uids(files[path]) for path in files if path.startswith("feeds/")}


class TestNamedFeeds:
    def test_an_employer_does_not_match_a_longer_name(self) -> None:
        text = data(entry("meta", "Meta"), entry("metaculus", "Metaculus"),
                    feeds=feeds(meta="employer: [Meta]"))
        assert build_file(text)["feeds/meta.ics"] == {"meta"}

    def test_decomposed_accents_in_the_feed_match_composed_programs(self) -> None:
        text = data(entry("cafe", NFC), entry("meta", "Meta"),
                    feeds=feeds(cafe=f'employer: ["{NFD.upper()}"]'))
        assert build_file(text)["feeds/cafe.ics"] == {"cafe"}

    def test_composed_accents_in_the_feed_match_decomposed_programs(self) -> None:
        text = data(entry("cafe", NFD), entry("meta", "Meta"),
                    feeds=feeds(cafe=f'employer: ["{NFC}"]'))
        assert build_file(text)["feeds/cafe.ics"] == {"cafe"}

    def test_an_unknown_employer_is_a_located_error_with_a_suggestion(self) -> None:
        text = data(entry("metaculus", "Metaculus"), feeds=feeds(meta="employer: [Meta]"))
        with pytest.raises(DataError) as caught:
            build(text)
        line = text.splitlines().index("    filter: {employer: [Meta]}") + 1
        assert str(caught.value) == (
            f"data/demo.yaml:{line}:25: error: feeds.meta.filter.employer[0]: 'Meta' is not "
            "the employer of any program; did you mean 'Metaculus'? (expected an employer's "
            "name as its programs write it (case and accents may be typed differently))")

    def test_one_letter_is_an_error_not_everything(self) -> None:
        text = data(entry("meta", "Meta"), feeds=feeds(a="employer: [a]"))
        with pytest.raises(DataError, match=r"employer\[0\]: 'a' is not the employer"):
            build(text)

    def test_the_validate_command_exits_1_naming_the_line(self, tmp_path: Path) -> None:
        text = data(entry("metaculus", "Metaculus"), feeds=feeds(meta="employer: [Meta]"))
        result = run(tmp_path, text, "validate")
        line = text.splitlines().index("    filter: {employer: [Meta]}") + 1
        assert result.exit_code == 1
        assert f"data.yaml:{line}:25: error: feeds.meta.filter.employer[0]: 'Meta'" in (
            result.stderr)

    def test_every_unknown_employer_is_reported(self) -> None:
        text = data(entry("meta", "Meta"),
                    feeds=feeds(one="employer: [Meta, Google]", two="employer: [Apple]"))
        with pytest.raises(DataError) as caught:
            build(text)
        assert [p.path for p in caught.value.problems] == [
            "feeds.one.filter.employer[1]", "feeds.two.filter.employer[0]"]

    def test_an_employer_of_an_included_file_is_known(self) -> None:
        main_text = data(entry("meta", "Meta"), feeds=feeds(other="employer: [Other Co]"))
        main_text = main_text.replace("format: 1\n", "format: 1\ninclude: [more.yaml]\n", 1)
        more = data(entry("other", "Other Co")).replace("id: t\n", "id: more\n", 1)
        files = build(main_text, extra={"data/more.yaml": more}).files
        assert uids(files["feeds/other.ics"]) == {"other"}
