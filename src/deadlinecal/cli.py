"""The command line: parse options, call the core, turn our errors into messages once."""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import os
import re
import stat
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from .text import plural

if TYPE_CHECKING:  # imported where used: the core's modules cost start-up time
    from .validate import Include

DEFAULT_DATA = Path("data/ml-internships-summer-2027.yaml")
DEFAULT_OUTPUT = Path("calendars")
DEFAULT_MAX_AGE = 180
# Exit status when deadlinecal itself fails (a bug), kept apart from 1 (data) and 2 (usage).
INTERNAL_ERROR_EXIT = 3

F = TypeVar("F", bound=Callable[..., Any])


class DataProblems(click.ClickException):
    """Data errors: printed one per line like a compiler, exit status 1."""

    exit_code = 1

    def show(self, file: Any = None) -> None:
        click.echo(self.message, err=True)


# Commands that never write a file: their errors need not say that nothing was written.
_READ_ONLY = frozenset({"validate", "list", "diff", "lint", "serve"})


class Day(click.ParamType):  # type: ignore[type-arg]  # generic only in click's stubs
    """A calendar day as YYYY-MM-DD, with a plain message for anything else."""

    name = "YYYY-MM-DD"

    def convert(self, value: Any, param: click.Parameter | None,
                ctx: click.Context | None) -> dt.datetime:
        if isinstance(value, dt.datetime):
            return value
        try:
            return dt.datetime.strptime(str(value), "%Y-%m-%d")
        except ValueError:
            # ascii(): a control character typed on the command line is shown escaped.
            self.fail(f"{ascii(str(value)[:40])!s} is not a real day; write it as "
                      "YYYY-MM-DD, like 2026-10-14", param, ctx)


def _run(function: F) -> F:
    """Translate the core's errors into click's, in this one place."""

    @functools.wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        from .errors import DataError, DeadlinecalError, FilterError, escape, escape_lines

        context = click.get_current_context()
        try:
            return function(*args, **kwargs)
        except DataError as exc:
            if context.find_root().params.get("debug"):
                raise
            count = sum(p.severity == "error" for p in exc.problems)
            lines = [p.format() for p in exc.problems]
            # Only commands that write say so; `validate` or `list` never write anything.
            unwritten = "" if context.command.name in _READ_ONLY else ", so nothing was written"
            if count:
                lines.append(f"{plural(count, 'error')}{unwritten.replace(', so', ';')}.")
            else:
                warned = len(exc.problems)
                lines.append(f"{plural(warned, 'warning')}; --strict treats "
                             f"warnings as errors{unwritten}.")
            raise DataProblems("\n".join(lines)) from None
        except FilterError as exc:
            raise click.UsageError(str(exc), context) from None
        except DeadlinecalError as exc:
            if context.find_root().params.get("debug"):
                raise
            raise click.ClickException(escape_lines(str(exc))) from None
        except click.ClickException as exc:
            # Paths in these messages come from the command line (and `build --check` names
            # them); escape what a terminal would act on, line by line.
            exc.message = escape_lines(exc.message)  # type: ignore[misc]
            raise
        except (click.exceptions.Exit, click.Abort):
            raise
        except BrokenPipeError:
            # `deadlinecal list | head` closed the pipe: the reader has what it wanted. Every
            # command prints only once its work is done (build has written its files), so
            # the status stays 0; later output goes nowhere instead of failing again.
            import os

            devnull = os.open(os.devnull, os.O_WRONLY)
            for stream in (sys.stdout, sys.stderr):
                with contextlib.suppress(OSError, ValueError):
                    os.dup2(devnull, stream.fileno())
            context.exit(0)
        except Exception as exc:
            # A bug of ours, never the user's fault: one line, not a traceback.
            if context.find_root().params.get("debug"):
                raise
            click.echo(f"deadlinecal: internal error: {type(exc).__name__}: {escape(str(exc))}\n"
                       "This is a bug in deadlinecal, not in your data; please report it "
                       "with the data file (--debug shows the traceback).", err=True)
            context.exit(INTERNAL_ERROR_EXIT)

    return wrapper  # type: ignore[return-value]


def _read(path: str | Path, included_by: Include | None = None, /) -> bytes:
    """A data file's bytes; what an include may not read is refused (see files.py)."""
    from .files import read_data

    default = included_by is None and Path(path) == DEFAULT_DATA
    return read_data(str(path), included_by, missing_hint=(
        " (run from the project folder, or pass DATA)" if default else ""))


def _show_warnings(warnings: Any, strict: bool) -> None:
    from .errors import DataError

    if strict and warnings:
        raise DataError(warnings)
    for warning in warnings:
        click.echo(warning.format(), err=True)


def as_of_option(help_text: str) -> Callable[[F], F]:
    """--as-of YYYY-MM-DD, passed on as `today` (a date); the clock is read here, once."""

    def to_day(context: click.Context, parameter: click.Parameter,
               value: dt.datetime | None) -> dt.date:
        return value.date() if value is not None else dt.date.today()

    return click.option("--as-of", "today", type=Day(),
                        default=None, metavar="YYYY-MM-DD", callback=to_day, help=help_text)


max_age_option = click.option(
    "--max-age", "max_age", type=click.IntRange(min=0), default=DEFAULT_MAX_AGE,
    show_default=True, metavar="DAYS",
    help="Warn about programs whose last_verified is older than this.")


def _check_base_url(context: click.Context, parameter: click.Parameter,
                    value: str | None) -> str | None:
    from .page import is_web_address

    if value is not None and (not is_web_address(value) or "?" in value or "#" in value):
        raise click.BadParameter("must be an http:// or https:// address without ? or #, "
                                 "like https://example.org/calendars/")
    return value


data_argument = click.argument(
    "data", type=click.Path(path_type=Path, dir_okay=False), default=DEFAULT_DATA,
    required=False,
)


data_paths_argument = click.argument(
    "data", nargs=-1, type=click.Path(path_type=Path, dir_okay=False),
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
        click.option("--from", "date_from", type=Day(),
                     default=None, metavar="YYYY-MM-DD",
                     help="Keep only events shown on or after this day."),
        click.option("--until", "date_until", type=Day(),
                     default=None, metavar="YYYY-MM-DD",
                     help="Keep only events shown on or before this day."),
    ]
    for option in reversed(options):
        function = option(function)
    return function


def _filter(tracks: tuple[str, ...], eligibility: tuple[str, ...], employers: tuple[str, ...],
            citizenship: tuple[str, ...], confirmed_only: bool,
            date_from: dt.datetime | None = None, date_until: dt.datetime | None = None) -> Any:
    from .errors import FilterError
    from .model import Filter

    if date_from and date_until and date_until < date_from:
        raise FilterError(f"--until {date_until:%Y-%m-%d} is before --from {date_from:%Y-%m-%d}")
    return Filter(tracks=tracks, eligibility=eligibility, employers=employers,
                  citizenship=citizenship, confirmed_only=confirmed_only,
                  date_from=date_from.date() if date_from else None,
                  date_until=date_until.date() if date_until else None)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--debug", is_flag=True, help="Show Python tracebacks for errors.")
@click.version_option(package_name="deadlinecal", prog_name="deadlinecal")
def main(debug: bool) -> None:
    """Turn a dated YAML file of application windows into calendar feeds.

    \b
    Example:
      deadlinecal build                      # default data -> calendars/
      deadlinecal list --track research --as-of 2026-08-01
    """


adopt_option = click.option(
    "--adopt", is_flag=True,
    help="Write into a folder (or over a file) that deadlinecal did not write; only "
         "deadlinecal's own files there are ever changed.")


@main.command()
@data_paths_argument
@click.option("--output", "-o", type=click.Path(path_type=Path, file_okay=False),
              default=DEFAULT_OUTPUT, show_default=True, help="Folder to write feeds into.")
@click.option("--strict", is_flag=True, help="Treat warnings as errors.")
@as_of_option("Today's date for staleness warnings (default: today).")
@click.option("--no-alarms", is_flag=True, help="Leave out reminders (VALARMs).")
@click.option("--check", is_flag=True,
              help="Write nothing; exit 1 naming the feeds that differ from what the data "
              "produces (for CI and pre-commit).")
@click.option("--base-url", default=None, metavar="URL", callback=_check_base_url,
              help="Public http(s) address of the output folder, for the subscribe page's "
                   "links (default: dataset.base_url).")
@max_age_option
@adopt_option
@_run
def build(data: tuple[Path, ...], output: Path, strict: bool, today: dt.date,
          no_alarms: bool, check: bool, base_url: str | None, max_age: int,
          adopt: bool) -> None:
    """Write every feed (all, per track, per eligibility group, named) into a folder.

    Several DATA files (and their `include:`s) build into one set of feeds. Events whose
    content changed since the feeds already in the folder get SEQUENCE + 1. Only files
    deadlinecal wrote are ever replaced or removed.

    \b
    Example:
      deadlinecal build data/ml-internships-summer-2027.yaml -o calendars
      deadlinecal build --check          # exit 1 if calendars/ is stale
    """
    from . import output as folder

    paths = [str(path) for path in data or (DEFAULT_DATA,)]
    named = ", ".join(paths)
    settings = folder.Settings(as_of=today, alarms=not no_alarms, base_url=base_url,
                               max_age_days=max_age)
    # Everything is decided and written before anything is printed: a closed stdout or
    # stderr (`build | head -1`) can cut the messages short, never the build.
    if check:
        outcome = folder.check(paths, _read, output, settings)
        _show_warnings(outcome.result.warnings, strict)
        _report_stale(outcome, output, named, _build_command(data, output, no_alarms, base_url))
        return
    outcome = folder.build(paths, _read, output, settings, strict=strict, adopt=adopt)
    _show_warnings(outcome.result.warnings, False)
    result, report = outcome.result, outcome.report
    click.echo(f"Built {plural(len(result.feeds), 'feed')} and index.html from {named}: "
               f"{plural(len(result.dataset.programs), 'program')}, "
               f"{plural(len(result.events), 'event')}.")
    click.echo(f"  {output}/: {len(report.written)} written, {len(report.unchanged)} "
               f"unchanged, {len(report.removed)} removed.")
    if result.revised:
        count = len(result.revised)
        click.echo(f"  {plural(count, 'event')} changed since the previous "
                   "build: SEQUENCE + 1, so subscribers get them as updates.")
    for spec in result.feeds:
        count = result.count(spec)
        click.echo(f"  {spec.path:<40} {count:>4} event{'' if count == 1 else 's'}")
    undated = result.undated
    if undated:
        day = min(e.first_day for e in result.events if e.kind.value == "watch").isoformat()
        verb = "has" if len(undated) == 1 else "have"
        click.echo(f"{plural(len(undated), 'program')} {verb} no date "
                   "yet, listed as "
                   f"watch-list events from {day}:")
        for program in undated:
            click.echo(f"  {program.id:<36} {program.title}")


def _build_command(data: tuple[Path, ...], output: Path, no_alarms: bool,
                   base_url: str | None) -> str:
    """The `deadlinecal build` that writes what `build --check` checked, options and all."""
    import shlex

    words = ["deadlinecal", "build", *(str(path) for path in data)]
    if output != DEFAULT_OUTPUT:
        words += ["-o", str(output)]
    if no_alarms:
        words.append("--no-alarms")
    if base_url:
        words += ["--base-url", base_url]
    return shlex.join(words)


def _report_stale(outcome: Any, output: Path, named: str, command: str) -> None:
    result, stale = outcome.result, outcome.stale
    if stale:
        lines = [f"{output}/ is stale: {plural(len(stale), 'file')} "
                 f"{'differs' if len(stale) == 1 else 'differ'} from what {named} "
                 "produces:"]
        lines.extend(f"  {output}/{relative} ({_staleness(output, relative, result.files)})"
                     for relative in stale)
        lines.append(f"Run `{command}` and commit the result.")
        raise click.ClickException("\n".join(lines))
    click.echo(f"{output}/ is up to date with {named} ({len(result.files)} feeds).")


@main.command()
@data_paths_argument
@click.option("--output", "-o", type=click.Path(path_type=Path, file_okay=False),
              default=DEFAULT_OUTPUT, show_default=True, help="Folder of the current feeds.")
@click.option("--json", "as_json", is_flag=True, help="Print the changes as JSON.")
@as_of_option("Today's date (default: today).")
@click.option("--no-alarms", is_flag=True, help="Compare with a build without reminders.")
@_run
def diff(data: tuple[Path, ...], output: Path, as_json: bool, today: dt.date,
         no_alarms: bool) -> None:
    """Show, per feed, what a rebuild would add, remove, move or re-word. Writes nothing.

    \b
    Example:
      deadlinecal diff                    # default data against calendars/
      deadlinecal diff --json | jq .
    """
    import json

    from . import history
    from .output import Settings, against

    paths = [str(path) for path in data or (DEFAULT_DATA,)]
    result, previous = against(paths, _read, output,
                               Settings(as_of=today, alarms=not no_alarms))
    _show_warnings(result.warnings, False)
    # Problems reading the previous feeds were warned about by the build; the diff warns
    # only about what it shows as "?" (dates that cannot be read).
    old, _ = history.read_feeds(previous)
    new, _ = history.read_feeds(result.files)
    changes = history.compare(old, new)
    _show_warnings(history.unreadable_details(changes, previous, folder=str(output)), False)
    if as_json:
        text = json.dumps({"feeds": [
            {"path": feed.path, "state": feed.state,
             "changes": [change.as_dict() for change in feed.changes]}
            for feed in changes]}, indent=2, ensure_ascii=False)
        # JSON escapes C0 controls itself; C1 ones (U+009B is a CSI) it leaves as they are.
        click.echo(re.sub("[\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]",
                          lambda m: f"\\u{ord(m[0]):04x}", text))
        return
    for line in history.format_changes(changes, folder=str(output)):
        # Summaries come from the previous feeds, which may hold anything.
        click.echo(_visible(line))


@main.command()
@data_argument
@filter_options
@click.option("--output", "-o", type=click.Path(path_type=Path, dir_okay=False),
              default=None, help="File to write (default: standard output).")
@click.option("--title", default=None, help="Calendar name (default: from the filter).")
@click.option("--no-alarms", is_flag=True, help="Leave out reminders (VALARMs).")
@adopt_option
@_run
def feed(data: Path, output: Path | None, title: str | None, no_alarms: bool, adopt: bool,
         **chosen: Any) -> None:
    """Write one filtered feed. Repeat an option for OR; combine options for AND.

    \b
    Example:
      deadlinecal feed --track research --eligibility undergrad -o research-ug.ics
    """
    from .output import previous_single, retired_single, write_single
    from .pipeline import single_feed

    if output is not None and str(output) == "-":
        output = None  # `-o -`: standard output, as most tools read it
    # Regenerating a subscribed file: changed events must get a higher SEQUENCE, and so
    # must events it dropped once and holds again.
    previous = previous_single(output, adopt=adopt) if output is not None else None
    made = single_feed(_read(data), file=str(data), chosen=_filter(**chosen), title=title,
                       alarms=not no_alarms, read=_read, previous=previous,
                       retired=retired_single(output) if output is not None else None)
    _show_warnings(made.warnings, False)
    if output is None:
        _to_stdout(made.content)
        return
    write_single(output, made.content, adopt=adopt, retired=made.retired)
    click.echo(f"Wrote {plural(made.count, 'event')} to {output}.", err=True)


@main.command(name="list")
@data_argument
@filter_options
@as_of_option("Show events on or after this day (default: today).")
@click.option("--all", "show_all", is_flag=True, help="Include past events too.")
@_run
def list_events(data: Path, today: dt.date, show_all: bool, **chosen: Any) -> None:
    """Print a table of upcoming events.

    \b
    Example:
      deadlinecal list --eligibility phd --as-of 2026-08-01
    """
    from .pipeline import describe_filter, load_selection
    from .select import check_filter, select
    from .table import event_table

    dataset, every, _ = load_selection([str(data)], _read)
    chosen_filter = check_filter(_filter(**chosen), dataset)
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


@main.command()
@data_argument
@click.option("--strict", is_flag=True, help="Treat warnings as errors.")
@as_of_option("Today's date for staleness warnings (default: today).")
@max_age_option
@_run
def validate(data: Path, strict: bool, today: dt.date, max_age: int) -> None:
    """Check a data file and report every problem, without writing anything.

    \b
    Example:
      deadlinecal validate data/ml-internships-summer-2027.yaml
    """
    from .pipeline import load_selection

    # The same loading as build, includes and all, so "valid" means build will work.
    dataset, _, warnings = load_selection([str(data)], _read,
                                          as_of=today, max_age_days=max_age, unstated=True)
    _show_warnings(warnings, strict)
    windows = sum(len(p.windows) for p in dataset.programs)
    click.echo(f"{data}: valid ({plural(len(dataset.programs), 'program')}, "
               f"{plural(windows, 'window')}, {plural(len(warnings), 'warning')}).")


def _staleness(output: Path, relative: str, files: dict[str, bytes]) -> str:
    if relative not in files:
        return "no longer produced"
    return "out of date" if (output / relative).exists() else "missing"


@main.command()
@click.argument("directory", type=click.Path(path_type=Path, file_okay=False),
                default=DEFAULT_OUTPUT, required=False)
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on; 0.0.0.0 lets phones on the same network in.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535),
              help="Port to listen on (0 picks a free one).")
@_run
def serve(directory: Path, host: str, port: int) -> None:
    """Serve built feeds and their page over HTTP, to try a subscription from a phone.

    \b
    Example:
      deadlinecal build && deadlinecal serve --host 0.0.0.0 --port 8000
    """
    from .errors import OutputError
    from .serve import make_server, raise_open_file_limit, url_of

    if not directory.is_dir():
        raise OutputError(f"{directory} is not a folder; run `deadlinecal build` first")
    raise_open_file_limit()
    try:
        server = make_server(directory, host, port,
                             log=lambda line: click.echo(line, err=True))
    except OSError as exc:
        raise OutputError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
    address = url_of(server)
    click.echo(f"Serving {directory}/ at {address} (Ctrl+C to stop).")
    if host in ("0.0.0.0", "::"):
        click.echo("  From a phone on the same network, use this computer's address instead "
                   "of 0.0.0.0.")
    click.echo(f"  Subscribe page: {address}index.html   All events: {address}all.ics")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        click.echo("Stopped.")
    finally:
        server.server_close()



@main.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@_run
def lint(files: tuple[Path, ...]) -> None:
    """Check .ics files for what makes calendar clients drop or misread a feed.

    Prints each problem as FILE:LINE: message; exits 1 if there are any. Checks CRLF line
    ends, folding at 75 octets without splitting a UTF-8 character, TEXT escaping, a
    VTIMEZONE for every TZID, no Etc/ zones, DTEND after DTSTART and unique UIDs. Reads
    only regular files of at most 64 MiB.

    \b
    Example:
      deadlinecal lint calendars/all.ics calendars/tracks/*.ics
    """
    from .lint import MAX_BYTES
    from .lint import lint as lint_bytes

    problems = 0
    for file in files:
        try:
            data = _read_regular(file, MAX_BYTES)
        except _Refused as exc:
            click.echo(_visible(f"{file}: {exc}"))
            problems += 1
            continue
        for finding in lint_bytes(data):
            # Messages quote the file; a hostile one must not drive the terminal.
            click.echo(_visible(f"{file}:{finding.line}: {finding.message}"))
            problems += 1
    if problems:
        click.echo(f"{plural(problems, 'problem')} in {plural(len(files), 'file')}.", err=True)
        sys.exit(1)
    click.echo(f"{plural(len(files), 'file')} checked, no problems.", err=True)


# -- import: posting lists -> data files ----------------------------------------------------


@main.group(name="import")
def import_group() -> None:
    """Turn a public list of postings into a data file (see `import simplify`)."""


def _zone_option(context: click.Context, parameter: click.Parameter, value: str) -> str:
    from .dates import DateSyntaxError, load_zone

    try:
        load_zone(value)
    except DateSyntaxError as exc:
        raise click.BadParameter(f"{exc}; an IANA zone like America/New_York") from None
    return value


@import_group.command(name="simplify")
@click.argument("source")
@click.option("--output", "-o", type=click.Path(path_type=Path, dir_okay=False), default=None,
              help="Data file to write (default: standard output). If it exists from an "
              "earlier import, postings gone from the list stay in it, cancelled.")
@click.option("--term", "terms", multiple=True, metavar="TERM",
              help='Term to import, e.g. "Summer 2027" (repeatable; default: the summer '
              "term most postings of the list's last 90 days name).")
@click.option("--category", "categories", multiple=True, metavar="NAME",
              help='Import only this category, e.g. "AI/ML/Data" (repeatable).')
@click.option("--timezone", "zone", default="America/New_York", show_default=True,
              callback=_zone_option, help="Zone whose calendar day a posting time falls on.")
@click.option("--keep-closed-days", type=click.IntRange(0, 3650), default=30,
              show_default=True, metavar="DAYS",
              help="Leave out postings closed (or cancelled) more than DAYS before the list's "
              "date.")
@click.option("--feed-budget-kb", type=click.IntRange(10, 1_000_000), default=1000,
              show_default=True, metavar="KB",
              help="Largest feed, in kB (1000 bytes); the oldest postings beyond it are left "
              "out.")
@click.option("--dataset-id", default=None, metavar="SLUG",
              help="dataset.id of the file (default: postings-<term>, e.g. "
              "postings-summer-2027); part of every UID, so keep it.")
@click.option("--title", default=None, help="Calendar name (default: from the term).")
@click.option("--confirm", "confirm", multiple=True,
              type=click.Path(path_type=Path, dir_okay=False), metavar="DATA.yaml",
              help="Curated data file whose programs with a `postings:` pattern get their "
              "estimated opening replaced by the first matching posting's day (repeatable).")
@click.option("--timeout", type=click.FloatRange(1, 600), default=30, show_default=True,
              metavar="SECONDS", help="How long to wait for an https SOURCE.")
@_run
def simplify(source: str, output: Path | None, terms: tuple[str, ...],
             categories: tuple[str, ...], zone: str, keep_closed_days: int,
             feed_budget_kb: int, dataset_id: str | None, title: str | None,
             confirm: tuple[Path, ...], timeout: float) -> None:
    """Import a SimplifyJobs-format posting list (listings.json, a path or https URL).

    Each visible posting of the term becomes a program that opens on the day it was
    posted, with the follow-up two weeks later; closed postings close on their last
    update. Writes the data file only when everything checked out.

    \b
    Example:
      deadlinecal import simplify listings.json -o data/postings.yaml --term "Summer 2027"
      deadlinecal build data/ml-internships-summer-2027.yaml data/postings.yaml
    """
    from .importer import Settings
    from .importing import run_import

    settings = Settings(source_name="", dataset_id=dataset_id, title=title, zone=zone,
                        keep_closed_days=keep_closed_days,
                        budget_bytes=feed_budget_kb * 1000)
    result = run_import(source, output, settings, terms=terms, categories=categories,
                        timeout=timeout, read=_read, confirm=confirm)
    say = functools.partial(click.echo, err=output is None)
    if output is None:
        _to_stdout(result.data)
    for line in result.report:
        say(line)


def _to_stdout(content: bytes) -> None:
    """Write `content` to standard output; OutputError when it is closed (`>&-`)."""
    from .errors import OutputError

    stream = getattr(sys.stdout, "buffer", None)
    try:
        if stream is None:
            raise OSError("it is closed")
        stream.write(content)
        stream.flush()
    except BrokenPipeError:
        raise  # the reader has what it wanted (see _run)
    except (OSError, ValueError) as exc:
        raise OutputError(f"could not write to standard output ({exc}); nothing was written "
                          "(pass -o FILE to write a file)") from None


class _Refused(Exception):
    """A file that is not read, and why (one line)."""


_KINDS = {stat.S_IFDIR: "a folder", stat.S_IFIFO: "a FIFO (named pipe)",
          stat.S_IFCHR: "a character device", stat.S_IFBLK: "a block device",
          stat.S_IFSOCK: "a socket"}


def _read_regular(path: Path, limit: int) -> bytes:
    """The bytes of `path` if it is a regular file of at most `limit` bytes. Raises _Refused.

    Never blocks or reads without end: the type is checked before opening (a FIFO would
    wait for a writer, /dev/zero never ends), the file is opened non-blocking and checked
    again on the open descriptor (the path may have been swapped), and at most `limit` + 1
    bytes are read (a file that grew after the check is refused too).
    """
    def refuse_unless_regular(mode: int, size: int) -> None:
        if not stat.S_ISREG(mode):
            kind = _KINDS.get(stat.S_IFMT(mode), "not a regular file")
            raise _Refused(f"not read: it is {kind}; only regular files are read")
        if size > limit:
            raise _Refused(f"not read: it is {size:,} bytes, larger than the {limit:,} bytes "
                           "read at most")

    try:
        found = os.stat(path)
        refuse_unless_regular(found.st_mode, found.st_size)
        descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY
                             | getattr(os, "O_CLOEXEC", 0))
    except OSError as exc:
        raise _Refused(f"cannot read it: {exc.strerror or exc}") from None
    try:
        opened = os.fstat(descriptor)
        refuse_unless_regular(opened.st_mode, opened.st_size)
        chunks, size = [], 0
        while size <= limit:
            chunk = os.read(descriptor, min(1 << 20, limit + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        if size > limit:
            refuse_unless_regular(opened.st_mode, size)
        return b"".join(chunks)
    except OSError as exc:
        raise _Refused(f"cannot read it: {exc.strerror or exc}") from None
    finally:
        os.close(descriptor)


def _visible(text: str) -> str:
    """`text` with every character a terminal could act on escaped: ESC as \\x1b, U+202E as
    \\u202e. For output that quotes files deadlinecal did not write."""
    if text.isprintable():
        return text
    return "".join(char if char.isprintable() else
                   (f"\\x{ord(char):02x}" if ord(char) <= 0xFF else
                    f"\\u{ord(char):04x}" if ord(char) <= 0xFFFF else f"\\U{ord(char):08x}")
                   for char in text)
