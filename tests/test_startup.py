"""A build of a small file imports only what it uses: start-up is most of its time."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from .conftest import DEFAULT_DATA

# Modules a build into an empty folder has no use for (see docs/performance.md):
# icalendar (history and the oracle tests need it, a first build does not) and
# importlib.resources. (tempfile, random and shutil come with Jinja2, which writes the page.)
UNUSED = ("icalendar", "importlib.resources")

SCRIPT = """
import sys
from deadlinecal.cli import main
try:
    main(["build", sys.argv[1], "-o", sys.argv[2], "--as-of", "2026-08-01"])
except SystemExit as exit:
    assert not exit.code, exit.code
print(" ".join(sorted(name for name in sys.modules if name in sys.argv[3:])))
"""


class TestStartUp:
    def test_a_first_build_imports_nothing_it_does_not_use(self, tmp_path: Path) -> None:
        done = subprocess.run([sys.executable, "-c", SCRIPT, str(DEFAULT_DATA),
                               str(tmp_path / "out"), *UNUSED],
                              capture_output=True, text=True, check=True)
        assert done.stdout.splitlines()[-1] == ""
        assert (tmp_path / "out" / "all.ics").is_file()
