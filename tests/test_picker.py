"""One personal calendar: every choice of tracks, stage of study and citizenship -> one feed."""

from __future__ import annotations

import http.client
import json
import re
from collections.abc import Iterator
from pathlib import Path

import icalendar
import pytest
from click.testing import CliRunner

from deadlinecal.cli import main
from deadlinecal.commands.serve import serve_in_thread
from deadlinecal.errors import DataError
from deadlinecal.events.select import select
from deadlinecal.ical.lint import lint
from deadlinecal.model import Event
from deadlinecal.output.write import write_tree
from deadlinecal.page import picker as picking
from deadlinecal.page.index import MAX_ADDRESS, feed_url, webcal_url
from deadlinecal.page.picker import Choice, QueryError, choices, parse_query
from deadlinecal.site import Build, build
from deadlinecal.text import feed_name

from .helpers import dataset_yaml, program

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data" / "ml-internships-summer-2027.yaml"
BASE = "https://calendars.example.org/ml-2027/"


def _build(base_url: str | None = BASE, data: bytes | None = None) -> Build:
    return build(data or DATA.read_bytes(), file=str(DATA), base_url=base_url)


@pytest.fixture(scope="module")
def default() -> Build:
    return _build()


def _uids(content: bytes) -> list[str]:
    return [str(event["UID"]) for event in icalendar.Calendar.from_ical(content).events]


def _path_of(result: Build) -> dict[str, str]:
    assert result.picker is not None
    return {choice.key: path for choice, path in result.picker.choices}


class TestChoices:
    def test_the_default_data_makes_4_times_6_times_4_choices(self, default: Build) -> None:
        assert default.picker is not None
        assert default.picker.count == len(default.picker.choices) == 96
        assert len({choice.key for choice, _ in default.picker.choices}) == 96

    def test_every_choice_holds_exactly_the_events_its_filter_selects(self,
                                                                     default: Build) -> None:
        assert default.picker is not None
        empty = 0
        for choice, path in default.picker.choices:
            expected = [event.uid for event in select(default.events, choice.filter)]
            assert _uids(default.files[path]) == expected, choice.key
            empty += not expected
        # A group the source does not state keeps a program: no choice of the default
        # data is empty, and most hold several programs.
        assert empty < 96 // 2

    def test_every_choice_has_a_file_of_its_own_named_by_the_choice(self,
                                                                   default: Build) -> None:
        paths = _path_of(default)
        assert len(set(paths.values())) == 96
        assert paths["any|any|any"] == "picked/any.any.any.ics"
        assert paths["research|phd|other"] == "picked/research.phd.other.ics"
        assert paths["quant|any|us-citizen"] == "picked/quant.any.us-citizen.ics"

    def test_a_file_is_titled_by_its_choice(self, default: Build) -> None:
        assert default.picker is not None
        titles = {p.spec.path: p.spec.title for p in default.picker.feeds}
        paths = _path_of(default)
        title = default.dataset.title
        assert titles[paths["research|any|any"]] == f"{title}: Research"
        assert titles[paths["research|phd|any"]] == f"{title}: Research, for PhD students"
        assert titles[paths["quant|any|other"]] == (
            f"{title}: Quant ML, no citizenship rule stated against Everyone else (including "
            "international students)")

    def test_every_personal_feed_is_lint_clean_with_the_usual_header(self,
                                                                    default: Build) -> None:
        assert default.picker is not None
        for each in default.picker.feeds:
            content = default.files[each.spec.path]
            assert lint(content) == [], each.spec.path
            calendar = icalendar.Calendar.from_ical(content)
            assert calendar["SOURCE"] == feed_url(BASE, each.spec.path)
            assert calendar["X-WR-CALNAME"].to_ical() == \
                icalendar.vText(feed_name(each.spec.title, each.spec.term)).to_ical()
            assert calendar["REFRESH-INTERVAL"].params["VALUE"] == "DURATION"

    def test_choices_json_maps_every_choice_to_its_address(self, default: Build) -> None:
        document = json.loads(default.files["picked/choices.json"])
        assert document["format"] == 2
        assert document["terms"]["track"] == ["research", "applied", "quant"]
        assert document["choices"] == _path_of(default)
        assert document["kept"] == document["ended"] == {}

    def test_choices_are_listed_broadest_first(self, default: Build) -> None:
        listed = list(choices(default.dataset))
        assert listed[0] == Choice()
        assert [c.constraints for c in listed] != sorted(c.constraints for c in listed)
        assert [len(c.tracks) for c in listed] == sorted(len(c.tracks) for c in listed)

    def test_a_choice_key_reads_back_as_the_same_choice(self, default: Build) -> None:
        for choice, _ in default.picker.choices if default.picker else ():
            assert Choice.from_key(choice.key) == choice
        assert Choice.from_key("research+applied|phd|any").tracks == ("research", "applied")


class TestStableAddresses:
    def test_moving_dates_keeps_every_address(self, default: Build) -> None:
        moved = DATA.read_bytes().replace(b"mid 2026-", b"late 2026-")
        assert moved != DATA.read_bytes()
        assert _path_of(_build(data=moved)) == _path_of(default)

    def test_a_program_that_leaves_a_choice_changes_no_address(self) -> None:
        text = dataset_yaml(
            program("alpha", windows='- opens: "2026-10-14"'),
            program("beta", track="applied", eligibility="[phd]",
                    windows='- opens: "mid 2026-11"'))
        before = _path_of(build(text, file="t.yaml"))
        after = _path_of(build(text.replace(b"eligibility: [phd]", b"eligibility: [undergrad]"),
                               file="t.yaml"))
        assert before == after


class TestLimits:
    def test_too_many_choices_leave_the_picker_off_the_page(self) -> None:
        tracks = "".join(f"  t{i}: {{title: Track {i}}}\n" for i in range(260))
        text = dataset_yaml(program("alpha", track="t0", windows='- opens: "2026-10-14"'))
        text = re.sub(rb"tracks:\n(  .*\n)+", b"tracks:\n" + tracks.encode(), text)
        result = build(text, file="t.yaml")
        assert result.picker is not None and result.picker.feeds == ()
        assert not [path for path in result.files if path.startswith("picked/")]
        assert result.picker.report == (
            "No personal feeds: the declared terms make 2,349 choices, more than the 1,024 "
            "the picker offers; the feeds above remain.")
        assert 'id="picker"' not in result.files["index.html"].decode()

    def test_too_many_events_leave_the_picker_off_the_page(
            self, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setattr(picking, "MAX_PICKED_EVENTS", 100)
        result = _build()
        assert result.picker is not None and result.picker.feeds == ()
        assert "events in all, more than 100" in result.picker.report

    def test_beyond_the_events_limit_only_the_addresses_written_are_gathered(
            self, monkeypatch: pytest.MonkeyPatch, default: Build) -> None:
        monkeypatch.setattr(picking, "MAX_PICKED_EVENTS", 100)
        gathered: list[frozenset[int]] = []
        chosen = picking._Kinds.chosen

        def spy(kinds: picking._Kinds, kept: frozenset[int]) -> tuple[Event, ...]:
            gathered.append(kept)
            return chosen(kinds, kept)

        monkeypatch.setattr(picking._Kinds, "chosen", spy)
        events = [event for event in default.events if not event.feed]
        before = Choice(("research",), "phd")
        result = picking.plan(default.dataset, events, [("picked/old.ics", before, "")])
        assert result.choices == () and "more than 100" in result.skipped
        assert [each.spec.path for each in result.feeds] == ["picked/old.ics"]
        assert list(result.feeds[0].events) == select(events, before.filter)
        assert len(gathered) == 1

    def test_each_choice_keeps_the_programs_the_feed_filter_keeps(self,
                                                                   default: Build) -> None:
        events = [event for event in default.events if not event.feed]
        result = picking.plan(default.dataset, events,
                              [("picked/two.ics", Choice(("research", "applied"), "phd"), "")])
        assert len(result.feeds) == len(result.choices) + 1
        wrong = [each.spec.path for each in result.feeds
                 if list(each.events) != select(events, each.spec.filter)]
        assert wrong == []

    def test_a_term_named_any_leaves_the_picker_out(self) -> None:
        text = dataset_yaml(program("alpha", windows='- opens: "2026-10-14"'))
        text = text.replace(b"  phd:", b"  any:").replace(b"[phd]", b"[any]")
        result = build(text, file="t.yaml")
        assert result.picker is not None and result.picker.feeds == ()
        assert "named 'any'" in result.picker.report


def _addresses(page: str) -> list[str]:
    return [re.sub(r"&amp;", "&", value) for value in
            re.findall(r'(?:href|value)="((?:https?|webcal)://[^"]*)"', page)]


class TestAddressLength:
    def test_every_address_the_default_page_offers_is_short_enough(self,
                                                                  default: Build) -> None:
        addresses = _addresses(default.files["index.html"].decode())
        assert len(addresses) > 100
        assert max(len(a) for a in addresses) <= MAX_ADDRESS

    def test_the_longest_base_url_that_fits_builds_and_stays_within_the_limit(self) -> None:
        longest = max(len(webcal_url(feed_url(BASE, p))) for p in _build().files)
        base = BASE + "x" * (MAX_ADDRESS - longest) + "/"
        base = base[:-2] + "/"  # one character to spare: the longest is exactly 255
        page = _build(base).files["index.html"].decode()
        assert max(len(a) for a in _addresses(page)) <= MAX_ADDRESS

    def test_a_base_url_too_long_for_google_is_refused(self) -> None:
        with pytest.raises(DataError) as error:
            _build("https://calendars.example.org/" + "very-long-folder-name/" * 10)
        message = str(error.value)
        assert "dataset.base_url" in message
        assert "Google Calendar's From URL silently fails on addresses longer than 256" \
            in message
        assert "expected a base URL of at most" in message

    def test_the_cli_says_so_without_a_traceback(self, tmp_path: Path) -> None:
        result = CliRunner().invoke(main, [
            "build", str(DATA), "-o", str(tmp_path / "out"), "--as-of", "2026-08-01",
            "--base-url", "https://calendars.example.org/" + "x" * 240 + "/"])
        assert result.exit_code == 1
        assert "silently fails on addresses longer than 256" in result.output
        assert "Traceback" not in result.output and not (tmp_path / "out").exists()


class TestBuildCommand:
    def test_build_says_how_many_personal_feeds_there_are(self, tmp_path: Path) -> None:
        out = tmp_path / "out"
        result = CliRunner().invoke(main, ["build", str(DATA), "-o", str(out),
                                           "--as-of", "2026-08-01"])
        assert result.exit_code == 0, result.output
        assert "  96 personal feeds (96 choices) in picked/ (the page's picker).\n" in result.output
        assert len(list((out / "picked").glob("*.ics"))) == 96
        assert (out / "picked" / "choices.json").is_file()


TERMS = {"track": ["research", "applied"], "eligibility": ["phd", "undergrad"],
         "citizenship": ["other"]}


class TestQuery:
    @pytest.mark.parametrize(("query", "key"), [
        ("", "any|any|any"),
        ("track=research&eligibility=phd&citizenship=other", "research|phd|other"),
        ("track=RESEARCH&eligibility=%20PhD%20", "research|phd|any"),
        ("eligibility=any&citizenship=any", "any|any|any"),
        ("track=research&track=research", "research|any|any"),
    ])
    def test_names_a_choice(self, query: str, key: str) -> None:
        assert parse_query(query, TERMS) == key

    @pytest.mark.parametrize(("query", "message"), [
        ("track=papers", "track 'papers' is not declared; valid: research, applied, any"),
        ("colour=red", "unknown parameter 'colour'; use track, eligibility, citizenship"),
        ("eligibility=phd&eligibility=undergrad", "pick one eligibility (or any)"),
        ("track=applied&track=research", "pick one track (or any)"),
        ("track=applied,research", "pick one track (or any)"),
        ("track", "the query string is not name=value pairs"),
    ])
    def test_refuses_what_names_none(self, query: str, message: str) -> None:
        with pytest.raises(QueryError, match=re.escape(message)):
            parse_query(query, TERMS)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, default: Build) -> Iterator[str]:
    root = tmp_path_factory.mktemp("served")
    write_tree(root / "site", default.files)
    # Every choice of the default data keeps a program (a group the source does not state
    # keeps it), so a choice that keeps none is served from data with a ruled-out group.
    write_tree(root / "closed", _build(data=dataset_yaml(program(
        eligibility="{open_to: [phd], closed_to: [undergrad]}"))).files)
    (root / "elsewhere").mkdir()
    served, thread = serve_in_thread(root, "127.0.0.1", 0)
    yield f"127.0.0.1:{served.server_address[1]}"
    served.shutdown()
    served.server_close()
    thread.join(timeout=5)


def _get(server: str, path: str, method: str = "GET") -> tuple[int, str, bytes]:
    connection = http.client.HTTPConnection(server, timeout=10)
    try:
        connection.request(method, path)
        response = connection.getresponse()
        return response.status, response.getheader("Content-Type") or "", response.read()
    finally:
        connection.close()


class TestServe:
    def test_answers_a_choice_with_its_personal_feed(self, server: str,
                                                     default: Build) -> None:
        status, kind, body = _get(
            server, "/site/feed.ics?track=research&eligibility=phd&citizenship=other")
        assert (status, kind) == (200, "text/calendar; charset=utf-8")
        assert body == default.files[_path_of(default)["research|phd|other"]]

    def test_values_match_as_the_filters_do(self, server: str, default: Build) -> None:
        status, _, body = _get(server, "/site/feed.ics?track=Research&eligibility=PHD")
        assert status == 200
        assert body == default.files[_path_of(default)["research|phd|any"]]

    def test_head_answers_without_a_body(self, server: str) -> None:
        assert _get(server, "/site/feed.ics?track=quant", "HEAD")[::2] == (200, b"")

    @pytest.mark.parametrize(("query", "message"), [
        ("track=papers", b"track 'papers' is not declared; valid: research, applied, quant, "
                         b"any\n"),
        ("eligibility=phd&eligibility=masters", b"pick one eligibility (or any)\n"),
        ("who=me", b"unknown parameter 'who'"),
        ("track=%E7%A0%94%0D%0AX-Evil:%201", b"track '\xe7\xa0\x94\\r\\nX-Evil: 1' is not"),
    ])
    def test_an_unknown_term_is_a_400_with_a_short_message(self, server: str, query: str,
                                                           message: bytes) -> None:
        status, kind, body = _get(server, f"/site/feed.ics?{query}")
        assert (status, kind) == (400, "text/plain; charset=utf-8")
        assert body.startswith(message)

    def test_a_choice_no_program_fits_yet_answers_its_empty_calendar(
            self, server: str) -> None:
        # The data the fixture serves under /closed/: its program is closed to undergrads.
        closed = _build(data=dataset_yaml(program(
            eligibility="{open_to: [phd], closed_to: [undergrad]}")))
        empty = next(choice for choice, _ in closed.picker.choices  # type: ignore[union-attr]
                     if not select(closed.events, choice.filter))
        query = "&".join(f"{name}={term}" for name, term in empty.terms)
        status, _, body = _get(server, f"/closed/feed.ics?{query}")
        assert status == 200 and _uids(body) == []
        assert body == closed.files[empty.address]

    @pytest.mark.parametrize("path", ["/elsewhere/feed.ics?track=research",
                                      "/site/../site/feed.ics?track=research",
                                      "/site/%2e%2e/feed.ics?track=research",
                                      "/site/picked/feed.ics?track=research"])
    def test_nothing_else_is_answered(self, server: str, path: str) -> None:
        assert _get(server, path)[0] == 404

    def test_without_a_query_feed_ics_says_what_it_expects(self, server: str) -> None:
        # A file of that name would be served (test_serve_queries); there is none here.
        assert _get(server, "/site/feed.ics")[:2] == (400, "text/plain; charset=utf-8")
