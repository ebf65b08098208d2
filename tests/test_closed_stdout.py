"""`deadlinecal feed d.yaml >&-`: standard output closed is a clean error, never exit 3."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from .conftest import DEFAULT_DATA
from .postings_support import SAMPLE


def closed_stdout(*args: str, cwd: Path) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run([sys.executable, "-m", "deadlinecal", *args], cwd=cwd,
                          stderr=subprocess.PIPE, preexec_fn=lambda: os.close(1),
                          check=False, timeout=120)


class TestStdoutClosed:
    def test_feed(self, tmp_path: Path) -> None:
        done = closed_stdout("feed", str(DEFAULT_DATA), cwd=tmp_path)
        assert done.returncode == 1, done.stderr
        assert b"could not write to standard output" in done.stderr

    def test_import_simplify(self, tmp_path: Path) -> None:
        done = closed_stdout("import", "simplify", str(SAMPLE), cwd=tmp_path)
        assert done.returncode == 1, done.stderr
        assert b"could not write to standard output" in done.stderr

    def test_feed_to_a_file_still_works(self, tmp_path: Path) -> None:
        done = closed_stdout("feed", str(DEFAULT_DATA), "-o", "f.ics", cwd=tmp_path)
        assert done.returncode == 0, done.stderr
        assert (tmp_path / "f.ics").read_bytes().startswith(b"BEGIN:VCALENDAR")
