"""A build changes only files it wrote itself: everything else keeps its bytes and mode."""

from __future__ import annotations

import contextlib
import errno
import os
import shutil
import stat
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from deadlinecal.cli import main
from deadlinecal.errors import OutputError
from deadlinecal.output import cache
from deadlinecal.output import plan as output
from deadlinecal.output.write import RECORD, opened

from .conftest import DEFAULT_DATA, ROOT
from .helpers import dataset_yaml, program

FIRST = dataset_yaml(
    program("alpha", windows='- opens: "2026-10-14"\n  closes: "2026-10-31 17:00"'),
    program("beta", track="applied", eligibility="[phd]", windows='- opens: "2026-11"'))
# Moves alpha, drops beta and its track (so tracks/applied.ics goes), adds a design track.
SECOND = dataset_yaml(
    program("alpha", windows='- opens: "2026-10-15"\n  closes: "2026-10-31 17:00"'),
    program("gamma", track="design", windows='- opens: "2026-12"'),
).replace(b"  applied: {title: Applied}\n", b"  design: {title: Design}\n")

# Files someone else put in the output folder, named and shaped like ours.
FOREIGN = {
    "notes.ics": b"BEGIN:VCALENDAR\r\nPRODID:-//someone//else//EN\r\nEND:VCALENDAR\r\n",
    "README.html": b"<!doctype html><title>mine</title>",
    "tracks/handmade.ics": b"not even a calendar",
    ".git/description.html": b"Unnamed repository",
    ".git/hooks/x.ics": b"hook",
    ".hidden/index.html": b"<!doctype html>",
    "CNAME": b"feeds.example.org\n",
}


def files_of(folder: Path) -> dict[str, tuple[bytes, int]]:
    """Every file under `folder` with its mode, links not followed."""
    return {path.relative_to(folder).as_posix():
            (path.read_bytes(), stat.S_IMODE(path.lstat().st_mode))
            for path in sorted(folder.rglob("*")) if path.is_file() and not path.is_symlink()}


def put(folder: Path, files: dict[str, bytes]) -> None:
    for relative, content in files.items():
        (folder / relative).parent.mkdir(parents=True, exist_ok=True)
        (folder / relative).write_bytes(content)


def run(*args: str) -> Result:
    return CliRunner().invoke(main, [*args, "--as-of", "2026-08-01"]
                              if args[0] == "build" else list(args))


def ended_notice(feed: Path) -> bool:
    """Whether `feed` is an ended calendar: every event cancelled, and its notice."""
    from deadlinecal.history import read_feed

    held = read_feed(feed.read_bytes())
    notices = [uid for uid in held if uid.endswith(".ended@deadlinecal")]
    return len(notices) == 1 and all(seen.status == "CANCELLED" for uid, seen in held.items()
                                     if uid not in notices)


def data_file(tmp_path: Path) -> Path:
    """tmp_path/data/cycle.yaml holding FIRST."""
    folder = tmp_path / "data"
    folder.mkdir()
    path = folder / "cycle.yaml"
    path.write_bytes(FIRST)
    return path


@pytest.fixture
def data(tmp_path: Path) -> Path:
    return data_file(tmp_path)


def build_into(data: Path, out: Path) -> Path:
    """`out` after a build of `data` into it."""
    result = run("build", str(data), "-o", str(out))
    assert result.exit_code == 0, result.output
    return out


@pytest.fixture
def built(data: Path, tmp_path: Path) -> Path:
    return build_into(data, tmp_path / "out")


class TestForeignFilesAreKept:
    def test_files_of_others_keep_their_bytes_and_mode_through_a_rebuild(
            self, data: Path, built: Path) -> None:
        put(built, FOREIGN)
        os.chmod(built / "notes.ics", 0o600)
        before = {name: body for name, body in files_of(built).items() if name in FOREIGN}
        data.write_bytes(SECOND)
        result = run("build", str(data), "-o", str(built))
        assert result.exit_code == 0, result.output
        # Ours, no longer produced: kept as an ended calendar (ended.py).
        assert ended_notice(built / "tracks" / "applied.ics")
        after = files_of(built)
        kept = {name: after.get(name) for name in FOREIGN}
        assert kept == before and len(kept) == len(FOREIGN) == 7

    def test_folders_keep_their_mode_and_identity(self, data: Path, built: Path) -> None:
        os.chmod(built, 0o700)
        os.chmod(built / "tracks", 0o700)
        (built / "private").mkdir(mode=0o700)
        (built / "private" / "x.ics").write_bytes(b"x")
        before = {name: (os.stat(built / name).st_ino, stat.S_IMODE(os.stat(built / name)
                                                                   .st_mode))
                  for name in (".", "tracks", "private")}
        data.write_bytes(SECOND)
        assert run("build", str(data), "-o", str(built)).exit_code == 0
        assert {name: (os.stat(built / name).st_ino, stat.S_IMODE(os.stat(built / name)
                                                                 .st_mode))
                for name in (".", "tracks", "private")} == before

    def test_a_feed_it_wrote_and_no_longer_produces_is_ended_not_removed(
            self, data: Path, built: Path) -> None:
        assert (built / "tracks" / "applied.ics").exists()
        data.write_bytes(SECOND)
        assert run("build", str(data), "-o", str(built)).exit_code == 0
        assert ended_notice(built / "tracks" / "applied.ics")
        assert (built / "tracks" / "research.ics").exists()

    def test_a_file_of_someone_else_where_a_feed_goes_is_refused_then_adopted(
            self, data: Path, built: Path) -> None:
        (built / "tracks" / "design.ics").write_bytes(b"my design notes")
        data.write_bytes(SECOND)
        before = files_of(built)
        refused = run("build", str(data), "-o", str(built))
        assert refused.exit_code == 1
        assert "design.ics exists and was not written by deadlinecal" in refused.output
        assert files_of(built) == before
        assert run("build", str(data), "-o", str(built), "--adopt").exit_code == 0
        assert output.recognise("x.ics", (built / "tracks" / "design.ics").read_bytes())

    def test_a_linked_folder_inside_is_never_entered(self, data: Path, tmp_path: Path) -> None:
        elsewhere = tmp_path / "elsewhere"
        put(elsewhere, {"all.ics": (ROOT / "calendars" / "all.ics").read_bytes()})
        out = tmp_path / "fresh"
        out.mkdir()
        (out / "linked").symlink_to(elsewhere, target_is_directory=True)
        before = files_of(elsewhere)
        assert run("build", str(data), "-o", str(out), "--adopt").exit_code == 0
        assert files_of(elsewhere) == before and (out / "linked").is_symlink()


class TestProjectCheckout:
    """`build -o` pointed at a checkout deleted its tracked .ics and .html files."""

    @staticmethod
    def checkout(folder: Path) -> dict[str, bytes]:
        files = {f".git/{name}": name.encode() for name in (
            "HEAD", "config", "description.html", "index", "hooks/pre-commit.ics")}
        files.update({f"src/pkg/m{n}.py": b"x = 1\n" for n in range(6)})
        files.update({f"docs/page{n}.html": b"<p>doc</p>" for n in range(6)})
        files.update({f"tests/cases/c{n}/expected.ics": b"BEGIN:VCALENDAR\r\n"
                      for n in range(5)})
        files.update({"README.html": b"<h1>readme</h1>", "pyproject.toml": b"[project]\n"})
        put(folder, files)
        return files

    def test_a_folder_of_other_files_is_refused_and_left_alone(self, data: Path,
                                                               tmp_path: Path) -> None:
        project = tmp_path / "project"
        files = self.checkout(project)
        before = files_of(project)
        result = run("build", str(data), "-o", str(project))
        assert result.exit_code == 1
        assert "deadlinecal did not write" in result.output and "--adopt" in result.output
        assert files_of(project) == before and len(files) == 24

    def test_adopted_it_keeps_every_one_of_its_files(self, data: Path, tmp_path: Path
                                                     ) -> None:
        project = tmp_path / "project"
        files = self.checkout(project)
        before = files_of(project)
        assert run("build", str(data), "-o", str(project), "--adopt").exit_code == 0
        data.write_bytes(SECOND)
        assert run("build", str(data), "-o", str(project)).exit_code == 0
        after = files_of(project)
        assert {name: after.get(name) for name in files} == before
        assert (project / "all.ics").exists()


class TestRefusedFolders:
    def test_the_folder_holding_the_data_file_is_refused(self, data: Path) -> None:
        (data.parent / "README.html").write_bytes(b"<p>about the data</p>")
        before = files_of(data.parent)
        result = run("build", str(data), "-o", str(data.parent))
        assert result.exit_code == 1
        assert "holds the data file" in result.output
        assert files_of(data.parent) == before

    def test_a_folder_above_the_data_file_is_refused(self, data: Path, tmp_path: Path) -> None:
        result = run("build", str(data), "-o", str(tmp_path), "--adopt")
        assert result.exit_code == 1 and "holds the data file" in result.output

    def test_the_current_folder_is_refused(self, data: Path, tmp_path: Path,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
        here = tmp_path / "here"
        put(here, {"page.html": b"<p>mine</p>", "x.ics": b"x"})
        monkeypatch.chdir(here)
        result = run("build", str(data), "-o", ".", "--adopt")
        assert result.exit_code == 1 and "is the current folder" in result.output
        assert sorted(os.listdir(here)) == ["page.html", "x.ics"]

    def test_a_folder_above_the_current_one_is_refused(self, data: Path, tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch
                                                       ) -> None:
        (tmp_path / "deep").mkdir()
        monkeypatch.chdir(tmp_path / "deep")
        with pytest.raises(OutputError, match="holds the current folder"):
            output.refuse_unsafe(Path(".."), [])

    @pytest.mark.parametrize("where", ["/", "//", "/.."])
    def test_the_root_is_refused(self, where: str) -> None:
        # Checked without the CLI: on code without the check this must never run a build.
        with pytest.raises(OutputError, match="root of the file system"):
            output.refuse_unsafe(Path(where), [])

    def test_the_home_folder_is_refused(self, tmp_path: Path,
                                        monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setenv("HOME", str(tmp_path / "home"))
        with pytest.raises(OutputError, match="is the home folder"):
            output.refuse_unsafe(tmp_path / "home", [])

    def test_an_empty_or_new_folder_is_fine(self, data: Path, tmp_path: Path) -> None:
        (tmp_path / "empty").mkdir()
        assert run("build", str(data), "-o", str(tmp_path / "empty")).exit_code == 0
        assert run("build", str(data), "-o", str(tmp_path / "new" / "out")).exit_code == 0


class TestFreshClone:
    """Committed feeds and no record yet: the README's first command must just work."""

    @pytest.fixture
    def clone(self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
        shutil.copytree(ROOT / "calendars", tmp_path / "calendars",
                        ignore=shutil.ignore_patterns(RECORD))
        (tmp_path / "data").mkdir()
        shutil.copy(DEFAULT_DATA, tmp_path / "data" / DEFAULT_DATA.name)
        monkeypatch.chdir(tmp_path)
        return tmp_path / "calendars"

    def test_the_default_build_recognises_the_committed_feeds(self, clone: Path) -> None:
        result = CliRunner().invoke(main, ["build"])
        assert result.exit_code == 0, result.output
        assert "calendars/: 0 written, 142 unchanged, 0 removed." in result.output
        with opened(clone) as folder:
            assert len(folder.owned) == 142 and folder.has_record

    def test_a_file_of_someone_else_beside_them_asks_for_adopt_once(self, clone: Path
                                                                     ) -> None:
        # Without a record, a folder holding anything not ours is not taken for ours.
        (clone / "CNAME").write_bytes(b"feeds.example.org\n")
        refused = CliRunner().invoke(main, ["build"])
        assert refused.exit_code == 1 and "(CNAME)" in refused.output
        result = CliRunner().invoke(main, ["build", "--adopt"])
        assert result.exit_code == 0, result.output
        assert "calendars/: 0 written, 142 unchanged, 0 removed." in result.output
        assert (clone / "CNAME").read_bytes() == b"feeds.example.org\n"
        assert CliRunner().invoke(main, ["build"]).exit_code == 0  # the record says now

    def test_a_stale_committed_feed_is_recognised_and_ended(self, clone: Path) -> None:
        shutil.copy(clone / "all.ics", clone / "tracks" / "retired.ics")
        result = CliRunner().invoke(main, ["build"])
        assert result.exit_code == 0, result.output
        assert "1 written" in result.output
        assert ended_notice(clone / "tracks" / "retired.ics")


@contextlib.contextmanager
def mounted(folder: Path) -> Iterator[None]:
    folder.mkdir()
    try:
        done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(folder)],
                              capture_output=True, check=False)
    except OSError:
        done = None
    if done is None or done.returncode != 0:
        pytest.skip("cannot mount a tmpfs here (needs root)")
    try:
        yield
    finally:
        subprocess.run(["umount", str(folder)], check=False)


class TestMountPoint:
    def test_a_file_system_mounted_inside_is_left_as_it_was(self, data: Path,
                                                            built: Path) -> None:
        mount = built / "mnt"
        with mounted(mount):
            put(mount, {"index.html": b"<p>other disk</p>",
                        "all.ics": (built / "all.ics").read_bytes()})
            before = files_of(mount)
            device = mount.stat().st_dev
            data.write_bytes(SECOND)
            result = run("build", str(data), "-o", str(built))
            assert result.exit_code == 0, result.output
            assert (files_of(mount), mount.stat().st_dev) == (before, device)
            assert [p.name for p in built.parent.iterdir() if "staging" in p.name] == []


class TestRecord:
    def test_a_full_disk_keeps_the_record_and_the_feeds(self, data: Path, built: Path,
                                                        monkeypatch: pytest.MonkeyPatch
                                                        ) -> None:
        before = files_of(built)
        assert RECORD in {path.name for path in built.iterdir()}

        def full(descriptor: int) -> None:
            raise OSError(errno.ENOSPC, "No space left on device")

        monkeypatch.setattr(os, "fsync", full)
        data.write_bytes(SECOND)
        result = run("build", str(data), "-o", str(built))
        assert result.exit_code == 1 and "No space left on device" in result.output
        assert (built / RECORD).read_bytes() == before[RECORD][0]
        assert files_of(built) == before

    def test_a_record_naming_a_device_is_not_read(self, data: Path, built: Path) -> None:
        with opened(built) as folder:
            folder.extra = {"inputs": [str(data), "/dev/zero"]}
            data.write_bytes(FIRST + b"# include: /dev/zero\n")
            assert cache.inputs(folder, [str(data)]) is None

    def test_a_record_naming_a_file_no_data_file_includes_is_not_read(
            self, data: Path, built: Path) -> None:
        secret = data.parent / "secret.txt"
        secret.write_bytes(b"private")
        with opened(built) as folder:
            folder.extra = {"inputs": [str(data), str(secret)]}
            assert cache.inputs(folder, [str(data)]) is None
            folder.extra = {"inputs": ["other.yaml", str(data)]}
            assert cache.inputs(folder, [str(data)]) is None

    def test_a_build_with_a_record_naming_a_pipe_finishes(self, data: Path, built: Path,
                                                          tmp_path: Path) -> None:
        pipe = data.parent / "pipe.yaml"
        os.mkfifo(pipe)
        record = (built / RECORD).read_text()
        (built / RECORD).write_text(record.replace(f'"{data}"', f'"{data}", "{pipe}"'))
        data.write_bytes(FIRST + b"# pipe.yaml\n")
        done = subprocess.run(
            [str(Path(os.sys.executable)), "-m", "deadlinecal", "build", str(data), "-o",
             str(built)], capture_output=True, timeout=60, check=False)
        assert done.returncode == 0, done.stderr


class TestSingleFeedFile:
    def test_a_file_that_is_not_a_feed_of_ours_is_refused(self, data: Path,
                                                          tmp_path: Path) -> None:
        target = tmp_path / "mine.ics"
        target.write_bytes(b"my notes")
        result = run("feed", str(data), "-o", str(target))
        assert result.exit_code == 1 and "--adopt" in result.output
        assert target.read_bytes() == b"my notes"

    def test_adopt_replaces_it_and_a_feed_of_ours_is_replaced_without_it(
            self, data: Path, tmp_path: Path) -> None:
        target = tmp_path / "mine.ics"
        target.write_bytes(b"my notes")
        assert run("feed", str(data), "-o", str(target), "--adopt").exit_code == 0
        first = target.read_bytes()
        data.write_bytes(SECOND)
        assert run("feed", str(data), "-o", str(target)).exit_code == 0
        assert target.read_bytes() != first and b"SEQUENCE:1" in target.read_bytes()

    def test_a_device_is_refused_even_with_adopt(self, data: Path) -> None:
        result = run("feed", str(data), "-o", "/dev/null", "--adopt")
        assert result.exit_code == 1 and "not a regular file" in result.output
        assert stat.S_ISCHR(os.stat("/dev/null").st_mode)
