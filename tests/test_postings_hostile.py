"""Posting lists that strangers edit: one entry, however odd, never changes what happens to
the others, never makes a file `build` (or the next import) refuses, and never crashes."""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path
from typing import Any

import pytest

from deadlinecal.postings import importer

from .postings_support import SAMPLE, postings, run

AS_OF = "2026-01-27"
# A posting that only the list's own term and dates make ordinary.
EXTRA_ID = "11111111-2222-4333-8444-555555555555"


def write_list(tmp: Path, items: list[Any] | bytes, name: str = "listings.json") -> Path:
    source = tmp / name
    source.write_bytes(items if isinstance(items, bytes) else json.dumps(items).encode())
    return source


def program_ids(data: Path) -> list[str]:
    return [line.split(": ", 1)[1] for line in data.read_text().splitlines()
            if line.startswith("  - id: ")]


def import_twice_and_build(tmp: Path, source: Path, *extra: str) -> tuple[Any, Any, Any]:
    """Import `source`, build the file, and import it again over the first import."""
    data = tmp / "postings.yaml"
    first = run("import", "simplify", str(source), "-o", str(data), "--as-of", AS_OF, *extra)
    built = run("build", str(data), "-o", str(tmp / "calendars"), "--max-age", "100000",
                "--as-of", AS_OF)
    again = run("import", "simplify", str(source), "-o", str(data), "--as-of", AS_OF, *extra)
    return first, built, again


@pytest.fixture(scope="module")
def sample_ids(tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    """The programs an import of the untouched sample writes."""
    data = tmp_path_factory.mktemp("sample") / "postings.yaml"
    result = run("import", "simplify", str(SAMPLE), "-o", str(data), "--as-of", AS_OF)
    assert result.exit_code == 0, result.output
    return program_ids(data)


def extra(**fields: Any) -> dict[str, Any]:
    """A copy of the sample's first posting under a new id, with `fields` changed."""
    item = dict(postings(SAMPLE)[0])
    item["id"] = EXTRA_ID
    item.update(fields)
    return item


class TestTheListsDate:
    @pytest.mark.parametrize("late", [
        extra(terms=["Fall 2099"], date_updated=4_102_444_000),
        extra(is_visible=False, date_updated=4_102_444_000),
        extra(is_visible=False, date_posted=4_102_444_000),
    ], ids=["another-term", "hidden-updated", "hidden-posted"])
    def test_a_later_posting_of_another_term_or_hidden_does_not_date_the_list(
            self, tmp_path: Path, late: dict[str, Any], sample_ids: list[str]) -> None:
        source = write_list(tmp_path, [*postings(SAMPLE), late])
        data = tmp_path / "postings.yaml"
        result = run("import", "simplify", str(source), "-o", str(data), "--as-of", AS_OF)
        assert result.exit_code == 0, result.output
        assert "(the list's date: 2026-01-26)" in result.output
        assert program_ids(data) == sample_ids

    def test_a_posting_of_the_term_dated_after_today_is_skipped_with_a_warning(
            self, tmp_path: Path, sample_ids: list[str]) -> None:
        source = write_list(tmp_path, [*postings(SAMPLE),
                                       extra(date_posted=4_102_444_000, active=True)])
        data = tmp_path / "postings.yaml"
        result = run("import", "simplify", str(source), "-o", str(data), "--as-of", AS_OF)
        assert result.exit_code == 0, result.output
        assert (f"warning: postings[169] (id '{EXTRA_ID}'): date_posted is 2099-12-31, after "
                "the list's latest possible date 2026-01-27") in result.output
        assert "(the list's date: 2026-01-26)" in result.output
        assert program_ids(data) == sample_ids

    def test_no_posting_is_dated_after_the_files_own_date(self, tmp_path: Path) -> None:
        source = write_list(tmp_path, postings(SAMPLE))
        saved = dt.datetime(2026, 1, 24, 17, tzinfo=dt.UTC).timestamp()
        os.utime(source, (saved, saved))
        result = run("import", "simplify", str(source), "-o", str(tmp_path / "p.yaml"),
                     "--as-of", AS_OF)
        assert result.exit_code == 0, result.output
        assert "(the list's date: 2026-01-24)" in result.output
        assert "after the list's latest possible date 2026-01-24" in result.output


    def test_a_file_time_of_1970_says_nothing_about_the_list(
            self, tmp_path: Path, sample_ids: list[str]) -> None:
        source = write_list(tmp_path, postings(SAMPLE))
        os.utime(source, (1, 1))  # what reproducible archives and builds set
        data = tmp_path / "postings.yaml"
        result = run("import", "simplify", str(source), "-o", str(data), "--as-of", AS_OF)
        assert result.exit_code == 0, result.output
        assert program_ids(data) == sample_ids


class TestWhatIsWrittenValidates:
    @pytest.mark.parametrize("change", [
        {"category": "C" * 70},
        {"degrees": ["Bachelor's", "D" * 70]},
        {"terms": ["Summer 2026", *(f"Term {n} " + "x" * 200 for n in range(300))]},
        {"locations": [f"{n} " + "Long Street " * 40 for n in range(60)]},
    ], ids=["category-70", "degree-70", "300-terms", "60-long-locations"])
    def test_an_odd_posting_makes_a_file_build_and_the_next_import_accept(
            self, tmp_path: Path, change: dict[str, Any]) -> None:
        items = postings(SAMPLE)
        items[0] = {**items[0], **change}
        first, built, again = import_twice_and_build(tmp_path, write_list(tmp_path, items))
        assert first.exit_code == 0, first.output
        assert built.exit_code == 0, built.output
        assert again.exit_code == 0, again.output
        assert items[0]["id"] in program_ids(tmp_path / "postings.yaml")

    @pytest.mark.parametrize("change", [
        {"terms": ["Summer 2026", *(f"Term {n} " + "x" * 200 for n in range(300))]},
        {"locations": [f"{n} " + "Long Street " * 40 for n in range(60)]},
    ], ids=["300-terms", "60-long-locations"])
    def test_a_shortened_posting_is_named_in_a_warning(
            self, tmp_path: Path, change: dict[str, Any]) -> None:
        items = postings(SAMPLE)
        items[0] = {**items[0], **change}
        result = run("import", "simplify", str(write_list(tmp_path, items)), "-o",
                     str(tmp_path / "p.yaml"), "--as-of", AS_OF)
        assert result.exit_code == 0, result.output
        assert (f"warning: posting id {items[0]['id']}: its locations, terms or degrees are "
                "cut to 600 characters each in its notes") in result.output
        assert "Postings skipped, left out or shortened (1):" in result.output

    @pytest.mark.parametrize("name", ["list\nnext.json", "list\x1b[2J.json"])
    def test_a_source_name_with_control_characters_makes_a_valid_file(
            self, tmp_path: Path, name: str) -> None:
        first, built, again = import_twice_and_build(
            tmp_path, write_list(tmp_path, postings(SAMPLE), name))
        assert first.exit_code == 0, first.output
        assert built.exit_code == 0, built.output
        assert again.exit_code == 0, again.output
        assert "\x1b" not in first.output

    @pytest.mark.parametrize(("option", "value"), [
        ("--title", "Postings\nand more"), ("--title", "x" * 10_001),
        ("--dataset-id", "../UP"),
    ])
    def test_an_option_that_makes_an_invalid_file_is_refused(
            self, tmp_path: Path, option: str, value: str) -> None:
        data = tmp_path / "postings.yaml"
        result = run("import", "simplify", str(SAMPLE), "-o", str(data), option, value)
        assert result.exit_code == 2, result.output
        assert f"Invalid value for {option}" in result.output
        assert not data.exists()

    def test_a_program_the_validator_refuses_is_left_out_with_a_warning(
            self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
            sample_ids: list[str]) -> None:
        victim = sample_ids[3]

        def bad_link(url: str) -> str | None:
            # A link `build` refuses, which the import's own encoding would never make.
            return 'https://example.org/a"b' if victim in url else original(url)

        original = importer._link
        items = postings(SAMPLE)
        for item in items:
            if item["id"] == victim:
                item["url"] = f"https://example.org/{victim}"
        monkeypatch.setattr(importer, "_link", bad_link)
        first, built, again = import_twice_and_build(tmp_path, write_list(tmp_path, items))
        assert first.exit_code == 0, first.output
        assert f"warning: posting id {victim}: left out (" in first.output
        assert "link contains '\"'" in first.output
        assert built.exit_code == 0, built.output
        assert again.exit_code == 0, again.output
        assert program_ids(tmp_path / "postings.yaml") == [
            ident for ident in sample_ids if ident != victim]


class TestConfirmIntoTheOutput:
    def test_confirming_the_output_file_itself_is_refused(self, tmp_path: Path) -> None:
        data = tmp_path / "postings.yaml"
        assert run("import", "simplify", str(SAMPLE), "-o", str(data)).exit_code == 0
        before = data.read_bytes()
        result = run("import", "simplify", str(SAMPLE), "-o", str(data), "--confirm",
                     str(tmp_path / "." / "postings.yaml"))
        assert result.exit_code == 2, result.output
        assert "is also the -o file" in result.output
        assert data.read_bytes() == before


class TestRemovedPostingsUnderABudget:
    def test_a_removed_posting_is_cancelled_even_at_a_tight_budget(
            self, tmp_path: Path, sample_ids: list[str]) -> None:
        data = tmp_path / "postings.yaml"
        assert run("import", "simplify", str(SAMPLE), "-o", str(data), "--as-of",
                   AS_OF).exit_code == 0
        removed = set(sample_ids[::10])
        rest = [item for item in postings(SAMPLE) if item["id"] not in removed]
        result = run("import", "simplify", str(write_list(tmp_path, rest)), "-o", str(data),
                     "--feed-budget-kb", "10", "--as-of", AS_OF)
        assert result.exit_code == 0, result.output
        assert f"{len(removed)} newly cancelled" in result.output
        text = data.read_text()
        for ident in removed:
            block = text.split(f"  - id: {ident}\n", 1)[1].split("  - id: ", 1)[0]
            assert "    cancelled: true\n" in block, ident


class TestNoCrash:
    def huge(self, tmp_path: Path, text: str) -> Any:
        raw = SAMPLE.read_bytes().rstrip()
        assert raw.endswith(b"]")
        source = write_list(tmp_path, raw[:-1] + b", " + text.encode() + b"]")
        return run("import", "simplify", str(source), "-o", str(tmp_path / "p.yaml"),
                   "--as-of", AS_OF)

    def test_a_5000_digit_integer_in_an_unused_field_is_ignored(self, tmp_path: Path) -> None:
        result = self.huge(tmp_path, json.dumps(extra()).replace("{", '{"x": ' + "9" * 5000
                                                                   + ", ", 1))
        assert result.exit_code == 0, result.output
        assert EXTRA_ID in (tmp_path / "p.yaml").read_text()

    def test_a_5000_digit_date_skips_its_posting(self, tmp_path: Path) -> None:
        item = json.dumps(extra(date_posted=0)).replace('"date_posted": 0', '"date_posted": '
                                                          + "9" * 5000)
        result = self.huge(tmp_path, item)
        assert result.exit_code == 0, result.output
        assert (f"postings[169] (id '{EXTRA_ID}'): date_posted is far too large a number to "
                "be a time") in result.output

    def test_an_overflowing_date_skips_its_posting(self, tmp_path: Path) -> None:
        result = self.huge(tmp_path, json.dumps(extra(date_posted=10 ** 400)))
        assert result.exit_code == 0, result.output
        assert f"postings[169] (id '{EXTRA_ID}'): date_posted is far too large" \
            in result.output

    def test_a_lone_surrogate_as_another_postings_term_is_shown_escaped(
            self, tmp_path: Path) -> None:
        items = [extra(), {**extra(terms=["\ud800"]), "id": EXTRA_ID.replace("1", "2")}]
        result = run("import", "simplify", str(write_list(tmp_path, items)), "-o",
                     str(tmp_path / "p.yaml"), "--as-of", AS_OF)
        assert result.exit_code == 0, result.output
        assert "\\ud800 1" in result.output

    def test_an_address_with_an_escape_character_is_refused(self, tmp_path: Path) -> None:
        result = run("import", "simplify", "https://example.org/\x1b[2J.json")
        assert result.exit_code == 1, result.output
        assert "holds a space or a control character" in result.output
        assert "\x1b" not in result.output

    def test_a_list_whose_name_is_not_utf8_is_imported(self, tmp_path: Path) -> None:
        source = write_list(tmp_path, postings(SAMPLE), os.fsdecode(b"list\xff.json"))
        result = run("import", "simplify", str(source), "-o", str(tmp_path / "p.yaml"),
                     "--as-of", AS_OF)
        assert result.exit_code == 0, result.output
        assert "list\\udcff.json" in result.output
        assert 'name: "Posting list list .json"' in (tmp_path / "p.yaml").read_text()

    def test_a_title_that_is_not_utf8_is_refused(self, tmp_path: Path) -> None:
        result = run("import", "simplify", str(SAMPLE), "--title",
                     os.fsdecode(b"Postings \xff"))
        assert result.exit_code == 2, result.output
        assert "Invalid value for --title: 'Postings \\udcff'" in result.output


class TestTerminal:
    def test_another_terms_name_is_escaped_in_the_report(self, tmp_path: Path) -> None:
        hostile = "\x1b]0;HACKED\x07\x1b[2J"
        source = write_list(tmp_path, [*postings(SAMPLE), extra(terms=[hostile])])
        result = run("import", "simplify", str(source), "-o", str(tmp_path / "p.yaml"),
                     "--as-of", AS_OF)
        assert result.exit_code == 0, result.output
        assert "\x1b" not in result.output and "\x07" not in result.output
        assert "\\x1b]0;HACKED\\x07\\x1b[2J 1" in result.output


class TestTheRealListsBadEntries:
    """The 2024 list's own bad entries (Summer 2024): a non-UUID id and two ids used twice."""

    def test_each_is_skipped_with_a_warning_and_the_rest_imported(
            self, tmp_path: Path) -> None:
        base = extra(terms=["Summer 2024"], date_posted=1_729_000_000, active=True)
        del base["date_updated"]
        bad = [("3e1508f8-cf5c-10ef-8c4a-91039casce5a", "Northrop Grumman"),
               ("93daaebb-7a2b-49d3-ad4a-3f1af4aeb043", "Maximus"),
               ("93daaebb-7a2b-49d3-ad4a-3f1af4aeb043", "Infineon"),
               ("9108e1a7-944c-437a-9eee-142aa4cc6784", "Northrop Grumman"),
               ("9108e1a7-944c-437a-9eee-142aa4cc6784", "Northrop Grumman")]
        items = [{**base, "id": ident, "company_name": company} for ident, company in bad]
        items.append(base)
        data = tmp_path / "p.yaml"
        result = run("import", "simplify", str(write_list(tmp_path, items)), "-o", str(data),
                     "--as-of", "2024-10-25")
        assert result.exit_code == 0, result.output
        assert "       3  skipped: they cannot be used (see the warnings)" in result.output
        assert "postings[0] (id '3e1508f8-cf5c-10ef-8c4a-91039casce5a'): id is not a UUID" \
            in result.output
        assert "postings[2] (id '93daaebb-7a2b-49d3-ad4a-3f1af4aeb043'): the id is also used " \
               "by postings[1]" in result.output
        assert "postings[4] (id '9108e1a7-944c-437a-9eee-142aa4cc6784'): the id is also used " \
               "by postings[3]" in result.output
        assert program_ids(data) == sorted(["93daaebb-7a2b-49d3-ad4a-3f1af4aeb043",
                                            "9108e1a7-944c-437a-9eee-142aa4cc6784", EXTRA_ID])


class TestBidiControls:
    def test_bidi_overrides_are_stripped_from_imported_postings(self, tmp_path: Path) -> None:
        items = postings(SAMPLE)
        items[0] = {**items[0], "company_name": "Evil\u202eCorp",
                    "title": "Intern\u2066ship\u2069"}
        data = tmp_path / "p.yaml"
        result = run("import", "simplify", str(write_list(tmp_path, items)), "-o", str(data),
                     "--as-of", AS_OF)
        assert result.exit_code == 0, result.output
        text = data.read_text(encoding="utf-8")
        assert "Evil Corp" in text
        assert not any(char in text for char in "\u202a\u202b\u202c\u202d\u202e\u2066\u2069")
