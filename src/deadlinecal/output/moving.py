"""Staging a build's files beside their targets, then moving them into place: all, or none.

Before the first file moves, every target is checked (a regular file or nothing, on its
folder's file system, not read-only), so a build stops before it starts rather than
half-way. While they move, the file each one replaces keeps a second name (a hard link)
until all are in place, so a failure half-way (a file bind-mounted over a feed, a file
system gone read-only) puts back the ones already moved.

The staged files are made durable together, before the first move (`sync_files`): one
`syncfs` of their file system where Linux offers it, which writes them out in one pass and
one journal commit, where an fsync of each costs a commit and a disk flush per file (1,100
files of a posting list's build: about 4 s of fsync on a busy disk).
"""

from __future__ import annotations

import contextlib
import errno
import functools
import os
import stat
import sys
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path, PurePosixPath

from deadlinecal.errors import OutputError
from deadlinecal.output.ownership import TEMP_SUFFIX


def refuse_unwritable(target: Path, paths: Sequence[str]) -> None:
    """Raise OutputError unless every file to replace or remove is a regular file on its
    folder's file system (not a mount point) that is not read-only, and no folder to change
    is read-only. Checked before anything moves, so that a build stops before the first
    file, not half-way. Judged by mode, not access(): a read-only file or folder is the
    user's decision, even for root."""
    folders = {target}
    # A build's files share a few folders: each one's parents and device looked up once.
    above: set[str] = set()
    devices: dict[Path, int] = {}
    for relative in paths:
        path = target / relative
        if relative.rpartition("/")[0] not in above:
            above.add(relative.rpartition("/")[0])
            folders.update(parent for parent in path.parents if parent.is_relative_to(target))
        try:
            status = os.lstat(path)
            device = devices.get(path.parent)
            if device is None:
                device = devices[path.parent] = os.lstat(path.parent).st_dev
        except OSError:
            continue  # absent: nothing to replace
        if not stat.S_ISREG(status.st_mode):
            raise OutputError(f"{path} is {_kind(status.st_mode)}, not a file deadlinecal can "
                              "replace; nothing was written")
        if status.st_dev != device:
            raise OutputError(f"{path} is a mount point; nothing was written")
        if not status.st_mode & stat.S_IWUSR:
            raise OutputError(f"{path} is read-only, and deadlinecal never replaces or "
                              "removes a read-only file; nothing was written")
    for folder in sorted(folders):
        with contextlib.suppress(OSError):
            if not os.stat(folder).st_mode & stat.S_IWUSR:
                raise OutputError(f"{folder} is read-only; nothing was written")


def refuse_outside(target: Path, paths: Iterable[str]) -> None:
    """Raise OutputError for the first of `paths` that is not inside `target` once links
    are followed (the folder itself is not inside it)."""
    # realpath, not resolve: a loop of links is left as it is (and refused as a link
    # later), where Path.resolve raises RuntimeError before Python 3.13.
    base = os.path.realpath(target)
    prefix = base if base.endswith(os.sep) else base + os.sep
    folders: dict[str, str] = {}
    for relative in paths:
        final = _real(target, relative, folders)
        if not final.startswith(prefix):
            raise OutputError(f"refusing to write {relative!r} outside {target}")


def _real(target: Path, relative: str, folders: dict[str, str]) -> str:
    """os.path.realpath(target / relative), each folder's resolved once (in `folders`):
    below a resolved folder, a name that is no link adds itself."""
    parent, _, name = relative.rpartition("/")
    if name in ("", ".", "..") or os.sep != "/":
        return os.path.realpath(target / relative)
    real_parent = folders.get(parent)
    if real_parent is None:
        real_parent = folders[parent] = os.path.realpath(target / parent)
    final = os.path.join(real_parent, name)
    try:
        is_link = stat.S_ISLNK(os.lstat(final).st_mode)
    except OSError:
        is_link = False  # nothing there yet: realpath adds the name as it is
    return os.path.realpath(final) if is_link else final


def _kind(mode: int) -> str:
    kinds = {stat.S_IFDIR: "a folder", stat.S_IFLNK: "a symbolic link",
             stat.S_IFIFO: "a named pipe", stat.S_IFSOCK: "a socket"}
    return kinds.get(stat.S_IFMT(mode), "a device")


class Unmoved(Exception):
    """Moving the staged files into place failed; `stuck` were replaced and not put back."""

    def __init__(self, final: Path, error: OSError, stuck: list[Path]) -> None:
        super().__init__(str(error))
        self.final, self.error, self.stuck = final, error, stuck

    def message(self) -> str:
        failed = f"could not write {self.final}: {self.error.strerror or self.error}"
        if not self.stuck:
            return f"{failed}; the previous files are unchanged"
        return (f"{failed}; these files were already replaced and could not be put back: "
                + ", ".join(str(path) for path in self.stuck))


def move_all(staged: Sequence[tuple[Path, Path]]) -> None:
    """Move each staged file over its target; all of them, or none.

    The file each one replaces keeps a second name (a hard link) until all are in place, so
    a failure half-way (a file bind-mounted over a feed, a file system that went read-only)
    puts back the ones already moved. Raises Unmoved; leaves no temporary file.
    """
    moved: list[tuple[Path, Path | None]] = []
    kept: list[Path] = []
    try:
        for temporary, final in staged:
            try:
                # Keeping the old file can fail too (a full disk for the copy): then the
                # ones already moved go back like after a failed replace.
                old = _keep(final)
                if old is not None:
                    kept.append(old)
                os.replace(temporary, final)
            except OSError as exc:
                stuck = _put_back(moved)
                raise Unmoved(final, exc, stuck) from None
            moved.append((final, old))
    finally:
        # The temporaries moved are gone; those after them, and the second names, go now.
        for path in [*kept, *(temporary for temporary, _ in staged[len(moved):])]:
            with contextlib.suppress(OSError):
                path.unlink()


def _keep(final: Path) -> Path | None:
    """A second name beside `final` for the file there (None when there is none)."""
    if not os.path.lexists(final):
        return None
    for _ in range(100):
        name = _temporary_name(final)
        try:
            os.link(final, name, follow_symlinks=False)
        except FileExistsError:
            continue
        except OSError as exc:
            if exc.errno not in (errno.EPERM, errno.EMLINK, errno.ENOTSUP, errno.EXDEV):
                raise
            import shutil  # only here: its import pulls in bz2, lzma and zlib

            shutil.copy2(final, name)  # no hard links here: a copy
            return name
        return name
    raise FileExistsError(errno.EEXIST, "no free temporary name", str(final))


def _temporary_name(final: Path) -> Path:
    """A hidden name beside `final` that a killed build's tidying recognises (TEMP_SUFFIX)."""
    return final.with_name(f".{final.name}.{_random_hex()}{TEMP_SUFFIX}")


def _random_hex() -> str:
    """Eight random hex digits for a temporary name: what secrets.token_hex(4) returns,
    without importing secrets (and with it random and hmac) at start-up."""
    return os.urandom(4).hex()


def _put_back(moved: Sequence[tuple[Path, Path | None]]) -> list[Path]:
    """Undo the moves (last first); the files that could not be put back."""
    stuck = []
    for final, old in reversed(moved):
        try:
            if old is None:
                final.unlink()
            else:
                os.replace(old, final)
        except OSError:
            stuck.append(final)
    return stuck


def make_folders(target: Path, relative: str) -> list[str]:
    """Create the missing folders above `relative`; the ones created, outermost first."""
    made = []
    parent = PurePosixPath(relative).parent
    for depth in range(1, len(parent.parts) + 1):
        folder = PurePosixPath(*parent.parts[:depth])
        path = target / folder
        if not os.path.lexists(path):
            path.mkdir()
            made.append(folder.as_posix())
        elif not path.is_dir():
            raise OutputError(f"{path} is not a folder; nothing was written")
    return made


def sync_directory(folder: Path) -> None:
    """Make the moves in `folder` durable (best effort: not every file system can)."""
    with contextlib.suppress(OSError):
        descriptor = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(descriptor)
        finally:
            os.close(descriptor)


def stage(final: Path, content: bytes | Sequence[bytes], *, sync: bool = True) -> Path:
    """Write `content` to a new temporary file beside `final`, fsynced unless `sync` is
    false (then `sync_files` must make it durable before it moves); its path.

    A file we replace keeps its mode; a new one is created 0o666 and the kernel takes the
    umask off, as for any program's new file (reading the umask means setting it).
    """
    kept = None
    with contextlib.suppress(OSError):
        existing = os.stat(final, follow_symlinks=False)
        kept = stat.S_IMODE(existing.st_mode) if stat.S_ISREG(existing.st_mode) else None
    for _ in range(100):
        name = _temporary_name(final)
        with contextlib.suppress(FileExistsError):
            descriptor = os.open(name, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW
                                 | os.O_CLOEXEC, 0o600 if kept is not None else 0o666)
            break
    else:
        raise FileExistsError(errno.EEXIST, "no free temporary name", str(final))
    try:
        try:
            _write_all(descriptor, [content] if isinstance(content, bytes) else content)
            if sync:
                os.fsync(descriptor)
        finally:
            os.close(descriptor)
        if kept is not None:
            os.chmod(name, kept)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(name)
        raise
    return name


def _iov_max() -> int:
    """Byte strings one writev takes (1,024 on Linux and macOS; POSIX promises 16)."""
    with contextlib.suppress(AttributeError, ValueError, OSError):
        found = os.sysconf("SC_IOV_MAX")
        if found >= 16:
            return min(found, 1024)
    return 16


_IOV_MAX = _iov_max()


def _write_all(descriptor: int, chunks: Sequence[bytes]) -> None:
    """Write `chunks` one after another: up to _IOV_MAX of them per system call, none
    copied into a buffer first (a feed is thousands of events' shared bytes)."""
    if not hasattr(os, "writev"):  # Windows
        for chunk in chunks:
            view = memoryview(chunk)
            while view:
                view = view[os.write(descriptor, view):]
        return
    index, offset = 0, 0  # the first byte not yet written: chunks[index][offset]
    while index < len(chunks):
        batch: list[bytes | memoryview] = [memoryview(chunks[index])[offset:],
                                           *chunks[index + 1:index + _IOV_MAX]]
        written = os.writev(descriptor, batch)
        if not written and any(batch):
            raise OSError(errno.EIO, "nothing was written")
        for part in batch:
            if written < len(part):
                offset += written  # a short write: the rest of this chunk comes next
                break
            written -= len(part)
            index, offset = index + 1, 0


def sync_files(paths: Sequence[Path]) -> None:
    """Make the bytes of the files at `paths` durable: with one `syncfs` of each file system
    they are on where Linux offers it, else with an fsync of each. Raises OSError."""
    syncfs = _syncfs()
    if syncfs is None or len(paths) < 2:
        for path in paths:
            _fsync(path)
        return
    # A new file is on its folder's file system: a syncfs of each distinct one.
    folders: dict[int, Path] = {}
    for parent in dict.fromkeys(path.parent for path in paths):
        folders.setdefault(os.stat(parent).st_dev, parent)
    for folder in folders.values():
        descriptor = os.open(folder, os.O_RDONLY | getattr(os, "O_CLOEXEC", 0))
        try:
            if syncfs(descriptor) != 0:
                import ctypes

                code = ctypes.get_errno()
                raise OSError(code, os.strerror(code), str(folder))
        finally:
            os.close(descriptor)


def _fsync(path: Path) -> None:
    descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_CLOEXEC", 0))
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


@functools.cache
def _syncfs() -> Callable[[int], int] | None:
    """The C library's syncfs (Linux 2.6.39 and later), or None where there is none.

    It writes back everything unwritten on the file system, others' files too; since Linux
    5.8 it reports a write error that happened meanwhile, as fsync does.
    """
    if not sys.platform.startswith("linux"):
        return None
    try:
        import ctypes

        function = ctypes.CDLL(None, use_errno=True).syncfs
    except (OSError, AttributeError):
        return None
    function.argtypes = [ctypes.c_int]
    function.restype = ctypes.c_int
    return function
