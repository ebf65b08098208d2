"""benchmarks/ runs and measures what it says; no timing is asserted (speed lives there)."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

from .conftest import ROOT

BENCH = ROOT / "benchmarks"


def _module(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"deadlinecal_bench_{name}", BENCH / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def quick(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, dict[str, object]]:
    """One `--quick` run (100 programs, every case once): its table and its raw JSON."""
    folder = tmp_path_factory.mktemp("bench")
    raw = folder / "results.json"
    result = subprocess.run(
        [sys.executable, str(BENCH / "bench.py"), "--quick", "--workdir", str(folder / "work"),
         "--json", str(raw)],
        capture_output=True, text=True, timeout=600,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout, json.loads(raw.read_text())


class TestQuickRun:
    def test_every_target_has_a_row(self, quick: tuple[str, dict[str, object]]) -> None:
        table, _ = quick
        for target in ("10k build / floor (time)", "50k build peak RSS",
                       "50k build / floor (peak RSS)", "50k build time / 10k build time",
                       "distinct events/s, build / yaml2ics (100)",
                       "100 rebuild, data unchanged, writes nothing",
                       "default-data build / python -c 'import yaml, click'",
                       "default-data rebuild, folder current / python -c 'import yaml, click'"):
            assert f"| {target} |" in table

    def test_sizes_it_did_not_run_are_not_measured_rather_than_met(
            self, quick: tuple[str, dict[str, object]]) -> None:
        table, _ = quick
        assert "| 10k build / floor (time) | not measured | ≤ 1.5× | not measured |" in table

    def test_floor_wrote_the_builds_events_in_every_feed(
            self, quick: tuple[str, dict[str, object]]) -> None:
        _, raw = quick
        checks = raw["sizes"]["100"]["checks"]  # type: ignore[index]
        assert len(checks) == 1
        assert checks[0].startswith("16 feeds: the floor wrote the same events (UIDs)")

    def test_references_ran_on_the_same_data(self, quick: tuple[str, dict[str, object]]) -> None:
        _, raw = quick
        size = raw["sizes"]["100"]  # type: ignore[index]
        assert [len(size[case]) for case in ("build", "floor", "yaml2ics", "naive")] == [1] * 4

    def test_unchanged_rebuild_wrote_nothing(self, quick: tuple[str, dict[str, object]]) -> None:
        table, _ = quick
        assert ("| 100 rebuild, data unchanged, writes nothing | 0 files written | "
                "nothing written | met |") in table

    def test_stage_timers_still_find_every_stage(
            self, quick: tuple[str, dict[str, object]]) -> None:
        _, raw = quick
        stages = raw["sizes"]["100"]["stages"]  # type: ignore[index]
        assert stages["missing"] == []
        assert set(stages["stages"]) == set(stages["order"])


class TestFloorFormatting:
    floor = _module("floor")

    @pytest.mark.parametrize("text", ["a" * 200, "é" * 120, "東京" * 60 + "x", "🚀" * 40,
                                      "ab" + "✨" * 50])
    def test_fold_keeps_lines_within_75_octets_and_whole_characters(self, text: str) -> None:
        folded = self.floor.fold(f"DESCRIPTION:{text}")
        lines = folded.removesuffix(b"\r\n").split(b"\r\n")
        assert all(len(line) <= 75 for line in lines)
        assert all(line.startswith(b" ") for line in lines[1:])
        for line in lines:
            line.decode("utf-8")  # a split sequence would raise
        assert b"".join(line.removeprefix(b" ") if n else line
                        for n, line in enumerate(lines)).decode() == f"DESCRIPTION:{text}"

    def test_escape_follows_rfc_5545_text(self) -> None:
        assert self.floor.escape("a\\b;c,d\ne") == "a\\\\b\\;c\\,d\\ne"

    @pytest.mark.parametrize(("minutes", "expected"), [
        (-15 * 60, "-PT15H"), (-1440, "-P1D"), (30, "PT30M"), (-(23 * 60 + 30), "-PT23H30M"),
        (-(1440 + 90), "-P1DT1H30M"),
    ])
    def test_duration(self, minutes: int, expected: str) -> None:
        assert self.floor.duration(minutes) == expected


def test_run_script_names_the_install_command_when_there_is_no_venv(tmp_path: Path) -> None:
    copy = tmp_path / "clone"
    (copy / "benchmarks").mkdir(parents=True)
    (copy / "benchmarks" / "run").write_bytes((BENCH / "run").read_bytes())
    result = subprocess.run(["bash", str(copy / "benchmarks" / "run")], capture_output=True,
                            text=True)
    assert result.returncode == 2
    assert "python3 -m venv .venv && .venv/bin/pip install ." in result.stderr
