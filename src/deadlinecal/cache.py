"""Skip rendering and writing when neither the data nor the code changed since the last build.

The feeds are a pure function of the data file's bytes and of the code that renders them
(ours, icalendar's, and the time-zone rules). After a build, a small manifest beside the
feeds records a hash of all of these and the size and modification time of every feed
written. A rebuild whose hash matches, and whose feeds are all still there untouched, has
nothing to render and nothing to write. The manifest also lists the data files the build
read (its own and those they include), so the next build can hash them before loading.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.util
import json
import os
import tempfile
import zoneinfo
from collections.abc import Iterable, Sequence
from pathlib import Path

from .write import managed_files

MANIFEST = ".deadlinecal-build.json"


def joined(inputs: Sequence[tuple[str, bytes]]) -> bytes:
    """Several data files (path, bytes) as one byte string for `build_key`, unambiguously."""
    digest = hashlib.sha256()
    for path, data in inputs:
        name = path.encode()
        digest.update(len(name).to_bytes(8, "big") + name)
        digest.update(len(data).to_bytes(8, "big") + data)
    return digest.digest()


def inputs(target: Path) -> list[tuple[str, bytes]] | None:
    """The data files the last build under `target` read, read again; None if unknown."""
    try:
        manifest = json.loads((target / MANIFEST).read_text(encoding="utf-8"))
        return [(path, Path(path).read_bytes()) for path in manifest["inputs"]]
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None


def build_key(data: bytes, *options: str) -> str:
    """A hash of the data, the options and everything else that decides the feeds' bytes."""
    digest = hashlib.sha256()
    digest.update(len(data).to_bytes(8, "big"))
    digest.update(data)
    for option in options:
        digest.update(f"\0{option}".encode())
    package = Path(__file__).parent
    for source in sorted(package.glob("*.py")):
        digest.update(source.name.encode())
        digest.update(source.read_bytes())
    for stamp in _dependency_stamps():
        digest.update(stamp.encode())
    return digest.hexdigest()


def _dependency_stamps() -> Iterable[str]:
    """Where icalendar and the zone rules live, and when they were last installed.

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
    for zones in zoneinfo.TZPATH:
        yield _stat_stamp(Path(zones) / "tzdata.zi")


def _stat_stamp(path: Path) -> str:
    try:
        status = path.stat()
    except OSError:
        return f"{path}: absent"
    return f"{path}: {status.st_size} {status.st_mtime_ns}"


def unchanged(target: Path, key: str) -> tuple[str, ...] | None:
    """The feeds under `target` when the last build there had `key` and none was touched.

    None when a build has to render: no manifest, another key, or any managed file added,
    removed or modified since.
    """
    try:
        manifest = json.loads((target / MANIFEST).read_text(encoding="utf-8"))
        if manifest.get("key") != key:
            return None
        files: dict[str, list[int]] = manifest["files"]
        if set(managed_files(target)) != set(files):
            return None
        for relative, (size, mtime) in files.items():
            status = (target / relative).stat()
            if status.st_size != size or status.st_mtime_ns != mtime:
                return None
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None
    return tuple(sorted(files))


def remember(target: Path, key: str, paths: Iterable[str], read: Iterable[str] = ()) -> None:
    """Record that the feeds at `paths` under `target` are what `key` builds from `read`.

    Best effort: a manifest that cannot be written only means the next build renders again.
    """
    name: str | None = None
    try:
        files = {}
        for relative in sorted(paths):
            status = (target / relative).stat()
            files[relative] = [status.st_size, status.st_mtime_ns]
        text = json.dumps({"key": key, "files": files, "inputs": list(read)}, indent=1,
                          sort_keys=True) + "\n"
        descriptor, name = tempfile.mkstemp(prefix=f"{MANIFEST}.", suffix=".tmp", dir=target)
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.chmod(name, 0o644)
        os.replace(name, target / MANIFEST)
    except OSError:
        if name is not None:
            with contextlib.suppress(OSError):
                os.unlink(name)


def forget(target: Path) -> None:
    """Drop the manifest before the feeds change, so a failed write never looks current."""
    with contextlib.suppress(OSError):
        (target / MANIFEST).unlink()
