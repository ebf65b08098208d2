"""A small dataset and helpers shared by the tests of rebuilding after date updates."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping

from deadlinecal.history import Seen, read_feed
from deadlinecal.site import Build, build_all

BASE = """\
format: 1
dataset:
  id: demo
  title: Demo internships
  cycle: {starts: "2026-07-01", ends: "2027-09-30"}
  source: {name: Demo source}
  updated: "2026-07-31"
  timezone: America/New_York
tracks:
  research: {title: Research}
  applied: {title: Applied}
eligibility:
  undergrad: {title: Undergraduates}
  phd: {title: PhD students}
programs:
  - id: step
    employer: Google
    program: STEP internship
    short: Google STEP
    track: applied
    eligibility: [undergrad]
    last_verified: "2026-07-31"
    windows:
      - key: summer-2027
        opens: "around mid 2026-10"
        duration: "2-4 weeks"
  - id: reu
    employer: NSF
    program: REU sites
    short: NSF REU
    track: research
    eligibility: [undergrad]
    last_verified: "2026-07-31"
    windows:
      - key: summer-2027
        opens: "2026-11"
        deadline: "2027-01..2027-03"
  - id: fair
    employer: Meta
    program: FAIR research internship
    track: research
    eligibility: [phd]
    last_verified: "2026-07-31"
"""

STEP_OPENS = "demo.step.summer-2027.opens@deadlinecal"
STEP_CLOSES = "demo.step.summer-2027.closes@deadlinecal"
REU_OPENS = "demo.reu.summer-2027.opens@deadlinecal"
FAIR_WATCH = "demo.fair.main.opens@deadlinecal"
FAIR_OPENS = "demo.fair.summer-2027.opens@deadlinecal"

CONFIRM_STEP = ('        opens: "around mid 2026-10"\n        duration: "2-4 weeks"\n',
                '        opens: "2026-10-14"\n        closes: "2026-10-31"\n')


def edit(text: str, old: str, new: str) -> str:
    """Replace one exact passage (failing loudly if the fixture no longer has it)."""
    assert text.count(old) == 1, old
    return text.replace(old, new)


def build(text: str, previous: Mapping[str, bytes] | None = None,
          as_of: dt.date | None = None, extra: Mapping[str, str] | None = None) -> Build:
    """Build `text` (as data/demo.yaml) plus any `extra` files, against `previous` feeds."""
    files = {"data/demo.yaml": text.encode(), **{k: v.encode() for k, v in (extra or {}).items()}}
    return build_all(["data/demo.yaml"], lambda path, included_by=None: files[path],
                     as_of=as_of, previous=previous)


def events(feed: bytes) -> dict[str, Seen]:
    return read_feed(feed)


def blocks(feed: bytes) -> dict[str, bytes]:
    """Each VEVENT's exact bytes by UID."""
    found = {}
    for block in re.findall(rb"BEGIN:VEVENT\r\n.*?END:VEVENT\r\n", feed, flags=re.S):
        unfolded = block.replace(b"\r\n ", b"")
        uid = re.search(rb"^UID:(.*)$", unfolded, flags=re.M)
        assert uid is not None
        found[uid.group(1).decode().strip()] = block
    return found
