"""Small builders for test datasets written as YAML text, the way users write them."""

from __future__ import annotations

import textwrap

HEADER = """\
format: 1
dataset:
  id: t
  title: Test cycle
  cycle: {starts: "2026-07-01", ends: "2027-06-30"}
  source: {name: Test source}
  updated: "2026-08-01"
  timezone: America/New_York
tracks:
  research: {title: Research}
  applied: {title: Applied}
eligibility:
  undergrad: {title: Undergraduates}
  phd: {title: PhD students}
citizenship:
  us: {title: US citizens}
  other: {title: Everyone else}
programs:
"""


def dataset_yaml(*programs: str) -> bytes:
    """A valid file around the given program entries (each a YAML list item)."""
    body = "".join(textwrap.indent(textwrap.dedent(p).strip("\n") + "\n", "  ")
                   for p in programs)
    return (HEADER + body).encode()


def program(id: str = "p1", *, track: str = "research", eligibility: str = "[undergrad]",
            extra: str = "", windows: str = "") -> str:
    text = f"""\
- id: {id}
  employer: Acme
  program: Program {id}
  track: {track}
  eligibility: {eligibility}
  last_verified: "2026-07-15"
"""
    if extra:
        text += textwrap.indent(textwrap.dedent(extra).strip("\n") + "\n", "  ")
    if windows:
        text += "  windows:\n" + textwrap.indent(textwrap.dedent(windows).strip("\n") + "\n",
                                                 "    ")
    return text


def two_programs() -> bytes:
    """A small valid file: an exact window in research, an estimated one in applied (PhD,
    US citizens) — what the CLI tests build, check and diff."""
    return dataset_yaml(
        program("alpha", extra="citizenship: []",
                windows='- opens: "2026-10-14"\n  closes: "2026-10-31"'),
        program("beta", track="applied", eligibility="[phd]",
                extra="citizenship: [us]", windows='- opens: "mid 2026-11"'),
    )
