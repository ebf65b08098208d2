"""Category values and calendar names hold no character RFC 5545 escapes (, ; \\): several
clients people run split or show such escapes wrongly (docs/clients.md)."""

from __future__ import annotations

import re

import icalendar

from deadlinecal.site import build
from deadlinecal.text import calendar_name, category

from .conftest import DEFAULT_DATA
from .helpers import dataset_yaml, program

ESCAPED = re.compile(rb"\\[,;\\]")


def _with_titles(track: str, title: str, employer: str = "Acme") -> bytes:
    return (dataset_yaml(program("p1", windows='- opens: "2026-10-14"'))
            .replace(b"  research: {title: Research}", f'  research: {{title: "{track}"}}'
                     .encode())
            .replace(b"title: Test cycle", f'title: "{title}"'.encode())
            .replace(b"employer: Acme", f'employer: "{employer}"'.encode()))


def _unfolded(content: bytes) -> list[bytes]:
    return content.replace(b"\r\n ", b"").split(b"\r\n")


class TestReplacements:
    def test_a_comma_in_a_category_becomes_a_slash(self) -> None:
        assert category("AI, ML and data") == "AI/ML and data"

    def test_semicolons_and_backslashes_in_a_category_become_slashes(self) -> None:
        assert category("a;b\\c ; d") == "a/b/c/d"

    def test_the_comma_before_a_company_suffix_is_dropped(self) -> None:
        assert category("Lowe's Companies, Inc.") == "Lowe's Companies Inc."
        assert calendar_name("Acme, LLC: Research") == "Acme LLC: Research"

    def test_a_comma_in_a_calendar_name_becomes_a_dash(self) -> None:
        assert calendar_name("Machine-learning internships, summer 2027") == (
            "Machine-learning internships – summer 2027")
        assert calendar_name("a; b\\c") == "a – b/c"

    def test_text_without_those_characters_is_unchanged(self) -> None:
        assert category("Citadel / Citadel Securities") == "Citadel / Citadel Securities"
        assert calendar_name("Test cycle: for PhD students") == "Test cycle: for PhD students"


class TestFeeds:
    def test_default_feeds_escape_nothing_in_categories_and_names(self) -> None:
        made = build(DEFAULT_DATA.read_bytes(), file="data/ml-internships-summer-2027.yaml")
        for path, content in made.files.items():
            if not path.endswith(".ics"):
                continue
            for line in _unfolded(content):
                if line.startswith((b"CATEGORIES:", b"NAME:", b"X-WR-CALNAME:")):
                    assert not ESCAPED.search(line), (path, line)
        calendar = icalendar.Calendar.from_ical(made.files["all.ics"])
        assert calendar.calendar_name == "Machine-learning internships – summer 2027"

    def test_a_posting_category_reaches_clients_as_one_category(self) -> None:
        from ical.calendar_stream import IcsCalendarStream

        data = _with_titles("AI, ML and data", "Postings, Summer 2025", "Lowe's Companies, Inc.")
        content = build(data, file="t.yaml").files["tracks/research.ics"]
        assert b"\r\nCATEGORIES:AI/ML and data,Lowe's Companies Inc.\r\n" in content
        # Home Assistant's `ical` split "AI\, ML and data" into two categories.
        calendar = IcsCalendarStream.calendar_from_ics(content.decode())
        assert {tuple(e.categories) for e in calendar.events} == {
            ("AI/ML and data", "Lowe's Companies Inc.")}
        # icalendar's calendar_name showed the backslash of "Postings\, Summer 2025".
        assert icalendar.Calendar.from_ical(content).calendar_name == (
            "Postings – Summer 2025: AI/ML and data")

    def test_uids_do_not_depend_on_titles(self) -> None:
        plain = build(_with_titles("AI ML and data", "Postings"), file="t.yaml")
        commas = build(_with_titles("AI, ML and data", "Postings, 2025", "A, Inc."),
                       file="t.yaml")
        assert [e.uid for e in plain.events] == [e.uid for e in commas.events]
