"""Every kind of mistake in a data file gets an exact, fixable message, exit status 1, and
leaves the existing calendars/ folder byte for byte as it was."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from .badinput_support import BASE, existing_calendars, failed_build, invoke, replaced, snapshot

DATES = ('"2026-10-14", "2026-10-14 23:59 America/New_York", "2026-10-14 23:59 AoE", '
         '"2026-10", "early|mid|late 2026-10", "fall 2026", "2026-07..2026-08", '
         'any of these after "around"')
ONE = "1 error; nothing was written.\n"


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


def assert_fails(workdir: Path, data: str | bytes | None, expected: str, *options: str) -> None:
    result = failed_build(workdir, data, *options)
    assert (result.exit_code, result.stderr) == (1, expected)
    assert result.stdout == ""


class TestYamlSyntax:
    def test_unclosed_flow_mapping_names_where_it_began(self, workdir: Path) -> None:
        data = replaced("  research: {title: Research}", "  research: {title: Research")
        assert_fails(workdir, data, "data.yaml:11:10: error: this is not valid YAML: while "
                     "parsing a flow mapping, did not find expected ',' or '}' (it began on "
                     "line 10) (expected valid YAML (check indentation, quotes and colons))\n"
                     + ONE)

    def test_bad_indentation(self, workdir: Path) -> None:
        data = replaced("    employer: Acme\n", "    employer: Acme\n   program: x\n")
        assert_fails(workdir, data, "data.yaml:18:4: error: this is not valid YAML: while "
                     "parsing a block collection, did not find expected '-' indicator (it "
                     "began on line 16) (expected valid YAML (check indentation, quotes and "
                     "colons))\n" + ONE)

    def test_tab_indentation(self, workdir: Path) -> None:
        data = replaced("    employer: Acme\n", "\temployer: Acme\n")
        assert_fails(workdir, data, "data.yaml:17:1: error: this is not valid YAML: while "
                     "scanning a plain scalar, found a tab character that violates indentation "
                     "(it began on line 16) (expected valid YAML (check indentation, quotes and "
                     "colons))\n" + ONE)

    def test_second_document(self, workdir: Path) -> None:
        assert_fails(workdir, BASE + "---\nformat: 1\n", "data.yaml:35:1: error: the file "
                     "holds more than one YAML document (expected one document (remove the "
                     "second '---'))\n" + ONE)


class TestWrongTypes:
    def test_text_where_a_number_is_needed(self, workdir: Path) -> None:
        data = replaced("  timezone: America/New_York\n",
                        "  timezone: America/New_York\n  follow_up_days: soon\n")
        assert_fails(workdir, data, "data.yaml:9:19: error: dataset.follow_up_days: 'soon' is "
                     "not a whole number (expected a whole number)\n" + ONE)

    def test_list_where_text_is_needed(self, workdir: Path) -> None:
        data = replaced("    employer: Acme", "    employer: [Acme, Other]")
        assert_fails(workdir, data, "data.yaml:17:15: error: programs[0] (alpha).employer: a list "
                     "where a single value is needed (expected text)\n" + ONE)

    def test_text_where_a_list_is_needed(self, workdir: Path) -> None:
        data = replaced("    windows:\n      - opens: 2026-10-01\n        closes: 2026-11-15\n",
                        "    windows: 2026-10\n")
        assert_fails(workdir, data, "data.yaml:23:14: error: programs[0] (alpha).windows: the value "
                     "'2026-10' where a list is needed (expected a list of windows, each "
                     "starting with '- ')\n" + ONE)

    def test_mapping_where_terms_are_needed(self, workdir: Path) -> None:
        data = replaced("eligibility: [undergrad]\n", "eligibility: {undergrad: yes}\n")
        assert_fails(workdir, data, "data.yaml:20:19: error: programs[0] (alpha).eligibility."
                     "undergrad: unknown key 'undergrad' (expected one of open_to, closed_to)\n"
                     + ONE)

    def test_null_value(self, workdir: Path) -> None:
        data = replaced("    employer: Acme", "    employer:")
        assert_fails(workdir, data, "data.yaml:17:14: error: programs[0] (alpha).employer: no value "
                     "given (expected text)\n" + ONE)

    def test_empty_required_text(self, workdir: Path) -> None:
        data = replaced("    employer: Acme", "    employer: ''")
        assert_fails(workdir, data, "data.yaml:17:15: error: programs[0] (alpha).employer: the text "
                     "is empty (expected some text)\n" + ONE)

    def test_empty_program_list(self, workdir: Path) -> None:
        data = BASE.split("programs:")[0] + "programs: []\n"
        assert_fails(workdir, data, "data.yaml:15:11: error: programs: the list is empty "
                     "(expected at least one program)\n" + ONE)

    def test_explicit_tag(self, workdir: Path) -> None:
        data = replaced("format: 1\n", "format: !!int abc\n")
        assert_fails(workdir, data, "data.yaml:1:9: error: YAML tags such as '!!int' are not "
                     "supported (expected plain values without a !tag)\n" + ONE)


class TestMissingAndUnknownKeys:
    def test_missing_required_field(self, workdir: Path) -> None:
        data = replaced("    last_verified: 2026-07-15\n    windows:\n      - opens: 2026-10-01",
                        "    windows:\n      - opens: 2026-10-01")
        assert_fails(workdir, data, "data.yaml:16:5: error: programs[0] (alpha).last_verified: missing "
                     "required key 'last_verified' (expected last_verified: a day as "
                     "YYYY-MM-DD, or a month as YYYY-MM when the source gives no day)\n" + ONE)

    def test_typo_in_window_key_suggests_the_right_one(self, workdir: Path) -> None:
        data = replaced("      - opens: 2026-10-01", "      - opnes: 2026-10-01")
        assert_fails(workdir, data, "data.yaml:24:9: error: programs[0] (alpha).windows[0].opnes: "
                     "unknown key 'opnes'; did you mean 'opens'? (expected one of key, opens, "
                     "closes, deadline, duration, rolling, year_round, note, cancelled, "
                     "recurs_yearly)\n" + ONE)

    def test_typo_in_top_level_key_reports_both_sides(self, workdir: Path) -> None:
        data = replaced("programs:\n", "program:\n")
        assert_fails(workdir, data, "data.yaml:1:1: error: programs: missing required key "
                     "'programs' (expected programs: a list of programs)\n"
                     "data.yaml:15:1: error: program: unknown key 'program'; did you mean "
                     "'programs'? (expected one of format, dataset, tracks, eligibility, "
                     "citizenship, feeds, include, programs)\n2 errors; nothing was written.\n")

    def test_duplicate_key(self, workdir: Path) -> None:
        data = replaced("    employer: Acme\n", "    employer: Acme\n    employer: Acme Inc\n")
        assert_fails(workdir, data, "data.yaml:18:5: error: programs[0] (alpha).employer: duplicate "
                     "key 'employer' (expected each key once)\n" + ONE)


class TestProgramPaths:
    """A path into a program names it by its id as well as its position."""

    def test_a_window_problem_names_the_program_by_its_id(self, workdir: Path) -> None:
        data = replaced("deadline: 2026-12-01 23:59 America/New_York", "deadline: 2026-13-01")
        result = failed_build(workdir, data)
        assert result.stderr.startswith(
            "data.yaml:34:19: error: programs[1] (beta).windows[0].deadline: '2026-13-01' ")

    def test_a_program_without_an_id_is_named_by_its_position_alone(
            self, workdir: Path) -> None:
        data = replaced("  - id: alpha\n    employer: Acme\n", "  - employer: Acme\n")
        assert_fails(workdir, data, "data.yaml:16:5: error: programs[0].id: missing required "
                     "key 'id' (expected id: lower-case letters, digits and hyphens)\n" + ONE)

    def test_an_id_too_long_to_be_one_is_not_repeated_in_the_path(
            self, workdir: Path) -> None:
        data = replaced("  - id: alpha", "  - id: " + "a" * 65)
        data = replaced("    track: research", "    track: reserch", data)
        result = failed_build(workdir, data)
        assert "error: programs[0].id: 'aaaaaaaaaaaaaaaaaaaaaaaa…' is 65 characters" in (
            result.stderr)
        assert "error: programs[0].track: 'reserch'" in result.stderr

    def test_a_warning_names_the_program_by_its_id(self, workdir: Path) -> None:
        data = replaced("last_verified: 2026-07-15\n    windows:\n      - opens: mid",
                        "last_verified: 2026-01-15\n    windows:\n      - opens: mid")
        (workdir / "data.yaml").write_text(data, encoding="utf-8")
        result = invoke("validate", "data.yaml", "--as-of", "2026-08-01")
        assert result.exit_code == 0
        assert ("data.yaml:31:20: warning: programs[1] (beta).last_verified: beta was last "
                "verified 198 days ago (2026-01-15)") in result.stderr


class TestAddTheTerm:
    """An undeclared term says where declaring it would go."""

    def test_an_undeclared_feed_filter_term_suggests_adding_it(self, workdir: Path) -> None:
        data = BASE + "feeds:\n  quant-ug:\n    title: Quant\n    filter: {track: quant}\n"
        assert_fails(workdir, data, "data.yaml:38:21: error: feeds.quant-ug.filter.track[0]: "
                     "'quant' is not a declared track term (expected one of research, applied, "
                     "or add quant: {title: …} under tracks:)\n" + ONE)

    def test_with_no_vocabulary_it_suggests_the_top_level_key(self, workdir: Path) -> None:
        data = replaced("    eligibility: [undergrad]\n",
                        "    eligibility: [undergrad]\n    citizenship: [us-citizen]\n")
        assert_fails(workdir, data, "data.yaml:21:19: error: programs[0] (alpha).citizenship[0]: "
                     "'us-citizen' is not a declared citizenship term (expected a declared term; "
                     "none is declared: add us-citizen: {title: …} under a top-level "
                     "citizenship: key)\n" + ONE)


class TestReferences:
    def test_duplicate_program_id_names_the_first_line(self, workdir: Path) -> None:
        data = replaced("  - id: beta", "  - id: alpha")
        # The path names the program by the id it has, the duplicated one.
        assert_fails(workdir, data, "data.yaml:26:9: error: programs[1] (alpha).id: duplicate "
                     "program id 'alpha' (first used on line 16) (expected a unique id)\n" + ONE)

    def test_undeclared_track_suggests_the_declared_one(self, workdir: Path) -> None:
        data = replaced("    track: research", "    track: reserch")
        assert_fails(workdir, data, "data.yaml:19:12: error: programs[0] (alpha).track: "
                     "'reserch' is not a declared track term; did you mean 'research'? "
                     "(expected one of research, applied, or add reserch: {title: …} under "
                     "tracks:)\n" + ONE)

    def test_undeclared_eligibility_group(self, workdir: Path) -> None:
        data = replaced("eligibility: [undergrad, phd]", "eligibility: [undergrad, masters]")
        assert_fails(workdir, data, "data.yaml:30:30: error: programs[1] (beta).eligibility[1]: "
                     "'masters' is not a declared eligibility term (expected one of "
                     "undergrad, phd, or add masters: {title: …} under eligibility:)\n" + ONE)


class TestDates:
    def test_february_30(self, workdir: Path) -> None:
        data = replaced("opens: 2026-10-01", "opens: 2026-02-30")
        assert_fails(workdir, data, "data.yaml:24:16: error: programs[0] (alpha).windows[0].opens: "
                     "'2026-02-30' is not a real date (day is out of range for month) "
                     f"(expected {DATES})\n" + ONE)

    def test_month_13(self, workdir: Path) -> None:
        data = replaced("closes: 2026-11-15", "closes: 2026-13")
        assert_fails(workdir, data, "data.yaml:25:17: error: programs[0] (alpha).windows[0].closes: "
                     f"'2026-13' has month 13; months run 01 to 12 (expected {DATES})\n" + ONE)

    def test_window_closes_before_it_opens(self, workdir: Path) -> None:
        data = replaced("closes: 2026-11-15", "closes: 2026-09-15")
        assert_fails(workdir, data, "data.yaml:25:17: error: programs[0] (alpha).windows[0].closes: "
                     "closes (15 September 2026) is before opens (1 October 2026) (expected a "
                     "date on or after the opening)\n" + ONE)

    def test_unknown_time_zone_in_dataset(self, workdir: Path) -> None:
        data = replaced("  timezone: America/New_York", "  timezone: America/Gotham")
        assert_fails(workdir, data, "data.yaml:8:13: error: dataset.timezone: unknown time "
                     "zone 'America/Gotham' (expected an IANA zone like Europe/Paris)\n" + ONE)

    def test_zone_abbreviation_in_deadline(self, workdir: Path) -> None:
        data = replaced("23:59 America/New_York", "23:59 EST")
        assert_fails(workdir, data, "data.yaml:34:19: error: programs[1] (beta).windows[0].deadline: "
                     "time zone 'EST' is not a city-based IANA zone such as America/New_York "
                     "(calendar clients misread Etc/ and abbreviations; write AoE for Anywhere "
                     f"on Earth) (expected {DATES})\n" + ONE)


class TestLinks:
    def test_javascript_link(self, workdir: Path) -> None:
        data = replaced("link: https://example.org/alpha", "link: javascript:alert(1)")
        assert_fails(workdir, data, "data.yaml:21:11: error: programs[0] (alpha).link: "
                     "'javascript:alert(1)' is not a web link (expected an address starting "
                     "with http:// or https://)\n" + ONE)

    def test_ftp_link(self, workdir: Path) -> None:
        data = replaced("link: https://example.org/alpha", "link: ftp://example.org/alpha")
        assert_fails(workdir, data, "data.yaml:21:11: error: programs[0] (alpha).link: "
                     "'ftp://example.org/alpha' is not a web link (expected an address "
                     "starting with http:// or https://)\n" + ONE)

    def test_link_that_would_close_an_html_attribute(self, workdir: Path) -> None:
        data = replaced("link: https://example.org/alpha",
                        "link: 'https://example.org/a\"><script>alert(1)</script>'")
        assert_fails(workdir, data, "data.yaml:21:11: error: programs[0] (alpha).link: the link "
                     "contains '\"', which web addresses may not hold (expected the character "
                     "percent-encoded, e.g. %22 for a quote, %3C and %3E for < and >)\n" + ONE)

    def test_link_with_angle_bracket(self, workdir: Path) -> None:
        data = replaced("link: https://example.org/alpha", "link: https://example.org/<b>")
        assert_fails(workdir, data, "data.yaml:21:11: error: programs[0] (alpha).link: the link "
                     "contains '<', which web addresses may not hold (expected the character "
                     "percent-encoded, e.g. %22 for a quote, %3C and %3E for < and >)\n" + ONE)

    def test_dataset_source_link_is_checked_too(self, workdir: Path) -> None:
        data = replaced("url: https://example.org/source", "url: 'data:text/html,<p>'")
        assert_fails(workdir, data, "data.yaml:6:36: error: dataset.source.url: the link "
                     "contains '<', which web addresses may not hold (expected the character "
                     "percent-encoded, e.g. %22 for a quote, %3C and %3E for < and >)\n" + ONE)


class TestControlCharacters:
    def test_carriage_return_in_text(self, workdir: Path) -> None:
        data = replaced("    employer: Acme", '    employer: "Acme\\r\\nEND:VEVENT"')
        assert_fails(workdir, data, "data.yaml:17:15: error: programs[0] (alpha).employer: the text "
                     "contains a carriage return (\\r) at character 5 (expected printable text; "
                     "for a line break use a real new line in a | block)\n" + ONE)

    def test_bell_character_in_title(self, workdir: Path) -> None:
        data = replaced("  title: Test set", '  title: "Test\\x07set"')
        assert_fails(workdir, data, "data.yaml:4:10: error: dataset.title: the text contains "
                     "the control character U+0007 at character 5 (expected printable text; "
                     "for a line break use a real new line in a | block)\n" + ONE)

    def test_unicode_line_separator(self, workdir: Path) -> None:
        data = replaced("    program: Research internship", '    program: "Research\\L"')
        assert_fails(workdir, data, "data.yaml:18:14: error: programs[0] (alpha).program: the text "
                     "contains a line separator (\\L) at character 9 (expected printable text; "
                     "for a line break use a real new line in a | block)\n" + ONE)


class TestFiles:
    def test_empty_file(self, workdir: Path) -> None:
        assert_fails(workdir, "", "data.yaml: error: the file is empty (expected a mapping "
                     "with format, dataset, tracks, eligibility and programs)\n" + ONE)

    def test_only_comments(self, workdir: Path) -> None:
        assert_fails(workdir, "# nothing here yet\n\n", "data.yaml: error: the file is empty "
                     "(expected a mapping with format, dataset, tracks, eligibility and "
                     "programs)\n" + ONE)

    def test_missing_file(self, workdir: Path) -> None:
        assert_fails(workdir, None, "data.yaml: error: no such file (expected a path to a "
                     "YAML data file)\n" + ONE)

    def test_latin1_file(self, workdir: Path) -> None:
        data = BASE.replace("Acme", "Acm\u00e9").encode("latin-1")
        assert_fails(workdir, data, "data.yaml:17:18: error: the file is not UTF-8 (byte 0xe9 at "
                     "offset 400) (expected a file saved as UTF-8)\n" + ONE)

    def test_utf16_file(self, workdir: Path) -> None:
        assert_fails(workdir, BASE.encode("utf-16"), "data.yaml:1:1: error: the file is not "
                     "UTF-8 (byte 0xff at offset 0) (expected a file saved as UTF-8)\n" + ONE)

    def test_utf8_byte_order_mark_is_accepted(self, workdir: Path) -> None:
        (workdir / "data.yaml").write_bytes(b"\xef\xbb\xbf" + BASE.encode())
        result = invoke("validate", "data.yaml", "--as-of", "2026-08-01")
        assert (result.exit_code, result.stdout) == (
            0, "data.yaml: valid (2 programs, 2 windows, 0 warnings).\n")

    def test_file_over_the_size_limit(self, workdir: Path) -> None:
        from deadlinecal.dataset.load import MAX_INPUT_BYTES

        data = BASE.encode() + b"#" * MAX_INPUT_BYTES
        assert_fails(workdir, data, "data.yaml: error: the file is larger than the limit of "
                     "67,108,864 bytes (expected a smaller file; split the dataset in two)\n"
                     + ONE)


class TestImplicitTyping:
    """YAML 1.1 would turn these into booleans, dates and base-60 numbers; we keep text."""

    def test_no_is_not_a_boolean(self, workdir: Path) -> None:
        data = replaced("        closes: 2026-11-15\n",
                        "        closes: 2026-11-15\n        rolling: no\n")
        assert_fails(workdir, data, "data.yaml:26:18: error: programs[0] (alpha).windows[0].rolling: "
                     "'no' is not true or false (yes/no/on/off are not booleans here) (expected "
                     "true or false)\n" + ONE)

    def test_time_is_not_a_sexagesimal_number(self, workdir: Path) -> None:
        data = replaced("2026-12-01 23:59 America/New_York", "12:30")
        assert_fails(workdir, data, "data.yaml:34:19: error: programs[1] (beta).windows[0].deadline: "
                     f"'12:30' is not a date we understand (expected {DATES})\n" + ONE)

    def test_float_is_not_a_format_version(self, workdir: Path) -> None:
        data = replaced("format: 1\n", "format: 1.0\n")
        assert_fails(workdir, data, "data.yaml:1:9: error: format: '1.0' is not a whole number "
                     "(expected a whole number)\n" + ONE)

    def test_year_month_stays_a_month(self) -> None:
        from deadlinecal.dataset.validate import load_dataset

        data = replaced("opens: 2026-10-01", "opens: 2026-10")
        opens = load_dataset(data.encode(), file="x").dataset.programs[0].windows[0].opens
        assert opens is not None
        assert (opens.earliest.isoformat(), opens.latest.isoformat()) == (
            "2026-10-01", "2026-10-31")

    def test_words_and_clock_times_in_text_stay_as_written(self) -> None:
        from deadlinecal.dataset.validate import load_dataset

        data = replaced("    employer: Acme\n", "    employer: no\n    pay: 12:30\n")
        program = load_dataset(data.encode(), file="x").dataset.programs[0]
        assert (program.employer, program.pay) == ("no", "12:30")


class TestAllErrorsAtOnce:
    def test_every_error_reported_sorted_by_line(self, workdir: Path) -> None:
        data = replaced("  - id: beta", "  - id: Beta")
        data = replaced("opens: 2026-10-01", "opnes: 2026-10-01", data)
        data = replaced("    track: research", "    track: reserch", data)
        data = replaced("format: 1\n", "format: 2\n", data)
        assert_fails(workdir, data,
                     "data.yaml:1:9: error: format: format 2 is not supported (expected "
                     "format: 1)\n"
                     "data.yaml:19:12: error: programs[0] (alpha).track: 'reserch' is not a "
                     "declared track term; did you mean 'research'? (expected one of research, "
                     "applied, or add reserch: {title: …} under tracks:)\n"
                     "data.yaml:24:9: error: programs[0] (alpha).windows[0].opnes: unknown key "
                     "'opnes'; did you mean 'opens'? (expected one of key, opens, closes, "
                     "deadline, duration, rolling, year_round, note, cancelled, recurs_yearly)\n"
                     # An id that is not a valid one is not repeated in the path.
                     "data.yaml:26:9: error: programs[1].id: 'Beta' is not a valid identifier "
                     "(expected lower-case letters, digits and hyphens, like 'google-step')\n"
                     "4 errors; nothing was written.\n")


FOLLOW_UP_WARNING = (
    "data.yaml:25:17: warning: programs[0] (alpha).windows[0].closes: the 14-day follow-up "
    "(15 October 2026) would fall after the window closes (5 October 2026), so it is moved "
    "before the earliest close (expected a shorter "
    "follow_up_days for this program)\n")
# A month-wide opening: a window known to the day that closes sooner is a fact, not a
# mistake, and is not warned about (the follow-up moves before the close by itself).
SHORT_WINDOW = replaced("opens: 2026-10-01\n        closes: 2026-11-15",
                        "opens: 2026-10\n        closes: 2026-10-05")


class TestWarnings:
    def test_follow_up_after_close_warns_and_builds(self, workdir: Path) -> None:
        (workdir / "data.yaml").write_text(SHORT_WINDOW)
        result = invoke("build", "data.yaml", "-o", "out", "--as-of", "2026-08-01")
        assert (result.exit_code, result.stderr) == (0, FOLLOW_UP_WARNING)
        assert (workdir / "out" / "all.ics").is_file()

    def test_strict_turns_warnings_into_a_failure(self, workdir: Path) -> None:
        assert_fails(workdir, SHORT_WINDOW, FOLLOW_UP_WARNING + "1 warning; --strict treats "
                     "warnings as errors, so nothing was written.\n", "--strict")

    def test_stale_last_verified_warns_after_the_default_180_days(self, workdir: Path) -> None:
        (workdir / "data.yaml").write_text(BASE)
        result = invoke("validate", "data.yaml", "--as-of", "2027-01-12")
        assert (result.exit_code, result.stderr) == (0, (
            "data.yaml:22:20: warning: programs[0] (alpha).last_verified: alpha was last verified 181 "
            "days ago (2026-07-15) (expected a check within 180 days)\n"
            "data.yaml:31:20: warning: programs[1] (beta).last_verified: beta was last verified 181 "
            "days ago (2026-07-15) (expected a check within 180 days)\n"))

    def test_max_age_sets_the_staleness_limit(self, workdir: Path) -> None:
        (workdir / "data.yaml").write_text(BASE)
        result = invoke("validate", "data.yaml", "--as-of", "2026-08-01", "--max-age", "16")
        assert result.exit_code == 0
        assert result.stderr.count("was last verified 17 days ago") == 2

    def test_max_age_within_limit_is_quiet(self, workdir: Path) -> None:
        (workdir / "data.yaml").write_text(BASE)
        result = invoke("validate", "data.yaml", "--as-of", "2026-08-01", "--max-age", "17")
        assert (result.exit_code, result.stderr) == (0, "")

    def test_stale_data_fails_a_strict_build(self, workdir: Path) -> None:
        result = failed_build(workdir, BASE, "--max-age", "10", "--strict")
        assert result.exit_code == 1
        assert result.stderr.endswith("2 warnings; --strict treats warnings as errors, so "
                                      "nothing was written.\n")


class TestUsageErrors:
    """Mistakes on the command line exit with 2 and click's usage message."""

    def test_unknown_option(self, workdir: Path) -> None:
        result = invoke("build", "--colour")
        assert result.exit_code == 2
        assert result.stderr.endswith("Error: No such option '--colour'.\n")

    def test_bad_as_of_date(self, workdir: Path) -> None:
        result = invoke("validate", "data.yaml", "--as-of", "2026-13-01")
        assert result.exit_code == 2
        assert "Invalid value for '--as-of'" in result.stderr

    def test_negative_max_age(self, workdir: Path) -> None:
        result = invoke("validate", "data.yaml", "--max-age", "-1")
        assert result.exit_code == 2
        assert result.stderr.endswith(
            "Error: Invalid value for '--max-age': -1 is not in the range x>=0.\n")

    def test_directory_as_data_file(self, workdir: Path) -> None:
        (workdir / "folder").mkdir()
        result = invoke("validate", "folder")
        assert result.exit_code == 2
        assert result.stderr.endswith("Error: Invalid value for '[DATA]...': File 'folder' is a "
                                      "directory.\n")

    def test_undeclared_filter_term(self, workdir: Path) -> None:
        (workdir / "data.yaml").write_text(BASE)
        result = invoke("feed", "data.yaml", "--track", "reserch")
        assert result.exit_code == 2
        assert result.stderr.endswith("Error: --track 'reserch' is not in this dataset. Did you "
                                      "mean 'research'? Valid: research, applied.\n")


class TestNoTraceback:
    def test_debug_shows_the_exception(self, workdir: Path) -> None:
        from deadlinecal.errors import DataError

        (workdir / "data.yaml").write_text("format: [\n")
        result = invoke("--debug", "validate", "data.yaml")
        assert isinstance(result.exception, DataError)

    def test_a_bug_is_one_line_and_exit_3(self, workdir: Path,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
        import deadlinecal.site

        def broken(*args: object, **kwargs: object) -> dict[str, bytes]:
            raise RuntimeError("boom")

        monkeypatch.setattr(deadlinecal.site, "render_feeds", broken)
        calendars = existing_calendars(workdir)
        before = snapshot(calendars)
        (workdir / "data.yaml").write_text(BASE)
        result = invoke("build", "data.yaml", "--as-of", "2026-08-01")
        assert (result.exit_code, result.stderr) == (3, (
            "deadlinecal: internal error: RuntimeError: boom\nThis is a bug in deadlinecal, "
            "not in your data; please report it with the data file (--debug shows the "
            "traceback).\n"))
        assert snapshot(calendars) == before

    def test_a_bug_with_debug_raises(self, workdir: Path,
                                     monkeypatch: pytest.MonkeyPatch) -> None:
        import deadlinecal.site

        def broken(*args: object, **kwargs: object) -> dict[str, bytes]:
            raise RuntimeError("boom")

        monkeypatch.setattr(deadlinecal.site, "render_feeds", broken)
        (workdir / "data.yaml").write_text(BASE)
        result = invoke("--debug", "build", "data.yaml", "--as-of", "2026-08-01")
        assert isinstance(result.exception, RuntimeError)

    def test_real_process_exit_status_and_stderr(self, workdir: Path) -> None:
        hostile = replaced("format: 1\n", "format: !!python/object:os.system\n")
        (workdir / "data.yaml").write_text(hostile)
        done = subprocess.run([sys.executable, "-m", "deadlinecal", "validate", "data.yaml"],
                              capture_output=True, text=True, check=False)
        assert (done.returncode, done.stdout, done.stderr) == (1, "", (
            "data.yaml:1:9: error: YAML tags such as '!!python/object:os.system' are not "
            "supported (expected plain values without a !tag)\n1 error.\n"))


class TestReadmeExamples:
    """The runs shown under "When the data is wrong" (README.md, docs/errors.md) are what
    the code prints today."""

    DATA = "data/ml-internships-summer-2027.yaml"
    SHOWN_IN = ("README.md", "docs/errors.md")

    def shown(self, command: str) -> str:
        root = Path(__file__).resolve().parents[1]
        docs = "".join((root / name).read_text(encoding="utf-8") for name in self.SHOWN_IN)
        assert f"$ {command}\n" in docs, command
        return docs.split(f"$ {command}\n", 1)[1].split("```", 1)[0]

    def run_on(self, workdir: Path, edits: dict[int, tuple[str, str]], *args: str) -> str:
        lines = (Path(__file__).resolve().parents[1] / self.DATA).read_text(
            encoding="utf-8").split("\n")
        for number, (old, new) in edits.items():
            assert old in lines[number - 1]
            lines[number - 1] = lines[number - 1].replace(old, new)
        (workdir / "data").mkdir()
        (workdir / self.DATA).write_text("\n".join(lines), encoding="utf-8")
        result = invoke(*args)
        assert result.exit_code == 1
        return result.stderr

    def test_three_typos(self, workdir: Path) -> None:
        stderr = self.run_on(workdir, {93: ("opens:", "opnes:"), 94: ('"2027-03"', '"2027-02-30"'),
                                       102: ("research", "reserch")},
                             "build", "--as-of", "2026-08-01")
        assert stderr == self.shown("deadlinecal build --as-of 2026-08-01")

    def test_strict_follow_up_warning(self, workdir: Path) -> None:
        stderr = self.run_on(workdir, {113: ('"fall 2026"', '"fall 2026"\n        closes: '
                                             '"2026-09-10"')},
                             "validate", "--strict", "--as-of", "2026-08-01")
        assert stderr == self.shown("deadlinecal validate --strict --as-of 2026-08-01")


class TestFeedCommand:
    def test_bad_data_writes_no_feed_file(self, workdir: Path) -> None:
        (workdir / "data.yaml").write_text(replaced("    track: research", "    track: reserch"))
        result = invoke("feed", "data.yaml", "-o", "out.ics")
        assert (result.exit_code, result.stdout) == (1, "")
        assert result.stderr.endswith(ONE)
        assert not (workdir / "out.ics").exists()


class TestBidiControls:
    @pytest.mark.parametrize("char", ["\u202e", "\u202a", "\u2066", "\u2069"])
    def test_a_bidi_override_or_isolate_is_refused(self, workdir: Path, char: str) -> None:
        escaped = f"\\u{ord(char):04x}"
        data = replaced("    program: Research internship",
                        f'    program: "Research{escaped}x"')
        assert_fails(workdir, data, "data.yaml:18:14: error: programs[0] (alpha).program: the "
                     f"text contains the bidirectional control U+{ord(char):04X} at character "
                     "9, which reorders the text shown after it (expected text without bidi "
                     "overrides or isolates (U+202A-202E, U+2066-2069))\n" + ONE)
