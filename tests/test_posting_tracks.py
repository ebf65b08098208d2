"""A list without categories is sorted by its titles; no feed is written empty; what the
list leaves unknown is not shown as a fact; the build of a big list stays quiet."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import uuid
from pathlib import Path

import icalendar
import pytest

from deadlinecal.dataset.validate import load_dataset
from deadlinecal.events.expand import expand, summary_for
from deadlinecal.model import FuzzyDate, Precision, Program, Window
from deadlinecal.postings.trackwords import Classifier, parse_rules

from .postings_support import SNAPSHOT, import_and_build, listed_text, run

ROOT = Path(__file__).resolve().parents[1]


class TestClassifier:
    @pytest.mark.parametrize(("title", "track"), [
        ("Quantitative Developer Internship", "quant"),
        ("Trading Operations Analyst Intern - Summer 2025", "quant"),
        ("Machine Learning Engineer Intern", "ai-ml-data"),
        ("Data Engineering Intern", "ai-ml-data"),
        ("SSD Firmware Development undergrad intern", "hardware"),
        ("Hardware Engineering Intern", "hardware"),
        ("Backend Engineering Intern", "software"),
        ("Software Engineer Intern", "software"),
        ("Product Manager Intern", "product"),
    ])
    def test_a_title_lands_in_its_track(self, title: str, track: str) -> None:
        assert Classifier().track(title) == track

    def test_words_match_whole_words_only(self) -> None:
        assert Classifier().track("Email Marketing Intern") is None  # "ai" inside a word

    def test_a_keyword_map_replaces_the_rules_in_its_order(self) -> None:
        rules = parse_rules({"biotech": ["bioinformatics"], "software": ["data"]}, file="k")
        assert Classifier(rules).track("Bioinformatics Data Intern") == "biotech"
        assert Classifier(rules).track("Data Engineering Intern") == "software"


@pytest.fixture(scope="module")
def feeds(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("tracks")
    import_and_build(tmp, SNAPSHOT)
    return tmp / "calendars"


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("quiet")
    source = tmp / "listings.json"
    source.write_text(json.dumps(big_list(6_000)))
    result = run("import", "simplify", str(source), "-o", str(tmp / "p.yaml"),
                 "--keep-closed-days", "400")
    assert result.exit_code == 0, result.output
    return tmp / "p.yaml"


class TestUncategorisedList:
    def test_titles_sort_postings_into_the_usual_tracks(self, feeds: Path) -> None:
        quant = listed_text(feeds / "tracks" / "quant.ics")
        data = listed_text(feeds / "tracks" / "ai-ml-data.ics")
        software = listed_text(feeds / "tracks" / "software.ics")
        assert "Trading Operations Analyst Intern" in quant
        assert "Data Engineering Intern" in data
        assert "Backend Engineering Intern" in software

    def test_no_track_or_eligibility_feed_is_empty(self, feeds: Path) -> None:
        for folder in ("tracks", "eligibility"):
            for path in sorted((feeds / folder).glob("*.ics")):
                calendar = icalendar.Calendar.from_ical(path.read_bytes())
                assert calendar.walk("VEVENT"), path

    def test_an_unknown_sponsorship_is_not_shown_as_a_fact(self, feeds: Path) -> None:
        every = "\n".join(path.read_text() for path in feeds.rglob("*.ics"))
        assert "Sponsorship: Other" not in every
        assert "Other" not in listed_text(feeds / "all.ics")

    def test_a_keywords_file_overrides_the_rules(self, tmp_path: Path) -> None:
        keywords = tmp_path / "keywords.yaml"
        keywords.write_text("trading-desk: [trading]\nsoftware: [software, engineer]\n")
        import_and_build(tmp_path, SNAPSHOT, "--keywords", str(keywords))
        desk = listed_text(tmp_path / "calendars" / "tracks" / "trading-desk.ics")
        assert "Trading Operations Analyst Intern" in desk
        assert not (tmp_path / "calendars" / "tracks" / "quant.ics").exists()

    def test_a_bad_keywords_file_is_a_clear_error(self, tmp_path: Path) -> None:
        keywords = tmp_path / "keywords.yaml"
        keywords.write_text("- just\n- a list\n")
        result = run("import", "simplify", str(SNAPSHOT), "-o", str(tmp_path / "p.yaml"),
                     "--keywords", str(keywords))
        assert result.exit_code == 1
        assert "keywords.yaml: error: the keyword map is not a mapping" in result.output
        assert not (tmp_path / "p.yaml").exists()


def big_list(count: int) -> list[dict[str, object]]:
    first = 1_790_956_800
    return [{
        "id": str(uuid.UUID(int=index + 1, version=4)), "company_name": f"Employer {index % 400}",
        "title": f"Software Engineer Intern {index}", "terms": ["Summer 2027"],
        "active": index % 3 != 0, "is_visible": True,
        "date_posted": first + (index * 300 // count) * 86_400,
        "date_updated": first + (index * 300 // count) * 86_400 + 3 * 86_400,
        "url": f"https://jobs.example.org/{index}", "sponsorship": "Other",
    } for index in range(count)]


class TestQuietBuild:
    def test_the_6000_posting_list_builds_in_at_most_40_lines(self, data: Path) -> None:
        # Every program is stale on this day: one warning each, printed as one line.
        result = run("build", str(data), "-o", str(data.parent / "out"),
                     "--as-of", "2029-01-01")
        assert result.exit_code == 0, result.output
        lines = result.output.splitlines()
        assert len(lines) <= 40, result.output
        stale = [line for line in lines if "was last verified" in line]
        assert len(stale) == 1
        assert " times: " in stale[0] and "--verbose lists each" in stale[0]

    def test_verbose_prints_each_warning(self, data: Path) -> None:
        result = run("build", str(data), "-o", str(data.parent / "out"),
                     "--as-of", "2029-01-01", "--verbose")
        stale = [line for line in result.output.splitlines() if "was last verified" in line]
        assert len(stale) > 1_000


class TestTitlesNameWhoPosts:
    def program(self, employer: str, program: str) -> Program:
        return Program(id="p", employer=employer, program=program, track="t",
                       last_verified=dt.date(2026, 1, 1))

    @pytest.mark.parametrize(("employer", "program", "starts"), [
        ("Aurora Science Trust", "Doctoral fellowship", "Due: Aurora"),
        ("International Workshop on Widgets", "Call for posters", "~Due: International"),
        ("Alpha Foundation", "Project grant", "Due: Alpha"),
    ])
    def test_a_title_without_short_keeps_the_employer(self, employer: str, program: str,
                                                      starts: str) -> None:
        title = summary_for("Due", self.program(employer, program),
                            confirmed=not starts.startswith("~"))
        assert title.startswith(starts)

    def test_validate_suggests_a_short_name_where_a_title_would_be_cut(
            self, tmp_path: Path) -> None:
        data = tmp_path / "data.yaml"
        text = (ROOT / "tests" / "cases" / "minimal" / "data.yaml").read_text()
        data.write_text(text.replace("employer: ExampleConf", "employer: Aurora Science Trust")
                        .replace("program: ExampleConf 2027 call for papers",
                                 "program: Interdisciplinary doctoral fellowship"))
        result = run("validate", str(data), "--as-of", "2027-01-01")
        assert ".short: titles would show conf-2027 as 'Aurora Interdisciplinar…'" in (
            result.output)
        assert "e.g. short: 'Aurora Interdisciplinary')" in result.output

    def test_validate_is_quiet_where_the_cut_keeps_the_employer_and_a_word(
            self, tmp_path: Path) -> None:
        data = tmp_path / "data.yaml"
        text = (ROOT / "tests" / "cases" / "minimal" / "data.yaml").read_text()
        data.write_text(text.replace("program: ExampleConf 2027 call for papers",
                                     "program: ExampleConf 2027 call for extended papers"))
        result = run("validate", str(data), "--as-of", "2027-01-01")
        assert ".short:" not in result.output

    def test_no_two_events_of_a_day_share_a_title(self) -> None:
        twins = [Program(id=f"p{n}", employer="Aurora Science Trust",
                         program="Doctoral fellowship in physics", track="papers",
                         last_verified=dt.date(2026, 1, 1), windows=(
                             Window(key="main", opens=FuzzyDate(
                                 earliest=dt.date(2026, 3, 1), latest=dt.date(2026, 3, 1),
                                 precision=Precision.DAY, approximate=False,
                                 wording="2026-03-01")),))
                 for n in (1, 2)]
        dataset = load_dataset((ROOT / "tests" / "cases" / "minimal" / "data.yaml")
                               .read_bytes(), file="m.yaml").dataset
        events = expand(dataclasses.replace(dataset, programs=tuple(twins)))
        seen = [(event.first_day, event.summary) for event in events]
        assert len(seen) == len(set(seen))
