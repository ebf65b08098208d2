"""The tests pass years ahead: none of them depends on today's date.

tests/conftest.py sets the commands' clock years ahead for every test that runs them
in-process, so a test that builds without pinning `--as-of` fails today. This module covers
the tests that start the real command in a process of its own: it runs their modules under
libfaketime (Debian's `faketime`), whose clock every process they start inherits.

Left out: tests/test_closed_stdout.py, which closes a child's standard output. libfaketime
opens its shared memory (/dev/shm/faketime_shm_*) in every process it starts, and that
takes the lowest free descriptor, 1: the child's stdout is open again and the command
writes without error. The tool's doing, not the test's. Left out too: the slow modules
(serve under load, real clients, concurrency), which set no date.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from .conftest import ROOT, YEARS_AHEAD

CLOCK = f"{YEARS_AHEAD.isoformat()} 12:00:00"
# The modules whose tests start `deadlinecal` (build, diff, validate, list...) in a process.
MODULES = ("test_bad_input.py", "test_cli.py", "test_closed_output.py", "test_docs.py",
           "test_feed_details.py", "test_input_trust.py", "test_ownership.py",
           "test_review_fixes.py", "test_startup.py", "test_updates_cli.py",
           "test_updates_write.py")


def faketime() -> str:
    found = shutil.which("faketime")
    assert found, "faketime is missing: run `bash scripts/test`, which installs Debian's faketime"
    return found


def test_a_process_started_under_faketime_sees_the_date_years_ahead() -> None:
    done = subprocess.run(
        [faketime(), CLOCK, sys.executable, "-c", "import datetime; print(datetime.date.today())"],
        capture_output=True, text=True, check=True, timeout=60)
    assert done.stdout == f"{YEARS_AHEAD.isoformat()}\n"


def test_the_tests_that_start_the_command_pass_years_ahead(tmp_path: Path) -> None:
    done = subprocess.run(
        [faketime(), CLOCK, sys.executable, "-m", "pytest", "-q", "-n", "0", "-p", "no:randomly",
         "-p", "no:cacheprovider", "--basetemp", str(tmp_path / "years-ahead"),
         *(str(ROOT / "tests" / module) for module in MODULES)],
        cwd=ROOT, capture_output=True, text=True, timeout=1800)
    assert done.returncode == 0, done.stdout[-6000:]
    assert " passed" in done.stdout.splitlines()[-1]
