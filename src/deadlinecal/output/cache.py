"""Skip rendering and writing when neither the data nor the code changed since the last build.

The feeds are a pure function of the data file's bytes and of the code that renders them
(ours, icalendar's, and the time-zone rules). After a build, the record beside the feeds
(write.RECORD, which also says which files are ours) holds a hash of all of these and the
size and modification time of every feed written. A rebuild whose hash matches, and whose
feeds are all still there untouched, has nothing to render and nothing to write. The
record also lists the data files the build read (its own and those they include), so the
next build can hash them before loading.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.util
from collections.abc import Iterable, Sequence
from pathlib import Path

from deadlinecal.dataset.load import MAX_INPUT_BYTES
from deadlinecal.output.ownership import read_if_regular
from deadlinecal.output.write import RECORD, Folder

MANIFEST = RECORD


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


def inputs(folder: Folder, named: Sequence[str]) -> list[tuple[str, bytes]] | None:
    """The data files the last build into `folder` read, read again; None if unknown.

    Only the files named now, in the same order, and the files they include are read: an
    include must be named (by its file name) in a file read before it. Each must be a
    regular file no larger than a data file may be, so a record naming a device, a pipe or
    someone else's file costs nothing but a full rebuild.
    """
    recorded = folder.extra.get("inputs")
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
    return [source for source in sorted(package.rglob("*"))
            if source.suffix in _CODE_SUFFIXES and "__pycache__" not in source.parts]


@functools.cache
def _code_digest() -> bytes:
    """The package's own code and templates, and the dependencies' stamps, hashed once.

    Every file under the package counts (its subpackages and the page's templates too):
    any of them can change the feeds' bytes.
    """
    digest = hashlib.sha256()
    package = Path(__file__).parent.parent
    for source in code_files():
        digest.update(source.relative_to(package).as_posix().encode())
        digest.update(source.read_bytes())
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
    for relative, stamp in folder.stamps.items():
        try:
            status = (folder.target / relative).stat()
        except OSError:
            return None
        if [status.st_size, status.st_mtime_ns] != list(stamp):
            return None
    return tuple(sorted(folder.stamps))
