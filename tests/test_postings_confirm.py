"""Curated estimates confirmed by imported postings: same UID, SEQUENCE + 1, CONFIRMED."""

from __future__ import annotations

import datetime as dt
import os
import shutil
from pathlib import Path

import pytest

from .conftest import ROOT
from .postings_support import SUMMER_2027, events, run

DEFAULT = "data/ml-internships-summer-2027.yaml"
JANE = "ml-internships-summer-2027.jane-street-internship.summer-2027.opens@deadlinecal"
NVIDIA = "ml-internships-summer-2027.nvidia-internship.summer-2027.opens@deadlinecal"


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    shutil.copytree(ROOT / "data", tmp_path / "data")
    monkeypatch.chdir(tmp_path)
    assert run("build", "--as-of", "2026-08-01").exit_code == 0
    imported = run("import", "simplify", str(SUMMER_2027), "-o", "data/postings.yaml")
    assert imported.exit_code == 0, imported.output
    return tmp_path


class TestBuiltTogether:
    def test_the_estimate_moves_to_the_first_matching_posting_confirmed(
            self, project: Path) -> None:
        before = events(project / "calendars" / "all.ics")
        assert str(before[JANE]["STATUS"]) == "TENTATIVE"
        built = run("build", DEFAULT, "data/postings.yaml", "--as-of", "2026-09-30")
        assert built.exit_code == 0, built.output
        after = events(project / "calendars" / "all.ics")
        assert after[JANE].start == dt.date(2026, 8, 12)
        assert str(after[JANE]["STATUS"]) == "CONFIRMED"
        assert int(after[JANE]["SEQUENCE"]) == int(before[JANE]["SEQUENCE"]) + 1
        # 23:00 in New York on 1 September is already 2 September in UTC.
        assert after[NVIDIA].start == dt.date(2026, 9, 1)

    def test_diff_shows_it_as_a_move(self, project: Path) -> None:
        result = run("diff", DEFAULT, "data/postings.yaml")
        assert result.exit_code == 0
        assert ("~ moved     Opens: Jane Street: 2026-08-01 → "
                "2026-08-12 [tentative → confirmed]") in result.output

    def test_alone_the_curated_data_keeps_its_estimate(self, project: Path) -> None:
        result = run("build", DEFAULT, "--check")
        assert result.exit_code == 0, result.output


class TestConfirmOption:
    def test_rewrites_only_the_opens_values_of_matched_programs(self, project: Path) -> None:
        before = (project / DEFAULT).read_text().splitlines()
        result = run("import", "simplify", str(SUMMER_2027), "-o", "data/postings.yaml",
                     "--confirm", DEFAULT)
        assert result.exit_code == 0, result.output
        after = (project / DEFAULT).read_text().splitlines()
        changed = [(old, new) for old, new in zip(before, after, strict=True) if old != new]
        assert changed == [('        opens: "2026-08..2026-10"', '        opens: "2026-09-01"'),
                           ('        opens: "2026-08"', '        opens: "2026-08-12"')]
        assert ("jane-street-internship opens 2026-08-12 (was August 2026), confirmed by "
                "\u201cSoftware Engineer Internship\u201d") in result.output

    def test_a_posting_outside_the_cycle_confirms_nothing(self, project: Path) -> None:
        text = SUMMER_2027.read_text().replace("Summer 2027", "Summer 2031")
        shifted = project / "late.json"
        # Five years later: after the default data's cycle ends.
        shifted.write_text(text.replace('"date_posted": 17', '"date_posted": 19'))
        # A list saved then, imported then: postings after that day would be skipped.
        saved = dt.datetime(2034, 1, 1, tzinfo=dt.UTC).timestamp()
        os.utime(shifted, (saved, saved))
        before = (project / DEFAULT).read_bytes()
        result = run("import", "simplify", str(shifted), "-o", "data/late.yaml",
                     "--confirm", DEFAULT, "--as-of", "2034-01-01")
        assert result.exit_code == 0, result.output
        assert "no estimated opening matched a posting" in result.output
        assert (project / DEFAULT).read_bytes() == before
