"""Put a build's files in place, touching nothing it did not write itself.

Ownership: a record beside the files (RECORD, gitignored) lists every file a build wrote and
every folder it created. Only those are ever replaced or removed; everything else in the
folder (a README, a CNAME, a `.git`, a mounted file system) keeps its bytes, mode and owner.
Without a record (a fresh clone of a repository with committed feeds) the caller's
`Layout` says which files are ours: a file is ours only at a place a build writes (its
patterns) and only when its content says so; a recognisable file anywhere else (a copy in
an archive folder, another build's output further down) is never ours. The search for them
never enters a hidden folder, follows a link or crosses into another file system.

Writing: every changed file is staged as a temporary file beside its target (same folder),
and all of them are synced together (moving.sync_files); only when all are staged and
synced, and the record already names them, is each one moved over its target with
`os.replace`, all or none (moving.py). A failure removes the
temporaries and leaves every old file, and the old record, as they were. While files move
the record holds two stamps (size, time) for each: the file's before and the staged one's
(a rename keeps both), so after a kill a file someone wrote there since is still theirs.
Existing folders are never recreated or chmod-ed; a folder is removed only when a build
created it and it is empty.

Builds of the same folder hold an exclusive lock on it from before they read what is there
until after they wrote, so two at once take turns and the second sees what the first wrote.
The writer knows nothing of calendars: any file type can be part of the output.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import stat
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from deadlinecal.errors import OutputError
from deadlinecal.output.moving import (
    Unmoved,
    make_folders,
    move_all,
    refuse_outside,
    refuse_unwritable,
    stage,
    sync_directory,
    sync_files,
)
from deadlinecal.output.ownership import (
    HEAD_BYTES,
    RECORD,
    TEMP_SUFFIX,
    Layout,
    others,
    parsed_record,
    plain,
    plain_relative,
    read_if_regular,
    record_text,
    search,
)


@dataclass(frozen=True, slots=True, kw_only=True)
class WriteReport:
    written: tuple[str, ...]
    unchanged: tuple[str, ...]
    removed: tuple[str, ...]


@dataclass(slots=True, kw_only=True)
class Folder:
    """An output folder as a build sees it under its lock: what in it is ours."""

    target: Path
    # Files ours to replace or remove (relative paths), from the record or by content.
    owned: frozenset[str]
    # Folders a build created (removed again once empty).
    created: frozenset[str] = frozenset()
    # The record's "files": path -> [size, mtime_ns] as last written; {} without a record.
    stamps: Mapping[str, Sequence[int]] = field(default_factory=dict)
    # The caller's own entries of the record (the build key, the inputs, ...).
    extra: Mapping[str, Any] = field(default_factory=dict)
    # What built the files, as the last complete build recorded it.
    key: str | None = None
    has_record: bool = False
    layout: Layout | None = None
    # What was wrong with the record (entries ignored, or the whole record), for warnings.
    complaints: tuple[str, ...] = ()

    def read(self) -> dict[str, bytes]:
        """The bytes of every file of ours that is a regular file (never a device or link)."""
        files = {}
        for relative in sorted(self.owned):
            content = read_if_regular(self.target / relative) if plain(
                self.target, relative) else None
            if content is not None:
                files[relative] = content
        return files

    def others(self) -> list[str]:
        """The folder's entries that are not ours, sorted (see ownership.others)."""
        return others(self.target, self.owned, self.created, self.layout)

    def foreign(self, files: Mapping[str, bytes]) -> list[str]:
        """Paths a build would write over that hold something that is not ours (a file that
        already holds what the build would write is not written over)."""
        return [relative for relative in sorted(files)
                if os.path.lexists(self.target / relative) and not self._ours(relative)
                and not _same_content(self.target / relative, _content(files, relative))]

    def stale(self, files: Mapping[str, bytes]) -> list[str]:
        """Paths a build would write or remove: differing, missing or no longer produced."""
        stale = {relative for relative in files
                 if not _same_content(self.target / relative, _content(files, relative))}
        stale.update(relative for relative in self.owned
                     if relative not in files and plain(self.target, relative)
                     and os.path.lexists(self.target / relative))
        return sorted(stale)

    def write(self, files: Mapping[str, bytes], *, key: str | None = None,
              extra: Mapping[str, Any] | None = None, adopt: bool = False) -> WriteReport:
        """Make our files in the folder exactly `files` (relative path -> bytes).

        Files of ours that are no longer produced are removed; unchanged files are not
        touched. `key` and `extra` go into the record; `key` only once every file is in
        place. A path that holds a file not ours is refused unless `adopt`. Raises
        OutputError; on error no file in the folder has changed.
        """
        refuse_outside(self.target, files)
        foreign = [] if adopt else self.foreign(files)
        if foreign and not adopt:
            raise OutputError(f"{self.target}/{foreign[0]} exists and was not written by "
                              "deadlinecal; it was left as it is")
        try:
            return _write(self, files, key, dict(extra or {}))
        except OSError as exc:
            raise OutputError(f"could not write to {self.target}: {exc.strerror or exc}; "
                              "the previous files are unchanged") from None

    def _ours(self, relative: str) -> bool:
        """Ours: recorded and untouched since, or known by the layout (place and bytes)."""
        return ((relative in self.owned and not self._touched(relative))
                or self._recognised(relative))

    def _touched(self, relative: str) -> bool:
        """Whether a recorded file changed since the build that wrote it (size or time):
        its stamp is none of those recorded (a build killed before its moves ended
        recorded two, the file's before and after; older versions [-1, -1], no stamp)."""
        if relative not in self.stamps:  # no record: found by its place and content
            return False
        stamp = list(self.stamps[relative])
        known = [stamp[at:at + 2] for at in range(0, len(stamp) - 1, 2)]
        return _stamp(self.target / relative) not in [pair for pair in known
                                                      if pair != [-1, -1]]

    def _pending(self, files: Iterable[str], staged: Sequence[tuple[Path, Path]],
                 removed: Iterable[str]) -> dict[str, list[int]]:
        """The record's files while the staged ones move: each file's stamp now, when it is
        ours, and the stamp of the one staged to replace it (a rename keeps size and time).
        """
        after = {final.relative_to(self.target).as_posix(): _stamp(temporary)
                 for temporary, final in staged}
        pending = {}
        for relative in sorted({*files, *removed}):
            now = _stamp(self.target / relative)
            # The file a staged one replaces is stamped only when it is ours (not adopted).
            if now == [-1, -1] or (relative in after and not self._ours(relative)):
                now = []
            pending[relative] = [*now, *after.get(relative, [])]
        return pending

    def _recognised(self, relative: str) -> bool:
        """Whether the layout knows the file at `relative` as a build's (place and bytes)."""
        if self.layout is None or not self.layout.places(relative):
            return False
        head = read_if_regular(self.target / relative, HEAD_BYTES)
        return head is not None and self.layout(relative, head)


def _write(folder: Folder, files: Mapping[str, bytes], key: str | None,
           extra: dict[str, Any]) -> WriteReport:
    """Folder.write's work, once every path is known to be ours: stage, record, move."""
    # Looked up once: a feed is rendered on lookup (render.Feeds), and staged as compared.
    changed: dict[str, bytes | Sequence[bytes]] = {}
    for relative in sorted(files):
        content = _content(files, relative)
        if not _same_content(folder.target / relative, content):
            changed[relative] = content
    unchanged = sorted(set(files) - set(changed))
    # A recorded file someone has since replaced with their own is theirs: left alone.
    removed = sorted(relative for relative in folder.owned
                     if relative not in files and plain(folder.target, relative)
                     and os.path.lexists(folder.target / relative) and folder._ours(relative))
    refuse_unwritable(folder.target, [*changed, *removed])
    tidy(folder, files)
    staged: list[tuple[Path, Path]] = []
    made: list[str] = []
    ready: set[str] = set()  # the folders (by the path above a file) made or found already
    try:
        for relative, content in changed.items():
            final = folder.target / relative
            if relative.rpartition("/")[0] not in ready:
                made.extend(make_folders(folder.target, relative))
                ready.add(relative.rpartition("/")[0])
            staged.append((stage(final, content, sync=False), final))
        # Durable before anything moves, all in one pass (see moving.sync_files).
        sync_files([temporary for temporary, _ in staged])
        created = set(folder.created) | set(made)
        if staged or removed:
            # Named in the record before anything moves: a crash from here on leaves
            # nothing of ours that the next build does not know about, and nothing
            # anyone writes there afterwards that it would take for its own.
            _save_record(folder.target, folder._pending(files, staged, removed), created,
                         None, extra)
    except BaseException:
        for temporary, _ in staged:
            with contextlib.suppress(OSError):
                temporary.unlink()
        _remove_empty(folder.target, made)
        raise
    try:
        move_all(staged)
    except Unmoved as failure:
        if not failure.stuck:
            _restore_record(folder)
        _remove_empty(folder.target, made)
        raise OutputError(failure.message()) from None
    gone = []
    for relative in removed:
        with contextlib.suppress(OSError):
            if plain(folder.target, relative):  # again: nothing may have changed it
                (folder.target / relative).unlink()
                gone.append(relative)
    created -= set(_remove_empty(folder.target, created))
    if staged or gone:
        sync_directory(folder.target)
    # A file that could not be removed stays ours.
    kept = [relative for relative in removed if relative not in gone]
    stamps = {relative: _stamp(folder.target / relative)
              for relative in sorted([*files, *kept])}
    if (stamps != dict(folder.stamps) or created != set(folder.created) or key != folder.key
            or extra != dict(folder.extra)):
        with contextlib.suppress(OSError):
            # The record written above stays if this fails: the next build renders.
            _save_record(folder.target, stamps, created, key, extra)
    return WriteReport(
        written=tuple(final.relative_to(folder.target).as_posix() for _, final in staged),
        unchanged=tuple(unchanged), removed=tuple(gone))


def tidy(folder: Folder, files: Iterable[str] = ()) -> None:
    """Remove the temporaries a killed build left beside our files (and `files`, and the
    record): only names of our own temporary pattern, every build, changed or not."""
    _clear_leftovers(folder.target, {*folder.owned, *files, RECORD})


def _restore_record(folder: Folder) -> None:
    """Put the record back as the build found it (after a failed move was undone)."""
    with contextlib.suppress(OSError):
        if folder.has_record:
            _save_record(folder.target, folder.stamps, set(folder.created), folder.key,
                         folder.extra)
        else:
            (folder.target / RECORD).unlink()


@contextlib.contextmanager
def opened(target: Path, *, layout: Layout | None = None,
           exclusive: bool = True) -> Iterator[Folder]:
    """The folder at `target` under a lock: exclusive (creating it) to write, else shared.

    A shared open of a folder that does not exist yields an empty Folder. Raises OutputError.
    """
    if os.path.lexists(target) and not target.is_dir():  # a file, or a link to none
        raise OutputError(f"{target} is not a folder")
    if not exclusive and not target.is_dir():
        yield Folder(target=target, owned=frozenset(), layout=layout)
        return
    made = [folder for folder in (target, *target.parents) if not os.path.lexists(folder)]
    try:
        target.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(target, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError as exc:
        raise OutputError(f"could not open {target}: {exc.strerror or exc}") from None
    try:
        _lock(descriptor, exclusive)
        yield _survey(target, layout)
    except BaseException:
        # A build that fails leaves no trace, not even the (empty) folders it made.
        for folder in made:
            with contextlib.suppress(OSError):
                folder.rmdir()
        raise
    finally:
        os.close(descriptor)


def write_tree(target: Path, files: Mapping[str, bytes], *,
               layout: Layout | None = None, adopt: bool = False) -> WriteReport:
    """Lock `target`, then make our files in it exactly `files` (see Folder.write)."""
    with opened(target, layout=layout) as folder:
        return folder.write(files, adopt=adopt)


def replace_file(path: Path, content: bytes) -> bool:
    """Atomically write one file unless it already holds `content`; True when written.

    Raises OutputError; on error the old file is as it was.
    """
    if _same_content(path, content):
        return False
    staged = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        staged = stage(path, content)
        os.replace(staged, path)
    except OSError as exc:
        if staged is not None:
            with contextlib.suppress(OSError):
                staged.unlink()
        raise OutputError(f"could not write {path}: {exc.strerror or exc}; "
                          "the previous file is unchanged") from None
    return True


def read_head(path: Path) -> bytes | None:
    """The first bytes of a regular file (for recognising it); None for anything else."""
    return read_if_regular(path, HEAD_BYTES)


# -- what is there --------------------------------------------------------------------------


def _survey(target: Path, layout: Layout | None) -> Folder:
    record, broken = _load_record(target)
    if record is not None:
        files, created, key, extra = record
        # A path that leads through a link (or out) is never read, replaced or removed.
        bad = sorted(path for path in [*files, *created] if not plain(target, path))
        files = {path: stamp for path, stamp in files.items() if path not in bad}
        return Folder(target=target, owned=frozenset(files),
                      created=frozenset(path for path in created if path not in bad),
                      stamps=files, key=key, extra=extra, has_record=True, layout=layout,
                      complaints=tuple(f"names {path!r}, which is not a plain path inside "
                                       "the folder (it goes through a link or out of it); "
                                       "that entry was ignored" for path in bad[:5]))
    found = frozenset(search(target, layout)) if layout is not None else frozenset()
    return Folder(target=target, owned=found, layout=layout,
                  complaints=(f"could not be read ({broken}); it was ignored, and files are "
                              "known as deadlinecal's by their place and content",)
                  if broken else ())


_Record = tuple[dict[str, list[int]], list[str], str | None, dict[str, Any]]


def _load_record(target: Path) -> tuple[_Record | None, str | None]:
    """The record's files, created folders, key and other entries (None if absent or
    broken), and what is wrong with it when it is broken."""
    if not os.path.lexists(target / RECORD):
        return None, None
    text = record_text(target)
    if text is None:
        return None, "not a regular file of at most 64 MiB"
    try:
        record = parsed_record(text)
        files = {path: [int(number) for number in stamp]
                 for path, stamp in record["files"].items() if plain_relative(path)}
        created = [path for path in record.get("folders", []) if plain_relative(path)]
        key = record.get("key")
        extra = {name: value for name, value in record.items()
                 if name not in ("files", "folders", "key")}
    except (ValueError, KeyError, TypeError, AttributeError, OverflowError,
            RecursionError) as exc:
        return None, f"{type(exc).__name__}: {str(exc)[:80]}"
    return (files, created, key if isinstance(key, str) else None, extra), None


# -- writing --------------------------------------------------------------------------------


def _save_record(target: Path, files: Mapping[str, Sequence[int]], created: set[str],
                 key: str | None, extra: Mapping[str, Any]) -> None:
    """Replace the record in one step; on failure the old one stays as it was."""
    record: dict[str, Any] = {**extra, "files": {path: list(files[path]) for path in files},
                              "folders": sorted(created)}
    if key is not None:
        record["key"] = key
    else:
        record.pop("key", None)
    text = json.dumps(record, indent=1, sort_keys=True) + "\n"
    staged = stage(target / RECORD, text.encode())
    try:
        os.replace(staged, target / RECORD)
    except BaseException:
        with contextlib.suppress(OSError):
            staged.unlink()
        raise


def _stamp(path: Path) -> list[int]:
    try:
        status = path.stat()
    except OSError:
        return [-1, -1]
    return [status.st_size, status.st_mtime_ns]


def _remove_empty(target: Path, folders: Sequence[str] | set[str]) -> list[str]:
    """Remove those of `folders` (ours) that are empty, innermost first; the ones removed."""
    removed = []
    for folder in sorted(folders, key=lambda path: path.count("/"), reverse=True):
        if not plain(target, folder):
            continue
        try:
            (target / folder).rmdir()
        except OSError:
            continue  # not empty, or gone: either way not ours to force
        removed.append(folder)
    return removed


# A temporary of ours: `.NAME.` + 8 random characters (tempfile's or secrets') + our suffix.
_TEMPORARY = re.compile(rf"\.(.+)\.[a-z0-9_]{{8}}{re.escape(TEMP_SUFFIX)}")


def _clear_leftovers(target: Path, files: set[str]) -> None:
    """Remove the temporaries beside `files` (relative paths; regular files only)."""
    by_folder: dict[str, set[str]] = {}
    for relative in files:
        path = PurePosixPath(relative)
        by_folder.setdefault(path.parent.as_posix(), set()).add(path.name)
    for folder, names in sorted(by_folder.items()):
        if folder != "." and not plain(target, folder):
            continue
        try:
            entries = list(os.scandir(target / folder))
        except OSError:
            continue
        for entry in entries:
            found = _TEMPORARY.fullmatch(entry.name)
            if found and found[1] in names and entry.is_file(follow_symlinks=False):
                with contextlib.suppress(OSError):
                    os.unlink(entry.path)


def _content(files: Mapping[str, bytes], relative: str) -> bytes | Sequence[bytes]:
    """A file's bytes, or the byte strings it is made of when `files` offers `parts(path)`.

    Rendered feeds do (render.Feeds): writing their parts one after another means no
    feed's bytes are ever joined in memory.
    """
    parts = getattr(files, "parts", None)
    return parts(relative) if parts is not None else files[relative]


def _lock(descriptor: int, exclusive: bool) -> None:
    """Lock the open folder (where flock exists), so builds take turns."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows has no flock
        return
    fcntl.flock(descriptor, fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH)


def _same_content(path: Path, content: bytes | Sequence[bytes]) -> bool:
    chunks = (content,) if isinstance(content, bytes) else content
    try:
        status = os.stat(path, follow_symlinks=False)
        if (not stat.S_ISREG(status.st_mode)
                or status.st_size != sum(len(chunk) for chunk in chunks)):
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
