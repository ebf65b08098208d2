"""Warnings: what is valid but probably not what the author meant, or worth a look."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence

import yaml

from deadlinecal.dataset import dates
from deadlinecal.dataset.validate.collector import Collector, child, item
from deadlinecal.errors import program_path
from deadlinecal.model import Dataset, Program, Window

Warn = Callable[[str, str, str], None]


def warn_follow_ups(problems: Collector, dataset: Dataset,
                    nodes: Sequence[yaml.Node]) -> None:
    """Warnings about windows that are valid but probably not what the author meant."""
    for index, (node, program) in enumerate(zip(nodes, dataset.programs, strict=True)):
        offset = dataset.follow_up_days_for(program)
        for w_index, window in enumerate(program.windows):
            # Most windows warn of nothing: their node and path are found only for a warning.
            def warn(name: str, message: str, expected: str, node: yaml.Node = node,
                     index: int = index, program: Program = program, w_index: int = w_index
                     ) -> None:
                where = f"{program_path(index, program.id)}.windows[{w_index}]"
                window_node = item(child(node, "windows"), w_index)
                problems.problem(child(window_node, name), f"{where}.{name}", message,
                                 expected, warning=True)

            _warn_dates(dataset, window, warn)
            _warn_follow_up(dataset, window, offset, warn)


def _warn_dates(dataset: Dataset, window: Window, warn: Warn) -> None:
    dated = [(name, when) for name in ("opens", "closes", "deadline")
             if (when := getattr(window, name)) is not None]
    if not dated and not window.year_round:
        warn("key", "this window has no date and is not year_round, so it is listed "
             "as a watch-list entry", "opens, closes or deadline, or year_round: true")
    if dated and window.year_round:
        warn("year_round", "year_round is ignored because the window has dates",
             "either dates or year_round: true")
    if window.closes is not None and window.duration is not None:
        warn("duration", "duration is ignored because closes is given",
             "either closes or duration")
    if (window.closes is not None and window.deadline is not None
            and window.deadline.earliest > window.closes.latest):
        warn("deadline", f"the deadline ({window.deadline.wording}) is after the window "
             f"closes ({window.closes.wording})", "a deadline on or before closes")
    for name, when in dated:
        if when.latest < dataset.cycle_starts or when.earliest > dataset.cycle_ends:
            warn(name, f"{when.wording} is outside the cycle "
                 f"({dataset.cycle_starts.isoformat()} to {dataset.cycle_ends.isoformat()})",
                 "a date within dataset.cycle, or a wider cycle")


def _warn_follow_up(dataset: Dataset, window: Window, offset: int, warn: Warn) -> None:
    if window.opens is None or (window.opens.exact and window.closes is not None
                                and window.closes.exact and window.deadline is None):
        # A window known to the day that closes sooner is a fact (a posting came down),
        # not a mistake: expand moves the follow-up before the close by itself.
        return
    follow_up = dates.follow_up_day(window.opens, offset, dataset.updated)
    ends = [(name, when.latest, when.wording) for name in ("closes", "deadline")
            if (when := getattr(window, name)) is not None]
    if window.closes is None and window.duration is not None:
        latest = dates.latest_close(window.opens, window.duration)
        ends.append(("duration", latest, f"{window.duration.wording} after it opens"))
    for name, latest, wording in ends:
        if follow_up > latest:
            warn(name, f"the {offset}-day follow-up ({dates.human_day(follow_up)}) "
                 f"would fall after the window closes ({wording}), so it is moved "
                 "before the earliest close",
                 "a shorter follow_up_days for this program")
            break


def warn_unstated(problems: Collector, dataset: Dataset, nodes: Sequence[yaml.Node]) -> None:
    """Point out programs that state no eligibility, or leave citizenship out: their
    events then say "not stated"."""
    for index, (node, program) in enumerate(zip(nodes, dataset.programs, strict=True)):
        # A dataset without a citizenship vocabulary does not track citizenship at all.
        for name in ("eligibility", "citizenship")[: 2 if dataset.citizenship else 1]:
            if name in program.stated:
                continue
            where = f"{program_path(index, program.id)}.{name}"
            if name == "eligibility":
                problems.problem(node, where, f"{program.id} states no eligibility, so it "
                                 "joins every group's feed marked 'not stated'",
                                 "the groups the source names: eligibility: {open_to: [...], "
                                 "closed_to: [...]}", warning=True)
            else:
                problems.problem(node, where, f"{program.id} does not state its {name}, so "
                                 "its events say 'not stated'", f"the {name} the source "
                                 f"gives, or {name}: [] when it says nothing", warning=True)


def warn_cut_titles(problems: Collector, dataset: Dataset,
                    nodes: Sequence[yaml.Node]) -> None:
    """Suggest a `short:` where a month view would cut the title so far that it no longer
    shows the employer and a whole word of the program."""
    from deadlinecal.model import MAX_SUMMARY, short_employer

    room = MAX_SUMMARY - len("~Opens: ")
    for index, (node, program) in enumerate(zip(nodes, dataset.programs, strict=True)):
        name = program.short_title
        if program.short or len(name) <= room:
            continue
        shown = name[: room - 1]
        employer = short_employer(program.employer)
        whole = shown[len(employer):].split()[:-1] if shown.startswith(employer) else []
        if whole:
            continue
        cut = shown.rstrip() + "…"
        problems.problem(node, f"{program_path(index, program.id)}.short",
                         f"titles would show {program.id} as {cut!r}",
                         f"a short name of at most {room} characters naming "
                         f"{program.employer}, e.g. short: {_suggest(program)!r}",
                         warning=True)


def _suggest(program: Program) -> str:
    from deadlinecal.model import short_employer

    employer = short_employer(program.employer)
    words = [word for word in program.program.split()
             if word.casefold() not in {w.casefold() for w in employer.split()}]
    name = employer
    for word in words:
        if len(name) + 1 + len(word) > MAX_SHORT_SUGGESTION:
            break
        name += " " + word
    return name


MAX_SHORT_SUGGESTION = 24


def warn_stale(problems: Collector, dataset: Dataset, nodes: Sequence[yaml.Node],
               as_of: dt.date, max_age_days: int) -> None:
    """Programs last verified too long ago, or on a day still to come."""
    for index, program in enumerate(dataset.programs):
        age = (as_of - program.last_verified).days
        verified = program.last_verified.isoformat()
        if age < 0:
            message = (f"{program.id} is marked verified on {verified}, after today "
                       f"({as_of.isoformat()})")
            expected = "a day that has passed"
        elif age > max_age_days:
            message = f"{program.id} was last verified {age} days ago ({verified})"
            expected = f"a check within {max_age_days} days"
        else:
            continue
        node = child(nodes[index], "last_verified") if index < len(nodes) else None
        problems.problem(node, f"{program_path(index, program.id)}.last_verified", message,
                         expected, warning=True)
