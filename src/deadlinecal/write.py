"""Put a whole set of output files in place: all of them, or none, never a torn file."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from .errors import OutputError

# Only files with these suffixes are ours to delete when a feed disappears.
MANAGED_SUFFIXES = (".ics",)


@dataclass(frozen=True, slots=True, kw_only=True)
class WriteReport:
    written: tuple[str, ...]
    unchanged: tuple[str, ...]
    removed: tuple[str, ...]


def write_tree(target: Path, files: Mapping[str, bytes], *, prune: bool = True) -> WriteReport:
    """Make `target` hold exactly `files` (relative path -> bytes).

    Every changed file is first written in full to a temporary file beside its final place;
    only when all of them are staged are they renamed over the old ones. Unchanged files are
    not touched. With `prune`, managed files that are no longer produced are then removed.
    Raises OutputError; on error nothing in `target` has changed.
    """
    staged: list[tuple[Path, Path]] = []
    unchanged: list[str] = []
    try:
        # A mapping that offers `parts(path)` (rendered feeds do) gives each file as a list
        # of byte strings, so no file's bytes need to be joined in memory.
        parts = getattr(files, "parts", None)
        for relative in sorted(files):
            content: bytes | Sequence[bytes] = parts(relative) if parts else files[relative]
            final = _inside(target, relative)
            if _same_content(final, content):
                unchanged.append(relative)
                continue
            final.parent.mkdir(parents=True, exist_ok=True)
            staged.append((_stage(final, content), final))
    except OSError as exc:
        for temporary, _ in staged:
            with contextlib.suppress(OSError):
                temporary.unlink()
        raise OutputError(f"could not write to {target}: {exc.strerror or exc}; "
                          "the previous feeds are unchanged") from None
    for temporary, final in staged:
        os.replace(temporary, final)
    removed = _prune(target, files) if prune else []
    return WriteReport(
        written=tuple(str(final.relative_to(target).as_posix()) for _, final in staged),
        unchanged=tuple(unchanged),
        removed=tuple(removed),
    )


def single_file(path: Path, content: bytes) -> bool:
    """Atomically write one file unless it already holds `content`; True when written."""
    report = write_tree(path.parent, {path.name: content}, prune=False)
    return bool(report.written)


def _inside(target: Path, relative: str) -> Path:
    final = (target / relative).resolve()
    if not final.is_relative_to(target.resolve()):
        raise OutputError(f"refusing to write {relative!r} outside {target}")
    return target / relative


def _same_content(path: Path, content: bytes | Sequence[bytes]) -> bool:
    chunks = (content,) if isinstance(content, bytes) else content
    try:
        if path.stat().st_size != sum(len(chunk) for chunk in chunks):
            return False
        old = memoryview(path.read_bytes())
    except OSError:
        return False
    offset = 0
    for chunk in chunks:
        if old[offset:offset + len(chunk)] != chunk:
            return False
        offset += len(chunk)
    return True


def _stage(final: Path, content: bytes | Sequence[bytes]) -> Path:
    descriptor, name = tempfile.mkstemp(prefix=f".{final.name}.", suffix=".tmp",
                                        dir=final.parent)
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.writelines((content,) if isinstance(content, bytes) else content)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(name, 0o644)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(name)
        raise
    return Path(name)


def _prune(target: Path, files: Mapping[str, bytes]) -> list[str]:
    keep = {Path(relative).as_posix() for relative in files}
    removed: list[str] = []
    if not target.is_dir():
        return removed
    for path in sorted(target.rglob("*")):
        relative = path.relative_to(target).as_posix()
        if path.is_file() and path.suffix in MANAGED_SUFFIXES and relative not in keep:
            path.unlink()
            removed.append(relative)
    for directory in sorted((p for p in target.rglob("*") if p.is_dir()), reverse=True):
        with contextlib.suppress(OSError):
            directory.rmdir()  # only succeeds when empty
    return removed
