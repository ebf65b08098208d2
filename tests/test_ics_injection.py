"""Text from the data file cannot add, end or break iCalendar components or properties.

Each test builds feeds from hostile text, parses them back with icalendar, and compares
the component and property structure with a build of the same data without that text.
"""

from __future__ import annotations

import dataclasses
from collections import Counter

import icalendar

from deadlinecal.ical.render import event_component
from deadlinecal.site import build

from .badinput_support import BASE, replaced

INJECTION = "END:VEVENT\nBEGIN:VALARM\nTRIGGER:-PT5M\nACTION:DISPLAY\nEND:VALARM\nBEGIN:VEVENT"


def feed(data: str) -> bytes:
    return build(data.encode(), file="x.yaml").files["all.ics"]


def outline(ics: bytes) -> list[tuple[str, tuple[tuple[str, int], ...]]]:
    """Each component in order with how many of each property it has, read by icalendar."""
    calendar = icalendar.Calendar.from_ical(ics)
    return [(part.name, tuple(sorted(Counter(name for name, _ in part.property_items(
        recursive=False)).items()))) for part in calendar.walk()]


def content_lines(ics: bytes) -> list[bytes]:
    """The logical lines, unfolded, as a client's line reader sees them."""
    return ics.replace(b"\r\n ", b"").replace(b"\r\n\t", b"").split(b"\r\n")


def begin_end(ics: bytes) -> list[bytes]:
    return [line for line in content_lines(ics) if line.startswith((b"BEGIN:", b"END:"))]


def events(ics: bytes) -> list[icalendar.Event]:
    return list(icalendar.Calendar.from_ical(ics).walk("VEVENT"))


CLEAN = feed(BASE)


class TestComponentsCannotBeInjected:
    def test_multi_line_notes_with_component_lines(self) -> None:
        notes = "    notes: |\n" + "".join(f"      {line}\n" for line in INJECTION.split("\n"))
        hostile = feed(replaced("    link: https://example.org/alpha\n",
                                "    link: https://example.org/alpha\n" + notes))
        assert (outline(hostile), begin_end(hostile)) == (outline(CLEAN), begin_end(CLEAN))

    def test_the_notes_arrive_verbatim(self) -> None:
        notes = "    notes: |\n" + "".join(f"      {line}\n" for line in INJECTION.split("\n"))
        hostile = feed(replaced("    link: https://example.org/alpha\n",
                                "    link: https://example.org/alpha\n" + notes))
        alpha = [e for e in events(hostile) if ".alpha." in str(e["UID"])]
        assert alpha
        assert all(f"Notes: {INJECTION}\n" in str(e["DESCRIPTION"]) for e in alpha)

    def test_property_separators_in_a_name(self) -> None:
        employer = 'Acme, Inc.; "Labs": \\\\ x'
        hostile = feed(replaced("    employer: Acme", f"    employer: '{employer}'"))
        assert outline(hostile) == outline(CLEAN)
        alpha = next(e for e in events(hostile) if ".alpha." in str(e["UID"]))
        # Written as a category clients keep whole (text.category), nothing escaped.
        assert alpha.categories == ["Research", 'Acme Inc./"Labs"://x']
        # The title keeps only a short name; the description's first line has it in full.
        # Too long for a title, so the title starts with the employer's first words.
        assert str(alpha["SUMMARY"]) == "Opens: Acme, Inc.; Research int…"
        assert f"{employer} Research internship" in str(alpha["DESCRIPTION"]).split("\n")[0]

    def test_parameter_syntax_in_a_title(self) -> None:
        title = 'Test;VALUE=URI:"https://evil.example"'
        hostile = feed(replaced("  title: Test set", f"  title: '{title}'"))
        assert outline(hostile) == outline(CLEAN)
        # The semicolon is written as a dash (text.calendar_name) and the colon stays inside
        # the value: no parameter appears.
        names = [line for line in content_lines(hostile) if line.startswith(b"NAME")]
        assert names == ['NAME:Test – VALUE=URI:"https://evil.example"'.encode()]


class TestLongLines:
    TEXT = ("a" * 300 + "é" * 300 + "日本語" * 200 + "😀" * 200 + " END:VEVENT") * 3

    def hostile(self) -> bytes:
        return feed(replaced("    program: Research internship",
                             f"    program: '{self.TEXT}'"))

    def test_every_line_is_folded_to_75_octets(self) -> None:
        assert max(len(line) for line in self.hostile().split(b"\r\n")) <= 75

    def test_folding_never_splits_a_character(self) -> None:
        for line in self.hostile().split(b"\r\n"):
            line.decode("utf-8")  # raises if a multi-byte character was cut in two

    def test_structure_and_text_survive(self) -> None:
        hostile = self.hostile()
        assert outline(hostile) == outline(CLEAN)
        alpha = next(e for e in events(hostile) if ".alpha." in str(e["UID"]))
        assert str(alpha["SUMMARY"]).startswith("Opens: Acme")
        assert f"Acme {self.TEXT}" in str(alpha["DESCRIPTION"]).split("\n")[0]


class TestHtmlInNames:
    """Calendars show text as text; escaping it for the subscribe page is page.py's job."""

    def test_markup_is_carried_as_plain_text(self) -> None:
        markup = "<script>alert(1)</script><img src=x onerror=alert(1)>"
        hostile = feed(replaced("    employer: Acme", f"    employer: '{markup}'"))
        assert outline(hostile) == outline(CLEAN)
        alpha = next(e for e in events(hostile) if ".alpha." in str(e["UID"]))
        assert str(alpha["SUMMARY"]) == "Opens: <script>alert(1… Researc…"
        assert markup in str(alpha["DESCRIPTION"])


class TestRendererEscapesOnItsOwn:
    """Validation refuses CR and other controls; the renderer would be safe without it."""

    def test_crlf_in_a_summary_stays_inside_the_property(self) -> None:
        from deadlinecal.dataset.validate import load_dataset
        from deadlinecal.events.expand import expand

        dataset = load_dataset(BASE.encode(), file="x.yaml").dataset
        event = expand(dataset)[0]
        hostile = "Title\r\nEND:VEVENT\r\nBEGIN:VALARM\rX\nY"
        component = event_component(dataclasses.replace(event, summary=hostile))
        calendar = icalendar.Calendar.new(prodid="-//test//EN")
        calendar.add_component(component)
        ics = calendar.to_ical()
        assert begin_end(ics) == [b"BEGIN:VCALENDAR", b"BEGIN:VEVENT", b"END:VEVENT",
                                  b"END:VCALENDAR"]
        assert str(events(ics)[0]["SUMMARY"]).startswith("Title\nEND:VEVENT\nBEGIN:VALARM")
