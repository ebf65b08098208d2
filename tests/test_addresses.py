"""Every personal address a build published keeps answering, with its choice's events.

Each test starts from the folder the release before addresses named choices left (33
`picked/<hash>.ics` and its format-1 `choices.json`), builds the default data into it
(96 addresses named by choice join them), changes the data one way, builds again and checks every address
published before: it still exists, and holds exactly the events its choice selects now
(or, for a choice whose track is gone, its events cancelled and one notice).
"""

from __future__ import annotations

import http.client
import json
import re
import shutil
from pathlib import Path

import icalendar
import pytest
from click.testing import CliRunner

from deadlinecal.cli import main
from deadlinecal.commands.serve import serve_in_thread
from deadlinecal.events.select import select
from deadlinecal.page.picker import Choice, covering
from deadlinecal.page.published import notice_uid, read_record
from deadlinecal.site import build

from .postings_support import SAMPLE

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data" / "ml-internships-summer-2027.yaml"
RELEASED = ROOT / "calendars"
AS_OF = "2026-08-01"

NEW_PROGRAM = """
  - id: example-research-lab
    employer: Example Lab
    program: Research internship
    track: research
    eligibility: [phd]
    citizenship: []
    last_verified: "2026-07-31"
    windows:
      - opens: "2026-10-14"
"""


def _build(out: Path, *data: Path) -> str:
    result = CliRunner().invoke(main, ["build", *map(str, data), "-o", str(out),
                                       "--as-of", AS_OF, "--max-age", "100000"])
    assert result.exit_code == 0, result.output
    return result.output


def _published(out: Path) -> dict[str, Choice]:
    """Every address the folder's record lists, with its choice."""
    found, problems = read_record((out / "picked" / "choices.json").read_bytes())
    assert problems == ()
    return {path: choice for path, choice, _ in found}


def _events(content: bytes) -> list[icalendar.Event]:
    return list(icalendar.Calendar.from_ical(content).walk("VEVENT"))


# The record of the release before addresses named choices (format 1: choice -> hash).
FORMAT_1 = Path(__file__).resolve().parent / "addresses" / "choices-format-1.json"
_HASH = re.compile(r"[0-9a-f]{12}\.ics")


def _release(out: Path) -> Path:
    """The folder as that release left it: the committed feeds, whose 33 hash addresses
    are still those bytes, without the addresses named by choice and with its record."""
    shutil.copytree(RELEASED, out)
    for path in (out / "picked").glob("*.ics"):
        if not _HASH.fullmatch(path.name):
            path.unlink()
    shutil.copy(FORMAT_1, out / "picked" / "choices.json")
    return out


@pytest.fixture
def released(tmp_path: Path) -> Path:
    """The release's folder, built once with the current code."""
    out = _release(tmp_path / "calendars")
    _build(out, DATA)
    return out


def _data(tmp_path: Path, text: str) -> Path:
    """The default data edited: a copy beside its includes (it has none)."""
    path = tmp_path / "data.yaml"
    path.write_text(text)
    return path


def _answering(out: Path, before: dict[str, Choice], *data: Path) -> int:
    """How many addresses of `before` answer with what their choice selects now."""
    reader = {str(path): path.read_bytes() for path in data}
    current = build(reader[str(data[0])], file=str(data[0])) if len(data) == 1 else None
    if current is None:
        from deadlinecal.site import build_all

        current = build_all([str(p) for p in data], lambda p, *_: reader[p])
    ended = json.loads((out / "picked" / "choices.json").read_bytes())["ended"]
    answering = 0
    for path, choice in before.items():
        content = (out / path).read_bytes()
        events = _events(content)
        if path in ended:
            notice = [e for e in events if str(e["UID"]) == notice_uid(current.dataset, path)]
            rest = [e for e in events if e not in notice]
            assert len(notice) == 1 and "ended" in str(notice[0]["SUMMARY"]), path
            assert all(str(e["STATUS"]) == "CANCELLED" for e in rest), path
        else:
            # Its programs' own events, and the days of postings of the broad feed that
            # covers the choice (a posting's own entries stay in its employer's feed).
            mine = {id(e) for e in select([e for e in current.events if not e.feed],
                                          choice.filter)}
            days = covering(choice.filter)
            expected = [e.uid for e in current.events if id(e) in mine or e.feed == days]
            assert [str(e["UID"]) for e in events] == expected, path
        answering += 1
    return answering


class TestTheReleasedAddresses:
    def test_every_hash_address_keeps_the_events_of_the_choice_that_led_to_it(
            self, released: Path) -> None:
        old = json.loads(FORMAT_1.read_bytes())["choices"]
        legacy = {path.removeprefix("picked/") for path in old.values()}
        assert len(legacy) == 33
        for name in legacy:
            # Same choice, same data: the very bytes the release published.
            assert (released / "picked" / name).read_bytes() == \
                (RELEASED / "picked" / name).read_bytes(), name

    def test_the_record_names_the_simplest_choice_behind_each_hash(
            self, released: Path) -> None:
        old = json.loads(FORMAT_1.read_bytes())["choices"]
        kept = json.loads((released / "picked" / "choices.json").read_bytes())["kept"]
        assert len(kept) == 33
        assert kept[old["any|any|any"]] == "any|any|any"
        assert kept[old["research+applied+quant|phd|any"]] == "any|phd|any"

    def test_a_rebuild_changes_nothing(self, released: Path) -> None:
        assert "0 written" in _build(released, DATA)

    def test_serve_answers_a_hash_address_and_a_named_one(self, released: Path) -> None:
        served, thread = serve_in_thread(released, "127.0.0.1", 0)
        try:
            for path in ("/picked/3e2a8daa484b.ics", "/picked/research.phd.any.ics"):
                connection = http.client.HTTPConnection("127.0.0.1", served.server_address[1],
                                                        timeout=10)
                connection.request("GET", path)
                response = connection.getresponse()
                assert response.status == 200, path
                assert response.read() == (released / path.lstrip("/")).read_bytes()
                connection.close()
        finally:
            served.shutdown()
            served.server_close()
            thread.join(timeout=5)


class TestEveryChangeKeepsEveryAddress:
    def test_adding_a_program(self, released: Path, tmp_path: Path) -> None:
        before = _published(released)
        text = DATA.read_text().replace("\nprograms:\n", "\nprograms:\n" + NEW_PROGRAM, 1)
        data = _data(tmp_path, text)
        _build(released, data)
        assert _answering(released, before, data) == len(before) == 129
        uids = [str(e["UID"]) for e in _events((released / "picked/research.phd.any.ics")
                                                .read_bytes())]
        assert any("example-research-lab" in uid for uid in uids)

    def test_removing_a_program(self, released: Path, tmp_path: Path) -> None:
        before = _published(released)
        text = DATA.read_text()
        start = text.index("  - id: google-step\n")
        text = text[:start] + text[text.index("\n  # ---", start) + 1:]
        assert "google-step" not in text
        data = _data(tmp_path, text)
        _build(released, data)
        assert _answering(released, before, data) == len(before) == 129

    def test_editing_a_program(self, released: Path, tmp_path: Path) -> None:
        before = _published(released)
        text = DATA.read_text()
        edited = re.sub(r"(\n  - id: google-step\n(?:    .*\n)*?    eligibility: ).*",
                        r"\1[phd]", text, count=1)
        assert edited != text
        data = _data(tmp_path, edited)
        _build(released, data)
        assert _answering(released, before, data) == len(before) == 129

    def test_adding_a_posting_list(self, released: Path, tmp_path: Path) -> None:
        before = _published(released)
        postings = tmp_path / "postings.yaml"
        result = CliRunner().invoke(main, ["import", "simplify", str(SAMPLE), "-o",
                                           str(postings)])
        assert result.exit_code == 0, result.output
        output = _build(released, DATA, postings)
        assert "No personal feeds" not in output
        assert _answering(released, before, DATA, postings) == len(before) == 129
        page = (released / "index.html").read_text()
        assert 'id="picker"' in page and 'value="software"' in page
        # The posting categories are choices too, each with its track's days of postings:
        # a few entries a day, not one per posting.
        software = (released / "picked" / "software.any.any.ics").read_text()
        assert "tracks-software." in software.replace("\r\n ", "")
        assert "SUMMARY:New: " in software

    def test_removing_a_track(self, released: Path, tmp_path: Path) -> None:
        before = _published(released)
        text = DATA.read_text().replace("track: quant", "track: applied")
        text = re.sub(r"\n  quant:\n(    .*\n|      .*\n)*", "\n", text, count=1)
        data = _data(tmp_path, text)
        _build(released, data)
        assert _answering(released, before, data) == len(before) == 129
        ended = json.loads((released / "picked" / "choices.json").read_bytes())["ended"]
        assert len(ended) == 24 + 9
        assert ended["picked/quant.phd.any.ics"]["instead"] == "picked/any.phd.any.ics"
        content = (released / "picked" / "quant.phd.any.ics").read_text()
        assert "picked/any.phd.any.ics" in content.replace("\r\n ", "")
        # The ended files are final: the next build writes nothing.
        assert "0 written" in _build(released, data)

    def test_a_track_that_comes_back_fills_its_address_again(self, released: Path,
                                                             tmp_path: Path) -> None:
        text = DATA.read_text().replace("track: quant", "track: applied")
        _build(released, _data(tmp_path, re.sub(r"\n  quant:\n(    .*\n|      .*\n)*", "\n",
                                                text, count=1)))
        cancelled = {str(e["UID"]): int(e["SEQUENCE"]) for e in _events(
            (released / "picked" / "quant.any.any.ics").read_bytes())}
        before = _published(released)
        _build(released, DATA)
        assert _answering(released, before, DATA) == len(before)
        back = _events((released / "picked" / "quant.any.any.ics").read_bytes())
        assert back and all(int(e["SEQUENCE"]) > cancelled[str(e["UID"])] for e in back)
        assert json.loads((released / "picked" / "choices.json").read_bytes())["ended"] == {}


def test_a_hostile_record_is_a_warning_and_writes_nothing_outside_picked(
        tmp_path: Path) -> None:
    out = tmp_path / "calendars"
    _build(out, DATA)
    record = out / "picked" / "choices.json"
    document = json.loads(record.read_bytes())
    document["kept"] = {"picked/../../evil.ics": "any|any|any",
                        "picked/x.ics": "a b|any|any"}
    document["ended"] = {"picked/y.ics": {"choice": "gone|any|any", "since": "2026-02-30"}}
    record.write_text(json.dumps(document, indent=1) + "\n")
    output = _build(out, DATA)
    assert "3 entries are not addresses and choices a build writes" in output
    assert not (tmp_path / "evil.ics").exists() and not (out / "picked" / "x.ics").exists()
    assert not (out / "picked" / "y.ics").exists()



class TestBeyondTheLimit:
    def test_too_many_terms_leave_the_picker_off_the_page_but_keep_every_address(
            self, released: Path, tmp_path: Path) -> None:
        before = _published(released)
        extra = "".join(f"  extra-{i}:\n    title: Extra {i}\n" for i in range(300))
        text = DATA.read_text().replace("\ntracks:\n", "\ntracks:\n" + extra, 1)
        data = _data(tmp_path, text)
        output = _build(released, data)
        assert "No picker on the page: the declared terms make" in output
        assert 'id="picker"' not in (released / "index.html").read_text()
        assert _answering(released, before, data) == len(before) == 129
        assert not (released / "picked" / "extra-1.any.any.ics").exists()


@pytest.mark.parametrize("content", [b"not json", b'"a string"', b'{"format": 2, "kept": []}',
                                     b'{"format": 1, "choices": ["a"]}'])
def test_an_unreadable_record_is_a_warning_and_read_as_empty(content: bytes) -> None:
    found, problems = read_record(content)
    assert found == ()
    assert [p.message for p in problems] == [
        "could not be read; the personal addresses published before it are not written "
        "again"]


def test_a_record_that_cannot_be_read_removes_no_address(released: Path) -> None:
    names = sorted(path.name for path in (released / "picked").glob("*.ics"))
    (released / "picked" / "choices.json").write_text(
        '{\n "generator": "deadlinecal",\n "format": 2, "kept": []}\n')
    output = _build(released, DATA)
    assert "does not list 33 personal feeds of the folder" in output
    assert sorted(path.name for path in (released / "picked").glob("*.ics")) == names
    assert (released / "picked" / "3e2a8daa484b.ics").read_bytes() == \
        (RELEASED / "picked" / "3e2a8daa484b.ics").read_bytes()
