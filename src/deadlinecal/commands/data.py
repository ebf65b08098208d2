"""The commands that read data and print: validate, list, feed and diff."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

import click

from deadlinecal.commands.common import (
    DEFAULT_OUTPUT,
    adopt_option,
    as_of_option,
    collector_paused,
    data_arguments,
    data_paths,
    filter_options,
    make_filter,
    max_age_option,
    read,
    run,
    show_warnings,
    to_stdout,
)
from deadlinecal.errors import escape
from deadlinecal.text import plural


@click.command()
@data_arguments
@click.option("--strict", is_flag=True, help="Treat warnings as errors.")
@as_of_option("Today's date for staleness warnings (default: today).")
@max_age_option
@run
def validate(data: tuple[Path, ...], strict: bool, today: dt.date, max_age: int) -> None:
    """Check data files (one or several, read as one) and report every problem, without
    writing anything.

    \b
    Example:
      deadlinecal validate data/ml-internships-summer-2027.yaml
    """
    from deadlinecal.pipeline import load_selection

    # The same loading as build, includes and all, so "valid" means build will work.
    paths = data_paths(data)
    dataset, _, warnings = load_selection(paths, read,
                                          as_of=today, max_age_days=max_age, unstated=True)
    show_warnings(warnings, strict)
    windows = sum(len(p.windows) for p in dataset.programs)
    click.echo(f"{escape(', '.join(paths))}: valid ({plural(len(dataset.programs), 'program')}, "
               f"{plural(windows, 'window')}, {plural(len(warnings), 'warning')}).")


@click.command(name="list")
@data_arguments
@filter_options
@as_of_option("Show events on or after this day (default: today).")
@click.option("--all", "show_all", is_flag=True, help="Include past events too.")
@run
def list_events(data: tuple[Path, ...], today: dt.date, show_all: bool, **chosen: Any) -> None:
    """Print a table of upcoming events.

    \b
    Example:
      deadlinecal list --eligibility phd --as-of 2026-08-01
    """
    from deadlinecal.commands.table import event_table
    from deadlinecal.events.select import check_filter, select
    from deadlinecal.pipeline import describe_filter, load_selection

    dataset, every, _ = load_selection(data_paths(data), read)
    chosen_filter = check_filter(make_filter(**chosen), dataset)
    events = select(every, chosen_filter)
    # An explicit --from is the user's own cut-off; otherwise hide what can no longer happen.
    hide_past = not show_all and chosen_filter.date_from is None
    if hide_past:
        events = [e for e in events if e.last_day >= today]
    count = plural(len(events), "event")
    click.echo(f"{dataset.title} — {describe_filter(chosen_filter, dataset)}"
               f"{f', from {today.isoformat()}' if hide_past else ''}: {count}")
    for line in event_table(events):
        click.echo(line)


@click.command()
@data_arguments
@filter_options
@click.option("--output", "-o", type=click.Path(path_type=Path, dir_okay=False),
              default=None, help="File to write (default: standard output).")
@click.option("--title", default=None, help="Calendar name (default: from the filter).")
@click.option("--no-alarms", is_flag=True, help="Leave out reminders (VALARMs).")
@adopt_option
@run
def feed(data: tuple[Path, ...], output: Path | None, title: str | None, no_alarms: bool,
         adopt: bool, **chosen: Any) -> None:
    """Write one filtered feed. Repeat an option for OR; combine options for AND.

    \b
    Example:
      deadlinecal feed --track research --eligibility undergrad -o research-ug.ics
    """
    from deadlinecal import ledger
    from deadlinecal.output.plan import locked_single, previous_single, retired_single, write_single
    from deadlinecal.pipeline import single_feed

    if output is not None and str(output) == "-":
        output = None  # `-o -`: standard output, as most tools read it
    if output is None:
        made = single_feed(data_paths(data), read, chosen=make_filter(**chosen),
                           title=title, alarms=not no_alarms)
        show_warnings(made.warnings, False)
        to_stdout(made.content)
        return
    # Runs into the same file take turns, from reading what is there to writing: the
    # second sees the first's SEQUENCE and goes on from it, never back.
    with locked_single(output):
        # Regenerating a subscribed file: changed events must get a higher SEQUENCE, and
        # so must events it dropped once and holds again.
        previous = previous_single(output, adopt=adopt)
        retired, untrusted = retired_single(output)
        made = single_feed(data_paths(data), read, chosen=make_filter(**chosen),
                           title=title, alarms=not no_alarms, previous=previous,
                           retired=retired, retired_from=str(ledger.sidecar(output)))
        show_warnings([*untrusted, *made.warnings], False)
        write_single(output, made.content, adopt=adopt, retired=made.retired)
    click.echo(f"Wrote {plural(made.count, 'event')} to {output}.", err=True)


@click.command()
@data_arguments
@click.option("--output", "-o", type=click.Path(path_type=Path, file_okay=False),
              default=DEFAULT_OUTPUT, show_default=True, help="Folder of the current feeds.")
@click.option("--json", "as_json", is_flag=True, help="Print the changes as JSON.")
@as_of_option("Today's date (default: today).")
@click.option("--no-alarms", is_flag=True, help="Compare with a build without reminders.")
@run
@collector_paused
def diff(data: tuple[Path, ...], output: Path, as_json: bool, today: dt.date,
         no_alarms: bool) -> None:
    """Show, per feed, what a rebuild would add, remove, move or re-word. Writes nothing.

    \b
    Example:
      deadlinecal diff                    # default data against calendars/
      deadlinecal diff --json | jq .
    """
    import json

    from deadlinecal import history
    from deadlinecal.output.plan import Settings, against

    paths = data_paths(data)
    result, previous = against(paths, read, output,
                               Settings(as_of=today, alarms=not no_alarms))
    show_warnings(result.warnings, False)
    # Problems reading the previous feeds were warned about by the build; the diff warns
    # only about what it shows as "?" (dates that cannot be read).
    old, _ = history.read_feeds(previous)
    new, _ = history.read_feeds(result.files)
    changes = history.compare(old, new)
    show_warnings(history.unreadable_details(changes, previous, folder=str(output)), False)
    others = _other_files(result.files, previous)
    if as_json:
        text = json.dumps({"feeds": [
            {"path": feed.path, "state": feed.state,
             "changes": [change.as_dict() for change in feed.changes]}
            for feed in changes], "files": [{"path": path, "state": state}
                                            for path, state in others]},
            indent=2, ensure_ascii=False)
        # JSON escapes C0 controls itself; C1 ones (U+009B is a CSI) it leaves as they are.
        click.echo(re.sub("[\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]",
                          lambda m: f"\\u{ord(m[0]):04x}", text))
        return
    for line in history.format_changes(changes, folder=str(output)):
        # Summaries come from the previous feeds, which may hold anything.
        click.echo(escape(line))
    from deadlinecal.page.index import PAGE_PATH

    for path, state in others:
        name = f"{output}/{path}{' (the page)' if path == PAGE_PATH else ''}"
        click.echo(escape(f"{name} is {state}; a build {_REDO[state]} it."))


_REDO = {"out of date": "rewrites", "missing": "writes", "no longer produced": "removes"}


def _other_files(files: Any, previous: dict[str, bytes]) -> list[tuple[str, str]]:
    """The files other than feeds (the page, the picker's choices, ...) a build would change,
    with how: "out of date", "missing", "no longer produced" (as `build --check` says)."""
    from deadlinecal.page.index import PAGE_PATH

    paths = sorted({*files, *previous} - {p for p in {*files, *previous} if p.endswith(".ics")},
                   key=lambda path: (path != PAGE_PATH, path))
    states = []
    for path in paths:
        if path not in files:
            states.append((path, "no longer produced"))
        elif path not in previous:
            states.append((path, "missing"))
        elif files[path] != previous[path]:
            states.append((path, "out of date"))
    return states
