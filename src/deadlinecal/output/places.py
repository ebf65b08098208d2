"""The folders a build must never use, whatever the flags: checked before every build.

Its own small module: the rebuild that has nothing to do (cache.replay) checks it too, before
anything of the pipeline is imported.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from deadlinecal.errors import OutputError


def refuse_unsafe(output: Path, data: Sequence[str]) -> None:
    """Raise OutputError when `output` is no folder for a build to use, whatever the flags.

    The root, the current and home folders and every folder above them, and any folder
    holding one of the `data` files.
    """
    where = _resolved(output)
    if where is None:
        raise OutputError(f"cannot build into {output}: the current folder no longer exists; "
                          "change to an existing folder, or name the output by its full path")
    reasons = []
    if where == Path(where.anchor):
        reasons.append("is the root of the file system")
    for name, folder in (("current folder", _resolved(Path("."))),
                         ("home folder", _home())):
        if folder is None:
            continue
        if where == folder.resolve():
            reasons.append(f"is the {name}")
        elif where in folder.resolve().parents:
            reasons.append(f"holds the {name}")
    for path in data:
        found = _resolved(Path(path))
        if found is not None and where in found.parents:
            reasons.append(f"holds the data file {path}")
    if reasons:
        raise OutputError(f"refusing to build into {output}: it {reasons[0]}; name a folder "
                          "of its own for the feeds, like calendars")


def _resolved(path: Path) -> Path | None:
    """`path` made absolute, or None when it is relative and the current folder is gone.

    A loop of links is left as it is (Path.resolve raises RuntimeError on one before 3.13).
    """
    try:
        return Path(os.path.realpath(path))
    except OSError:
        return None


def _home() -> Path | None:
    try:
        return Path.home()
    except (KeyError, RuntimeError):
        return None
