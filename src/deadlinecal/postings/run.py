"""`deadlinecal import simplify`: fetch or read a list, import it, write the files.

The one place of the import that touches files and the network. Every byte is computed
before anything is written; each file is then replaced atomically, so an error (a bad
posting, a failed download) leaves every file as it was.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import posixpath
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, cast

from deadlinecal.errors import DataError, OutputError, Problem, escape
from deadlinecal.model import Dataset
from deadlinecal.postings.importer import MARKER, Imported, Settings, import_list
from deadlinecal.postings.listing import (
    MAX_LISTED_PROBLEMS,
    MAX_POSTINGS_BYTES,
    clean,
    read_postings,
)

if TYPE_CHECKING:
    from deadlinecal.pipeline import Read


@dataclass(frozen=True, slots=True, kw_only=True)
class ImportRun:
    data: bytes
    report: tuple[str, ...]


def run_import(source: str, output: Path | None, settings: Settings, *,
               terms: Sequence[str], categories: Sequence[str], timeout: float,
               read: Callable[[Path], bytes], confirm: Sequence[Path] = (),
               today: dt.date | None = None) -> ImportRun:
    """Import `source` into `output` (None: only return the bytes) and confirm `confirm`.

    No posting may be dated after `today` (nor after the list file's own date). Raises
    DataError, FetchError or OutputError; nothing is written then.
    """
    return _run_import(source, output, settings, terms=terms, categories=categories,
                       timeout=timeout, read=read, confirm=confirm,
                       today=today or dt.date.today())


def _run_import(source: str, output: Path | None, settings: Settings, *,
                terms: Sequence[str], categories: Sequence[str], timeout: float,
                read: Callable[[Path], bytes], confirm: Sequence[Path],
                today: dt.date) -> ImportRun:
    latest_day = today
    if source.lower().startswith(("https://", "http://")):
        from deadlinecal.postings.fetch import fetch

        raw = fetch(source, timeout=timeout)
        name = posixpath.basename(source.split("?")[0]) or "listings.json"
        settings = dataclasses.replace(settings, source_name=f"Posting list {clean(name)}",
                                       source_url=source)
    else:
        raw = _read_list(Path(source))
        # A list saved before a day cannot hold a posting of that day.
        latest_day = min(today, _file_day(Path(source), settings.zone, today))
        settings = dataclasses.replace(
            settings, source_name=f"Posting list {clean(Path(source).name) or 'file'}")
    postings = read_postings(raw, file=source, terms=terms, categories=categories,
                             zone=settings.zone, latest_day=latest_day)
    previous = _previous(output, read) if output is not None else None
    imported = import_list(postings, settings, file=str(output or "<stdout>"),
                           previous=previous)
    # A file named twice (or by a link and by its target) is confirmed, and edited, once.
    curated: dict[str, Path] = {}
    for path in confirm:
        curated.setdefault(os.path.realpath(path), path)
    confirmed = [_confirm(path, imported, read) for path in curated.values()]
    report = _report(source, output, imported, postings.other_terms)
    for path, _, _, lines in confirmed:
        report.extend(lines if lines else [f"{path}: no estimated opening matched a posting."])
    # Every text from the list or the command line is escaped: a term named "\x1b[2J"
    # must not clear the terminal, nor an unpaired surrogate stop the report.
    report = [escape(line) for line in report]
    # Everything is computed: now write, the data file atomically, each curated file in
    # place (see inplace.py), once each of them is known to be editable.
    from deadlinecal.output import inplace
    from deadlinecal.output.write import replace_file

    edits = [(path, old, new) for path, old, new, _ in confirmed if new != old]
    for path, _, _ in edits:
        inplace.refuse_uneditable(path)
    try:
        if output is not None:
            replace_file(output, imported.data)
    except OSError as exc:
        raise OutputError(f"cannot write {exc.filename or output}: {exc.strerror or exc}"
                          ) from None
    for path, old, new in edits:
        inplace.edit_in_place(path, old, new)
    return ImportRun(data=imported.data, report=tuple(report))


def _file_day(path: Path, zone: str, today: dt.date) -> dt.date:
    """The day (in `zone`) the list file was last changed; `today` for a file whose time
    says nothing (before 1990: reproducible archives and builds set it to 1970)."""
    import zoneinfo

    seconds = os.stat(path).st_mtime
    if seconds < _EARLIEST_FILE_SECONDS:
        return today
    return dt.datetime.fromtimestamp(seconds, zoneinfo.ZoneInfo(zone)).date()


_EARLIEST_FILE_SECONDS = 631_152_000


def _read_list(path: Path) -> bytes:
    """The list's bytes, read up to one byte past the limit (parse_json refuses more).

    Not the CLI's reader of data files: that one imports the YAML loader for its limit,
    which a JSON list does not need. Raises DataError.
    """
    from deadlinecal.output.ownership import read_if_regular

    if not os.path.lexists(path):
        problem = ("no such file", "a posting list (listings.json) or an https:// address")
    else:
        # Only a regular file is opened, without blocking: a named pipe would wait forever.
        data = read_if_regular(path, MAX_POSTINGS_BYTES + 1, follow_links=True)
        if data is not None:
            return data
        problem = ("cannot read it: not a readable regular file",
                   "a posting list saved as a file (listings.json)")
    raise DataError([Problem(file=str(path), line=None, column=None, path="",
                             message=problem[0], expected=problem[1])])


def _previous(output: Path, read: Callable[[Path], bytes]) -> Dataset | None:
    """The dataset an earlier import wrote to `output`; None when there is no such file.

    Raises OutputError for a file that an import did not write: it is never overwritten.
    """
    if not os.path.lexists(output):
        return None
    from deadlinecal.dataset.validate import load_dataset

    data = read(output)
    if not data.startswith(MARKER.encode()):
        raise OutputError(f"{output} exists and was not written by `deadlinecal import`; "
                          "refusing to overwrite it (choose another -o file)")
    try:
        return load_dataset(data, file=str(output)).dataset
    except DataError as exc:
        raise DataError([*exc.problems, Problem(
            file=str(output), line=None, column=None, path="",
            message="the earlier import is no longer a valid data file, so it is not "
            "overwritten", expected="the file as the import wrote it")]) from None


def _confirm(path: Path, imported: Imported, read: Callable[[Path], bytes]
             ) -> tuple[Path, bytes, bytes, list[str]]:
    """A curated file's old and new bytes, with what changed."""
    from deadlinecal.dataset.confirm import Candidate
    from deadlinecal.postings.confirmfile import confirm_file

    data = read(path)
    candidates = [Candidate(employer=entry.employer, title=entry.title, day=entry.opens)
                  for entry in imported.entries if not entry.cancelled]
    # The CLI's reader also reads what a file includes, as `build` does (commands/common.py).
    confirmed = confirm_file(data, file=str(path), candidates=candidates,
                             read=cast("Read", read))
    lines = [f"{path}: {c.program_id} opens {c.posting.day.isoformat()} (was {c.was}), "
             f"confirmed by \u201c{c.posting.title}\u201d" for c in confirmed.found]
    return path, data, confirmed.data, lines


def _report(source: str, output: Path | None, imported: Imported,
            other_terms: dict[str, int]) -> list[str]:
    kept = [entry for entry in imported.entries if not entry.cancelled]
    where = str(output) if output is not None else "standard output"
    lines = [
        f"Read {imported.read:,} postings from {source} (the list's date: "
        f"{imported.as_of.isoformat()}).",
        f"Term {', '.join(imported.terms)}: {imported.chosen:,} postings.",
        f"Imported {len(kept):,} postings into {where}: {imported.new} new, "
        f"{imported.moved} with changed dates, {imported.cancelled} newly cancelled "
        f"({len(imported.entries) - len(kept)} cancelled in all).",
    ]
    for label, counts, titles in (
            ("track", Counter(e.track for e in kept), imported.tracks),
            ("eligibility", Counter(k for e in kept for k in e.eligibility),
             imported.eligibility)):
        if not any(counts[key] for key in titles):
            continue
        lines.append(f"  by {label}:")
        lines.extend(f"    {key:<22} {counts[key]:>6,}  {titles[key]}" for key in titles
                     if counts[key])
    if imported.left_out:
        lines.append("Left out:")
        for reason, count in imported.left_out:
            lines.append(f"  {count:>6,}  {reason}")
            if reason.startswith("of other terms"):
                top = sorted(other_terms.items(), key=lambda item: (-item[1], item[0]))[:5]
                lines.append("          " + "; ".join(f"{term} {n:,}" for term, n in top)
                             + ("; ..." if len(other_terms) > 5 else ""))
    if imported.warnings:
        shown = imported.warnings[:MAX_LISTED_PROBLEMS]
        lines.append(f"Postings skipped, left out or shortened ({len(imported.warnings):,}):")
        lines.extend(f"  {problem.format()}" for problem in shown)
        if len(imported.warnings) > len(shown):
            lines.append(f"  ... and {len(imported.warnings) - len(shown):,} more")
    lines.append("Feeds of this file alone (bytes; --feed-budget-kb caps the largest):")
    employers = [(size, path) for path, size in imported.feed_bytes.items()
                 if path.startswith("employers/")]
    lines.extend(f"  {path:<40} {size:>10,}" for path, size in imported.feed_bytes.items()
                 if not path.startswith("employers/"))
    if employers:  # one per employer: hundreds, so only the largest is named
        size, path = max(employers)
        lines.append(f"  {len(employers):,} employer feeds, the largest {path} at {size:,}")
    return lines
