"""The feed budget is exact, the import records what it left out, and `build` reports it."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from pathlib import Path

import pytest

from deadlinecal.dataset.validate import DEFAULT_REFRESH_HOURS, load_dataset
from deadlinecal.ical.render import _utc_zone, utc_zone_component
from deadlinecal.model import Dataset
from deadlinecal.postings import datafile as importfile
from deadlinecal.postings.datafile import Header
from deadlinecal.postings.importer import Entry, Imported, Settings, import_list, posting_report
from deadlinecal.postings.listing import PostingList, read_postings
from deadlinecal.site import build

from .postings_support import NEWER, SAMPLE, SNAPSHOT, import_and_build, run

ROOT = Path(__file__).resolve().parents[1]


def imported(source: Path, budget: int, keep_closed_days: int = 30) -> tuple[bytes, dict[str, int], int]:
    """The data file, the feed sizes the import reported, and how many postings it kept."""
    postings = read_postings(source.read_bytes(), file=str(source))
    result = import_list(postings, Settings(source_name="test", budget_bytes=budget,
                                            keep_closed_days=keep_closed_days),
                         file="postings.yaml")
    return result.data, result.feed_bytes, len(result.entries)


class TestExactBudget:
    @pytest.mark.parametrize("budget", [20_000, 55_555, 100_000, 180_000])
    def test_reported_sizes_are_close_to_the_built_sizes_and_within_the_budget(
            self, budget: int) -> None:
        """A posting is a line of its feeds' day entries: the import estimates those a
        little above what `build` writes, and renders each employer's feed exactly."""
        data, sizes, _ = imported(SAMPLE, budget)
        built = build(data, file="postings.yaml")
        for spec in built.feeds:
            size = len(built.files[spec.path])
            assert size <= budget
            assert size * 0.97 - 1_500 <= sizes[spec.path] <= size * 3 + 2_000, spec.path

    def test_a_smaller_budget_keeps_fewer_postings(self) -> None:
        kept = [imported(SAMPLE, budget)[2] for budget in (10_000, 20_000, 40_000)]
        assert kept[0] < kept[1] < kept[2]

    def test_a_budget_nothing_fits_in_is_refused(self, tmp_path: Path) -> None:
        output = tmp_path / "postings.yaml"
        result = run("import", "simplify", str(SAMPLE), "-o", str(output),
                     "--feed-budget-kb", "10", "--keep-closed-days", "0")
        # 10 kB holds a posting or two; the command either fits some or says none fits.
        assert result.exit_code == 0 or "not one posting fits" in result.output


class TestWhatWasLeftOut:
    def test_the_data_file_records_what_the_import_left_out(self, tmp_path: Path) -> None:
        result = import_and_build(tmp_path, SNAPSHOT, "--feed-budget-kb", "30",
                                  "--keep-closed-days", "10")
        text = (tmp_path / "data" / "postings.yaml").read_text()
        record = re.search(r"\n  imported: \{(.*)\}\n", text)
        assert record is not None
        fields = dict(pair.split(": ") for pair in record[1].split(", "))
        assert fields["keep_closed_days"] == "10"
        assert fields["budget_bytes"] == "30000"
        for key, reason in (("closed", "closed or cancelled more than 10 days"),
                            ("over_budget", "over the feed budget of 30,000 bytes"),
                            ("hidden", "hidden by the list")):
            count = int(fields[key])
            assert count > 0
            assert f"{count:>8,}  {reason}" in result.output

    def test_build_reports_each_posting_feed_and_what_was_left_out(
            self, tmp_path: Path) -> None:
        import_and_build(tmp_path, SNAPSHOT, "--feed-budget-kb", "30",
                         "--keep-closed-days", "10")
        data = tmp_path / "data" / "postings.yaml"
        built = run("build", str(data), "-o", str(tmp_path / "out"), "--max-age", "100000")
        assert built.exit_code == 0, built.output
        fields = dict(pair.split(": ") for pair in re.search(
            r"\n  imported: \{(.*)\}\n", data.read_text())[1].split(", "))  # type: ignore[index]
        assert ("Posting feeds (the import keeps each under 30 kB); the import left out: "
                f"{int(fields['closed']):,} closed more than 10 days before the list's date; "
                f"{int(fields['over_budget']):,} over the budget (oldest first); "
                f"{int(fields['hidden']):,} hidden by the list;") in built.output
        size = (tmp_path / "out" / "all.ics").stat().st_size
        assert f"  {'all.ics':<40} {size // 1000:>7,} kB of 30 kB\n" in built.output

    def test_posting_report_is_empty_for_curated_data(self) -> None:
        data = (ROOT / "data" / "ml-internships-summer-2027.yaml").read_bytes()
        assert posting_report(build(data, file="curated.yaml")) == []

    def test_build_of_curated_data_prints_no_posting_report(self, tmp_path: Path) -> None:
        built = run("build", str(ROOT / "data" / "ml-internships-summer-2027.yaml"),
                    "-o", str(tmp_path / "out"), "--max-age", "100000")
        assert built.exit_code == 0, built.output
        assert "Posting feeds" not in built.output

    def test_built_together_with_curated_data_the_report_stays(self, tmp_path: Path) -> None:
        data, _, _ = imported(SAMPLE, 100_000)
        (tmp_path / "postings.yaml").write_bytes(data)
        built = run("build", str(ROOT / "data" / "ml-internships-summer-2027.yaml"),
                    str(tmp_path / "postings.yaml"), "-o", str(tmp_path / "out"),
                    "--max-age", "100000")
        assert built.exit_code == 0, built.output
        assert "Posting feeds (the import keeps each under 100 kB)" in built.output


class TestReading:
    def test_an_implausible_time_in_another_term_does_not_set_the_lists_date(
            self, tmp_path: Path) -> None:
        items = json.loads(SAMPLE.read_text())
        items.append({"id": "11111111-2222-4333-8444-555555555555", "company_name": "X",
                      "title": "Y", "date_posted": 1729811664000, "terms": ["Fall 2030"]})
        source = tmp_path / "listings.json"
        source.write_text(json.dumps(items))
        result = run("import", "simplify", str(source), "-o", str(tmp_path / "p.yaml"))
        assert result.exit_code == 0, result.output
        assert "(the list's date: 2026-01-26)" in result.output

    def test_unusual_but_valid_fields_read_as_the_usual_ones(self, tmp_path: Path) -> None:
        """A posting off the fast path (spaces and capitals in its id, a float time, a
        control character in its company) is checked and cleaned the same way."""
        items = json.loads(SAMPLE.read_text())
        first = next(i for i, p in enumerate(items) if "Summer 2026" in p["terms"]
                     and p["is_visible"] and p["active"])
        plain = tmp_path / "plain.json"
        plain.write_text(json.dumps(items))
        odd = dict(items[first])
        odd["id"] = f"  {odd['id'].upper()} "
        odd["date_posted"] = float(odd["date_posted"]) + 0.25
        odd["company_name"] = odd["company_name"] + "\u0007"
        items[first] = odd
        unusual = tmp_path / "unusual.json"
        unusual.write_text(json.dumps(items))
        one = read_postings(plain.read_bytes(), file="plain.json").posting(first)
        two = read_postings(unusual.read_bytes(), file="unusual.json").posting(first)
        assert (two.id, two.company, two.posted) == (one.id, one.company, one.posted)
        assert run("import", "simplify", str(unusual), "-o", str(tmp_path / "p.yaml")
                   ).exit_code == 0


def test_the_empty_feed_time_zone_is_what_icalendar_writes() -> None:
    assert _utc_zone() == utc_zone_component()


def import_seen(postings: PostingList, settings: Settings, file: str,
                previous: Dataset | None = None) -> tuple[Imported, Header]:
    """`import_list`, and the Header that wrote its file."""
    headers: list[Header] = []
    original = Header.text

    def spy(self: Header, entries: Sequence[Entry]) -> bytes:
        headers.append(self)
        return original(self, entries)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(Header, "text", spy)
        result = import_list(postings, settings, file=file, previous=previous)
    return result, headers[-1]


class TestRecordsMadeDirectly:
    """The budget renders records made without parsing the file: they must be the ones
    `load_dataset` makes of the file the import writes, or its sizes would be wrong."""

    @pytest.mark.parametrize("source", [SAMPLE, SNAPSHOT])
    def test_equal_to_the_loaded_file(self, source: Path) -> None:
        postings = read_postings(source.read_bytes(), file=str(source))
        result, header = import_seen(postings, Settings(source_name="test",
                                                        budget_bytes=80_000), "postings.yaml")
        direct = header.dataset(result.entries, "postings.yaml")
        assert load_dataset(result.data, file="postings.yaml").dataset == direct

    def test_equal_with_cancelled_programs_of_an_earlier_import(self, tmp_path: Path) -> None:
        first = tmp_path / "postings.yaml"
        assert run("import", "simplify", str(SAMPLE), "-o", str(first)).exit_code == 0
        previous = load_dataset(first.read_bytes(), file=str(first)).dataset
        postings = read_postings(NEWER.read_bytes(), file=str(NEWER))
        result, header = import_seen(postings, Settings(source_name="test"), str(first),
                                     previous)
        assert any(entry.cancelled for entry in result.entries)
        direct = header.dataset(result.entries, str(first))
        assert load_dataset(result.data, file=str(first)).dataset == direct

    def test_the_refresh_default_is_the_validators(self) -> None:
        assert importfile._REFRESH_HOURS == DEFAULT_REFRESH_HOURS
