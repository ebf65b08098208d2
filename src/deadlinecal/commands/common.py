"""What the commands share: error translation, the data reader, options and filters."""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import gc
import re
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from deadlinecal.text import plural

if TYPE_CHECKING:  # imported where used: the core's modules cost start-up time
    from deadlinecal.dataset.validate import Include

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


# What strptime(value, "%Y-%m-%d") takes (its own patterns for %Y, %m and %d), without
# strptime: its locale tables cost a rebuild with nothing to do a tenth of its run.
_DAY = re.compile(r"(\d\d\d\d)-(1[0-2]|0[1-9]|[1-9])-(3[0-1]|[1-2]\d|0[1-9]|[1-9]| [1-9])")


class Day(click.ParamType):  # type: ignore[type-arg]  # generic only in click's stubs
    """A calendar day as YYYY-MM-DD, with a plain message for anything else."""

    name = "YYYY-MM-DD"

    def convert(self, value: Any, param: click.Parameter | None,
                ctx: click.Context | None) -> dt.datetime:
        if isinstance(value, dt.datetime):
            return value
        try:
            return parse_day(str(value))
        except ValueError:
            # ascii(): a control character typed on the command line is shown escaped.
            self.fail(f"{ascii(str(value)[:40])!s} is not a real day; write it as "
                      "YYYY-MM-DD, like 2026-10-14", param, ctx)


def parse_day(text: str) -> dt.datetime:
    """`text` as strptime(text, "%Y-%m-%d") reads it. Raises ValueError as it does."""
    found = _DAY.fullmatch(text)
    if found is None:
        raise ValueError(f"{text!r} is not written as YYYY-MM-DD")
    return dt.datetime(int(found[1]), int(found[2]), int(found[3]))


def run(function: F) -> F:
    """Translate the core's errors into click's, in this one place."""

    @functools.wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        from deadlinecal.errors import (
            DataError,
            DeadlinecalError,
            FilterError,
            escape,
            escape_lines,
        )

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


def collector_paused(function: F) -> F:
    """Run a command that builds or imports with the cyclic garbage collector paused.

    A large file makes millions of small objects that all live until the command ends;
    each collection would walk every one of them again, so collections grow with the file
    and the command turns quadratic (it doubled the time json.loads takes on a posting
    list). Reference counting still frees everything as usual. Paused here, around one
    command, and restored when it ends: the library itself never touches the collector,
    so a program that calls it (or runs a command in-process) keeps the one it had.
    """

    @functools.wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        enabled = gc.isenabled()
        gc.disable()
        try:
            return function(*args, **kwargs)
        finally:
            if enabled:
                gc.enable()

    return wrapper  # type: ignore[return-value]


def read(path: str | Path, included_by: Include | None = None, /) -> bytes:
    """A data file's bytes; what an include may not read is refused (see files.py)."""
    from deadlinecal.dataset.files import read_data

    default = included_by is None and Path(path) == DEFAULT_DATA
    return read_data(str(path), included_by, missing_hint=(
        " (run from the project folder, or pass DATA)" if default else ""))


def show_warnings(warnings: Any, strict: bool, *, verbose: bool = True) -> None:
    """Print each warning, or (not `verbose`) one line per kind of warning with a count."""
    from deadlinecal.errors import DataError

    if strict and warnings:
        raise DataError(warnings)
    for line in warning_lines(warnings, verbose=verbose):
        click.echo(line, err=True)


def warning_lines(warnings: Any, *, verbose: bool) -> list[str]:
    """The lines `show_warnings` prints."""
    if verbose:
        return [warning.format() for warning in warnings]
    return summarised(warnings)


# What varies between warnings of one kind: words with digits (numbers, days, ids), and
# names in quotes.
_VARYING = re.compile(r"[^\s()]*[0-9][^\s()]*|'[^']*'|\"[^\"]*\"|\u201c[^\u201d]*\u201d")


def summarised(warnings: Any) -> list[str]:
    """One line per kind of warning: a kind seen once as it is, several as a count with the
    first instance (the message with its numbers, ids and quoted names as …)."""
    from deadlinecal.errors import escape

    kinds: dict[tuple[str, str, str], list[Any]] = {}
    for warning in warnings:
        shape = _VARYING.sub("…", warning.message)
        kinds.setdefault((warning.file, warning.severity, shape), []).append(warning)
    lines = []
    for (file, severity, shape), alike in kinds.items():
        if len(alike) == 1:
            lines.append(alike[0].format())
            continue
        first = alike[0]
        where = first.path or (f"line {first.line}" if first.line else "")
        lines.append(escape(f"{file}: {severity}: {len(alike):,} times: {shape} (the first at "
                            f"{where}: {first.message}; --verbose lists each)"))
    return lines


def today() -> dt.date:
    """Today's date: the commands' one clock (the tests set it years ahead)."""
    return dt.date.today()


def as_of_option(help_text: str) -> Callable[[F], F]:
    """--as-of YYYY-MM-DD, passed on as `today` (a date); the clock is read here, once."""

    def to_day(context: click.Context, parameter: click.Parameter,
               value: dt.datetime | None) -> dt.date:
        return value.date() if value is not None else today()

    return click.option("--as-of", "today", type=Day(),
                        default=None, metavar="YYYY-MM-DD", callback=to_day, help=help_text)


max_age_option = click.option(
    "--max-age", "max_age", type=click.IntRange(min=0), default=DEFAULT_MAX_AGE,
    show_default=True, metavar="DAYS",
    help="Warn about programs whose last_verified is older than this.")


def data_arguments(function: F) -> F:
    """DATA...: the data files every command that reads data takes (default: the default
    data). They build into one set of events, with the files they `include:`."""
    return click.argument(
        "data", nargs=-1, type=click.Path(path_type=Path, dir_okay=False),
    )(function)


def data_paths(data: tuple[Path, ...]) -> list[str]:
    """The paths DATA names, the default data when it names none."""
    return [str(path) for path in data or (DEFAULT_DATA,)]


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


def make_filter(tracks: tuple[str, ...], eligibility: tuple[str, ...], employers: tuple[str, ...],
            citizenship: tuple[str, ...], confirmed_only: bool,
            date_from: dt.datetime | None = None, date_until: dt.datetime | None = None) -> Any:
    from deadlinecal.errors import FilterError
    from deadlinecal.model import Filter

    if date_from and date_until and date_until < date_from:
        raise FilterError(f"--until {date_until:%Y-%m-%d} is before --from {date_from:%Y-%m-%d}")
    return Filter(tracks=tracks, eligibility=eligibility, employers=employers,
                  citizenship=citizenship, confirmed_only=confirmed_only,
                  date_from=date_from.date() if date_from else None,
                  date_until=date_until.date() if date_until else None)


adopt_option = click.option(
    "--adopt", is_flag=True,
    help="Write into a folder (or over a file) that deadlinecal did not write; only "
         "deadlinecal's own files there are ever changed.")


def to_stdout(content: bytes) -> None:
    """Write `content` to standard output; OutputError when it is closed (`>&-`)."""
    from deadlinecal.errors import OutputError

    stream = getattr(sys.stdout, "buffer", None)
    try:
        if stream is None:
            raise OSError("it is closed")
        stream.write(content)
        stream.flush()
    except BrokenPipeError:
        raise  # the reader has what it wanted (see run)
    except (OSError, ValueError) as exc:
        raise OutputError(f"could not write to standard output ({exc}); nothing was written "
                          "(pass -o FILE to write a file)") from None
