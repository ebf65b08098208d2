"""A closed stdout or stderr (`build 2>&1 | head -1`) never costs the build its files."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from .helpers import dataset_yaml, program


@pytest.fixture
def data(tmp_path: Path) -> Path:
    path = tmp_path / "data.yaml"
    # Verified long ago: with --as-of years later, every program prints a warning first.
    path.write_bytes(dataset_yaml(*(program(f"p{n}", windows='- opens: "2026-10-14"')
                                    for n in range(5))))
    return path


BUILD = [sys.executable, "-m", "deadlinecal", "build"]
LATE = ["--as-of", "2031-01-01"]


class TestClosedOutput:
    def test_a_build_whose_output_is_closed_before_it_prints_still_writes(
            self, data: Path, tmp_path: Path) -> None:
        out = tmp_path / "out"
        reading, writing = os.pipe()
        os.close(reading)  # every write the build makes fails with EPIPE
        try:
            done = subprocess.run([*BUILD, str(data), "-o", str(out), *LATE],
                                  stdout=writing, stderr=writing, check=False, timeout=120)
        finally:
            os.close(writing)
        assert done.returncode == 0
        assert sorted(path.name for path in out.glob("*")) == [
            ".deadlinecal-build.json", "all.ics", "eligibility", "index.html", "picked",
            "tracks"]

    def test_piped_into_head_it_prints_a_line_and_writes_everything(
            self, data: Path, tmp_path: Path) -> None:
        out = tmp_path / "out"
        command = " ".join([*BUILD, str(data), "-o", str(out), *LATE])
        done = subprocess.run(["bash", "-c", f"{command} 2>&1 | head -1; "
                               "echo \"status ${PIPESTATUS[0]}\""],
                              capture_output=True, check=False, timeout=120)
        lines = done.stdout.decode().splitlines()
        assert "last_verified" in lines[0] and lines[-1] == "status 0"
        assert (out / "all.ics").is_file() and (out / "index.html").is_file()

    def test_a_failed_build_still_says_so_with_its_output_closed(self, tmp_path: Path
                                                                ) -> None:
        bad = tmp_path / "bad.yaml"
        bad.write_bytes(b"format: 1\n")
        reading, writing = os.pipe()
        os.close(reading)
        try:
            done = subprocess.run([*BUILD, str(bad), "-o", str(tmp_path / "out")],
                                  stdout=writing, stderr=writing, check=False, timeout=120)
        finally:
            os.close(writing)
        assert done.returncode == 1
        assert not (tmp_path / "out").exists()
