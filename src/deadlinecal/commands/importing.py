"""`deadlinecal import`: public posting lists -> data files."""

from __future__ import annotations

import datetime as dt
import functools
import os
from pathlib import Path
from typing import Any

import click

from deadlinecal.commands.common import as_of_option, collector_paused, read, run, to_stdout


@click.group(name="import")
def import_group() -> None:
    """Turn a public list of postings into a data file (see `import simplify`)."""


def _zone_option(context: click.Context, parameter: click.Parameter, value: str) -> str:
    from deadlinecal.dataset.dates import DateSyntaxError, load_zone

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
@click.option("--keywords", type=click.Path(path_type=Path, dir_okay=False), default=None,
              metavar="MAP.yaml",
              help="Keyword map (track key -> words) that sorts postings without a category "
              "by their titles, replacing the built-in one (see docs/postings.md).")
@click.option("--timeout", type=click.FloatRange(1, 600), default=30, show_default=True,
              metavar="SECONDS", help="How long to wait for an https SOURCE.")
@as_of_option("Today's date: postings dated later are skipped (default: today).")
@run
@collector_paused
def simplify(source: str, output: Path | None, terms: tuple[str, ...],
             categories: tuple[str, ...], zone: str, keep_closed_days: int,
             feed_budget_kb: int, dataset_id: str | None, title: str | None,
             confirm: tuple[Path, ...], keywords: Path | None, timeout: float,
             today: dt.date) -> None:
    """Import a SimplifyJobs-format posting list (listings.json, a path or https URL).

    Each visible posting of the term becomes a program that opens on the day it was
    posted, with the follow-up two weeks later; closed postings close on their last
    update. Writes the data file only when everything checked out.

    \b
    Example:
      deadlinecal import simplify listings.json -o data/postings.yaml --term "Summer 2027"
      deadlinecal build data/ml-internships-summer-2027.yaml data/postings.yaml
    """
    from deadlinecal.postings.importer import Settings
    from deadlinecal.postings.run import run_import
    from deadlinecal.postings.trackwords import DEFAULT_RULES

    _check_arguments(output, dataset_id, title, confirm)
    rules = DEFAULT_RULES if keywords is None else _keyword_map(keywords)
    settings = Settings(source_name="", dataset_id=dataset_id, title=title, zone=zone,
                        keep_closed_days=keep_closed_days,
                        budget_bytes=feed_budget_kb * 1000, keywords=rules)
    result = run_import(source, output, settings, terms=terms, categories=categories,
                        timeout=timeout, read=read, confirm=confirm, today=today)
    say = functools.partial(click.echo, err=output is None)
    if output is None:
        to_stdout(result.data)
    for line in result.report:
        say(line)


def _check_arguments(output: Path | None, dataset_id: str | None,
                     title: str | None, confirm: tuple[Path, ...]) -> None:
    """Refuse arguments that would make a file `build` (and the next import) refuses, or
    that the terminal cannot show. Raises click.BadParameter."""
    from deadlinecal.dataset.validate import MAX_TEXT_CHARS
    from deadlinecal.dataset.validate.collector import is_slug
    from deadlinecal.errors import escape, quoted

    if dataset_id is not None and not is_slug(dataset_id):
        raise click.BadParameter(f"{escape(quoted(dataset_id))} is not a dataset id; use "
                                 "lower-case letters, digits and hyphens (at most 64), "
                                 "like postings-summer-2027", param_hint="--dataset-id")
    if title is not None and (not _utf8(title) or not title.strip()
                              or not title.isprintable() or len(title) > MAX_TEXT_CHARS):
        raise click.BadParameter(f"{escape(quoted(title))} is not a calendar name; use one "
                                 f"line of printable UTF-8 text of at most "
                                 f"{MAX_TEXT_CHARS:,} characters", param_hint="--title")
    for path in confirm:
        if output is not None and _same_file(path, output):
            raise click.BadParameter(
                f"{escape(str(path))} is also the -o file: the import would overwrite what "
                "--confirm writes; confirm a curated file, import into another",
                param_hint="--confirm")


def _utf8(text: str) -> bool:
    """False for an argument that was not UTF-8 (Python keeps its bytes as surrogates)."""
    try:
        text.encode()
    except UnicodeEncodeError:
        return False
    return True


def _same_file(first: Path, second: Path) -> bool:
    try:
        return os.path.samefile(first, second)
    except OSError:
        return os.path.abspath(first) == os.path.abspath(second)


def _keyword_map(path: Path) -> Any:
    """The keyword map of `--keywords` (trackwords.parse_rules). Raises DataError."""
    import yaml

    from deadlinecal.errors import DataError, Problem
    from deadlinecal.postings.trackwords import parse_rules

    try:
        text = read(str(path))
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise DataError([Problem(file=str(path), line=mark.line + 1 if mark else None,
                                 column=None, path="", message="this is not valid YAML",
                                 expected="a mapping of track key to a list of words")]
                        ) from None
    return parse_rules(data, file=str(path))
