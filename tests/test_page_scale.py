"""The subscribe page of a large file: a bounded timeline that says what it leaves out.

MAX_CHARTED is lowered here so that a small file is "large"; the default data and every
golden case stay far below the real limit (their pages are compared byte for byte
elsewhere).
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from deadlinecal.page import timeline
from deadlinecal.site import Build, build

from .helpers import dataset_yaml, program

ROOT = Path(__file__).resolve().parent.parent
SVG = "{http://www.w3.org/2000/svg}"
LIMIT = 4


def _data() -> bytes:
    """Five dated programs in each of two tracks, and one without a date."""
    return dataset_yaml(
        *(program(f"r{i}", windows=f'- opens: "2026-10-{10 + i}"') for i in range(5)),
        *(program(f"a{i}", track="applied", windows=f'- opens: "2026-11-{10 + i}"')
          for i in range(5)),
        program("w0"))


def _build(data: bytes) -> Build:
    return build(data, file="t.yaml", as_of=None)


def _page(result: Build) -> str:
    return result.files["index.html"].decode()


def _svg(page: str, kind: str) -> ET.Element:
    match = re.search(rf'<svg class="timeline {kind}".*?</svg>', page, re.S)
    assert match, f"no {kind} timeline"
    return ET.fromstring(match.group(0))


def _charted(svg: ET.Element) -> list[str]:
    return [text.text or "" for group in svg.iter(f"{SVG}g") if group.get("class") == "row"
            for text in group.iter(f"{SVG}text") if text.get("class") == "name"]


@pytest.fixture
def large(monkeypatch: pytest.MonkeyPatch) -> Build:
    monkeypatch.setattr(timeline, "MAX_CHARTED", LIMIT)
    return _build(_data())


class TestBoundedTimeline:
    def test_each_track_charts_an_equal_share_in_the_order_of_the_data(
            self, large: Build) -> None:
        for kind in ("wide", "narrow"):
            assert _charted(_svg(_page(large), kind)) == [
                "Acme Program r0", "Acme Program r1", "Acme Program a0", "Acme Program a1"]

    def test_each_band_says_how_many_it_leaves_out(self, large: Build) -> None:
        for kind in ("wide", "narrow"):
            svg = _svg(_page(large), kind)
            more = [text for text in svg.iter(f"{SVG}text")
                    if (text.text or "").startswith("\u2026 and")]
            assert [text.text for text in more] == [
                "\u2026 and 3 more: see all dates as text"] * 2
            # Inside the chart, below its band's rows.
            assert all(float(text.get("y", 0)) < float(svg.get("height", 0)) for text in more)

    def test_the_page_states_what_the_timeline_leaves_out(self, large: Build) -> None:
        page = _page(large)
        assert ("At this size the timeline charts 4 of the 10 programs with dates: the first "
                "ones of each track, in the order of the data.") in page
        svg = _svg(page, "wide")
        desc = svg.find(f"{SVG}desc")
        assert desc is not None and "4 of the 10 programs with dates" in (desc.text or "")

    def test_the_table_and_the_calendars_still_hold_every_program(self, large: Build) -> None:
        page = _page(large)
        table = page[page.index('<details class="dates">'):page.index("</details>",
                                                                       page.index('"dates"'))]
        names = [f"Acme Program {key}{i}" for key in "ra" for i in range(5)]
        assert [name for name in names if f">{name}</th>" not in table] == []
        everything = large.files["all.ics"].decode()
        ids = [f"{key}{i}" for key in "ra" for i in range(5)] + ["w0"]
        assert [key for key in ids if f"UID:t.{key}.main." not in everything] == []
        assert "Acme Program w0" in page  # the watch list is not bounded

    def test_rows_and_bands_fit_the_height_of_the_chart(self, large: Build) -> None:
        svg = _svg(_page(large), "wide")
        # The axis, two bands of two rows with a line each for the rest, and the margin.
        assert svg.get("height") == str(timeline.AXIS_HEIGHT + 2 * (
            timeline.TRACK_ROW + 2 * 28 + timeline.MORE_ROW) + 10)


class TestBelowTheLimit:
    def test_at_the_limit_the_page_is_the_same_as_without_one(
            self, monkeypatch: pytest.MonkeyPatch) -> None:
        unbounded = _page(_build(_data()))
        monkeypatch.setattr(timeline, "MAX_CHARTED", 10)
        assert _page(_build(_data())) == unbounded
        assert "At this size" not in unbounded and "more: see all dates" not in unbounded

    def test_the_default_data_is_far_below_the_limit(self) -> None:
        from deadlinecal.dataset.validate import load_dataset
        from deadlinecal.page.index import split_programs

        path = ROOT / "data" / "ml-internships-summer-2027.yaml"
        charted, _ = split_programs(load_dataset(path.read_bytes(), file=str(path)).dataset)
        assert 0 < len(charted) <= timeline.MAX_CHARTED // 10

    def test_the_limit_is_the_one_the_docs_give(self) -> None:
        commands = (ROOT / "docs" / "commands.md").read_text(encoding="utf-8")
        assert f"up to {timeline.MAX_CHARTED} of them" in commands
        readme = (ROOT / "README.md").read_text(encoding="utf-8")
        assert f"(of {timeline.MAX_CHARTED} programs at most;" in readme
