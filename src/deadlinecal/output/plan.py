"""The output folder of `build`: where a build may write, what there is ours, the rebuild plan.

One function per command decides everything between the data and the folder: `build`
refuses folders that are not the build's to use, takes the folder's lock, decides whether
anything needs rendering (cache.py), reads the previous feeds and the retired revisions
under that same lock (so a concurrent build's SEQUENCE is seen, never undone), builds, and
writes (write.py). `check` and `against` read the folder the same way and write nothing.
The CLI calls them and prints.

A file is ours when the record beside the feeds lists it or, without a record (a fresh
clone with committed feeds), when it lies where a build writes (LAYOUT: all.ics, index.html,
tracks/*.ics, ... as select.py lays the feeds out) and its content says so: an `.ics` with
our PRODID, a page with our generator tag. A recognisable file anywhere else is not ours.
Without a record, a folder holding anything that is not ours (hidden names aside) is refused
unless the user says `--adopt`; the root, the current folder, the home folder, the folders above
them and any folder holding a data file of the build are refused always.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import os
import posixpath
from collections.abc import Callable, Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from deadlinecal import ledger
from deadlinecal.dataset.validate import DEFAULT_MAX_AGE_DAYS, Include
from deadlinecal.errors import DataError, OutputError, Problem
from deadlinecal.events.select import FEED_PATTERNS
from deadlinecal.ical.render import PRODID
from deadlinecal.output import cache
from deadlinecal.output.ownership import RECORD, Layout, read_if_regular
from deadlinecal.output.places import refuse_unsafe
from deadlinecal.output.write import (
    Folder,
    WriteReport,
    opened,
    read_head,
    replace_file,
    tidy,
)
from deadlinecal.page.index import PAGE_PATH
from deadlinecal.page.picker import CHOICES_PATH
from deadlinecal.page.picker import FOLDER as PICKED_FOLDER
from deadlinecal.pipeline import Read
from deadlinecal.site import Build, as_rebuilt, build_all

if TYPE_CHECKING:
    # history imports icalendar, most of a small build's start-up: only a build that has
    # retired revisions to carry over needs it.
    from deadlinecal.history import Seen

# The subscribe page says who made it (page/index.py); that is how a build knows the page is its.
GENERATOR_TAG = b'<meta name="generator" content="deadlinecal">'
# Pages built before they carried the tag end their title so (within their first bytes).
_OLD_PAGE_TITLE = "\u2014 calendars to subscribe to</title>".encode()
ADOPT_FLAG = "--adopt"
# picked/choices.json read for the summary of a build with nothing to render.
MAX_RECORD_BYTES = 16 << 20


# A build as the command prints it: its stdout and stderr lines.
Summarise = Callable[[Build], tuple[Sequence[str], Sequence[str]]]


@dataclass(frozen=True, slots=True, kw_only=True)
class Settings:
    """What decides the feeds besides the data: the build's options."""

    as_of: dt.date | None = None
    alarms: bool = True
    base_url: str | None = None
    max_age_days: int = DEFAULT_MAX_AGE_DAYS

    def key(self, paths: Sequence[str]) -> tuple[str, ...]:
        """The options as they enter the build key (see cache.build_key)."""
        return cache.options_key(paths, alarms=self.alarms, base_url=self.base_url)


@dataclass(frozen=True, slots=True, kw_only=True)
class Outcome:
    result: Build
    # What the build did to the folder (nothing for `check`).
    report: WriteReport
    # For `check`: the files a build would write or remove.
    stale: tuple[str, ...] = ()


def recognise(relative: str, head: bytes) -> bool:
    """Whether a file whose first bytes are `head` is one a build wrote (by its content)."""
    if relative.endswith(".ics"):
        return (head.lstrip().upper().startswith(b"BEGIN:VCALENDAR")
                and f"\nPRODID:{PRODID}\r".encode() in head)
    if relative.endswith(".html"):
        return GENERATOR_TAG in head or (head.startswith(b"<!doctype html>")
                                         and _OLD_PAGE_TITLE in head)
    if relative == CHOICES_PATH:
        return head.startswith(b'{\n "generator": "deadlinecal",')
    return relative.endswith(".json") and ledger.recognise(head)


# Where a build writes, and how its files look: what a folder without a record holds of ours.
LAYOUT = Layout(patterns=(*FEED_PATTERNS, f"{PICKED_FOLDER}/*.ics", CHOICES_PATH, PAGE_PATH,
                          ledger.PATH), content=recognise)


def build(paths: Sequence[str], read: Read, output: Path,
          settings: Settings, *, strict: bool = False, adopt: bool = False,
          summarise: Summarise | None = None, given: Sequence[str] = ()) -> Outcome:
    """Build `paths` into `output`: render and write only what changed, own files only.

    `strict` refuses to write when there are warnings; `adopt` allows a folder holding
    files deadlinecal did not write. `summarise` turns a build into what the command prints
    (stdout and stderr lines, leaving out the line of files written): what a rebuild of the
    same data with the same `given` options will print goes into the record, for
    cache.replay. Raises DataError, OutputError; on error nothing in `output` has changed.
    """
    named = [posixpath.normpath(path) for path in paths]
    refuse_unsafe(output, named)
    options = settings.key(paths)
    with opened(output, layout=LAYOUT) as folder:
        _refuse_foreign_folder(output, folder, adopt)
        inputs = cache.inputs(folder, named)
        current = (cache.unchanged(folder, cache.build_key(cache.joined(inputs), *options))
                   if inputs is not None else None)
        del inputs  # the data's bytes, read again for the key: not held through the build
        if current is not None:
            # Same data, same code, files untouched since the last build: nothing to render.
            tidy(folder)
            result = _build(named, read, settings, render=False,
                            record=read_if_regular(output / CHOICES_PATH, MAX_RECORD_BYTES))
            _refuse_warnings(result, strict)
            return Outcome(result=result,
                           report=WriteReport(written=(), unchanged=current, removed=()))
        seen: list[tuple[str, bytes]] = []

        def recorded(path: str, included_by: Include | None = None, /) -> bytes:
            content = read(path) if included_by is None else read(path, included_by)
            seen.append((path, content))
            return content

        result = _build(named, recorded, settings, folder)
        _refuse_warnings(result, strict)
        refuse_unsafe(output, [path for path, _ in seen])  # the includes too
        foreign = folder.foreign(result.files)
        if foreign and not adopt:
            raise OutputError(f"{output}/{foreign[0]} exists and was not written by "
                              f"deadlinecal; nothing was written (pass {ADOPT_FLAG} to "
                              "replace it)")
        key = cache.build_key(cache.joined(seen), *options)
        extra: dict[str, object] = {"inputs": [path for path, _ in seen]}
        # The data's bytes are not needed to write the feeds: not held while they render.
        seen.clear()
        if summarise is not None:
            extra.update(_summary(result, output, key, given, summarise))
        report = folder.write(result.files, key=key, extra=extra, adopt=True)
    return Outcome(result=result, report=report)


def _summary(result: Build, output: Path, key: str, given: Sequence[str],
             summarise: Summarise) -> dict[str, object]:
    """The record's entry for cache.replay: what a rebuild with nothing to render will print
    once these files are in place, made from this build (see site.as_rebuilt)."""
    record = result.files.get(CHOICES_PATH)
    absent = [] if record is not None else [CHOICES_PATH]
    if (any(os.path.lexists(output / path) for path in absent)
            or (record is not None and len(record) > MAX_RECORD_BYTES)):
        return {}  # such a rebuild reads what is there then: left to it
    try:
        again = as_rebuilt(result, record)
    except DataError:
        return {}
    out, err = summarise(again)
    return cache.summary(key, given, out, err, absent)


def check(paths: Sequence[str], read: Read, output: Path,
          settings: Settings) -> Outcome:
    """What a build would change in `output`, without writing. Raises DataError."""
    with _reading(output) as folder:
        result = _build([posixpath.normpath(path) for path in paths], read, settings, folder)
        stale = folder.stale(result.files)
    return Outcome(result=result, report=WriteReport(written=(), unchanged=(), removed=()),
                   stale=tuple(stale))


def against(paths: Sequence[str], read: Read, output: Path,
            settings: Settings) -> tuple[Build, dict[str, bytes]]:
    """The build of `paths` and the files of ours already in `output` it was built against."""
    with _reading(output) as folder:
        previous = folder.read()
        result = _build([posixpath.normpath(path) for path in paths], read, settings, folder,
                        previous=previous)
    return result, previous


def write_single(path: Path, content: bytes, *, adopt: bool = False,
                 retired: Mapping[str, Seen] | None = None) -> bool:
    """Write one feed file unless it holds `content`; True when written.

    `retired` (the revisions the feed no longer holds) goes into the hidden file beside it
    (ledger.sidecar), first: a failure after it leaves the old feed, which `retired` never
    contradicts. A file there that deadlinecal did not write is refused unless `adopt`;
    anything but a regular file always. Raises OutputError.
    """
    _refuse_foreign_file(path, adopt)
    side = ledger.sidecar(path)
    if retired or os.path.lexists(side):
        _refuse_foreign_file(side, adopt, ledger.recognise)
        if retired:
            replace_file(side, ledger.encode(retired))
        else:
            with contextlib.suppress(FileNotFoundError):
                side.unlink()
    return replace_file(path, content)


def locked_single(path: Path) -> AbstractContextManager[Folder]:
    """The folder of `feed -o path` under the exclusive lock a build of it takes, so that
    runs into the same file (or a build of its folder) take turns. Raises OutputError."""
    return opened(path.parent)


def retired_single(path: Path) -> tuple[dict[str, Seen], list[Problem]]:
    """The revisions `feed -o path` dropped before, from the hidden file beside it, and
    warnings about what in it cannot be trusted (and is ignored)."""
    content = read_if_regular(ledger.sidecar(path), ledger.MAX_BYTES + 1)
    complaints: list[tuple[str, str]] = []
    found = (ledger.decode(content, complaints) or {}) if content is not None else {}
    return found, ledger.problems(str(ledger.sidecar(path)), complaints)


def previous_single(path: Path, *, adopt: bool = False) -> bytes | None:
    """The feed `path` holds now (its events keep their SEQUENCE), or None.

    Raises OutputError for a file that is not ours (unless `adopt`).
    """
    _refuse_foreign_file(path, adopt)
    head = read_head(path)
    return path.read_bytes() if head is not None and recognise(path.name, head) else None


def _refuse_foreign_folder(output: Path, folder: Folder, adopt: bool) -> None:
    """Without a record, a folder is the build's only when all it holds is the build's."""
    if adopt or folder.has_record:
        return
    others = folder.others()
    if not others:
        return
    shown = ", ".join(others[:3]) + (f" and {len(others) - 3} more" if len(others) > 3 else "")
    raise OutputError(f"refusing to build into {output}: it holds files deadlinecal did not "
                      f"write ({shown}) and no record of an earlier build there; pass "
                      f"{ADOPT_FLAG} to build there anyway (deadlinecal only ever changes its "
                      "own files)")


def _refuse_foreign_file(path: Path, adopt: bool,
                         ours: Callable[[bytes], bool] | None = None) -> None:
    if not path.exists() and not path.is_symlink():
        return
    head = read_head(path)
    if head is None:
        raise OutputError(f"refusing to write {path}: it is not a regular file")
    if not adopt and not (ours(head) if ours else recognise(path.name, head)):
        raise OutputError(f"refusing to write {path}: it exists and is not a feed deadlinecal "
                          f"wrote; pass {ADOPT_FLAG} to replace it")


def _refuse_warnings(result: Build, strict: bool) -> None:
    if strict and result.warnings:
        raise DataError(result.warnings)


def _build(paths: Sequence[str], read: Read, settings: Settings,
           folder: Folder | None = None, *, previous: Mapping[str, bytes] | None = None,
           render: bool = True, record: bytes | None = None) -> Build:
    warnings: list[Problem] = []
    retired: dict[str, Seen] | None = None
    picked: dict[str, bytes] = {}
    if folder is not None:
        previous = dict(folder.read() if previous is None else previous)
        retired = _retired(folder, previous.pop(ledger.PATH, None), warnings)
        record = previous.pop(CHOICES_PATH, None)
        picked = {relative: content for relative, content in previous.items()
                  if relative.startswith(f"{PICKED_FOLDER}/")}
        # Keyed as the user sees them, so a warning about a previous feed names
        # `calendars/all.ics:33`, not `all.ics:33`.
        previous = {f"{folder.target}/{relative}": content
                    for relative, content in previous.items()}
        warnings.extend(Problem(file=str(folder.target / RECORD), line=None, column=None,
                                path="", message=complaint, severity="warning")
                        for complaint in folder.complaints)
    result = build_all(paths, read, as_of=settings.as_of, previous=previous, retired=retired,
                       retired_from=str(folder.target / ledger.PATH) if folder else ledger.PATH,
                       alarms=settings.alarms, base_url=settings.base_url,
                       max_age_days=settings.max_age_days, render=render,
                       record=record, picked=picked,
                       folder=str(folder.target) if folder else "")
    if not warnings:
        return result
    return dataclasses.replace(result, warnings=(*result.warnings, *warnings))


def _retired(folder: Folder, kept: bytes | None, warnings: list[Problem]) -> dict[str, Seen]:
    """The retired revisions the folder remembers: its ledger's (and an older record's)."""
    complaints: list[tuple[str, str]] = []
    found = ledger.decode(kept, complaints) if kept is not None else {}
    if found is None:
        warnings.append(Problem(
            file=str(folder.target / ledger.PATH), line=None, column=None, path="",
            message="could not be read; the events in it that come back may start again at "
            "a lower SEQUENCE", severity="warning"))
    warnings.extend(ledger.problems(str(folder.target / ledger.PATH), complaints))
    # Records of earlier versions kept the retired revisions themselves.
    complaints = []
    older = ledger.from_json(folder.extra.get("retired"), complaints)
    warnings.extend(ledger.problems(str(folder.target / RECORD), complaints))
    if not found and not older:
        return {}  # nothing retired: no need for history (and icalendar) at all
    from deadlinecal.history import latest

    return latest([found or {}, older])


def _reading(output: Path) -> AbstractContextManager[Folder]:
    """The folder under a shared lock, for commands that only read it."""
    return opened(output, layout=LAYOUT, exclusive=False)
