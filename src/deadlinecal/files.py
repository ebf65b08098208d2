"""Reading data files for the command line: only regular files, and includes stay at home.

The core takes bytes; this is the `read` the CLI hands it. A file named on the command line
is the user's choice; a file named by `include:` is the data's, and data comes from pull
requests, so it must resolve (symbolic links followed) to a regular file inside the
including file's folder, or it is refused before it is opened. Only regular files are ever
opened: a FIFO would block forever and /dev/zero would never end.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Callable

from .errors import DataError, Problem, quoted
from .load import MAX_INPUT_BYTES, TOO_LARGE
from .validate import Include

# O_NONBLOCK: should a regular file be swapped for a FIFO between the check and the open, the
# open returns at once instead of waiting for a writer (and fstat then refuses it).
_FLAGS = (os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
          | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0))
_Refuse = Callable[[str, str], DataError]
_KINDS = ((stat.S_ISDIR, "a folder"), (stat.S_ISFIFO, "a FIFO (named pipe)"),
          (stat.S_ISCHR, "a device"), (stat.S_ISBLK, "a device"), (stat.S_ISSOCK, "a socket"))


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
        _check(os.stat(target), refuse)
        descriptor = os.open(target, _FLAGS)
    except FileNotFoundError:
        raise refuse("no such file", "a path to a YAML data file" + missing_hint) from None
    except OSError as exc:
        raise refuse(f"cannot read it: {exc.strerror}", "a readable file") from None
    try:
        info = _check(os.fstat(descriptor), refuse)  # what was opened, not what was checked
        return _read_up_to(descriptor, info.st_size + 1)
    except OSError as exc:
        raise refuse(f"cannot read it: {exc.strerror}", "a readable file") from None
    finally:
        os.close(descriptor)


def _resolved_inside(path: str, included_by: Include, refuse: _Refuse) -> str:
    """The real path of an included file, which must lie in the including file's folder."""
    folder = os.path.realpath(os.path.dirname(included_by.file) or os.curdir)
    real = os.path.realpath(path)
    if os.path.commonpath([folder, real]) != folder:
        # The target is not named: it is somewhere the data has no business knowing about.
        raise refuse("it leads out of this file's folder through a symbolic link; it was "
                     "not read", "a data file in this folder or below, not a link out of it")
    return real


def _check(info: os.stat_result, refuse: _Refuse) -> os.stat_result:
    if not stat.S_ISREG(info.st_mode):
        kind = next((name for test, name in _KINDS if test(info.st_mode)), "not a file")
        raise refuse(f"it is {kind}, not a regular file; it was not read",
                     "a YAML data file saved on disk")
    if info.st_size > MAX_INPUT_BYTES:
        raise refuse(*TOO_LARGE)
    return info


def _read_up_to(descriptor: int, first: int) -> bytes:
    """The file's bytes, in one read of `first` bytes (its size and one more) if it holds
    still, and never more than one byte past MAX_INPUT_BYTES (enough for load.py to refuse
    it) should it grow while it is read."""
    chunks, size, want = [], 0, min(first, MAX_INPUT_BYTES + 1)
    while want > 0:
        chunk = os.read(descriptor, want)
        if not chunk:
            break
        chunks.append(chunk)
        size += len(chunk)
        want = min(MAX_INPUT_BYTES + 1 - size, 1 << 20)
    return b"".join(chunks)
