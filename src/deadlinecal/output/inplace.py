"""Editing a user's own file in place: the one write that keeps links and the inode.

`import --confirm` edits a curated data file. The feeds are replaced atomically (a
temporary renamed over the old file), but a rename puts a new file where the name was: a
symbolic link would become a regular file while the real file keeps the old text, a hard
link would keep the old text, and mode and owner would be ours. So the file the name leads
to is written over, the way an editor with Vim's `backupcopy=yes` saves:

1. before anything of the import is written (`refuse_uneditable`): the file is a regular
   file, writable, not read-only by its mode (as a build judges: a read-only file is the
   user's decision, even for root), and no backup of an interrupted edit lies beside it;
2. the file is locked and read again; unless it still holds the text the new one was
   made from (someone saved it meanwhile), it is left alone;
3. its old text is copied beside it (`NAME.deadlinecal-backup`, created exclusively, synced);
4. only then the new text is written over the old from the first byte that differs, the
   file cut to its new length and synced, and the backup removed.

An error while writing (a full disk) puts the old text back and removes the backup; if the
process dies half-way, the backup holds the old text, and the next edit refuses to start
until someone has looked. Raises OutputError.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
from pathlib import Path

from deadlinecal.errors import OutputError
from deadlinecal.output.moving import sync_directory

BACKUP_SUFFIX = ".deadlinecal-backup"

_OPEN = os.O_RDWR | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0) | getattr(
    os, "O_CLOEXEC", 0)
_CREATE = (os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
           | getattr(os, "O_CLOEXEC", 0))


def backup_of(path: Path) -> Path:
    """Where the old text of `path` is kept while it is edited: beside the real file."""
    real = path.resolve() if path.is_symlink() else path
    return real.with_name(real.name + BACKUP_SUFFIX)


def refuse_uneditable(path: Path) -> None:
    """Raise OutputError unless `path` can be edited in place now (see the module)."""
    _refuse(path, "nothing was written")


def edit_in_place(path: Path, old: bytes, new: bytes) -> None:
    """Write `new` over the file `path` leads to, which holds `old`; nothing when equal.

    Raises OutputError: the file is then as it was, or (only when even putting the old
    text back failed) its old text is in its backup, which the message names.
    """
    if new == old:
        return
    _refuse(path, "it was not edited")  # checked again: the import wrote -o meanwhile
    backup = backup_of(path)
    try:
        descriptor = os.open(path, _OPEN)
    except OSError as exc:
        raise OutputError(f"cannot open {path} to edit it: {exc.strerror or exc}; "
                          "it was not edited") from None
    try:
        _lock(descriptor)
        if not stat.S_ISREG(os.fstat(descriptor).st_mode) or _read(descriptor, old) != old:
            raise OutputError(f"{path} changed while the import ran, so it was not edited; "
                              "run the import again")
        _keep(backup, old, os.fstat(descriptor).st_mode, path)
        _overwrite(descriptor, old, new, path, backup)
    finally:
        os.close(descriptor)
    try:
        backup.unlink()
    except OSError as exc:
        raise OutputError(f"edited {path}, but could not remove {backup} "
                          f"({exc.strerror or exc}); delete it before the next import"
                          ) from None
    sync_directory(backup.parent)


def _refuse(path: Path, outcome: str) -> None:
    try:
        status = os.stat(path)
    except OSError as exc:
        raise OutputError(f"cannot edit {path}: {exc.strerror or exc}; {outcome}"
                          ) from None
    if not stat.S_ISREG(status.st_mode):
        raise OutputError(f"{path} is not a regular file, so it cannot be edited; {outcome}")
    if not status.st_mode & stat.S_IWUSR:
        raise OutputError(f"{path} is read-only, and deadlinecal never replaces or edits a "
                          f"read-only file; {outcome} (make it writable to let "
                          "--confirm edit it)")
    if not os.access(path, os.W_OK):
        raise OutputError(f"{path} is not writable for this user; {outcome}")
    backup = backup_of(path)
    if os.path.lexists(backup):
        raise OutputError(f"{backup} exists: an earlier edit of {path} was interrupted. "
                          f"Compare the two, keep the right text in {path} and delete the "
                          f"backup; {outcome}")
    if not os.access(backup.parent, os.W_OK):
        raise OutputError(f"cannot keep a backup of {path} while it is edited: its folder "
                          f"{backup.parent} is not writable; {outcome}")


def _lock(descriptor: int) -> None:
    """Let deadlinecal runs take turns editing a file (where flock exists)."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows has no flock
        return
    fcntl.flock(descriptor, fcntl.LOCK_EX)


def _read(descriptor: int, expected: bytes) -> bytes:
    """Up to one byte more than `expected` from the start: enough to tell them apart."""
    chunks, offset, wanted = [], 0, len(expected) + 1
    while offset < wanted:
        chunk = os.pread(descriptor, wanted - offset, offset)
        if not chunk:
            break
        chunks.append(chunk)
        offset += len(chunk)
    return b"".join(chunks)


def _keep(backup: Path, old: bytes, mode: int, path: Path) -> None:
    """Write the old text to `backup`, durably, before the file is touched."""
    created = False
    try:
        descriptor = os.open(backup, _CREATE, stat.S_IMODE(mode) & 0o666 | 0o600)
        created = True
        with os.fdopen(descriptor, "wb") as file:
            file.write(old)
            file.flush()
            os.fsync(descriptor)
        sync_directory(backup.parent)
    except OSError as exc:
        if created:
            with contextlib.suppress(OSError):
                backup.unlink()
        raise OutputError(f"cannot keep a backup of {path} in {backup}: "
                          f"{exc.strerror or exc}; it was not edited") from None


def _overwrite(descriptor: int, old: bytes, new: bytes, path: Path, backup: Path) -> None:
    """`new` over `old` in the open file; on an error, `old` back (see the module)."""
    start = _first_difference(old, new)
    try:
        _reserve(descriptor, len(new))
        _write_at(descriptor, new[start:], start)
        os.ftruncate(descriptor, len(new))
        os.fsync(descriptor)
    except OSError as exc:
        reason = exc.strerror or str(exc)
        try:
            _write_at(descriptor, old[start:], start)
            os.ftruncate(descriptor, len(old))
            os.fsync(descriptor)
        except OSError:
            raise OutputError(f"could not edit {path} ({reason}) nor put its old text back; "
                              f"its old text is in {backup}") from None
        with contextlib.suppress(OSError):
            backup.unlink()
        raise OutputError(f"could not edit {path}: {reason}; its text is as it was"
                          ) from None


def _reserve(descriptor: int, size: int) -> None:
    """Claim the disk space a longer text needs before overwriting anything."""
    if size > os.fstat(descriptor).st_size and hasattr(os, "posix_fallocate"):
        try:
            os.posix_fallocate(descriptor, 0, size)
        except OSError as exc:
            if exc.errno not in (errno.EOPNOTSUPP, errno.EINVAL, errno.ENOSYS):
                raise


def _write_at(descriptor: int, data: bytes, offset: int) -> None:
    """All of `data` at `offset` (a write may take fewer bytes than it was given)."""
    view = memoryview(data)
    while view:
        written = os.pwrite(descriptor, view, offset)
        view, offset = view[written:], offset + written


def _first_difference(old: bytes, new: bytes) -> int:
    """The length of the longest common prefix, by halving (memcmp, no Python loop)."""
    first, second = memoryview(old), memoryview(new)
    low, high = 0, min(len(old), len(new))
    while low < high:
        middle = (low + high + 1) // 2
        if first[:middle] == second[:middle]:
            low = middle
        else:
            high = middle - 1
    return low
