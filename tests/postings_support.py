"""Helpers for the posting-list tests: fixtures, running the CLI, reading built feeds."""

from __future__ import annotations

import datetime as dt
import json
import zoneinfo
from pathlib import Path
from typing import Any

import icalendar
from click.testing import CliRunner, Result

from deadlinecal.cli import main

HERE = Path(__file__).resolve().parent / "postings"
SAMPLE = HERE / "simplify-2026-01.json"
NEWER = HERE / "simplify-2026-01-newer.json"
SNAPSHOT = HERE / "simplify-2024-10-25-trimmed.json"
SUMMER_2027 = HERE / "summer-2027-synthetic.json"
CERTIFICATE = HERE / "localhost-test-only.pem"
NEW_YORK = zoneinfo.ZoneInfo("America/New_York")


def run(*args: str) -> Result:
    return CliRunner().invoke(main, list(args))


def postings(path: Path) -> list[dict[str, Any]]:
    loaded: list[dict[str, Any]] = json.loads(path.read_text())
    return loaded


def day(seconds: int) -> dt.date:
    return dt.datetime.fromtimestamp(seconds, NEW_YORK).date()


def events(feed: Path) -> dict[str, icalendar.Event]:
    """The feed's events by UID."""
    calendar = icalendar.Calendar.from_ical(feed.read_bytes())
    return {str(event["UID"]): event for event in calendar.walk("VEVENT")}


def own_events(feeds: Path, company: str) -> dict[str, icalendar.Event]:
    """The events of one employer's feed (each posting's own entries), by UID."""
    from deadlinecal.events.select import employer_slug

    return events(feeds / "employers" / f"{employer_slug(company)}.ics")


def every_own_event(feeds: Path) -> dict[str, icalendar.Event]:
    """The events of every employer feed, by UID."""
    found: dict[str, icalendar.Event] = {}
    for path in sorted((feeds / "employers").glob("*.ics")):
        found.update(events(path))
    return found


def listed_text(feed: Path) -> str:
    """Every description of a feed, unfolded and unescaped: the postings its days list."""
    calendar = icalendar.Calendar.from_ical(feed.read_bytes())
    return "\n".join(str(event.get("DESCRIPTION", "")) for event in calendar.walk("VEVENT"))


def uid(dataset: str, posting_id: str, kind: str) -> str:
    return f"{dataset}.{posting_id}.main.{kind}@deadlinecal"


def import_and_build(tmp: Path, source: Path, *extra: str) -> Result:
    """Import `source` into tmp/data/postings.yaml and build it into tmp/calendars."""
    data = tmp / "data" / "postings.yaml"
    data.parent.mkdir(exist_ok=True)
    result = run("import", "simplify", str(source), "-o", str(data), *extra)
    assert result.exit_code == 0, result.output
    built = run("build", str(data), "-o", str(tmp / "calendars"), "--max-age", "100000")
    assert built.exit_code == 0, built.output
    return result
