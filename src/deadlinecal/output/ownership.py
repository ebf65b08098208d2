"""What in an output folder is a build's own, without a record to say so.

A build writes its files only at the places its `Layout` names (`all.ics`, `tracks/*.ics`,
...): a file is a build's there, and only there, when its first bytes say so. Everything
here reads without following links, and a recorded path is checked name by name (`plain`)
before anything it names is read, replaced or removed: the record is a file anyone who can
write the folder can edit, and a link in it would lead out of the folder.
"""

from __future__ import annotations

import fnmatch
import json
import os
import stat
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any, NoReturn

# The build's record in its folder, and the suffix its temporaries carry, so a killed
# build's leftovers can be told from anyone's file. Named here, where a folder's own files
# are told apart, for write.py, moving.py and cache.py alike.
RECORD = ".deadlinecal-build.json"
TEMP_SUFFIX = ".deadlinecal-tmp"
# A record larger than this is not ours (it lists feeds and a few retired events).
MAX_RECORD_BYTES = 64 * 1024 * 1024
# Through how many entries the search for our files without a record goes.
_SEARCH_ENTRIES = 20_000
HEAD_BYTES = 4096


@dataclass(frozen=True, slots=True)
class Layout:
    """The files a build writes, to know them without a record: where they can be
    (`patterns` of relative paths, `*` standing for one name, never a hidden one) and what
    they hold (`content`: relative path, the file's first bytes -> whether a build wrote it).
    """

    patterns: tuple[str, ...]
    content: Callable[[str, bytes], bool]

    def places(self, relative: str) -> bool:
        """Whether a build can write a file at `relative`."""
        parts = PurePosixPath(relative).parts
        return not any(part.startswith(".") for part in parts) and any(
            len(pattern) == len(parts) and all(map(fnmatch.fnmatchcase, parts, pattern))
            for pattern in (PurePosixPath(p).parts for p in self.patterns))

    def folders(self) -> set[str]:
        """The folders the patterns name (a build writes nothing else into them)."""
        return {PurePosixPath(p).parent.as_posix() for p in self.patterns} - {"."}

    def __call__(self, relative: str, head: bytes) -> bool:
        """Whether a file at `relative` starting with `head` is one a build wrote."""
        return self.places(relative) and self.content(relative, head)


def others(target: Path, owned: frozenset[str], created: frozenset[str],
           layout: Layout | None) -> list[str]:
    """The entries of `target` that are not ours, sorted: a file a build did not write, a
    folder that is not one of the layout's or holds such a file. Hidden names (a `.git`,
    a `.nojekyll`, our record and temporaries) are never ours and never count."""
    if not target.is_dir():
        return []
    folders = layout.folders() if layout is not None else set()
    mine = {PurePosixPath(path).parts[0] for path in owned | created}
    found: list[str] = []
    for name in names(target):
        path = target / name
        folder = path.is_dir() and not path.is_symlink()
        if folder and name in folders:
            found.extend(f"{name}/{inner}" for inner in names(path)
                         if f"{name}/{inner}" not in owned)
        elif name not in owned and not (folder and name in mine):
            found.append(name)
    return found


def plain_relative(path: object) -> bool:
    """A plain relative path inside the folder, as a build writes them (never hidden)."""
    if not isinstance(path, str) or not path or "\\" in path or "\0" in path:
        return False
    parts = PurePosixPath(path).parts
    return not PurePosixPath(path).is_absolute() and all(
        part not in ("..", ".") and not part.startswith(".") for part in parts)


def plain(target: Path, relative: str) -> bool:
    """Whether `relative` leads from `target` to a place inside it with no link on the way.

    Checked name by name without following links (what it names may be absent), every time
    before a recorded path is read, replaced or removed: the record is a file anyone who can
    write the folder can edit, and a link in it would lead out of the folder.
    """
    if not plain_relative(relative):
        return False
    path = target
    parts = PurePosixPath(relative).parts
    for depth, part in enumerate(parts, 1):
        path = path / part
        try:
            mode = os.lstat(path).st_mode
        except FileNotFoundError:
            return True
        except OSError:
            return False
        if stat.S_ISLNK(mode) or (depth < len(parts) and not stat.S_ISDIR(mode)):
            return False
    return True


def search(target: Path, layout: Layout) -> list[str]:
    """The files the layout knows as ours, looked for only where its patterns point: no
    hidden names, no links, one device."""
    try:
        device = target.stat().st_dev
    except OSError:
        return []
    found: set[str] = set()
    budget = [_SEARCH_ENTRIES]
    for pattern in layout.patterns:
        for relative in _expand(target, (), PurePosixPath(pattern).parts, device, budget):
            head = read_if_regular(target / relative, HEAD_BYTES)
            if head is not None and layout(relative, head):
                found.add(relative)
    return sorted(found)


def _expand(target: Path, done: tuple[str, ...], pending: tuple[str, ...], device: int,
            budget: list[int]) -> Iterator[str]:
    """Relative paths of regular files matching `done` + `pending` (a pattern's names)."""
    folder = target.joinpath(*done)
    name, rest = pending[0], pending[1:]
    try:
        matching = [entry for entry in names(folder) if fnmatch.fnmatchcase(entry, name)]
    except OSError:
        return
    for entry in matching:
        budget[0] -= 1
        if budget[0] < 0:
            return
        try:
            status = os.lstat(folder / entry)
        except OSError:
            continue
        if status.st_dev != device:
            continue
        if rest and stat.S_ISDIR(status.st_mode):
            yield from _expand(target, (*done, entry), rest, device, budget)
        elif not rest and stat.S_ISREG(status.st_mode):
            yield "/".join((*done, entry))


def names(folder: Path) -> list[str]:
    """The names in `folder` that are not hidden, sorted. Raises OutputError when it cannot
    be read (an unreadable folder is the user's to fix, never a crash)."""
    from deadlinecal.errors import OutputError

    try:
        return sorted(entry.name for entry in os.scandir(folder)
                      if not entry.name.startswith("."))
    except OSError as exc:
        raise OutputError(f"cannot read {folder}: {exc.strerror or exc}; nothing was written"
                          ) from None


def read_if_regular(path: Path, limit: int | None = None, *,
                    follow_links: bool = False) -> bytes | None:
    """A regular file's bytes (up to `limit`); None for a device, pipe, no file, or a link.

    For files a build may find in its folder; a file the user names is read with
    dataset.files.read_regular, which raises saying what is wrong instead.

    Opened without blocking and checked before reading: a FIFO or /dev/zero is never read.
    """
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0)
    if not follow_links:
        flags |= getattr(os, "O_NOFOLLOW", 0)
    try:
        descriptor = os.open(path, flags)
    except (OSError, ValueError):  # ValueError: a NUL in the path
        return None
    try:
        if not stat.S_ISREG(os.fstat(descriptor).st_mode):
            os.close(descriptor)  # a folder, a device: never read (fdopen refuses a folder)
            return None
    except OSError:
        os.close(descriptor)
        return None
    with os.fdopen(descriptor, "rb") as handle:
        try:
            return handle.read() if limit is None else handle.read(limit)
        except OSError:
            return None


def record_text(target: Path) -> bytes | None:
    """The bytes of the record in `target`; None when it is no regular file of at most
    MAX_RECORD_BYTES (write.py reports why, cache.py leaves it to the full build)."""
    text = read_if_regular(target / RECORD, MAX_RECORD_BYTES + 1)
    return None if text is None or len(text) > MAX_RECORD_BYTES else text


def parsed_record(text: bytes) -> Any:
    """The record's JSON. Raises ValueError for text no build writes (NaN and Infinity
    included), RecursionError for nesting too deep to parse."""
    return json.loads(text, parse_constant=_no_constant)


def _no_constant(name: str) -> NoReturn:
    raise ValueError(f"{name} is not a number a record holds")
