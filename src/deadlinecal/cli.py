"""The command line: parse options, call the core, turn our errors into messages once.

`main` and `build` live here; the other commands are in the `commands` package, and what
they share (the error translation in `run`, the data reader, options) in commands/common.py.
"""

from __future__ import annotations

import datetime as dt
import posixpath
import sys
from collections.abc import Iterator, MutableMapping, Sequence
from pathlib import Path
from typing import Any

import click

from deadlinecal.commands.common import (
    DEFAULT_DATA,
    DEFAULT_OUTPUT,
    INTERNAL_ERROR_EXIT,
    DataProblems,
    adopt_option,
    as_of_option,
    collector_paused,
    data_arguments,
    data_paths,
    max_age_option,
    warning_lines,
)
from deadlinecal.commands.common import read as _read
from deadlinecal.commands.common import run as _run
from deadlinecal.commands.common import show_warnings as _show_warnings
from deadlinecal.errors import escape
from deadlinecal.text import plural

__all__ = ["DEFAULT_DATA", "DEFAULT_OUTPUT", "INTERNAL_ERROR_EXIT", "DataProblems", "main"]


def _check_base_url(context: click.Context, parameter: click.Parameter,
                    value: str | None) -> str | None:
    if value is None:
        return None
    from deadlinecal.page.index import is_web_address

    if not is_web_address(value) or "?" in value or "#" in value:
        raise click.BadParameter("must be an http:// or https:// address without ? or #, "
                                 "like https://example.org/calendars/")
    return value


# The commands besides `build`, by name: each imported when it is the one run (or listed by
# --help), so that `build`, run most, imports none of them.
_ELSEWHERE = frozenset({"validate", "list", "feed", "diff", "lint", "serve", "import"})


def _elsewhere(name: str) -> click.Command:
    if name in ("lint", "serve"):
        from deadlinecal.commands.folder import lint, serve

        return lint if name == "lint" else serve
    if name == "import":
        from deadlinecal.commands.importing import import_group

        return import_group
    from deadlinecal.commands.data import diff, feed, list_events, validate

    return {"validate": validate, "list": list_events, "feed": feed, "diff": diff}[name]


class _Commands(MutableMapping[str, click.Command]):
    """The group's commands: one looked up by name is imported then; all of them, when
    they are listed (`main.commands.items()`)."""

    def __init__(self, commands: MutableMapping[str, click.Command]) -> None:
        self._loaded = dict(commands)

    def __getitem__(self, name: str) -> click.Command:
        if name not in self._loaded and name in _ELSEWHERE:
            self._loaded[name] = _elsewhere(name)
        return self._loaded[name]

    def __setitem__(self, name: str, command: click.Command) -> None:
        self._loaded[name] = command

    def __delitem__(self, name: str) -> None:
        del self._loaded[name]

    def __contains__(self, name: object) -> bool:
        return name in _ELSEWHERE or name in self._loaded

    def __iter__(self) -> Iterator[str]:
        return iter(sorted({*self._loaded, *_ELSEWHERE}))

    def __len__(self) -> int:
        return len({*self._loaded, *_ELSEWHERE})


class _Group(click.Group):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.commands = _Commands(self.commands)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        try:
            return self.commands[cmd_name]
        except KeyError:
            return None

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(self.commands)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--debug", is_flag=True, help="Show Python tracebacks for errors.")
@click.version_option(package_name="deadlinecal", prog_name="deadlinecal")
def main(debug: bool) -> None:
    """Turn a dated YAML file of application windows into calendar feeds.

    \b
    Example:
      deadlinecal build                      # default data -> calendars/
      deadlinecal list --track research --as-of 2026-08-01
    """


@main.command()
@data_arguments
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
@click.option("--verbose", "-v", is_flag=True,
              help="Print every warning, not one line per kind of warning with a count.")
@max_age_option
@adopt_option
@_run
@collector_paused
def build(data: tuple[Path, ...], output: Path, strict: bool, today: dt.date,
          no_alarms: bool, check: bool, base_url: str | None, max_age: int,
          adopt: bool, verbose: bool) -> None:
    """Write every feed (all, per track, per eligibility group, named, per employer of a
    posting list, and the picker's personal feeds under picked/) into a folder.

    Several DATA files (and their `include:`s) build into one set of feeds. Events whose
    content changed since the feeds already in the folder get SEQUENCE + 1. Only files
    deadlinecal wrote are ever replaced or removed.

    \b
    Example:
      deadlinecal build data/ml-internships-summer-2027.yaml -o calendars
      deadlinecal build --check          # exit 1 if calendars/ is stale
    """
    from deadlinecal.output import cache

    paths = data_paths(data)
    named = escape(", ".join(paths))  # file names may hold terminal escapes
    given = (f"as_of={today.isoformat()}", f"max_age={max_age}", f"verbose={verbose}",
             f"output={output}", f"python={sys.version}")
    if not check:
        # A rebuild with nothing to do prints what the build before it left in its record,
        # before anything of the pipeline is imported (output/cache.py).
        replayed = cache.replay(output, [posixpath.normpath(path) for path in paths],
                                cache.options_key(paths, alarms=not no_alarms,
                                                  base_url=base_url), given)
        if replayed is not None and not (strict and replayed.err):
            for line in replayed.err:
                click.echo(line, err=True)
            _echo_summary(replayed.out, output, (0, replayed.unchanged, 0))
            return
    from deadlinecal.output import plan as folder

    settings = folder.Settings(as_of=today, alarms=not no_alarms, base_url=base_url,
                               max_age_days=max_age)
    # Everything is decided and written before anything is printed: a closed stdout or
    # stderr (`build | head -1`) can cut the messages short, never the build.
    if check:
        outcome = folder.check(paths, _read, output, settings)
        _show_warnings(outcome.result.warnings, strict, verbose=verbose)
        _report_stale(outcome, output, named, _build_command(data, output, no_alarms, base_url))
        return

    def summarise(result: Any) -> tuple[list[str], list[str]]:
        return _summary(result, named), warning_lines(result.warnings, verbose=verbose)

    outcome = folder.build(paths, _read, output, settings, strict=strict, adopt=adopt,
                           summarise=summarise, given=given)
    _show_warnings(outcome.result.warnings, False, verbose=verbose)
    report = outcome.report
    _echo_summary(_summary(outcome.result, named), output,
                  (len(report.written), len(report.unchanged), len(report.removed)))


def _echo_summary(lines: Sequence[str], output: Path, counts: tuple[int, int, int]) -> None:
    """What `build` prints: the summary's first line, what happened to the files, the rest."""
    written, unchanged, removed = counts
    click.echo(lines[0])
    click.echo(f"  {escape(str(output))}/: {written} written, {unchanged} "
               f"unchanged, {removed} removed.")
    for line in lines[1:]:
        click.echo(line)


def _summary(result: Any, named: str) -> list[str]:
    """What `build` prints about a build, but for the line of files written (the second)."""
    lines = [f"Built {plural(len(result.feeds), 'feed')} and index.html from {named}: "
             f"{plural(len(result.dataset.programs), 'program')}, "
             f"{plural(len(result.events), 'event')}."]
    if result.revised:
        count = len(result.revised)
        lines.append(f"  {plural(count, 'event')} changed since the previous "
                     "build: SEQUENCE + 1, so subscribers get them as updates.")
    employers = 0
    for spec in result.feeds:
        if spec.path.startswith("employers/"):
            employers += 1  # hundreds of them: counted, not listed
            continue
        count = result.count(spec)
        lines.append(f"  {spec.path:<40} {count:>4} event{'' if count == 1 else 's'}")
    if employers:
        lines.append(f"  employers/*.ics: {plural(employers, 'employer feed')}, one per "
                     "employer of the posting lists")
    lines.extend(_report_ended(result))
    if result.picker is not None:
        lines.append(f"  {result.picker.report}")
    undated = result.undated
    if undated:
        day = min(e.first_day for e in result.events if e.kind.value == "watch").isoformat()
        verb = "has" if len(undated) == 1 else "have"
        lines.append(f"{plural(len(undated), 'program')} {verb} no date "
                     "yet, listed as "
                     f"watch-list events from {day}:")
        lines.extend(f"  {program.id:<36} {program.title}" for program in undated)
    if result.dataset.imported:  # imported posting files only: their feeds' sizes
        from deadlinecal.postings.importer import posting_report

        lines.extend(posting_report(result))
    return lines


def _report_ended(result: Any) -> list[str]:
    """The feeds the data no longer produces, kept as ended calendars (ended.py)."""
    from deadlinecal.ended import ended_paths

    ended = ended_paths(result.files, result.feeds)
    employers = [path for path in ended if path.startswith("employers/")]
    lines = [f"  {path:<40} ended: its events cancelled, a notice points to all.ics"
             for path in ended if path not in employers]
    if employers:
        lines.append(f"  employers/*.ics: {plural(len(employers), 'ended employer feed')} "
                     "(no posting left), each with a notice pointing to all.ics")
    return lines


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
    result, stale, shown = outcome.result, outcome.stale, escape(str(output))
    if stale:
        lines = [f"{shown}/ is stale: {plural(len(stale), 'file')} "
                 f"{'differs' if len(stale) == 1 else 'differ'} from what {named} "
                 "produces:"]
        lines.extend(f"  {shown}/{escape(relative)} ({_staleness(output, relative, result.files)})"
                     for relative in stale)
        lines.append(f"Run `{escape(command)}` and commit the result.")
        raise click.ClickException("\n".join(lines))
    click.echo(f"{shown}/ is up to date with {named} ({_file_kinds(result)}).")


def _file_kinds(result: Any) -> str:
    """What the files of a build are: "11 files: 5 feeds, 3 personal feeds, 1 ended feed,
    index.html and picked/choices.json" (the page and the other files by name, never counted
    as feeds)."""
    from deadlinecal.ended import ended_paths
    from deadlinecal.page.index import PAGE_PATH

    feeds = {spec.path for spec in result.feeds}
    personal = {each.spec.path for each in result.picker.feeds} if result.picker else set()
    ended = set(ended_paths(result.files, result.feeds))
    others = sorted((path for path in result.files if path not in feeds | personal | ended),
                    key=lambda path: (path != PAGE_PATH, path))
    parts = [plural(len(feeds), "feed")]
    if personal:
        parts.append(plural(len(personal), "personal feed"))
    if ended:
        parts.append(plural(len(ended), "ended feed"))
    parts.extend(others)
    listed = ", ".join(parts[:-1]) + " and " + parts[-1] if len(parts) > 1 else parts[0]
    return f"{plural(len(result.files), 'file')}: {listed}"


def _staleness(output: Path, relative: str, files: dict[str, bytes]) -> str:
    from deadlinecal.page.index import PAGE_PATH

    if relative not in files:
        state = "no longer produced"
    else:
        state = "out of date" if (output / relative).exists() else "missing"
    return f"the page: {state}" if relative == PAGE_PATH else state
