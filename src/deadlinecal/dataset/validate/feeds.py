"""The `feeds:` mapping -> FeedSpec records (named feeds and their filters)."""

from __future__ import annotations

from deadlinecal.dataset.validate.collector import Collector
from deadlinecal.dataset.validate.values import Keyed, plain
from deadlinecal.dataset.validate.vocabularies import Declared, check_terms
from deadlinecal.errors import Problem
from deadlinecal.model import FeedSpec, Filter


def check_feeds(problems: Collector, vocabularies: Declared, entries: Keyed,
                employers: list[tuple[str, Problem]]) -> tuple[FeedSpec, ...]:
    """The named feeds. Each employer a filter keeps is added to `employers` with where it
    is written: programs of other files may hold it (see `check_feed_employers`)."""
    feeds = []
    for key_node, key, values in entries:
        chosen = values.get("filter") or {}
        for name, vocabulary in (("track", "tracks"), ("eligibility", "eligibility"),
                                 ("citizenship", "citizenship")):
            check_terms(problems, vocabularies, key_node, f"feeds.{key}.filter", chosen, name,
                        vocabulary)
        for index, (node, employer) in enumerate(chosen.get("employer") or []):
            if employer is not None:
                mark = node.start_mark
                employers.append((employer, Problem(
                    file=problems.file, line=mark.line + 1, column=mark.column + 1,
                    path=f"feeds.{key}.filter.employer[{index}]", message="")))
        if chosen.get("from") and chosen.get("until") and chosen["until"] < chosen["from"]:
            problems.problem(key_node, f"feeds.{key}.filter.until",
                             "the range ends before it starts", "a day on or after 'from'")
            continue
        if values.get("title") is None:
            continue
        feeds.append(FeedSpec(
            path=f"feeds/{key}.ics",
            title=values["title"],
            description=values.get("description") or "",
            filter=Filter(
                tracks=plain(chosen.get("track")),
                eligibility=plain(chosen.get("eligibility")),
                employers=plain(chosen.get("employer")),
                citizenship=plain(chosen.get("citizenship")),
                confirmed_only=bool(chosen.get("confirmed_only")),
                date_from=chosen.get("from"),
                date_until=chosen.get("until"),
            ),
        ))
    return tuple(feeds)
