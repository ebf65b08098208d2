"""The corpus of hostile inputs in tests/hostile/: each file fails `deadlinecal build` with
exit status 1 and exactly the message in its .expected file, and leaves an existing
calendars/ folder byte for byte as it was.

To add a case, drop NAME.yaml in tests/hostile/ and run
`DEADLINECAL_REGENERATE_HOSTILE=1 bash scripts/test tests/test_hostile_corpus.py`, then read
the NAME.expected it wrote before committing it.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from .badinput_support import existing_calendars, invoke, snapshot

CORPUS = Path(__file__).resolve().parent / "hostile"
CASES = sorted(CORPUS.glob("*.yaml"))
REGENERATE = os.environ.get("DEADLINECAL_REGENERATE_HOSTILE") == "1"


def test_the_corpus_is_there() -> None:
    assert len(CASES) >= 30


@pytest.mark.parametrize("case", CASES, ids=[case.stem for case in CASES])
class TestHostileCorpus:
    def run(self, case: Path, workdir: Path) -> tuple[int, str, str, bool]:
        shutil.copy(case, workdir / case.name)
        calendars = existing_calendars(workdir)
        before = snapshot(calendars)
        result = invoke("build", case.name, "-o", "calendars", "--as-of", "2026-08-01")
        return result.exit_code, result.stdout, result.stderr, snapshot(calendars) == before

    def test_fails_cleanly_and_leaves_calendars_untouched(
            self, case: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.chdir(tmp_path)
        code, stdout, stderr, untouched = self.run(case, tmp_path)
        expected_file = case.with_suffix(".expected")
        if REGENERATE:
            expected_file.write_text(stderr, encoding="utf-8")
        assert (code, stdout, untouched) == (1, "", True)
        assert stderr == expected_file.read_text(encoding="utf-8")
