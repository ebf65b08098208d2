"""The command line: parse options, call the core, turn our errors into messages once."""

from __future__ import annotations

import datetime as dt
import functools
import gc
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

DEFAULT_DATA = Path("data/ml-internships-summer-2027.yaml")
DEFAULT_OUTPUT = Path("calendars")

F = TypeVar("F", bound=Callable[..., Any])


class DataProblems(click.ClickException):
    """Data errors: printed one per line like a compiler, exit status 1."""

    exit_code = 1

    def show(self, file: Any = None) -> None:
        click.echo(self.message, err=True)


def _run(function: F) -> F:
    """Translate the core's errors into click's, in this one place."""

    @functools.wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        from .errors import DataError, DeadlinecalError, FilterError

        context = click.get_current_context()
        try:
            return function(*args, **kwargs)
        except DataError as exc:
            if context.find_root().params.get("debug"):
                raise
            count = sum(p.severity == "error" for p in exc.problems)
            lines = [p.format() for p in exc.problems]
            lines.append(f"{count} error{'s' if count != 1 else ''}; nothing was written.")
            raise DataProblems("\n".join(lines)) from None
        except FilterError as exc:
            raise click.UsageError(str(exc), context) from None
        except DeadlinecalError as exc:
            if context.find_root().params.get("debug"):
                raise
            raise click.ClickException(str(exc)) from None

    return wrapper  # type: ignore[return-value]


def _read(path: Path) -> bytes:
    from .errors import DataError, Problem

    try:
        return path.read_bytes()
    except FileNotFoundError:
        hint = "a path to a YAML data file"
        if path == DEFAULT_DATA:
            hint += " (run from the project folder, or pass DATA)"
        raise DataError([Problem(file=str(path), line=None, column=None, path="",
                                 message="no such file", expected=hint)]) from None
    except OSError as exc:
        raise DataError([Problem(file=str(path), line=None, column=None, path="",
                                 message=f"cannot read it: {exc.strerror}",
                                 expected="a readable file")]) from None


def _show_warnings(warnings: Any, strict: bool) -> None:
    from .errors import DataError

    for warning in warnings:
        click.echo(warning.format(), err=True)
    if strict and warnings:
        raise DataError(warnings)


data_argument = click.argument(
    "data", type=click.Path(path_type=Path, dir_okay=False), default=DEFAULT_DATA,
    required=False,
)


def filter_options(function: F) -> F:
    """The options every command that selects events shares."""
    options = [
        click.option("--track", "-t", "tracks", multiple=True, metavar="TRACK",
                     help="Keep this track (repeatable: any of them)."),
        click.option("--eligibility", "-e", "eligibility", multiple=True, metavar="GROUP",
                     help="Keep programs open to this group (repeatable: any of them)."),
        click.option("--employer", "employers", multiple=True, metavar="NAME",
                     help="Keep this employer (repeatable: any of them)."),
        click.option("--citizenship", "citizenship", multiple=True, metavar="STATUS",
                     help="Keep programs open to this citizenship status (repeatable)."),
        click.option("--confirmed-only", is_flag=True,
                     help="Keep only events whose date is confirmed."),
    ]
    for option in reversed(options):
        function = option(function)
    return function


def _filter(tracks: tuple[str, ...], eligibility: tuple[str, ...], employers: tuple[str, ...],
            citizenship: tuple[str, ...], confirmed_only: bool) -> Any:
    from .model import Filter

    return Filter(tracks=tracks, eligibility=eligibility, employers=employers,
                  citizenship=citizenship, confirmed_only=confirmed_only)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--debug", is_flag=True, help="Show Python tracebacks for errors.")
@click.version_option(package_name="deadlinecal")
def main(debug: bool) -> None:
    """Turn a dated YAML file of application windows into calendar feeds.

    \b
    Example:
      deadlinecal build                      # default data -> calendars/
      deadlinecal list --track research --as-of 2026-08-01
    """


@main.command()
@data_argument
@click.option("--output", "-o", type=click.Path(path_type=Path, file_okay=False),
              default=DEFAULT_OUTPUT, show_default=True, help="Folder to write feeds into.")
@click.option("--strict", is_flag=True, help="Treat warnings as errors.")
@click.option("--as-of", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="Today's date for staleness warnings (default: today).")
@click.option("--no-alarms", is_flag=True, help="Leave out reminders (VALARMs).")
@_run
def build(data: Path, output: Path, strict: bool, as_of: dt.datetime | None,
          no_alarms: bool) -> None:
    """Write every feed (all, per track, per eligibility group, named) into a folder.

    \b
    Example:
      deadlinecal build data/ml-internships-summer-2027.yaml -o calendars
    """
    from . import cache
    from .pipeline import build as run_build
    from .write import WriteReport, write_tree

    today = as_of.date() if as_of else dt.date.today()
    raw = _read(data)
    key = cache.build_key(raw, f"alarms={not no_alarms}")
    current = cache.unchanged(output, key)
    result = run_build(raw, file=str(data), as_of=today, alarms=not no_alarms,
                       render=current is None)
    # Feeds are rendered while they are written, after the core returned; the millions of
    # records and events alive by then never become garbage, so keep the collector off them.
    gc.freeze()
    _show_warnings(result.warnings, strict)
    if current is None:
        cache.forget(output)
        report = write_tree(output, result.files)
        cache.remember(output, key, result.files)
    else:  # same data, same code, feeds untouched: nothing to render or write
        report = WriteReport(written=(), unchanged=current, removed=())
    click.echo(f"Built {len(result.feeds)} feeds from {data}: "
               f"{len(result.dataset.programs)} programs, {len(result.events)} events.")
    click.echo(f"  {output}/: {len(report.written)} written, {len(report.unchanged)} "
               f"unchanged, {len(report.removed)} removed.")
    for spec in result.feeds:
        click.echo(f"  {spec.path:<40} {result.count(spec):>4} events")
    undated = result.undated
    if undated:
        day = result.dataset.cycle_starts.isoformat()
        click.echo(f"{len(undated)} programs have no date yet; they are listed as watch-list "
                   f"events on {day}:")
        for program in undated:
            click.echo(f"  {program.id:<36} {program.title}")


@main.command()
@data_argument
@filter_options
@click.option("--output", "-o", type=click.Path(path_type=Path, dir_okay=False),
              default=None, help="File to write (default: standard output).")
@click.option("--title", default=None, help="Calendar name (default: from the filter).")
@click.option("--no-alarms", is_flag=True, help="Leave out reminders (VALARMs).")
@_run
def feed(data: Path, output: Path | None, title: str | None, no_alarms: bool,
         **chosen: Any) -> None:
    """Write one filtered feed. Repeat an option for OR; combine options for AND.

    \b
    Example:
      deadlinecal feed --track research --eligibility undergrad -o research-ug.ics
    """
    from .pipeline import one_feed
    from .write import single_file

    content, count, warnings = one_feed(_read(data), file=str(data),
                                        chosen=_filter(**chosen), title=title,
                                        alarms=not no_alarms)
    _show_warnings(warnings, False)
    if output is None:
        sys.stdout.buffer.write(content)
        sys.stdout.flush()
        return
    single_file(output, content)
    click.echo(f"Wrote {count} events to {output}.", err=True)


@main.command(name="list")
@data_argument
@filter_options
@click.option("--as-of", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="Show events on or after this day (default: today).")
@click.option("--all", "show_all", is_flag=True, help="Include past events too.")
@_run
def list_events(data: Path, as_of: dt.datetime | None, show_all: bool, **chosen: Any) -> None:
    """Print a table of upcoming events.

    \b
    Example:
      deadlinecal list --eligibility phd --as-of 2026-08-01
    """
    from .pipeline import describe_filter
    from .select import select
    from .table import event_table
    from .validate import load_dataset

    loaded = load_dataset(_read(data), file=str(data))
    from .expand import expand

    chosen_filter = _filter(**chosen)
    _check_filter(chosen_filter, loaded.dataset)
    today = as_of.date() if as_of else dt.date.today()
    events = select(expand(loaded.dataset), chosen_filter)
    if not show_all:
        events = [e for e in events if _day_of(e.end) > today]
    click.echo(f"{loaded.dataset.title} — {describe_filter(chosen_filter, loaded.dataset)}"
               f"{'' if show_all else f', from {today.isoformat()}'}: {len(events)} events")
    for line in event_table(events):
        click.echo(line)


@main.command()
@data_argument
@click.option("--strict", is_flag=True, help="Treat warnings as errors.")
@click.option("--as-of", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="Today's date for staleness warnings (default: today).")
@_run
def validate(data: Path, strict: bool, as_of: dt.datetime | None) -> None:
    """Check a data file and report every problem, without writing anything.

    \b
    Example:
      deadlinecal validate data/ml-internships-summer-2027.yaml
    """
    from .validate import load_dataset

    today = as_of.date() if as_of else dt.date.today()
    loaded = load_dataset(_read(data), file=str(data), as_of=today)
    _show_warnings(loaded.warnings, strict)
    dataset = loaded.dataset
    windows = sum(len(p.windows) for p in dataset.programs)
    click.echo(f"{data}: valid ({len(dataset.programs)} programs, {windows} windows, "
               f"{len(loaded.warnings)} warnings).")


def _check_filter(chosen: Any, dataset: Any) -> None:
    from .select import check_filter

    check_filter(chosen, dataset)


def _day_of(value: dt.date | dt.datetime) -> dt.date:
    return value.date() if isinstance(value, dt.datetime) else value


@main.command()
@click.argument("files", nargs=-1, required=True,
                type=click.Path(path_type=Path, dir_okay=False))
def lint(files: tuple[Path, ...]) -> None:
    """Check .ics files for what makes calendar clients drop or misread a feed.

    Prints each problem as FILE:LINE: message; exits 1 if there are any. Checks CRLF line
    ends, folding at 75 octets without splitting a UTF-8 character, TEXT escaping, a
    VTIMEZONE for every TZID, no Etc/ zones, DTEND after DTSTART and unique UIDs.

    \b
    Example:
      deadlinecal lint calendars/all.ics calendars/tracks/*.ics
    """
    from .lint import lint as lint_bytes

    problems = 0
    for file in files:
        try:
            data = file.read_bytes()
        except OSError as exc:
            click.echo(f"{file}: cannot read it: {exc.strerror}")
            problems += 1
            continue
        for finding in lint_bytes(data):
            click.echo(f"{file}:{finding.line}: {finding.message}")
            problems += 1
    if problems:
        click.echo(f"{problems} problem{'s' if problems != 1 else ''} in {len(files)} "
                   f"file{'s' if len(files) != 1 else ''}.", err=True)
        sys.exit(1)
    click.echo(f"{len(files)} file{'s' if len(files) != 1 else ''} checked, no problems.",
               err=True)
