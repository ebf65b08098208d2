"""The hand-written serializer writes exactly the bytes icalendar writes (icalendar is the oracle)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import importlib.util
from zoneinfo import ZoneInfo

import icalendar
import pytest
from icalendar.parser import Contentline

from deadlinecal.dataset.validate import load_dataset
from deadlinecal.events.expand import expand
from deadlinecal.ical import fastical
from deadlinecal.ical.render import event_bytes, event_component
from deadlinecal.model import Event
from deadlinecal.site import build

from .conftest import CASES, DEFAULT_DATA, ROOT

# Characters of every UTF-8 length, and the two that start an escape.
PIECES = ["a", "é", "—", "研", "🚀", "\\", "^", ",", ";"]


def _lines() -> list[str]:
    """Lines that put every kind of character just before, on and after each fold point."""
    lines = ["", "short", "x" * 74, "x" * 75, "x" * 148, "x" * 149, "é" * 40, "🚀" * 30]
    for offset in range(68, 80):
        for piece in PIECES:
            for tail in ("", "y" * 10, piece * 90):
                lines.append("N:" + "x" * offset + piece + tail)
    lines.append("DESCRIPTION:" + "Zürich \\n\\, ok\\; " * 40)
    return lines


def _escaped(text: str) -> str:
    return icalendar.vText(text).to_ical().decode()


class TestFold:
    @pytest.mark.parametrize("line", _lines())
    def test_folds_exactly_like_icalendar(self, line: str) -> None:
        assert fastical.fold(line) == Contentline(line).to_ical()

    @pytest.mark.parametrize("line", _lines())
    def test_folding_the_utf8_bytes_is_folding_the_line(self, line: str) -> None:
        assert fastical.fold_bytes(line.encode()) == Contentline(line).to_ical()

    def test_no_physical_line_exceeds_75_octets(self) -> None:
        folded = fastical.fold("DESCRIPTION:" + "研🚀é" * 200)
        assert max(len(part) for part in folded.split(b"\r\n")) <= 75

    def test_never_splits_a_utf8_sequence(self) -> None:
        folded = fastical.fold("SUMMARY:" + "x" * 65 + "🚀" * 50)
        for part in folded.split(b"\r\n"):
            part.decode("utf-8")  # raises if a sequence was cut

    def test_unfolding_gives_the_line_back(self) -> None:
        line = "DESCRIPTION:" + "Société Générale — 東京 🚀 \\n " * 30
        assert fastical.fold(line).replace(b"\r\n ", b"") == line.encode()


TEXTS = ["plain", "a, b; c", "back\\slash", "line\nbreak", "windows\r\nbreak", "lone\rcr",
         "literal \\N escape", "Zürich — 東京 🚀", "", ",;\\\n", "\r\r\n\n\\N\\\\N, é;"]


class TestText:
    @pytest.mark.parametrize("text", TEXTS)
    def test_escapes_like_icalendar_vtext(self, text: str) -> None:
        assert fastical.text(text) == _escaped(text)

    @pytest.mark.parametrize("text", TEXTS)
    def test_escaping_the_utf8_bytes_gives_the_escaped_texts_bytes(self, text: str) -> None:
        assert fastical.text_utf8(text.encode()) == _escaped(text).encode()

    def test_list_joins_escaped_values_with_commas(self) -> None:
        assert fastical.texts(["A, B", "C;D"]) == "A\\, B,C\\;D"


class TestValues:
    def test_day_is_a_date_value(self) -> None:
        assert fastical.date(dt.date(2026, 10, 4)) == (";VALUE=DATE", "20261004")

    def test_utc_moment_ends_in_z(self) -> None:
        moment = dt.datetime(2026, 10, 31, 23, 59, 5, tzinfo=dt.UTC)
        assert fastical.date_time(moment) == ("", "20261031T235905Z")

    def test_zoneinfo_utc_also_ends_in_z(self) -> None:
        moment = dt.datetime(2026, 10, 31, 23, 59, tzinfo=ZoneInfo("UTC"))
        assert fastical.date_time(moment) == ("", "20261031T235900Z")

    def test_named_zone_gets_a_tzid_parameter(self) -> None:
        moment = dt.datetime(2026, 10, 31, 23, 59, tzinfo=ZoneInfo("America/New_York"))
        assert fastical.date_time(moment) == (";TZID=America/New_York", "20261031T235900")

    def test_the_same_instant_in_two_zones_keeps_each_zone(self) -> None:
        zurich = dt.datetime(2027, 3, 24, 17, tzinfo=ZoneInfo("Europe/Zurich"))
        los_angeles = zurich.astimezone(ZoneInfo("America/Los_Angeles"))
        assert zurich == los_angeles  # equal instants, which a cache keyed on them would mix
        assert fastical.when(zurich) == (";TZID=Europe/Zurich", "20270324T170000")
        assert fastical.when(los_angeles) == (";TZID=America/Los_Angeles", "20270324T090000")

    def test_floating_time_is_refused(self) -> None:
        with pytest.raises(ValueError, match="no IANA name"):
            fastical.date_time(dt.datetime(2026, 10, 31, 23, 59))

    def test_fixed_offset_is_refused(self) -> None:
        moment = dt.datetime(2026, 10, 31, tzinfo=dt.timezone(dt.timedelta(hours=2)))
        with pytest.raises(ValueError, match="no IANA name"):
            fastical.date_time(moment)

    @pytest.mark.parametrize("span", [
        dt.timedelta(days=-1), dt.timedelta(hours=-2), dt.timedelta(minutes=-90),
        dt.timedelta(days=-2, hours=-3), dt.timedelta(seconds=-3605), dt.timedelta(days=7),
        dt.timedelta(hours=1, seconds=1),
    ])
    def test_duration_like_icalendar(self, span: dt.timedelta) -> None:
        assert fastical.duration(span) == icalendar.vDuration(span).to_ical().decode()

    @pytest.mark.parametrize("value", ["plain", "a,b", "x;y", "c:d", 'say "hi"', "caret^"])
    def test_parameter_like_icalendar(self, value: str) -> None:
        component = icalendar.Event()
        component.add("X-TEST", "v", parameters={"X-P": value})
        expected = component.to_ical().decode().split("\r\n")[1]
        assert f"X-TEST{fastical.param('X-P', value)}:v" == expected


class TestComponent:
    def test_nested_components_like_icalendar(self) -> None:
        alarm = icalendar.Alarm()
        alarm.add("ACTION", "DISPLAY")
        alarm.add("DESCRIPTION", "Due, soon")
        alarm.add("TRIGGER", dt.timedelta(hours=-2))
        event = icalendar.Event()
        event.add("SUMMARY", "Deadline — Zürich; " * 6)
        event.add("UID", "u@example")
        event.add("SEQUENCE", 3)
        event.add("STATUS", "CANCELLED")
        event.add_component(alarm)
        ours = fastical.component("VEVENT", fastical.ordered([
            ("STATUS", "", "CANCELLED"),
            ("UID", "", "u@example"),
            ("SEQUENCE", "", "3"),
            ("SUMMARY", "", fastical.text("Deadline — Zürich; " * 6)),
        ], icalendar.Event.canonical_order), [fastical.component("VALARM", [
            ("ACTION", "", "DISPLAY"),
            ("DESCRIPTION", "", fastical.text("Due, soon")),
            ("TRIGGER", "", fastical.duration(dt.timedelta(hours=-2))),
        ])])
        assert ours == event.to_ical()

    def test_ordered_puts_canonical_names_first_then_the_rest_by_name(self) -> None:
        names = [p[0] for p in fastical.ordered(
            [("URL", "", ""), ("UID", "", ""), ("CATEGORIES", "", ""), ("SUMMARY", "", "")],
            ("SUMMARY", "UID"))]
        assert names == ["SUMMARY", "UID", "CATEGORIES", "URL"]


def _generated_data() -> bytes:
    """A 300-program file from the benchmark generator: every date form, zones, AoE, CJK."""
    path = ROOT / "benchmarks" / "generate.py"
    spec = importlib.util.spec_from_file_location("deadlinecal_bench_generate", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.generate(300).encode()  # type: ignore[no-any-return]


def _events_of(data: bytes) -> tuple[Event, ...]:
    return expand(load_dataset(data, file="data.yaml").dataset)


SOURCES = {
    "default-data": lambda: DEFAULT_DATA.read_bytes(),
    "generated-300": _generated_data,
    **{f"case-{path.parent.name}": (lambda path=path: path.read_bytes())
       for path in sorted(CASES.glob("*/data.yaml"))},
    # Timed deadlines across daylight-saving changes, AoE, escaped and non-ASCII text.
    **{f"interop-{path.stem}": (lambda path=path: path.read_bytes())
       for path in sorted((ROOT / "tests" / "interop" / "data").glob("*.yaml"))},
}


class TestEventBytes:
    @pytest.mark.parametrize("source", sorted(SOURCES))
    def test_every_event_is_byte_identical_to_icalendar(self, source: str) -> None:
        events = _events_of(SOURCES[source]())
        assert events
        different = [e.uid for e in events if event_bytes(e) != event_component(e).to_ical()]
        assert different == []

    def test_generated_data_exercises_zones_alarms_and_non_ascii(self) -> None:
        events = _events_of(_generated_data())
        assert any(isinstance(e.start, dt.datetime) and e.start.tzinfo is dt.UTC
                   for e in events)
        assert any(isinstance(e.start, dt.datetime) and e.start.tzinfo is not dt.UTC
                   for e in events)
        assert any(e.alarms for e in events)
        assert any(not e.description.isascii() for e in events)

    @pytest.mark.parametrize("source", sorted(SOURCES))
    def test_the_program_text_escaped_once_gives_the_same_bytes(self, source: str) -> None:
        events = _events_of(SOURCES[source]())
        different = [e.uid for e in events
                     if event_bytes(e, escaped_about=fastical.text(e.about)) != event_bytes(e)]
        assert different == []

    @pytest.mark.parametrize("details", ["ends in CR\r", "ends in a backslash\\",
                                         "CR LF\r\n", "\\N and, a; b"])
    def test_details_ending_in_an_escape_still_escape_like_the_whole(self,
                                                                     details: str) -> None:
        event = next(e for e in _events_of(DEFAULT_DATA.read_bytes())
                     if e.uid.endswith(".opens@deadlinecal"))
        edited = dataclasses.replace(event, details=details, about="\nN, after;\\")
        assert (event_bytes(edited, escaped_about=fastical.text(edited.about))
                == event_component(edited).to_ical())

    def test_feeds_parse_back_to_the_same_events_as_naive_icalendar(self) -> None:
        result = build(_generated_data(), file="data.yaml")
        ours = icalendar.Calendar.from_ical(result.files["all.ics"])
        naive = icalendar.Calendar()
        for event in result.events:
            naive.add_component(event_component(event))
        assert [e.to_ical() for e in ours.events] == [e.to_ical() for e in naive.events]


class TestFeedsMapping:
    def test_lists_every_feed_path(self) -> None:
        result = build(DEFAULT_DATA.read_bytes(), file="data.yaml")
        assert result.picker is not None
        picked = [each.spec.path for each in result.picker.feeds]
        assert list(result.files) == [spec.path for spec in result.feeds] + picked + [
            "picked/choices.json", "index.html"]
        assert len(result.files) == len(result.feeds) + len(picked) + 2

    def test_looking_a_feed_up_twice_gives_the_same_bytes(self) -> None:
        result = build(DEFAULT_DATA.read_bytes(), file="data.yaml")
        assert result.files["all.ics"] == result.files["all.ics"]

    def test_unknown_path_is_a_key_error(self) -> None:
        result = build(DEFAULT_DATA.read_bytes(), file="data.yaml")
        with pytest.raises(KeyError):
            result.files["nope.ics"]

    def test_default_feeds_match_the_committed_calendars(self) -> None:
        from deadlinecal.output.plan import LAYOUT
        from deadlinecal.output.write import opened
        from deadlinecal.site import build_all

        committed = ROOT / "calendars"
        with opened(committed, layout=LAYOUT, exclusive=False) as folder:
            previous = folder.read()
        # With the record of every personal address published, as `build` reads it.
        result = build_all([str(DEFAULT_DATA)], lambda path: DEFAULT_DATA.read_bytes(),
                           previous=previous, record=previous["picked/choices.json"],
                           picked={p: c for p, c in previous.items() if p.startswith("picked/")})
        assert {p: (committed / p).read_bytes() for p in result.files} == dict(result.files)



class TestHeaderBytes:
    @pytest.mark.parametrize("source", sorted(SOURCES))
    def test_every_feed_header_is_byte_identical_to_icalendar(self, source: str) -> None:
        from deadlinecal.events.select import standard_feeds
        from deadlinecal.ical.render import Renderer, header_bytes

        dataset = load_dataset(SOURCES[source](), file="data.yaml").dataset
        renderer = Renderer(dataset)
        specs = standard_feeds(dataset)
        assert specs
        assert [header_bytes(dataset, s) for s in specs] == [renderer._header(s) for s in specs]

    def test_titles_with_commas_semicolons_and_newlines_are_escaped_alike(self) -> None:
        from dataclasses import replace

        from deadlinecal.ical.render import Renderer, header_bytes
        from deadlinecal.model import FeedSpec

        dataset = load_dataset(DEFAULT_DATA.read_bytes(), file="data.yaml").dataset
        spec = FeedSpec(path="feeds/x.ics", title="A, b; c\\d", description="line\nnext — 東京")
        for variant in (dataset, replace(dataset, source=replace(dataset.source, url=None))):
            assert header_bytes(variant, spec) == Renderer(variant)._header(spec)


class TestStartUp:
    def test_building_feeds_without_timed_deadlines_never_imports_icalendar(self) -> None:
        import subprocess
        import sys

        code = ("import sys; from deadlinecal.site import build; "
                f"files = build(open({str(DEFAULT_DATA)!r}, 'rb').read(), file='d').files; "
                "assert all(files[p] for p in files); print('icalendar' in sys.modules)")
        result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                                check=True)
        assert result.stdout.strip() == "False"
