"""Reading files for the command line: only regular files, and includes stay at home.

The core takes bytes; this is the `read` the CLI hands it. A file named on the command line
is the user's choice; a file named by `include:` is the data's, and data comes from pull
requests, so it must resolve (symbolic links followed) to a regular file inside the
including file's folder, or it is refused before it is opened. Only regular files are ever
opened: a FIFO would block forever and /dev/zero would never end. `read_regular` is that
bounded reader, for data files and for the feeds `lint` checks alike.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Callable
from typing import TYPE_CHECKING

from deadlinecal.dataset.load import MAX_INPUT_BYTES, TOO_LARGE
from deadlinecal.errors import DataError, Problem, quoted

if TYPE_CHECKING:
    from deadlinecal.dataset.validate import Include

# O_NONBLOCK: should a regular file be swapped for a FIFO between the check and the open, the
# open returns at once instead of waiting for a writer (and fstat then refuses it).
_FLAGS = (os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
          | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0))
_KINDS = {stat.S_IFDIR: "a folder", stat.S_IFIFO: "a FIFO (named pipe)",
          stat.S_IFCHR: "a character device", stat.S_IFBLK: "a block device",
          stat.S_IFSOCK: "a socket"}
_Refuse = Callable[[str, str], DataError]


class NotRegular(Exception):
    """A file that is not read because it is not a regular file; `kind` names what it is
    ("a folder", "a FIFO (named pipe)", ...), None for a type without a name here."""

    def __init__(self, kind: str | None) -> None:
        super().__init__(kind)
        self.kind = kind


class TooLarge(Exception):
    """A file that is not read because it holds more than the bytes read at most."""

    def __init__(self, size: int) -> None:
        super().__init__(size)
        self.size = size


def read_regular(path: str | os.PathLike[str], limit: int) -> bytes:
    """The bytes of `path` if it is a regular file of at most `limit` bytes.

    Never blocks or reads without end: the type and size are checked before opening (a FIFO
    would wait for a writer, /dev/zero never ends), the file is opened non-blocking and
    checked again on the open descriptor (the path may have been swapped), and at most
    `limit` + 1 bytes are read (a file that grew after the check is refused too). Raises
    NotRegular, TooLarge, or OSError (FileNotFoundError for a missing file).
    """
    _check(os.stat(path), limit)
    descriptor = os.open(path, _FLAGS)
    try:
        info = _check(os.fstat(descriptor), limit)  # what was opened, not what was checked
        data = _read_up_to(descriptor, info.st_size + 1, limit + 1)
    finally:
        os.close(descriptor)
    if len(data) > limit:
        raise TooLarge(len(data))
    return data


def _check(info: os.stat_result, limit: int) -> os.stat_result:
    if not stat.S_ISREG(info.st_mode):
        raise NotRegular(_KINDS.get(stat.S_IFMT(info.st_mode)))
    if info.st_size > limit:
        raise TooLarge(info.st_size)
    return info


def _read_up_to(descriptor: int, first: int, most: int) -> bytes:
    """At most `most` bytes, in one read of `first` bytes (the file's size and one more) if
    the file holds still."""
    chunks, size, want = [], 0, min(first, most)
    while want > 0:
        chunk = os.read(descriptor, want)
        if not chunk:
            break
        chunks.append(chunk)
        size += len(chunk)
        want = min(most - size, 1 << 20)
    return b"".join(chunks)


def read_data(path: str, included_by: Include | None = None, *, missing_hint: str = "") -> bytes:
    """The bytes of the data file at `path`; `included_by` is the entry that includes it.

    Raises DataError for a file that is missing, unreadable, not a regular file or larger
    than MAX_INPUT_BYTES, and for an include that leads outside the including file's folder;
    an include's error points at its entry in the including file.
    """
    def refuse(message: str, expected: str) -> DataError:
        if included_by is None:
            return DataError([Problem(file=path, line=None, column=None, path="",
                                      message=message, expected=expected)])
        return included_by.refuse(f"cannot include {quoted(included_by.entry)}: {message}",
                                  expected)

    target = path if included_by is None else _resolved_inside(path, included_by, refuse)
    try:
        return read_regular(target, MAX_INPUT_BYTES)
    except NotRegular as exc:
        kind = "a device" if exc.kind in _DEVICES else exc.kind or "not a file"
        raise refuse(f"it is {kind}, not a regular file; it was not read",
                     "a YAML data file saved on disk") from None
    except TooLarge:
        raise refuse(*TOO_LARGE) from None
    except FileNotFoundError:
        raise refuse("no such file", "a path to a YAML data file" + missing_hint) from None
    except OSError as exc:
        raise refuse(f"cannot read it: {exc.strerror}", "a readable file") from None


_DEVICES = (_KINDS[stat.S_IFCHR], _KINDS[stat.S_IFBLK])


def _resolved_inside(path: str, included_by: Include, refuse: _Refuse) -> str:
    """The real path of an included file, which must lie in the including file's folder."""
    folder = os.path.realpath(os.path.dirname(included_by.file) or os.curdir)
    real = os.path.realpath(path)
    if os.path.commonpath([folder, real]) != folder:
        # The target is not named: it is somewhere the data has no business knowing about.
        raise refuse("it leads out of this file's folder through a symbolic link; it was "
                     "not read", "a data file in this folder or below, not a link out of it")
    return real
