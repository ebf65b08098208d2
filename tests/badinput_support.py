"""Shared by the bad-input tests: a small valid data file and a build that must not write."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

from click.testing import CliRunner, Result

from deadlinecal.cli import main

REPO = Path(__file__).resolve().parents[1]
# The feeds committed in calendars/: the "existing output" every failed build must leave alone.
COMMITTED_CALENDARS = REPO / "calendars"

# A minimal valid data file. Tests replace one piece of it; keep line numbers stable.
BASE = """\
format: 1
dataset:
  id: test-set
  title: Test set
  cycle: {starts: 2026-07-01, ends: 2027-06-30}
  source: {name: Test source, url: https://example.org/source}
  updated: 2026-07-15
  timezone: America/New_York
tracks:
  research: {title: Research}
  applied: {title: Applied}
eligibility:
  undergrad: {title: Undergraduates}
  phd: {title: PhD students}
programs:
  - id: alpha
    employer: Acme
    program: Research internship
    track: research
    eligibility: [undergrad]
    link: https://example.org/alpha
    last_verified: 2026-07-15
    windows:
      - opens: 2026-10-01
        closes: 2026-11-15
  - id: beta
    employer: Beta Labs
    program: Applied internship
    track: applied
    eligibility: [undergrad, phd]
    last_verified: 2026-07-15
    windows:
      - opens: mid 2026-09
        deadline: 2026-12-01 23:59 America/New_York
"""


def replaced(old: str, new: str, text: str = BASE) -> str:
    """BASE with `old` (which must occur exactly once) replaced by `new`."""
    assert text.count(old) == 1, f"{old!r} occurs {text.count(old)} times"
    return text.replace(old, new)


def snapshot(folder: Path) -> dict[str, str]:
    """Every file under `folder` by relative path -> sha256 of its bytes."""
    return {
        path.relative_to(folder).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def existing_calendars(workdir: Path) -> Path:
    """A copy of the committed calendars/ folder inside `workdir`."""
    target = workdir / "calendars"
    shutil.copytree(COMMITTED_CALENDARS, target)
    return target


def invoke(*args: str) -> Result:
    return CliRunner().invoke(main, list(args))


def failed_build(workdir: Path, data: str | bytes | None, *options: str) -> Result:
    """Run `build data.yaml` in `workdir` over an existing calendars/ folder.

    Asserts that it failed and left calendars/ byte for byte as it was. `data=None` leaves
    data.yaml absent. Run from `workdir` (monkeypatch.chdir) so messages name data.yaml.
    """
    data_file = workdir / "data.yaml"
    if isinstance(data, str):
        data_file.write_text(data, encoding="utf-8")
    elif isinstance(data, bytes):
        data_file.write_bytes(data)
    calendars = existing_calendars(workdir)
    before = snapshot(calendars)
    result = invoke("build", "data.yaml", "-o", "calendars", "--as-of", "2026-08-01", *options)
    assert result.exit_code != 0, result.output
    assert snapshot(calendars) == before
    assert "Traceback" not in result.output
    return result
