"""Put a whole set of output files in place: all of them, or none, never a torn file.

A build is staged as a complete copy of the output folder beside it (unchanged and unmanaged
files hard-linked, changed ones written and fsynced), then swapped in with one atomic
directory exchange. Until that instant the old folder is untouched, so a build that fails
or is killed leaves it exactly as it was; readers see the old tree or the new one, never a
mix. Builds of the same folder hold a lock on its parent, so two at once take turns. The
writer knows nothing of calendars: any file type can be part of the output.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import errno
import os
import shutil
import stat
import sys
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from .errors import OutputError

# Only files with these suffixes are ours to delete when a build no longer produces them.
MANAGED_SUFFIXES = (".ics", ".html")
_STAGING = ".staging-"
_RETIRED = ".retired-"


@dataclass(frozen=True, slots=True, kw_only=True)
class WriteReport:
    written: tuple[str, ...]
    unchanged: tuple[str, ...]
    removed: tuple[str, ...]


def write_tree(target: Path, files: Mapping[str, bytes], *, prune: bool = True) -> WriteReport:
    """Make `target` hold exactly `files` (relative path -> bytes), all at once.

    With `prune`, managed files that are no longer produced are removed, and the whole
    folder is swapped in one step; without it, only the given files are replaced (each
    atomically), as for a single file in a shared folder. Unchanged files are not touched
    and a build that changes nothing writes nothing. Raises OutputError; on error nothing in
    `target` has changed.
    """
    for relative in files:
        _inside(target, relative)
    if not prune:
        return _replace_files(target, files)
    if target.is_symlink():
        # Swap the folder the link points at (say, a web server's), not the link itself.
        target = target.resolve()
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        with _locked(target.parent):
            _recover(target)
            return _swap_tree(target, files)
    except OSError as exc:
        raise OutputError(f"could not write to {target}: {exc.strerror or exc}; "
                          "the previous feeds are unchanged") from None


def read_tree(target: Path) -> dict[str, bytes]:
    """The managed files under `target` (relative path -> bytes); empty when it is absent."""
    return {relative: (target / relative).read_bytes() for relative in managed_files(target)}


def managed_files(target: Path) -> list[str]:
    """The managed files' paths under `target`, sorted; empty when it is absent."""
    if not target.is_dir():
        return []
    return [path.relative_to(target).as_posix() for path in sorted(target.rglob("*"))
            if path.is_file() and path.suffix in MANAGED_SUFFIXES]


def stale_files(target: Path, files: Mapping[str, bytes]) -> list[str]:
    """Paths a build would write or remove: differing, missing or no longer produced."""
    stale = [relative for relative in sorted(files)
             if not _same_content(target / relative, _content(files, relative))]
    stale.extend(relative for relative in managed_files(target) if relative not in files)
    return sorted(stale)


def single_file(path: Path, content: bytes) -> bool:
    """Atomically write one file unless it already holds `content`; True when written."""
    report = write_tree(path.parent, {path.name: content}, prune=False)
    return bool(report.written)


# -- the whole-folder swap ------------------------------------------------------------------


def _swap_tree(target: Path, files: Mapping[str, bytes]) -> WriteReport:
    if target.exists() and not target.is_dir():
        raise OutputError(f"{target} is not a folder")
    if target.is_dir() and not target.stat().st_mode & stat.S_IWUSR:
        # Checked by mode, not access(): a read-only folder is a decision, even for root.
        raise OutputError(f"{target} is read-only; the previous feeds are unchanged")
    changed: list[str] = []
    unchanged: list[str] = []
    staging: Path | None = None
    try:
        # Each file is looked up once and, when it changed, staged at once: rendered feeds
        # (see `_content`) are then never all in memory together.
        for relative in sorted(files):
            content = _content(files, relative)
            if _same_content(target / relative, content):
                unchanged.append(relative)
                continue
            changed.append(relative)
            if staging is None:
                staging = _staging_folder(target)
            _write_file(staging / relative, content)
        removed = [relative for relative in managed_files(target) if relative not in files]
        report = WriteReport(written=tuple(changed), unchanged=tuple(unchanged),
                             removed=tuple(removed))
        if not changed and not removed:
            return report
        if staging is None:
            staging = _staging_folder(target)
        skip = set(changed) | set(removed)
        if target.is_dir():
            _carry_over(target, staging, skip)
            os.chmod(staging, stat.S_IMODE(target.stat().st_mode))
        else:
            os.chmod(staging, 0o755)
        _sync_directory(staging)
        if target.is_dir():
            _exchange(staging, target)  # the one step subscribers and readers see
        else:
            os.rename(staging, target)
            return report
    except BaseException:
        if staging is not None:
            shutil.rmtree(staging, ignore_errors=True)
        raise
    # `staging` now holds the previous tree; losing it to a crash here only leaves litter
    # that the next build clears.
    shutil.rmtree(staging, ignore_errors=True)
    return report


def _staging_folder(target: Path) -> Path:
    return Path(tempfile.mkdtemp(prefix=f".{target.name}{_STAGING}", dir=target.parent))


def _content(files: Mapping[str, bytes], relative: str) -> bytes | Sequence[bytes]:
    """A file's bytes, or the byte strings it is made of when `files` offers `parts(path)`.

    Rendered feeds do (render.Feeds): writing their parts one after another means no
    feed's bytes are ever joined in memory.
    """
    parts = getattr(files, "parts", None)
    return parts(relative) if parts is not None else files[relative]


def _carry_over(source: Path, staging: Path, skip: set[str]) -> None:
    """Hard-link (or copy) every file in `source` that the build keeps into `staging`.

    Folders follow their files; one left empty (its feeds removed) is not carried over.
    """
    for path in sorted(source.rglob("*")):
        relative = path.relative_to(source).as_posix()
        if relative in skip or (path.is_dir() and not path.is_symlink()):
            continue
        destination = staging / relative
        destination.parent.mkdir(parents=True, exist_ok=True)
        if path.is_symlink():
            os.symlink(os.readlink(path), destination)
            continue
        try:
            os.link(path, destination)
        except OSError:
            shutil.copy2(path, destination)


def _write_file(final: Path, content: bytes | Sequence[bytes]) -> None:
    final.parent.mkdir(parents=True, exist_ok=True)
    with open(final, "wb") as handle:
        handle.writelines((content,) if isinstance(content, bytes) else content)
        handle.flush()
        os.fsync(handle.fileno())
    os.chmod(final, 0o644)


def _recover(target: Path) -> None:
    """Clear what a killed build left beside `target`; restore it if a swap was cut short."""
    parent = target.parent
    for leftover in sorted(parent.glob(f".{target.name}{_RETIRED}*")):
        if not target.exists():
            os.rename(leftover, target)
        else:
            shutil.rmtree(leftover, ignore_errors=True)
    for leftover in sorted(parent.glob(f".{target.name}{_STAGING}*")):
        shutil.rmtree(leftover, ignore_errors=True)


def _exchange(staging: Path, target: Path) -> None:
    """Swap two folders atomically (renameat2 on Linux, renamex_np on macOS).

    Where the system cannot, fall back to two renames; a crash between them leaves the old
    tree under a `.retired-` name that the next build puts back (see `_recover`).
    """
    if _atomic_exchange(staging, target):
        return
    retired = target.parent / f".{target.name}{_RETIRED}{staging.name.rsplit('-', 1)[-1]}"
    os.rename(target, retired)
    try:
        os.rename(staging, target)
    except BaseException:
        os.rename(retired, target)
        raise
    os.rename(retired, staging)


def _atomic_exchange(first: Path, second: Path) -> bool:
    """True when the two paths were swapped in one step; False when unsupported here."""
    if not sys.platform.startswith("linux") and sys.platform != "darwin":
        return False
    libc = _libc()
    if libc is None:
        return False
    if sys.platform.startswith("linux") and hasattr(libc, "renameat2"):
        at_fdcwd, rename_exchange = -100, 2
        result = libc.renameat2(at_fdcwd, os.fsencode(first), at_fdcwd, os.fsencode(second),
                                rename_exchange)
    elif sys.platform == "darwin" and hasattr(libc, "renamex_np"):
        rename_swap = 2
        result = libc.renamex_np(os.fsencode(first), os.fsencode(second), rename_swap)
    else:
        return False
    if result == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP, errno.EOPNOTSUPP):
        return False
    raise OSError(code, os.strerror(code), str(second))


def _libc() -> ctypes.CDLL | None:
    name = ctypes.util.find_library("c")
    try:
        return ctypes.CDLL(name, use_errno=True)
    except OSError:
        return None


@contextlib.contextmanager
def _locked(folder: Path) -> Iterator[None]:
    """Hold an exclusive lock on `folder` (where flock exists), so builds take turns."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows has no flock
        yield
        return
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX)
        yield
    finally:
        os.close(descriptor)


def _sync_directory(folder: Path) -> None:
    with contextlib.suppress(OSError):
        descriptor = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(descriptor)
        finally:
            os.close(descriptor)


# -- file by file, for a shared folder ------------------------------------------------------


def _replace_files(target: Path, files: Mapping[str, bytes]) -> WriteReport:
    staged: list[tuple[Path, Path]] = []
    unchanged: list[str] = []
    try:
        for relative in sorted(files):
            content = _content(files, relative)
            final = _inside(target, relative)
            if _same_content(final, content):
                unchanged.append(relative)
                continue
            final.parent.mkdir(parents=True, exist_ok=True)
            staged.append((_stage(final, content), final))
        for temporary, final in staged:
            os.replace(temporary, final)
    except OSError as exc:
        for temporary, _ in staged:
            with contextlib.suppress(OSError):
                temporary.unlink()
        raise OutputError(f"could not write to {target}: {exc.strerror or exc}; "
                          "the previous feeds are unchanged") from None
    return WriteReport(
        written=tuple(str(final.relative_to(target).as_posix()) for _, final in staged),
        unchanged=tuple(unchanged),
        removed=(),
    )


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
