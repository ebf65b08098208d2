"""What a subscriber reads from a posting list: a few entries a day, every posting kept,
each employer's postings in a feed of its own."""

from __future__ import annotations

import collections
import datetime as dt
import hashlib
import json
import re
import uuid
from pathlib import Path
from typing import Any

import icalendar
import pytest

from .postings_support import SNAPSHOT, listed_text, own_events, run

ROOT = Path(__file__).resolve().parents[1]
CURATED = ROOT / "data" / "ml-internships-summer-2027.yaml"
# 2 October 2026, noon in New York.
FIRST = 1_790_956_800
COMPANIES = ["Stryker", "Amazon", "Capital One", "Ameriprise", "Point72", "Jane Street"]
ROLES = ["Summer 2027 Intern - Data Science - Michigan",
         "Summer 2027 Intern - Software Engineering - Indiana",
         "Quantitative Developer Internship", "Hardware Engineering Intern",
         "Machine Learning Intern", "Technology Intern"]


def busy_list(count: int, days: int) -> list[dict[str, Any]]:
    """`count` postings of Summer 2027 over `days` days: dozens a day, a seventh closed."""
    postings = []
    for index in range(count):
        posted = FIRST + (index % days) * 86_400
        active = index % 7 != 3
        postings.append({
            "id": str(uuid.UUID(int=index + 1, version=4)), "source": "Simplify",
            "company_name": (COMPANIES[index % len(COMPANIES)] if index < 60
                             else f"Employer {index % 90}"),
            "title": f"{ROLES[index % len(ROLES)]} {index}", "category": "Software",
            "terms": ["Summer 2027"], "active": active, "is_visible": True,
            "date_posted": posted, "date_updated": posted + (0 if active else 5 * 86_400),
            "url": f"https://jobs.example.org/{index}", "locations": ["New York, NY"],
            "sponsorship": "Other", "degrees": ["Bachelor's"],
        })
    return postings


def import_busy(tmp: Path, count: int = 1_200, days: int = 20) -> tuple[Path, list[Any]]:
    listing = busy_list(count, days)
    source = tmp / "listings.json"
    source.write_text(json.dumps(listing))
    data = tmp / "postings.yaml"
    result = run("import", "simplify", str(source), "-o", str(data), "--keep-closed-days",
                 "400")
    assert result.exit_code == 0, result.output
    return data, listing


def links(event: icalendar.Event) -> set[str]:
    return set(re.findall(r"https://jobs\.example\.org/[0-9]+", str(event["DESCRIPTION"])))


def calendar_events(path: Path) -> list[icalendar.Event]:
    return list(icalendar.Calendar.from_ical(path.read_bytes()).walk("VEVENT"))


def broad_feeds(folder: Path) -> list[Path]:
    return [path for path in sorted(folder.rglob("*.ics"))
            if path.parent.name not in ("employers", "picked")]


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[Any]]:
    tmp = tmp_path_factory.mktemp("busy")
    data, listing = import_busy(tmp)
    result = run("build", str(data), "-o", str(tmp / "out"), "--max-age", "100000")
    assert result.exit_code == 0, result.output
    return tmp / "out", listing


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("employers")
    data, _ = import_busy(tmp, count=60, days=10)
    result = run("build", str(data), "-o", str(tmp / "out"), "--max-age", "100000")
    assert result.exit_code == 0, result.output
    return tmp / "out"


class TestAFewEntriesADay:
    def test_no_broad_feed_has_more_than_three_entries_a_day(
            self, built: tuple[Path, list[Any]]) -> None:
        folder, _ = built
        for feed in broad_feeds(folder):
            days = collections.Counter(event.start for event in calendar_events(feed))
            assert days and max(days.values()) <= 3, feed

    def test_every_active_posting_is_listed_in_all_ics(
            self, built: tuple[Path, list[Any]]) -> None:
        folder, listing = built
        text = listed_text(folder / "all.ics")
        shown = set(re.findall(r"https://jobs\.example\.org/[0-9]+", text))
        missing = [p["url"] for p in listing if p["active"] and p["url"] not in shown]
        assert missing == []

    def test_every_feed_is_under_a_million_bytes(
            self, built: tuple[Path, list[Any]]) -> None:
        folder, _ = built
        assert all(path.stat().st_size < 1_000_000 for path in folder.rglob("*.ics"))

    def test_the_follow_up_lists_those_of_the_day_still_open(
            self, built: tuple[Path, list[Any]]) -> None:
        folder, listing = built
        every = {str(e["UID"]): e for e in calendar_events(folder / "all.ics")}
        first = dt.date(2026, 10, 2)
        apply = every[f"postings-summer-2027.all.{first.isoformat()}.apply@deadlinecal"]
        new = every[f"postings-summer-2027.all.{first.isoformat()}.new@deadlinecal"]
        assert apply.start == first + dt.timedelta(days=14)
        today = [p for p in listing if p["date_posted"] == FIRST]
        still = [p for p in today if p["active"]]
        assert str(new["SUMMARY"]).endswith(f" ({len(today)} postings)")
        assert str(apply["SUMMARY"]).endswith(
            f" ({len(still)} of {len(today)} from 2 Oct)")
        assert links(new) == {p["url"] for p in today}
        assert links(apply) == {p["url"] for p in still}

    def test_no_description_states_an_unknown_sponsorship(
            self, built: tuple[Path, list[Any]]) -> None:
        folder, _ = built
        assert "Other" not in listed_text(folder / "all.ics")

    def test_a_day_uid_belongs_to_one_feed(self, built: tuple[Path, list[Any]]) -> None:
        folder, _ = built
        owners: dict[str, Path] = {}
        for feed in broad_feeds(folder):
            for event in calendar_events(feed):
                uid = str(event["UID"])
                if ".new@" in uid or ".apply@" in uid:
                    assert owners.setdefault(uid, feed) == feed, uid


class TestCombinedBuild:
    def test_built_with_curated_data_every_feed_stays_under_a_million_bytes(
            self, tmp_path: Path) -> None:
        data, _ = import_busy(tmp_path, count=3_000, days=40)
        result = run("build", str(CURATED), str(data), "-o", str(tmp_path / "out"),
                     "--max-age", "100000")
        assert result.exit_code == 0, result.output
        sizes = {path: path.stat().st_size for path in (tmp_path / "out").rglob("*.ics")}
        assert max(sizes.values()) < 1_000_000

    def test_either_order_of_the_files_gives_the_same_feeds(self, tmp_path: Path) -> None:
        data = tmp_path / "postings.yaml"  # its track quant is not the curated quant
        imported = run("import", "simplify", str(SNAPSHOT), "-o", str(data))
        assert imported.exit_code == 0, imported.output
        built = []
        for order in ((CURATED, data), (data, CURATED)):
            out = tmp_path / f"out-{len(built)}"
            result = run("build", *map(str, order), "-o", str(out), "--max-age", "100000")
            assert result.exit_code == 0, result.output
            built.append(out)
        paths = [sorted(str(p.relative_to(out)) for p in out.rglob("*.ics")) for out in built]
        assert paths[0] == paths[1]
        assert "tracks/quant-postings-summer-2025.ics" in paths[0]
        curated = icalendar.Calendar.from_ical((built[1] / "tracks" / "quant.ics").read_bytes())
        assert " + " not in str(curated["X-WR-CALNAME"])

    def test_an_employer_feed_is_named_by_the_data_holding_its_postings(
            self, tmp_path: Path) -> None:
        data, _ = import_busy(tmp_path, count=60, days=5)
        out = tmp_path / "out"
        result = run("build", str(CURATED), str(data), "-o", str(out), "--max-age", "100000")
        assert result.exit_code == 0, result.output
        posted = icalendar.Calendar.from_ical((out / "employers" / "stryker.ics").read_bytes())
        curated = icalendar.Calendar.from_ical((out / "all.ics").read_bytes())
        listed = str(curated["X-WR-CALNAME"]).split(" + ")[1]
        assert str(posted["X-WR-CALNAME"]) == f"{listed}: Stryker"


class TestFollowOneEmployer:
    def test_each_posting_has_an_opening_and_a_follow_up_in_its_employers_feed(
            self, folder: Path) -> None:
        every = own_events(folder, "Capital One")
        openings = [e for e in every.values() if str(e["UID"]).endswith(".opens@deadlinecal")]
        assert len(openings) == 10
        for opening in openings:
            if "https://jobs.example.org/3" in str(opening.get("DESCRIPTION")):
                continue  # closed after 5 days: its follow-up comes before it closes
            assert str(opening["SUMMARY"]).startswith("Opens: Capital One · ")
            follow = every[str(opening["UID"]).replace(".opens@", ".follow-up@")]
            assert follow.start == opening.start + dt.timedelta(days=14)

    def test_the_role_is_in_the_title_without_the_term(self, folder: Path) -> None:
        titles = {str(e["SUMMARY"]) for e in own_events(folder, "Stryker").values()}
        assert "Opens: Stryker · Intern - Data Science - Michigan 0" in titles

    def test_every_title_names_who_in_its_first_words(self, folder: Path) -> None:
        for feed in sorted(folder.rglob("*.ics")):
            for event in calendar_events(feed):
                title = str(event["SUMMARY"])
                if feed.parent.name == "employers":
                    employer = feed.stem.replace("-", " ")
                    assert title.split(": ", 1)[1].casefold().startswith(employer), title
                elif " postings)" in title or " from " in title:
                    assert re.match(r"[^:]+: [^0-9(]", title), title
                assert len(title) <= 60, title

    def test_the_address_comes_from_the_employers_name(self, folder: Path) -> None:
        assert (folder / "employers" / "capital-one.ics").is_file()
        assert (folder / "employers" / "jane-street.ics").is_file()

    def test_no_two_events_of_a_feed_share_day_and_title(self, folder: Path) -> None:
        for feed in sorted(folder.rglob("*.ics")):
            seen = collections.Counter((e.start, str(e["SUMMARY"]))
                                       for e in calendar_events(feed))
            assert max(seen.values(), default=1) == 1, feed

    def test_the_subscribe_page_lists_every_employer_with_a_search_box(
            self, folder: Path) -> None:
        page = (folder / "index.html").read_text()
        assert '<input type="search" id="employer-search"' in page
        for path in sorted((folder / "employers").glob("*.ics")):
            assert f'href="employers/{path.name}" download>' in page
        assert '<li data-name="capital one">' in page
        # A line each, not a card each: hundreds of employers stay a short list.
        assert 'id="feed-employers-' not in page


class TestEmployerAddresses:
    def test_names_without_an_ascii_spelling_get_distinct_stable_addresses(self) -> None:
        from deadlinecal.events.select import employer_slug

        kabushiki, nihon = employer_slug("株式会社"), employer_slug("日本")
        assert kabushiki != nihon
        assert kabushiki == "employer-" + hashlib.sha256("株式会社".encode()).hexdigest()[:8]

    def test_two_long_names_alike_in_their_first_60_characters_stay_apart(self) -> None:
        from deadlinecal.events.select import employer_slug

        first, second = "A" * 58 + " Holdings East", "A" * 58 + " Holdings West"
        assert employer_slug(first) != employer_slug(second)
        assert len(employer_slug(first)) <= 60

    @pytest.mark.parametrize(("name", "address"), [
        ("Capital One", "capital-one"), ("Société Générale", "societe-generale"),
        ("Macy’s", "macys"), ("Jane Street", "jane-street")])
    def test_a_name_with_a_full_ascii_spelling_keeps_its_address(
            self, name: str, address: str) -> None:
        from deadlinecal.events.select import employer_slug

        assert employer_slug(name) == address
