"""Small pieces of English shared by the feeds, the page and the command line."""

from __future__ import annotations


def plural(count: int, noun: str) -> str:
    """"1 event", "2 events"."""
    return f"{count} {noun}{'' if count == 1 else 's'}"


def span(days: int) -> str:
    """A number of days in the largest whole unit: "2 weeks", "10 days"."""
    if days % 7 == 0:
        return plural(days // 7, "week")
    return plural(days, "day")
