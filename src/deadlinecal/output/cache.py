"""Skip rendering and writing when neither the data nor the code changed since the last build.

The feeds are a pure function of the data file's bytes and of the code that renders them
(ours, icalendar's, and the time-zone rules). After a build, the record beside the feeds
(write.RECORD, which also says which files are ours) holds a hash of all of these and the
size and modification time of every feed written. A rebuild whose hash matches, and whose
feeds are all still there untouched, has nothing to render and nothing to write. The
record also lists the data files the build read (its own and those they include), so the
next build can hash them before loading.

The record also keeps what such a rebuild prints (its "summary", made by the build that
wrote the files): `replay` finds it current, and the command prints it without importing
the pipeline at all. This module is imported before anything else of a build, so it
imports no more than it needs (not write.py, nor the loader that imports yaml).
"""

from __future__ import annotations

import functools
import hashlib
import importlib.util
import os
import stat
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from deadlinecal.output.ownership import (
    RECORD,
    TEMP_SUFFIX,
    parsed_record,
    read_if_regular,
    record_text,
)
from deadlinecal.output.places import refuse_unsafe

if TYPE_CHECKING:
    from deadlinecal.output.write import Folder

# dataset.load.MAX_INPUT_BYTES, not imported from there (the loader imports yaml, which
# costs more start-up than the whole replay; a test keeps them equal).
MANIFEST = RECORD
MAX_INPUT_BYTES = 64 * 1024 * 1024


# What the build is made of: the code, and the page's templates, styles and script.
_CODE_SUFFIXES = frozenset({".py", ".j2", ".css", ".json"})


def joined(inputs: Sequence[tuple[str, bytes]]) -> bytes:
    """Several data files (path, bytes) as one byte string for `build_key`, unambiguously."""
    digest = hashlib.sha256()
    for path, data in inputs:
        name = path.encode()
        digest.update(len(name).to_bytes(8, "big") + name)
        digest.update(len(data).to_bytes(8, "big") + data)
    return digest.digest()


def options_key(paths: Sequence[str], *, alarms: bool, base_url: str | None) -> tuple[str, ...]:
    """The build's options as they enter the build key."""
    return (f"alarms={alarms}", f"base_url={base_url or ''}",
            *(f"data={path}" for path in paths))


def inputs(folder: Folder, named: Sequence[str]) -> list[tuple[str, bytes]] | None:
    """The data files the last build into `folder` read, read again; None if unknown.

    Only the files named now, in the same order, and the files they include are read: an
    include must be named (by its file name) in a file read before it. Each must be a
    regular file no larger than a data file may be, so a record naming a device, a pipe or
    someone else's file costs nothing but a full rebuild.
    """
    return _inputs(folder.extra.get("inputs"), named)


def _inputs(recorded: object, named: Sequence[str]) -> list[tuple[str, bytes]] | None:
    if (not isinstance(recorded, list) or not all(isinstance(p, str) for p in recorded)
            or recorded[:len(named)] != list(named)):
        return None
    read: list[tuple[str, bytes]] = []
    for index, path in enumerate(recorded):
        if index >= len(named) and not any(Path(path).name.encode() in data
                                           for _, data in read):
            return None
        data = _read_input(Path(path))
        if data is None:
            return None
        read.append((path, data))
    return read


def _read_input(path: Path) -> bytes | None:
    data = read_if_regular(path, MAX_INPUT_BYTES + 1, follow_links=True)
    return data if data is not None and len(data) <= MAX_INPUT_BYTES else None


def build_key(data: bytes, *options: str) -> str:
    """A hash of the data, the options and everything else that decides the feeds' bytes."""
    digest = hashlib.sha256()
    digest.update(len(data).to_bytes(8, "big"))
    digest.update(data)
    for option in options:
        digest.update(f"\0{option}".encode())
    digest.update(_code_digest())
    return digest.hexdigest()


def code_files() -> list[Path]:
    """Every file of the package that decides the feeds' bytes, sorted."""
    package = Path(__file__).parent.parent
    return [package / relative for relative in _code_names(str(package))]


def _code_names(package: str) -> list[str]:
    """The package's code files as sorted relative POSIX paths (os.walk: no Path per file)."""
    names: list[str] = []
    for folder, subfolders, files in os.walk(package):
        subfolders[:] = [name for name in subfolders if name != "__pycache__"]
        base = os.path.relpath(folder, package).replace(os.sep, "/")
        names.extend(name if base == "." else f"{base}/{name}" for name in files
                     if os.path.splitext(name)[1] in _CODE_SUFFIXES)
    return sorted(names)


@functools.cache
def _code_digest() -> bytes:
    """The package's own code and templates, and the dependencies' stamps, hashed once.

    Every file under the package counts (its subpackages and the page's templates too):
    any of them can change the feeds' bytes.
    """
    digest = hashlib.sha256()
    package = str(Path(__file__).parent.parent)
    for relative in _code_names(package):
        digest.update(relative.encode())
        with open(os.path.join(package, relative), "rb") as source:
            digest.update(source.read())
    for stamp in _dependency_stamps():
        digest.update(stamp.encode())
    return digest.digest()


def _dependency_stamps() -> Iterable[str]:
    """Where icalendar and the zone rules (the tzdata package) live, and when installed.

    Cheap to compute (a few stat calls): importing icalendar or reading package metadata
    would cost more than the rebuild it saves.
    """
    for name in ("icalendar", "tzdata"):
        spec = importlib.util.find_spec(name)
        if spec is None or spec.origin is None:
            yield f"{name}: absent"
            continue
        folder = Path(spec.origin).parent
        for part in ("__init__.py", "_version.py"):
            yield _stat_stamp(folder / part)


def _stat_stamp(path: Path) -> str:
    try:
        status = path.stat()
    except OSError:
        return f"{path}: absent"
    return f"{path}: {status.st_size} {status.st_mtime_ns}"


def unchanged(folder: Folder, key: str) -> tuple[str, ...] | None:
    """The files in `folder` when the last build there had `key` and none was touched.

    None when a build has to render: no record, another key, or any file of ours removed
    or modified since.
    """
    if folder.key != key or not folder.stamps:
        return None
    return _untouched(folder.target, folder.stamps)


def _untouched(target: Path, stamps: Mapping[str, Sequence[int]]) -> tuple[str, ...] | None:
    for relative, stamp in stamps.items():
        try:
            status = (target / relative).stat()
        except OSError:
            return None
        if [status.st_size, status.st_mtime_ns] != list(stamp):
            return None
    return tuple(sorted(stamps))


# -- a rebuild with nothing to do, before the pipeline is imported -----------------------------


@dataclass(frozen=True, slots=True)
class Replay:
    """What an unchanged rebuild prints: `out` on stdout, with the line saying how many
    files were left unchanged (`unchanged`) after the first, and `err` on stderr."""

    out: tuple[str, ...]
    err: tuple[str, ...]
    unchanged: int


def summary(key: str, given: Sequence[str], out: Sequence[str], err: Sequence[str],
            absent: Sequence[str]) -> dict[str, Any]:
    """The record's entry `replay` reads: what a rebuild of the same data into the same
    folder with the same `given` options prints (`out`, `err`), while the build `key` holds
    and the paths `absent` (read by such a rebuild) stay absent."""
    return {"summary": {"key": key, "given": list(given), "out": list(out), "err": list(err),
                        "absent": list(absent)}}


def replay(output: Path, named: Sequence[str], options: Sequence[str],
           given: Sequence[str]) -> Replay | None:
    """What to print for a rebuild of `named` into `output` that has nothing to do, or None
    when it may have something to do (the full build then decides).

    Nothing to do: the folder's record holds a summary made with the same `given` options
    and the build key of the same data, options and code, no file of ours was touched
    since, and no temporary of a killed build waits to be tidied. The folder is held under
    a shared lock meanwhile, so a build writing there is waited for. Raises OutputError for
    a folder no build may use (places.py), as the full build would.
    """
    refuse_unsafe(output, named)
    if not os.path.isfile(output / RECORD):
        return None
    try:
        descriptor = os.open(output, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        return None
    try:
        _shared_lock(descriptor)
        return _replayed(output, named, options, given)
    finally:
        os.close(descriptor)


def _replayed(output: Path, named: Sequence[str], options: Sequence[str],
              given: Sequence[str]) -> Replay | None:
    record = _record(output)
    if record is None:
        return None
    stamps, key, entry, recorded = record
    out, err, absent = (_strings(entry.get(name)) for name in ("out", "err", "absent"))
    if (entry.get("key") != key or entry.get("given") != list(given) or not out
            or err is None or absent is None
            or any(os.path.lexists(output / path) for path in absent)
            or _leftovers(output, stamps)):
        return None
    read = _inputs(recorded, named)
    if read is None or build_key(joined(read), *options) != key:
        return None
    if not _plain_and_untouched(output, stamps):
        return None
    return Replay(out=tuple(out), err=tuple(err), unchanged=len(stamps))


def _plain_and_untouched(output: Path, stamps: Mapping[str, Sequence[int]]) -> bool:
    """Whether every file of ours is a regular file as last written, reached through
    folders with no link on the way (what ownership.plain checks name by name, each
    folder looked at once here: a rebuild with nothing to do has little else to do)."""
    folders: dict[str, bool] = {}
    for relative, stamp in stamps.items():
        parts = relative.split("/")
        for depth in range(1, len(parts)):
            folder = "/".join(parts[:depth])
            if folder not in folders:
                try:
                    folders[folder] = stat.S_ISDIR(os.lstat(f"{output}/{folder}").st_mode)
                except OSError:
                    folders[folder] = False
            if not folders[folder]:
                return False
        try:
            status = os.lstat(f"{output}/{relative}")
        except OSError:
            return False
        if (not stat.S_ISREG(status.st_mode)
                or [status.st_size, status.st_mtime_ns] != list(stamp)):
            return False
    return True


def _record(output: Path) -> tuple[dict[str, list[int]], str, dict[str, Any], object] | None:
    """The record's files and their stamps, its key, its summary and the data files read,
    when every part is as a build writes it: anything else is left to the full build."""
    text = record_text(output)
    if text is None:
        return None
    try:
        record = parsed_record(text)
    except (ValueError, RecursionError):
        return None
    if not isinstance(record, dict):
        return None
    files, key, entry = record.get("files"), record.get("key"), record.get("summary")
    if not (isinstance(files, dict) and files and isinstance(key, str)
            and isinstance(entry, dict)):
        return None
    stamps: dict[str, list[int]] = {}
    for path, stamp in files.items():
        # Only the stamps a finished build writes (a killed one's hold two pairs), at plain
        # paths: for anything else the full build says what it does.
        if (not _plain_relative(path) or not isinstance(stamp, list) or len(stamp) != 2
                or not all(type(number) is int for number in stamp)):
            return None
        stamps[path] = stamp
    return stamps, key, entry, record.get("inputs")


def _plain_relative(path: str) -> bool:
    """A path as a build writes it: names joined by "/", none empty or hidden (stricter
    than ownership.plain_relative, which also takes "a//b"; cheaper than its PurePosixPath)."""
    return ("\\" not in path and "\0" not in path
            and all(part and not part.startswith(".") for part in path.split("/")))


def _strings(value: object) -> list[str] | None:
    if not isinstance(value, list) or not all(isinstance(each, str) for each in value):
        return None
    return value


def _leftovers(output: Path, stamps: Mapping[str, object]) -> bool:
    """Whether a killed build left a temporary beside our files (the full build tidies)."""
    for folder in {os.path.dirname(path) for path in (*stamps, RECORD)}:
        try:
            with os.scandir(output / folder) as entries:
                if any(entry.name.startswith(".") and entry.name.endswith(TEMP_SUFFIX)
                       for entry in entries):
                    return True
        except OSError:
            return True
    return False


def _shared_lock(descriptor: int) -> None:
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows has no flock
        return
    fcntl.flock(descriptor, fcntl.LOCK_SH)
